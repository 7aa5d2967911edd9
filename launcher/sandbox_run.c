/* SPDX-License-Identifier: MIT */
#include "sandbox_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credential.h"
#include "docker.h"
#include "egress.h"
#include "egress_proxy.h"
#include "fd.h"
#include "gates.h"
#include "log.h"
#include "macro.h"
#include "plan.h"
#include "plan_exec.h"
#include "reentry.h"
#include "registries.h"
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

/* ---- egress ------------------------------------------------------------ */

/* The egress of one command on a sandbox: the policy in force when the
 * sandbox has (or gets) one, the credentials its proxy adds, and the
 * host's registries - asked of npm and go in the background, from before
 * the first docker call until the policy is written out. */
struct egress_run {
	int on;
	struct egress_policy policy;
	struct credential cred[CREDENTIAL_MAX];
	size_t ncred;
	char *ca_pem;
	struct batch tools;
	struct registries_tools t;
	int tools_started;
	struct registries reg;
};

static void egress_run_release(struct egress_run *e)
{
	struct cai_err ignored;

	/* A job started is waited for: none outlives the launcher. */
	if (e->tools_started)
		batch_wait(&e->tools, &ignored);
	batch_release(&e->tools);
	egress_policy_release(&e->policy);
	credential_release(e->cred, e->ncred);
	registries_release(&e->reg);
	free(e->ca_pem);
}

#define _cleanup_egress_run_ __attribute__((cleanup(egress_run_release)))

/* The policy and the credentials, read and checked before anything is
 * created, so a bad list or an unreadable key changes nothing. */
static int egress_prepare(const struct session *s, const struct cli *o, enum egress_mode mode,
			  struct egress_run *e, struct cai_err *err)
{
	const struct settings *c = &s->cfg;

	e->on = 1;
	if (egress_policy_build(&e->policy, mode, c->egress_allow, o->egress_allow.v, o->egress_allow.n,
				c->egress_allow_cidr, c->egress_dns, err) < 0 ||
	    egress_host_addresses(&e->policy, err) < 0 ||
	    credential_resolve(c->cred, c->ncred, e->cred, &e->ncred, err) < 0)
		return -1;
	e->policy.cred = e->cred;
	e->policy.ncred = e->ncred;
	if (c->egress_ca_file[0]) {
		size_t len;
		if (fd_read_file(c->egress_ca_file, 1u << 20, &e->ca_pem, &len, err) < 0)
			return err_prefix(err, "egress_ca_file");
		e->policy.ca_pem = e->ca_pem;
	}
	/* An --env of the proxy's variables would point the agent elsewhere
	 * or carry the key in after all. */
	_cleanup_argv_ struct argv env = { 0 };
	egress_join_env(&e->policy, "0.0.0.0", &env);
	for (size_t i = 0; i < o->env.n; i++)
		for (size_t k = 0; k < env.n; k++) {
			size_t n = strcspn(env.v[k], "=") + 1;
			if (!strncmp(o->env.v[i], env.v[k], n))
				return err_set(err, 0, "--env %.*s: the egress proxy sets it", (int)n - 1,
					       env.v[k]);
		}
	return env.oom ? argv_ok(&env, err) : 0;
}

/* balanced: npm and go asked now, answers read when the policy is
 * written out. */
static int egress_tools_start(const struct session *s, struct egress_run *e, struct cai_err *err)
{
	if (!e->on || e->policy.mode != EGRESS_BALANCED || e->tools_started)
		return 0;
	if (registries_tools_add(&e->tools, s->cfg.timeout_s * 1000, &e->t, err) < 0 ||
	    batch_start(&e->tools, err) < 0)
		return -1;
	e->tools_started = 1;
	return 0;
}

/* The host's registries join the policy (balanced), said on stderr for a
 * dry run. */
static int egress_registries(const struct session *s, struct egress_run *e, int say,
			     struct cai_err *err)
{
	if (!e->tools_started)
		return 0;
	e->tools_started = 0;
	if (batch_wait(&e->tools, err) < 0)
		return -1;
	registries_collect(&e->t, s->workspace, &e->reg);
	for (size_t i = 0; say && i < e->reg.n; i++)
		log_info("egress balanced: the host's registry %s (%s)", e->reg.r[i].host, e->reg.r[i].from);
	for (size_t i = 0; say && i < e->reg.notes.n; i++)
		log_info("egress balanced: not added: %s", e->reg.notes.v[i]);
	return egress_policy_add_registries(&e->policy, &e->reg, err);
}

/* ---- finding a sandbox ------------------------------------------------- */

/* What a command on one sandbox finds: the container holding the name
 * (reentry's verdict) and, in the docker modes, its proxy and network
 * (egress_proxy's) - looked up together, in one round. */
struct found {
	struct reentry ex;
	struct egress_found eg;
	char proxy_name[EGRESS_NAME_MAX];
	struct egress_want proxy;
	struct publish forward;         /* the sandbox's ports as the proxy publishes them */
};

struct look_up_jobs {
	struct proc_job *sandbox;
	struct egress_look_up eg;
};

static void found_names(const struct session *s, const char *name, int for_run, struct found *f)
{
	egress_name(name, f->proxy_name);
	publish_forwarded(&s->cfg.publish, EGRESS_FORWARD_BASE, &f->forward);
	f->proxy = (struct egress_want){
		.sandbox = name, .workspace = s->workspace, .name = f->proxy_name,
		.image = s->cfg.egress_image, .outside = s->cfg.egress_network,
		.publish = &f->forward, .check_publish = for_run,
	};
}

static int look_up_add(const struct session *s, const char *name, struct found *f,
		       struct batch *b, struct look_up_jobs *j, struct cai_err *err)
{
	if (!(j->sandbox = docker_inspect_add(&s->docker, "container", name, b, err)))
		return -1;
	return egress_look_up_add(&s->docker, &f->proxy, b, &j->eg, err);
}

/* The sandbox judged, then the network against the sandbox's and proxy's
 * ids, then the sandbox against the network's id. */
static int look_up_read(const struct session *s, const char *name, int for_run,
			const struct look_up_jobs *j, struct found *f, struct cai_err *err)
{
	struct reentry_want want;
	json_auto_t *inspect = NULL;

	plan_want(s, name, for_run, &want);
	if (docker_inspect_read(j->sandbox, name, &inspect, err) < 0)
		return err_prefix(err, "sandbox");
	if (reentry_judge(inspect, &want, &f->ex, err) < 0 ||
	    egress_look_up_read(&j->eg, &f->proxy, f->ex.kind == REENTRY_NONE ? NULL : f->ex.id, &f->eg,
				err) < 0)
		return -1;
	if (f->eg.network != EGRESS_OURS)
		return 0;
	want.egress_network_id = f->eg.network_id;
	return reentry_judge(inspect, &want, &f->ex, err);
}

/* In the docker modes, the verdicts on what holds the sandbox's names
 * (for_run: against all that run would create); elsewhere the sandbox
 * tool keeps its own, and everything stays "none". */
static int look_up(const struct session *s, const char *name, int for_run, struct found *f,
		   struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct look_up_jobs j;

	memset(&f->ex, 0, sizeof(f->ex));
	memset(&f->eg, 0, sizeof(f->eg));
	found_names(s, name, for_run, f);
	if (!detect_docker_mode(s->det.mode))
		return 0;
	/* Every call pinned to one engine, or none at all. */
	if (docker_pinned(&s->docker, err) < 0 || look_up_add(s, name, f, &b, &j, err) < 0 ||
	    batch_run(&b, err) < 0)
		return -1;
	return look_up_read(s, name, for_run, &j, f, err);
}

static int sandbox_name(const struct session *s, const struct cli *o, char *name, struct cai_err *err)
{
	return wsname_choose(o->name, s->workspace, o->allow_sock, o->allow_creds,
			     s->cfg.timeout_s * 1000, name, err);
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

/* ---- run, shell, exec --------------------------------------------------- */

/* The egress a join uses: run's own policy, or - shell and exec - the one
 * the sandbox was created with, from its label. */
static int join_egress(const struct session *s, const struct cli *o, const struct found *f,
		       struct egress_run *e, struct cai_err *err)
{
	enum egress_mode mode;

	if (o->cmd == CMD_RUN || f->ex.kind != REENTRY_OURS || egress_mode_parse(f->ex.egress, &mode, err) < 0)
		return 0;
	if (mode == EGRESS_OFF) {
		log_warn("sandbox %s has egress off: it reaches every address the engine's network does",
			 f->proxy.sandbox);
		return 0;
	}
	return egress_prepare(s, o, mode, e, err);
}

/* The proxy's configuration, made once: when the step that loads a proxy
 * created now starts (by then the host's registry lookups, begun with the
 * command, have ended, and the docker steps did not wait for them), or
 * before the round that loads a proxy kept, or for a dry run. */
struct egress_conf {
	const struct session *s;
	const struct cli *o;
	struct egress_run *e;
	int made;
	int fd;                 /* -1 in a dry run, which reads none */
};

static int egress_conf_make(struct egress_conf *c, struct cai_err *err)
{
	_cleanup_free_ char *conf = NULL;

	if (c->made)
		return 0;
	if (egress_tools_start(c->s, c->e, err) < 0 || egress_registries(c->s, c->e, c->o->dry_run, err) < 0 ||
	    !(conf = egress_squid_conf(&c->e->policy, err)))
		return -1;
	int rc = c->o->dry_run ? 0 : egress_conf_fd(conf, &c->fd, err);
	explicit_bzero(conf, strlen(conf));
	c->made = rc == 0;
	return rc;
}

/* batch.stdin_for of the step that loads a proxy created now. */
static int egress_conf_stdin(void *ctx, struct proc_job *j, struct cai_err *err)
{
	struct egress_conf *c = ctx;

	if (egress_conf_make(c, err) < 0)
		return -1;
	j->stdin_fd = c->fd;
	return 0;
}

static void egress_conf_release(struct egress_conf *c)
{
	fd_closep(&c->fd);
}

/* After the steps that bring the sandbox up (which load a proxy they
 * create), one round: a proxy kept connected to its way out when it is
 * not, its configuration loaded when `load` says so (run always; shell
 * and exec when the proxy had to be started), and everything looked up
 * again when anything changed - a proxy `created` by the plan must still
 * be the container its creation printed.  For a dry run, the commands of
 * the first two. */
static int egress_round(const struct session *s, const struct cli *o, const char *name,
			const struct batch *up, int created, int load, int conf_fd, struct egress_run *e,
			struct found *f, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct look_up_jobs j;
	int changed = up->n > 0;
	char proxy[65];

	/* By the id it was found or created with (a dry run knows none yet
	 * of what it would create: by name). */
	snprintf(proxy, sizeof(proxy), "%s", created ? f->proxy.name : f->eg.proxy_id);
	if (e->on && created && !o->dry_run && egress_created_id(up, &f->proxy, proxy) < 0)
		return err_set(err, 0, "egress proxy %s: docker printed no id", f->proxy.name);

	/* A proxy created now is on its way out already. */
	if (e->on && !created && !f->eg.proxy_outside &&
	    egress_step_connect(&s->docker, f->proxy.outside, proxy, &b, 0, err) < 0)
		return -1;
	if (load) {
		struct proc_job *lj = egress_step_load(&s->docker, proxy, &b, 0, err);
		if (!lj)
			return -1;
		lj->stdin_fd = conf_fd;
	}
	if (o->dry_run)
		return plan_exec_print(&b, stdout, err);
	size_t steps = b.n;
	if (changed && look_up_add(s, name, f, &b, &j, err) < 0)
		return -1;
	for (size_t i = 0; i < steps; i++)
		b.job[i].timeout_ms = s->cfg.timeout_s * 1000;
	if (batch_run(&b, err) < 0)
		return -1;
	for (size_t i = 0; i < steps; i++)
		if (!proc_ok(&b.job[i])) {
			char why[512];
			proc_describe_failure(&b.job[i], why, sizeof(why));
			return err_set(err, 0, "egress proxy: %s", why);
		}
	if (!changed)
		return 0;
	if (look_up_read(s, name, o->cmd == CMD_RUN, &j, f, err) < 0)
		return -1;
	if (e->on && created && f->eg.proxy == EGRESS_OURS && strcmp(f->eg.proxy_id, proxy))
		return err_set(err, 0, "egress proxy %s is not the container containai just created", f->proxy.name);
	return 0;
}

/* Brought up as expected: the sandbox ours, shaped and running (or its
 * preparation failed), and with egress its proxy running at an address
 * on its network. */
static int check_up(const char *name, const struct egress_run *e, const struct found *f,
		    struct cai_err *err)
{
	const struct reentry *ex = &f->ex;

	if (ex->kind != REENTRY_OURS || !ex->running)
		return err_set(err, 0, "sandbox %s did not come up as expected%s%s (see containai logs)",
			       name, ex->kind == REENTRY_REFUSED ? ": " : "",
			       ex->kind == REENTRY_REFUSED ? ex->why : "");
	if (e->on && (f->eg.proxy != EGRESS_OURS || !f->eg.proxy_running || !f->eg.addr[0] ||
		      f->eg.network != EGRESS_OURS))
		return err_set(err, 0, "the egress proxy of sandbox %s did not come up as expected%s%s "
				       "(see containai logs --egress)", name, f->eg.why[0] ? ": " : "", f->eg.why);
	return 0;
}

/* The docker modes' run, shell and exec: bring the sandbox up (create,
 * start or replace it, with egress its network and proxy beside it, each
 * step waited for), load the proxy's policy, judge everything again -
 * created or started, it must be ours, shaped and running, or preparing
 * failed - and join it, the launcher replaced by the docker exec. */
static int up_and_join(const struct session *s, const struct cli *o, const char *name, int env_fd,
		       struct cai_err *err)
{
	_cleanup_batch_ struct batch up = { 0 };
	_cleanup_batch_ struct batch join = { 0 };
	_cleanup_egress_run_ struct egress_run e = { 0 };
	int for_run = o->cmd == CMD_RUN;
	struct found f;
	struct plan_input in = {
		.s = s, .o = o, .name = name, .existing = &f.ex, .env_fd = env_fd,
		.tty = isatty(0) && isatty(1), .found = &f.eg, .proxy = &f.proxy,
	};
	int joins = o->ncommand || !o->detach;

	if (for_run && s->cfg.egress != EGRESS_OFF &&
	    (egress_prepare(s, o, s->cfg.egress, &e, err) < 0 || egress_tools_start(s, &e, err) < 0))
		return -1;
	if (for_run && s->cfg.egress == EGRESS_OFF)
		log_warn("--egress off: the sandbox reaches every address the engine's network does, "
			 "the host's and the metadata service's included");
	if (look_up(s, name, for_run, &f, err) < 0 || join_egress(s, o, &f, &e, err) < 0)
		return -1;
	in.egress = e.on ? &e.policy : NULL;
	e.policy.published = &s->cfg.publish;
	e.policy.forward = &f.forward;
	e.policy.forward_to = name;
	/* What the plan is about to replace is not what the join will see;
	 * a proxy it creates, it loads. */
	int fresh_proxy = e.on && (f.eg.proxy != EGRESS_OURS || o->restart || f.ex.kind == REENTRY_NONE);
	int load = e.on && (for_run || fresh_proxy || !f.eg.proxy_running);
	__attribute__((cleanup(egress_conf_release))) struct egress_conf conf = {
		.s = s, .o = o, .e = &e, .fd = -1,
	};
	if (load && o->dry_run && egress_conf_make(&conf, err) < 0)
		return -1;
	in.egress_load = fresh_proxy;
	in.egress_conf = egress_conf_stdin;
	in.egress_conf_ctx = &conf;
	if (plan_run(&in, &up, err) < 0)
		return -1;
	if (o->dry_run) {
		in.proxy_addr = fresh_proxy || !f.eg.addr[0] ? EGRESS_ADDR_UNKNOWN : f.eg.addr;
		if (plan_exec_print(&up, stdout, err) < 0 ||
		    egress_round(s, o, name, &up, fresh_proxy, load && !fresh_proxy, conf.fd, &e, &f, err) < 0)
			return -1;
		return joins && plan_join(&in, &join, err) < 0 ? -1 : plan_exec_print(&join, stdout, err);
	}
	if (up.n) {
		if (f.ex.kind == REENTRY_NONE)
			warn_published(s);
		if (workspace_still_checked(s, err) < 0 ||
		    plan_exec_run(&up, s->cfg.timeout_s * 1000, 0, err) < 0)
			return -1;
	}
	if ((load && !fresh_proxy && egress_conf_make(&conf, err) < 0) ||
	    egress_round(s, o, name, &up, fresh_proxy, load && !fresh_proxy, conf.fd, &e, &f, err) < 0 ||
	    check_up(name, &e, &f, err) < 0)
		return -1;
	if (!joins)
		return 0;
	in.proxy_addr = f.eg.addr;
	if (plan_join(&in, &join, err) < 0 || workspace_still_checked(s, err) < 0)
		return -1;
	return plan_exec_run(&join, s->cfg.timeout_s * 1000, 1, err);
}

/* run in sbx and ECI modes: their tools keep the sandbox; one command.
 * The --env values (ECI only) go through a pipe where the sandbox plugin
 * lists --env-file; without it they can only be words of its command
 * line, which every user of the host can read: said out loud. */
static int tool_run(const struct session *s, const struct cli *o, const char *name, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_close_ int env_fd = -1;
	struct reentry none = { 0 };
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &none, .env_fd = -1 };
	int env_file = s->det.sandbox_flags.env_file;

	if (o->egress || o->egress_allow.n)
		return err_set(err, 0, "--egress and --egress-allow are for the docker modes; %s mode "
				       "has its own proxy", detect_mode_name(s->det.mode));
	if (env_file && !o->dry_run && plan_exec_env_pipe(o->env.v, o->env.n, &env_fd, err) < 0)
		return -1;
	in.env_fd = env_fd;
	if (plan_run(&in, &b, err) < 0)
		return -1;
	if (o->env.n && !env_file)
		log_warn("the installed docker sandbox plugin has no --env-file: the --env values are "
			 "words of its command line, readable in the host's process list");
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
	if (!detect_docker_mode(s->det.mode)) {
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

/* ---- stop, logs, rm ----------------------------------------------------- */

/* Whether `docker sandbox inspect` finds each of names[0..n): 1 or 0 in
 * exists[]; an answer that is neither a failure nor a list is an error,
 * and so is a call that could not run or timed out. */
static int eci_exist(const struct session *s, char names[][WSNAME_MAX + 1], size_t n, int *exists,
		     struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (docker_step(&s->docker, &b, 0, err, "sandbox", "inspect", names[i], NULL) < 0)
			return -1;
		b.job[i].timeout_ms = s->docker.timeout_ms;
	}
	if (batch_run(&b, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct proc_job *j = &b.job[i];
		char why[512];
		if (!j->started || j->timed_out) {
			proc_describe_failure(j, why, sizeof(why));
			return err_set(err, 0, "cannot tell whether sandbox %s exists: %s", names[i], why);
		}
		if (!proc_ok(j)) {
			exists[i] = 0;
			continue;
		}
		json_auto_t *list = docker_json(j, JSON_ARRAY, err);
		if (!list)
			return err_prefix(err, "docker sandbox inspect %s", names[i]);
		exists[i] = json_array_size(list) > 0;
	}
	return 0;
}

/* stop and rm in ECI mode, without the opt-in flags: `name` (a plain
 * run's sandbox) when it exists, else the workspace's one sandbox made
 * with opt-ins (their names are the plain one's with a variant added).
 * Two or more of those are refused: which one is the user's word. */
static int eci_pick(const struct session *s, char *name, int *exit_code, struct cai_err *err)
{
	static const int opt[][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 } };
	char names[ARRAY_SIZE(opt)][WSNAME_MAX + 1], found[3 * (WSNAME_MAX + 2)] = "";
	int exists[ARRAY_SIZE(opt)], pick = 0, n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		snprintf(names[i], sizeof(names[i]), "%s", name);
		if (i)
			wsname_add_variant(names[i], wsname_optin_variant(opt[i][0], opt[i][1]));
	}
	if (eci_exist(s, names, ARRAY_SIZE(opt), exists, err) < 0)
		return -1;
	if (exists[0])
		return 0;
	for (size_t i = 1; i < ARRAY_SIZE(opt); i++)
		if (exists[i]) {
			pick = (int)i;
			size_t o = strlen(found);
			snprintf(found + o, sizeof(found) - o, "%s%s", n++ ? ", " : "", names[i]);
		}
	if (n > 1) {
		*exit_code = EXIT_USAGE;
		return err_set(err, 0, "no sandbox %s, but %d made with opt-ins: %s; name one with the "
				       "--allow-host-docker-socket and --allow-host-credentials it was run with",
			       name, n, found);
	}
	if (n == 1) {
		log_info("sandbox %s: the workspace's only one, made with --%s%s%s", names[pick],
			 opt[pick][0] ? "allow-host-docker-socket" : "",
			 opt[pick][0] && opt[pick][1] ? " --" : "", opt[pick][1] ? "allow-host-credentials" : "");
		snprintf(name, WSNAME_MAX + 1, "%s", names[pick]);
	}
	return 0;
}

int sandbox_act_on(const struct session *s, const struct cli *o, const struct sandbox_act *act,
		   int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct found f;
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_USAGE;
	if ((o->allow_sock || o->allow_creds) && s->det.mode != MODE_ECI)
		return err_set(err, 0, "%s: only ECI mode makes sandboxes with it (the mode is %s)",
			       o->allow_sock ? "--allow-host-docker-socket" : "--allow-host-credentials",
			       detect_mode_name(s->det.mode));
	if (sandbox_name(s, o, name, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	if (act->variants && s->det.mode == MODE_ECI && !o->allow_sock && !o->allow_creds &&
	    eci_pick(s, name, exit_code, err) < 0)
		return -1;
	if (look_up(s, name, 0, &f, err) < 0)
		return -1;
	struct plan_input in = {
		.s = s, .o = o, .name = name, .existing = &f.ex, .env_fd = -1, .found = &f.eg,
		.proxy = &f.proxy,
	};
	if (act->plan(&in, &b, err) < 0 || (act->check && act->check(&in, exit_code, err) < 0))
		return -1;
	return plan_exec_run(&b, act->timeout_ms, act->replace, err);
}

int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	const struct sandbox_act act = { plan_stop, NULL, s->cfg.timeout_s * 1000 + STOP_GRACE_MS, 0, 1 };

	return sandbox_act_on(s, o, &act, exit_code, err);
}

int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	const struct sandbox_act act = { plan_logs, NULL, s->cfg.timeout_s * 1000, 1, 0 };

	return sandbox_act_on(s, o, &act, exit_code, err);
}
