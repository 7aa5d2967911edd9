/* SPDX-License-Identifier: MIT */
/* sandbox_run: `containai run`, `shell`, `exec`, `stop` and `logs`, in order.
 *
 * Owns: the sequence of each (and of rm, for sandbox_rm) - the gates (gates) for the commands that
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

/* In the docker modes, the verdict on the container holding `name`
 * against what plan_want expects (for_run: all that run would create);
 * elsewhere the sandbox tool keeps its own, and *ex stays "none". */
int sandbox_look_up(const struct session *s, const char *name, int for_run, struct reentry *ex,
		    struct cai_err *err);

/* stop, logs and rm: the sandbox found, the steps planned, checked (when
 * there is a check) and run - the last replacing the launcher with
 * `replace`. */
struct sandbox_act {
	int (*plan)(const struct plan_input *in, struct batch *b, struct cai_err *err);
	int (*check)(const struct plan_input *in, int *exit_code, struct cai_err *err);
	unsigned timeout_ms;
	int replace;
};

int sandbox_act_on(const struct session *s, const struct cli *o, const struct sandbox_act *act,
		   int *exit_code, struct cai_err *err);

/* The sandbox a command on one sandbox acts on: its name into name
 * (WSNAME_MAX + 1 bytes; a bad --name exits 2) and the verdict on the
 * container holding it (sandbox_look_up; a failure exits 3). */
int sandbox_find(const struct session *s, const struct cli *o, char *name, struct reentry *ex,
		 int *exit_code, struct cai_err *err);

#endif
