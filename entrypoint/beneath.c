/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "path.h"
#include "log.h"
#include "mountinfo.h"

#define BENEATH_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
/* openat2 returns EAGAIN when a rename anywhere on the system might have
 * moved a path under it; a few tries absorb that without letting a hostile
 * renamer keep PID 1 busy forever. */
#define BENEATH_EAGAIN_TRIES 32

enum { OPENAT2_UNPROBED = 0, OPENAT2_USABLE, OPENAT2_MISSING };
static int openat2_state;

static int lookup_error(struct cai_err *err, int errnum, const char *rel)
{
	switch (errnum) {
	case ELOOP:
		return err_refuse(err, errnum, rel, "a symlink is in the path");
	case EXDEV:
		return err_refuse(err, errnum, rel, "leaves the volume or crosses a mount");
	case EAGAIN:
		return err_refuse(err, errnum, rel, "kept changing during lookup");
	default:
		return err_set(err, errnum, "%s", rel);
	}
}

struct fd_identity {
	mode_t mode;
	dev_t dev;
	ino_t ino;
	uint64_t nlink;
	uint64_t mnt_id;
	int has_mnt_id;         /* 0: the kernel reports none (gVisor) */
	int is_mount_root;
};

int beneath_statx_mnt_id(const struct statx *stx, uint64_t *mnt_id)
{
	/* STATX_ATTR_MOUNT_ROOT came with mount ids (5.8): a kernel that
	 * reports one without the other is not trusted with either. */
	if (!(stx->stx_mask & STATX_MNT_ID) || !(stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return 0;
	*mnt_id = stx->stx_mnt_id;
	return 1;
}

/* What fd is; its statx in *stx when the caller wants it (may be NULL). */
static int fd_identify(int fd, struct fd_identity *id, struct statx *stx)
{
	struct statx own;

	if (!stx)
		stx = &own;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_MNT_ID, stx) < 0)
		return -1;
	id->mode = stx->stx_mode;
	id->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	id->ino = stx->stx_ino;
	id->nlink = stx->stx_nlink;
	id->mnt_id = 0;
	id->has_mnt_id = beneath_statx_mnt_id(stx, &id->mnt_id);
	id->is_mount_root = id->has_mnt_id && (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return 0;
}

int beneath_on_root_mount(const struct beneath *b, const struct statx *stx)
{
	uint64_t id;

	if (b->by_table)
		return makedev(stx->stx_dev_major, stx->stx_dev_minor) == b->dev;
	return beneath_statx_mnt_id(stx, &id) && id == b->mnt_id;
}

static int same_mount(const struct beneath *b, const struct fd_identity *id)
{
	if (b->by_table)
		return id->dev == b->dev;
	return id->has_mnt_id && id->mnt_id == b->mnt_id;
}

/* Without statx mount ids: the mount table says which mount the root is
 * on (its device must be that mount's) and that no mount lies beneath it,
 * so that the device number alone tells every later step whether it left
 * the root's mount.  Sets *mnt_id (the table's id) and *is_mount_root. */
static int table_check_root(const char *path, dev_t dev, uint64_t *mnt_id, int *is_mount_root,
			    struct cai_err *err)
{
	struct mount_table t = { 0 };
	int r = 0;

	if (mountinfo_read_self(&t, err) < 0)
		return -1;
	const struct mount_entry *on = mountinfo_mount_of(&t, path);
	const struct mount_entry *inside = mountinfo_first_beneath(&t, path);
	/* A line the parser skipped could be the mount that matters. */
	if (t.malformed)
		r = err_set(err, 0, "%s: /proc/self/mountinfo has %zu lines that cannot be read", path, t.malformed);
	else if (!on || makedev(on->major, on->minor) != dev)
		r = err_refuse(err, EXDEV, path, "not on the mount the mount table shows there");
	else if (inside) {
		r = err_set(err, 0, "%s: %s is a mount inside it (refused)", path, inside->mount_point);
		err->errnum = EXDEV;
	} else {
		*mnt_id = on->mnt_id;
		*is_mount_root = !strcmp(on->mount_point, path);
	}
	mountinfo_free(&t);
	return r;
}

/* One component of a path: every walk of beneath's over a path's
 * components takes them from next_comp, so all of them split alike (at
 * each '/', as lib/path's path_check_rel does before any walk starts). */
struct beneath_comp {
	char name[NAME_MAX + 1];
	size_t len;             /* 0 for the empty component of "a//b" or "a/" */
	int last;               /* no '/' after it */
	int dots;               /* "." or ".." */
};

/* Take the component *p starts with and move *p past it and its '/'.
 * -1 (ENAMETOOLONG) for one longer than NAME_MAX. */
static int next_comp(const char **p, struct beneath_comp *c)
{
	const char *slash = strchrnul(*p, '/');

	c->len = (size_t)(slash - *p);
	if (c->len > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(c->name, *p, c->len);
	c->name[c->len] = '\0';
	c->last = !*slash;
	c->dots = !strcmp(c->name, ".") || !strcmp(c->name, "..");
	*p = c->last ? slash : slash + 1;
	return 0;
}

/* The walk of beneath_open_dir_nofollow, one component at a time: it also
 * names the component that failed. */
static int walk_dir_nofollow(const char *path, struct cai_err *err)
{
	_cleanup_close_ int cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return err_set(err, errno, "/");
	/* Component by component with O_NOFOLLOW: a symlink (or a /proc magic
	 * link) anywhere in the path is refused, not followed. */
	for (const char *p = path + 1; *p;) {
		struct beneath_comp c;
		char why[NAME_MAX + 40];
		struct stat st;

		if (next_comp(&p, &c) < 0)
			return err_set(err, errno, "%s", path);
		if (c.len == 0)
			continue;
		if (c.dots)
			return err_set(err, 0, "%s: '%s' component not allowed", path, c.name);
		_cleanup_close_ int next = openat(cur, c.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fstat(next, &st) < 0)
			return err_set(err, errno, "%s: '%s'", path, c.name);
		if (S_ISLNK(st.st_mode)) {
			snprintf(why, sizeof(why), "a symlink is in the path at '%s'", c.name);
			return err_refuse(err, ELOOP, path, why);
		}
		if (!S_ISDIR(st.st_mode))
			return err_set(err, ENOTDIR, "%s: '%s'", path, c.name);
		close(cur);
		cur = fd_take(&next);
	}
	return fd_take(&cur);
}

/* Whether `path` (absolute) has a "." or ".." component or one longer
 * than NAME_MAX: refused before any lookup. */
static int has_bad_comp(const char *path)
{
	for (const char *p = path + 1; *p;) {
		struct beneath_comp c;
		if (next_comp(&p, &c) < 0 || c.dots)
			return 1;
	}
	return 0;
}

int beneath_open_dir_nofollow(const char *path, struct cai_err *err)
{
	if (path[0] != '/')
		return err_set(err, 0, "%s: not an absolute path", path);
	if (strlen(path) >= PATH_MAX)
		return err_set(err, ENAMETOOLONG, "%.40s...", path);
	/* One lookup as strict as the walk: no symlink or magic link at any
	 * component, every one a directory.  Any failure (openat2 missing or
	 * filtered, or the path refused) is left to the walk, which says why
	 * and at which component. */
	if (!has_bad_comp(path)) {
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
		};
		int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
		/* A lookup that worked is as good a probe as the harmless one:
		 * no filter or kernel tells one openat2 from another. */
		if (fd >= 0) {
			openat2_state = OPENAT2_USABLE;
			return fd;
		}
	}
	return walk_dir_nofollow(path, err);
}

int beneath_open_root(struct beneath *b, const char *path, struct cai_err *err)
{
	struct fd_identity id;
	size_t len = strlen(path);

	memset(b, 0, sizeof(*b));
	b->root_fd = -1;
	if (path[0] != '/')
		return err_set(err, 0, "%s: root must be an absolute path", path);
	if (len >= sizeof(b->path))
		return err_set(err, ENAMETOOLONG, "root");
	memcpy(b->path, path, len + 1);

	_cleanup_close_ int root = beneath_open_dir_nofollow(path, err);
	if (root < 0)
		return -1;
	if (fd_identify(root, &id, NULL) < 0)
		return err_set(err, errno, "%s: statx", path);
	b->dev = id.dev;
	b->ino = id.ino;
	b->mnt_id = id.mnt_id;
	b->is_mount_root = id.is_mount_root;
	if (!id.has_mnt_id) {
		b->by_table = 1;
		log_debug("%s: statx reports no mount id: mounts are told apart by the mount table and device numbers", path);
		if (table_check_root(b->path, b->dev, &b->mnt_id, &b->is_mount_root, err) < 0)
			return -1;
	}
	b->root_fd = fd_take(&root);
	return 0;
}

void beneath_close(struct beneath *b)
{
	fd_closep(&b->root_fd);
}

int beneath_verify_root(const struct beneath *b, struct cai_err *err)
{
	return beneath_verify_root_statx(b, NULL, err);
}

int beneath_verify_root_statx(const struct beneath *b, struct statx *stx, struct cai_err *err)
{
	struct fd_identity id;

	if (b->root_fd < 0)
		return err_set(err, EBADF, "%s: root not open", b->path);
	if (fd_identify(b->root_fd, &id, stx) < 0)
		return err_set(err, errno, "%s: statx", b->path);
	if (b->by_table) {
		int is_root;
		if (table_check_root(b->path, id.dev, &id.mnt_id, &is_root, err) < 0)
			return -1;
		id.has_mnt_id = 1;
	}
	if (id.dev != b->dev || id.ino != b->ino || !id.has_mnt_id || id.mnt_id != b->mnt_id)
		return err_refuse(err, EXDEV, b->path, "root changed since it was opened");
	if (id.nlink == 0)
		return err_refuse(err, ENOENT, b->path, "root was removed");
	return 0;
}

int beneath_reopen_root(const struct beneath *b, int flags, struct cai_err *err)
{
	/* "." from the root descriptor is the same directory on the same
	 * mount: no name is resolved. */
	int fd = openat(b->root_fd, ".", (flags | O_CLOEXEC) & ~O_CREAT);

	if (fd < 0)
		return err_set(err, errno, "%s", b->path);
	return fd;
}

static int openat2_usable(int dirfd)
{
	if (openat2_state != OPENAT2_UNPROBED)
		return openat2_state == OPENAT2_USABLE;
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = BENEATH_RESOLVE,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, ".", &how, sizeof(how));
	/* ENOSYS: kernel before 5.6; EPERM: a seccomp profile that predates
	 * openat2.  Any other failure of this harmless probe also means the
	 * real calls cannot be trusted to work, and the walk is as strict. */
	if (fd >= 0) {
		close(fd);
		openat2_state = OPENAT2_USABLE;
		return 1;
	}
	log_debug("openat2 unusable (%s): confined lookups walk component by component", strerror(errno));
	openat2_state = OPENAT2_MISSING;
	return 0;
}

static int open_with_openat2(const struct beneath *b, const char *rel, int flags, mode_t mode)
{
	/* RESOLVE_NO_SYMLINKS already refuses a trailing symlink; O_NOFOLLOW
	 * together with O_PATH would instead hand out the symlink itself. */
	struct open_how how = {
		.flags = (uint64_t)((flags | O_CLOEXEC) & ~O_NOFOLLOW),
		.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
		.resolve = BENEATH_RESOLVE,
	};

	for (int i = 0; i < BENEATH_EAGAIN_TRIES; i++) {
		int fd = (int)syscall(SYS_openat2, b->root_fd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			return fd;
	}
	return -1;
}

/* One directory step of the walk: O_PATH|O_NOFOLLOW so a symlink is seen
 * as one (O_DIRECTORY would report it as ENOTDIR), then checked on the
 * descriptor.  Returns -1 with errno. */
static int walk_step(const struct beneath *b, int dir, const char *comp)
{
	_cleanup_close_ int fd = openat(dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct fd_identity id;

	if (fd < 0 || fd_identify(fd, &id, NULL) < 0)
		return -1;
	if (S_ISLNK(id.mode)) {
		errno = ELOOP;
		return -1;
	}
	if (!S_ISDIR(id.mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (!same_mount(b, &id)) {
		errno = EXDEV;
		return -1;
	}
	return fd_take(&fd);
}

/* The parent directory of `rel` by walking from the root; *last points
 * at the final component.  Returns -1 with errno. */
static int walk_parent(const struct beneath *b, const char *rel, const char **last)
{
	_cleanup_close_ int cur = fcntl(b->root_fd, F_DUPFD_CLOEXEC, 3);
	struct beneath_comp c;

	if (cur < 0)
		return -1;
	for (const char *p = rel;;) {
		*last = p;
		if (next_comp(&p, &c) < 0)
			return -1;
		if (c.last)
			return fd_take(&cur);
		int next = walk_step(b, cur, c.name);
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
	}
}

static int open_with_walk(const struct beneath *b, const char *rel, int flags, mode_t mode)
{
	const char *last;
	_cleanup_close_ int dir = walk_parent(b, rel, &last);
	struct fd_identity id;

	if (dir < 0)
		return -1;
	_cleanup_close_ int fd = openat(dir, last, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		int e = errno;
		struct stat st;
		/* O_DIRECTORY|O_NOFOLLOW on a symlink says ENOTDIR; openat2 says
		 * ELOOP.  Diagnose only - nothing is opened through this name. */
		if (e == ENOTDIR && fstatat(dir, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			e = ELOOP;
		errno = e;
		return -1;
	}
	if (fd_identify(fd, &id, NULL) < 0)
		return -1;
	if (S_ISLNK(id.mode)) {         /* O_PATH|O_NOFOLLOW opened the link itself */
		errno = ELOOP;
		return -1;
	}
	if (!same_mount(b, &id)) {      /* the last component is a mount point */
		errno = EXDEV;
		return -1;
	}
	return fd_take(&fd);
}

int beneath_open(const struct beneath *b, const char *rel, int flags, mode_t mode,
		 struct cai_err *err)
{
	int fd;

	if (path_check_rel(rel, err) < 0)
		return -1;
	if (openat2_usable(b->root_fd))
		fd = open_with_openat2(b, rel, flags, mode);
	else
		fd = open_with_walk(b, rel, flags, mode);
	if (fd < 0)
		return lookup_error(err, errno, rel);
	return fd;
}

int beneath_open_dir_at(int dirfd, const char *name)
{
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return -1;
	}
	/* One component: nothing to escape through, and no ".." to make
	 * openat2 answer EAGAIN for a rename elsewhere. */
	if (openat2_usable(dirfd)) {
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
		};
		return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	}
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct fd_identity here, above;
	if (fd < 0 || fd_identify(fd, &here, NULL) < 0 || fd_identify(dirfd, &above, NULL) < 0)
		return -1;
	/* Mount ids where the kernel has them; else a mount is another
	 * device (gVisor gives each mount its own). */
	if (here.is_mount_root || here.has_mnt_id != above.has_mnt_id ||
	    (here.has_mnt_id ? here.mnt_id != above.mnt_id : here.dev != above.dev)) {
		errno = EXDEV;
		return -1;
	}
	return fd_take(&fd);
}

int beneath_open_parent(const struct beneath *b, const char *rel, const char **name,
			struct cai_err *err)
{
	if (path_check_rel(rel, err) < 0)
		return -1;
	const char *slash = strrchr(rel, '/');
	*name = slash ? slash + 1 : rel;
	if (!slash) {
		int fd = fcntl(b->root_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return err_set(err, errno, "%s", b->path);
		return fd;
	}
	char parent[PATH_MAX];
	size_t n = (size_t)(slash - rel);
	memcpy(parent, rel, n);
	parent[n] = '\0';
	int fd = beneath_open(b, parent, O_PATH | O_DIRECTORY, 0, err);
	if (fd < 0)
		return -1;
	return fd;
}

int beneath_move_aside(int dir_fd, const char *name, char aside[static NAME_MAX + 1], struct cai_err *err)
{
	long now = (long)time(NULL);

	for (int i = 0; i < 10; i++) {
		int n = i == 0 ? snprintf(aside, NAME_MAX + 1, "%s.bak.%ld", name, now)
			       : snprintf(aside, NAME_MAX + 1, "%s.bak.%ld.%d", name, now, i);
		if (n < 0 || n > NAME_MAX)
			return err_set(err, ENAMETOOLONG, "move aside");
		if (renameat2(dir_fd, name, dir_fd, aside, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return err_set(err, errno, "move aside to %s", aside);
	}
	return err_set(err, EEXIST, "move aside");
}
