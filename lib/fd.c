/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

void fd_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

void fd_freep(void *p)
{
	free(*(void **)p);
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_read_bounded(int fd, size_t max, char **out, size_t *len, struct cai_err *err)
{
	size_t cap = 4096 < max + 1 ? 4096 : max + 1;
	size_t used = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return err_set(err, ENOMEM, "read");
	for (;;) {
		if (used == cap) {
			if (cap > max) {
				free(buf);
				return err_set(err, EFBIG, "larger than %zu bytes", max);
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				free(buf);
				return err_set(err, ENOMEM, "read");
			}
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return err_set(err, e, "read");
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		return err_set(err, EFBIG, "larger than %zu bytes", max);
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int fd_read_regular(int fd, const char *name, size_t max, char **out, size_t *len,
		    struct cai_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", name);
	if (!S_ISREG(st.st_mode))
		return err_set(err, 0, "%s: not a regular file", name);
	if (fd_read_bounded(fd, max, out, len, err) < 0)
		return err_prefix(err, "%s", name);
	return 0;
}

int fd_read_file(const char *path, size_t max, char **out, size_t *len, struct cai_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return err_set(err, errno, "%s", path);
	return fd_read_regular(fd, path, max, out, len, err);
}

int fd_ensure_stdio(struct cai_err *err)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* Not close-on-exec: it is the command's stdio as well. */
		int n = open("/dev/null", O_RDWR | O_NOCTTY);
		if (n < 0)
			return err_set(err, errno, "descriptor %d is closed and /dev/null cannot be opened", fd);
		if (n != fd) {
			close(n);
			return err_set(err, 0, "descriptor %d is closed, but /dev/null opened as %d", fd, n);
		}
	}
	return 0;
}

static int fd_close_from_proc(int from, struct cai_err *err)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return err_set(err, errno, "close descriptors: /proc/self/fd");
	int dfd = dirfd(d);
	/* Collect first, close after: closing while reading the directory
	 * would change what readdir returns. */
	int fds[1024];
	size_t n = 0;
	int more = 0;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v < from || v == dfd)
			continue;
		if (n == ARRAY_SIZE(fds)) {
			more = 1;
			break;
		}
		fds[n++] = (int)v;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return more ? fd_close_from_proc(from, err) : 0;
}

int fd_close_from(int from, struct cai_err *err)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
		return err_set(err, errno, "close_range");
	return fd_close_from_proc(from, err);
}
