/* SPDX-License-Identifier: MIT */
#include "sandbox_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"
#include "fd.h"
#include "gates.h"
#include "log.h"
#include "plan.h"
#include "plan_exec.h"
#include "reentry.h"
#include "wsname.h"

/* How long `docker stop` may take beyond a call's timeout: its own grace
 * period before it kills the container. */
#define STOP_GRACE_MS 15000

static int run_gates(const struct session *s, const struct cli *o, struct cai_err *err)
{
	struct gate_input in = {
		.mode = s->det.mode, .force = o->force, .require_isolation = s->cfg.require_isolation,
		.allow_creds = o->allow_creds, .ack_creds = o->ack_creds,
		.allow_sock = o->allow_sock, .ack_sock = o->ack_sock,
	};
	int unisolated;

	if (gates_check(&in, &unisolated, err) < 0)
		return -1;
	/* Both: $HOME can be unset or point elsewhere while ~/.ssh stays
	 * where the passwd entry says. */
	const char *homes[] = { getenv("HOME"), s->passwd_home[0] ? s->passwd_home : NULL, NULL };
	/* The config in use (an agent that rewrites it chooses the next
	 * sandbox's image and engine), the engine this run talks to, and the
	 * docker CLI's own config where DOCKER_CONFIG moved ~/.docker (its
	 * credentials, and the plugins `docker sandbox` runs). */
	char config_dir[PATH_MAX];
	snprintf(config_dir, sizeof(config_dir), "%s", s->config_path);
	char *slash = strrchr(config_dir, '/');
	if (slash)
		*slash = '\0';
	const char *more[4] = { NULL }, *sock = docker_socket_path(&s->docker);
	const char *docker_config = getenv("DOCKER_CONFIG");
	size_t n = 0;
	if (config_dir[0])
		more[n++] = config_dir;
	if (sock)
		more[n++] = sock;
	if (docker_config && docker_config[0] == '/')
		more[n++] = docker_config;
	if (gates_workspace_check(s->workspace, homes[0] ? homes : homes + 1, more, err) < 0)
		return -1;
	if (unisolated)
		log_warn("--force: %s WITHOUT isolation (mode none); root in the sandbox is root on "
			 "the host kernel", o->cmd == CMD_RUN ? "starting the sandbox" : "entering a sandbox");
	return 0;
}

static int docker_mode(const struct session *s)
{
	return s->det.mode == MODE_SYSBOX || s->det.mode == MODE_NONE;
}

/* git and docker ran since the workspace was checked: its path must
 * still lead to the directory held, which stays held until the command
 * the launcher becomes exits.  What happens after docker resolved the
 * path is containai-init's to catch (CONTAINAI_WORKSPACE). */
static int workspace_still_checked(const struct session *s, struct cai_err *err)
{
	if (session_workspace_unchanged(s, err) < 0 || session_hold_workspace(s, err) < 0)
		return -1;
	return 0;
}

int sandbox_look_up(const struct session *s, const char *name, int for_run, struct reentry *ex,
		    struct cai_err *err)
{
	struct reentry_want want;
	json_auto_t *inspect = NULL;

	memset(ex, 0, sizeof(*ex));
	if (!docker_mode(s))
		return 0;
	plan_want(s, name, for_run, &want);
	/* Every call pinned to one engine, or none at all. */
	if (docker_pinned(&s->docker, err) < 0 || docker_inspect(&s->docker, name, &inspect, err) < 0)
		return -1;
	return reentry_judge(inspect, &want, ex, err);
}

static int sandbox_name(const struct session *s, const struct cli *o, char *name, struct cai_err *err)
{
	return wsname_choose(o->name, s->workspace, o->allow_sock, o->allow_creds,
			     s->cfg.timeout_s * 1000, name, err);
}

int sandbox_find(const struct session *s, const struct cli *o, char *name, struct reentry *ex,
		 int *exit_code, struct cai_err *err)
{
	*exit_code = EXIT_USAGE;
	if (sandbox_name(s, o, name, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	return sandbox_look_up(s, name, 0, ex, err);
}

/* Published on another interface than loopback: said out loud. */
static void warn_published(const struct session *s)
{
	for (size_t i = 0; i < s->cfg.publish.n; i++) {
		const struct port_binding *b = &s->cfg.publish.b[i];
		if (!publish_is_loopback(b))
			log_warn("publishing sandbox port %u on %s:%u: reachable from other machines",
				 b->sandbox, b->addr, b->host);
	}
}

/* The docker modes' run, shell and exec: bring the sandbox up (create,
 * start or replace it, each step waited for), judge it again - created or
 * started, it must be ours, shaped and running, or preparing failed - and
 * join it, the launcher replaced by the docker exec. */
static int up_and_join(const struct session *s, const struct cli *o, const char *name, int env_fd,
		       struct cai_err *err)
{
	_cleanup_batch_ struct batch up = { 0 };
	_cleanup_batch_ struct batch join = { 0 };
	int for_run = o->cmd == CMD_RUN;
	struct reentry ex;
	struct plan_input in = {
		.s = s, .o = o, .name = name, .existing = &ex, .env_fd = env_fd,
		.tty = isatty(0) && isatty(1),
	};
	int joins = o->ncommand || !o->detach;

	if (sandbox_look_up(s, name, for_run, &ex, err) < 0 || plan_run(&in, &up, err) < 0)
		return -1;
	if (o->dry_run) {
		if (joins && plan_join(&in, &join, err) < 0)
			return -1;
		return plan_exec_print(&up, stdout, err) < 0 ? -1 : plan_exec_print(&join, stdout, err);
	}
	if (up.n) {
		if (ex.kind == REENTRY_NONE)
			warn_published(s);
		if (workspace_still_checked(s, err) < 0 ||
		    plan_exec_run(&up, s->cfg.timeout_s * 1000, 0, err) < 0 ||
		    sandbox_look_up(s, name, for_run, &ex, err) < 0)
			return -1;
		if (ex.kind != REENTRY_OURS || !ex.running)
			return err_set(err, 0, "sandbox %s did not come up as expected%s%s (see containai logs)",
				       name, ex.kind == REENTRY_REFUSED ? ": " : "",
				       ex.kind == REENTRY_REFUSED ? ex.why : "");
	}
	if (!joins)
		return 0;
	if (plan_join(&in, &join, err) < 0 || workspace_still_checked(s, err) < 0)
		return -1;
	return plan_exec_run(&join, s->cfg.timeout_s * 1000, 1, err);
}

/* run in sbx and ECI modes: their tools keep the sandbox; one command. */
static int tool_run(const struct session *s, const struct cli *o, const char *name, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct reentry none = { 0 };
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &none, .env_fd = -1 };

	if (plan_run(&in, &b, err) < 0)
		return -1;
	if (o->dry_run)
		return plan_exec_print(&b, stdout, err);
	if (workspace_still_checked(s, err) < 0)
		return -1;
	return plan_exec_run(&b, s->cfg.timeout_s * 1000, 1, err);
}

int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_close_ int env_fd = -1;
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_REFUSED;
	if (run_gates(s, o, err) < 0)
		return -1;
	*exit_code = EXIT_USAGE;
	if (sandbox_name(s, o, name, err) < 0 || plan_check_options(s, o, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	if (!docker_mode(s)) {
		if (o->cmd != CMD_RUN)
			return err_set(err, 0, "%s is not available in %s mode: use %s", cli_cmd_name(o->cmd),
				       detect_mode_name(s->det.mode),
				       s->det.mode == MODE_SBX ? "sbx exec" : "docker sandbox exec");
		return tool_run(s, o, name, err);
	}
	if (!o->dry_run && plan_exec_env_pipe(o->env.v, o->env.n, &env_fd, err) < 0)
		return -1;
	return up_and_join(s, o, name, env_fd, err);
}

int sandbox_act_on(const struct session *s, const struct cli *o, const struct sandbox_act *act,
		   int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct reentry ex;
	char name[WSNAME_MAX + 1];

	if (sandbox_find(s, o, name, &ex, exit_code, err) < 0)
		return -1;
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &ex, .env_fd = -1 };
	if (act->plan(&in, &b, err) < 0 || (act->check && act->check(&in, exit_code, err) < 0))
		return -1;
	return plan_exec_run(&b, act->timeout_ms, act->replace, err);
}

int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	const struct sandbox_act act = { plan_stop, NULL, s->cfg.timeout_s * 1000 + STOP_GRACE_MS, 0 };

	return sandbox_act_on(s, o, &act, exit_code, err);
}

int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	const struct sandbox_act act = { plan_logs, NULL, s->cfg.timeout_s * 1000, 1 };

	return sandbox_act_on(s, o, &act, exit_code, err);
}
