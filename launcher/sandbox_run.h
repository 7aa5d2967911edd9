/* SPDX-License-Identifier: MIT */
/* sandbox_run: `containai run` and `containai stop`.
 *
 * Owns: turning a session (workspace, config, pinned engine, detected
 * mode) into the state-changing commands that start, re-enter or stop the
 * workspace's sandbox, and running them - or, with --dry-run, printing
 * them shell-quoted, one per line, and running none.
 *   sysbox: docker run --runtime=sysbox-runc with our labels, the data
 *           volume at /mnt/agent-data and the workspace at
 *           /home/agent/workspace (also the working directory);
 *   none:   the same without --runtime, only with --force;
 *   eci:    docker sandbox run with the flags its --help lists;
 *   sbx:    sbx run --name NAME --template IMAGE AGENT WORKSPACE [-- ARGS].
 * An existing container of that name is re-entered only when it carries
 * our label for this workspace, runs our image with our volume, and (in
 * Sysbox mode) runs under sysbox-runc: running -> exec, stopped -> start.
 * Refuses: a name held by a container that is not ours, a re-entry whose
 * image, volume or runtime differ (unless --restart), and everything the
 * gates refuse.  Never mounts the Docker socket or a host credential path
 * unless an ECI-only opt-in with its acknowledgement asks for it.
 */
#ifndef CAI_SANDBOX_RUN_H
#define CAI_SANDBOX_RUN_H

#include "cli.h"
#include "err.h"
#include "session.h"

#define SANDBOX_DATA_DIR "/mnt/agent-data"
#define SANDBOX_WORKSPACE_DIR "/home/agent/workspace"
#define SANDBOX_LABEL_MANAGED "containai.managed"
#define SANDBOX_LABEL_WORKSPACE "containai.workspace"
#define SANDBOX_LABEL_MODE "containai.mode"

/* On success either returns 0 (dry run, detached start, stop) or does not
 * return at all (the final command replaced the launcher).  On failure
 * returns -1 with err set and *exit_code one of the EXIT_* of cli.h. */
int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

/* The name for this invocation: --name, else derived from the workspace. */
int sandbox_name(const struct session *s, const struct cli *o, char *out, size_t outsz,
		 struct cai_err *err);

#endif
