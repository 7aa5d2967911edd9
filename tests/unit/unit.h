/* SPDX-License-Identifier: MIT */
/* A small unit-test runner: each TEST runs in its own process, so a crash
 * or a sanitizer report fails that test alone and global state never
 * leaks from one test into the next. */
#ifndef CAI_UNIT_H
#define CAI_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *file;
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                          \
	static void test_##name(void);                                      \
	static struct unit_test unit_##name = { __FILE__, #name, test_##name, 0 }; \
	__attribute__((constructor)) static void unit_reg_##name(void)      \
	{                                                                   \
		unit_register(&unit_##name);                                \
	}                                                                   \
	static void test_##name(void)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			unit_fail(__FILE__, __LINE__, "%s", #cond);          \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                      \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a != _b) {                                              \
			unit_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, _a, _b); \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *_a = (a), *_b = (b);                             \
		if (!_a || !_b || strcmp(_a, _b)) {                          \
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, \
				  _a ? _a : "(null)", _b ? _b : "(null)");  \
			return;                                              \
		}                                                            \
	} while (0)

/* The message contains `needle`. */
#define CHECK_CONTAINS(hay, needle)                                          \
	do {                                                                 \
		const char *_h = (hay), *_n = (needle);                      \
		if (!_h || !strstr(_h, _n)) {                                \
			unit_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", \
				  _h ? _h : "(null)", _n);                   \
			return;                                              \
		}                                                            \
	} while (0)

#endif
