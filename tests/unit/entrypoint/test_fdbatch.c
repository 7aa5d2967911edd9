/* SPDX-License-Identifier: MIT */
/* fdbatch: exactly the descriptors given up are closed - runs with one
 * call, the numbers between them left open - and a full batch closes
 * before it takes more. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "fdbatch.h"
#include "unit.h"

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int open_null(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

TEST(fdbatch_closes_what_it_was_given_only)
{
	struct fdbatch b = { .n = 0 };
	int fd[8];

	for (int i = 0; i < 8; i++)
		fd[i] = open_null();
	/* Given up out of order, with two kept in between: three runs. */
	fdbatch_add(&b, fd[5]);
	fdbatch_add(&b, fd[0]);
	fdbatch_add(&b, fd[1]);
	fdbatch_add(&b, -1);
	fdbatch_add(&b, fd[7]);
	fdbatch_add(&b, fd[3]);
	fdbatch_add(&b, fd[4]);
	CHECK_INT(b.n, 6);
	for (int i = 0; i < 8; i++)
		CHECK(is_open(fd[i]));
	fdbatch_close(&b);
	CHECK_INT(b.n, 0);
	for (int i = 0; i < 8; i++)
		CHECK_INT(is_open(fd[i]), i == 2 || i == 6);
	close(fd[2]);
	close(fd[6]);
}

TEST(fdbatch_full_closes_before_taking_more)
{
	struct fdbatch b = { .n = 0 };
	int fd[FDBATCH_MAX + 1];

	for (int i = 0; i <= FDBATCH_MAX; i++)
		fd[i] = open_null();
	for (int i = 0; i < FDBATCH_MAX; i++)
		fdbatch_add(&b, fd[i]);
	CHECK(is_open(fd[0]));
	fdbatch_add(&b, fd[FDBATCH_MAX]);
	CHECK_INT(b.n, 1);
	for (int i = 0; i < FDBATCH_MAX; i++)
		CHECK(!is_open(fd[i]));
	CHECK(is_open(fd[FDBATCH_MAX]));
	fdbatch_close(&b);
	CHECK(!is_open(fd[FDBATCH_MAX]));
}
