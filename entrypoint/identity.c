/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "identity.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "decimal.h"
#include "fd.h"
#include "log.h"

struct fields {
	size_t n;
	const char *s[IDENTITY_MAX_FIELDS];
	size_t len[IDENTITY_MAX_FIELDS];
};

/* Split one line at ':' into exactly `want` fields. */
static int split_fields(const char *line, size_t len, size_t want, struct fields *f,
			struct cai_err *err)
{
	const char *p = line, *end = line + len;

	f->n = 0;
	for (;;) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		const char *stop = colon ? colon : end;

		if (f->n == want)
			return err_set(err, 0, "more than %zu ':'-separated fields", want);
		f->s[f->n] = p;
		f->len[f->n] = (size_t)(stop - p);
		f->n++;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (f->n != want)
		return err_set(err, 0, "%zu ':'-separated fields, expected %zu", f->n, want);
	if (f->len[0] == 0)
		return err_set(err, 0, "empty name");
	return 0;
}

static int field_id(const struct fields *f, size_t i, uint64_t *out, struct cai_err *err)
{
	if (f->len[i] == 0)
		return err_set(err, 0, "field %zu is not an id", i + 1);
	/* (uid_t)-1 means "unchanged" to the kernel: never a real id. */
	return decimal_parse(f->s[i], f->len[i], 0xfffffffeUL, out, err);
}

/* Hands out the lines of a file; blank lines are skipped, NSS compat
 * lines and NUL bytes refused. */
struct lines {
	const char *buf;
	size_t len, pos;
	unsigned lineno;
};

static int next_line(struct lines *l, const char **line, size_t *n, struct cai_err *err)
{
	while (l->pos < l->len) {
		const char *start = l->buf + l->pos;
		const char *nl = memchr(start, '\n', l->len - l->pos);
		size_t len = nl ? (size_t)(nl - start) : l->len - l->pos;

		l->pos += len + (nl != NULL);
		l->lineno++;
		if (len == 0)
			continue;
		if (memchr(start, '\0', len))
			return err_set(err, 0, "NUL byte in line");
		if (start[0] == '+' || start[0] == '-')
			return err_set(err, 0, "NSS compat entries are not supported");
		*line = start;
		*n = len;
		return 1;
	}
	return 0;
}

int identity_scan(const char *buf, size_t len, const char *file, int group, identity_entry_fn fn,
		  void *ctx, struct cai_err *err)
{
	struct lines l = { .buf = buf, .len = len };
	const char *line = NULL;
	size_t n = 0;
	int r;

	while ((r = next_line(&l, &line, &n, err)) > 0) {
		struct fields f;
		uint64_t a, b = 0;

		if (split_fields(line, n, group ? 4 : 7, &f, err) < 0 || field_id(&f, 2, &a, err) < 0 ||
		    (!group && field_id(&f, 3, &b, err) < 0))
			return err_prefix(err, "%s:%u", file, l.lineno);
		struct identity_entry e = {
			.line = line, .line_len = n, .lineno = l.lineno, .nfields = f.n,
			.id = (uid_t)a, .gid = group ? (gid_t)a : (gid_t)b,
		};
		memcpy(e.field, f.s, sizeof(e.field));
		memcpy(e.len, f.len, sizeof(e.len));
		int rc = fn(ctx, &e, err);
		if (rc < 0)
			return err_prefix(err, "%s:%u", file, l.lineno);
		if (rc > 0)
			return 0;
	}
	if (r < 0)
		return err_prefix(err, "%s:%u", file, l.lineno);
	return 0;
}

int identity_field_is(const struct identity_entry *e, size_t i, const char *s)
{
	return e->len[i] == strlen(s) && !memcmp(e->field[i], s, e->len[i]);
}

struct passwd_find {
	const char *name;       /* NULL: by uid */
	uid_t uid;
	struct identity *id;
	unsigned found_line;
};

static int passwd_entry(void *ctx, const struct identity_entry *e, struct cai_err *err)
{
	struct passwd_find *pf = ctx;
	struct identity *id = pf->id;

	if (pf->name ? !identity_field_is(e, 0, pf->name) : e->id != pf->uid)
		return 0;
	if (pf->found_line) {
		if (!pf->name)
			return 0;       /* several names for one uid: the first names it */
		return err_set(err, 0, "user '%s' appears again (first at line %u)", pf->name,
			       pf->found_line);
	}
	if (e->len[0] >= sizeof(id->name) || e->len[5] >= sizeof(id->home))
		return err_set(err, 0, "name or home directory too long");
	if (e->len[5] && e->field[5][0] != '/')
		return err_set(err, 0, "home directory is not an absolute path");
	pf->found_line = e->lineno;
	id->uid = e->id;
	id->gid = e->gid;
	memcpy(id->name, e->field[0], e->len[0]);
	id->name[e->len[0]] = '\0';
	memcpy(id->home, e->field[5], e->len[5]);
	id->home[e->len[5]] = '\0';
	if (!id->home[0])
		strcpy(id->home, "/");
	return 0;
}

int identity_parse_passwd(const char *buf, size_t len, const char *file, const char *name,
			  uid_t uid, struct identity *id, struct cai_err *err)
{
	struct passwd_find pf = { .name = name, .uid = uid, .id = id };

	if (identity_scan(buf, len, file, 0, passwd_entry, &pf, err) < 0)
		return -1;
	return pf.found_line != 0;
}

static int add_group(struct identity *id, gid_t g, struct cai_err *err)
{
	for (size_t i = 0; i < id->ngroups; i++)
		if (id->groups[i] == g)
			return 0;
	if (id->ngroups == IDENTITY_MAX_GROUPS)
		return err_set(err, 0, "more than %d groups", IDENTITY_MAX_GROUPS);
	id->groups[id->ngroups++] = g;
	return 0;
}

static int is_member(const char *members, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = members, *end = members + len;

	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		if ((size_t)(stop - p) == nlen && !memcmp(p, name, nlen))
			return 1;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int group_entry(void *ctx, const struct identity_entry *e, struct cai_err *err)
{
	struct identity *id = ctx;

	if (id->name[0] && is_member(e->field[3], e->len[3], id->name) && add_group(id, e->gid, err) < 0)
		return err_prefix(err, "user '%s'", id->name);
	return 0;
}

int identity_parse_group(const char *buf, size_t len, const char *file, struct identity *id,
			 struct cai_err *err)
{
	id->ngroups = 0;
	if (add_group(id, id->gid, err) < 0)
		return -1;
	return identity_scan(buf, len, file, 1, group_entry, id, err);
}

/* Read an /etc file; *missing tells ENOENT apart so callers decide. */
static int read_etc(const char *path, char **buf, size_t *len, int *missing, struct cai_err *err)
{
	*missing = 0;
	if (fd_read_file(path, IDENTITY_MAX_FILE, buf, len, err) == 0)
		return 0;
	if (err->errnum == ENOENT) {
		*missing = 1;
		return 0;
	}
	return -1;
}

static int identity_refuse_root(const struct cai_config *cfg, const struct identity *id,
				struct cai_err *err)
{
	if (cfg->user_allow_root)
		return 0;
	if (id->uid == 0)
		return err_set(err, 0, "uid 0 (root) refused; set [user] allow_root = true to allow it");
	for (size_t i = 0; i < id->ngroups; i++)
		if (id->groups[i] == 0)
			return err_set(err, 0, "group 0 (root) refused; set [user] allow_root = true to allow it");
	return 0;
}

static int identity_is_root(const struct identity *id)
{
	for (size_t i = 0; i < id->ngroups; i++)
		if (id->groups[i] == 0)
			return 1;
	return id->uid == 0 || id->gid == 0;
}

/* Every directory on the way to `path` and `path` itself on a read-only
 * mount: "/", "/etc", "/etc/passwd" (statvfs follows a symlink, and the
 * directory holding it is on the way too). */
static int on_readonly_mounts(const char *path, struct cai_err *err)
{
	char p[PATH_MAX];
	size_t len = strlen(path);
	struct statvfs v;

	if (len >= sizeof(p))
		return err_set(err, ENAMETOOLONG, "%s", path);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		size_t n = i ? i : 1;
		memcpy(p, path, n);
		p[n] = '\0';
		if (statvfs(p, &v) < 0)
			return err_set(err, errno, "%s", p);
		if (!(v.f_flag & ST_RDONLY))
			return err_set(err, 0, "%s is on a writable file system (allow_root needs a read-only one: docker run --read-only)", p);
	}
	return 0;
}

/* `path` as given (absolute) and as resolved, both on read-only mounts. */
static int trusted_file_readonly(const char *path, struct cai_err *err)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return err_set(err, errno, "%s", path);
	if ((path[0] == '/' && on_readonly_mounts(path, err) < 0) || on_readonly_mounts(real, err) < 0)
		return -1;
	return 0;
}

int identity_check_root_readonly(const struct cai_config *cfg, const struct identity *id,
				 struct cai_err *err)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (!identity_is_root(id))
		return 0;
	/* What the runtime starts as root, and everything it then reads to
	 * decide what the command may do. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return err_set(err, errno, "allow_root: the init's own file");
	exe[n] = '\0';
	const char *files[] = {
		exe, cfg->source, "/etc/passwd", "/etc/group",
		cfg->volume_enabled ? cfg->volume_manifest : "",
		cfg->security_enabled ? cfg->seccomp_policy : "",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0] && trusted_file_readonly(files[i], err) < 0)
			return err_prefix(err, "allow_root: uid 0 could rewrite %s, which the next start trusts", files[i]);
	return 0;
}

int identity_resolve(const struct cai_config *cfg, struct identity *id, struct cai_err *err)
{
	_cleanup_free_ char *pw = NULL;
	_cleanup_free_ char *gr = NULL;
	size_t pwlen = 0, grlen = 0;
	int missing, found;

	memset(id, 0, sizeof(*id));
	strcpy(id->home, "/");
	if (read_etc("/etc/passwd", &pw, &pwlen, &missing, err) < 0)
		return err_prefix(err, "identity");
	if (!missing) {
		struct identity root = { 0 };
		if (identity_parse_passwd(pw, pwlen, "/etc/passwd", NULL, 0, &root, err) < 0)
			return err_prefix(err, "identity");
		memcpy(id->root_home, root.home, sizeof(id->root_home));
	}
	if (cfg->user_has_ids) {
		found = missing ? 0 : identity_parse_passwd(pw, pwlen, "/etc/passwd", NULL,
							    cfg->user_uid, id, err);
		if (found < 0)
			return err_prefix(err, "identity");
		/* The numbers in the config win over the entry's primary group. */
		id->uid = cfg->user_uid;
		id->gid = cfg->user_gid;
	} else {
		if (missing)
			return err_set(err, ENOENT, "identity: user '%s': /etc/passwd", cfg->user_name);
		found = identity_parse_passwd(pw, pwlen, "/etc/passwd", cfg->user_name, 0, id, err);
		if (found < 0)
			return err_prefix(err, "identity");
		if (!found)
			return err_set(err, 0, "identity: user '%s' is not in /etc/passwd", cfg->user_name);
	}
	if (read_etc("/etc/group", &gr, &grlen, &missing, err) < 0)
		return err_prefix(err, "identity");
	if (missing) {
		id->ngroups = 1;
		id->groups[0] = id->gid;
	} else if (identity_parse_group(gr, grlen, "/etc/group", id, err) < 0) {
		return err_prefix(err, "identity");
	}
	if (identity_refuse_root(cfg, id, err) < 0)
		return err_prefix(err, "identity");
	return 0;
}

int identity_resolve_started(const struct cai_config *cfg, struct identity *id, struct cai_err *err)
{
	_cleanup_free_ char *pw = NULL;
	size_t pwlen = 0;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int missing;

	memset(id, 0, sizeof(*id));
	strcpy(id->home, "/");
	id->started = 1;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return err_set(err, errno, "identity: reading this process's ids");
	id->uid = eu;
	id->gid = eg;
	int n = getgroups(IDENTITY_MAX_GROUPS, id->groups);
	if (n < 0)
		return err_set(err, errno, "identity: more than %d supplementary groups", IDENTITY_MAX_GROUPS);
	id->ngroups = (size_t)n;
	if (read_etc("/etc/passwd", &pw, &pwlen, &missing, err) < 0)
		return err_prefix(err, "identity");
	if (!missing) {
		struct identity root = { 0 }, account = { 0 };
		if (identity_parse_passwd(pw, pwlen, "/etc/passwd", NULL, 0, &root, err) < 0)
			return err_prefix(err, "identity");
		memcpy(id->root_home, root.home, sizeof(id->root_home));
		int found = identity_parse_passwd(pw, pwlen, "/etc/passwd", NULL, eu, id, err);
		if (found < 0)
			return err_prefix(err, "identity");
		id->uid = eu;
		id->gid = eg;
		/* An arbitrary uid without an entry (OpenShift) lives in the
		 * configured account's home, where its links are. */
		if (!found && cfg->user_name[0] &&
		    identity_parse_passwd(pw, pwlen, "/etc/passwd", cfg->user_name, 0, &account, err) > 0)
			memcpy(id->home, account.home, sizeof(id->home));
	}
	for (size_t i = 0; i < id->ngroups; i++)
		if ((id->groups[i] == 0 || eg == 0) && !cfg->user_allow_root) {
			log_warn("identity: started in group 0 (root's), which only root could leave: kept");
			break;
		}
	log_debug("identity: started as uid %u, not root: that uid is the agent", (unsigned)eu);
	return 0;
}

static int same_group_set(const gid_t *a, size_t na, const gid_t *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		size_t j;
		for (j = 0; j < nb && b[j] != a[i]; j++)
			;
		if (j == nb)
			return 0;
	}
	return 1;
}

int identity_apply(const struct identity *id, struct cai_err *err)
{
	gid_t got[IDENTITY_MAX_GROUPS + 1];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	/* Started unprivileged, the groups are what the engine gave: only
	 * read back. */
	if (!id->started && setgroups(id->ngroups, id->groups) < 0)
		return err_set(err, errno, "identity: setgroups");
	int n = getgroups(IDENTITY_MAX_GROUPS + 1, got);
	if (n < 0 || !same_group_set(id->groups, id->ngroups, got, (size_t)n))
		return err_set(err, n < 0 ? errno : 0, "identity: the supplementary groups did not stick");
	if (setresgid(id->gid, id->gid, id->gid) < 0)
		return err_set(err, errno, "identity: setresgid(%u)", (unsigned)id->gid);
	if (getresgid(&rg, &eg, &sg) < 0 || rg != id->gid || eg != id->gid || sg != id->gid)
		return err_set(err, 0, "identity: gid reads back as %u/%u/%u, not %u", (unsigned)rg,
			       (unsigned)eg, (unsigned)sg, (unsigned)id->gid);
	if (setresuid(id->uid, id->uid, id->uid) < 0)
		return err_set(err, errno, "identity: setresuid(%u)", (unsigned)id->uid);
	if (getresuid(&ru, &eu, &su) < 0 || ru != id->uid || eu != id->uid || su != id->uid)
		return err_set(err, 0, "identity: uid reads back as %u/%u/%u, not %u", (unsigned)ru,
			       (unsigned)eu, (unsigned)su, (unsigned)id->uid);
	return 0;
}

/* The index of KEY=... in envp, or -1. */
static ssize_t env_find(char **envp, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], key, n) && envp[i][n] == '=')
			return (ssize_t)i;
	return -1;
}

/* A HOME the engine set for someone else: root's, or "/" (what it gives a
 * uid without a passwd entry). */
static int engine_home(const char *home, const struct identity *id)
{
	return (id->root_home[0] && !strcmp(home, id->root_home)) || !strcmp(home, "/");
}

char **identity_env(const struct identity *id, char **envp, struct cai_err *err)
{
	const char *add[3][2] = {
		{ "HOME", id->home }, { "USER", id->name }, { "LOGNAME", id->name },
	};
	size_t n = 0;

	while (envp && envp[n])
		n++;
	char **out = calloc(n + 4, sizeof(*out));
	if (!out) {
		err_set(err, ENOMEM, "identity: environment");
		return NULL;
	}
	memcpy(out, envp, n * sizeof(*out));
	for (size_t i = 0; i < 3; i++) {
		ssize_t at = env_find(out, add[i][0]);
		if (!add[i][1][0])
			continue;
		if (at >= 0 && !(i == 0 && id->uid != 0 && engine_home(out[at] + 5, id)))
			continue;
		char **slot = at >= 0 ? &out[at] : &out[n++];
		if (asprintf(slot, "%s=%s", add[i][0], add[i][1]) < 0) {
			free(out);
			err_set(err, ENOMEM, "identity: environment");
			return NULL;
		}
	}
	return out;
}
