/* SPDX-License-Identifier: MIT */
#include "plan_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_run.h"

#include "fd.h"

int plan_exec_env_pipe(const char *const *env, size_t n, int *fd, struct cai_err *err)
{
	size_t total = 0;
	int p[2];

	*fd = -1;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(env[i]) + 1;
	/* All of it fits the pipe, so writing never waits for a reader. */
	if (total > PLAN_ENV_PIPE_MAX)
		return err_set(err, 0, "--env values larger than %d bytes in all", PLAN_ENV_PIPE_MAX);
	if (pipe(p) < 0)
		return err_set(err, errno, "--env: pipe");
	_cleanup_close_ int rd = p[0], wr = p[1];
	/* Only the step that names it gets it (proc_job.pass_fd): every
	 * other step would hold the values too. */
	if (fcntl(rd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(wr, F_SETFD, FD_CLOEXEC) < 0)
		return err_set(err, errno, "--env: pipe");
	for (size_t i = 0; i < n; i++)
		if (fd_write_all(wr, env[i], strlen(env[i])) < 0 || fd_write_all(wr, "\n", 1) < 0)
			return err_set(err, errno, "--env: pipe");
	*fd = fd_take(&rd);
	return 0;
}

int plan_exec_print(const struct batch *b, FILE *out, struct cai_err *err)
{
	for (size_t i = 0; i < b->n; i++) {
		_cleanup_free_ char *line = argv_to_shell(&b->argv[i]);
		if (!line)
			return err_set(err, ENOMEM, "quoting a command");
		fprintf(out, "%s\n", line);
	}
	return fflush(out) == 0 ? 0 : err_set(err, 0, "writing the commands failed");
}

int plan_exec_run(struct batch *b, unsigned timeout_ms, int replace_last, struct cai_err *err)
{
	/* The step that replaces the launcher comes after all the others. */
	size_t last = replace_last && b->n ? b->n - 1 : b->n;
	unsigned done = 0, started = 0, running = 0;
	int failed = 0;

	for (;;) {
		/* Every step whose steps before it have ended starts now; none
		 * once one has failed, and what runs is waited for. */
		for (size_t i = 0; i < last && !failed; i++) {
			unsigned bit = 1u << i;
			if ((started & bit) || (b->after[i] & ~done))
				continue;
			b->job[i].timeout_ms = timeout_ms;
			if ((b->stdin_for && i == b->stdin_step && b->stdin_for(b->stdin_ctx, &b->job[i], err) < 0) ||
			    proc_run_start(&b->job[i], 1, err) < 0) {
				failed = 1;
				break;
			}
			started |= bit;
			running |= bit;
		}
		if (!running)
			break;
		unsigned was = running;
		if (proc_run_wait_any(b->job, last, &running, err) < 0)
			return -1;
		done |= was & ~running;
		for (size_t i = 0; i < last && !failed; i++)
			if ((was & ~running & (1u << i)) && !proc_ok(&b->job[i])) {
				char why[512];
				proc_describe_failure(&b->job[i], why, sizeof(why));
				err_set(err, 0, "%s", why);
				failed = 1;
			}
	}
	if (failed)
		return -1;
	if (last < b->n) {
		fflush(NULL);
		return proc_exec(b->job[last].argv, b->job[last].pass_fd, err);
	}
	return 0;
}
