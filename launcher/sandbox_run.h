/* SPDX-License-Identifier: MIT */
/* sandbox_run: `containai run`, `shell`, `exec`, `stop` and `logs`, in order.
 *
 * Owns: the sequence of each - the gates (gates) for the commands that
 * start something in a sandbox, the name (wsname), in the docker modes
 * the container holding it (docker_inspect, judged by reentry), the
 * commands (plan), and carrying them out or printing them for --dry-run
 * (plan_exec) - and which exit status each step's failure means (cli.h's
 * EXIT_*).  In the docker modes run, shell and exec bring the sandbox up
 * first (create or start it, waited for), judge the container again, and
 * only then join it: never a start racing an exec.
 * Refuses: whatever those steps refuse; it decides nothing of its own.
 */
#ifndef CAI_SANDBOX_RUN_H
#define CAI_SANDBOX_RUN_H

#include "cli.h"
#include "err.h"
#include "reentry.h"
#include "session.h"

/* On success either returns 0 (dry run, detached start, stop) or does not
 * return at all (the final command replaced the launcher).  On failure
 * returns -1 with err set and *exit_code one of the EXIT_* of cli.h. */
/* run, shell and exec. */
int sandbox_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_stop(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);
int sandbox_logs(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

/* In the docker modes, the verdict on the container holding `name`
 * against what plan_want expects (for_run: all that run would create);
 * elsewhere the sandbox tool keeps its own, and *ex stays "none". */
int sandbox_look_up(const struct session *s, const char *name, int for_run, struct reentry *ex,
		    struct cai_err *err);

/* The name of this invocation's sandbox (wsname_choose with the
 * invocation's flags). */
int sandbox_name(const struct session *s, const struct cli *o, char *name, struct cai_err *err);

#endif
