/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "fdbatch.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

void fdbatch_add(struct fdbatch *b, int fd)
{
	if (fd < 0)
		return;
	if (b->n == FDBATCH_MAX)
		fdbatch_close(b);
	b->fd[b->n++] = fd;
}

/* close_range(lo, hi), or each in turn where the kernel or a filter
 * refuses it. */
static void close_run(int lo, int hi)
{
	if (lo == hi || syscall(SYS_close_range, (unsigned)lo, (unsigned)hi, 0u) < 0)
		for (int fd = lo; fd <= hi; fd++)
			close(fd);
}

void fdbatch_close(struct fdbatch *b)
{
	int saved = errno;

	/* Insertion sort: a handful of numbers, mostly in order already. */
	for (size_t i = 1; i < b->n; i++) {
		int v = b->fd[i];
		size_t j = i;
		for (; j > 0 && b->fd[j - 1] > v; j--)
			b->fd[j] = b->fd[j - 1];
		b->fd[j] = v;
	}
	for (size_t i = 0; i < b->n;) {
		size_t j = i;
		while (j + 1 < b->n && b->fd[j + 1] == b->fd[j] + 1)
			j++;
		close_run(b->fd[i], b->fd[j]);
		i = j + 1;
	}
	b->n = 0;
	errno = saved;
}
