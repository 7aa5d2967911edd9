/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "log.h"
#include "path.h"

/* Deeper directories keep their owner: one descriptor per level must stay
 * well below any descriptor limit PID 1 may be given. */
#define VOLUME_MAX_DEPTH 128

/* Owner and mode through the descriptor, and only when they differ, so a
 * second run leaves even ctime alone. */
static int chown_if_needed(int fd, const struct stat *st, uid_t uid, gid_t gid, const char *rel,
			   struct cai_err *err)
{
	if ((st->st_uid != uid || st->st_gid != gid) && fchown(fd, uid, gid) < 0)
		return err_set(err, errno, "%s: chown", rel);
	return 0;
}

static int apply_owner_mode(int fd, const struct stat *st, uid_t uid, gid_t gid, mode_t mode,
			    const char *rel, struct cai_err *err)
{
	if (chown_if_needed(fd, st, uid, gid, rel, err) < 0)
		return -1;
	/* Our modes have no setuid/setgid bits for chown to clear, so the
	 * mode read before the chown is still the mode after it. */
	if ((st->st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		return err_set(err, errno, "%s: chmod", rel);
	return 0;
}

static int ensure_dir(const struct beneath *b, const struct manifest_entry *e, uid_t uid, gid_t gid,
		      struct cai_err *err)
{
	struct stat st;
	_cleanup_close_ int fd = beneath_open(b, e->path, O_RDONLY | O_DIRECTORY, 0, err);

	if (fd < 0 && err->errnum == ENOENT) {
		/* mkdirat on a name that appeared meanwhile says EEXIST and the
		 * open below judges whatever it is. */
		if (beneath_mkdir(b, e->path, e->mode, err) < 0)
			return -1;
		fd = beneath_open(b, e->path, O_RDONLY | O_DIRECTORY, 0, err);
	}
	if (fd < 0) {
		if (err->errnum == ENOTDIR)
			return err_refuse(err, ENOTDIR, e->path, "a directory is expected, something else is there");
		return -1;
	}
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", e->path);
	/* A parent the manifest does not name gets its mode only when created:
	 * what the user set on it since is theirs. */
	mode_t mode = e->implicit ? st.st_mode & 07777 : e->mode;
	return apply_owner_mode(fd, &st, uid, gid, mode, e->path, err);
}

int volume_make_parents(const struct beneath *b, const char *rel, uid_t uid, gid_t gid,
			struct cai_err *err)
{
	char parent[PATH_MAX];

	if (path_check_rel(rel, err) < 0)
		return -1;
	snprintf(parent, sizeof(parent), "%s", rel);
	for (char *slash = strchr(parent, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		struct manifest_entry e = { .path = parent, .type = MANIFEST_DIR, .mode = 0755, .implicit = 1 };
		int r = ensure_dir(b, &e, uid, gid, err);
		*slash = '/';
		if (r < 0)
			return -1;
	}
	return 0;
}

/* What a file entry must be before its owner or mode may change. */
static int check_file(const struct beneath *b, const struct stat *st, const char *rel,
		      struct cai_err *err)
{
	if (S_ISDIR(st->st_mode))
		return err_refuse(err, EISDIR, rel, "a file is expected, a directory is there");
	if (!S_ISREG(st->st_mode))
		return err_refuse(err, EINVAL, rel, "not a regular file (FIFO, socket or device node)");
	/* A second name for the inode may be outside the volume: changing its
	 * owner or mode would change that file too. */
	if (st->st_nlink != 1)
		return err_refuse(err, EMLINK, rel, "has more than one hard link");
	if (st->st_dev != b->dev)
		return err_refuse(err, EXDEV, rel, "on another device than the volume");
	return 0;
}

static int file_is_ready(const struct stat *st, const struct manifest_entry *e, uid_t uid, gid_t gid)
{
	return st->st_uid == uid && st->st_gid == gid && (st->st_mode & 07777) == e->mode &&
	       !(e->init && st->st_size == 0);
}

/* Write `init` into an empty file, then owner and mode: fd has passed
 * check_file (a file that was emptied after it was looked at makes the
 * write fail on a read-only fd: refused, not silently left empty). */
static int finish_file(int fd, const struct stat *st, const struct manifest_entry *e, uid_t uid,
		       gid_t gid, struct cai_err *err)
{
	if (e->init && st->st_size == 0 && fd_write_all(fd, e->init, strlen(e->init)) < 0)
		return err_set(err, errno, "%s: write", e->path);
	return apply_owner_mode(fd, st, uid, gid, e->mode, e->path, err);
}

/* A file entry.  Missing: created O_EXCL with its final mode.  Present:
 * looked at through O_PATH, so a device node or a directory is refused
 * without being opened for I/O, and a file that is already right is not
 * opened at all; otherwise opened O_NONBLOCK (a FIFO swapped in meanwhile
 * cannot hang us), required to be the very inode looked at, and checked
 * again on that descriptor. */
static int ensure_file(const struct beneath *b, const struct manifest_entry *e, uid_t uid, gid_t gid,
		       struct cai_err *err)
{
	struct stat probe_st, st;
	_cleanup_close_ int probe = beneath_open(b, e->path, O_PATH, 0, err);

	if (probe < 0) {
		if (err->errnum != ENOENT)
			return -1;
		_cleanup_close_ int fd = beneath_open(b, e->path, O_RDWR | O_CREAT | O_EXCL | O_NOCTTY,
						      e->mode, err);
		if (fd < 0)
			return -1;
		if (fstat(fd, &st) < 0)
			return err_set(err, errno, "%s", e->path);
		if (check_file(b, &st, e->path, err) < 0)
			return -1;
		return finish_file(fd, &st, e, uid, gid, err);
	}
	if (fstat(probe, &probe_st) < 0)
		return err_set(err, errno, "%s", e->path);
	if (check_file(b, &probe_st, e->path, err) < 0)
		return -1;
	if (file_is_ready(&probe_st, e, uid, gid))
		return 0;
	/* Write access only to fill an empty file: an owner or mode fix alone
	 * opens read-only (a busy executable refuses O_RDWR). */
	int rw = e->init && probe_st.st_size == 0 ? O_RDWR : O_RDONLY;
	_cleanup_close_ int fd = beneath_open(b, e->path, rw | O_NONBLOCK | O_NOCTTY, 0, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", e->path);
	if (st.st_dev != probe_st.st_dev || st.st_ino != probe_st.st_ino)
		return err_refuse(err, EAGAIN, e->path, "replaced while being checked");
	if (check_file(b, &st, e->path, err) < 0)
		return -1;
	return finish_file(fd, &st, e, uid, gid, err);
}

struct owner_walk {
	const struct beneath *b;
	uid_t uid;
	gid_t gid;
	unsigned long left_alone;       /* entries the fix does not touch */
	char rel[PATH_MAX];             /* of the directory being walked, for messages */
};

static int fix_tree(struct owner_walk *w, int dirfd, size_t rel_len, unsigned depth, struct cai_err *err);

/* One directory entry of the ownership fix. */
static int fix_entry(struct owner_walk *w, int dirfd, const char *name, size_t rel_len,
		     unsigned depth, struct cai_err *err)
{
	struct statx stx;
	size_t n = strlen(name);

	if (rel_len + n + 2 > sizeof(w->rel))
		return err_set(err, ENAMETOOLONG, "%s/%s", w->rel, name);
	size_t len = rel_len ? rel_len + 1 + n : n;
	if (rel_len)
		w->rel[rel_len] = '/';
	memcpy(w->rel + len - n, name, n + 1);

	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW,
		  STATX_TYPE | STATX_NLINK | STATX_UID | STATX_GID | STATX_MNT_ID, &stx) < 0) {
		if (errno == ENOENT)    /* removed meanwhile: nothing to fix */
			return 0;
		return err_set(err, errno, "%s", w->rel);
	}
	if (!beneath_on_root_mount(w->b, &stx))
		return err_refuse(err, EXDEV, w->rel, "a mount inside the volume");
	int is_dir = S_ISDIR(stx.stx_mode);
	if (!is_dir && !(S_ISREG(stx.stx_mode) && stx.stx_nlink == 1)) {
		w->left_alone++;
		return 0;
	}
	if (!is_dir && stx.stx_uid == w->uid && stx.stx_gid == w->gid)
		return 0;
	/* Opened O_NOFOLLOW and judged again on the descriptor: what was
	 * looked at above may have been swapped since. */
	int flags = is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK | O_NOCTTY;
	_cleanup_close_ int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP || errno == ENOTDIR || errno == ENXIO)
			return err_refuse(err, errno, w->rel, "replaced while the owner was being fixed");
		return err_set(err, errno, "%s", w->rel);
	}
	if (beneath_check_mount(w->b, fd, w->rel, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", w->rel);
	if (is_dir ? !S_ISDIR(st.st_mode) : !(S_ISREG(st.st_mode) && st.st_nlink == 1))
		return err_refuse(err, EAGAIN, w->rel, "replaced while the owner was being fixed");
	if (chown_if_needed(fd, &st, w->uid, w->gid, w->rel, err) < 0)
		return -1;
	if (!is_dir)
		return 0;
	if (depth >= VOLUME_MAX_DEPTH) {
		log_warn("volume: %s: deeper than %d levels, owner not fixed below", w->rel, VOLUME_MAX_DEPTH);
		return 0;
	}
	return fix_tree(w, fd_take(&fd), len, depth + 1, err);
}

/* Walk the directory open on dirfd (consumed); w->rel[0..rel_len) names it. */
static int fix_tree(struct owner_walk *w, int dirfd, size_t rel_len, unsigned depth, struct cai_err *err)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		int e = errno;
		close(dirfd);
		return err_set(err, e, "%s", rel_len ? w->rel : w->b->path);
	}
	while (r == 0) {
		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				r = err_set(err, errno, "%s", rel_len ? w->rel : w->b->path);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = fix_entry(w, dirfd, de->d_name, rel_len, depth, err);
		w->rel[rel_len] = '\0';
	}
	closedir(d);
	return r;
}

int volume_prepare(const struct beneath *b, const struct manifest *m, uid_t uid, gid_t gid,
		   struct cai_err *err)
{
	struct stat st;

	if (beneath_verify_root(b, err) < 0)
		return -1;
	_cleanup_close_ int root = beneath_reopen_root(b, O_RDONLY | O_DIRECTORY, err);
	if (root < 0)
		return -1;
	if (fstat(root, &st) < 0)
		return err_set(err, errno, "%s", b->path);
	if (chown_if_needed(root, &st, uid, gid, b->path, err) < 0)
		return -1;
	for (size_t i = 0; i < m->count; i++) {
		const struct manifest_entry *e = &m->entries[i];
		int r = e->type == MANIFEST_DIR ? ensure_dir(b, e, uid, gid, err)
						: ensure_file(b, e, uid, gid, err);
		if (r < 0)
			return -1;
	}
	struct owner_walk w = { .b = b, .uid = uid, .gid = gid };
	if (fix_tree(&w, fd_take(&root), 0, 0, err) < 0)
		return -1;
	if (w.left_alone)
		log_debug("volume: %lu symlinks, special files or hard-linked files keep their owner",
			  w.left_alone);
	return 0;
}

int volume_open(const struct cai_config *cfg, struct beneath *b, struct cai_err *err)
{
	if (beneath_open_root(b, cfg->volume_root, err) < 0)
		return err_prefix(err, "volume");
	if (cfg->volume_require_mount && !b->is_mount_root) {
		err_set(err, 0, "volume: %s is not a mount point (refused; [volume] require_mount = false allows a plain directory)",
			cfg->volume_root);
		beneath_close(b);
		return -1;
	}
	return 0;
}

int volume_setup(const struct cai_config *cfg, struct beneath *b, struct cai_err *err)
{
	struct manifest m = { 0 };

	if (volume_open(cfg, b, err) < 0)
		return -1;
	/* Without a manifest the root is only checked: nothing to create, and
	 * no owner to impose on data nobody described. */
	if (!cfg->volume_manifest[0]) {
		if (beneath_verify_root(b, err) < 0) {
			beneath_close(b);
			return err_prefix(err, "volume");
		}
		return 0;
	}
	if (manifest_load(&m, cfg->volume_manifest, err) < 0) {
		beneath_close(b);
		return err_prefix(err, "volume");
	}
	int r = volume_prepare(b, &m, cfg->volume_uid, cfg->volume_gid, err);
	manifest_free(&m);
	if (r < 0) {
		beneath_close(b);
		return err_prefix(err, "volume");
	}
	log_debug("volume: %s prepared", cfg->volume_root);
	return 0;
}

int volume_check(const struct cai_config *cfg, struct cai_err *err)
{
	struct manifest m;

	if (!cfg->volume_enabled || !cfg->volume_manifest[0])
		return 0;
	if (manifest_load(&m, cfg->volume_manifest, err) < 0)
		return err_prefix(err, "volume");
	manifest_free(&m);
	return 0;
}
