/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "account.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "decimal.h"
#include "fd.h"
#include "identity.h"
#include "log.h"
#include "treewalk.h"

/* (uid_t)-1 means "unchanged" to the kernel: never a real id. */
#define ACCOUNT_ID_MAX 0xfffffffeUL

/* Ids that stand for no one in particular: the kernel's overflow id
 * (65534, "nobody": what an id it cannot map reads as), the 16-bit
 * calls' "unchanged" (65535) and NFS's nobody ((uid_t)-2).  An agent
 * moved to one would share it with every file and process shown so. */
static const char *overflow_id(uint64_t id)
{
	if (id == 65534)
		return "the kernel's overflow id (nobody)";
	if (id == 65535)
		return "(uint16_t)-1, 'unchanged' to the 16-bit calls";
	return id == ACCOUNT_ID_MAX ? "(uid_t)-2, NFS's nobody" : NULL;
}

int account_parse_host(const char *value, uid_t *uid, gid_t *gid, struct cai_err *err)
{
	const char *colon = strchr(value, ':');
	uint64_t u, g;

	if (!colon)
		return err_set(err, 0, "'%.40s' is not UID:GID", value);
	if (decimal_parse(value, (size_t)(colon - value), ACCOUNT_ID_MAX, &u, err) < 0 ||
	    decimal_parse(colon + 1, strlen(colon + 1), ACCOUNT_ID_MAX, &g, err) < 0)
		return err_prefix(err, "'%.40s' is not UID:GID", value);
	if (overflow_id(u))
		return err_set(err, 0, "uid %llu is %s, no one's own: refused", (unsigned long long)u,
			       overflow_id(u));
	if (overflow_id(g))
		return err_set(err, 0, "gid %llu is %s, no one's own: refused", (unsigned long long)g,
			       overflow_id(g));
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* One file of /etc, read whole, with what it must keep when rewritten. */
struct etc_file {
	const char *name;
	char *buf;
	size_t len;
	struct stat st;
	char tmp[64];           /* the staged new file */
	int staged;
};

static int etc_read(int etc, struct etc_file *f, struct cai_err *err)
{
	_cleanup_close_ int fd = openat(etc, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &f->st) < 0)
		return err_set(err, errno, "/etc/%s", f->name);
	char path[64];
	snprintf(path, sizeof(path), "/etc/%s", f->name);
	return fd_read_regular(fd, path, IDENTITY_MAX_FILE, &f->buf, &f->len, err);
}

/* f with buf[off, off + n) replaced by `with`, staged under a temporary
 * name in /etc (one left over by an interrupted start is removed first;
 * no one but root writes in /etc) with f's owner and mode, and synced. */
static int etc_stage(int etc, struct etc_file *f, size_t off, size_t n, const char *with,
		     struct cai_err *err)
{
	snprintf(f->tmp, sizeof(f->tmp), ".%s.containai-new", f->name);
	if (unlinkat(etc, f->tmp, 0) < 0 && errno != ENOENT)
		return err_set(err, errno, "/etc/%s", f->tmp);
	_cleanup_close_ int fd = openat(etc, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, errno, "/etc/%s", f->tmp);
	if (fd_write_all(fd, f->buf, off) < 0 || fd_write_all(fd, with, strlen(with)) < 0 ||
	    fd_write_all(fd, f->buf + off + n, f->len - off - n) < 0 ||
	    fchown(fd, f->st.st_uid, f->st.st_gid) < 0 || fchmod(fd, f->st.st_mode & 07777) < 0 ||
	    fsync(fd) < 0) {
		int e = errno;
		unlinkat(etc, f->tmp, 0);
		return err_set(err, e, "/etc/%s", f->tmp);
	}
	f->staged = 1;
	return 0;
}

/* The staged file renamed over f in one step. */
static int etc_commit(int etc, struct etc_file *f, struct cai_err *err)
{
	if (renameat(etc, f->tmp, etc, f->name) < 0)
		return err_set(err, errno, "/etc/%s: rename", f->name);
	f->staged = 0;
	return 0;
}

/* The renames made durable: a start that goes on to chown the volume
 * and run the agent must not come back, after a crash, to an /etc that
 * names the old ids. */
static int etc_sync(int etc, struct cai_err *err)
{
	_cleanup_close_ int fd = openat(etc, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return err_set(err, errno, "/etc: sync");
	return 0;
}

static void etc_unstage(int etc, struct etc_file *f)
{
	if (f->staged)
		unlinkat(etc, f->tmp, 0);
}

/* What the scan of /etc/passwd finds. */
struct pw_scan {
	const char *name;       /* the account */
	uid_t want;             /* the uid it is to get */
	gid_t want_gid;         /* the gid it is to get */
	const char *buf;
	unsigned line;          /* the account's line, 0: not found */
	size_t ids_off, ids_len;/* "UID:GID" of that line */
	uid_t uid;
	gid_t gid;
	char home[PATH_MAX];
	char taken_by[IDENTITY_NAME_MAX]; /* another account with uid `want` */
	char gid_of[IDENTITY_NAME_MAX];   /* another account whose primary gid is `want_gid` */
};

static int pw_entry(void *ctx, const struct identity_entry *e, struct cai_err *err)
{
	struct pw_scan *s = ctx;

	if (!identity_field_is(e, 0, s->name)) {
		if (e->id == s->want && !s->taken_by[0])
			snprintf(s->taken_by, sizeof(s->taken_by), "%.*s", (int)e->len[0], e->field[0]);
		if (e->gid == s->want_gid && !s->gid_of[0])
			snprintf(s->gid_of, sizeof(s->gid_of), "%.*s", (int)e->len[0], e->field[0]);
		return 0;
	}
	if (s->line)
		return err_set(err, 0, "user '%s' appears again (first at line %u)", s->name, s->line);
	s->line = e->lineno;
	s->uid = e->id;
	s->gid = e->gid;
	s->ids_off = (size_t)(e->field[2] - s->buf);
	s->ids_len = (size_t)(e->field[3] + e->len[3] - e->field[2]);
	snprintf(s->home, sizeof(s->home), "%.*s", (int)e->len[5], e->field[5]);
	return 0;
}

/* What the scan of /etc/group finds. */
struct gr_scan {
	gid_t primary, want;
	const char *buf;
	unsigned line;          /* the primary group's line */
	size_t gid_off, gid_len;
	char taken_by[IDENTITY_NAME_MAX]; /* another group with gid `want` */
};

static int gr_entry(void *ctx, const struct identity_entry *e, struct cai_err *err)
{
	struct gr_scan *s = ctx;

	if (e->gid != s->primary) {
		if (e->gid == s->want && !s->taken_by[0])
			snprintf(s->taken_by, sizeof(s->taken_by), "%.*s", (int)e->len[0], e->field[0]);
		return 0;
	}
	if (s->line)
		return err_set(err, 0, "gid %u, the account's primary group, appears again (first at line %u)",
			       (unsigned)s->primary, s->line);
	s->line = e->lineno;
	s->gid_off = (size_t)(e->field[2] - s->buf);
	s->gid_len = e->len[2];
	return 0;
}

/* Deeper directories of the home keep their owner: one descriptor and one
 * listing per level must stay well within what PID 1 holds. */
#define ACCOUNT_MAX_DEPTH 128

/* The home's files that have the old ids get the new ones. */
struct home_walk {
	struct treewalk w;      /* first: the visitor gets it back */
	struct statx root;
	uid_t old_uid, new_uid;
	gid_t old_gid, new_gid;
};

static int same_mount(const struct statx *a, const struct statx *b)
{
	uint64_t x, y;

	if (beneath_statx_mnt_id(a, &x) && beneath_statx_mnt_id(b, &y))
		return x == y;
	/* No mount ids (gVisor): every mount it makes has a device of its own. */
	return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor;
}

static int home_visit(struct treewalk *w, const struct treewalk_entry *e, struct cai_err *err)
{
	struct home_walk *h = (struct home_walk *)w;
	const struct statx *stx = &e->stx;

	/* A mount in the home (the workspace, at /home/agent/workspace) is
	 * someone else's: neither entered nor changed. */
	if (!same_mount(&h->root, stx))
		return 0;
	uid_t u = stx->stx_uid == h->old_uid ? h->new_uid : (uid_t)-1;
	gid_t g = stx->stx_gid == h->old_gid ? h->new_gid : (gid_t)-1;
	int is_dir = S_ISDIR(stx->stx_mode);
	if (u == (uid_t)-1 && g == (gid_t)-1)
		return is_dir && e->depth < ACCOUNT_MAX_DEPTH;
	if (is_dir) {
		if (e->fd < 0)
			return err_set(err, e->open_errno, "%s", e->path);
		if (fchown(e->fd, u, g) < 0)
			return err_set(err, errno, "%s: chown", e->path);
		if (e->depth >= ACCOUNT_MAX_DEPTH) {
			log_warn("account: %s: deeper than %d levels, owner not moved below", e->path,
				 ACCOUNT_MAX_DEPTH);
			return 0;
		}
		return 1;
	}
	if (!S_ISREG(stx->stx_mode) || stx->stx_nlink != 1)
		return 0;
	_cleanup_close_ int fd = treewalk_reopen(e, O_RDONLY, err);
	if (fd < 0)
		return -1;
	if (fchown(fd, u, g) < 0)
		return err_set(err, errno, "%s: chown", e->path);
	return 0;
}

static int home_move(const char *home, uid_t old_uid, gid_t old_gid, uid_t uid, gid_t gid,
		     struct cai_err *err)
{
	struct home_walk h = {
		.w = { .visit = home_visit },
		.old_uid = old_uid, .new_uid = uid, .old_gid = old_gid, .new_gid = gid,
	};

	/* A home of "/" is the whole system: never walked. */
	if (home[0] != '/' || !home[1])
		return 0;
	_cleanup_close_ int dir = beneath_open_dir_nofollow(home, err);
	if (dir < 0 && err->errnum == ENOENT)
		return 0;
	if (dir < 0)
		return err_prefix(err, "home");
	_cleanup_close_ int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, TREEWALK_STATX_MASK, &h.root) < 0)
		return err_set(err, errno, "home %s", home);
	snprintf(h.w.path, sizeof(h.w.path), "%s", home);
	uid_t u = h.root.stx_uid == old_uid ? uid : (uid_t)-1;
	gid_t g = h.root.stx_gid == old_gid ? gid : (gid_t)-1;
	if ((u != (uid_t)-1 || g != (gid_t)-1) && fchown(fd, u, g) < 0)
		return err_set(err, errno, "%s: chown", home);
	return treewalk_dir(&h.w, fd, strlen(h.w.path), 0, err);
}

/* Both files staged first (an /etc that cannot be written refuses the
 * move before anything changed), then the home, then the group, the
 * account's own line last: a start stopped anywhere finds the account
 * unmoved and moves it all again. */
static int move_files(int etc, const struct pw_scan *ps, const struct gr_scan *gs, struct etc_file *pw,
		      struct etc_file *gr, uid_t uid, gid_t gid, struct cai_err *err)
{
	char ids[32];

	if (gid != ps->gid && gs->line) {
		snprintf(ids, sizeof(ids), "%u", (unsigned)gid);
		if (etc_stage(etc, gr, gs->gid_off, gs->gid_len, ids, err) < 0)
			return -1;
	}
	snprintf(ids, sizeof(ids), "%u:%u", (unsigned)uid, (unsigned)gid);
	if (etc_stage(etc, pw, ps->ids_off, ps->ids_len, ids, err) < 0 ||
	    home_move(ps->home, ps->uid, ps->gid, uid, gid, err) < 0)
		return -1;
	if (gr->staged && etc_commit(etc, gr, err) < 0)
		return -1;
	if (etc_commit(etc, pw, err) < 0)
		return -1;
	return etc_sync(etc, err);
}

/* The gid the account gets: the host's, unless it is 0, another group's
 * or another account's primary gid (whose files have it, with or without
 * a line in /etc/group).  With no line for the account's primary gid, a
 * group at the host's gid named as the account is its own: the line a
 * move renamed into place before a stop cut it short of /etc/passwd (the
 * image names the account's group after it; the move changes only the
 * gid).  The move goes on to that gid rather than leave the account's gid
 * without a group. */
static gid_t pick_gid(const struct gr_scan *gr, const struct pw_scan *pw, const char *name, gid_t old,
		      gid_t host)
{
	if (host == 0) {
		log_warn("account: the host user's group is 0 (root's): the agent keeps gid %u", (unsigned)old);
		return old;
	}
	if (pw->gid_of[0] && host != old) {
		log_warn("account: gid %u is the primary group of the account '%s' in /etc/passwd: "
			 "the agent keeps gid %u", (unsigned)host, pw->gid_of, (unsigned)old);
		return old;
	}
	if (!gr->line && !strcmp(gr->taken_by, name))
		return host;
	if (gr->taken_by[0] && host != old) {
		log_warn("account: gid %u is the group '%s' in /etc/group: the agent keeps gid %u",
			 (unsigned)host, gr->taken_by, (unsigned)old);
		return old;
	}
	return host;
}

static int account_move(int etc, const struct cai_config *cfg, int have_host, uid_t host_uid,
			gid_t host_gid, uid_t *uid, gid_t *gid, struct cai_err *err)
{
	_cleanup_free_ char *pwbuf = NULL;
	_cleanup_free_ char *grbuf = NULL;
	struct etc_file pw = { .name = "passwd" }, gr = { .name = "group" };
	struct pw_scan ps = { .name = cfg->user_name, .want = host_uid, .want_gid = host_gid };
	struct gr_scan gs = { .want = host_gid };

	if (etc_read(etc, &pw, err) < 0)
		return -1;
	pwbuf = pw.buf;
	ps.buf = pw.buf;
	if (identity_scan(pw.buf, pw.len, "/etc/passwd", 0, pw_entry, &ps, err) < 0)
		return -1;
	if (!ps.line)
		return err_set(err, 0, "user '%s' is not in /etc/passwd", cfg->user_name);
	*uid = ps.uid;
	*gid = ps.gid;
	if (!have_host)
		return 0;
	/* A root host user: the agent keeps the image's ids. */
	if (host_uid == 0) {
		log_info("account: the host user is root: '%s' keeps uid %u", cfg->user_name, (unsigned)ps.uid);
		return 0;
	}
	/* Started as the host user's uid (not root): that uid is the agent. */
	if (geteuid() != 0 && geteuid() == host_uid) {
		*uid = host_uid;
		*gid = getegid();
		return 0;
	}
	if (ps.taken_by[0])
		return err_set(err, 0, "uid %u is the account '%s' in /etc/passwd: '%s' cannot take it (refused)",
			       (unsigned)host_uid, ps.taken_by, cfg->user_name);
	if (etc_read(etc, &gr, err) < 0)
		return -1;
	grbuf = gr.buf;
	gs.buf = gr.buf;
	gs.primary = ps.gid;
	if (identity_scan(gr.buf, gr.len, "/etc/group", 1, gr_entry, &gs, err) < 0)
		return -1;
	gid_t new_gid = pick_gid(&gs, &ps, cfg->user_name, ps.gid, host_gid);
	if (host_uid == ps.uid && new_gid == ps.gid)
		return 0;
	if (geteuid() != 0)
		return err_set(err, EPERM, "moving '%s' to uid %u needs root (containai-init runs as uid %u)",
			       cfg->user_name, (unsigned)host_uid, (unsigned)geteuid());
	int r = move_files(etc, &ps, &gs, &pw, &gr, host_uid, new_gid, err);
	etc_unstage(etc, &gr);
	etc_unstage(etc, &pw);
	if (r < 0)
		return -1;
	log_info("account: '%s' moved from %u:%u to the host user's %u:%u", cfg->user_name,
		 (unsigned)ps.uid, (unsigned)ps.gid, (unsigned)host_uid, (unsigned)new_gid);
	*uid = host_uid;
	*gid = new_gid;
	return 0;
}

int account_setup(const struct cai_config *cfg, uid_t *uid, gid_t *gid, struct cai_err *err)
{
	const char *v = getenv(ACCOUNT_HOST_ENV);
	uid_t host_uid = 0;
	gid_t host_gid = 0;

	*uid = cfg->volume_uid;
	*gid = cfg->volume_gid;
	if (!cfg->user_enabled || !cfg->user_follow_host)
		return 0;
	if (v && v[0] && account_parse_host(v, &host_uid, &host_gid, err) < 0)
		return err_prefix(err, "account: %s", ACCOUNT_HOST_ENV);
	/* Without the variable nothing moves: the account's ids are read all
	 * the same, they own the volume. */
	_cleanup_close_ int etc = beneath_open_dir_nofollow("/etc", err);
	if (etc < 0)
		return err_prefix(err, "account");
	if (account_move(etc, cfg, v && v[0], host_uid, host_gid, uid, gid, err) < 0)
		return err_prefix(err, "account");
	return 0;
}
