/* SPDX-License-Identifier: MIT */
/* containai-init: PID 1 of the ContainAI sandbox.
 *
 * Wiring only: parse the command line and config, then hand the command to
 * the supervisor with the preparation steps it runs in the child, in order:
 * account, volume (links included), environment, workspace, hardening -
 * the filter last.  The three modes run the same steps (init_prepare): a
 * command; --sandbox, which prepares and stops before the environment and
 * the hardening (there is no command yet), then marks the sandbox
 * prepared; --join, which opens the volume the start prepared and runs
 * every other step on the joining process itself, once the mark says this
 * start's preparation completed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "beneath.h"
#include "cli.h"
#include "config.h"
#include "dotenv.h"
#include "envbuild.h"
#include "fd.h"
#include "harden.h"
#include "import.h"
#include "log.h"
#include "prepared.h"
#include "supervise.h"
#include "volume.h"
#include "workspace.h"

#ifndef CAI_VERSION
#define CAI_VERSION "0.0.0"
#endif

struct init_ctx {
	const struct cai_config *cfg;
	struct beneath vol;             /* the prepared volume, for the steps after it */
	char **argv;                    /* the command, for the execve limits; NULL: sandbox */
	int join;                       /* entering a prepared sandbox */
	struct harden_state harden;
};

static int load_config(const struct cli_opts *opts, struct cai_config *cfg, struct cai_err *err)
{
	config_defaults(cfg);
	if (opts->config)
		return config_load(cfg, opts->config, err);
	if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		return config_load(cfg, CONFIG_DEFAULT_PATH, err);
	return 0;
}

/* The command's environment: ours, then what the .env file adds. */
static int init_env(struct init_ctx *c, char ***envp, struct cai_err *err)
{
	struct dotenv file = { 0 };

	if (c->cfg->env_enabled && c->cfg->env_file[0] && c->cfg->volume_enabled)
		dotenv_load(&c->vol, c->cfg->env_file, c->cfg->env_allow_hooks, &file);
	char **env = envbuild_merge(*envp, &file, err);
	if (!env || envbuild_check_limits(c->argv, env, sysconf(_SC_ARG_MAX), err) < 0)
		return err_prefix(err, "env");
	/* Kept, with the file's strings, until execve replaces this process. */
	*envp = env;
	return 0;
}

/* The volume must still be the one opened first (not swapped underneath). */
static int init_verify_volume(struct init_ctx *c, struct cai_err *err)
{
	if (c->cfg->volume_enabled && beneath_verify_root(&c->vol, err) < 0)
		return err_prefix(err, "volume");
	return 0;
}

static int init_prepare(void *ctx, char ***envp, struct cai_err *err)
{
	struct init_ctx *c = ctx;
	const struct cai_config *cfg = c->cfg;

	/* First: not dumpable and the filter compiled while still privileged. */
	if (harden_early(cfg, err) < 0)
		return -1;
	/* The account first (a start's own step, never a join's): the volume
	 * and the home's links are its. */
	struct volume_owner owner;
	if (!c->join && account_setup(cfg, &owner.uid, &owner.gid, err) < 0)
		return -1;
	if (cfg->volume_enabled &&
	    (c->join ? volume_open(cfg, &c->vol, err) : volume_setup(cfg, &owner, &c->vol, err)) < 0)
		return -1;
	if (c->argv && init_env(c, envp, err) < 0)
		return -1;
	if (cfg->workspace_enabled &&
	    workspace_setup(cfg->workspace_link, cfg->workspace_required, getenv(WORKSPACE_ENV), err) < 0)
		return -1;
	if (init_verify_volume(c, err) < 0)
		return -1;
	/* A sandbox has no command to harden yet: its processes join. */
	if (!c->argv)
		return prepared_make_dir(err);
	/* Last: identity, capabilities, no_new_privs, Landlock, descriptors. */
	return harden_prepare(&c->harden, cfg, envp, err);
}

static int init_finalize(void *ctx, struct cai_err *err)
{
	struct init_ctx *c = ctx;

	return harden_finalize(&c->harden, err);
}

static int init_harden_self(void *ctx, struct cai_err *err)
{
	struct init_ctx *c = ctx;

	return harden_self(c->cfg, err);
}

static int init_prepared(void *ctx, struct cai_err *err)
{
	struct init_ctx *c = ctx;

	return prepared_publish(c->cfg->source, err);
}

static void init_stopping(void *ctx)
{
	prepared_withdraw();
}

/* --join: only into a sandbox whose preparation completed in this start,
 * and only as root - it drops to the sandbox's identity itself.  Started
 * by anyone else it could only drop further, so it is refused. */
static int init_join(struct init_ctx *c, const struct supervise_spec *spec, unsigned wait_s)
{
	struct cai_err err = { 0 };

	if (geteuid() != 0) {
		log_error("join: must be started as root (uid 0): it applies the sandbox's identity itself");
		return EXIT_INIT_FAILED;
	}
	if (prepared_check(c->cfg->source, wait_s, &err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	return supervise_join(spec);
}

static int init_check(const struct cai_config *cfg)
{
	struct cai_err err = { 0 };

	if (volume_check(cfg, &err) < 0 || harden_check(cfg, &err) < 0) {
		log_error_err(&err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_opts opts;
	struct cai_config cfg;
	struct cai_err err = { 0 };

	log_init("containai-init");
	if (fd_ensure_stdio(&err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	if (cli_parse(argc, argv, &opts, &err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	switch (opts.action) {
	case CLI_HELP:
		fputs(cli_usage, stdout);
		return 0;
	case CLI_VERSION:
		puts("containai-init " CAI_VERSION);
		return 0;
	default:
		break;
	}
	if (load_config(&opts, &cfg, &err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	log_set_level((enum log_level)cfg.log_level);
	if (opts.verbosity > 0)
		log_set_level(LOG_LVL_DEBUG);
	else if (opts.verbosity < 0)
		log_set_level(LOG_LVL_ERROR);
	/* A join's stderr is the user's terminal: warnings and errors only,
	 * unless asked for more. */
	if (opts.action == CLI_JOIN && opts.verbosity == 0 && log_get_level() > LOG_LVL_WARN)
		log_set_level(LOG_LVL_WARN);
	if (opts.grace_set)
		cfg.grace = opts.grace;
	if (opts.group)
		cfg.signal_target = SIGNAL_TARGET_GROUP;

	if (opts.action == CLI_CHECK)
		return init_check(&cfg) < 0 ? EXIT_INIT_FAILED : 0;
	if (opts.action == CLI_COMPILE_POLICY) {
		if (harden_compile_policy(&cfg, &err) < 0) {
			log_error_err(&err);
			return EXIT_INIT_FAILED;
		}
		return 0;
	}
	if (opts.action == CLI_IMPORT) {
		if (import_run(&cfg, opts.import, &err) < 0) {
			log_error_err(&err);
			return EXIT_INIT_FAILED;
		}
		return 0;
	}
	if (opts.action == CLI_PRINT_POLICY) {
		if (harden_print_policy(&cfg, STDOUT_FILENO, &err) < 0) {
			log_error_err(&err);
			return EXIT_INIT_FAILED;
		}
		return 0;
	}

	struct init_ctx ictx = {
		.cfg = &cfg, .vol = { .root_fd = -1 }, .argv = opts.argv, .join = opts.action == CLI_JOIN,
	};
	struct supervise_spec spec = {
		.argv = opts.argv,
		.grace = cfg.grace,
		.target = cfg.signal_target,
		.prepare = init_prepare,
		.finalize = init_finalize,
		.harden_self = init_harden_self,
		.prepared = init_prepared,
		.stopping = init_stopping,
		.ctx = &ictx,
	};
	if (opts.action == CLI_JOIN)
		return init_join(&ictx, &spec, opts.wait);
	return supervise_run(&spec);
}
