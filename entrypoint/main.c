/* SPDX-License-Identifier: MIT */
/* containai-init: PID 1 of the ContainAI sandbox.
 *
 * Wiring only: parse the command line and config, then hand the command to
 * the supervisor with the preparation steps it runs in the child, in order:
 * volume, environment, workspace, hardening - the filter last.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "beneath.h"
#include "cli.h"
#include "config.h"
#include "dotenv.h"
#include "envbuild.h"
#include "fd.h"
#include "harden.h"
#include "log.h"
#include "supervise.h"
#include "volume.h"
#include "workspace.h"

#ifndef CAI_VERSION
#define CAI_VERSION "0.0.0"
#endif

struct init_ctx {
	const struct cai_config *cfg;
	struct beneath vol;             /* the prepared volume, for the steps after it */
	char **argv;                    /* the command, for the execve limits */
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

	/* First: not dumpable and the filter compiled while still privileged. */
	if (harden_early(c->cfg, err) < 0)
		return -1;
	if (c->cfg->volume_enabled && volume_setup(c->cfg, &c->vol, err) < 0)
		return -1;
	if (init_env(c, envp, err) < 0)
		return -1;
	if (c->cfg->workspace_enabled &&
	    workspace_setup(c->cfg->workspace_link, c->cfg->workspace_required, err) < 0)
		return -1;
	if (init_verify_volume(c, err) < 0)
		return -1;
	/* Last: identity, capabilities, no_new_privs, Landlock, descriptors. */
	return harden_prepare(&c->harden, c->cfg, envp, err);
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
	if (opts.action == CLI_PRINT_POLICY) {
		if (harden_print_policy(&cfg, STDOUT_FILENO, &err) < 0) {
			log_error_err(&err);
			return EXIT_INIT_FAILED;
		}
		return 0;
	}

	struct init_ctx ictx = { .cfg = &cfg, .vol = { .root_fd = -1 }, .argv = opts.argv };
	struct supervise_spec spec = {
		.argv = opts.argv,
		.grace = cfg.grace,
		.target = cfg.signal_target,
		.prepare = init_prepare,
		.finalize = init_finalize,
		.harden_self = init_harden_self,
		.ctx = &ictx,
	};
	return supervise_run(&spec);
}
