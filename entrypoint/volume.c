/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "caps.h"
#include "fd.h"
#include "fdbatch.h"
#include "links.h"
#include "log.h"
#include "path.h"
#include "treewalk.h"

/* Deeper directories keep their owner: one descriptor per level must stay
 * well below any descriptor limit PID 1 may be given. */
#define VOLUME_MAX_DEPTH 128

struct prep {
	struct treewalk w;              /* first: the visitor gets it back */
	const struct beneath *b;
	const struct manifest *m;
	uid_t uid;
	gid_t gid;
	/* Run as root: entries are given the owner.  Otherwise each must
	 * already be uid's: nothing but root can give a file away. */
	int give;
	/* The root is not yet the owner's: the whole volume is walked (and
	 * the root given its owner last, once every entry has been).
	 * Otherwise only the manifest's entries are looked at. */
	int walk_all;
	int root_sgid;                  /* the root has the setgid bit */
	/* What this process creates is the owner's from its creation: run as
	 * the owner, or as root with the owner's file system ids (owner_ids).
	 * Otherwise it is given the owner once made. */
	int born_owned;
	int ids_tried;                  /* owner_ids was called */
	int ids_switched;               /* ... and switched them: to be restored */
	uid_t old_fsuid;
	gid_t old_fsgid;
	struct caps_saved *caps;        /* before the switch */
	/* Descriptors of the manifest's entries, closed together at the end:
	 * the walk of a prepared volume costs one close_range, not one close
	 * per directory. */
	struct fdbatch done;
	unsigned char *seen;            /* by manifest entry: the walk came across it */
	unsigned long left_alone;       /* entries the ownership fix does not touch */
};

static int owner_differs(const struct prep *p, const struct statx *stx)
{
	return stx->stx_uid != p->uid || (p->give && stx->stx_gid != p->gid);
}

/* Owner through the descriptor, and only when it differs, so a second run
 * leaves even ctime alone.  Not root: refused, naming the entry. */
static int give_owner(const struct prep *p, int fd, const struct statx *stx, const char *path,
		      struct cai_err *err)
{
	if (!owner_differs(p, stx))
		return 0;
	if (!p->give) {
		err_set(err, 0, "%s: owned by uid %u, not by uid %u that containai-init runs as; only root can give it to that uid (refused)",
			path, (unsigned)stx->stx_uid, (unsigned)p->uid);
		err->errnum = EPERM;
		return -1;
	}
	if (fchown(fd, p->uid, p->gid) < 0)
		return err_set(err, errno, "%s: chown", path);
	return 0;
}

static int give_owner_mode(const struct prep *p, int fd, const struct statx *stx, mode_t mode,
			   const char *path, struct cai_err *err)
{
	if (give_owner(p, fd, stx, path, err) < 0)
		return -1;
	/* Our modes have no setuid/setgid bits for chown to clear, so the
	 * mode read before the chown is still the mode after it. */
	if ((stx->stx_mode & 07777) != mode && fchmod(fd, mode) < 0)
		return err_set(err, errno, "%s: chmod", path);
	return 0;
}

/* What a file entry must be before its owner or mode may change. */
static int check_file(const struct prep *p, const struct statx *stx, const char *path,
		      struct cai_err *err)
{
	if (S_ISLNK(stx->stx_mode))
		return err_refuse(err, ELOOP, path, "a symlink is in the path");
	if (S_ISDIR(stx->stx_mode))
		return err_refuse(err, EISDIR, path, "a file is expected, a directory is there");
	if (!S_ISREG(stx->stx_mode))
		return err_refuse(err, EINVAL, path, "not a regular file (FIFO, socket or device node)");
	/* A second name for the inode may be outside the volume: changing its
	 * owner or mode would change that file too. */
	if (stx->stx_nlink != 1)
		return err_refuse(err, EMLINK, path, "has more than one hard link");
	if (makedev(stx->stx_dev_major, stx->stx_dev_minor) != p->b->dev)
		return err_refuse(err, EXDEV, path, "on another device than the volume");
	return 0;
}

/* An existing file entry.  Judged on the look the walk took (never opened
 * for I/O unless something must change, so a device node or FIFO is
 * refused without being opened); then opened O_NONBLOCK, required to be
 * the very inode looked at, and judged again on that descriptor.  Write
 * access only to fill an empty file: an owner or mode fix alone opens
 * read-only (a busy executable refuses O_RDWR). */
static int prep_file(struct prep *p, const struct manifest_entry *me, const struct treewalk_entry *e,
		     struct cai_err *err)
{
	const struct statx *stx = &e->stx;

	if (check_file(p, stx, me->path, err) < 0)
		return -1;
	int fill = me->init && stx->stx_size == 0;
	if (!fill && !owner_differs(p, stx) && (stx->stx_mode & 07777) == me->mode)
		return 0;
	_cleanup_close_ int fd = treewalk_reopen(e, fill ? O_RDWR : O_RDONLY, err);
	if (fd < 0)
		return -1;
	/* A file emptied after the look makes the write fail on a read-only
	 * descriptor: refused, not silently left empty. */
	if (fill && fd_write_all(fd, me->init, strlen(me->init)) < 0)
		return err_set(err, errno, "%s: write", me->path);
	return give_owner_mode(p, fd, stx, me->mode, me->path, err);
}

/* An existing directory entry: given its owner and mode (an unnamed parent
 * keeps the mode it has: what the user set on it since is theirs); 1 to
 * go into it.  A directory the walk did not open (nothing of the manifest
 * beneath it), or opened O_PATH only to look in it, is opened for the
 * change only when something must change. */
static int prep_dir(struct prep *p, const struct manifest_entry *me, const struct treewalk_entry *e,
		    struct cai_err *err)
{
	if (S_ISLNK(e->stx.stx_mode))
		return err_refuse(err, ELOOP, me->path, "a symlink is in the path");
	if (!S_ISDIR(e->stx.stx_mode))
		return err_refuse(err, ENOTDIR, me->path, "a directory is expected, something else is there");
	if (e->open_errno)
		return err_set(err, e->open_errno, "%s", me->path);
	mode_t mode = me->implicit ? e->stx.stx_mode & 07777 : me->mode;
	int held = e->fd >= 0 && !e->path_only;         /* open for fchown, fchmod */
	if (!held && !owner_differs(p, &e->stx) && (e->stx.stx_mode & 07777) == mode)
		return 1;
	_cleanup_close_ int opened = held ? -1 : treewalk_reopen(e, O_RDONLY | O_DIRECTORY, err);
	if (!held && opened < 0)
		return -1;
	if (give_owner_mode(p, held ? e->fd : opened, &e->stx, mode, me->path, err) < 0)
		return -1;
	return 1;
}

/* Anything the manifest does not name: the ownership fix.  Directories
 * and regular files with one link get the owner through their descriptor;
 * symlinks, FIFOs, sockets, device nodes and hard-linked files are left
 * alone (never followed, never changed). */
static int fix_owner(struct prep *p, const struct treewalk_entry *e, struct cai_err *err)
{
	const struct statx *stx = &e->stx;

	if (S_ISDIR(stx->stx_mode)) {
		if (e->fd < 0)
			return err_set(err, e->open_errno, "%s", e->path);
		if (give_owner(p, e->fd, stx, e->path, err) < 0)
			return -1;
		if (e->depth >= VOLUME_MAX_DEPTH) {
			log_warn("volume: %s: deeper than %d levels, owner not fixed below", e->path,
				 VOLUME_MAX_DEPTH);
			return 0;
		}
		return 1;
	}
	if (!S_ISREG(stx->stx_mode) || stx->stx_nlink != 1) {
		p->left_alone++;
		return 0;
	}
	if (!owner_differs(p, stx))
		return 0;
	_cleanup_close_ int fd = treewalk_reopen(e, O_RDONLY, err);
	if (fd < 0)     /* removed meanwhile: nothing to fix */
		return err->errnum == ENOENT ? 0 : -1;
	return give_owner(p, fd, stx, e->path, err);
}

/* One entry the walk came across or a manifest entry looked at: 1 to go
 * into it, 0 not to, -1 refused. */
static int prep_existing(struct prep *p, const struct manifest_entry *me, const struct treewalk_entry *e,
			 struct cai_err *err)
{
	/* A statx of a mount point's name reports the mounted file system. */
	if (!beneath_on_root_mount(p->b, &e->stx))
		return me ? err_refuse(err, EXDEV, me->path, "leaves the volume or crosses a mount")
			  : err_refuse(err, EXDEV, e->path, "a mount inside the volume");
	if (!me)
		return fix_owner(p, e, err);
	return me->type == MANIFEST_DIR ? prep_dir(p, me, e, err) : prep_file(p, me, e, err);
}

static int visit(struct treewalk *w, const struct treewalk_entry *e, struct cai_err *err)
{
	struct prep *p = (struct prep *)w;
	const struct manifest_entry *me = manifest_find(p->m, e->path, e->path_len);

	if (me)
		p->seen[me - p->m->entries] = 1;
	return prep_existing(p, me, e, err);
}

static int prep_missing(struct prep *p, int dirfd, size_t len, unsigned depth, int parent_sgid,
			const struct manifest_entry *me, struct cai_err *err);

static int prep_entry(struct prep *p, int dirfd, unsigned depth, const struct manifest_entry *me,
		      struct cai_err *err);

/* The manifest's entries of the directory open on fd (path w.path[0..len),
 * setgid bit `sgid` as prep_missing takes it), from `first` on, that the
 * walk has not come across: when the whole volume is walked, those are
 * missing; else each is looked at first. */
static int prep_children(struct prep *p, int fd, size_t len, unsigned depth, int sgid, size_t first,
			 struct cai_err *err)
{
	for (size_t i = first; i != MANIFEST_NONE; i = p->m->entries[i].next_sibling) {
		const struct manifest_entry *me = &p->m->entries[i];
		if (p->seen[i])
			continue;
		if ((p->walk_all ? prep_missing(p, fd, len, depth, sgid, me, err)
				 : prep_entry(p, fd, depth, me, err)) < 0)
			return -1;
	}
	return 0;
}

/* A manifest entry in the directory open on dirfd, looked at by name - a
 * directory holding entries of its own opened at once, to go on in it. */
static int prep_entry(struct prep *p, int dirfd, unsigned depth, const struct manifest_entry *me,
		      struct cai_err *err)
{
	const char *slash = strrchr(me->path, '/');
	size_t len = slash ? (size_t)(slash - me->path) : 0;
	int parent = me->type == MANIFEST_DIR && me->first_child != MANIFEST_NONE;
	struct treewalk_entry e = {
		.dirfd = dirfd, .name = slash ? slash + 1 : me->path, .path = me->path,
		.path_len = strlen(me->path), .depth = depth + 1,
	};

	if (treewalk_look(dirfd, e.name, parent ? DT_DIR : DT_UNKNOWN,
			  parent ? TREEWALK_OPEN_PATH : TREEWALK_LOOK_ONLY, &e) < 0) {
		if (errno == ENOENT)
			return prep_missing(p, dirfd, len, depth, -1, me, err);
		return err_set(err, errno, "%s", me->path);
	}
	_cleanup_close_ int fd = e.fd;
	int r = prep_existing(p, me, &e, err);
	/* Its setgid bit, as prep_missing takes it: a named directory now
	 * has exactly its mode, which has none; an unnamed one kept its own. */
	if (r > 0 && parent)
		r = prep_children(p, fd, e.path_len, depth + 1, me->implicit && (e.stx.stx_mode & S_ISGID),
				  me->first_child, err);
	fdbatch_add(&p->done, fd_take(&fd));
	return r;
}

static int done(struct treewalk *w, int fd, size_t len, unsigned depth, struct cai_err *err)
{
	struct prep *p = (struct prep *)w;
	const struct manifest_entry *dir = len ? manifest_find(p->m, w->path, len) : NULL;

	if (len && !dir)
		return 0;
	return prep_children(p, fd, len, depth, len ? -1 : p->root_sgid,
			     dir ? dir->first_child : p->m->first_top, err);
}

/* Root makes the missing entries with the owner's file system ids, so each
 * is the owner's from the moment it exists, with exactly its mode: no
 * fchown after it, no descriptor opened for one.  Nothing else goes by
 * these ids - signals and ptrace go by the real and effective ones, still
 * 0.  The kernel takes the file system capabilities out of the effective
 * set as the fs uid leaves 0; they are put back at once from the set read
 * before, so every permission check stays root's (the root, or a 0500
 * directory of the manifest, is still written into although its owner
 * could not) and fchown and fchmod still work on what exists.  Where the
 * ids cannot change (no CAP_SETUID or CAP_SETGID, or no such call: each is
 * read back), entries are given their owner once made, as without it.
 * restore_ids puts everything back before volume_prepare returns. */
static int owner_ids(struct prep *p, struct cai_err *err)
{
	p->ids_tried = 1;
	if (!(p->caps = caps_save(err)))
		return -1;
	/* setfs[ug]id answer the ids before the call, whether it changed
	 * them or not: the second call says whether the first did. */
	p->old_fsgid = (gid_t)setfsgid(p->gid);
	if ((gid_t)setfsgid(p->gid) != p->gid) {
		setfsgid(p->old_fsgid);
		return 0;
	}
	p->old_fsuid = (uid_t)setfsuid(p->uid);
	p->ids_switched = 1;
	if ((uid_t)setfsuid(p->uid) != p->uid)
		return 0;
	if (caps_set_saved(p->caps, "raising the file system capabilities again", err) < 0)
		return -1;
	p->born_owned = 1;
	return 0;
}

/* The file system ids, and the capability sets, as before owner_ids:
 * whatever happened, no later step runs with the owner's. */
static int restore_ids(struct prep *p, struct cai_err *err)
{
	int rc = 0;

	if (p->ids_switched) {
		p->ids_switched = 0;
		setfsuid(p->old_fsuid);
		setfsgid(p->old_fsgid);
		if ((uid_t)setfsuid(p->old_fsuid) != p->old_fsuid ||
		    (gid_t)setfsgid(p->old_fsgid) != p->old_fsgid)
			rc = err_set(err, 0, "the file system ids cannot be set back to %u:%u",
				     (unsigned)p->old_fsuid, (unsigned)p->old_fsgid);
		else
			rc = caps_set_saved(p->caps, "setting the capability sets back", err);
	}
	caps_saved_free(&p->caps);
	return rc;
}

/* A missing entry, created in the directory open on dirfd (the first len
 * bytes of its path) with its final mode - the umask is 0 meanwhile - and
 * the owner: born with it (see owner_ids) or given it once made; a
 * directory then gets its own entries the same way, without a look: it
 * was empty a moment ago.  A name taken since it was found missing is
 * judged as the walk would have judged it.  parent_sgid: whether dirfd
 * has the setgid bit, which hands its group (and, to a directory, the
 * bit) over to what is made in it (-1: not known, the new entry is looked
 * at and given the owner).
 * What is made here is not looked at again: another sandbox sharing the
 * volume runs its agent as the same owner, which may rename in these
 * directories the moment they exist - what it swaps in after a name was
 * made it could swap in a moment later as well, and nothing here acts on
 * a name once made but through a descriptor opened O_NOFOLLOW from it. */
static int prep_missing(struct prep *p, int dirfd, size_t len, unsigned depth, int parent_sgid,
			const struct manifest_entry *me, struct cai_err *err)
{
	const char *slash = strrchr(me->path, '/');
	const char *name = slash ? slash + 1 : me->path;
	int missing;

	if (p->give && !p->ids_tried && owner_ids(p, err) < 0)
		return err_prefix(err, "%s", me->path);
	int born = p->born_owned && parent_sgid == 0;
	memcpy(p->w.path, me->path, len);
	p->w.path[len] = '\0';
	if (me->type == MANIFEST_FILE) {
		/* Born right and empty: made without being opened at all - or,
		 * where the file system makes no file that way, below. */
		if (born && !me->init) {
			if (mknodat(dirfd, name, S_IFREG | me->mode, 0) == 0)
				return 0;
			if (errno == EEXIST)
				return treewalk_name(&p->w, dirfd, name, len, depth + 1, &missing, err);
		}
		_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY |
						O_NOFOLLOW | O_CLOEXEC, me->mode);
		if (fd < 0 && errno == EEXIST)
			return treewalk_name(&p->w, dirfd, name, len, depth + 1, &missing, err);
		if (fd < 0)
			return err_set(err, errno, "%s", me->path);
		if (me->init && fd_write_all(fd, me->init, strlen(me->init)) < 0)
			return err_set(err, errno, "%s: write", me->path);
		if (!born && p->give && fchown(fd, p->uid, p->gid) < 0)
			return err_set(err, errno, "%s: chown", me->path);
		fdbatch_add(&p->done, fd_take(&fd));
		return 0;
	}
	if (mkdirat(dirfd, name, me->mode) < 0) {
		if (errno == EEXIST)
			return treewalk_name(&p->w, dirfd, name, len, depth + 1, &missing, err);
		return err_set(err, errno, "%s: mkdir", me->path);
	}
	if (born && me->first_child == MANIFEST_NONE)
		return 0;
	/* Born right, it is only a directory to make entries in. */
	_cleanup_close_ int fd = openat(dirfd, name, (born ? O_PATH : O_RDONLY) | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_refuse(err, errno, me->path, "replaced while being created");
	if (parent_sgid != 0) {
		struct statx stx;
		if (statx(fd, "", AT_EMPTY_PATH, TREEWALK_STATX_MASK, &stx) < 0)
			return err_set(err, errno, "%s", me->path);
		if (give_owner_mode(p, fd, &stx, me->mode, me->path, err) < 0)
			return -1;
	} else if (!born && p->give && fchown(fd, p->uid, p->gid) < 0) {
		/* Made by this process, so its own, with exactly its mode. */
		return err_set(err, errno, "%s: chown", me->path);
	}
	size_t plen = strlen(me->path);
	for (size_t i = me->first_child; i != MANIFEST_NONE; i = p->m->entries[i].next_sibling) {
		memcpy(p->w.path, me->path, plen + 1);
		if (prep_missing(p, fd, plen, depth + 1, 0, &p->m->entries[i], err) < 0)
			return -1;
	}
	p->w.path[len] = '\0';
	fdbatch_add(&p->done, fd_take(&fd));
	return 0;
}

int volume_prepare(const struct beneath *b, const struct manifest *m, uid_t uid, gid_t gid,
		   struct cai_err *err)
{
	struct prep p = { .w = { .visit = visit, .done = done }, .b = b, .m = m, .uid = uid, .gid = gid };
	struct cai_err ids_err = { 0 };
	struct statx stx;

	/* The look that checks the root is still what was opened is the
	 * root's look for the walk as well. */
	if (beneath_verify_root_statx(b, &stx, err) < 0)
		return -1;
	p.give = geteuid() == 0;
	if (!p.give) {
		/* Nothing but root can give files away: the volume must be this
		 * process's, whatever the config names. */
		p.uid = geteuid();
		p.born_owned = 1;
		log_debug("volume: not root: every entry must already be uid %u's", (unsigned)p.uid);
	}
	p.walk_all = owner_differs(&p, &stx);
	p.root_sgid = !!(stx.stx_mode & S_ISGID);
	/* Not root: refused at once, before anything is changed (and before
	 * any descriptor would be used). */
	if (p.walk_all && !p.give)
		return give_owner(&p, -1, &stx, b->path, err);
	/* Walked whole, the root is listed, and given its owner last: opened
	 * for that.  Otherwise its O_PATH descriptor is all the walk needs. */
	_cleanup_close_ int root = p.walk_all ? beneath_reopen_root(b, O_RDONLY | O_DIRECTORY, err) : -1;
	if (p.walk_all && root < 0)
		return -1;
	p.seen = calloc(m->count ? m->count : 1, 1);
	if (!p.seen)
		return err_set(err, ENOMEM, "volume");
	mode_t saved = umask(0);
	int r = p.walk_all ? treewalk_dir(&p.w, root, 0, 0, err)
			   : prep_children(&p, b->root_fd, 0, 0, p.root_sgid, m->first_top, err);
	umask(saved);
	fdbatch_close(&p.done);
	free(p.seen);
	if (restore_ids(&p, &ids_err) < 0) {
		if (r == 0)
			*err = ids_err;
		return -1;
	}
	/* Last: the root's owner says every entry has been given it. */
	if (r < 0 || (p.walk_all && give_owner(&p, root, &stx, b->path, err) < 0))
		return -1;
	if (p.left_alone)
		log_debug("volume: %lu symlinks, special files or hard-linked files keep their owner",
			  p.left_alone);
	return 0;
}

int volume_make_parents(const struct beneath *b, const char *rel, uid_t uid, gid_t gid,
			struct cai_err *err)
{
	struct prep p = { .b = b, .uid = uid, .gid = gid, .give = geteuid() == 0 };
	char path[PATH_MAX];

	if (path_check_rel(rel, err) < 0)
		return -1;
	_cleanup_close_ int dir = beneath_reopen_root(b, O_RDONLY | O_DIRECTORY, err);
	if (dir < 0)
		return -1;
	snprintf(path, sizeof(path), "%s", rel);
	for (char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		const char *up = strrchr(path, '/');
		struct manifest_entry me = {
			.path = path, .type = MANIFEST_DIR, .mode = MANIFEST_DIR_MODE, .implicit = 1,
		};
		struct treewalk_entry e = { .dirfd = dir, .name = up ? up + 1 : path, .path = path };
		/* Made when missing (the umask aside, as the volume step makes
		 * them), then judged as the volume step judges an existing one. */
		mode_t saved = umask(0);
		int made = mkdirat(dir, e.name, MANIFEST_DIR_MODE) == 0 || errno == EEXIST;
		umask(saved);
		if (!made)
			return err_set(err, errno, "%s: mkdir", path);
		if (treewalk_look(dir, e.name, DT_DIR, TREEWALK_OPEN, &e) < 0)
			return err_set(err, errno, "%s", path);
		_cleanup_close_ int fd = e.fd;
		if (prep_existing(&p, &me, &e, err) < 0)
			return -1;
		close(dir);
		dir = fd_take(&fd);
		*slash = '/';
	}
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

int volume_setup(const struct cai_config *cfg, const struct volume_owner *owner, struct beneath *b,
		 struct cai_err *err)
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
	int r = volume_prepare(b, &m, owner->uid, owner->gid, err);
	if (r < 0)
		err_prefix(err, "volume");
	else if (cfg->volume_home[0])
		r = links_make(cfg->volume_home, cfg->volume_root, &m, owner->uid, owner->gid, err);
	manifest_free(&m);
	if (r < 0) {
		beneath_close(b);
		return -1;
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
