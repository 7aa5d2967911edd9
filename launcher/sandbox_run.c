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
		log_warn("--force: starting the sandbox WITHOUT isolation (mode none); "
			 "root in the sandbox is root on the host kernel");
	return 0;
}

static int docker_mode(const struct session *s)
{
	return s->det.mode == MODE_SYSBOX || s->det.mode == MODE_NONE;
}

/* The docker modes need the one engine every call is pinned to. */
static int docker_unpinned(const struct session *s, struct cai_err *err)
{
	if (docker_mode(s) && s->docker.unresolved)
		return err_set(err, 0, "no docker engine to run on: %s", s->docker.reason);
	return 0;
}

/* In the docker modes, the verdict on the container holding the name;
 * elsewhere the sandbox tool keeps its own, and *ex stays "none". */
static int look_up(const struct session *s, const char *name, struct reentry *ex,
		   struct cai_err *err)
{
	struct reentry_want want;
	json_auto_t *inspect = NULL, *image_config = NULL;

	if (!docker_mode(s))
		return 0;
	plan_want(s, name, &want);
	if (docker_inspect(&s->docker, name, want.image, &inspect, &image_config, err) < 0)
		return -1;
	want.image_config = image_config;
	return reentry_judge(inspect, &want, ex, err);
}

int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_reentry_ struct reentry ex = { 0 };
	_cleanup_close_ int env_fd = -1;
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_REFUSED;
	if (run_gates(s, o, err) < 0)
		return -1;
	*exit_code = EXIT_USAGE;
	if (wsname_choose(o->name, s->workspace, o->allow_sock, o->allow_creds,
			  s->cfg.timeout_s * 1000, name, err) < 0 ||
	    plan_check_options(s, o, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	if (docker_unpinned(s, err) < 0)
		return -1;
	if (docker_mode(s) && !o->dry_run &&
	    plan_exec_env_pipe(o->env, o->nenv, &env_fd, err) < 0)
		return -1;
	struct plan_input in = {
		.s = s, .o = o, .name = name, .existing = &ex, .env_fd = env_fd,
		.tty = isatty(0) && isatty(1),
	};
	if (look_up(s, name, &ex, err) < 0 || plan_run(&in, &b, err) < 0)
		return -1;
	if (o->dry_run)
		return plan_exec_print(&b, stdout, err);
	/* git and docker ran since the check: the path must still lead to
	 * the directory held, which stays held until docker exits.  What
	 * happens after docker resolved it is containai-init's to catch. */
	if (session_workspace_unchanged(s, err) < 0 || session_hold_workspace(s, err) < 0)
		return -1;
	return plan_exec_run(&b, s->cfg.timeout_s * 1000, 1, err);
}

int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_reentry_ struct reentry ex = { 0 };
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_USAGE;
	if (wsname_choose(o->name, s->workspace, o->allow_sock, o->allow_creds,
			  s->cfg.timeout_s * 1000, name, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	if (docker_unpinned(s, err) < 0)
		return -1;
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &ex, .env_fd = -1 };
	if (look_up(s, name, &ex, err) < 0 || plan_stop(&in, &b, err) < 0)
		return -1;
	return plan_exec_run(&b, s->cfg.timeout_s * 1000 + STOP_GRACE_MS, 0, err);
}
