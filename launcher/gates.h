/* SPDX-License-Identifier: MIT */
/* gates: whether `containai run` may start a sandbox, and how.
 *
 * Owns: the decision from the detected mode, --force, strict mode
 * (CONTAINAI_REQUIRE_ISOLATION) and the unsafe opt-ins with their
 * acknowledgements.  Rules, in this order:
 *   1. each unsafe flag needs its acknowledgement, and an acknowledgement
 *      without its flag is a mistake too;
 *   2. with no isolation mode, run is refused; --force proceeds without
 *      isolation, except in strict mode where --force has no effect;
 *   3. the unsafe opt-ins exist only in ECI mode (in sbx, Sysbox and gVisor
 *      modes, and unisolated, they are errors).
 * Also owns which workspace may be mounted at all: never "/", never a
 * directory that contains (or lies inside) a host credential path, the
 * Docker socket, the pinned engine's socket, the launcher's config in use,
 * or the host's own state (/etc, /proc, /sys, /dev, /var/lib, /run, /boot,
 * /root, outside the user's home), never /home (other users' homes) -
 * mounting $HOME would hand the agent ~/.ssh.
 * Refuses: everything not allowed above, with one line saying what to do.
 */
#ifndef CAI_GATES_H
#define CAI_GATES_H

#include "detect.h"
#include "err.h"

struct gate_input {
	enum iso_mode mode;
	int force, require_isolation;
	int allow_creds, ack_creds;
	int allow_sock, ack_sock;
};

/* 0 to proceed (*unisolated set when only --force let it through), -1
 * with err set to refuse. */
int gates_check(const struct gate_input *in, int *unisolated, struct cai_err *err);

/* 1 when a host path can go into docker's --mount as it is: no ',', ':',
 * '"' or control character. */
int gates_mountable(const char *path);

/* workspace: an absolute, resolved path; homes: NULL-terminated list of
 * the user's home directories ($HOME, the passwd entry), relative or empty
 * ones skipped; refused when none is usable.  more: NULL-terminated list
 * (or NULL) of further host paths no workspace may hold or lie in - the
 * launcher's config directory in use, the pinned engine's socket. */
int gates_workspace_check(const char *workspace, const char *const *homes, const char *const *more,
			  struct cai_err *err);

#endif
