/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include <stdint.h>
#include <string.h>

#include "argv.h"
#include "decimal.h"

const char *plan_runtime(const struct session *s)
{
	switch (s->det.mode) {
	case MODE_SYSBOX:
		return DETECT_SYSBOX_RUNTIME;
	case MODE_GVISOR:
		return s->det.gvisor_runtime;
	default:
		return NULL;
	}
}

/* The workspace's identity containai-init can compare: "" in gVisor mode,
 * whose kernel numbers devices and inodes its own way (a bind mount's root
 * reads device 0:9, inode 1): there SANDBOX_WORKSPACE_ENV is the path
 * alone, as for a sandbox on another kernel in sbx and ECI modes. */
static const char *plan_workspace_id(const struct session *s)
{
	return s->det.mode == MODE_GVISOR ? "" : s->workspace_id;
}

void plan_want(const struct session *s, const char *name, int for_run, struct reentry_want *w)
{
	memset(w, 0, sizeof(*w));
	w->name = name;
	w->workspace = s->workspace;
	w->runtime = plan_runtime(s);
	if (!for_run)
		return;
	w->image = s->cfg.image;
	w->data_volume = s->cfg.data_volume;
	static const struct publish none;

	w->resources = &s->cfg.resources;
	/* With egress the proxy publishes them (egress_proxy): nothing is
	 * published from the sandbox's internal network. */
	w->publish = s->cfg.egress == EGRESS_OFF ? &s->cfg.publish : &none;
	w->egress = egress_mode_name(s->cfg.egress);
	w->workspace_id = plan_workspace_id(s);
	w->host_user = s->host_user;
}

static int plan_add(struct batch *b, struct argv *a, struct cai_err *err)
{
	return batch_add(b, a, err) ? 0 : -1;
}

/* plan_add of a step whose words name the --env pipe (push_env): that
 * step, and no other, inherits it. */
static int plan_add_env_reader(struct batch *b, struct argv *a, const struct plan_input *in,
			       struct cai_err *err)
{
	struct proc_job *j = batch_add(b, a, err);

	if (!j)
		return -1;
	j->pass_fd = in->env_fd >= 0 ? in->env_fd : 0;
	return 0;
}

/* The --env values: through env_fd when there is one, else (--dry-run,
 * or a sandbox plugin without --env-file) as the equivalent `flag`
 * KEY=VAL words. */
static void push_env(struct argv *a, const struct plan_input *in, const char *flag)
{
	if (in->env_fd >= 0) {
		argv_push(a, "--env-file");
		argv_pushf(a, "/dev/fd/%d", in->env_fd);
		return;
	}
	for (size_t i = 0; i < in->o->env.n; i++) {
		argv_push(a, flag);
		argv_push(a, in->o->env.v[i]);
	}
}

static int plan_docker_create(const struct plan_input *in, struct batch *b, int together,
			      struct cai_err *err)
{
	const struct session *s = in->s;
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&s->docker, &a);
	argv_push(&a, "run");
	argv_push(&a, "-d");
	argv_push(&a, "--name");
	argv_push(&a, in->name);
	if (plan_runtime(s))
		argv_pushf(&a, "--runtime=%s", plan_runtime(s));
	argv_push(&a, "--pull=never");
	argv_push(&a, "--label");
	argv_push(&a, SANDBOX_LABEL_MANAGED "=true");
	argv_push(&a, "--label");
	argv_pushf(&a, SANDBOX_LABEL_WORKSPACE "=%s", s->workspace);
	argv_push(&a, "--label");
	argv_pushf(&a, SANDBOX_LABEL_MODE "=%s", detect_mode_name(s->det.mode));
	argv_push(&a, "--label");
	argv_pushf(&a, SANDBOX_LABEL_EGRESS "=%s", egress_mode_name(in->egress ? in->egress->mode : EGRESS_OFF));
	/* Beneath containai-init's own no_new_privs, the engine's: a process
	 * of the sandbox can never gain privileges through a set-id or
	 * file-capability program, however it was started. */
	argv_push(&a, "--security-opt");
	argv_push(&a, "no-new-privileges");
	/* Its own cgroup namespace also where the engine's default is the
	 * host's (cgroup v1): the same shape on every engine, which re-entry
	 * then requires. */
	argv_push(&a, "--cgroupns=private");
	resources_push(&s->cfg.resources, &a);
	if (!in->egress)
		publish_push(&s->cfg.publish, &a);
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=volume,source=%s,target=" SANDBOX_DATA_DIR, s->cfg.data_volume);
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=bind,source=%s,target=" SANDBOX_WORKSPACE_DIR, s->workspace);
	argv_push(&a, "-w");
	argv_push(&a, SANDBOX_WORKSPACE_DIR);
	if (in->egress)
		egress_sandbox_args(in->proxy->name, &a);
	/* The directory checked here is the one containai-init must find
	 * bound at SANDBOX_WORKSPACE_DIR, also at every later start. */
	argv_push(&a, "-e");
	const char *id = plan_workspace_id(s);
	argv_pushf(&a, SANDBOX_WORKSPACE_ENV "=%s%s%s", id, id[0] ? ":" : "", s->workspace);
	/* To PID 1, which moves the agent's account to the host user before
	 * it prepares the volume: never to a join's environment. */
	if (s->host_user[0]) {
		argv_push(&a, "-e");
		argv_pushf(&a, SANDBOX_HOST_USER_ENV "=%s", s->host_user);
	}
	/* PID 1 prepares and keeps the sandbox up; nothing runs in it that
	 * did not enter through --join. */
	argv_push(&a, "--entrypoint");
	argv_push(&a, SANDBOX_INIT);
	argv_push(&a, s->cfg.image);
	argv_push(&a, SANDBOX_MODE_ARG);
	return (together ? batch_add_with_previous : batch_add)(b, &a, err) ? 0 : -1;
}

/* docker VERB [FLAG] ID: a step on the container by its id. */
static int plan_docker_on(const struct plan_input *in, const char *verb, const char *flag,
			  struct batch *b, struct cai_err *err)
{
	if (flag)
		return docker_step(&in->s->docker, b, 0, err, verb, flag, in->existing->id, NULL);
	return docker_step(&in->s->docker, b, 0, err, verb, in->existing->id, NULL);
}

/* Ours by their labels, whatever their shape: stopping or removing them
 * hands nothing over. */
static int proxy_ours(const struct plan_input *in)
{
	return in->found && (in->found->proxy == EGRESS_OURS || in->found->proxy == EGRESS_REFUSED);
}

static int network_ours(const struct plan_input *in)
{
	return in->found && (in->found->network == EGRESS_OURS || in->found->network == EGRESS_REFUSED);
}

/* The sandbox (when there is one), its proxy and its network: removed -
 * the containers together, then the network once nothing is on it -
 * except, with keep, a network a new sandbox can use as it is (*kept). */
static int plan_clear(const struct plan_input *in, struct batch *b, int keep, int *kept,
		      struct cai_err *err)
{
	const struct docker *d = &in->s->docker;
	const struct egress_found *f = in->found;
	int together = 0;

	if (in->existing->kind != REENTRY_NONE) {
		if (plan_docker_on(in, "rm", "-f", b, err) < 0)
			return -1;
		together = 1;
	}
	if (proxy_ours(in) && docker_step(d, b, together, err, "rm", "-f", f->proxy_id, NULL) < 0)
		return -1;
	*kept = keep && f->network == EGRESS_OURS;
	if (network_ours(in) && !*kept &&
	    docker_step(d, b, 0, err, "network", "rm", f->network_id, NULL) < 0)
		return -1;
	return 0;
}

/* With egress, before the sandbox: its network and, beside it on its way
 * out, the proxy (*created says so; it joins the internal network beside
 * the sandbox's own step, once the network and it exist).  *proxy_step is
 * the proxy's step when there is one. */
static int plan_egress_up(const struct plan_input *in, int fresh, int keep_network, int *created,
			  size_t *proxy_step, struct batch *b, struct cai_err *err)
{
	const struct egress_found *f = in->found;

	*created = 1;
	*proxy_step = b->n;

	if (!fresh) {
		/* The sandbox is kept: so must its network be, and its proxy
		 * be ours and shaped. */
		if (f->network != EGRESS_OURS || f->proxy == EGRESS_FOREIGN || f->proxy == EGRESS_REFUSED)
			return err_set(err, 0, "sandbox %s: %s; use --restart to recreate it", in->name,
				       f->network == EGRESS_NONE ? "its egress network is gone"
				       : f->proxy == EGRESS_FOREIGN || f->network == EGRESS_FOREIGN
					       ? "its egress proxy's name is held by something containai did not create"
					       : f->why);
		if (f->proxy == EGRESS_OURS) {
			*created = 0;
			return f->proxy_running ? 0 : docker_step(&in->s->docker, b, 0, err, "start", f->proxy_id, NULL);
		}
		return egress_step_proxy_create(&in->s->docker, in->proxy, b, 0, err);
	}
	if (!keep_network && egress_step_network_create(&in->s->docker, in->proxy, b, 0, err) < 0)
		return -1;
	*proxy_step = b->n;
	return egress_step_proxy_create(&in->s->docker, in->proxy, b, !keep_network, err);
}

/* A proxy created now: its configuration loaded as soon as it runs and
 * has joined the sandbox's network (egress-load serves that network's
 * ranges only), while the sandbox starts beside it (by name - its id is
 * not known yet; only whoever holds the engine's socket could put another
 * container under that name meanwhile, and egress_round checks the id
 * afterwards). */
static int plan_egress_load(const struct plan_input *in, size_t proxy_step, size_t connect_step,
			    struct batch *b, struct cai_err *err)
{
	if (!in->egress_load)
		return 0;
	if (!egress_step_load(&in->s->docker, in->proxy->name, b, 0, err))
		return -1;
	b->after[b->n - 1] = b->after[proxy_step] | 1u << proxy_step | 1u << connect_step;
	b->stdin_for = in->egress_conf;
	b->stdin_ctx = in->egress_conf_ctx;
	b->stdin_step = b->n - 1;
	return 0;
}

/* The verdict allows acting on the container at all. */
static int plan_ours(const struct plan_input *in, struct cai_err *err)
{
	switch (in->existing->kind) {
	case REENTRY_NONE:
		return err_set(err, 0, "no sandbox named %s for this workspace (containai run creates it)",
			       in->name);
	case REENTRY_FOREIGN:
		return err_set(err, 0, "%s is not a container containai created for this workspace; "
				       "leaving it alone", in->name);
	default:
		return 0;
	}
}

/* Bring the sandbox up: create, start or (--restart) replace it, and
 * with egress its network and proxy first.  Every refusal comes before
 * the first step. */
static int plan_docker_up(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct cli *o = in->o;
	const struct reentry *ex = in->existing;
	enum reentry_kind kind = ex->kind;
	int fresh = kind == REENTRY_NONE || o->restart, keep_network = 0, created = 0;
	size_t before, proxy_step = 0;

	if (kind == REENTRY_FOREIGN)
		return err_set(err, 0, "the name %s is held by a container that containai did not "
				       "create for this workspace; choose another with --name", in->name);
	if (kind == REENTRY_NONE && o->cmd != CMD_RUN)
		return plan_ours(in, err);
	if (kind == REENTRY_REFUSED && !o->restart)
		return err_set(err, 0, "sandbox %s exists but %s; %s", in->name, ex->why,
			       o->cmd == CMD_RUN ? "use --restart to recreate it" : "it is not entered");
	if (fresh && in->egress && (in->found->proxy == EGRESS_FOREIGN || in->found->network == EGRESS_FOREIGN))
		return err_set(err, 0, "the name %s is held by a %s that containai did not create for "
				       "this sandbox; remove it or choose another --name", in->proxy->name,
			       in->found->proxy == EGRESS_FOREIGN ? "container" : "network");
	if (fresh && plan_clear(in, b, in->egress != NULL, &keep_network, err) < 0)
		return -1;
	before = b->n;
	if (in->egress && plan_egress_up(in, fresh, keep_network, &created, &proxy_step, b, err) < 0)
		return -1;
	/* The sandbox's own step: beside its proxy's start - after its
	 * network, not after a proxy created now, which joins that network
	 * beside it (by name: its id is not known yet) and gets its
	 * configuration meanwhile. */
	size_t sandbox_step = b->n;
	int together = !created && b->n > before;
	if (fresh ? plan_docker_create(in, b, together, err) < 0
		  : !ex->running && docker_step(&in->s->docker, b, together, err, "start", ex->id, NULL) < 0)
		return -1;
	if (!in->egress || !created)
		return 0;
	if (b->n > sandbox_step)
		b->after[sandbox_step] &= ~(1u << proxy_step);
	if (egress_step_connect(&in->s->docker, in->proxy->name, in->proxy->name, b, 0, err) < 0)
		return -1;
	b->after[b->n - 1] = (1u << sandbox_step) - 1;
	return plan_egress_load(in, proxy_step, b->n - 1, b, err);
}

int plan_join(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	static const char login_shell[] = "command -v bash >/dev/null && exec bash -l; exec sh -l";
	const struct cli *o = in->o;
	const struct reentry *ex = in->existing;
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&in->s->docker, &a);
	argv_push(&a, "exec");
	argv_push(&a, o->detach ? "-d" : in->tty ? "-it" : "-i");
	/* As root: --join applies the sandbox's identity itself, and refuses
	 * to run as anyone else. */
	argv_push(&a, "-u");
	argv_push(&a, "0:0");
	argv_push(&a, "-w");
	argv_push(&a, SANDBOX_WORKSPACE_DIR);
	if (in->egress) {
		_cleanup_argv_ struct argv env = { 0 };
		egress_join_env(in->egress, in->proxy_addr, &env);
		for (size_t i = 0; i < env.n; i++) {
			argv_push(&a, "-e");
			argv_push(&a, env.v[i]);
		}
		if (env.oom)
			a.oom = 1;
	}
	push_env(&a, in, "-e");
	/* Just created (a dry run knows no id yet): by name. */
	argv_push(&a, ex->id[0] ? ex->id : in->name);
	argv_push(&a, SANDBOX_INIT);
	argv_push(&a, "--join");
	argv_push(&a, "--wait");
	argv_pushf(&a, "%d", PLAN_JOIN_WAIT_S);
	argv_push(&a, "--");
	if (o->cmd == CMD_SHELL) {
		argv_push(&a, "/bin/sh");
		argv_push(&a, "-c");
		argv_push(&a, login_shell);
	} else if (o->ncommand) {
		argv_push_all(&a, o->command, o->ncommand);
	} else {
		argv_push(&a, in->s->cfg.agent);
	}
	return plan_add_env_reader(b, &a, in, err);
}

/* What sbx and docker sandbox both take last: AGENT WORKSPACE [-- COMMAND]. */
static void push_agent_workspace_command(struct argv *a, const struct plan_input *in)
{
	argv_push(a, in->s->cfg.agent);
	argv_push(a, in->s->workspace);
	if (in->o->ncommand) {
		argv_push(a, "--");
		argv_push_all(a, in->o->command, in->o->ncommand);
	}
}

static int plan_eci(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct session *s = in->s;
	const struct cli *o = in->o;
	const struct sandbox_flags *f = &s->det.sandbox_flags;
	_cleanup_argv_ struct argv a = { 0 };

	/* The point is our image with containai-init inside: a plugin that
	 * cannot take it is refused, not worked around. */
	if (!f->template_)
		return err_set(err, 0, "the installed docker sandbox plugin has no --template; "
				       "it cannot run %s", s->cfg.image);
	if (o->env.n && !f->env)
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
	docker_argv(&s->docker, &a);
	argv_push(&a, "sandbox");
	argv_push(&a, "run");
	if (f->name) {
		argv_push(&a, "--name");
		argv_push(&a, in->name);
	}
	argv_push(&a, "--template");
	argv_push(&a, s->cfg.image);
	if (f->pull_template)
		argv_push(&a, "--pull-template=never");
	/* The sandbox mounts the workspace at its own path on a kernel of its
	 * own: its path tells containai-init which mount it is (no identity
	 * compares across kernels). */
	if (f->env) {
		argv_push(&a, "--env");
		argv_pushf(&a, SANDBOX_WORKSPACE_ENV "=%s", s->workspace);
	}
	push_env(&a, in, "--env");
	if (o->detach)
		argv_push(&a, "--detached");
	if (o->allow_sock)
		argv_push(&a, "--mount-docker-socket");
	if (o->allow_creds)
		argv_push(&a, "--credentials=host");
	push_agent_workspace_command(&a, in);
	return plan_add_env_reader(b, &a, in, err);
}

static int plan_sbx(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	argv_push(&a, "sbx");
	argv_push(&a, "run");
	argv_push(&a, "--name");
	argv_push(&a, in->name);
	argv_push(&a, "--template");
	argv_push(&a, in->s->cfg.image);
	push_agent_workspace_command(&a, in);
	return plan_add(b, &a, err);
}

int plan_check_options(const struct session *s, const struct cli *o, struct cai_err *err)
{
	const char *mode = detect_mode_name(s->det.mode);

	for (size_t i = 0; i < o->env.n; i++)
		if (!strncmp(o->env.v[i], SANDBOX_WORKSPACE_ENV "=", sizeof(SANDBOX_WORKSPACE_ENV)))
			return err_set(err, 0, "--env " SANDBOX_WORKSPACE_ENV " is set by containai itself");
	if (s->det.mode != MODE_SBX && s->det.mode != MODE_ECI)
		return 0;
	/* The sandbox tool keeps the sandbox, its storage and its limits:
	 * what it cannot do is refused, never silently left out. */
	if (o->restart)
		return err_set(err, 0, "--restart is not available in %s mode (remove the sandbox "
				       "with %s first)", mode, s->det.mode == MODE_SBX ? "sbx" : "docker sandbox");
	if (o->data_volume)
		return err_set(err, 0, "--data-volume is not available in %s mode (the sandbox tool "
				       "keeps the sandbox's storage)", mode);
	if (o->publish.n)
		return err_set(err, 0, "--publish is not available in %s mode", mode);
	if (o->memory || o->cpus || o->pids_limit)
		return err_set(err, 0, "--memory, --cpus and --pids-limit are not available in %s mode "
				       "(its sandboxes have their own)", mode);
	if (s->det.mode == MODE_SBX && o->env.n)
		return err_set(err, 0, "--env is not available in sbx mode (sbx injects credentials "
				       "through its proxy; put settings in the data volume's .env)");
	if (s->det.mode == MODE_SBX && o->detach)
		return err_set(err, 0, "--detach is not available in sbx mode");
	return 0;
}

int plan_run(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	switch (in->s->det.mode) {
	case MODE_SBX:
		return plan_sbx(in, b, err);
	case MODE_ECI:
		return plan_eci(in, b, err);
	case MODE_SYSBOX:
	case MODE_GVISOR:
	case MODE_NONE:
		break;
	}
	return plan_docker_up(in, b, err);
}

/* sbx VERB NAME, or docker sandbox VERB NAME: the tools that keep their
 * own sandboxes, named as created.  0 when the mode is another. */
static int plan_tool(const struct plan_input *in, const char *verb, struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	switch (in->s->det.mode) {
	case MODE_SBX:
		argv_push(&a, "sbx");
		break;
	case MODE_ECI:
		docker_argv(&in->s->docker, &a);
		argv_push(&a, "sandbox");
		break;
	case MODE_SYSBOX:
	case MODE_GVISOR:
	case MODE_NONE:
		return 0;
	}
	argv_push(&a, verb);
	argv_push(&a, in->name);
	return plan_add(b, &a, err) < 0 ? -1 : 1;
}

int plan_stop(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	int r = plan_tool(in, "stop", b, err);

	if (r)
		return r < 0 ? -1 : 0;
	/* Ours, even shaped otherwise: stopping it hands nothing over. */
	if (plan_ours(in, err) < 0 || plan_docker_on(in, "stop", NULL, b, err) < 0)
		return -1;
	/* Its proxy after it, whatever the egress setting is now. */
	return proxy_ours(in) ? docker_step(&in->s->docker, b, 0, err, "stop", in->found->proxy_id, NULL) : 0;
}

int plan_logs(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct cli *o = in->o;
	_cleanup_argv_ struct argv a = { 0 };

	if (in->s->det.mode == MODE_SBX || in->s->det.mode == MODE_ECI)
		return err_set(err, 0, "logs is not available in %s mode", detect_mode_name(in->s->det.mode));
	/* Reading what PID 1 (or the proxy) wrote hands nothing over: shaped
	 * otherwise is fine, not ours is not. */
	if (o->egress_log ? !proxy_ours(in) : plan_ours(in, err) < 0)
		return o->egress_log ? err_set(err, 0, "sandbox %s has no egress proxy", in->name) : -1;
	docker_argv(&in->s->docker, &a);
	argv_push(&a, "logs");
	if (o->follow)
		argv_push(&a, "--follow");
	if (o->tail) {
		uint64_t n;
		/* A number or "all": anything else could be taken for an option. */
		if (strcmp(o->tail, "all") && decimal_parse(o->tail, strlen(o->tail), UINT32_MAX, &n, err) < 0)
			return err_prefix(err, "--tail");
		argv_push(&a, "--tail");
		argv_push(&a, o->tail);
	}
	argv_push(&a, o->egress_log ? in->found->proxy_id : in->existing->id);
	return plan_add(b, &a, err);
}

int plan_rm(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct reentry *ex = in->existing;
	int r;

	if (in->o->volume && (in->s->det.mode == MODE_SBX || in->s->det.mode == MODE_ECI))
		return err_set(err, 0, "--volume is not available in %s mode", detect_mode_name(in->s->det.mode));
	if ((r = plan_tool(in, "rm", b, err)))
		return r < 0 ? -1 : 0;
	/* A proxy and network left behind without their sandbox go too. */
	if (ex->kind == REENTRY_NONE && !in->o->volume && (proxy_ours(in) || network_ours(in))) {
		int kept;
		return plan_clear(in, b, 0, &kept, err);
	}
	if (plan_ours(in, err) < 0)
		return -1;
	/* Removing a container shaped otherwise is how to get rid of it; its
	 * volume is another matter: which volume it names is its maker's
	 * word. */
	if (in->o->volume && ex->kind == REENTRY_REFUSED)
		return err_set(err, 0, "sandbox %s exists but %s: the volume it names is not removed; "
				       "rm without --volume removes the container alone", in->name, ex->why);
	if (in->o->volume && !ex->data_volume[0])
		return err_set(err, 0, "sandbox %s has no data volume to remove", in->name);
	int kept;
	if (plan_clear(in, b, 0, &kept, err) < 0)
		return -1;
	if (!in->o->volume)
		return 0;
	_cleanup_argv_ struct argv a = { 0 };
	docker_argv(&in->s->docker, &a);
	argv_push(&a, "volume");
	argv_push(&a, "rm");
	argv_push(&a, ex->data_volume);
	return plan_add(b, &a, err);
}
