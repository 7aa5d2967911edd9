/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "beneath.h"
#include "decimal.h"
#include "fd.h"
#include "log.h"
#include "macro.h"
#include "path.h"

const char *workspace_refusal(const char *path, const char *link)
{
	static const char *const system_dirs[] = {
		"/etc", "/proc", "/sys", "/run", "/dev", "/usr", "/bin", "/sbin", "/boot",
		"/var/lib/docker",
	};

	if (path[0] != '/' || !strcmp(path, "/"))
		return "is the root directory";
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++)
		if (path_within(path, system_dirs[i]))
			return "is a system directory";
	if (!strncmp(path, "/lib", 4))
		return "is a system directory";
	if (path_within(path, link))
		return "is at or under the workspace link";
	if (path_within(link, path))
		return "contains the workspace link";
	return NULL;
}

int workspace_is_mirrored(const struct mount_entry *e)
{
	if (!strcmp(e->root, e->mount_point))
		return 1;
	/* Docker Desktop on macOS shares /Volumes/X as /X. */
	return strcmp(e->root, "/") && !strncmp(e->mount_point, "/Volumes/", 9) &&
	       !strcmp(e->mount_point + 8, e->root);
}

static unsigned path_depth(const char *p)
{
	unsigned d = 0;
	for (; *p; p++)
		d += *p == '/';
	return d;
}

const struct mount_entry *workspace_find_mirrored(const struct mount_table *t, const char *link,
						  workspace_usable_fn usable, void *ctx,
						  const struct mount_entry **refused)
{
	const struct mount_entry *best = NULL;

	*refused = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct mount_entry *e = &t->v[i];
		/* The root file system is "/" on "/" in every container: no candidate. */
		if (!workspace_is_mirrored(e) || !strcmp(e->mount_point, "/"))
			continue;
		int hidden = 0;
		for (size_t j = i + 1; j < t->n && !hidden; j++)
			hidden = !strcmp(t->v[j].mount_point, e->mount_point);
		if (hidden)
			continue;
		const char *why = workspace_refusal(e->mount_point, link);
		if (why) {
			log_warn("workspace: candidate %s %s, ignored", e->mount_point, why);
			*refused = e;   /* the last one: most likely the one asked for */
			continue;
		}
		/* ">=": among equals the later mount wins. */
		if ((!best || path_depth(e->mount_point) >= path_depth(best->mount_point)) &&
		    (!usable || usable(e, ctx)))
			best = e;
	}
	return best;
}

/* The directory holding the link path, reached without symlinks; *name
 * points at the link's last component (not opened). */
static int workspace_open_parent(const char *link, const char **name, struct cai_err *err)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(link, '/');

	if (link[0] != '/' || strlen(link) >= sizeof(parent))
		return err_set(err, 0, "%s: not an absolute path", link);
	*name = slash + 1;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		return err_set(err, 0, "%s: no file name at its end", link);
	size_t n = slash == link ? 1 : (size_t)(slash - link);
	memcpy(parent, link, n);
	parent[n] = '\0';
	return beneath_open_dir_nofollow(parent, err);
}

/* 1 when fd (reached as `path`) is the root of a mount: decided on the
 * descriptors by statx mount ids; on a kernel without them (gVisor), a
 * device other than the parent's, or else the mount table listing a
 * mount at `path`, says it is. */
static int workspace_is_mount_root(int fd, int parent_fd, const char *path, struct cai_err *err)
{
	struct statx sx, px;
	uint64_t id, pid;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 ||
	    statx(parent_fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &px) < 0)
		return err_set(err, errno, "statx");
	if (beneath_statx_mnt_id(&sx, &id) && beneath_statx_mnt_id(&px, &pid))
		return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || id != pid;
	if (sx.stx_dev_major != px.stx_dev_major || sx.stx_dev_minor != px.stx_dev_minor)
		return 1;
	struct mount_table t = { 0 };
	if (mountinfo_read_self(&t, err) < 0)
		return -1;
	const struct mount_entry *on = mountinfo_mount_of(&t, path);
	int at = on && !strcmp(on->mount_point, path);
	size_t malformed = t.malformed;
	mountinfo_free(&t);
	/* A line the parser skipped could be the mount at `path`. */
	if (malformed)
		return err_set(err, 0, "/proc/self/mountinfo has %zu lines that cannot be read", malformed);
	return at;
}

static int workspace_mnt_id(int fd, uint64_t *id, struct cai_err *err)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
		return err_set(err, errno, "statx");
	if (!beneath_statx_mnt_id(&sx, id))
		return err_set(err, 0, "the kernel reports no mount id");
	return 0;
}

/* The candidate's directory, reached from "/" without symlinks, and still
 * the mount the table lists (not hidden by a later mount above it). */
static int workspace_open_candidate(const struct mount_entry *e, struct cai_err *err)
{
	_cleanup_close_ int fd = beneath_open_dir_nofollow(e->mount_point, err);
	uint64_t id = 0;

	if (fd < 0 || workspace_mnt_id(fd, &id, err) < 0)
		return -1;
	if (id != e->mnt_id)
		return err_set(err, 0, "%s: no longer the mount the table lists", e->mount_point);
	return fd_take(&fd);
}

static int workspace_reachable(const struct mount_entry *e, void *ctx)
{
	struct cai_err err = { 0 };
	int fd = workspace_open_candidate(e, &err);

	(void)ctx;
	if (fd < 0) {
		log_debug("workspace: candidate skipped: %s", err.msg);
		return 0;
	}
	close(fd);
	return 1;
}

/* Clear the way for the link: an empty directory goes, anything else but
 * a symlink is moved aside.  A mount point stops everything. */
static int workspace_clear(int dir_fd, const char *link, const char *name, struct cai_err *err)
{
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, errno, "%s", link);
	}
	if (S_ISLNK(st.st_mode))
		return 0;       /* replaced by the rename */
	fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "%s", link);
	int mnt = workspace_is_mount_root(fd, dir_fd, link, err);
	if (mnt < 0)
		return err_prefix(err, "%s", link);
	if (mnt)
		return err_set(err, 0, "%s is a mount point: refusing to replace it", link);
	if (S_ISDIR(st.st_mode)) {
		if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return err_set(err, errno, "%s: remove empty directory", link);
	}
	char aside[NAME_MAX + 1];
	if (beneath_move_aside(dir_fd, name, aside, err) < 0)
		return err_prefix(err, "%s", link);
	log_warn("workspace: %s was not empty: moved aside to %s", link, aside);
	return 0;
}

/* The symlink just made at `name`, as an O_PATH descriptor; -1 with errno
 * EEXIST when something else has taken its place. */
static int workspace_open_symlink(int dir_fd, const char *name)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	if (!S_ISLNK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return fd_take(&fd);
}

static int workspace_link(int dir_fd, const char *link, const char *name, const char *target,
			  struct cai_err *err)
{
	char tmp[512];
	struct stat dst, tst;

	if (fstat(dir_fd, &dst) < 0)
		return err_set(err, errno, "%s: parent directory", link);
	if (workspace_clear(dir_fd, link, name, err) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", name, (long)getpid());
	if (symlinkat(target, dir_fd, tmp) < 0) {
		/* A leftover of an interrupted start: only a symlink is removed. */
		if (errno != EEXIST || fstatat(dir_fd, tmp, &tst, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(tst.st_mode) || unlinkat(dir_fd, tmp, 0) < 0 ||
		    symlinkat(target, dir_fd, tmp) < 0)
			return err_set(err, errno, "%s: create symlink", link);
	}
	/* Owned like its directory (the agent's home), not by root.  Through a
	 * descriptor checked to be a symlink: by name, a hard link renamed
	 * over the temporary name meanwhile would have its owner changed - a
	 * file anywhere on the home's file system. */
	_cleanup_close_ int lfd = workspace_open_symlink(dir_fd, tmp);
	if (lfd < 0 || fchownat(lfd, "", dst.st_uid, dst.st_gid, AT_EMPTY_PATH) < 0 ||
	    renameat(dir_fd, tmp, dir_fd, name) < 0) {
		int e = errno;
		unlinkat(dir_fd, tmp, 0);
		return err_set(err, e, "%s: install symlink", link);
	}
	return 0;
}

static int workspace_enter(int fd, const char *path, struct cai_err *err)
{
	if (fchdir(fd) < 0)
		return err_set(err, errno, "%s: change directory", path);
	return 0;
}

/* One ':'-ended decimal field of at most max at *p, which then points
 * past the ':'. */
static int workspace_field(const char **p, uint64_t max, uint64_t *v)
{
	struct cai_err ignored;
	size_t n = strcspn(*p, ":");

	if (!(*p)[n] || decimal_parse(*p, n, max, v, &ignored) < 0)
		return -1;
	*p += n + 1;
	return 0;
}

int workspace_expect_parse(const char *text, struct workspace_expect *e, struct cai_err *err)
{
	uint64_t major, minor;
	const char *p = text;

	memset(e, 0, sizeof(*e));
	if (!text || !text[0])
		return 0;
	if (text[0] != '/') {
		if (workspace_field(&p, UINT32_MAX, &major) < 0 ||
		    workspace_field(&p, UINT32_MAX, &minor) < 0 ||
		    workspace_field(&p, UINT64_MAX, &e->ino) < 0 || *p != '/')
			return err_set(err, 0, WORKSPACE_ENV ": expected MAJOR:MINOR:INODE:/PATH or /PATH");
		e->has_id = 1;
		e->major = (unsigned)major;
		e->minor = (unsigned)minor;
	}
	if (strlen(p) >= sizeof(e->path))
		return err_set(err, ENAMETOOLONG, WORKSPACE_ENV);
	snprintf(e->path, sizeof(e->path), "%s", p);
	return 0;
}

/* The file system type of the mount fd is on; "" when unknown. */
static void workspace_fstype(int fd, char *out, size_t outsz)
{
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };
	uint64_t id;

	out[0] = '\0';
	if (workspace_mnt_id(fd, &id, &err) == 0 && mountinfo_read_self(&t, &err) == 0) {
		const struct mount_entry *m = mountinfo_find_id(&t, id);
		if (m)
			snprintf(out, outsz, "%s", m->fstype);
	}
	mountinfo_free(&t);
}

/* fd is the directory the launcher checked: 0, or -1 with err set. */
static int workspace_same(int fd, const char *where, const struct workspace_expect *e,
			  struct cai_err *err)
{
	struct stat st;
	char fstype[64];

	if (!e->has_id)
		return 0;
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", where);
	int same_dev = major(st.st_dev) == e->major && minor(st.st_dev) == e->minor;
	if ((uint64_t)st.st_ino == e->ino && !same_dev) {
		/* shiftfs shows the lower directory's inode under a device of
		 * its own: only the inode can be compared there. */
		workspace_fstype(fd, fstype, sizeof(fstype));
		same_dev = !strcmp(fstype, "shiftfs");
	}
	if ((uint64_t)st.st_ino != e->ino || !same_dev)
		return err_set(err, 0, "%s is not the directory the launcher checked (device %u:%u "
				       "inode %llu, expected %u:%u inode %llu): it was replaced after the "
				       "check", where, major(st.st_dev), minor(st.st_dev),
			       (unsigned long long)st.st_ino, e->major, e->minor,
			       (unsigned long long)e->ino);
	return 0;
}

enum workspace_result {
	WORKSPACE_READY = 0,    /* linked or bound; the working directory is in it */
	WORKSPACE_NONE = 1,     /* neither layout */
	WORKSPACE_SWAPPED = 2,  /* not the directory the launcher checked (err set) */
};

/* The bind layout: 1 when the link path is a directory mount (entered),
 * 0 when it is not, -1 on error, WORKSPACE_SWAPPED. */
static int workspace_try_bind(int dir_fd, const char *link, const char *name,
			      const struct workspace_expect *e, struct cai_err *err)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	int mnt = workspace_is_mount_root(fd, dir_fd, link, err);
	if (mnt <= 0)
		return mnt < 0 ? err_prefix(err, "%s", link) : 0;
	if (workspace_same(fd, link, e, err) < 0)
		return WORKSPACE_SWAPPED;
	if (workspace_enter(fd, link, err) < 0)
		return -1;
	log_info("workspace: %s is a mount, used as it is", link);
	return 1;
}

/* A candidate usable at start-up, and the one the launcher names when it
 * names one. */
static int workspace_named_and_reachable(const struct mount_entry *m, void *ctx)
{
	const struct workspace_expect *e = ctx;

	return (!e->path[0] || !strcmp(m->mount_point, e->path)) && workspace_reachable(m, NULL);
}

/* WORKSPACE_READY, WORKSPACE_NONE, WORKSPACE_SWAPPED, or -1 with err set. */
static int workspace_find_and_link(const char *link, const struct workspace_expect *want,
				   struct cai_err *err)
{
	struct mount_table t = { 0 };
	_cleanup_close_ int dir_fd = -1;
	_cleanup_close_ int ws_fd = -1;
	const char *name = NULL;
	int r = -1;

	dir_fd = workspace_open_parent(link, &name, err);
	if (dir_fd < 0)
		return err_prefix(err, "workspace");
	int bound = workspace_try_bind(dir_fd, link, name, want, err);
	if (bound == WORKSPACE_SWAPPED) {
		err_prefix(err, "workspace");
		return WORKSPACE_SWAPPED;
	}
	if (bound != 0)
		return bound < 0 ? err_prefix(err, "workspace") : WORKSPACE_READY;

	if (mountinfo_read_self(&t, err) < 0)
		return err_prefix(err, "workspace");
	const struct mount_entry *refused;
	const struct mount_entry *e = workspace_find_mirrored(&t, link, workspace_named_and_reachable,
							      (void *)want, &refused);
	if (!e && want->path[0]) {
		err_set(err, 0, "workspace: nothing is mounted at %s, nor the host directory %s at its "
				"own path", link, want->path);
		r = WORKSPACE_NONE;
		goto out;
	}
	if (!e) {
		err_set(err, 0, "workspace: nothing is mounted at %s and no%s host directory is mounted at its own path%s%s%s",
			link, refused ? " acceptable" : "", refused ? " (refused: " : "",
			refused ? refused->mount_point : "", refused ? ")" : "");
		r = WORKSPACE_NONE;
		goto out;
	}
	/* Opened again and checked again: this is the descriptor we enter. */
	ws_fd = workspace_open_candidate(e, err);
	if (ws_fd < 0) {
		err_prefix(err, "workspace");
		goto out;
	}
	if (workspace_same(ws_fd, e->mount_point, want, err) < 0) {
		err_prefix(err, "workspace");
		r = WORKSPACE_SWAPPED;
		goto out;
	}
	if (workspace_link(dir_fd, link, name, e->mount_point, err) < 0 ||
	    workspace_enter(ws_fd, e->mount_point, err) < 0) {
		err_prefix(err, "workspace");
		goto out;
	}
	log_info("workspace: %s -> %s", link, e->mount_point);
	r = WORKSPACE_READY;
out:
	mountinfo_free(&t);
	return r;
}

int workspace_setup(const char *link, int required, const char *expect, struct cai_err *err)
{
	struct workspace_expect want;

	if (workspace_expect_parse(expect, &want, err) < 0)
		return err_prefix(err, "workspace");
	int r = workspace_find_and_link(link, &want, err);
	if (r == WORKSPACE_READY)
		return 0;
	/* A swapped workspace is no missing one: never started on. */
	if (required || r == WORKSPACE_SWAPPED)
		return -1;
	log_warn("%s ([workspace] required = false: going on without it)", err->msg);
	err_clear(err);
	return 0;
}
