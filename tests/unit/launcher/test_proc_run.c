/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "proc_run.h"
#include "unit.h"

TEST(proc_run_captures_and_reports_exit)
{
	char *const argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct proc_job j = { .argv = argv, .timeout_ms = 5000 };
	struct cai_err err;
	char why[256];

	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	CHECK(j.started);
	CHECK_INT(j.exit_code, 3);
	CHECK_STR(j.out, "out\n");
	CHECK_STR(j.errout, "err\n");
	CHECK(!proc_ok(&j));
	proc_describe_failure(&j, why, sizeof(why));
	CHECK_CONTAINS(why, "exit status 3: err");
	proc_job_release(&j);
}

TEST(proc_run_not_found)
{
	char *const argv[] = { "containai-no-such-program", NULL };
	struct proc_job j = { .argv = argv };
	struct cai_err err;

	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	CHECK(!j.started);
	CHECK_INT(j.spawn_errno, ENOENT);
	proc_job_release(&j);
}

TEST(proc_run_deadline_kills_the_group)
{
	/* The child leaves a grandchild holding the pipe: both must die. */
	char *const argv[] = { "sh", "-c", "sleep 30 & sleep 30", NULL };
	struct proc_job j = { .argv = argv, .timeout_ms = 200 };
	struct cai_err err;
	long long start = clock_now_ms();

	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	long long ms = clock_now_ms() - start;
	CHECK(j.timed_out);
	CHECK(!proc_ok(&j));
	CHECK(ms < 2000);
	proc_job_release(&j);
}

TEST(proc_run_bounds_output)
{
	char *const argv[] = { "sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x", NULL };
	struct proc_job j = { .argv = argv, .timeout_ms = 5000, .out_max = 1000 };
	struct cai_err err;

	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	CHECK_INT(j.out_len, 1000);
	CHECK(j.out_truncated);
	CHECK_INT(j.exit_code, 0);
	proc_job_release(&j);
}

TEST(proc_run_jobs_run_concurrently)
{
	char *const argv[] = { "sleep", "0.3", NULL };
	struct proc_job j[3] = { { .argv = argv }, { .argv = argv }, { .argv = argv } };
	struct cai_err err;
	long long start = clock_now_ms();

	CHECK_INT(proc_run_all(j, 3, &err), 0);
	CHECK(clock_now_ms() - start < 800);
	for (int i = 0; i < 3; i++) {
		CHECK(proc_ok(&j[i]));
		proc_job_release(&j[i]);
	}
}

/* A program pathtrust does not trust is not started, and the job says
 * why: not just "permission denied". */
TEST(proc_run_refused_program_says_why)
{
	char dir[] = "/tmp/cai-proc-XXXXXX", bin[64], prog[96], path[160];
	char *const argv[] = { "cai-test-tool", NULL };
	struct proc_job j = { .argv = argv, .timeout_ms = 5000 };
	struct cai_err err;
	char why[256];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	CHECK_INT(mkdir(bin, 0755), 0);
	snprintf(prog, sizeof(prog), "%s/cai-test-tool", bin);
	FILE *f = fopen(prog, "w");
	CHECK(f);
	fputs("#!/bin/sh\necho ran\n", f);
	fclose(f);
	CHECK_INT(chmod(prog, 0777), 0);
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", bin);
	setenv("PATH", path, 1);
	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	CHECK(!j.started);
	proc_describe_failure(&j, why, sizeof(why));
	CHECK_CONTAINS(why, "cai-test-tool: refused: ");
	CHECK_CONTAINS(why, "is writable by others");
	proc_job_release(&j);
	/* The same file, no longer writable by others: it runs. */
	CHECK_INT(chmod(prog, 0755), 0);
	CHECK_INT(proc_run_all(&j, 1, &err), 0);
	CHECK(proc_ok(&j));
	CHECK_STR(j.out, "ran\n");
	proc_job_release(&j);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(system(path), 0);
}
