/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "links.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "beneath.h"
#include "fd.h"
#include "fdbatch.h"
#include "log.h"

#define LINKS_STATX_MASK (STATX_TYPE | STATX_NLINK | STATX_SIZE | STATX_MNT_ID)

/* A directory of the home on the way to a link, held for the step. */
struct held_dir {
	const char *path;       /* a prefix of a link's path */
	size_t len;
	int fd;                 /* O_PATH | O_DIRECTORY, or O_RDONLY when made */
	int made;               /* made by this start: its names are free */
};

struct maker {
	int home;               /* O_PATH | O_DIRECTORY */
	const char *home_path;
	uid_t uid;
	gid_t gid;
	int give;               /* root: what is created here is given uid:gid */
	struct held_dir *dirs;
	size_t ndirs, cap;
	/* The last link looked for in an existing directory was missing: the
	 * home is likely new, and the next link is made before it is looked
	 * for (a link already there answers EEXIST and is looked at then). */
	int expect_free;
	char msg[PATH_MAX];     /* home/path, for messages */
};

/* "HOME/PATH[0..n)" for a message. */
static const char *where(struct maker *mk, const char *path, size_t n)
{
	snprintf(mk->msg, sizeof(mk->msg), "%s/%.*s", mk->home_path, (int)n, path);
	return mk->msg;
}

/* 1 when what `st` (looked at by name in dir) describes is the root of a
 * mount: by statx mount ids, or - where the kernel has none - by a device
 * other than the directory's (the rename would fail with EBUSY anyway). */
static int is_mount_point(int dir, const struct statx *st, struct cai_err *err)
{
	struct statx ds;
	uint64_t a, b;

	if (statx(dir, "", AT_EMPTY_PATH, STATX_MNT_ID, &ds) < 0)
		return err_set(err, errno, "statx");
	if (beneath_statx_mnt_id(st, &a) && beneath_statx_mnt_id(&ds, &b))
		return a != b || (st->stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return st->stx_dev_major != ds.stx_dev_major || st->stx_dev_minor != ds.stx_dev_minor;
}

/* Make way at `name` in dir for a new entry: what must not be lost is
 * moved aside, an empty directory removed.  Returns 1 when the name is
 * now free, 0 when what is there may simply be renamed over (never a
 * directory), -1 on error. */
static int make_way(struct maker *mk, int dir, const char *name, const char *path, size_t n,
		    struct cai_err *err)
{
	struct statx st;
	char aside[NAME_MAX + 1];

	if (statx(dir, name, AT_SYMLINK_NOFOLLOW, LINKS_STATX_MASK, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return err_set(err, errno, "%s", where(mk, path, n));
	}
	if (S_ISLNK(st.stx_mode))
		return 0;
	int mnt = is_mount_point(dir, &st, err);
	if (mnt < 0)
		return err_prefix(err, "%s", where(mk, path, n));
	if (mnt)
		return err_refuse(err, EBUSY, where(mk, path, n), "a mount point is there, never replaced");
	if (S_ISDIR(st.stx_mode) && unlinkat(dir, name, AT_REMOVEDIR) == 0)
		return 1;
	if (S_ISDIR(st.stx_mode) && errno != ENOTEMPTY && errno != EEXIST)
		return err_set(err, errno, "%s: remove empty directory", where(mk, path, n));
	/* A FIFO, socket or device node holds no data, nor does an empty
	 * file; a hard-linked file keeps it under its other names. */
	if (!S_ISDIR(st.stx_mode) && !(S_ISREG(st.stx_mode) && st.stx_nlink == 1 && st.stx_size > 0))
		return 0;
	if (beneath_move_aside(dir, name, aside, err) < 0)
		return err_prefix(err, "%s", where(mk, path, n));
	log_warn("links: %s was not empty: moved aside to %s", where(mk, path, n), aside);
	return 1;
}

/* A new directory `name` in dir, mode 0755, given uid:gid through its own
 * descriptor, which it returns.  One there already (made meanwhile) is
 * opened as one made here would be: not following a symlink. */
static int make_dir(struct maker *mk, int dir, const char *name, const char *path, size_t n,
		    struct cai_err *err)
{
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return err_set(err, errno, "%s: mkdir", where(mk, path, n));
	_cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_refuse(err, errno, where(mk, path, n), "replaced while being created");
	if (mk->give && fchown(fd, mk->uid, mk->gid) < 0)
		return err_set(err, errno, "%s: chown", where(mk, path, n));
	return fd_take(&fd);
}

/* The directory path[0..n) of the home, held: n == 0 is the home; else
 * the directory above it, then this one opened beneath it without
 * following anything and on the same mount - made when missing, made way
 * for when something else is there, refused when it is a mount point (the
 * links would be made in whatever is mounted there).  *made: this start
 * made it. */
static int held(struct maker *mk, const char *path, size_t n, int *made, struct cai_err *err)
{
	char name[NAME_MAX + 1];
	int above_made = 0;

	*made = 0;
	if (n == 0)
		return mk->home;
	for (size_t i = 0; i < mk->ndirs; i++)
		if (mk->dirs[i].len == n && !memcmp(mk->dirs[i].path, path, n)) {
			*made = mk->dirs[i].made;
			return mk->dirs[i].fd;
		}
	const char *slash = memrchr(path, '/', n);
	size_t up = slash ? (size_t)(slash - path) : 0;
	int above = held(mk, path, up, &above_made, err);
	if (above < 0)
		return -1;
	size_t nlen = n - (slash ? up + 1 : 0);
	memcpy(name, path + n - nlen, nlen);
	name[nlen] = '\0';

	if (mk->ndirs == mk->cap) {
		size_t ncap = mk->cap ? mk->cap * 2 : 8;
		struct held_dir *nd = realloc(mk->dirs, ncap * sizeof(*nd));
		if (!nd)
			return err_set(err, ENOMEM, "links");
		mk->dirs = nd;
		mk->cap = ncap;
	}
	/* In a directory this start made, the name is free: made at once. */
	int fd = -1, free_now = 1;
	if (!above_made) {
		fd = beneath_open_dir_at(above, name);
		if (fd < 0 && errno == EXDEV)
			return err_refuse(err, EXDEV, where(mk, path, n), "a mount point is there, never replaced");
		if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			return err_set(err, errno, "%s", where(mk, path, n));
		/* A symlink or something else where a directory must be: moved
		 * aside or removed first. */
		if (fd < 0 && errno != ENOENT)
			free_now = make_way(mk, above, name, path, n, err);
	}
	if (fd < 0) {
		if (free_now < 0)
			return -1;
		if (!free_now && unlinkat(above, name, 0) < 0 && errno != ENOENT)
			return err_set(err, errno, "%s: remove", where(mk, path, n));
		fd = make_dir(mk, above, name, path, n, err);
		if (fd < 0)
			return -1;
		*made = 1;
	}
	mk->dirs[mk->ndirs++] = (struct held_dir){ .path = path, .len = n, .fd = fd, .made = *made };
	return fd;
}

/* 1 when `name` in dir is already a symlink to exactly `target`, 0 when
 * something else is there, -1 when nothing is (ENOENT) or on error. */
static int is_link_to(int dir, const char *name, const char *target, size_t tlen)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dir, name, buf, sizeof(buf));

	if (n < 0)
		return errno == ENOENT ? -1 : 0;
	return (size_t)n == tlen && !memcmp(buf, target, tlen);
}

/* The link at `name` in dir: made at a free name, or made under a random
 * name and renamed over what may be replaced. */
static int put_link(struct maker *mk, int dir, const char *name, const char *target, int name_free,
		    const char *path, struct cai_err *err)
{
	char tmp[NAME_MAX + 1];
	uint64_t r;

	if (name_free) {
		if (symlinkat(target, dir, name) < 0)
			return err_set(err, errno, "%s: symlink", where(mk, path, strlen(path)));
		return 0;
	}
	for (int i = 0;; i++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return err_set(err, errno, "getrandom");
		snprintf(tmp, sizeof(tmp), ".containai-link.%016llx", (unsigned long long)r);
		if (symlinkat(target, dir, tmp) == 0)
			break;
		if (errno != EEXIST || i == 8)
			return err_set(err, errno, "%s: symlink", where(mk, path, strlen(path)));
	}
	/* Atomic: the name never points anywhere else and is never missing;
	 * renaming over a directory would fail (make_way moved those). */
	if (renameat(dir, tmp, dir, name) < 0) {
		int e = errno;
		unlinkat(dir, tmp, 0);
		return err_set(err, e, "%s: replace", where(mk, path, strlen(path)));
	}
	return 0;
}

static int link_one(struct maker *mk, const struct manifest_link *l, const char *target,
		    struct cai_err *err)
{
	const char *slash = strrchr(l->path, '/');
	const char *name = slash ? slash + 1 : l->path;
	int made;
	int dir = held(mk, l->path, slash ? (size_t)(slash - l->path) : 0, &made, err);

	if (dir < 0)
		return -1;
	/* Where the name is likely free, the link is made first: looked at
	 * only when the name is taken. */
	if (made || mk->expect_free) {
		if (symlinkat(target, dir, name) == 0)
			return 0;
		if (errno != EEXIST)
			return err_set(err, errno, "%s: symlink", where(mk, l->path, strlen(l->path)));
		mk->expect_free = 0;
	}
	/* Already right: one readlinkat, and nothing changes. */
	int right = is_link_to(dir, name, target, strlen(target));
	if (right > 0)
		return 0;
	if (right < 0 && !made)
		mk->expect_free = 1;
	int name_free = right < 0 ? 1 : make_way(mk, dir, name, l->path, strlen(l->path), err);
	if (name_free < 0)
		return -1;
	return put_link(mk, dir, name, target, name_free, l->path, err);
}

int links_make(const char *home, const char *volume_root, const struct manifest *m, uid_t uid,
	       gid_t gid, struct cai_err *err)
{
	struct maker mk = { .home_path = home, .uid = uid, .gid = gid, .give = geteuid() == 0 };
	char target[PATH_MAX];
	size_t root_len = strlen(volume_root);
	int r = 0;

	if (!m->nlinks)
		return 0;
	while (root_len > 1 && volume_root[root_len - 1] == '/')
		root_len--;
	mk.home = beneath_open_dir_nofollow(home, err);
	if (mk.home < 0)
		return err_prefix(err, "links: home");
	for (size_t i = 0; i < m->nlinks && r == 0; i++) {
		const struct manifest_link *l = &m->links[i];
		int n = snprintf(target, sizeof(target), "%.*s/%s", (int)root_len, volume_root, l->target);
		if (n < 0 || (size_t)n >= sizeof(target))
			r = err_set(err, ENAMETOOLONG, "%s", l->target);
		else
			r = link_one(&mk, l, target, err);
	}
	/* Held to the end, opened one after the other: one close_range. */
	struct fdbatch done = { .n = 0 };
	for (size_t i = 0; i < mk.ndirs; i++)
		fdbatch_add(&done, mk.dirs[i].fd);
	fdbatch_add(&done, mk.home);
	fdbatch_close(&done);
	free(mk.dirs);
	if (r < 0)
		return err_prefix(err, "links");
	log_debug("links: %zu links in %s", m->nlinks, home);
	return 0;
}
