/* SPDX-License-Identifier: MIT */
#include "sandbox_run.h"

#include <errno.h>
#include <pwd.h>
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
	struct passwd *pw = getpwuid(getuid());
	const char *homes[] = { getenv("HOME"), pw ? pw->pw_dir : NULL, NULL };
	if (gates_workspace_check(s->workspace, homes[0] ? homes : homes + 1, err) < 0)
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

/* The egress of one run: its policy, the credentials the proxy adds, and
 * what the proxy and its network are called and look like now. */
struct egress_run {
	struct egress_policy policy;
	struct credential cred[CREDENTIAL_MAX];
	size_t ncred;
	char *ca_pem;
	char name[EGRESS_NAME_MAX];
	struct egress_want want;
	struct egress_found found;
};

static void egress_run_release(struct egress_run *e)
{
	egress_policy_release(&e->policy);
	credential_release(e->cred, e->ncred);
	free(e->ca_pem);
}

#define _cleanup_egress_run_ __attribute__((cleanup(egress_run_release)))

static int egress_on(const struct session *s)
{
	return docker_mode(s) && s->cfg.egress != EGRESS_OFF;
}

static void egress_names(const struct session *s, const char *name, struct egress_run *e)
{
	egress_name(name, e->name);
	e->want = (struct egress_want){
		.sandbox = name, .workspace = s->workspace, .name = e->name,
		.image = s->cfg.egress_image, .outside = s->cfg.egress_network,
	};
}

/* The policy in force and the credentials: read before anything is
 * created, so a bad list or an unreadable key changes nothing. */
static int egress_prepare(const struct session *s, const struct cli *o, const char *name,
			  struct egress_run *e, struct cai_err *err)
{
	const struct settings *c = &s->cfg;

	egress_names(s, name, e);
	if (egress_policy_build(&e->policy, c->egress, c->egress_allow, o->egress_allow,
				o->negress_allow, c->egress_allow_cidr, c->egress_dns, err) < 0 ||
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
	egress_sandbox_env(&e->policy, "0.0.0.0", &env);
	for (size_t i = 0; i < o->nenv; i++)
		for (size_t k = 0; k < env.n; k++) {
			size_t n = strcspn(env.v[k], "=") + 1;
			if (!strncmp(o->env[i], env.v[k], n))
				return err_set(err, 0, "--env %.*s: the egress proxy sets it", (int)n - 1,
					       env.v[k]);
		}
	return 0;
}

/* In the docker modes, the verdict on the container holding the name;
 * elsewhere the sandbox tool keeps its own, and *ex stays "none". */
static int look_up(const struct session *s, const char *name, const struct egress_run *e,
		   struct reentry *ex, struct cai_err *err)
{
	struct reentry_want want;
	json_auto_t *inspect = NULL;

	if (!docker_mode(s))
		return 0;
	plan_want(s, name, e ? &e->policy : NULL, e ? e->name : NULL, &want);
	if (docker_inspect(&s->docker, name, &inspect, err) < 0)
		return -1;
	return reentry_judge(inspect, &want, ex, err);
}

/* Before a sandbox is created: remove what holds the names, ours only -
 * the sandbox itself for --restart, a proxy and network left behind. */
static int clear_for_create(const struct session *s, const struct cli *o, struct reentry *ex,
			    struct egress_run *e, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	if (ex->kind != REENTRY_NONE) {
		docker_argv(&s->docker, &a);
		argv_push(&a, "rm");
		argv_push(&a, "-f");
		argv_push(&a, ex->id);
		if (!batch_add(&b, &a, err))
			return -1;
	}
	if (egress_plan_remove(&s->docker, &e->found, &b, err) < 0)
		return -1;
	if (o->dry_run ? plan_exec_print(&b, stdout, err) < 0
		       : plan_exec_run(&b, s->cfg.timeout_s * 1000, 0, err) < 0)
		return -1;
	ex->kind = REENTRY_NONE;
	memset(&e->found, 0, sizeof(e->found));
	return 0;
}

/* The proxy up and configured before the sandbox starts, at the address
 * the sandbox's variables name. */
static int egress_ready(const struct session *s, const struct cli *o, struct reentry *ex,
			struct egress_run *e, struct cai_err *err)
{
	if (ex->kind == REENTRY_FOREIGN)
		return 0;               /* plan says whose name it is */
	if (ex->kind == REENTRY_REFUSED && !o->restart)
		return err_set(err, 0, "sandbox %s exists but %s; use --restart to recreate it",
			       e->want.sandbox, ex->why);
	if (egress_look_up(&s->docker, &e->want, &e->found, err) < 0)
		return -1;
	if ((ex->kind == REENTRY_NONE || o->restart) && clear_for_create(s, o, ex, e, err) < 0)
		return -1;
	if (ex->kind == REENTRY_OURS && e->found.network != EGRESS_OURS)
		return err_set(err, 0, "sandbox %s has lost its egress network; use --restart",
			       e->want.sandbox);
	_cleanup_free_ char *conf = egress_squid_conf(&e->policy, err);
	int rc = conf ? egress_up(&s->docker, &e->want, &e->found, conf, o->dry_run ? stdout : NULL,
				  s->cfg.timeout_s * 1000, err) : -1;
	if (conf)
		explicit_bzero(conf, strlen(conf));
	if (rc < 0)
		return -1;
	if (ex->kind == REENTRY_OURS && !o->dry_run && strcmp(ex->egress_addr, e->found.addr))
		return err_set(err, 0, "sandbox %s expects its egress proxy at %s, which is now at %s; "
				       "use --restart", e->want.sandbox, ex->egress_addr, e->found.addr);
	return 0;
}

int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_reentry_ struct reentry ex = { 0 };
	_cleanup_close_ int env_fd = -1;
	_cleanup_egress_run_ struct egress_run e = { 0 };
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_REFUSED;
	if (run_gates(s, o, err) < 0)
		return -1;
	*exit_code = EXIT_USAGE;
	if (wsname_choose(o->name, s->workspace, o->allow_sock, o->allow_creds,
			  s->cfg.timeout_s * 1000, name, err) < 0)
		return -1;
	if (egress_on(s) && egress_prepare(s, o, name, &e, err) < 0)
		return -1;
	if (docker_mode(s) && s->cfg.egress == EGRESS_OFF)
		log_warn("--egress off: the sandbox reaches every address the engine's network does, "
			 "the host's and the metadata service's included");
	*exit_code = EXIT_FAILED;
	if (docker_mode(s) && !o->dry_run &&
	    plan_exec_env_pipe(o->env, o->nenv, &env_fd, err) < 0)
		return -1;
	if (look_up(s, name, egress_on(s) ? &e : NULL, &ex, err) < 0)
		return -1;
	if (egress_on(s) && egress_ready(s, o, &ex, &e, err) < 0)
		return -1;
	struct plan_input in = {
		.s = s, .o = o, .name = name, .existing = &ex, .env_fd = env_fd,
		.tty = isatty(0) && isatty(1),
		.egress = egress_on(s) ? &e.policy : NULL, .egress_network = e.name,
		.egress_addr = e.found.addr,
	};
	if (plan_run(&in, &b, err) < 0)
		return -1;
	if (o->dry_run)
		return plan_exec_print(&b, stdout, err);
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
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &ex, .env_fd = -1 };
	if (look_up(s, name, NULL, &ex, err) < 0 || plan_stop(&in, &b, err) < 0)
		return -1;
	/* The proxy after its sandbox: never a running sandbox without one
	 * (which would only mean no network, but say so in the right order). */
	if (egress_on(s)) {
		struct egress_run e = { 0 };
		egress_names(s, name, &e);
		if (egress_look_up(&s->docker, &e.want, &e.found, err) < 0 ||
		    egress_plan_stop(&s->docker, &e.found, &b, err) < 0)
			return -1;
	}
	return plan_exec_run(&b, s->cfg.timeout_s * 1000 + STOP_GRACE_MS, 0, err);
}

int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };
	struct egress_run e = { 0 };
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_USAGE;
	if (wsname_choose(o->name, s->workspace, 0, 0, s->cfg.timeout_s * 1000, name, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	egress_names(s, name, &e);
	if (egress_look_up(&s->docker, &e.want, &e.found, err) < 0)
		return -1;
	if (e.found.proxy == EGRESS_NONE)
		return err_set(err, 0, "sandbox %s has no egress proxy", name);
	/* Its decisions are its standard output: one line each. */
	docker_argv(&s->docker, &a);
	argv_push(&a, "logs");
	if (o->follow)
		argv_push(&a, "--follow");
	argv_push(&a, e.found.proxy_id);
	if (argv_ok(&a, err) < 0)
		return -1;
	fflush(NULL);
	return proc_exec(a.v, err);
}
