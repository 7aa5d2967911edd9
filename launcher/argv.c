/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "argv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void argv_take(struct argv *a, char *word)
{
	if (!word) {
		a->oom = 1;
		return;
	}
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v) {
			free(word);
			a->oom = 1;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = word;
	a->v[a->n] = NULL;
}

void argv_push(struct argv *a, const char *word)
{
	argv_take(a, strdup(word));
}

void argv_pushf(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	argv_take(a, s);
}

void argv_push_all(struct argv *a, char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		argv_push(a, words[i]);
}

int argv_ok(const struct argv *a, struct cai_err *err)
{
	if (a->oom || !a->v)
		return err_set(err, ENOMEM, "building a command line");
	return 0;
}

void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* Characters a shell never treats specially inside a bare word. */
static int shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("@%+=:,./_-", c) != NULL;
}

int shell_quote(const char *word, char *out, size_t outsz)
{
	size_t len = strlen(word), i, o = 0;
	int needs = len == 0, control = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		/* Bytes above 0x7f too: a C1 control (CSI is 0x9b, or c2 9b in
		 * UTF-8) drives a terminal as much as ESC does, and a
		 * directory name is anyone's to choose. */
		if (c < 0x20 || c >= 0x7f)
			control = 1;
		if (!shell_safe(c) || (c == '=' && i == 0))
			needs = 1;
	}
#define PUT(ch)                               \
	do {                                  \
		if (o + 1 >= outsz)           \
			return -1;            \
		out[o++] = (ch);              \
	} while (0)
	if (!needs) {
		for (i = 0; i < len; i++)
			PUT(word[i]);
	} else if (!control) {
		PUT('\'');
		for (i = 0; i < len; i++) {
			if (word[i] == '\'') {
				PUT('\'');
				PUT('\\');
				PUT('\'');
				PUT('\'');
			} else {
				PUT(word[i]);
			}
		}
		PUT('\'');
	} else {
		PUT('$');
		PUT('\'');
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)word[i];
			if (c == '\'' || c == '\\') {
				PUT('\\');
				PUT((char)c);
			} else if (c < 0x20 || c >= 0x7f) {
				char esc[5];
				snprintf(esc, sizeof(esc), "\\%03o", c);
				for (int k = 0; esc[k]; k++)
					PUT(esc[k]);
			} else {
				PUT((char)c);
			}
		}
		PUT('\'');
	}
	PUT('\0');
#undef PUT
	return 0;
}

char *argv_to_shell(const struct argv *a)
{
	size_t total = 1;

	for (size_t i = 0; i < a->n; i++)
		total += strlen(a->v[i]) * 4 + 4;
	char *s = malloc(total);
	if (!s)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			s[o++] = ' ';
		if (shell_quote(a->v[i], s + o, total - o) < 0) {
			free(s);
			return NULL;
		}
		o += strlen(s + o);
	}
	s[o] = '\0';
	return s;
}
