/* SPDX-License-Identifier: MIT */
/* landlock: file-system confinement of the command with Landlock.
 *
 * Owns: probing the kernel's Landlock ABI, the ruleset built from
 * `[security] landlock_read` (read and execute) and `landlock_write`
 * (everything the ABI can restrict), and restricting the process - by raw
 * system calls, so no library decides what "unsupported" means.
 * Modes: off; best-effort - a kernel without Landlock is a warning and the
 * command runs unconfined; required - the same kernel is an error.
 * Refuses: in every mode, a path that cannot be opened, an enabled mode
 * with both lists empty (nothing could even be executed), and any failure
 * other than "this kernel has no Landlock".
 */
#ifndef CAI_LANDLOCK_H
#define CAI_LANDLOCK_H

#include "config.h"
#include "err.h"

/* The kernel's Landlock ABI version, or -1 with errno when it has none. */
int landlock_abi(void);

/* The config-only checks (for --check and before applying). */
int landlock_check_config(const struct cai_config *cfg, struct cai_err *err);

/* Restrict the calling process per cfg.  Needs no_new_privs (or
 * CAP_SYS_ADMIN); its own descriptors are closed before it returns. */
int landlock_apply(const struct cai_config *cfg, struct cai_err *err);

#endif
