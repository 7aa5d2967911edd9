/* SPDX-License-Identifier: MIT */
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "macro.h"

_Static_assert(BATCH_MAX <= PROC_MAX_JOBS, "a batch must fit one proc_run_all");
_Static_assert(BATCH_MAX < CHAR_BIT * sizeof(unsigned), "a step's bit must fit batch.after");

struct proc_job *batch_add(struct batch *b, struct argv *a, struct cai_err *err)
{
	_cleanup_argv_ struct argv words = *a;

	memset(a, 0, sizeof(*a));
	if (argv_ok(&words, err) < 0)
		return NULL;
	if (b->n >= ARRAY_SIZE(b->job)) {
		err_set(err, E2BIG, "more than %d commands at once", BATCH_MAX);
		return NULL;
	}
	struct proc_job *j = &b->job[b->n];
	b->argv[b->n] = words;
	memset(&words, 0, sizeof(words));
	memset(j, 0, sizeof(*j));
	/* Not 0: releasing a job that never ran must not close stdin. */
	j->fd_out = j->fd_err = j->fd_exec = -1;
	j->pid = -1;
	j->argv = b->argv[b->n].v;
	b->after[b->n] = (1u << b->n) - 1;
	b->n++;
	return j;
}

struct proc_job *batch_add_words(struct batch *b, const char *const *words, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	for (; *words; words++)
		argv_push(&a, *words);
	return batch_add(b, &a, err);
}

struct proc_job *batch_add_with_previous(struct batch *b, struct argv *a, struct cai_err *err)
{
	struct proc_job *j = batch_add(b, a, err);

	if (j && b->n > 1)
		b->after[b->n - 1] = b->after[b->n - 2];
	return j;
}

int batch_run(struct batch *b, struct cai_err *err)
{
	return b->n ? proc_run_all(b->job, b->n, err) : 0;
}

int batch_start(struct batch *b, struct cai_err *err)
{
	return b->n ? proc_run_start(b->job, b->n, err) : 0;
}

int batch_wait(struct batch *b, struct cai_err *err)
{
	return b->n ? proc_run_wait(b->job, b->n, err) : 0;
}

void batch_release(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		proc_job_release(&b->job[i]);
		argv_free(&b->argv[i]);
	}
	b->n = 0;
}
