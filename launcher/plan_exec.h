/* SPDX-License-Identifier: MIT */
/* plan_exec: carrying out a plan.
 *
 * Owns: running a plan's steps - each as soon as the steps the batch says
 * it comes after have ended, so independent steps (a proxy's start beside
 * the sandbox's network and start) overlap - each but the last waited for,
 * its output kept (docker prints the id of what it created or started:
 * not the user's to read, and shown with the reason when a step fails);
 * the last, after all the others, replacing the launcher, so the agent
 * owns the terminal - or, for --dry-run, printing every step shell-quoted,
 * one per line, in order, and running none.  Also the pipe through which docker
 * reads the --env values as --env-file /dev/fd/N: on its command line
 * they would be in the process list, readable by every user of the host.
 * Refuses: to start anything after a step failed (what runs already is
 * waited for, never left behind), and --env values larger
 * than a pipe holds (the reader is docker, which starts only after the
 * launcher has written them all).
 */
#ifndef CAI_PLAN_EXEC_H
#define CAI_PLAN_EXEC_H

#include <stdio.h>

#include "batch.h"
#include "err.h"

/* Below a pipe's default capacity (64 KiB). */
#define PLAN_ENV_PIPE_MAX (60 * 1024)

/* The n KEY=VALUE words, one a line, on a pipe whose read end is *fd,
 * close-on-exec: only the step that reads it inherits it (its job's
 * pass_fd); -1 when n is 0. */
int plan_exec_env_pipe(const char *const *env, size_t n, int *fd, struct cai_err *err);

int plan_exec_print(const struct batch *b, FILE *out, struct cai_err *err);

/* Each step gets timeout_ms; with replace_last the last one is exec'd
 * (and on success this does not return). */
int plan_exec_run(struct batch *b, unsigned timeout_ms, int replace_last, struct cai_err *err);

#endif
