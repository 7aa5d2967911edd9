/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include "argv.h"
#include "egress_proxy.h"

void plan_want(const struct session *s, const char *name, const struct egress_policy *egress,
	       const char *egress_network, struct reentry_want *w)
{
	w->egress = egress;
	w->egress_network = egress ? egress_network : NULL;
	w->name = name;
	w->workspace = s->workspace;
	w->image = s->cfg.image;
	w->data_volume = s->cfg.data_volume;
	w->runtime = s->det.mode == MODE_SYSBOX ? DETECT_SYSBOX_RUNTIME : NULL;
}

static int plan_add(struct batch *b, struct argv *a, struct cai_err *err)
{
	return batch_add(b, a, err) ? 0 : -1;
}

static const char *attach_flag(const struct plan_input *in)
{
	return in->o->detach ? "-d" : in->tty ? "-it" : "-i";
}

/* The --env values: through env_fd when there is one, else (--dry-run)
 * as the equivalent -e KEY=VAL words. */
static void push_env(struct argv *a, const struct plan_input *in)
{
	if (in->env_fd >= 0) {
		argv_push(a, "--env-file");
		argv_pushf(a, "/dev/fd/%d", in->env_fd);
		return;
	}
	for (size_t i = 0; i < in->o->nenv; i++) {
		argv_push(a, "-e");
		argv_push(a, in->o->env[i]);
	}
}

static int plan_docker_run(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct session *s = in->s;
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&s->docker, &a);
	argv_push(&a, "run");
	argv_push(&a, "--name");
	argv_push(&a, in->name);
	if (s->det.mode == MODE_SYSBOX)
		argv_push(&a, "--runtime=" DETECT_SYSBOX_RUNTIME);
	argv_push(&a, "--pull=never");
	argv_push(&a, "--label");
	argv_push(&a, SANDBOX_LABEL_MANAGED "=true");
	argv_push(&a, "--label");
	argv_pushf(&a, SANDBOX_LABEL_WORKSPACE "=%s", s->workspace);
	argv_push(&a, "--label");
	argv_pushf(&a, SANDBOX_LABEL_MODE "=%s", detect_mode_name(s->det.mode));
	/* Every process of the sandbox, also one re-entered with `docker exec`
	 * (which bypasses containai-init's hardening), can never gain
	 * privileges through a set-id or file-capability program. */
	argv_push(&a, "--security-opt");
	argv_push(&a, "no-new-privileges");
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=volume,source=%s,target=" SANDBOX_DATA_DIR, s->cfg.data_volume);
	argv_push(&a, "--mount");
	argv_pushf(&a, "type=bind,source=%s,target=" SANDBOX_WORKSPACE_DIR, s->workspace);
	argv_push(&a, "-w");
	argv_push(&a, SANDBOX_WORKSPACE_DIR);
	if (in->egress)
		egress_sandbox_args(in->egress, in->egress_network, in->egress_addr, &a);
	push_env(&a, in);
	argv_push(&a, attach_flag(in));
	argv_push(&a, s->cfg.image);
	argv_push_all(&a, in->o->command, in->o->ncommand);
	return plan_add(b, &a, err);
}

static int plan_docker_exec(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct reentry *ex = in->existing;
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&in->s->docker, &a);
	argv_push(&a, "exec");
	argv_push(&a, attach_flag(in));
	/* An exec'd process does not pass through containai-init: at least
	 * it must not be root. */
	argv_push(&a, "--user");
	argv_push(&a, "agent");
	argv_push(&a, "-w");
	argv_push(&a, SANDBOX_WORKSPACE_DIR);
	push_env(&a, in);
	argv_push(&a, ex->id);
	if (in->o->ncommand)
		argv_push_all(&a, in->o->command, in->o->ncommand);
	else
		argv_push_all(&a, ex->cmd.v, ex->cmd.n);
	return plan_add(b, &a, err);
}

/* docker VERB [FLAG] ID: a step on the container by its id. */
static int plan_docker_on(const struct plan_input *in, const char *verb, const char *flag,
			  struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(&in->s->docker, &a);
	argv_push(&a, verb);
	if (flag)
		argv_push(&a, flag);
	argv_push(&a, in->existing->id);
	return plan_add(b, &a, err);
}

static int plan_docker(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	const struct cli *o = in->o;
	const struct reentry *ex = in->existing;
	enum reentry_kind kind = ex->kind;

	if (kind == REENTRY_FOREIGN)
		return err_set(err, 0, "the name %s is held by a container that containai did not "
				       "create for this workspace; choose another with --name", in->name);
	if (kind != REENTRY_NONE && o->restart) {
		if (plan_docker_on(in, "rm", "-f", b, err) < 0)
			return -1;
		kind = REENTRY_NONE;
	}
	if (kind == REENTRY_NONE)
		return plan_docker_run(in, b, err);
	if (kind == REENTRY_REFUSED)
		return err_set(err, 0, "sandbox %s exists but %s; use --restart to recreate it",
			       in->name, ex->why);
	if (!ex->running) {
		if (plan_docker_on(in, "start", !o->detach && !o->ncommand ? "-ai" : NULL, b, err) < 0)
			return -1;
		if (o->detach || !o->ncommand)
			return 0;
	}
	if (!o->ncommand && !ex->cmd.n)
		return err_set(err, 0, "sandbox %s is running and has no command to re-enter with; "
				       "give one after --", in->name);
	return plan_docker_exec(in, b, err);
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
	for (size_t i = 0; i < o->nenv; i++) {
		argv_push(&a, "--env");
		argv_push(&a, o->env[i]);
	}
	if (o->detach)
		argv_push(&a, "--detached");
	if (o->allow_sock)
		argv_push(&a, "--mount-docker-socket");
	if (o->allow_creds)
		argv_push(&a, "--credentials=host");
	push_agent_workspace_command(&a, in);
	return plan_add(b, &a, err);
}

static int plan_sbx(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	if (in->o->nenv)
		return err_set(err, 0, "--env is not available in sbx mode (sbx injects credentials "
				       "through its proxy; put settings in the data volume's .env)");
	if (in->o->detach)
		return err_set(err, 0, "--detach is not available in sbx mode");
	argv_push(&a, "sbx");
	argv_push(&a, "run");
	argv_push(&a, "--name");
	argv_push(&a, in->name);
	argv_push(&a, "--template");
	argv_push(&a, in->s->cfg.image);
	push_agent_workspace_command(&a, in);
	return plan_add(b, &a, err);
}

int plan_run(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	switch (in->s->det.mode) {
	case MODE_SBX:
		return plan_sbx(in, b, err);
	case MODE_ECI:
		return plan_eci(in, b, err);
	case MODE_SYSBOX:
	case MODE_NONE:
		break;
	}
	return plan_docker(in, b, err);
}

int plan_stop(const struct plan_input *in, struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	switch (in->s->det.mode) {
	case MODE_SBX:
		argv_push(&a, "sbx");
		argv_push(&a, "stop");
		argv_push(&a, in->name);
		return plan_add(b, &a, err);
	case MODE_ECI:
		docker_argv(&in->s->docker, &a);
		argv_push(&a, "sandbox");
		argv_push(&a, "stop");
		argv_push(&a, in->name);
		return plan_add(b, &a, err);
	case MODE_SYSBOX:
	case MODE_NONE:
		break;
	}
	if (in->existing->kind == REENTRY_NONE)
		return err_set(err, 0, "no sandbox named %s", in->name);
	if (in->existing->kind == REENTRY_FOREIGN)
		return err_set(err, 0, "%s is not a container containai created for this workspace; "
				       "not stopping it", in->name);
	return plan_docker_on(in, "stop", NULL, b, err);
}
