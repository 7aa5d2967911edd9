/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "decimal.h"
#include "macro.h"
#include "unit.h"

static int parse(const char *s, uint64_t max, uint64_t *v, struct cai_err *err)
{
	return decimal_parse(s, strlen(s), max, v, err);
}

TEST(decimal_accepts_plain_numbers)
{
	struct cai_err err = { 0 };
	uint64_t v;

	CHECK_INT(parse("0", 10, &v, &err), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse("10", 10, &v, &err), 0);
	CHECK_INT(v, 10);
	CHECK_INT(parse("18446744073709551615", UINT64_MAX, &v, &err), 0);
	CHECK(v == UINT64_MAX);
	/* Only the given bytes count: what follows them is not read. */
	CHECK_INT(decimal_parse("42abc", 2, 100, &v, &err), 0);
	CHECK_INT(v, 42);
}

TEST(decimal_refuses_a_leading_zero)
{
	struct cai_err err = { 0 };
	uint64_t v = 7;

	CHECK_INT(parse("010", 100, &v, &err), -1);
	CHECK_STR(err.msg, "'010': a leading 0 is ambiguous (decimal or octal?)");
	CHECK_INT(parse("00", 100, &v, &err), -1);
	CHECK_INT(v, 7);
}

TEST(decimal_refuses_what_is_not_digits)
{
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "1e3" };
	struct cai_err err = { 0 };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(parse(bad[i], 100, &v, &err), -1);
		CHECK_CONTAINS(err.msg, "is not a number");
	}
}

TEST(decimal_refuses_above_the_maximum)
{
	struct cai_err err = { 0 };
	uint64_t v;

	CHECK_INT(parse("3601", 3600, &v, &err), -1);
	CHECK_STR(err.msg, "3601 is larger than 3600");
	CHECK_INT(parse("5", 0, &v, &err), -1);
	/* Beyond 64 bits: refused, not wrapped. */
	CHECK_INT(parse("18446744073709551616", UINT64_MAX, &v, &err), -1);
	CHECK_STR(err.msg, "18446744073709551616 is larger than 18446744073709551615");
	CHECK_INT(parse("99999999999999999999999", UINT64_MAX, &v, &err), -1);
}
