/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "sandbox_run.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "fd.h"
#include "gates.h"
#include "log.h"
#include "proc_run.h"
#include "wsname.h"

#define MAX_STEPS 3

/* The commands of one invocation: all but the last are run and waited
 * for; the last replaces the launcher so the agent owns the terminal. */
/* Below a pipe's default capacity (64 KiB). */
#define ENV_PIPE_MAX (60 * 1024)

struct plan {
	struct argv step[MAX_STEPS];
	size_t n;
};

static struct argv *plan_add(struct plan *p)
{
	return &p->step[p->n++];
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		argv_free(&p->step[i]);
	p->n = 0;
}

/* ---- naming -------------------------------------------------------------- */

/* The work tree's top and its branch; both "" outside a work tree.  A
 * detached HEAD has no branch.  symbolic-ref (not rev-parse) so that a
 * branch without commits yet still has its name. */
static void git_info(const char *ws, unsigned timeout_ms, char *top, size_t topsz, char *branch,
		     size_t brsz)
{
	char *const a_top[] = { "git", "-C", (char *)ws, "rev-parse", "--show-toplevel", NULL };
	char *const a_br[] = { "git", "-C", (char *)ws, "symbolic-ref", "--short", "-q", "HEAD", NULL };
	struct proc_job j[2] = {
		{ .argv = a_top, .timeout_ms = timeout_ms, .out_max = 8192 },
		{ .argv = a_br, .timeout_ms = timeout_ms, .out_max = 8192 },
	};
	struct cai_err err;

	top[0] = branch[0] = '\0';
	if (proc_run_all(j, 2, &err) == 0 && proc_ok(&j[0])) {
		j[0].out[strcspn(j[0].out, "\n")] = '\0';
		snprintf(top, topsz, "%s", j[0].out);
		if (proc_ok(&j[1])) {
			j[1].out[strcspn(j[1].out, "\n")] = '\0';
			snprintf(branch, brsz, "%s", j[1].out);
		}
	}
	proc_job_release(&j[0]);
	proc_job_release(&j[1]);
}

int sandbox_name(const struct session *s, const struct cli *o, char *out, size_t outsz,
		 struct cai_err *err)
{
	char top[4096], branch[256];

	if (o->name) {
		if (wsname_check(o->name, err) < 0)
			return -1;
		snprintf(out, outsz, "%s", o->name);
		return 0;
	}
	git_info(s->workspace, s->cfg.timeout_s * 1000, top, sizeof(top), branch, sizeof(branch));
	char name[WSNAME_MAX + 1];
	wsname_derive(s->workspace, top[0] ? top : NULL, branch[0] ? branch : NULL, name);
	/* docker sandbox run re-enters a sandbox of the same name as it was
	 * created: one made with the host's socket or credentials must never
	 * be what a run without them (or with only the other) enters. */
	if (o->allow_sock || o->allow_creds)
		wsname_add_variant(name, o->allow_sock && o->allow_creds ? "host-socket-credentials"
					 : o->allow_sock ? "host-socket" : "host-credentials");
	snprintf(out, outsz, "%s", name);
	return 0;
}

/* ---- an existing container ------------------------------------------------ */

struct existing {
	int found, ours, running;
	char id[65];                 /* later commands name it by id, not by name */
	char image[256], runtime[64], volume[256];
	char unsafe[320];            /* why it is not shaped as we create it, or "" */
	json_t *cmd;                 /* Config.Cmd, for exec without a command */
};

static const char *jstr(json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get(obj, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* SecurityOpt is exactly what plan_docker_run gives: no-new-privileges and
 * nothing else (not seccomp=unconfined, apparmor=unconfined, ...). */
static int security_opts_ours(json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_array_size(arr))
		return 0;
	json_array_foreach(arr, i, v) {
		const char *o = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(o, "no-new-privileges") && strcmp(o, "no-new-privileges:true") &&
		    strcmp(o, "no-new-privileges=true"))
			return 0;
	}
	return 1;
}

static int shape_why(char *buf, size_t bufsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int shape_why(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
	return 1;
}

/* Our labels prove nothing: anyone who can create containers can set them.
 * What is entered must also be shaped as plan_docker_run creates it: the
 * workspace bound from this workspace, no other host path, none of the
 * options that hand the host to the container.  1 with buf saying why not. */
static int unsafe_shape(json_t *root, const char *ws, char *buf, size_t bufsz)
{
	json_t *hc = json_object_get(root, "HostConfig"), *m;
	/* UsernsMode=host would undo an engine's userns-remap. */
	static const char *const host_modes[] = { "PidMode", "NetworkMode", "IpcMode", "UsernsMode" };
	int ws_bound = 0;
	size_t i;

	if (!json_is_object(hc))
		return shape_why(buf, bufsz, "it has no HostConfig");
	if (!json_is_false(json_object_get(hc, "Privileged")))
		return shape_why(buf, bufsz, "it is privileged");
	if (json_array_size(json_object_get(hc, "CapAdd")) || json_array_size(json_object_get(hc, "Devices")))
		return shape_why(buf, bufsz, "it has added capabilities or devices");
	for (i = 0; i < sizeof(host_modes) / sizeof(host_modes[0]); i++)
		if (!strcmp(jstr(hc, host_modes[i], NULL), "host"))
			return shape_why(buf, bufsz, "it shares the host's namespace (%s=host)", host_modes[i]);
	if (!security_opts_ours(json_object_get(hc, "SecurityOpt")))
		return shape_why(buf, bufsz, "its security options are not just no-new-privileges");
	json_array_foreach(json_object_get(root, "Mounts"), i, m) {
		const char *type = jstr(m, "Type", NULL), *dst = jstr(m, "Destination", NULL);
		/* Only the data volume (its name is checked by the caller): a
		 * local volume can be a bind of any host directory. */
		if (!strcmp(type, "volume") && !strcmp(dst, SANDBOX_DATA_DIR))
			continue;
		if (!strcmp(type, "bind") && !strcmp(dst, SANDBOX_WORKSPACE_DIR) &&
		    !strcmp(jstr(m, "Source", NULL), ws)) {
			ws_bound = 1;
			continue;
		}
		return shape_why(buf, bufsz, "it mounts %s '%.100s' at %.100s", type,
				jstr(m, "Source", NULL), dst);
	}
	if (!ws_bound)
		return shape_why(buf, bufsz, "it does not mount this workspace at " SANDBOX_WORKSPACE_DIR);
	return 0;
}

static int inspect_existing(const struct session *s, const char *name, struct existing *ex,
			    struct cai_err *err)
{
	struct argv a = { 0 };
	struct proc_job j;
	json_error_t jerr;
	json_t *root = NULL;
	int rc = -1;

	memset(ex, 0, sizeof(*ex));
	docker_argv(&s->docker, &a);
	argv_push(&a, "container");
	argv_push(&a, "inspect");
	argv_push(&a, "--format");
	argv_push(&a, "{{json .}}");
	argv_push(&a, name);
	if (argv_ok(&a, err) < 0)
		goto out;
	docker_job(&s->docker, &a, &j);
	if (proc_run_all(&j, 1, err) < 0)
		goto out;
	if (!proc_ok(&j)) {
		if (j.started && j.exited && strcasestr(j.errout, "no such")) {
			rc = 0;
		} else {
			char why[512];
			proc_describe_failure(&j, why, sizeof(why));
			err_set(err, 0, "cannot tell whether the name %s is taken: %s", name, why);
		}
		goto out_job;
	}
	root = json_loads(j.out, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		err_set(err, 0, "docker container inspect %s: answer is not the expected JSON", name);
		goto out_job;
	}
	/* inspect also matches id prefixes: only the exact name counts. */
	const char *cname = jstr(root, "Name", NULL);
	if (strcmp(cname[0] == '/' ? cname + 1 : cname, name)) {
		rc = 0;
		goto out_job;
	}
	const char *id = jstr(root, "Id", NULL);
	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64) {
		err_set(err, 0, "docker container inspect %s: no valid container id", name);
		goto out_job;
	}
	snprintf(ex->id, sizeof(ex->id), "%s", id);
	ex->found = 1;
	json_t *labels = json_object_get(json_object_get(root, "Config"), "Labels");
	ex->ours = !strcmp(jstr(labels, SANDBOX_LABEL_MANAGED, NULL), "true") &&
		   !strcmp(jstr(labels, SANDBOX_LABEL_WORKSPACE, NULL), s->workspace);
	ex->running = json_is_true(json_object_get(json_object_get(root, "State"), "Running"));
	snprintf(ex->image, sizeof(ex->image), "%s", jstr(root, "Config", "Image"));
	snprintf(ex->runtime, sizeof(ex->runtime), "%s", jstr(root, "HostConfig", "Runtime"));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(root, "Mounts"), i, m) {
		if (!strcmp(jstr(m, "Destination", NULL), SANDBOX_DATA_DIR) &&
		    !strcmp(jstr(m, "Type", NULL), "volume"))
			snprintf(ex->volume, sizeof(ex->volume), "%s", jstr(m, "Name", NULL));
	}
	if (ex->ours)
		unsafe_shape(root, s->workspace, ex->unsafe, sizeof(ex->unsafe));
	ex->cmd = json_incref(json_object_get(json_object_get(root, "Config"), "Cmd"));
	rc = 0;
out_job:
	json_decref(root);
	proc_job_release(&j);
out:
	argv_free(&a);
	return rc;
}

/* Why an existing container of ours cannot simply be re-entered, or NULL. */
static const char *reentry_mismatch(const struct session *s, const struct existing *ex, char *buf,
				    size_t bufsz)
{
	if (ex->unsafe[0])
		snprintf(buf, bufsz, "%s", ex->unsafe);
	else if (strcmp(ex->image, s->cfg.image))
		snprintf(buf, bufsz, "it runs image %.200s, not %.200s", ex->image, s->cfg.image);
	else if (strcmp(ex->volume, s->cfg.data_volume))
		snprintf(buf, bufsz, "its data volume is '%.200s', not %.200s", ex->volume,
			 s->cfg.data_volume);
	else if (s->det.mode == MODE_SYSBOX && strcmp(ex->runtime, DETECT_SYSBOX_RUNTIME))
		snprintf(buf, bufsz, "it runs under runtime '%s', not %s", ex->runtime,
			 DETECT_SYSBOX_RUNTIME);
	else
		return NULL;
	return buf;
}

/* ---- command lines --------------------------------------------------------- */

static int interactive(void)
{
	return isatty(0) && isatty(1);
}

/* The --env values: through env_fd when there is one, else (--dry-run)
 * as the equivalent -e KEY=VAL words. */
static void push_env(struct argv *a, const struct cli *o, int env_fd)
{
	if (env_fd >= 0) {
		argv_push(a, "--env-file");
		argv_pushf(a, "/dev/fd/%d", env_fd);
		return;
	}
	for (size_t i = 0; i < o->nenv; i++) {
		argv_push(a, "-e");
		argv_push(a, o->env[i]);
	}
}

/* The --env values on a pipe that docker reads as --env-file /dev/fd/N:
 * on its command line they would be in the process list, readable by
 * every user of the host.  -1 when there are none. */
static int env_pipe(const struct cli *o, struct cai_err *err)
{
	size_t total = 0;
	int p[2];

	if (!o->nenv)
		return -1;
	for (size_t i = 0; i < o->nenv; i++)
		total += strlen(o->env[i]) + 1;
	/* All of it fits the pipe, so writing never waits for a reader. */
	if (total > ENV_PIPE_MAX)
		return err_set(err, 0, "--env values larger than %d bytes in all", ENV_PIPE_MAX);
	if (pipe(p) < 0)
		return err_set(err, errno, "--env: pipe");
	for (size_t i = 0; i < o->nenv; i++) {
		if (fd_write_all(p[1], o->env[i], strlen(o->env[i])) < 0 ||
		    fd_write_all(p[1], "\n", 1) < 0) {
			int e = errno;
			close(p[0]);
			close(p[1]);
			return err_set(err, e, "--env: pipe");
		}
	}
	close(p[1]);
	/* Not close-on-exec: docker, which replaces the launcher, reads it. */
	return p[0];
}

static void plan_docker_run(const struct session *s, const struct cli *o, const char *name,
			    int env_fd, struct argv *a)
{
	docker_argv(&s->docker, a);
	argv_push(a, "run");
	argv_push(a, "--name");
	argv_push(a, name);
	if (s->det.mode == MODE_SYSBOX)
		argv_push(a, "--runtime=" DETECT_SYSBOX_RUNTIME);
	argv_push(a, "--pull=never");
	argv_push(a, "--label");
	argv_push(a, SANDBOX_LABEL_MANAGED "=true");
	argv_push(a, "--label");
	argv_pushf(a, SANDBOX_LABEL_WORKSPACE "=%s", s->workspace);
	argv_push(a, "--label");
	argv_pushf(a, SANDBOX_LABEL_MODE "=%s", detect_mode_name(s->det.mode));
	/* Every process of the sandbox, also one re-entered with `docker exec`
	 * (which bypasses containai-init's hardening), can never gain
	 * privileges through a set-id or file-capability program. */
	argv_push(a, "--security-opt");
	argv_push(a, "no-new-privileges");
	argv_push(a, "--mount");
	argv_pushf(a, "type=volume,source=%s,target=" SANDBOX_DATA_DIR, s->cfg.data_volume);
	argv_push(a, "--mount");
	argv_pushf(a, "type=bind,source=%s,target=" SANDBOX_WORKSPACE_DIR, s->workspace);
	argv_push(a, "-w");
	argv_push(a, SANDBOX_WORKSPACE_DIR);
	push_env(a, o, env_fd);
	argv_push(a, o->detach ? "-d" : interactive() ? "-it" : "-i");
	argv_push(a, s->cfg.image);
	argv_push_all(a, o->command, o->ncommand);
}

static void plan_docker_exec(const struct session *s, const struct cli *o,
			     const struct existing *ex, int env_fd, struct argv *a)
{
	docker_argv(&s->docker, a);
	argv_push(a, "exec");
	argv_push(a, o->detach ? "-d" : interactive() ? "-it" : "-i");
	/* An exec'd process does not pass through containai-init: at least
	 * it must not be root. */
	argv_push(a, "--user");
	argv_push(a, "agent");
	argv_push(a, "-w");
	argv_push(a, SANDBOX_WORKSPACE_DIR);
	push_env(a, o, env_fd);
	argv_push(a, ex->id);
	if (o->ncommand) {
		argv_push_all(a, o->command, o->ncommand);
	} else {
		size_t i;
		json_t *w;
		json_array_foreach(ex->cmd, i, w)
			argv_push(a, json_is_string(w) ? json_string_value(w) : "");
	}
}

static int plan_docker(const struct session *s, const struct cli *o, const char *name,
		       int env_fd, struct plan *p, struct cai_err *err)
{
	struct existing ex;
	char why[512];
	int rc = -1;

	if (inspect_existing(s, name, &ex, err) < 0)
		return -1;
	if (ex.found && !ex.ours) {
		err_set(err, 0, "the name %s is held by a container that containai did not create for "
				"this workspace; choose another with --name", name);
		goto out;
	}
	if (ex.found && o->restart) {
		struct argv *a = plan_add(p);
		docker_argv(&s->docker, a);
		argv_push(a, "rm");
		argv_push(a, "-f");
		argv_push(a, ex.id);
		ex.found = 0;
	}
	if (!ex.found) {
		plan_docker_run(s, o, name, env_fd, plan_add(p));
		rc = 0;
		goto out;
	}
	if (reentry_mismatch(s, &ex, why, sizeof(why))) {
		err_set(err, 0, "sandbox %s exists but %s; use --restart to recreate it", name, why);
		goto out;
	}
	if (!ex.running) {
		struct argv *a = plan_add(p);
		docker_argv(&s->docker, a);
		argv_push(a, "start");
		if (!o->detach && !o->ncommand)
			argv_push(a, "-ai");
		argv_push(a, ex.id);
		if (o->detach || !o->ncommand) {
			rc = 0;
			goto out;
		}
	}
	if (!o->ncommand && !json_array_size(ex.cmd)) {
		err_set(err, 0, "sandbox %s is running and has no command to re-enter with; "
				"give one after --", name);
		goto out;
	}
	plan_docker_exec(s, o, &ex, env_fd, plan_add(p));
	rc = 0;
out:
	json_decref(ex.cmd);
	return rc;
}

/* What sbx and docker sandbox both take last: AGENT WORKSPACE [-- COMMAND]. */
static void push_agent_workspace_command(struct argv *a, const struct session *s,
					 const struct cli *o)
{
	argv_push(a, s->cfg.agent);
	argv_push(a, s->workspace);
	if (o->ncommand) {
		argv_push(a, "--");
		argv_push_all(a, o->command, o->ncommand);
	}
}

static int plan_eci(const struct session *s, const struct cli *o, const char *name,
		    struct plan *p, struct cai_err *err)
{
	const struct sandbox_flags *f = &s->det.sandbox_flags;
	struct argv *a = plan_add(p);

	/* The point is our image with containai-init inside: a plugin that
	 * cannot take it is refused, not worked around. */
	if (!f->template_)
		return err_set(err, 0, "the installed docker sandbox plugin has no --template; "
				       "it cannot run %s", s->cfg.image);
	if (o->nenv && !f->env)
		return err_set(err, 0, "the installed docker sandbox plugin has no --env");
	if (o->detach && !f->detached)
		return err_set(err, 0, "the installed docker sandbox plugin has no --detached");
	if (o->allow_sock && !f->mount_docker_socket)
		return err_set(err, 0, "the installed docker sandbox plugin has no --mount-docker-socket");
	if (o->allow_creds && !f->credentials)
		return err_set(err, 0, "the installed docker sandbox plugin has no --credentials");
	/* Without --name the plugin picks its own name, the same with and
	 * without the opt-ins: a later plain run would enter this sandbox. */
	if ((o->allow_sock || o->allow_creds) && !f->name)
		return err_set(err, 0, "the installed docker sandbox plugin has no --name; "
				       "the host's socket or credentials cannot be kept to a sandbox of their own");
	docker_argv(&s->docker, a);
	argv_push(a, "sandbox");
	argv_push(a, "run");
	if (f->name) {
		argv_push(a, "--name");
		argv_push(a, name);
	}
	argv_push(a, "--template");
	argv_push(a, s->cfg.image);
	if (f->pull_template)
		argv_push(a, "--pull-template=never");
	for (size_t i = 0; i < o->nenv; i++) {
		argv_push(a, "--env");
		argv_push(a, o->env[i]);
	}
	if (o->detach)
		argv_push(a, "--detached");
	if (o->allow_sock)
		argv_push(a, "--mount-docker-socket");
	if (o->allow_creds)
		argv_push(a, "--credentials=host");
	push_agent_workspace_command(a, s, o);
	return 0;
}

static int plan_sbx(const struct session *s, const struct cli *o, const char *name,
		    struct plan *p, struct cai_err *err)
{
	if (o->nenv)
		return err_set(err, 0, "--env is not available in sbx mode (sbx injects credentials "
				       "through its proxy; put settings in the data volume's .env)");
	if (o->detach)
		return err_set(err, 0, "--detach is not available in sbx mode");
	struct argv *a = plan_add(p);
	argv_push(a, "sbx");
	argv_push(a, "run");
	argv_push(a, "--name");
	argv_push(a, name);
	argv_push(a, "--template");
	argv_push(a, s->cfg.image);
	push_agent_workspace_command(a, s, o);
	return 0;
}

/* ---- carrying out a plan ---------------------------------------------------- */

static int plan_print(const struct plan *p, struct cai_err *err)
{
	for (size_t i = 0; i < p->n; i++) {
		char *line = argv_to_shell(&p->step[i]);
		if (!line)
			return err_set(err, ENOMEM, "quoting a command");
		printf("%s\n", line);
		free(line);
	}
	return fflush(stdout) == 0 ? 0 : err_set(err, 0, "writing to stdout failed");
}

static int plan_execute(const struct plan *p, unsigned timeout_ms, int replace_last, struct cai_err *err)
{
	for (size_t i = 0; i < p->n; i++) {
		if (i + 1 == p->n && replace_last) {
			fflush(NULL);
			return proc_exec(p->step[i].v, err);
		}
		struct proc_job j = { .argv = p->step[i].v, .timeout_ms = timeout_ms };
		if (proc_run_all(&j, 1, err) < 0)
			return -1;
		if (!proc_ok(&j)) {
			char why[512];
			proc_describe_failure(&j, why, sizeof(why));
			proc_job_release(&j);
			return err_set(err, 0, "%s", why);
		}
		fputs(j.out, stdout);
		proc_job_release(&j);
	}
	return 0;
}

static int plan_check(struct plan *p, struct cai_err *err)
{
	for (size_t i = 0; i < p->n; i++)
		if (argv_ok(&p->step[i], err) < 0)
			return -1;
	return 0;
}

int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	struct gate_input in = {
		.mode = s->det.mode, .force = o->force, .require_isolation = s->cfg.require_isolation,
		.allow_creds = o->allow_creds, .ack_creds = o->ack_creds,
		.allow_sock = o->allow_sock, .ack_sock = o->ack_sock,
	};
	struct plan p = { 0 };
	char name[WSNAME_MAX + 1];
	int unisolated, env_fd = -1, rc = -1;

	*exit_code = EXIT_REFUSED;
	if (gates_check(&in, &unisolated, err) < 0)
		return -1;
	/* Both: $HOME can be unset or point elsewhere while ~/.ssh stays
	 * where the passwd entry says. */
	struct passwd *pw = getpwuid(getuid());
	const char *homes[] = { getenv("HOME"), pw ? pw->pw_dir : NULL, NULL };
	if (gates_workspace_check(s->workspace, homes[0] ? homes : homes + 1, err) < 0)
		return -1;
	if (unisolated)
		log_warn("--force: starting the sandbox WITHOUT isolation (mode none); "
			 "root in the sandbox is root on the host kernel");
	*exit_code = EXIT_USAGE;
	if (sandbox_name(s, o, name, sizeof(name), err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	switch (s->det.mode) {
	case MODE_SBX:
		rc = plan_sbx(s, o, name, &p, err);
		break;
	case MODE_ECI:
		rc = plan_eci(s, o, name, &p, err);
		break;
	case MODE_SYSBOX:
	case MODE_NONE:
		env_fd = o->dry_run ? -1 : env_pipe(o, err);
		if (o->nenv && !o->dry_run && env_fd < 0)
			break;
		rc = plan_docker(s, o, name, env_fd, &p, err);
		break;
	}
	if (rc == 0)
		rc = plan_check(&p, err);
	if (rc == 0)
		rc = o->dry_run ? plan_print(&p, err) : plan_execute(&p, s->cfg.timeout_s * 1000, 1, err);
	plan_free(&p);
	if (env_fd >= 0)
		close(env_fd);
	return rc;
}

int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	struct plan p = { 0 };
	char name[WSNAME_MAX + 1];
	int rc = -1;

	*exit_code = EXIT_USAGE;
	if (sandbox_name(s, o, name, sizeof(name), err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	struct argv *a = plan_add(&p);
	if (s->det.mode == MODE_SBX) {
		argv_push(a, "sbx");
		argv_push(a, "stop");
		argv_push(a, name);
	} else if (s->det.mode == MODE_ECI) {
		docker_argv(&s->docker, a);
		argv_push(a, "sandbox");
		argv_push(a, "stop");
		argv_push(a, name);
	} else {
		struct existing ex;
		if (inspect_existing(s, name, &ex, err) < 0)
			goto out;
		json_decref(ex.cmd);
		if (!ex.found) {
			err_set(err, 0, "no sandbox named %s", name);
			goto out;
		}
		if (!ex.ours) {
			err_set(err, 0, "%s is not a container containai created for this workspace; "
					"not stopping it", name);
			goto out;
		}
		docker_argv(&s->docker, a);
		argv_push(a, "stop");
		argv_push(a, ex.id);
	}
	rc = plan_check(&p, err);
	if (rc == 0)
		rc = plan_execute(&p, s->cfg.timeout_s * 1000 + 15000, 0, err);
out:
	plan_free(&p);
	return rc;
}
