/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "docker.h"
#include "embed.h"
#include "fd.h"
#include "gates.h"
#include "gitcmd.h"
#include "inifile.h"
#include "log.h"
#include "path.h"
#include "plan_exec.h"
#include "reentry.h"

/* policy/import.ini, built in: the list is part of the launcher, not a
 * file anyone can edit next to it. */
EMBED_FILE(import_policy, "policy/import.ini");

/* Where the throwaway container sees the list and the files. */
#define IMPORT_MOUNTS "/run/containai-import"
#define IMPORT_DEPTH_MAX 8
#define IMPORT_GIT_VALUE_MAX 256

/* ---- the allow-list ------------------------------------------------------ */

struct policy_ctx {
	struct import_policy *p;
};

static struct import_entry *current(struct policy_ctx *c)
{
	return c->p->n ? &c->p->e[c->p->n - 1] : NULL;
}

static int on_section(void *vctx, const char *section, unsigned line, struct cai_err *err)
{
	struct policy_ctx *c = vctx;
	struct import_entry *e;
	const char *path = NULL;
	enum import_kind kind;

	if (!strcmp(section, "git identity"))
		kind = IMPORT_GIT;
	else if (!strncmp(section, "file ", 5))
		kind = IMPORT_FILE, path = section + 5;
	else if (!strncmp(section, "dir ", 4))
		kind = IMPORT_DIR, path = section + 4;
	else
		return err_set(err, 0, "unknown section [%s] (expected [file PATH], [dir PATH] or [git identity])",
			       section);
	if (current(c) && !current(c)->to[0])
		return err_set(err, 0, "[%s] follows a section without 'to'", section);
	if (c->p->n == IMPORT_ENTRIES_MAX)
		return err_set(err, 0, "more than %d entries", IMPORT_ENTRIES_MAX);
	if (path && (strlen(path) >= IMPORT_PATH_MAX || path_check_rel(path, err) < 0))
		return path[0] ? err_prefix(err, "[%s]", section) : err_set(err, 0, "[%s]: no path", section);
	e = &c->p->e[c->p->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->line = line;
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	return 0;
}

static int on_key(void *vctx, const char *section, const char *key, const char *value, unsigned line,
		  struct cai_err *err)
{
	struct import_entry *e = current(vctx);

	if (!strcmp(key, "to")) {
		if (e->to[0])
			return err_set(err, 0, "'to' given twice");
		if (strlen(value) >= IMPORT_PATH_MAX || path_check_rel(value, err) < 0)
			return err_prefix(err, "to");
		snprintf(e->to, sizeof(e->to), "%s", value);
		return 0;
	}
	if (!strcmp(key, "credential") && e->kind != IMPORT_GIT)
		return inifile_bool(value, &e->credential, err) < 0 ? err_prefix(err, "credential") : 0;
	return err_set(err, 0, "unknown key '%s' in [%s]", key, section);
}

static const struct inifile_ops policy_ops = { on_section, on_key };

int import_policy_parse(const char *buf, size_t len, const char *name, struct import_policy *p,
			struct cai_err *err)
{
	struct policy_ctx c = { p };

	memset(p, 0, sizeof(*p));
	if (inifile_parse_buf(buf, len, name, &policy_ops, &c, err) < 0)
		return -1;
	if (current(&c) && !current(&c)->to[0])
		return err_set(err, 0, "%s:%u: no 'to'", name, current(&c)->line);
	return 0;
}

int import_policy_builtin(struct import_policy *p, struct cai_err *err)
{
	return import_policy_parse(import_policy_text, (size_t)(import_policy_end - import_policy_text),
				   "policy/import.ini", p, err);
}

/* ---- the host's files ---------------------------------------------------- */

struct resolver {
	const struct import_policy *p;
	const char *home;
	struct import_plan *plan;
};

/* Is the resolved `real` within a place the list names, as written under
 * the home?  A symlink may point there and nowhere else. */
static int allowed(const struct resolver *r, const char *real)
{
	char root[PATH_MAX];

	for (size_t i = 0; i < r->p->n; i++) {
		const struct import_entry *e = &r->p->e[i];
		if (e->kind == IMPORT_GIT)
			continue;
		snprintf(root, sizeof(root), "%s/%s", r->home, e->path);
		if (path_within(real, root))
			return 1;
	}
	return 0;
}

static int add_item(struct import_plan *plan, const char *host, const char *to, int credential,
		    struct cai_err *err)
{
	struct import_item *it;

	if (plan->n == IMPORT_FILES_MAX)
		return err_set(err, 0, "import: more than %d files", IMPORT_FILES_MAX);
	it = &plan->items[plan->n++];
	snprintf(it->host, sizeof(it->host), "%s", host);
	snprintf(it->to, sizeof(it->to), "%s", to);
	it->credential = credential;
	return 0;
}

static int walk_dir(const struct resolver *r, const struct import_entry *e, const char *lexical,
		    const char *to, unsigned depth, struct cai_err *err);

/* One name under the home (as written, `lexical`), to go to `to`: resolved,
 * judged, and added or skipped with a word why. */
static int resolve_one(const struct resolver *r, const struct import_entry *e, const char *lexical,
		       const char *to, unsigned depth, struct cai_err *err)
{
	_cleanup_free_ char *real = NULL;
	struct stat st;

	if (lstat(lexical, &st) < 0)
		return errno == ENOENT ? 0 : (log_warn("import: %s: skipped: %s", lexical, strerror(errno)), 0);
	if (!(real = realpath(lexical, NULL)) || stat(real, &st) < 0) {
		log_warn("import: %s: skipped: %s", lexical, real ? strerror(errno) : "a dangling symlink");
		return 0;
	}
	if (!allowed(r, real)) {
		log_warn("import: %s: skipped: a symlink to %s, which the list does not name", lexical, real);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && e->kind == IMPORT_DIR)
		return walk_dir(r, e, lexical, to, depth + 1, err);
	if (!S_ISREG(st.st_mode)) {
		log_warn("import: %s: skipped: not a regular file", lexical);
		return 0;
	}
	if (st.st_size > IMPORT_FILE_MAX) {
		log_warn("import: %s: skipped: larger than %u bytes", lexical, IMPORT_FILE_MAX);
		return 0;
	}
	if (!gates_mountable(real) || strlen(to) >= PATH_MAX || path_check_rel(to, err) < 0) {
		err_clear(err);
		log_warn("import: %s: skipped: its name cannot be carried into the container", lexical);
		return 0;
	}
	return add_item(r->plan, real, to, e->credential, err);
}

/* Every name in the directory `lexical`, sorted so the plan is the same
 * every time. */
static int walk_dir(const struct resolver *r, const struct import_entry *e, const char *lexical,
		    const char *to, unsigned depth, struct cai_err *err)
{
	struct dirent **names;
	int n, rc = 0;

	if (depth > IMPORT_DEPTH_MAX) {
		log_warn("import: %s: skipped: deeper than %d levels", lexical, IMPORT_DEPTH_MAX);
		return 0;
	}
	if ((n = scandir(lexical, &names, NULL, alphasort)) < 0) {
		log_warn("import: %s: skipped: %s", lexical, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		char child[PATH_MAX], child_to[PATH_MAX];
		if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
			if (snprintf(child, sizeof(child), "%s/%s", lexical, nm) >= (int)sizeof(child) ||
			    snprintf(child_to, sizeof(child_to), "%s/%s", to, nm) >= (int)sizeof(child_to))
				log_warn("import: %s/%s: skipped: path too long", lexical, nm);
			else
				rc = resolve_one(r, e, child, child_to, depth, err);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int import_resolve(const struct import_policy *p, const char *home, int with_credentials,
		   struct import_plan *plan, struct cai_err *err)
{
	struct resolver r = { p, home, plan };
	char lexical[PATH_MAX];

	for (size_t i = 0; i < p->n; i++) {
		const struct import_entry *e = &p->e[i];
		if (e->kind == IMPORT_GIT)
			continue;
		snprintf(lexical, sizeof(lexical), "%s/%s", home, e->path);
		if (e->credential && !with_credentials) {
			if (access(lexical, F_OK) == 0)
				log_info("import: %s: a credential, copied only with --with-credentials", lexical);
			continue;
		}
		if (resolve_one(&r, e, lexical, e->to, 0, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the git identity ---------------------------------------------------- */

/* A gitconfig value, quoted: '"' and '\' escaped, nothing that could end
 * the line or start another section. */
static int git_value(const char *key, const char *v, char *out, size_t outsz, size_t *o,
		     struct cai_err *err)
{
	if (strlen(v) > IMPORT_GIT_VALUE_MAX)
		return err_set(err, 0, "git user.%s: longer than %d bytes", key, IMPORT_GIT_VALUE_MAX);
	*o += (size_t)snprintf(out + *o, outsz - *o, "\t%s = \"", key);
	for (const char *c = v; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return err_set(err, 0, "git user.%s: a control character in it", key);
		if (*c == '"' || *c == '\\')
			*o += (size_t)snprintf(out + *o, outsz - *o, "\\");
		*o += (size_t)snprintf(out + *o, outsz - *o, "%c", *c);
	}
	*o += (size_t)snprintf(out + *o, outsz - *o, "\"\n");
	return 0;
}

int import_gitconfig(const char *name, const char *email, char *out, size_t outsz, struct cai_err *err)
{
	size_t o = 0;

	/* Each value takes at most twice its bound, escaped. */
	if (outsz < 4 * IMPORT_GIT_VALUE_MAX + 64)
		return err_set(err, ENOSPC, "gitconfig");
	o += (size_t)snprintf(out, outsz, "[user]\n");
	if (name && git_value("name", name, out, outsz, &o, err) < 0)
		return -1;
	if (email && git_value("email", email, out, outsz, &o, err) < 0)
		return -1;
	return 0;
}

/* user.name and user.email of the global config, as git reads them
 * without following an include; NULL where unset. */
static void git_identity(unsigned timeout_ms, char *name, char *email, size_t sz)
{
	static const char *const keys[] = { "user.name", "user.email" };
	char *out[] = { name, email };
	_cleanup_batch_ struct batch b = { 0 };
	struct proc_job *j[2];
	struct cai_err err;

	name[0] = email[0] = '\0';
	for (size_t i = 0; i < 2; i++) {
		_cleanup_argv_ struct argv a = { 0 };
		gitcmd_argv(&a, NULL);
		argv_push(&a, "config");
		argv_push(&a, "--global");
		argv_push(&a, "--no-includes");
		argv_push(&a, "--get");
		argv_push(&a, keys[i]);
		if (!(j[i] = batch_add(&b, &a, &err)))
			return;
		j[i]->timeout_ms = timeout_ms;
		j[i]->out_max = 4096;
	}
	if (batch_run(&b, &err) < 0)
		return;
	for (size_t i = 0; i < 2; i++)
		if (proc_ok(j[i]) && !j[i]->out_truncated)
			snprintf(out[i], sz, "%.*s", (int)strcspn(j[i]->out, "\n"), j[i]->out);
}

/* ---- the copy ------------------------------------------------------------ */

/* Write `text` as `name` in the private directory dir. */
static int write_private(const char *dir, const char *name, const char *text, char *path, size_t pathsz,
			 struct cai_err *err)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fd_write_all(fd, text, strlen(text)) < 0)
		return err_set(err, errno, "import: %s", path);
	return close(fd_take(&fd)) < 0 ? err_set(err, errno, "import: %s", path) : 0;
}

/* The git identity, when the list asks for it and git has one, as a file
 * in dir added to the plan. */
static int plan_git(const struct session *s, const struct import_policy *p, const char *dir, int dry_run,
		    struct import_plan *plan, struct cai_err *err)
{
	char name[IMPORT_GIT_VALUE_MAX + 2], email[IMPORT_GIT_VALUE_MAX + 2];
	char text[4 * IMPORT_GIT_VALUE_MAX + 64], path[PATH_MAX];

	for (size_t i = 0; i < p->n; i++) {
		if (p->e[i].kind != IMPORT_GIT)
			continue;
		git_identity(s->cfg.timeout_s * 1000, name, email, sizeof(name));
		if (!name[0] && !email[0])
			return 0;
		if (import_gitconfig(name[0] ? name : NULL, email[0] ? email : NULL, text, sizeof(text), err) < 0)
			return err_prefix(err, "import");
		if (!dry_run && write_private(dir, "gitconfig", text, path, sizeof(path), err) < 0)
			return -1;
		if (add_item(plan, dry_run ? "" : path, p->e[i].to, 0, err) < 0)
			return -1;
		plan->items[plan->n - 1].git = 1;
		return 0;
	}
	return 0;
}

/* The list the container reads, "SRC<TAB>DEST<TAB>MODE" a line. */
static int write_list(const struct import_plan *plan, const char *dir, char *path, size_t pathsz,
		      struct cai_err *err)
{
	size_t cap = plan->n * (PATH_MAX + 64) + 1, o = 0;
	_cleanup_free_ char *text = calloc(1, cap);

	if (!text)
		return err_set(err, ENOMEM, "import");
	for (size_t i = 0; i < plan->n; i++)
		o += (size_t)snprintf(text + o, cap - o, IMPORT_MOUNTS "/%zu\t%s\t%s\n", i, plan->items[i].to,
				      plan->items[i].credential ? "0600" : "0644");
	return write_private(dir, "list", text, path, pathsz, err);
}

/* docker run --rm of containai-init --import: no network, no privilege,
 * small limits, the volume, and each file bound read-only by itself. */
static int plan_container(const struct session *s, const struct import_plan *plan, const char *list,
			  struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&s->docker, &a);
	argv_push(&a, "run");
	argv_push(&a, "--rm");
	argv_push(&a, "--network");
	argv_push(&a, "none");
	argv_push(&a, "--pull=never");
	argv_push(&a, "-u");
	argv_push(&a, "0:0");
	argv_push(&a, "--security-opt");
	argv_push(&a, "no-new-privileges");
	argv_push(&a, "--pids-limit");
	argv_push(&a, "64");
	/* Written for the agent's account as the sandbox moves it. */
	if (s->host_user[0]) {
		argv_push(&a, "-e");
		argv_pushf(&a, SANDBOX_HOST_USER_ENV "=%s", s->host_user);
	}
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=volume,source=%s,target=" SANDBOX_DATA_DIR, s->cfg.data_volume);
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=bind,source=%s,target=" IMPORT_MOUNTS "/list,readonly", list);
	for (size_t i = 0; i < plan->n; i++) {
		argv_push(&a, "--mount");
		argv_pushf(&a, "type=bind,source=%s,target=" IMPORT_MOUNTS "/%zu,readonly", plan->items[i].host, i);
	}
	argv_push(&a, "--entrypoint");
	argv_push(&a, SANDBOX_INIT);
	argv_push(&a, s->cfg.image);
	argv_push(&a, "--import");
	argv_push(&a, IMPORT_MOUNTS "/list");
	return batch_add(b, &a, err) ? 0 : -1;
}

static void say_plan(const struct import_plan *plan, FILE *out)
{
	for (size_t i = 0; i < plan->n; i++) {
		char host[PATH_MAX], to[PATH_MAX];
		snprintf(host, sizeof(host), "%s",
			 plan->items[i].git ? "git identity (user.name, user.email)" : plan->items[i].host);
		snprintf(to, sizeof(to), "%s", plan->items[i].to);
		log_sanitize(host, strlen(host));
		log_sanitize(to, strlen(to));
		fprintf(out, "%s -> %s%s\n", host, to, plan->items[i].credential ? " (credential)" : "");
	}
}

/* Copy the plan: the private directory's list, the container, then the
 * directory removed again whatever happened. */
static int copy(const struct session *s, const struct import_policy *p, struct import_plan *plan,
		struct cai_err *err)
{
	char tmpl[] = "/tmp/containai-import.XXXXXX";
	char list[PATH_MAX], name[PATH_MAX];
	_cleanup_batch_ struct batch b = { 0 };
	int rc = -1;

	if (!mkdtemp(tmpl))
		return err_set(err, errno, "import: a private directory");
	if (plan_git(s, p, tmpl, 0, plan, err) < 0 || write_list(plan, tmpl, list, sizeof(list), err) < 0)
		goto out;
	say_plan(plan, stdout);
	fflush(stdout);
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].credential)
			log_warn("import: copying the credential %s", plan->items[i].host);
	if (plan_container(s, plan, list, &b, err) < 0)
		goto out;
	rc = plan_exec_run(&b, s->cfg.timeout_s * 1000 * 6, 0, err);
out:
	snprintf(name, sizeof(name), "%s/gitconfig", tmpl);
	unlink(name);
	snprintf(name, sizeof(name), "%s/list", tmpl);
	unlink(name);
	rmdir(tmpl);
	return rc;
}

/* $HOME, resolved: an absolute directory. */
static int import_home(char *out, struct cai_err *err)
{
	const char *home = getenv("HOME");
	_cleanup_free_ char *real = NULL;
	struct stat st;

	if (!home || home[0] != '/')
		return err_set(err, 0, "import: HOME is not an absolute path");
	if (!(real = realpath(home, NULL)) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(err, errno ? errno : ENOTDIR, "import: HOME %s", home);
	if (strlen(real) >= PATH_MAX)
		return err_set(err, ENAMETOOLONG, "import: HOME");
	snprintf(out, PATH_MAX, "%s", real);
	return 0;
}

int import_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_free_ struct import_plan *plan = calloc(1, sizeof(*plan));
	struct import_policy p;
	char home[PATH_MAX];

	*exit_code = EXIT_FAILED;
	if (!plan)
		return err_set(err, ENOMEM, "import");
	if (s->det.mode == MODE_SBX || s->det.mode == MODE_ECI)
		return err_set(err, 0, "import is not available in %s mode: its tool keeps the sandbox's data",
			       detect_mode_name(s->det.mode));
	if (docker_pinned(&s->docker, err) < 0 || import_policy_builtin(&p, err) < 0 ||
	    import_home(home, err) < 0 || import_resolve(&p, home, o->with_credentials, plan, err) < 0)
		return -1;
	if (o->dry_run) {
		if (plan_git(s, &p, NULL, 1, plan, err) < 0)
			return -1;
		say_plan(plan, stdout);
		return 0;
	}
	return copy(s, &p, plan, err);
}
