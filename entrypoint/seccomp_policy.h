/* SPDX-License-Identifier: MIT */
/* seccomp_policy: the seccomp policy file - its parse, its compilation to
 * BPF with libseccomp, and loading the result.
 *
 * Owns: the text format (docs/seccomp-policy.md), its validation with
 * "FILE:LINE: message" errors, the libseccomp filter built from it, and the
 * architecture guard in front of it: any ABI but the native one is killed,
 * and on x86_64 so is every x32 system call (nr >= 0x40000000), by our own
 * instructions rather than by trusting libseccomp's layout.
 * The program is generated while still privileged (seccomp_policy_compile,
 * or read back from where `containai-init --compile-policy` saved it) and
 * installed by one system call at the very end (seccomp_bpf_install), so
 * nothing between the two needs libseccomp, memory or the file system.
 * Refuses: unknown system calls or constants, ambiguous rules (two actions
 * for one system call, a rule that repeats the default action, a rule
 * without a condition next to conditional ones), oversized files and lines.
 */
#ifndef CAI_SECCOMP_POLICY_H
#define CAI_SECCOMP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SECCOMP_POLICY_MAX_SIZE  (64u * 1024)
#define SECCOMP_POLICY_MAX_LINE  1024
#define SECCOMP_POLICY_MAX_RULES 512

struct seccomp_policy;

/* A compiled program, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct seccomp_bpf {
	struct sock_filter *insns;
	unsigned short len;
};

/* Parse a policy held in memory; `name` labels error messages. */
struct seccomp_policy *seccomp_policy_parse_buf(const char *buf, size_t len, const char *name,
					       struct cai_err *err);

/* Read the policy file at `path` (its text, bounded, no symlink). */
int seccomp_policy_read(const char *path, char **text, size_t *len, struct cai_err *err);

/* Read and parse the policy file at `path`. */
struct seccomp_policy *seccomp_policy_load(const char *path, struct cai_err *err);

void seccomp_policy_free(struct seccomp_policy *p);

/* Generate the BPF program (architecture guard + libseccomp's filter). */
int seccomp_policy_compile(const struct seccomp_policy *p, struct seccomp_bpf *out,
			   struct cai_err *err);

/* Print libseccomp's pseudo-filter code, headed by a note on our guard. */
int seccomp_policy_print(const struct seccomp_policy *p, int fd, struct cai_err *err);

/* The compiled program saved beside its policy (`POLICY.bpf`), so that
 * start-up can skip libseccomp: the file holds the exact policy text it was
 * compiled from, containai-init's version and the architecture, and is used
 * only when all three match. */
#define SECCOMP_BPF_SUFFIX ".bpf"

/* Write POLICY.bpf for the policy `text` (atomically: a temporary file,
 * then rename). */
int seccomp_bpf_save(const struct seccomp_bpf *bpf, const char *text, size_t len,
		     const char *policy_path, struct cai_err *err);

/* Read POLICY.bpf.  Returns 1 when it was compiled from exactly `text` by
 * this build, 0 when there is none, -1 (err set) when it is stale or
 * malformed. */
int seccomp_bpf_load_saved(const char *policy_path, const char *text, size_t len,
			   struct seccomp_bpf *out, struct cai_err *err);

/* Install the program on the calling thread and read the mode back.
 * Needs no_new_privs (or CAP_SYS_ADMIN). */
int seccomp_bpf_install(const struct seccomp_bpf *bpf, struct cai_err *err);

void seccomp_bpf_free(struct seccomp_bpf *bpf);

#endif
