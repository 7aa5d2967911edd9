/* SPDX-License-Identifier: MIT */
#include "plan_exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	for (size_t i = 0; i < b->n;) {
		struct proc_job *j = &b->job[i];
		size_t k = 1;
		if (i + 1 == b->n && replace_last) {
			fflush(NULL);
			return proc_exec(j->argv, err);
		}
		/* The steps marked to run with this one, never the one that
		 * replaces the launcher. */
		while (i + k < b->n && b->with_previous[i + k] && !(replace_last && i + k + 1 == b->n))
			k++;
		for (size_t m = 0; m < k; m++)
			j[m].timeout_ms = timeout_ms;
		if (proc_run_all(j, k, err) < 0)
			return -1;
		for (size_t m = 0; m < k; m++)
			if (!proc_ok(&j[m])) {
				char why[512];
				proc_describe_failure(&j[m], why, sizeof(why));
				return err_set(err, 0, "%s", why);
			}
		i += k;
	}
	return 0;
}
