/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "batch.h"
#include "unit.h"

static void words(struct argv *a, const char *w0, const char *w1, const char *w2)
{
	argv_push(a, w0);
	argv_push(a, w1);
	argv_push(a, w2);
}

/* The words move into the batch: the caller's argv is empty afterwards,
 * so its own cleanup frees nothing twice. */
TEST(batch_takes_the_words)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	struct cai_err err;

	words(&a, "sh", "-c", "echo one");
	struct proc_job *j = batch_add(&b, &a, &err);
	CHECK(j);
	CHECK(a.v == NULL && a.n == 0);
	CHECK_INT(b.n, 1);
	CHECK_STR(j->argv[2], "echo one");
	CHECK_INT(batch_run(&b, &err), 0);
	CHECK(proc_ok(j));
	CHECK_STR(j->out, "one\n");
	batch_release(&b);
	CHECK_INT(b.n, 0);
}

/* A list of words, as the tools' fixed commands are written. */
TEST(batch_add_words_takes_a_list)
{
	_cleanup_batch_ struct batch b = { 0 };
	static const char *const w[] = { "sh", "-c", "echo two", NULL };
	struct cai_err err;

	struct proc_job *j = batch_add_words(&b, w, &err);
	CHECK(j);
	CHECK_STR(j->argv[2], "echo two");
	CHECK(j->argv[3] == NULL);
	CHECK_INT(batch_run(&b, &err), 0);
	CHECK_STR(j->out, "two\n");
}

/* One past the capacity is an error and writes nothing; the refused
 * words are freed, not left to the caller. */
TEST(batch_refuses_a_job_past_its_capacity)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;

	for (int i = 0; i < BATCH_MAX; i++) {
		_cleanup_argv_ struct argv a = { 0 };
		words(&a, "true", "x", "y");
		CHECK(batch_add(&b, &a, &err) != NULL);
	}
	_cleanup_argv_ struct argv a = { 0 };
	words(&a, "true", "x", "y");
	CHECK(batch_add(&b, &a, &err) == NULL);
	CHECK_CONTAINS(err.msg, "more than 16 commands at once");
	CHECK(a.v == NULL);
	CHECK_INT(b.n, BATCH_MAX);
	CHECK_INT(batch_run(&b, &err), 0);
	for (int i = 0; i < BATCH_MAX; i++)
		CHECK(proc_ok(&b.job[i]));
}

TEST(batch_refuses_words_that_failed_to_build)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct argv a = { 0 };
	struct cai_err err;

	words(&a, "true", "x", "y");
	a.oom = 1;
	CHECK(batch_add(&b, &a, &err) == NULL);
	CHECK_CONTAINS(err.msg, "building a command line");
	CHECK(a.v == NULL);
	CHECK_INT(b.n, 0);
}

/* A batch given up before it ran (a later add failed) releases jobs that
 * never had descriptors: descriptor 0 must survive that. */
TEST(batch_release_before_running_keeps_stdin)
{
	struct batch b = { 0 };
	struct argv a = { 0 };
	struct cai_err err;
	int null = open("/dev/null", O_RDONLY);

	CHECK(null >= 0);
	CHECK_INT(dup2(null, 0), 0);
	words(&a, "true", "x", "y");
	CHECK(batch_add(&b, &a, &err) != NULL);
	batch_release(&b);
	CHECK(fcntl(0, F_GETFD) >= 0);
}

/* The jobs run at the same time: the first waits for what the second
 * does, which would time it out if they ran one after the other. */
TEST(batch_runs_its_jobs_together)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct argv a = { 0 }, c = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-batch-XXXXXX", wait[128], make[128];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(wait, sizeof(wait), "while [ ! -e %s/f ]; do sleep 0.01; done; echo waited", dir);
	snprintf(make, sizeof(make), "sleep 0.2; : > %s/f", dir);
	words(&a, "sh", "-c", wait);
	words(&c, "sh", "-c", make);
	struct proc_job *jw = batch_add(&b, &a, &err);
	struct proc_job *jm = batch_add(&b, &c, &err);
	CHECK(jw && jm);
	jw->timeout_ms = jm->timeout_ms = 5000;
	CHECK_INT(batch_run(&b, &err), 0);
	CHECK(proc_ok(jw));
	CHECK(proc_ok(jm));
	CHECK_STR(jw->out, "waited\n");
	snprintf(make, sizeof(make), "rm -rf '%s'", dir);
	CHECK_INT(system(make), 0);
}
