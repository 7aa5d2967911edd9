/* SPDX-License-Identifier: MIT */
/* harden: the order of the hardening steps and what each one is given.
 *
 * Owns: the sequence in the spawned child - compile the seccomp filter
 * (still privileged, so nothing later needs libseccomp or the file
 * system), check the working directory, setgroups, setresgid, setresuid,
 * capabilities, no_new_privs, Landlock, umask and core limit, descriptors - and,
 * as the very last step before execve, loading the filter.  Also what PID
 * 1 sheds once the command runs, and the --check / --print-policy views.
 * Every step verifies itself; the first failure names the step and stops
 * everything (containai-init exits 125 and the command never starts).
 * Refuses: configs whose steps cannot all hold at once (no_new_privs off
 * with a filter or Landlock, which could then not be loaded).
 */
#ifndef CAI_HARDEN_H
#define CAI_HARDEN_H

#include "caps.h"
#include "config.h"
#include "err.h"
#include "seccomp_policy.h"

struct harden_state {
	struct seccomp_bpf filter;      /* len 0: no filter */
	/* For the debug line bench/harden.sh reads: the sequence's cost. */
	long long started_ns, compile_ns;
};

/* First thing in the child: not dumpable while privileged. */
int harden_early(const struct cai_config *cfg, struct cai_err *err);

/* Every step but the filter load; *envp gains HOME, USER, LOGNAME. */
int harden_prepare(struct harden_state *st, const struct cai_config *cfg, char ***envp,
		   struct cai_err *err);

/* Load the filter compiled by harden_prepare: the last call before execve. */
int harden_finalize(struct harden_state *st, struct cai_err *err);

/* PID 1 after the spawn: CAP_KILL only, no_new_privs. */
int harden_self(const struct cai_config *cfg, struct cai_err *err);

/* --check: identity, capability names, Landlock settings, the policy. */
int harden_check(const struct cai_config *cfg, struct cai_err *err);

/* --compile-policy: compile the policy and save it beside it (POLICY.bpf)
 * for start-up to load without libseccomp. */
int harden_compile_policy(const struct cai_config *cfg, struct cai_err *err);

/* --print-policy: libseccomp's pseudo-filter code for the policy, on fd. */
int harden_print_policy(const struct cai_config *cfg, int fd, struct cai_err *err);

#endif
