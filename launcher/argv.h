/* SPDX-License-Identifier: MIT */
/* argv: growable argument vectors and their shell-quoted display.
 *
 * Owns: building the argv of every external command the launcher runs
 * (docker, sbx, git) and rendering one as a single shell-quoted line for
 * --dry-run, so a user can paste it into a POSIX shell and get exactly the
 * same words.
 * Refuses: nothing is ever passed through a shell; quoting exists only for
 * display.  A word with a newline, another control byte or a byte above
 * 0x7f is quoted with $'...' and octal escapes, so the printed command
 * stays on one line and sends the terminal no control sequence.
 */
#ifndef CAI_ARGV_H
#define CAI_ARGV_H

#include <stddef.h>

#include "err.h"

struct argv {
	char **v;       /* NULL-terminated once anything was pushed */
	size_t n;
	size_t cap;
	int oom;        /* an allocation failed; argv_ok() reports it once */
};

/* Append a copy of `word`.  Allocation failures are sticky: check once
 * with argv_ok() after building. */
void argv_push(struct argv *a, const char *word);
void argv_pushf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void argv_push_all(struct argv *a, char *const *words, size_t n);
int argv_ok(const struct argv *a, struct cai_err *err);
void argv_free(struct argv *a);

#define _cleanup_argv_ __attribute__((cleanup(argv_free)))

/* One word quoted for a POSIX shell ('...' or $'...'), appended to out.
 * Returns -1 when out is too small. */
int shell_quote(const char *word, char *out, size_t outsz);

/* The whole vector, words quoted and separated by one space; a fresh
 * string, NULL when out of memory. */
char *argv_to_shell(const struct argv *a);

#endif
