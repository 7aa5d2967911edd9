/* SPDX-License-Identifier: MIT */
/* hygiene: what the command inherits besides credentials - descriptors,
 * working directory, umask, core-dump limit, dumpability.
 *
 * Owns: making the child not dumpable while it is privileged (so no other
 * process in the container can ptrace or read it during preparation), the
 * umask and RLIMIT_CORE from [security], checking that the working
 * directory is reachable from our root (a directory leaked in from outside
 * is how runc CVE-2024-21626 escaped), and closing every descriptor >= 3
 * right before exec (leaked descriptors are escapes: CVE-2016-9962).
 * Refuses: a working directory that getcwd cannot name or whose name leads
 * elsewhere; a limit or flag that does not read back as set.
 */
#ifndef CAI_HYGIENE_H
#define CAI_HYGIENE_H

#include "config.h"
#include "err.h"

/* PR_SET_DUMPABLE 0, read back.  First thing in the child. */
int hygiene_not_dumpable(struct cai_err *err);

/* umask and RLIMIT_CORE from cfg, read back. */
int hygiene_limits(const struct cai_config *cfg, struct cai_err *err);

/* The working directory must be the directory its name resolves to. */
int hygiene_check_cwd(struct cai_err *err);

/* Close every descriptor >= 3. */
int hygiene_close_fds(struct cai_err *err);

#endif
