/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "plan.h"
#include "plan_exec.h"
#include "unit.h"

#define ID "1fa8b4bead47926b1acfad08048316e44d1c753924a0f4a3f44526388a22a923"
#define WS "/home/dev/src/project"

static struct session s;
static struct cli o;
static struct reentry ex;
static char *words[] = { "sh", "-c", "echo hi", NULL };

/* A session in `mode`, a plain `run`, no container of the name yet. */
static struct plan_input setup(enum iso_mode mode)
{
	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	memset(&ex, 0, sizeof(ex));
	settings_defaults(&s.cfg);
	snprintf(s.workspace, sizeof(s.workspace), WS);
	s.docker.cli = "docker";
	snprintf(s.docker.flag, sizeof(s.docker.flag), "--context");
	snprintf(s.docker.target, sizeof(s.docker.target), "default");
	s.det.mode = mode;
	o.cmd = CMD_RUN;
	return (struct plan_input){ .s = &s, .o = &o, .name = "n1", .existing = &ex, .env_fd = -1 };
}

/* An existing container of ours; cmd: its Config.Cmd. */
static void existing(enum reentry_kind kind, int running, const char *cmd)
{
	ex.kind = kind;
	ex.running = running;
	snprintf(ex.id, sizeof(ex.id), ID);
	snprintf(ex.why, sizeof(ex.why), "it is privileged");
	if (cmd)
		argv_push(&ex.cmd, cmd);
}

/* The plan as --dry-run prints it. */
static char *plan_text(struct batch *b)
{
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	if (plan_exec_print(b, f, &err) < 0)
		unit_fail(__FILE__, __LINE__, "%s", err.msg);
	fclose(f);
	return buf;
}

#define CHECK_PLAN(in, want)                                              \
	do {                                                              \
		_cleanup_batch_ struct batch _b = { 0 };                  \
		struct cai_err _e;                                        \
		CHECK_INT(plan_run(in, &_b, &_e), 0);                     \
		_cleanup_free_ char *_t = plan_text(&_b);                 \
		CHECK_STR(_t, want);                                      \
	} while (0)

#define CHECK_REFUSED(fn, in, why)                                        \
	do {                                                              \
		_cleanup_batch_ struct batch _b = { 0 };                  \
		struct cai_err _e;                                        \
		CHECK_INT(fn(in, &_b, &_e), -1);                          \
		CHECK_CONTAINS(_e.msg, why);                              \
		CHECK_INT(_b.n, 0);                                       \
	} while (0)

#define RUN_SHAPE                                                                             \
	"docker --context default run --name n1 %s--pull=never --label containai.managed=true " \
	"--label containai.workspace=" WS " --label containai.mode=%s "                       \
	"--security-opt no-new-privileges "                                                   \
	"--mount type=volume,source=containai-data,target=/mnt/agent-data "                   \
	"--mount type=bind,source=" WS ",target=/home/agent/workspace -w /home/agent/workspace "

TEST(plan_sysbox_run_and_what_reentry_expects_of_it)
{
	struct plan_input in = setup(MODE_SYSBOX);
	char want[1024];

	o.command = words;
	o.ncommand = 3;
	snprintf(want, sizeof(want), RUN_SHAPE "-i containai:latest sh -c 'echo hi'\n",
		 "--runtime=sysbox-runc ", "sysbox");
	CHECK_PLAN(&in, want);
	struct reentry_want w;
	plan_want(&s, "n1", NULL, NULL, &w);
	CHECK_STR(w.runtime, "sysbox-runc");
	CHECK_STR(w.image, "containai:latest");
	CHECK_STR(w.data_volume, "containai-data");
	CHECK_STR(w.workspace, WS);
}

TEST(plan_unisolated_run_has_no_runtime)
{
	struct plan_input in = setup(MODE_NONE);
	struct reentry_want w;
	char want[1024];

	in.tty = 1;
	snprintf(want, sizeof(want), RUN_SHAPE "-it containai:latest\n", "", "none");
	CHECK_PLAN(&in, want);
	plan_want(&s, "n1", NULL, NULL, &w);
	CHECK(w.runtime == NULL);
}

/* The values go through a pipe docker reads; only a dry run (no pipe)
 * shows them as -e words. */
TEST(plan_env_values_off_the_command_line)
{
	struct plan_input in = setup(MODE_SYSBOX);
	const char *env[] = { "TOKEN=secret" };
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;

	o.env = env;
	o.nenv = 1;
	in.env_fd = 7;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_CONTAINS(t, " --env-file /dev/fd/7 ");
	CHECK(!strstr(t, "secret"));
	batch_release(&b);
	in.env_fd = -1;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *dry = plan_text(&b);
	CHECK_CONTAINS(dry, " -e TOKEN=secret ");
}

TEST(plan_reenters_ours_by_id)
{
	struct plan_input in = setup(MODE_SYSBOX);

	existing(REENTRY_OURS, 1, "claude");
	CHECK_PLAN(&in, "docker --context default exec -i --user agent -w /home/agent/workspace " ID
			" claude\n");
	o.command = words;
	o.ncommand = 3;
	CHECK_PLAN(&in, "docker --context default exec -i --user agent -w /home/agent/workspace " ID
			" sh -c 'echo hi'\n");
	o.detach = 1;
	CHECK_PLAN(&in, "docker --context default exec -d --user agent -w /home/agent/workspace " ID
			" sh -c 'echo hi'\n");
}

TEST(plan_starts_ours_when_stopped)
{
	struct plan_input in = setup(MODE_SYSBOX);

	existing(REENTRY_OURS, 0, "claude");
	CHECK_PLAN(&in, "docker --context default start -ai " ID "\n");
	o.command = words;
	o.ncommand = 3;
	CHECK_PLAN(&in, "docker --context default start " ID "\n"
			"docker --context default exec -i --user agent -w /home/agent/workspace " ID
			" sh -c 'echo hi'\n");
	o.detach = 1;
	CHECK_PLAN(&in, "docker --context default start " ID "\n");
}

TEST(plan_restart_removes_then_creates)
{
	struct plan_input in = setup(MODE_SYSBOX);
	char want[1024];

	existing(REENTRY_REFUSED, 1, NULL);
	o.restart = 1;
	snprintf(want, sizeof(want), "docker --context default rm -f " ID "\n" RUN_SHAPE "-i containai:latest\n",
		 "--runtime=sysbox-runc ", "sysbox");
	CHECK_PLAN(&in, want);
}

TEST(plan_refuses_what_is_not_ours_to_enter)
{
	struct plan_input in = setup(MODE_SYSBOX);

	existing(REENTRY_FOREIGN, 1, NULL);
	CHECK_REFUSED(plan_run, &in, "held by a container that containai did not create");
	/* --restart never removes someone else's container. */
	o.restart = 1;
	CHECK_REFUSED(plan_run, &in, "held by a container that containai did not create");
	o.restart = 0;
	ex.kind = REENTRY_REFUSED;
	CHECK_REFUSED(plan_run, &in, "sandbox n1 exists but it is privileged; use --restart");
	ex.kind = REENTRY_OURS;
	CHECK_REFUSED(plan_run, &in, "has no command to re-enter with");
}

TEST(plan_eci_uses_only_the_flags_the_plugin_lists)
{
	struct plan_input in = setup(MODE_ECI);
	struct sandbox_flags *f = &s.det.sandbox_flags;

	CHECK_REFUSED(plan_run, &in, "has no --template");
	f->template_ = 1;
	CHECK_PLAN(&in, "docker --context default sandbox run --template containai:latest claude " WS "\n");
	o.allow_sock = 1;
	f->mount_docker_socket = 1;
	/* Without --name a later plain run would enter this sandbox. */
	CHECK_REFUSED(plan_run, &in, "has no --name");
	f->name = f->pull_template = 1;
	o.command = words;
	o.ncommand = 1;
	CHECK_PLAN(&in, "docker --context default sandbox run --name n1 --template containai:latest "
			"--pull-template=never --mount-docker-socket claude " WS " -- sh\n");
	o.allow_creds = 1;
	CHECK_REFUSED(plan_run, &in, "has no --credentials");
	o.allow_sock = o.allow_creds = 0;
	o.detach = 1;
	CHECK_REFUSED(plan_run, &in, "has no --detached");
}

TEST(plan_sbx)
{
	struct plan_input in = setup(MODE_SBX);
	const char *env[] = { "A=1" };

	o.command = words;
	o.ncommand = 1;
	CHECK_PLAN(&in, "sbx run --name n1 --template containai:latest claude " WS " -- sh\n");
	o.env = env;
	o.nenv = 1;
	CHECK_REFUSED(plan_run, &in, "--env is not available in sbx mode");
	o.nenv = 0;
	o.detach = 1;
	CHECK_REFUSED(plan_run, &in, "--detach is not available in sbx mode");
}

TEST(plan_stop)
{
	struct plan_input in = setup(MODE_SBX);
	struct cai_err err;

	{
		_cleanup_batch_ struct batch b = { 0 };
		CHECK_INT(plan_stop(&in, &b, &err), 0);
		_cleanup_free_ char *t = plan_text(&b);
		CHECK_STR(t, "sbx stop n1\n");
	}
	s.det.mode = MODE_ECI;
	{
		_cleanup_batch_ struct batch b = { 0 };
		CHECK_INT(plan_stop(&in, &b, &err), 0);
		_cleanup_free_ char *t = plan_text(&b);
		CHECK_STR(t, "docker --context default sandbox stop n1\n");
	}
	s.det.mode = MODE_SYSBOX;
	CHECK_REFUSED(plan_stop, &in, "no sandbox named n1");
	existing(REENTRY_FOREIGN, 1, NULL);
	CHECK_REFUSED(plan_stop, &in, "not stopping it");
	/* Ours, even shaped otherwise: stopping it hands nothing over. */
	ex.kind = REENTRY_REFUSED;
	{
		_cleanup_batch_ struct batch b = { 0 };
		CHECK_INT(plan_stop(&in, &b, &err), 0);
		_cleanup_free_ char *t = plan_text(&b);
		CHECK_STR(t, "docker --context default stop " ID "\n");
	}
}
