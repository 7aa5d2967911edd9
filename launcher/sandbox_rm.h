/* SPDX-License-Identifier: MIT */
/* sandbox_rm: `containai rm`.
 *
 * Owns: the sequence of a removal - the name; the container holding it,
 * which must carry our labels for this workspace (one shaped otherwise is
 * removed too: that is how to get rid of one); with --volume, that no
 * other container uses its data volume (asked of the engine before
 * anything is removed) and that the user said yes - --yes, or "y" typed
 * on the terminal after a question naming the sandbox and the volume;
 * then docker rm -f and docker volume rm.  In sbx and ECI modes, their
 * tool's rm.
 * Refuses: --volume without a yes (no terminal to ask, no --yes), a
 * volume another container still uses, the volume of a container shaped
 * otherwise - each before anything is removed.
 */
#ifndef CAI_SANDBOX_RM_H
#define CAI_SANDBOX_RM_H

#include "cli.h"
#include "err.h"
#include "session.h"

int sandbox_rm(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

/* The containers other than `self` (an id) in `docker ps -a --no-trunc
 * --format '{{.ID}} {{.Names}}'` output: their names, comma-separated and
 * made printable, into out; how many there are. */
size_t sandbox_rm_other_users(const char *ps_out, const char *self, char *out, size_t outsz);

#endif
