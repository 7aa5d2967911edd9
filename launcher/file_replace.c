/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"

int file_open_parent(const char *path, int *dirfd, const char **name, struct cai_err *err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (path[0] != '/' || !slash || !slash[1])
		return err_set(err, 0, "%s: not an absolute path to a file", path);
	if ((size_t)(slash - path) >= sizeof(dir))
		return err_set(err, ENAMETOOLONG, "%s", path);
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "%s", dir);
	*dirfd = fd;
	*name = slash + 1;
	return 0;
}

/* An open, empty file's final owner and mode, then its bytes, on disk. */
static int fill(int fd, const void *buf, size_t len, mode_t mode, uid_t uid, gid_t gid,
		struct cai_err *err)
{
	/* Owner first: a chown by root clears set-id bits a chmod set. */
	if ((uid != geteuid() || gid != getegid()) && fchown(fd, uid, gid) < 0)
		return err_set(err, errno, "setting the owner");
	if (fchmod(fd, mode & 07777) < 0)
		return err_set(err, errno, "setting the mode");
	if (fd_write_all(fd, buf, len) < 0)
		return err_set(err, errno, "writing");
	if (fsync(fd) < 0)
		return err_set(err, errno, "fsync");
	return 0;
}

int file_create_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		   uid_t uid, gid_t gid, struct cai_err *err)
{
	if (strchr(name, '/'))
		return err_set(err, 0, "%s: not one path component", name);
	/* O_EXCL never follows a symlink planted at the name: it fails. */
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					0600);
	if (fd < 0)
		return err_set(err, errno, "%s", name);
	if (fill(fd, buf, len, mode, uid, gid, err) < 0) {
		unlinkat(dirfd, name, 0);
		return err_prefix(err, "%s", name);
	}
	if (fsync(dirfd) < 0)
		return err_set(err, errno, "%s: fsync of its directory", name);
	return 0;
}

int file_replace_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		    uid_t uid, gid_t gid, struct cai_err *err)
{
	char tmp[300];
	unsigned char rnd[8];
	int fd = -1;

	if (strchr(name, '/') || strlen(name) > 200)
		return err_set(err, 0, "%s: not one path component", name);
	/* A fresh random name each try: another writer's temporary file, or
	 * anything planted at a guessable name, is never opened. */
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return err_set(err, errno, "getrandom");
		snprintf(tmp, sizeof(tmp), ".%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", name, rnd[0],
			 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return err_set(err, errno, "%s: creating a temporary file beside it", name);
	}
	if (fd < 0)
		return err_set(err, EEXIST, "%s: creating a temporary file beside it", name);
	_cleanup_close_ int tfd = fd;
	if (fill(tfd, buf, len, mode, uid, gid, err) < 0 ||
	    (renameat(dirfd, tmp, dirfd, name) < 0 && err_set(err, errno, "renaming into place") < 0)) {
		unlinkat(dirfd, tmp, 0);
		return err_prefix(err, "%s", name);
	}
	if (fsync(dirfd) < 0)
		return err_set(err, errno, "%s: fsync of its directory", name);
	return 0;
}
