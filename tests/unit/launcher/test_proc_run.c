/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Started now, waited for later: the job ran meanwhile, in the directory
 * it was given, reading the descriptor it was given. */
TEST(proc_run_start_now_wait_later_with_cwd_and_stdin)
{
	char *const argv[] = { "sh", "-c", "pwd; cat", NULL };
	struct proc_job j = { .argv = argv, .timeout_ms = 5000, .cwd = "/" };
	struct cai_err err;
	int p[2];

	CHECK_INT(pipe(p), 0);
	CHECK_INT((int)write(p[1], "fed\n", 4), 4);
	close(p[1]);
	j.stdin_fd = p[0];
	long long t0 = clock_now_ms();
	CHECK_INT(proc_run_start(&j, 1, &err), 0);
	/* Work of the launcher's own meanwhile. */
	usleep(200 * 1000);
	CHECK_INT(proc_run_wait(&j, 1, &err), 0);
	CHECK(clock_now_ms() - t0 < 2000);
	close(p[0]);
	CHECK(proc_ok(&j));
	CHECK_STR(j.out, "/\nfed\n");
	proc_job_release(&j);
	/* A directory that cannot be entered: the job never runs. */
	struct proc_job k = { .argv = argv, .timeout_ms = 5000, .cwd = "/nonexistent-containai" };
	CHECK_INT(proc_run_all(&k, 1, &err), 0);
	CHECK(!k.started);
	CHECK_INT(k.spawn_errno, ENOENT);
	proc_job_release(&k);
}

/* A descriptor passed to one job reaches that job alone: the others of
 * its batch, started beside it, do not hold it. */
TEST(proc_run_passes_a_descriptor_to_its_job_alone)
{
	char fdname[16];
	char *argv[] = { "sh", "-c", "cat /dev/fd/$0 2>/dev/null || echo closed", fdname, NULL };
	struct proc_job j[2] = { { .argv = argv, .timeout_ms = 5000 }, { .argv = argv, .timeout_ms = 5000 } };
	struct cai_err err;
	int p[2];

	CHECK_INT(pipe(p), 0);
	CHECK_INT(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
	CHECK_INT((int)write(p[1], "secret\n", 7), 7);
	close(p[1]);
	snprintf(fdname, sizeof(fdname), "%d", p[0]);
	j[0].pass_fd = p[0];
	CHECK_INT(proc_run_all(j, 2, &err), 0);
	CHECK_STR(j[0].out, "secret\n");
	CHECK_STR(j[1].out, "closed\n");
	/* Still close-on-exec in the launcher. */
	CHECK(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	close(p[0]);
	proc_job_release(&j[0]);
	proc_job_release(&j[1]);
}

/* A job left running when its launcher dies goes with it. */
TEST(proc_run_job_dies_with_the_launcher)
{
	char *const argv[] = { "sh", "-c", "echo $$; exec sleep 30", NULL };
	int p[2];

	CHECK_INT(pipe(p), 0);
	pid_t launcher = fork();
	if (launcher == 0) {
		struct proc_job j = { .argv = argv, .timeout_ms = 60000 };
		struct cai_err err;
		close(p[0]);
		if (proc_run_start(&j, 1, &err) < 0)
			_exit(1);
		/* Its output pipe: read the pid the job printed, hand it on. */
		char buf[32] = "";
		ssize_t n = read(j.fd_out, buf, sizeof(buf) - 1);
		if (n > 0)
			(void)!write(p[1], buf, (size_t)n);
		_exit(0);
	}
	close(p[1]);
	char buf[32] = "";
	CHECK(read(p[0], buf, sizeof(buf) - 1) > 0);
	close(p[0]);
	waitpid(launcher, NULL, 0);
	pid_t job = (pid_t)atoi(buf);
	CHECK(job > 0);
	int gone = 0;
	for (int i = 0; i < 200 && !gone; i++) {
		gone = kill(job, 0) < 0 && errno == ESRCH;
		if (!gone)
			usleep(10 * 1000);
	}
	CHECK(gone);
}
