/* SPDX-License-Identifier: MIT */
/* err: the one error convention of ContainAI.
 *
 * Owns: struct cai_err and the helpers that fill it.
 * Convention: a function that can fail takes `struct cai_err *err` as its
 * last argument, returns -1 (or NULL) on failure after filling *err, and
 * returns 0 (or a valid value) on success without touching *err.  Callers
 * add context with err_prefix() on the way up, so the final line names the
 * step, the object and the reason: "volume: claude/plugins: is a symlink".
 * Refuses: nothing; it never allocates, so it works after fork and in PID 1.
 */
#ifndef CAI_ERR_H
#define CAI_ERR_H

#include <stddef.h>

#define CAI_ERR_MAX 1024

struct cai_err {
	int errnum;              /* errno of the failing call, 0 when none */
	char msg[CAI_ERR_MAX];   /* one line, no trailing newline */
};

/* Fill *err with a formatted message; when errnum is non-zero, append
 * ": strerror(errnum)".  Always returns -1 so callers can `return err_set(...)`. */
int err_set(struct cai_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context: "CONTEXT: previous message".  Returns -1. */
int err_prefix(struct cai_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A refusal: "WHAT: WHY (refused)", keeping errnum for callers (ELOOP,
 * EXDEV...) without appending its strerror, so it reads as a sentence and
 * not as "Too many levels of symbolic links".  Returns -1. */
int err_refuse(struct cai_err *err, int errnum, const char *what, const char *why);

/* Reset to "no error". */
void err_clear(struct cai_err *err);

#endif
