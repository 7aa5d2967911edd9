/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "unit.h"

static char dir[256];

/* A scratch directory; the test's process ends with it, the files go. */
static const char *scratch(const char *name, char *path, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/cai-fd.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, size, "%s/%s", dir, name);
	return path;
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

static void write_file(const char *path, const char *text, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || fd_write_all(fd, text, len) < 0)
		abort();
}

TEST(fd_read_file_reads_up_to_the_bound)
{
	char p[300];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct cai_err err = { 0 };

	write_file(scratch("f", p, sizeof(p)), "0123456789", 10);
	CHECK_INT(fd_read_file(p, 10, &buf, &len, &err), 0);
	CHECK_INT(len, 10);
	CHECK_STR(buf, "0123456789");
	/* One byte more than allowed is an error, not a truncated read. */
	CHECK_INT(fd_read_file(p, 9, &buf, &len, &err), -1);
	CHECK_INT(err.errnum, EFBIG);
	CHECK_CONTAINS(err.msg, "larger than 9 bytes");
	cleanup();
}

TEST(fd_read_file_grows_past_its_first_buffer)
{
	char p[300];
	_cleanup_free_ char *buf = NULL;
	size_t len, size = 100000;
	struct cai_err err = { 0 };
	char *text = malloc(size);

	CHECK(text != NULL);
	for (size_t i = 0; i < size; i++)
		text[i] = (char)('a' + i % 26);
	write_file(scratch("big", p, sizeof(p)), text, size);
	CHECK_INT(fd_read_file(p, size, &buf, &len, &err), 0);
	CHECK_INT(len, size);
	CHECK(!memcmp(buf, text, size) && buf[size] == '\0');
	free(text);
	cleanup();
}

TEST(fd_read_file_refuses_symlinks_and_special_files)
{
	char f[300], link[300], fifo[300];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct cai_err err = { 0 };

	write_file(scratch("f", f, sizeof(f)), "x", 1);
	CHECK_INT(symlink(f, scratch("link", link, sizeof(link))), 0);
	CHECK_INT(fd_read_file(link, 100, &buf, &len, &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	/* A FIFO without a writer would block a plain open: refused at once. */
	CHECK_INT(mkfifo(scratch("fifo", fifo, sizeof(fifo)), 0644), 0);
	CHECK_INT(fd_read_file(fifo, 100, &buf, &len, &err), -1);
	CHECK_CONTAINS(err.msg, "not a regular file");
	CHECK_INT(fd_read_file(dir, 100, &buf, &len, &err), -1);
	CHECK_CONTAINS(err.msg, "not a regular file");
	cleanup();
}

TEST(fd_close_from_closes_only_from_the_floor)
{
	struct cai_err err = { 0 };
	int low = open("/dev/null", O_RDONLY);
	int high = fcntl(low, F_DUPFD, 100);

	CHECK(low >= 3 && high >= 100);
	CHECK_INT(fd_close_from(low + 1, &err), 0);
	CHECK(fcntl(low, F_GETFD) >= 0);
	CHECK(fcntl(high, F_GETFD) < 0 && errno == EBADF);
}

TEST(fd_ensure_stdio_fills_a_closed_descriptor)
{
	struct cai_err err = { 0 };
	struct stat st, null;

	close(STDIN_FILENO);
	CHECK_INT(fd_ensure_stdio(&err), 0);
	CHECK_INT(fstat(STDIN_FILENO, &st), 0);
	CHECK_INT(stat("/dev/null", &null), 0);
	CHECK(st.st_rdev == null.st_rdev && S_ISCHR(st.st_mode));
	/* Not close-on-exec: it is what the command gets as its stdin. */
	CHECK_INT(fcntl(STDIN_FILENO, F_GETFD) & FD_CLOEXEC, 0);
}

TEST(fd_cleanup_and_take)
{
	int kept;
	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		kept = fd_take(&fd);
		CHECK_INT(fd, -1);
	}
	CHECK(fcntl(kept, F_GETFD) >= 0);
	int gone;
	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		gone = fd;
	}
	CHECK(fcntl(gone, F_GETFD) < 0 && errno == EBADF);
	close(kept);
}
