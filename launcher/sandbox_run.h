/* SPDX-License-Identifier: MIT */
/* sandbox_run: `containai run` and `containai stop`, in order.
 *
 * Owns: the sequence of a run - the gates (gates), the name (wsname), in
 * the docker modes the container holding it (docker_inspect, judged by
 * reentry), with egress the proxy and its network brought up first
 * (egress_proxy, on egress's policy and credential's keys), the commands
 * (plan), and carrying them out or printing them
 * for --dry-run (plan_exec) - and which exit status each step's failure
 * means (cli.h's EXIT_*).
 * Refuses: whatever those steps refuse; it decides nothing of its own.
 */
#ifndef CAI_SANDBOX_RUN_H
#define CAI_SANDBOX_RUN_H

#include "cli.h"
#include "err.h"
#include "session.h"

/* On success either returns 0 (dry run, detached start, stop) or does not
 * return at all (the final command replaced the launcher).  On failure
 * returns -1 with err set and *exit_code one of the EXIT_* of cli.h. */
int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
/* `containai logs --egress`: the egress proxy's decisions (replaces the
 * launcher with `docker logs`). */
int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

#endif
