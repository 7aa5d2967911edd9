/* SPDX-License-Identifier: MIT */
/* plan: the commands of the launcher's steps on a sandbox.
 *
 * Owns: turning the session (workspace, config, pinned engine, detected
 * mode), the command line, the sandbox's name and - in the docker modes -
 * the verdict on the container holding that name into the commands, in
 * order, as a batch that plan_exec runs or prints:
 *   up (docker modes): a sandbox that is missing is created - docker run
 *           -d, --runtime=sysbox-runc in Sysbox mode, --runtime= the
 *           runtime detect proved to run gVisor's kernel in gVisor mode
 *           (none: the gates let it through only with --force), our labels
 *           (its egress policy among them), no-new-privileges, a private
 *           cgroup namespace, the resource limits, the published ports, the
 *           data volume at SANDBOX_DATA_DIR and the workspace at
 *           SANDBOX_WORKSPACE_DIR (the working directory), in
 *           SANDBOX_WORKSPACE_ENV the device, inode and path of the directory
 *           checked (the path alone in gVisor mode), with egress its
 *           internal network and the resolver that cannot answer,
 *           SANDBOX_INIT --sandbox as PID 1; a stopped one is started;
 *           --restart removes and creates it.  With egress the network
 *           and the proxy (on its way out) are created side by side, then
 *           the sandbox and the proxy joining the network; a proxy is
 *           created, started or kept with its sandbox; a sandbox created
 *           anew gets no proxy or network left behind by an earlier one;
 *   join (docker modes): docker exec, as root, of SANDBOX_INIT --join
 *           --wait PLAN_JOIN_WAIT_S -- COMMAND: the command, the agent
 *           (run without one) or a login shell, hardened by the sandbox's
 *           own init before it runs, with the proxy's variables when the
 *           sandbox has egress; by id, or by name right after it was
 *           created (--dry-run);
 *   eci:    docker sandbox run with the flags its --help lists (the
 *           workspace's path in SANDBOX_WORKSPACE_ENV when it has --env);
 *   sbx:    sbx run --name NAME --template IMAGE AGENT WORKSPACE [-- ARGS];
 *   stop, logs, rm: on the container by id (sbx and docker sandbox by
 *           name); stop and rm also on its proxy (and rm on its network),
 *           found by their labels whatever the egress setting is now;
 *           logs --egress reads the proxy's.
 * Runs nothing: whoever calls it looked the container up and chose the name.
 * Refuses: a name held by a container that is not ours, a container the
 * verdict refuses (unless --restart), an option the mode or the installed
 * sandbox plugin lacks (plan_check_options for the mode).  Never mounts
 * the Docker socket or a host credential path unless an ECI-only opt-in asks for it (the gates
 * checked its acknowledgement).
 */
#ifndef CAI_PLAN_H
#define CAI_PLAN_H

#include "batch.h"
#include "cli.h"
#include "egress.h"
#include "egress_proxy.h"
#include "err.h"
#include "reentry.h"
#include "session.h"

/* How long a join waits for the sandbox's preparation: a data volume
 * with many files takes a while to own. */
#define PLAN_JOIN_WAIT_S 120

struct plan_input {
	const struct session *s;
	const struct cli *o;
	const char *name;
	const struct reentry *existing;  /* docker modes: the name's container */
	int env_fd;                      /* the --env values' pipe; -1: as -e words (dry run) */
	int tty;                         /* stdin and stdout are a terminal */
	/* Docker modes: the sandbox's proxy and network as found (never
	 * NULL there), and - when the sandbox has an egress policy - that
	 * policy, their names and the proxy's address for a join. */
	const struct egress_found *found;
	const struct egress_policy *egress; /* NULL: egress off */
	const struct egress_want *proxy;
	const char *proxy_addr;
	/* Set: a proxy this plan creates loads its configuration
	 * (egress_step_load) as soon as it runs; the step's stdin is made by
	 * egress_conf(egress_conf_ctx, job) when it starts (batch.stdin_for). */
	int egress_load;
	int (*egress_conf)(void *ctx, struct proc_job *j, struct cai_err *err);
	void *egress_conf_ctx;
};

/* The runtime the sandbox runs under in the detected mode, NULL for the
 * engine's default. */
const char *plan_runtime(const struct session *s);

/* What is expected of the name's container: by `run` (for_run: all that
 * run would create) or by the commands that enter or act on it (the
 * shape, and the runtime in Sysbox and gVisor modes). */
void plan_want(const struct session *s, const char *name, int for_run, struct reentry_want *w);

/* Whether the mode can do what the command line asks: in sbx and ECI
 * modes --restart, --data-volume, --publish, --memory, --cpus and
 * --pids-limit, in sbx mode also --env and --detach, are refused (a usage
 * error), never ignored; so is --env SANDBOX_WORKSPACE_ENV in any mode. */
int plan_check_options(const struct session *s, const struct cli *o, struct cai_err *err);

/* Append the steps to b: -1 with err set when refused. */
int plan_run(const struct plan_input *in, struct batch *b, struct cai_err *err);
int plan_join(const struct plan_input *in, struct batch *b, struct cai_err *err);
int plan_stop(const struct plan_input *in, struct batch *b, struct cai_err *err);
int plan_logs(const struct plan_input *in, struct batch *b, struct cai_err *err);
/* rm: the container; with --volume its data volume after it. */
int plan_rm(const struct plan_input *in, struct batch *b, struct cai_err *err);

#endif
