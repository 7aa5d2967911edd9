/* SPDX-License-Identifier: MIT */
/* envbuild: the command's environment, built fresh for execve.
 *
 * Owns: merging the init's own environment (what `docker run -e` set)
 * with the variables of the .env file, and checking the result against
 * the kernel's execve limits before exec, so that a too-large .env is one
 * clear error instead of an E2BIG from execve.
 * Refuses: to let the file override anything the init was started with;
 * a single string over MAX_ARG_STRLEN; argv plus envp over the limit the
 * kernel applies (sysconf(_SC_ARG_MAX), less a reserve).
 * Never calls setenv: PID 1's own environment is left untouched.
 */
#ifndef CAI_ENVBUILD_H
#define CAI_ENVBUILD_H

#include <stddef.h>

#include "dotenv.h"
#include "err.h"

/* The kernel's per-string limit (32 pages of 4 KiB), NUL included. */
#define ENVBUILD_MAX_STRLEN 131072
/* Room left for what the kernel puts on the stack beside the strings
 * (the file name, auxv, alignment). */
#define ENVBUILD_RESERVE 4096

/* A fresh NULL-terminated array: every entry of `base` in order, then each
 * variable of `file` whose name `base` does not have.  The strings are
 * shared, not copied; free the array alone with free().  NULL with err set
 * when memory runs out. */
char **envbuild_merge(char *const *base, const struct dotenv *file, struct cai_err *err);

/* Check argv and envp against the execve limits; `arg_max` is
 * sysconf(_SC_ARG_MAX) in production.  The error names the variable (never
 * its value) or the totals. */
int envbuild_check_limits(char *const *argv, char *const *envp, long arg_max,
			  struct cai_err *err);

#endif
