/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "treewalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fd.h"
#include "log.h"

int treewalk_look(int dirfd, const char *name, unsigned char type, enum treewalk_open how,
		  struct treewalk_entry *e)
{
	e->fd = -1;
	e->path_only = 0;
	e->open_errno = 0;
	if (type != DT_DIR || how == TREEWALK_LOOK_ONLY) {
		if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, TREEWALK_STATX_MASK, &e->stx) < 0)
			return -1;
		if (!S_ISDIR(e->stx.stx_mode) || how == TREEWALK_LOOK_ONLY)
			return 0;
	}
	/* O_PATH | O_NOFOLLOW | O_DIRECTORY: a symlink is ENOTDIR, as with
	 * O_RDONLY. */
	_cleanup_close_ int fd = openat(dirfd, name, (how == TREEWALK_OPEN_PATH ? O_PATH : O_RDONLY) |
					O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		e->open_errno = errno;
		return statx(dirfd, name, AT_SYMLINK_NOFOLLOW, TREEWALK_STATX_MASK, &e->stx);
	}
	/* The descriptor's own statx: what was looked at by name may have
	 * been swapped since; what is held is what counts. */
	if (statx(fd, "", AT_EMPTY_PATH, TREEWALK_STATX_MASK, &e->stx) < 0)
		return -1;
	e->path_only = how == TREEWALK_OPEN_PATH;
	e->fd = fd_take(&fd);
	return 0;
}

static int visit_name(struct treewalk *w, int dirfd, const char *name, unsigned char type, size_t len,
		      unsigned depth, int *missing, struct cai_err *err)
{
	size_t n = strlen(name);
	size_t plen = len ? len + 1 + n : n;

	if (missing)
		*missing = 0;
	/* Deeper than a path can name: a tree the walk's owner never made
	 * (no manifest path is that long), left as the depth limits leave
	 * theirs - refusing it would fail every start on it. */
	if (plen >= sizeof(w->path)) {
		log_warn("%.60s.../%.40s: longer than %zu bytes from the walk's root, left alone", w->path,
			 name, sizeof(w->path) - 1);
		return 0;
	}
	if (len)
		w->path[len] = '/';
	memcpy(w->path + plen - n, name, n + 1);

	struct treewalk_entry e = {
		.dirfd = dirfd, .name = name, .path = w->path, .path_len = plen, .fd = -1, .depth = depth,
	};
	int r = treewalk_look(dirfd, name, type, TREEWALK_OPEN, &e);
	_cleanup_close_ int fd = e.fd;
	if (r < 0 && errno == ENOENT && missing) {
		*missing = 1;
		r = 0;
	} else if (r < 0) {
		/* Removed between the listing and the look: nothing to visit. */
		r = errno == ENOENT ? 0 : err_set(err, errno, "%s", w->path);
	} else {
		r = w->visit(w, &e, err);
		if (r > 0 && fd >= 0)
			r = treewalk_dir(w, fd, plen, depth, err);
	}
	w->path[len] = '\0';
	return r < 0 ? -1 : 0;
}

int treewalk_name(struct treewalk *w, int dirfd, const char *name, size_t len, unsigned depth,
		  int *missing, struct cai_err *err)
{
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return err_set(err, EINVAL, "'%s' is not a name in a directory", name);
	return visit_name(w, dirfd, name, DT_UNKNOWN, len, depth, missing, err);
}

int treewalk_dir(struct treewalk *w, int fd, size_t len, unsigned depth, struct cai_err *err)
{
	/* On the stack: one listing per level of the walk, kept while the
	 * walk is below it. */
	char buf[4096] __attribute__((aligned(8)));

	for (;;) {
		ssize_t n = getdents64(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, errno, "%s", len ? w->path : ".");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *d = (const struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (visit_name(w, fd, d->d_name, d->d_type, len, depth + 1, NULL, err) < 0)
				return -1;
		}
	}
	return w->done ? w->done(w, fd, len, depth, err) : 0;
}

int treewalk_reopen(const struct treewalk_entry *e, int flags, struct cai_err *err)
{
	struct stat st;
	_cleanup_close_ int fd = openat(e->dirfd, e->name, flags | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
					O_CLOEXEC);

	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENXIO))
		return err_refuse(err, errno, e->path, "replaced while being checked");
	if (fd < 0)
		return err_set(err, errno, "%s", e->path);
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", e->path);
	if (st.st_ino != e->stx.stx_ino ||
	    st.st_dev != makedev(e->stx.stx_dev_major, e->stx.stx_dev_minor) ||
	    (st.st_mode & S_IFMT) != (e->stx.stx_mode & S_IFMT) ||
	    (S_ISREG(st.st_mode) && st.st_nlink != 1))
		return err_refuse(err, EAGAIN, e->path, "replaced while being checked");
	return fd_take(&fd);
}
