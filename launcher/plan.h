/* SPDX-License-Identifier: MIT */
/* plan: the commands of one `containai run` or `containai stop`.
 *
 * Owns: turning the session (workspace, config, pinned engine, detected
 * mode), the command line, the sandbox's name and - in the docker modes -
 * the verdict on the container holding that name into the state-changing
 * commands, in order, as a batch that plan_exec runs or prints:
 *   sysbox: docker run --runtime=sysbox-runc with our labels,
 *           no-new-privileges, the data volume at SANDBOX_DATA_DIR and the
 *           workspace at SANDBOX_WORKSPACE_DIR (also the working directory),
 *           and with egress the internal network, the dead resolver and
 *           the proxy variables (egress_proxy's);
 *   none:   the same without --runtime (the gates let it through only
 *           with --force);
 *   re-entry of ours: running -> docker exec --user agent, stopped ->
 *           docker start; --restart -> docker rm -f, then run; always by id;
 *   eci:    docker sandbox run with the flags its --help lists;
 *   sbx:    sbx run --name NAME --template IMAGE AGENT WORKSPACE [-- ARGS].
 * Runs nothing: whoever calls it looked the container up and chose the name.
 * Refuses: a name held by a container that is not ours, a re-entry the
 * verdict refuses (unless --restart), an option the mode or the installed
 * sandbox plugin lacks.  Never mounts the Docker socket or a host
 * credential path unless an ECI-only opt-in asks for it (the gates
 * checked its acknowledgement).
 */
#ifndef CAI_PLAN_H
#define CAI_PLAN_H

#include "batch.h"
#include "cli.h"
#include "err.h"
#include "reentry.h"
#include "session.h"

struct plan_input {
	const struct session *s;
	const struct cli *o;
	const char *name;
	const struct reentry *existing;  /* docker modes: the name's container */
	int env_fd;                      /* the --env values' pipe; -1: as -e words (dry run) */
	int tty;                         /* stdin and stdout are a terminal */
	const struct egress_policy *egress; /* NULL: egress off */
	const char *egress_network;      /* the sandbox's internal network */
	const char *egress_addr;         /* the proxy's address on it */
};

/* What `run` would create now, for reentry_judge; egress NULL when off. */
void plan_want(const struct session *s, const char *name, const struct egress_policy *egress,
	       const char *egress_network, struct reentry_want *w);

/* Append the steps to b: -1 with err set when refused. */
int plan_run(const struct plan_input *in, struct batch *b, struct cai_err *err);
int plan_stop(const struct plan_input *in, struct batch *b, struct cai_err *err);

#endif
