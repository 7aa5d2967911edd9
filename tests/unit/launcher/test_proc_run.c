/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "proc_run.h"
#include "scratch.h"
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

/* A trailing ':' or a "." in PATH means the current directory, usually the
 * workspace: only absolute entries stay. */
TEST(proc_path_keeps_absolute_entries_only)
{
	struct cai_err err;
	const char *saved = getenv("PATH");
	char *keep = saved ? strdup(saved) : NULL;

	setenv("PATH", ":/usr/bin:.:bin::/bin:", 1);
	CHECK_INT(proc_path_absolute_only(&err), 0);
	CHECK_STR(getenv("PATH"), "/usr/bin:/bin");
	setenv("PATH", "::.", 1);
	CHECK_INT(proc_path_absolute_only(&err), 0);
	CHECK(getenv("PATH") == NULL);
	if (keep)
		setenv("PATH", keep, 1);
	free(keep);
}

/* Found where execvp would find it: the first absolute entry holding an
 * executable regular file; never a relative entry, a directory or a
 * file without the execute bit. */
TEST(proc_find_program_as_execvp_would)
{
	_cleanup_scratch_ struct scratch d;
	char p[256], out[256];
	const char *dir = d.path;

	if (scratch_make(&d, "find") < 0)
		return;
	snprintf(p, sizeof(p), "%s/a", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a/tool", dir);
	CHECK_INT(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
	snprintf(p, sizeof(p), "%s/b", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/b/tool", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/c", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/c/tool", dir);
	CHECK_INT(close(open(p, O_CREAT | O_WRONLY, 0755)), 0);
	snprintf(p, sizeof(p), "rel:%s/a:%s/b:%s/c", dir, dir, dir);
	setenv("PATH", p, 1);
	CHECK_INT(proc_find_program("tool", out, sizeof(out)), 0);
	snprintf(p, sizeof(p), "%s/c/tool", dir);
	CHECK_STR(out, p);
	CHECK_INT(proc_find_program("none", out, sizeof(out)), -1);
	CHECK_INT(proc_find_program("c/tool", out, sizeof(out)), -1);
	CHECK_INT(proc_find_program("", out, sizeof(out)), -1);
	unsetenv("PATH");
	CHECK_INT(proc_find_program("sh", out, sizeof(out)), 0);
	CHECK_STR(out, "/bin/sh");
}
