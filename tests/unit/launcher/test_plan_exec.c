/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fd.h"
#include "plan_exec.h"
#include "unit.h"

/* A step `sh -c SCRIPT` added to b. */
static void step(struct batch *b, const char *script)
{
	_cleanup_argv_ struct argv a = { 0 };
	struct cai_err err;

	argv_push(&a, "sh");
	argv_push(&a, "-c");
	argv_push(&a, script);
	if (!batch_add(b, &a, &err))
		unit_fail(__FILE__, __LINE__, "%s", err.msg);
}

/* A step that runs `before` (may be empty), then appends `tag` to the log
 * in dir. */
static void logged_step(struct batch *b, const char *dir, const char *before, const char *tag)
{
	char script[512];

	snprintf(script, sizeof(script), "%s%secho %s >> %s/log", before, before[0] ? "; " : "", tag, dir);
	step(b, script);
}

/* The log in dir, read; dir removed. */
static char *log_taken(const char *dir)
{
	char path[128];
	char *log = NULL;
	size_t len;
	struct cai_err err;

	snprintf(path, sizeof(path), "%s/log", dir);
	if (fd_read_file(path, 64, &log, &len, &err) < 0)
		log = NULL;
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		unit_fail(__FILE__, __LINE__, "cannot remove %s", dir);
	return log;
}

TEST(plan_exec_env_pipe_holds_the_values)
{
	const char *env[] = { "A=1", "B=two words" };
	struct cai_err err;
	char buf[64] = "";
	int fd;

	CHECK_INT(plan_exec_env_pipe(env, 2, &fd, &err), 0);
	CHECK(fd >= 0);
	/* Close-on-exec: only the step that names it inherits it (pass_fd). */
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(read(fd, buf, sizeof(buf) - 1) > 0);
	CHECK_STR(buf, "A=1\nB=two words\n");
	/* The write end is closed: docker reads to the end, not forever. */
	CHECK_INT(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	CHECK_INT(plan_exec_env_pipe(env, 0, &fd, &err), 0);
	CHECK_INT(fd, -1);
}

/* More than a pipe holds would block the launcher on a reader that only
 * starts once the launcher is gone. */
TEST(plan_exec_env_pipe_refuses_more_than_a_pipe_holds)
{
	_cleanup_free_ char *big = malloc(PLAN_ENV_PIPE_MAX + 8);
	const char *env[] = { big };
	struct cai_err err;
	int fd;

	CHECK(big);
	memset(big, 'x', PLAN_ENV_PIPE_MAX + 7);
	big[0] = 'A';
	big[1] = '=';
	big[PLAN_ENV_PIPE_MAX + 7] = '\0';
	CHECK_INT(plan_exec_env_pipe(env, 1, &fd, &err), -1);
	CHECK_CONTAINS(err.msg, "--env values larger than");
	CHECK_INT(fd, -1);
}

TEST(plan_exec_print_one_quoted_line_a_step)
{
	_cleanup_batch_ struct batch b = { 0 };
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	step(&b, "echo it's");
	step(&b, "printf '\\033[2J'\n");
	CHECK_INT(plan_exec_print(&b, f, &err), 0);
	fclose(f);
	CHECK_STR(buf, "sh -c 'echo it'\\''s'\nsh -c $'printf \\'\\\\033[2J\\'\\012'\n");
	free(buf);
	/* Printing ran nothing. */
	CHECK(b.job[0].out == NULL);
}

/* A failed step ends the plan: what comes after it never runs. */
TEST(plan_exec_run_stops_at_a_failed_step)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-plan-XXXXXX", script[128];

	CHECK(mkdtemp(dir) != NULL);
	step(&b, "echo no >&2; exit 3");
	snprintf(script, sizeof(script), ": > %s/ran", dir);
	step(&b, script);
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), -1);
	CHECK_CONTAINS(err.msg, ": exit status 3: no");
	snprintf(script, sizeof(script), "%s/ran", dir);
	CHECK(access(script, F_OK) < 0);
	CHECK_INT(rmdir(dir), 0);
}

TEST(plan_exec_run_each_step_in_order)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-plan-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	logged_step(&b, dir, "", "1");
	logged_step(&b, dir, "", "2");
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), 0);
	_cleanup_free_ char *log = log_taken(dir);
	CHECK_STR(log, "1\n2\n");
}

/* Steps marked to run with the one before them run at the same time;
 * the others one after the other, and the first failure stops the rest. */
TEST(plan_exec_runs_marked_steps_together)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	struct cai_err err;

	step(&b, "sleep 0.3");
	argv_push(&a, "sh");
	argv_push(&a, "-c");
	argv_push(&a, "sleep 0.3");
	CHECK(batch_add_with_previous(&b, &a, &err) != NULL);
	step(&b, "true");
	long long t0 = clock_now_ms();
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), 0);
	long long took = clock_now_ms() - t0;
	CHECK(took >= 300 && took < 550);
	batch_release(&b);
	step(&b, "exit 4");
	step(&b, "echo never");
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), -1);
	CHECK_CONTAINS(err.msg, "exit status 4");
	CHECK(b.job[1].out == NULL);
}

/* A step starts as soon as the steps it comes after have ended, not
 * after every step before it: the second branch's later step ends before
 * the first branch's one slow step. */
TEST(plan_exec_starts_a_step_once_what_it_waits_for_ended)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-plan-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	logged_step(&b, dir, "sleep 0.5", "0");
	logged_step(&b, dir, "sleep 0.1", "1");
	b.after[1] = 0;
	logged_step(&b, dir, "sleep 0.1", "2");
	b.after[2] = 1u << 1;
	logged_step(&b, dir, "", "3");
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), 0);
	_cleanup_free_ char *log = log_taken(dir);
	CHECK_STR(log, "1\n2\n0\n3\n");
}

/* A failure starts nothing more, and what runs beside it is waited for,
 * never left running or killed half-way. */
TEST(plan_exec_waits_for_what_runs_beside_a_failure)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-plan-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	logged_step(&b, dir, "sleep 0.3", "0");
	step(&b, "exit 3");
	b.after[1] = 0;
	logged_step(&b, dir, "", "never");
	b.after[2] = 1u << 1;
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), -1);
	CHECK_CONTAINS(err.msg, "exit status 3");
	CHECK(b.job[2].out == NULL);
	_cleanup_free_ char *log = log_taken(dir);
	CHECK_STR(log, "0\n");
}

/* A step's stdin made only as it starts: after the steps before it ended,
 * and not at all when an earlier step failed. */
static int stdin_now(void *ctx, struct proc_job *j, struct cai_err *err)
{
	int *fd = ctx;
	int p[2];

	if (pipe(p) < 0)
		return err_set(err, errno, "pipe");
	if (write(p[1], "made\n", 5) != 5) {
		close(p[0]);
		close(p[1]);
		return err_set(err, errno, "write");
	}
	close(p[1]);
	*fd = p[0];
	j->stdin_fd = p[0];
	return 0;
}

TEST(plan_exec_makes_a_steps_stdin_as_it_starts)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err err;
	char dir[] = "/tmp/cai-plan-XXXXXX";
	int fd = -1;

	CHECK(mkdtemp(dir) != NULL);
	logged_step(&b, dir, "", "0");
	char script[256];
	snprintf(script, sizeof(script), "cat >> %s/log", dir);
	step(&b, script);
	b.stdin_for = stdin_now;
	b.stdin_ctx = &fd;
	b.stdin_step = 1;
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), 0);
	CHECK(fd >= 0);
	close(fd);
	_cleanup_free_ char *log = log_taken(dir);
	CHECK_STR(log, "0\nmade\n");
	batch_release(&b);
	fd = -1;
	step(&b, "exit 2");
	step(&b, "cat");
	b.stdin_for = stdin_now;
	b.stdin_ctx = &fd;
	b.stdin_step = 1;
	CHECK_INT(plan_exec_run(&b, 5000, 0, &err), -1);
	CHECK_INT(fd, -1);
}
