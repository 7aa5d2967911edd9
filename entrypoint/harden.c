/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "harden.h"

#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "fd.h"
#include "hygiene.h"
#include "identity.h"
#include "landlock.h"
#include "log.h"

/* What can be judged from the config alone; caps names land in *keep. */
static int harden_validate(const struct cai_config *cfg, caps_mask *keep, struct cai_err *err)
{
	*keep = 0;
	if (!cfg->security_enabled)
		return 0;
	if (caps_parse(cfg->capabilities, keep, err) < 0)
		return err_prefix(err, "[security] capabilities");
	if (landlock_check_config(cfg, err) < 0)
		return -1;
	/* Once capabilities are gone, only no_new_privs lets an unprivileged
	 * process load a filter or a Landlock domain. */
	if (!cfg->no_new_privs && (cfg->seccomp_policy[0] || cfg->landlock != LANDLOCK_OFF))
		return err_set(err, 0, "[security] no_new_privs = false cannot go with a seccomp policy or Landlock");
	return 0;
}

/* Parse the policy text and compile it: FILE:LINE errors from either. */
static int compile_text(const char *path, const char *text, size_t len, struct seccomp_bpf *bpf,
			struct cai_err *err)
{
	struct seccomp_policy *p = seccomp_policy_parse_buf(text, len, path, err);

	if (!p)
		return -1;
	int rc = seccomp_policy_compile(p, bpf, err);
	seccomp_policy_free(p);
	return rc;
}

/* The filter for the policy: the program saved by --compile-policy when it
 * matches the policy text, else compiled now.  A stale saved program is an
 * error for --check (`stale_is_error`) and a warning at start-up, where the
 * policy itself is the authority. */
static int harden_compile(struct harden_state *st, const struct cai_config *cfg, int stale_is_error,
			  struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (!cfg->security_enabled || !cfg->seccomp_policy[0])
		return 0;
	long long t0 = clock_now_ns();
	if (seccomp_policy_read(cfg->seccomp_policy, &text, &len, err) < 0)
		return err_prefix(err, "seccomp");
	int saved = seccomp_bpf_load_saved(cfg->seccomp_policy, text, len, &st->filter, err);
	if (saved < 0 && stale_is_error)
		return err_prefix(err, "seccomp");
	if (saved < 0)
		log_warn("seccomp: %s; compiling the policy instead", err->msg);
	if (saved <= 0 && compile_text(cfg->seccomp_policy, text, len, &st->filter, err) < 0)
		return err_prefix(err, "seccomp");
	st->compile_ns = clock_now_ns() - t0;
	return 0;
}

static int harden_identity(const struct cai_config *cfg, char ***envp, struct cai_err *err)
{
	struct identity id;

	if (!cfg->user_enabled)
		return 0;
	/* A start as another uid cannot rewrite root's files: the read-only
	 * rule of allow_root is for a command that runs as uid 0 or group 0
	 * after a start as root. */
	int rc = geteuid() == 0 ? identity_resolve(cfg, &id, err) < 0 || identity_check_root_readonly(cfg, &id, err) < 0
			       : identity_resolve_started(cfg, &id, err) < 0;
	if (rc)
		return -1;
	char **env = identity_env(&id, *envp, err);
	if (!env)
		return -1;
	*envp = env;
	/* Without KEEP_CAPS the switch away from root would empty the
	 * permitted set, and the capability step could no longer shape (or
	 * verify) the bounding set. */
	if (cfg->security_enabled && id.uid != 0 && geteuid() == 0 && caps_keep_across_setuid(err) < 0)
		return -1;
	return identity_apply(&id, err);
}

int harden_early(const struct cai_config *cfg, struct cai_err *err)
{
	if (!cfg->user_enabled && !cfg->security_enabled)
		return 0;
	return hygiene_not_dumpable(err);
}

int harden_prepare(struct harden_state *st, const struct cai_config *cfg, char ***envp,
		   struct cai_err *err)
{
	caps_mask keep;

	if (!cfg->user_enabled && !cfg->security_enabled)
		return 0;
	st->started_ns = clock_now_ns();
	if (harden_validate(cfg, &keep, err) < 0 || harden_compile(st, cfg, 0, err) < 0)
		return -1;
	/* Checked while still root: the command's uid may not be allowed to
	 * stat its way to the directory, which is no reason to refuse it. */
	if (cfg->security_enabled && hygiene_check_cwd(err) < 0)
		return -1;
	if (harden_identity(cfg, envp, err) < 0)
		return -1;
	if (!cfg->security_enabled)
		return 0;
	if (caps_restrict(keep, err) < 0)
		return -1;
	if (cfg->no_new_privs && caps_set_no_new_privs(err) < 0)
		return -1;
	if (landlock_apply(cfg, err) < 0 || hygiene_limits(cfg, err) < 0 || hygiene_close_fds(err) < 0)
		return -1;
	return 0;
}

int harden_finalize(struct harden_state *st, struct cai_err *err)
{
	if (st->filter.len && seccomp_bpf_install(&st->filter, err) < 0)
		return -1;
	if (st->started_ns)
		log_debug("hardening: %lld us, of which %lld us compiling the seccomp policy",
			  (clock_now_ns() - st->started_ns) / 1000, st->compile_ns / 1000);
	return 0;
}

int harden_self(const struct cai_config *cfg, struct cai_err *err)
{
	if (!cfg->security_enabled)
		return 0;
	return caps_restrict_supervisor(err);
}

int harden_check(const struct cai_config *cfg, struct cai_err *err)
{
	struct harden_state st = { 0 };
	struct identity id;
	caps_mask keep;

	if (harden_validate(cfg, &keep, err) < 0)
		return -1;
	if (cfg->user_enabled && identity_resolve(cfg, &id, err) < 0)
		return -1;
	if (harden_compile(&st, cfg, 1, err) < 0)
		return -1;
	seccomp_bpf_free(&st.filter);
	return 0;
}

int harden_compile_policy(const struct cai_config *cfg, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct seccomp_bpf bpf = { 0 };
	size_t len;

	if (!cfg->security_enabled || !cfg->seccomp_policy[0])
		return err_set(err, 0, "--compile-policy: no seccomp policy configured ([security] seccomp)");
	if (seccomp_policy_read(cfg->seccomp_policy, &text, &len, err) < 0)
		return err_prefix(err, "seccomp");
	int rc = compile_text(cfg->seccomp_policy, text, len, &bpf, err);
	if (rc == 0)
		rc = seccomp_bpf_save(&bpf, text, len, cfg->seccomp_policy, err);
	seccomp_bpf_free(&bpf);
	if (rc < 0)
		return err_prefix(err, "seccomp");
	log_info("seccomp: saved the compiled policy as %s%s", cfg->seccomp_policy, SECCOMP_BPF_SUFFIX);
	return 0;
}

int harden_print_policy(const struct cai_config *cfg, int fd, struct cai_err *err)
{
	if (!cfg->security_enabled || !cfg->seccomp_policy[0])
		return err_set(err, 0, "--print-policy: no seccomp policy configured ([security] seccomp)");
	struct seccomp_policy *p = seccomp_policy_load(cfg->seccomp_policy, err);
	if (!p)
		return err_prefix(err, "seccomp");
	int rc = seccomp_policy_print(p, fd, err);
	seccomp_policy_free(p);
	return rc;
}
