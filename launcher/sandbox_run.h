/* SPDX-License-Identifier: MIT */
/* sandbox_run: `containai run`, `shell`, `exec`, `stop` and `logs`, in order.
 *
 * Owns: the sequence of each (and of rm, for sandbox_rm) - the gates (gates) for the commands that
 * start something in a sandbox, the name (wsname), in the docker modes
 * the container holding it (judged by reentry) and its egress proxy and
 * network (judged by egress_proxy), looked up in one round, the egress
 * policy and credentials (egress, credential, registries), the commands
 * (plan), and carrying them out or printing them for --dry-run
 * (plan_exec) - and which exit status each step's failure means (cli.h's
 * EXIT_*).  In the docker modes run, shell and exec bring the sandbox up
 * first (create or start it and its proxy, waited for), load the proxy's
 * policy, judge everything again, and only then join it: never a start
 * racing an exec, never a join before its proxy listens.  The tools the
 * host's registries are asked of run meanwhile, from before the first
 * docker call.
 * Refuses: whatever those steps refuse; it decides nothing of its own.
 */
#ifndef CAI_SANDBOX_RUN_H
#define CAI_SANDBOX_RUN_H

#include "batch.h"
#include "cli.h"
#include "err.h"
#include "plan.h"
#include "reentry.h"
#include "session.h"

/* On success either returns 0 (dry run, detached start, stop) or does not
 * return at all (the final command replaced the launcher).  On failure
 * returns -1 with err set and *exit_code one of the EXIT_* of cli.h. */
/* run, shell and exec. */
int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

/* stop, logs and rm: the sandbox, its proxy and network found, the steps
 * planned, checked (when there is a check) and run - the last replacing
 * the launcher with `replace`.  A bad --name exits 2, a failed look-up 3.
 * With `variants` (stop, rm) in ECI mode and without the opt-in flags:
 * the sandbox a plain run uses when it exists, else the one sandbox of
 * the workspace made with opt-ins; two or more of those, and none plain,
 * exit 2 naming them. */
struct sandbox_act {
	int (*plan)(const struct plan_input *in, struct batch *b, struct cai_err *err);
	int (*check)(const struct plan_input *in, int *exit_code, struct cai_err *err);
	unsigned timeout_ms;
	int replace;
	int variants;
};

int sandbox_act_on(const struct session *s, const struct cli *o, const struct sandbox_act *act,
		   int *exit_code, struct cai_err *err);

#endif
