/* SPDX-License-Identifier: MIT */
/* batch: a bounded set of external commands, run together.
 *
 * Owns: the storage of the launcher's jobs - each command's words and its
 * proc_job side by side - from the first word built to the last byte of
 * output released.  Detection's probe rounds, the git lookups of a name,
 * an inspect call and the steps of a run or stop are all batches.
 * Refuses: a job past BATCH_MAX (an error, never a write past the end)
 * and a command whose words failed to build (argv_ok).  Once added, the
 * words belong to the batch: batch_release frees them with the output, so
 * a caller that returns early leaks nothing and frees nothing twice.
 */
#ifndef CAI_BATCH_H
#define CAI_BATCH_H

#include <stddef.h>

#include "argv.h"
#include "err.h"
#include "proc_run.h"

#define BATCH_MAX 16

struct batch {
	struct proc_job job[BATCH_MAX];  /* one array: proc_run_all waits for them together */
	struct argv argv[BATCH_MAX];     /* job[i].argv is argv[i].v, owned here */
	/* A plan's steps (plan_exec_run): bit k of after[i] says step i starts
	 * only once step k has ended.  By default a step comes after every
	 * step before it. */
	unsigned after[BATCH_MAX];
	/* With stdin_for set, plan_exec_run calls it just before it starts
	 * step stdin_step: that step's stdin is made only then, from work
	 * done meanwhile (the proxy's configuration, once the host's registry
	 * lookups have ended). */
	int (*stdin_for)(void *ctx, struct proc_job *j, struct cai_err *err);
	void *stdin_ctx;
	size_t stdin_step;
	size_t n;
};

/* Take the words of *a as the next job; *a is left empty either way.
 * Returns the job, its deadline and output bound the caller's to set (0
 * means proc_run's defaults); NULL with err set when *a failed to build
 * or the batch is full. */
struct proc_job *batch_add(struct batch *b, struct argv *a, struct cai_err *err);

/* batch_add of a NULL-terminated list of words. */
struct proc_job *batch_add_words(struct batch *b, const char *const *words, struct cai_err *err);

/* batch_add, the job to run together with the one added before it (after
 * what that one comes after). */
struct proc_job *batch_add_with_previous(struct batch *b, struct argv *a, struct cai_err *err);

/* Run every job concurrently and wait for all of them (proc_run_all). */
int batch_run(struct batch *b, struct cai_err *err);
/* The same in two halves, with other work in between. */
int batch_start(struct batch *b, struct cai_err *err);
int batch_wait(struct batch *b, struct cai_err *err);

/* Every job's words and output; the batch is empty again afterwards. */
void batch_release(struct batch *b);

#define _cleanup_batch_ __attribute__((cleanup(batch_release)))

#endif
