/* SPDX-License-Identifier: MIT */
/* fdbatch: descriptors a step is done with, closed together.
 *
 * Owns: a bounded set of descriptors the caller gave up, and closing it in
 * as few calls as their numbers allow - each run of consecutive numbers
 * with one close_range(2), close(2) where that is missing or filtered -
 * when the set is full and when the caller is done.  The kernel hands out
 * the lowest free number, so what a step opens and keeps until its end is
 * one run: a walk of 30 directories costs one call instead of 30.
 * Refuses: to close anything it was not given - the numbers between two
 * runs (a descriptor the caller still holds, one opened before) are never
 * in a range.
 */
#ifndef CAI_FDBATCH_H
#define CAI_FDBATCH_H

#include <stddef.h>

/* Bounded: what waits here counts against RLIMIT_NOFILE beside the
 * descriptors a walk holds. */
#define FDBATCH_MAX 32

struct fdbatch {
	int fd[FDBATCH_MAX];
	size_t n;
};

/* Give up fd (ignored when < 0); closes the batch first when it is full. */
void fdbatch_add(struct fdbatch *b, int fd);

/* Close every descriptor given up so far. */
void fdbatch_close(struct fdbatch *b);

#endif
