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

#define PROXY_ID "0466547f0c12fab895ea9af5003175c64d33dfeb402fd8391c1267faf9b0c1d1"
#define NET_ID "84ebebf66a47b75c9439d87b60a3319784d7cd4900b10419406c986db31de6d7"

static struct session s;
static struct cli o;
static struct reentry ex;
static struct egress_found found;
static struct publish forwarded;
static struct egress_want proxy = {
	.sandbox = "n1", .workspace = WS, .name = "n1-egress", .image = "containai-egress:latest",
	.outside = "bridge", .publish = &forwarded,
};
static struct egress_policy policy;
static char *words[] = { "sh", "-c", "echo hi", NULL };

/* A session in `mode`, a plain `run`, no container of the name yet. */
static struct plan_input setup(enum iso_mode mode)
{
	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	memset(&ex, 0, sizeof(ex));
	memset(&found, 0, sizeof(found));
	memset(&forwarded, 0, sizeof(forwarded));
	memset(&policy, 0, sizeof(policy));
	settings_defaults(&s.cfg);
	s.cfg.resources = (struct resources){ .memory = 4ULL << 30, .nano_cpus = 1500000000, .pids = 4096 };
	snprintf(s.workspace, sizeof(s.workspace), WS);
	snprintf(s.workspace_id, sizeof(s.workspace_id), "8:1:1234567");
	s.docker.cli = "docker";
	snprintf(s.docker.flag, sizeof(s.docker.flag), "--context");
	snprintf(s.docker.target, sizeof(s.docker.target), "default");
	s.det.mode = mode;
	o.cmd = CMD_RUN;
	return (struct plan_input){ .s = &s, .o = &o, .name = "n1", .existing = &ex, .env_fd = -1,
				    .found = &found, .proxy = &proxy };
}

/* With egress (balanced, its policy), the proxy and network as found. */
static void with_egress(struct plan_input *in, enum egress_kind proxy_kind, int proxy_running,
			enum egress_kind network_kind)
{
	policy.mode = EGRESS_BALANCED;
	in->egress = &policy;
	in->proxy_addr = "192.168.160.2";
	found.proxy = proxy_kind;
	found.proxy_running = proxy_running;
	found.network = network_kind;
	snprintf(found.proxy_id, sizeof(found.proxy_id), PROXY_ID);
	snprintf(found.network_id, sizeof(found.network_id), NET_ID);
	snprintf(found.why, sizeof(found.why), "its proxy is privileged");
}

/* An existing container of ours. */
static void existing(enum reentry_kind kind, int running)
{
	ex.kind = kind;
	ex.running = running;
	snprintf(ex.id, sizeof(ex.id), ID);
	snprintf(ex.why, sizeof(ex.why), "it is privileged");
	snprintf(ex.data_volume, sizeof(ex.data_volume), "containai-data");
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

/* Which steps run together with the one before them: "+" for those,
 * "." for the others, one a step. */
static void together(const struct batch *b, char *out)
{
	for (size_t i = 0; i < b->n; i++)
		out[i] = i && b->after[i] == b->after[i - 1] ? '+' : '.';
	out[b->n] = '\0';
}

static int conf_later(void *ctx, struct proc_job *j, struct cai_err *err)
{
	(void)ctx;
	(void)err;
	j->stdin_fd = 7;
	return 0;
}

/* The steps each step waits for: "-" for none, else their indexes, one
 * word a step. */
static void deps(const struct batch *b, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < b->n; i++) {
		len += (size_t)snprintf(out + len, outsz - len, "%s", i ? " " : "");
		if (!b->after[i])
			len += (size_t)snprintf(out + len, outsz - len, "-");
		for (size_t k = 0; k < i; k++)
			if (b->after[i] & 1u << k)
				len += (size_t)snprintf(out + len, outsz - len, "%zu", k);
	}
}

#define CHECK_STEPS(fn, in, want)                                         \
	do {                                                              \
		_cleanup_batch_ struct batch _b = { 0 };                  \
		struct cai_err _e;                                        \
		CHECK_INT(fn(in, &_b, &_e), 0);                           \
		_cleanup_free_ char *_t = plan_text(&_b);                 \
		CHECK_STR(_t, want);                                      \
	} while (0)
#define CHECK_PLAN(in, want) CHECK_STEPS(plan_run, in, want)

#define CHECK_REFUSED(fn, in, why)                                        \
	do {                                                              \
		_cleanup_batch_ struct batch _b = { 0 };                  \
		struct cai_err _e;                                        \
		CHECK_INT(fn(in, &_b, &_e), -1);                          \
		CHECK_CONTAINS(_e.msg, why);                              \
		CHECK_INT(_b.n, 0);                                       \
	} while (0)

#define CREATE                                                                                  \
	"docker --context default run -d --name n1 %s--pull=never --label containai.managed=true " \
	"--label containai.workspace=" WS " --label containai.mode=%s "                          \
	"--label containai.egress=off --security-opt no-new-privileges --cgroupns=private "     \
	"--memory 4294967296 --memory-swap 4294967296 --cpus 1.50 --pids-limit 4096 %s"          \
	"--mount type=volume,source=containai-data,target=/mnt/agent-data "                      \
	"--mount type=bind,source=" WS ",target=/home/agent/workspace -w /home/agent/workspace " \
	"-e CONTAINAI_WORKSPACE=8:1:1234567:" WS " "                                              \
	"--entrypoint /usr/sbin/containai-init containai:latest --sandbox\n"
#define JOIN(flag, target) \
	"docker --context default exec " flag " -u 0:0 -w /home/agent/workspace " target \
	" /usr/sbin/containai-init --join --wait 120 -- "

/* The sandbox is created as PID 1's --sandbox, with its limits; nothing
 * of the command is in it: that joins. */
TEST(plan_sysbox_creates_a_sandbox_and_what_reentry_expects_of_it)
{
	struct plan_input in = setup(MODE_SYSBOX);
	char want[2048];

	o.command = words;
	o.ncommand = 3;
	snprintf(want, sizeof(want), CREATE, "--runtime=sysbox-runc ", "sysbox", "");
	CHECK_PLAN(&in, want);
	struct reentry_want w;
	plan_want(&s, "n1", 1, &w);
	CHECK_STR(w.runtime, "sysbox-runc");
	CHECK_STR(w.image, "containai:latest");
	CHECK_STR(w.data_volume, "containai-data");
	CHECK_STR(w.workspace, WS);
	/* With egress (the default) its proxy publishes the ports. */
	CHECK_STR(w.workspace_id, "8:1:1234567");
	CHECK(w.resources == &s.cfg.resources && w.publish && !w.publish->n);
	CHECK_STR(w.egress, "balanced");
	s.cfg.egress = EGRESS_OFF;
	plan_want(&s, "n1", 1, &w);
	CHECK(w.publish == &s.cfg.publish);
	CHECK_STR(w.egress, "off");
	/* Entering or acting on it: the shape and the runtime only. */
	plan_want(&s, "n1", 0, &w);
	CHECK_STR(w.runtime, "sysbox-runc");
	CHECK(!w.image && !w.data_volume && !w.resources && !w.publish && !w.egress &&
	      !w.workspace_id);
}

TEST(plan_unisolated_create_has_no_runtime_and_publishes_on_loopback)
{
	struct plan_input in = setup(MODE_NONE);
	struct cai_err err;
	char want[2048];

	CHECK_INT(publish_add(&s.cfg.publish, "8080:3000", &err), 0);
	CHECK_INT(publish_add(&s.cfg.publish, "[::1]:9000:9000", &err), 0);
	snprintf(want, sizeof(want), CREATE, "", "none",
		 "--publish 127.0.0.1:8080:3000 --publish '[::1]:9000:9000' ");
	CHECK_PLAN(&in, want);
	struct reentry_want w;
	plan_want(&s, "n1", 1, &w);
	CHECK(w.runtime == NULL);
}

/* Where the engine maps no ids, the sandbox is made for whoever runs
 * containai: PID 1 alone is told (never a join's environment), and run
 * re-enters only a sandbox made for the same ids. */
TEST(plan_unisolated_sandbox_is_made_for_the_host_user)
{
	struct plan_input in = setup(MODE_NONE);
	char want[2048], with[2400];

	snprintf(s.host_user, sizeof(s.host_user), "1234:1235");
	snprintf(want, sizeof(want), CREATE, "", "none", "");
	const char *at = strstr(want, "--entrypoint ");
	snprintf(with, sizeof(with), "%.*s-e CONTAINAI_HOST_USER=1234:1235 %s", (int)(at - want), want, at);
	CHECK_PLAN(&in, with);
	struct reentry_want w;
	plan_want(&s, "n1", 1, &w);
	CHECK_STR(w.host_user, "1234:1235");
	plan_want(&s, "n1", 0, &w);
	CHECK(w.host_user == NULL);
}

/* The command, the agent or a login shell joins, by id once there is one. */
TEST(plan_join_what_and_how)
{
	struct plan_input in = setup(MODE_SYSBOX);

	CHECK_STEPS(plan_join, &in, JOIN("-i", "n1") "claude\n");
	existing(REENTRY_OURS, 1);
	in.tty = 1;
	CHECK_STEPS(plan_join, &in, JOIN("-it", ID) "claude\n");
	o.command = words;
	o.ncommand = 3;
	CHECK_STEPS(plan_join, &in, JOIN("-it", ID) "sh -c 'echo hi'\n");
	o.detach = 1;
	CHECK_STEPS(plan_join, &in, JOIN("-d", ID) "sh -c 'echo hi'\n");
	o.detach = 0;
	o.cmd = CMD_SHELL;
	o.ncommand = 0;
	CHECK_STEPS(plan_join, &in, JOIN("-it", ID)
		    "/bin/sh -c 'command -v bash >/dev/null && exec bash -l; exec sh -l'\n");
}

/* The values go through a pipe docker reads; only a dry run (no pipe)
 * shows them as -e words. */
TEST(plan_env_values_off_the_command_line)
{
	struct plan_input in = setup(MODE_SYSBOX);
	const char *env[] = { "TOKEN=secret" };
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;

	existing(REENTRY_OURS, 1);
	o.env = (struct cli_list){ env, 1 };
	in.env_fd = 7;
	CHECK_INT(plan_join(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_CONTAINS(t, " --env-file /dev/fd/7 ");
	CHECK(!strstr(t, "secret"));
	/* The step that names the pipe is the one that inherits it. */
	CHECK_INT(b.job[b.n - 1].pass_fd, 7);
	batch_release(&b);
	in.env_fd = -1;
	CHECK_INT(plan_join(&in, &b, &err), 0);
	_cleanup_free_ char *dry = plan_text(&b);
	CHECK_CONTAINS(dry, " -e TOKEN=secret ");
	CHECK_INT(b.job[b.n - 1].pass_fd, 0);
	/* Nothing of it in the sandbox's own configuration. */
	batch_release(&b);
	ex.kind = REENTRY_NONE;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *create = plan_text(&b);
	CHECK(!strstr(create, "TOKEN"));
}

TEST(plan_running_sandbox_needs_no_step_stopped_one_is_started)
{
	struct plan_input in = setup(MODE_SYSBOX);

	existing(REENTRY_OURS, 1);
	CHECK_PLAN(&in, "");
	ex.running = 0;
	CHECK_PLAN(&in, "docker --context default start " ID "\n");
	/* shell and exec start it too, but never create one. */
	o.cmd = CMD_EXEC;
	CHECK_PLAN(&in, "docker --context default start " ID "\n");
	ex.kind = REENTRY_NONE;
	CHECK_REFUSED(plan_run, &in, "no sandbox named n1 for this workspace");
}

TEST(plan_restart_removes_then_creates)
{
	struct plan_input in = setup(MODE_SYSBOX);
	char want[2048];

	existing(REENTRY_REFUSED, 1);
	o.restart = 1;
	snprintf(want, sizeof(want), "docker --context default rm -f " ID "\n" CREATE,
		 "--runtime=sysbox-runc ", "sysbox", "");
	CHECK_PLAN(&in, want);
}

TEST(plan_refuses_what_is_not_ours_to_enter)
{
	struct plan_input in = setup(MODE_SYSBOX);

	existing(REENTRY_FOREIGN, 1);
	CHECK_REFUSED(plan_run, &in, "held by a container that containai did not create");
	/* --restart never removes someone else's container. */
	o.restart = 1;
	CHECK_REFUSED(plan_run, &in, "held by a container that containai did not create");
	o.restart = 0;
	ex.kind = REENTRY_REFUSED;
	CHECK_REFUSED(plan_run, &in, "sandbox n1 exists but it is privileged; use --restart");
	o.cmd = CMD_SHELL;
	CHECK_REFUSED(plan_run, &in, "sandbox n1 exists but it is privileged; it is not entered");
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
	/* With --env, containai-init learns which mount the workspace is. */
	o.detach = 0;
	o.ncommand = 0;
	f->env = 1;
	CHECK_PLAN(&in, "docker --context default sandbox run --name n1 --template containai:latest "
			"--pull-template=never --env CONTAINAI_WORKSPACE=" WS " claude " WS "\n");
	/* The values through the pipe where there is one (the plugin lists
	 * --env-file), else as words. */
	const char *env[] = { "TOKEN=secret" };
	o.env = (struct cli_list){ env, 1 };
	in.env_fd = 7;
	CHECK_PLAN(&in, "docker --context default sandbox run --name n1 --template containai:latest "
			"--pull-template=never --env CONTAINAI_WORKSPACE=" WS " --env-file /dev/fd/7 claude " WS "\n");
	in.env_fd = -1;
	CHECK_PLAN(&in, "docker --context default sandbox run --name n1 --template containai:latest "
			"--pull-template=never --env CONTAINAI_WORKSPACE=" WS " --env TOKEN=secret claude " WS "\n");
}

TEST(plan_sbx)
{
	struct plan_input in = setup(MODE_SBX);

	o.command = words;
	o.ncommand = 1;
	CHECK_PLAN(&in, "sbx run --name n1 --template containai:latest claude " WS " -- sh\n");
}

/* What the sandbox tool cannot do is refused before anything runs, never
 * left out: a --restart that restarts nothing, a --data-volume that is
 * not the one used, limits and ports it keeps its own way. */
TEST(plan_options_the_mode_lacks_are_refused)
{
	const char *env[] = { "A=1" };
	const char *ports[] = { "8080" };
	struct cai_err err;

	setup(MODE_SBX);
	CHECK_INT(plan_check_options(&s, &o, &err), 0);
	o.env = (struct cli_list){ env, 1 };
	CHECK_INT(plan_check_options(&s, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "--env is not available in sbx mode");
	o.env.n = 0;
	o.detach = 1;
	CHECK_INT(plan_check_options(&s, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "--detach is not available in sbx mode");
	for (enum iso_mode m = MODE_ECI; m <= MODE_SBX; m++) {
		setup(m);
		o.restart = 1;
		CHECK_INT(plan_check_options(&s, &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--restart is not available");
		o.restart = 0;
		o.data_volume = "vol";
		CHECK_INT(plan_check_options(&s, &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--data-volume is not available");
		o.data_volume = NULL;
		o.publish = (struct cli_list){ ports, 1 };
		CHECK_INT(plan_check_options(&s, &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--publish is not available");
		o.publish.n = 0;
		o.memory = "1g";
		CHECK_INT(plan_check_options(&s, &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--memory, --cpus and --pids-limit are not available");
	}
	/* The workspace's identity is the launcher's to give. */
	setup(MODE_SYSBOX);
	const char *ours[] = { "CONTAINAI_WORKSPACE=0:0:1:/etc" };
	o.env = (struct cli_list){ ours, 1 };
	CHECK_INT(plan_check_options(&s, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "is set by containai itself");
	/* The docker modes do all of it. */
	setup(MODE_SYSBOX);
	o.restart = o.detach = 1;
	o.data_volume = "vol";
	o.env = (struct cli_list){ env, 1 };
	o.publish = (struct cli_list){ ports, 1 };
	o.memory = "1g";
	CHECK_INT(plan_check_options(&s, &o, &err), 0);
}

TEST(plan_stop)
{
	struct plan_input in = setup(MODE_SBX);

	CHECK_STEPS(plan_stop, &in, "sbx stop n1\n");
	s.det.mode = MODE_ECI;
	CHECK_STEPS(plan_stop, &in, "docker --context default sandbox stop n1\n");
	s.det.mode = MODE_SYSBOX;
	CHECK_REFUSED(plan_stop, &in, "no sandbox named n1");
	existing(REENTRY_FOREIGN, 1);
	CHECK_REFUSED(plan_stop, &in, "leaving it alone");
	/* Ours, even shaped otherwise: stopping it hands nothing over. */
	ex.kind = REENTRY_REFUSED;
	CHECK_STEPS(plan_stop, &in, "docker --context default stop " ID "\n");
}

TEST(plan_logs)
{
	struct plan_input in = setup(MODE_NONE);

	CHECK_REFUSED(plan_logs, &in, "no sandbox named n1");
	existing(REENTRY_FOREIGN, 1);
	CHECK_REFUSED(plan_logs, &in, "leaving it alone");
	ex.kind = REENTRY_REFUSED;
	CHECK_STEPS(plan_logs, &in, "docker --context default logs " ID "\n");
	o.follow = 1;
	o.tail = "20";
	CHECK_STEPS(plan_logs, &in, "docker --context default logs --follow --tail 20 " ID "\n");
	/* Nothing docker could take for an option of its own. */
	o.tail = "-f";
	CHECK_REFUSED(plan_logs, &in, "--tail");
	o.tail = "all";
	CHECK_STEPS(plan_logs, &in, "docker --context default logs --follow --tail all " ID "\n");
	s.det.mode = MODE_SBX;
	CHECK_REFUSED(plan_logs, &in, "not available in sbx mode");
}

/* The volume goes only with --volume, after the container, and never the
 * one a container shaped otherwise names. */
TEST(plan_rm)
{
	struct plan_input in = setup(MODE_SYSBOX);

	CHECK_REFUSED(plan_rm, &in, "no sandbox named n1");
	existing(REENTRY_FOREIGN, 1);
	CHECK_REFUSED(plan_rm, &in, "leaving it alone");
	ex.kind = REENTRY_OURS;
	CHECK_STEPS(plan_rm, &in, "docker --context default rm -f " ID "\n");
	o.volume = 1;
	CHECK_STEPS(plan_rm, &in, "docker --context default rm -f " ID "\n"
				  "docker --context default volume rm containai-data\n");
	ex.kind = REENTRY_REFUSED;
	CHECK_REFUSED(plan_rm, &in, "the volume it names is not removed");
	o.volume = 0;
	CHECK_STEPS(plan_rm, &in, "docker --context default rm -f " ID "\n");
	s.det.mode = MODE_SBX;
	CHECK_STEPS(plan_rm, &in, "sbx rm n1\n");
	o.volume = 1;
	CHECK_REFUSED(plan_rm, &in, "--volume is not available in sbx mode");
}

#define NET_CREATE                                                                              \
	"docker --context default network create --internal --label containai.managed=true "    \
	"--label containai.workspace=" WS " --label containai.egress-for=n1 n1-egress\n"
#define PROXY_CREATE(ports)                                                                     \
	"docker --context default run -d --name n1-egress --pull=never --label containai.managed=true " \
	"--label containai.workspace=" WS " --label containai.egress-for=n1 "                         \
	"--label containai.egress-format=2 --network bridge "                                          \
	"--user proxy --cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs "           \
	"/run/containai-egress:rw,nosuid,nodev,noexec,size=4m,mode=0700,uid=13,gid=13 " ports          \
	"containai-egress:latest\n"
#define EGRESS_CREATE                                                                           \
	"docker --context default run -d --name n1 --pull=never --label containai.managed=true "  \
	"--label containai.workspace=" WS " --label containai.mode=none --label containai.egress=balanced " \
	"--security-opt no-new-privileges --cgroupns=private --memory 4294967296 "              \
	"--memory-swap 4294967296 "                                                              \
	"--cpus 1.50 --pids-limit 4096 --mount type=volume,source=containai-data,target=/mnt/agent-data " \
	"--mount type=bind,source=" WS ",target=/home/agent/workspace -w /home/agent/workspace "   \
	"--network n1-egress --dns 192.0.2.1 -e CONTAINAI_WORKSPACE=8:1:1234567:" WS " "       \
	"--entrypoint /usr/sbin/containai-init containai:latest --sandbox\n"
#define PROXY_JOINS "docker --context default network connect n1-egress n1-egress\n"
#define PROXY_LOADS "docker --context default exec -i --user proxy n1-egress /usr/lib/containai/egress-load\n"

/* A new sandbox with egress: its network and, beside it, its proxy on its
 * way out; the sandbox once its network exists, beside the proxy's start;
 * the proxy joining the network once both exist, and loading its
 * configuration as soon as it runs and has joined (egress-load serves
 * that network only); the ports are the proxy's to publish. */
TEST(plan_egress_creates_network_then_proxy_beside_the_sandbox)
{
	struct plan_input in = setup(MODE_NONE);
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char groups[128];

	CHECK_INT(publish_add(&s.cfg.publish, "8080:3000", &err), 0);
	publish_forwarded(&s.cfg.publish, EGRESS_FORWARD_BASE, &forwarded);
	with_egress(&in, EGRESS_NONE, 0, EGRESS_NONE);
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_STR(t, NET_CREATE PROXY_CREATE("--publish 127.0.0.1:8080:20000 ") EGRESS_CREATE PROXY_JOINS);
	deps(&b, groups, sizeof(groups));
	CHECK_STR(groups, "- - 0 01");
	batch_release(&b);
	in.egress_load = 1;
	in.egress_conf = conf_later;
	in.egress_conf_ctx = &in;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *l = plan_text(&b);
	CHECK_STR(l, NET_CREATE PROXY_CREATE("--publish 127.0.0.1:8080:20000 ") EGRESS_CREATE PROXY_JOINS
		     PROXY_LOADS);
	deps(&b, groups, sizeof(groups));
	CHECK_STR(groups, "- - 0 01 13");
	/* Its stdin is made when it starts, not now. */
	CHECK_INT(b.stdin_step, 4);
	CHECK(b.stdin_for == conf_later && b.stdin_ctx == &in);
	CHECK_INT(b.job[4].stdin_fd, 0);
}

/* A proxy and network left behind by an earlier sandbox of the name: the
 * proxy goes, a network shaped as run makes it is kept; one that is not
 * goes once nothing is on it; a name held by someone else refuses. */
TEST(plan_egress_clears_what_an_earlier_sandbox_left)
{
	struct plan_input in = setup(MODE_NONE);
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char groups[128];

	with_egress(&in, EGRESS_OURS, 1, EGRESS_OURS);
	CHECK_STEPS(plan_run, &in, "docker --context default rm -f " PROXY_ID "\n" PROXY_CREATE("") EGRESS_CREATE
					   PROXY_JOINS);
	found.network = EGRESS_REFUSED;
	CHECK_STEPS(plan_run, &in, "docker --context default rm -f " PROXY_ID "\n"
				   "docker --context default network rm " NET_ID "\n" NET_CREATE PROXY_CREATE("")
					   EGRESS_CREATE PROXY_JOINS);
	/* --restart: the sandbox and its proxy together, then the rest. */
	existing(REENTRY_OURS, 1);
	o.restart = 1;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_STR(t, "docker --context default rm -f " ID "\ndocker --context default rm -f " PROXY_ID "\n"
		     "docker --context default network rm " NET_ID "\n" NET_CREATE PROXY_CREATE("") EGRESS_CREATE
		     PROXY_JOINS);
	deps(&b, groups, sizeof(groups));
	CHECK_STR(groups, "- - 01 012 012 0123 01234");
	found.proxy = EGRESS_FOREIGN;
	CHECK_REFUSED(plan_run, &in, "the name n1-egress is held by a container that containai did not create");
	found.proxy = EGRESS_OURS;
	found.network = EGRESS_FOREIGN;
	CHECK_REFUSED(plan_run, &in, "the name n1-egress is held by a network");
}

/* --restart with egress off: nothing of the egress is left behind. */
TEST(plan_restart_without_egress_removes_proxy_and_network)
{
	struct plan_input in = setup(MODE_NONE);
	char want[2048];

	existing(REENTRY_REFUSED, 1);
	found.proxy = EGRESS_OURS;
	found.network = EGRESS_OURS;
	snprintf(found.proxy_id, sizeof(found.proxy_id), PROXY_ID);
	snprintf(found.network_id, sizeof(found.network_id), NET_ID);
	o.restart = 1;
	snprintf(want, sizeof(want),
		 "docker --context default rm -f " ID "\ndocker --context default rm -f " PROXY_ID "\n"
		 "docker --context default network rm " NET_ID "\n" CREATE, "", "none", "");
	CHECK_PLAN(&in, want);
}

/* A sandbox kept: its proxy started with it, or created again on its
 * network; never a sandbox whose network is gone or whose proxy is not
 * shaped as run makes it. */
TEST(plan_egress_kept_sandbox_and_its_proxy)
{
	struct plan_input in = setup(MODE_NONE);
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char groups[BATCH_MAX + 1];

	existing(REENTRY_OURS, 1);
	with_egress(&in, EGRESS_OURS, 1, EGRESS_OURS);
	CHECK_PLAN(&in, "");
	ex.running = 0;
	found.proxy_running = 0;
	CHECK_INT(plan_run(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_STR(t, "docker --context default start " PROXY_ID "\ndocker --context default start " ID "\n");
	together(&b, groups);
	CHECK_STR(groups, ".+");
	ex.running = 1;
	found.proxy = EGRESS_NONE;
	CHECK_PLAN(&in, PROXY_CREATE("") PROXY_JOINS);
	found.proxy = EGRESS_REFUSED;
	CHECK_REFUSED(plan_run, &in, "sandbox n1: its proxy is privileged; use --restart");
	found.proxy = EGRESS_OURS;
	found.network = EGRESS_NONE;
	CHECK_REFUSED(plan_run, &in, "its egress network is gone; use --restart");
	found.network = EGRESS_OURS;
	o.cmd = CMD_SHELL;
	found.proxy_running = 0;
	CHECK_PLAN(&in, "docker --context default start " PROXY_ID "\n");
}

/* Each join is told where the proxy is now, and the credentials'
 * endpoints. */
TEST(plan_egress_join_gets_the_proxy_variables)
{
	struct plan_input in = setup(MODE_NONE);

	existing(REENTRY_OURS, 1);
	with_egress(&in, EGRESS_OURS, 1, EGRESS_OURS);
	CHECK_STEPS(plan_join, &in, JOIN("-i", "-e HTTP_PROXY=http://192.168.160.2:3128 -e "
					 "HTTPS_PROXY=http://192.168.160.2:3128 -e http_proxy=http://192.168.160.2:3128 "
					 "-e https_proxy=http://192.168.160.2:3128 -e "
					 "NO_PROXY=localhost,127.0.0.1,::1,192.168.160.2 -e "
					 "no_proxy=localhost,127.0.0.1,::1,192.168.160.2 " ID) "claude\n");
}

/* stop, rm and logs --egress find the proxy by its labels, whatever the
 * egress setting is now (no policy here). */
TEST(plan_stop_rm_and_logs_take_the_proxy_along)
{
	struct plan_input in = setup(MODE_NONE);
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char groups[BATCH_MAX + 1];

	existing(REENTRY_OURS, 1);
	found.proxy = EGRESS_REFUSED;
	found.network = EGRESS_OURS;
	snprintf(found.proxy_id, sizeof(found.proxy_id), PROXY_ID);
	snprintf(found.network_id, sizeof(found.network_id), NET_ID);
	CHECK_STEPS(plan_stop, &in, "docker --context default stop " ID "\ndocker --context default stop " PROXY_ID "\n");
	o.volume = 1;
	CHECK_INT(plan_rm(&in, &b, &err), 0);
	_cleanup_free_ char *t = plan_text(&b);
	CHECK_STR(t, "docker --context default rm -f " ID "\ndocker --context default rm -f " PROXY_ID "\n"
		     "docker --context default network rm " NET_ID "\ndocker --context default volume rm containai-data\n");
	together(&b, groups);
	CHECK_STR(groups, ".+..");
	o.volume = 0;
	o.egress_log = 1;
	CHECK_STEPS(plan_logs, &in, "docker --context default logs " PROXY_ID "\n");
	/* What an earlier sandbox left: rm takes it; logs --egress has none. */
	ex.kind = REENTRY_NONE;
	CHECK_STEPS(plan_rm, &in, "docker --context default rm -f " PROXY_ID "\n"
				  "docker --context default network rm " NET_ID "\n");
	found.proxy = EGRESS_FOREIGN;
	found.network = EGRESS_FOREIGN;
	CHECK_REFUSED(plan_logs, &in, "sandbox n1 has no egress proxy");
	CHECK_REFUSED(plan_rm, &in, "no sandbox named n1");
}

/* gVisor mode: the runtime detection proved, whatever its name, and
 * whoever enters or acts on the sandbox expects exactly that one. */
TEST(plan_gvisor_creates_under_the_proven_runtime)
{
	struct plan_input in = setup(MODE_GVISOR);
	struct reentry_want w;
	char want[2048];

	snprintf(s.det.gvisor_runtime, sizeof(s.det.gvisor_runtime), "gvisor-1");
	snprintf(want, sizeof(want), CREATE, "--runtime=gvisor-1 ", "gvisor", "");
	/* gVisor's kernel has its own device and inode numbers: the path alone. */
	char *id = strstr(want, "8:1:1234567:");
	memmove(id, id + strlen("8:1:1234567:"), strlen(id + strlen("8:1:1234567:")) + 1);
	CHECK_PLAN(&in, want);
	plan_want(&s, "n1", 1, &w);
	CHECK_STR(w.runtime, "gvisor-1");
	CHECK_STR(w.workspace_id, "");
	plan_want(&s, "n1", 0, &w);
	CHECK_STR(w.runtime, "gvisor-1");
}

/* gVisor mode with egress: the network and the proxy as in the other
 * docker modes, the sandbox under the proven runtime on that network, and
 * re-entry expects the policy as well as the runtime. */
TEST(plan_gvisor_sandbox_gets_its_egress_network_and_proxy)
{
	struct plan_input in = setup(MODE_GVISOR);
	struct reentry_want w;

	snprintf(s.det.gvisor_runtime, sizeof(s.det.gvisor_runtime), "gvisor-1");
	with_egress(&in, EGRESS_NONE, 0, EGRESS_NONE);
	CHECK_STEPS(plan_run, &in,
		    NET_CREATE PROXY_CREATE("")
		    "docker --context default run -d --name n1 --runtime=gvisor-1 --pull=never "
		    "--label containai.managed=true --label containai.workspace=" WS " "
		    "--label containai.mode=gvisor --label containai.egress=balanced "
		    "--security-opt no-new-privileges --cgroupns=private --memory 4294967296 "
		    "--memory-swap 4294967296 --cpus 1.50 --pids-limit 4096 "
		    "--mount type=volume,source=containai-data,target=/mnt/agent-data "
		    "--mount type=bind,source=" WS ",target=/home/agent/workspace -w /home/agent/workspace "
		    "--network n1-egress --dns 192.0.2.1 -e CONTAINAI_WORKSPACE=" WS " "
		    "--entrypoint /usr/sbin/containai-init containai:latest --sandbox\n" PROXY_JOINS);
	s.cfg.egress = EGRESS_BALANCED;
	plan_want(&s, "n1", 1, &w);
	CHECK_STR(w.runtime, "gvisor-1");
	CHECK_STR(w.egress, "balanced");
	CHECK_STR(w.workspace_id, "");
}
