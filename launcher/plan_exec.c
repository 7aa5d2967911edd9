/* SPDX-License-Identifier: MIT */
#include "plan_exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "log.h"

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

void plan_exec_pass_on(char *text, size_t len, FILE *out)
{
	/* What docker prints (an id, a name it was given back) is the
	 * engine's to choose: line by line, as printable text. */
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		log_sanitize(text + i, n);
		fwrite(text + i, 1, n, out);
		i += n;
		if (nl) {
			fputc('\n', out);
			i++;
		}
	}
}

int plan_exec_run(struct batch *b, unsigned timeout_ms, int replace_last, struct cai_err *err)
{
	for (size_t i = 0; i < b->n; i++) {
		struct proc_job *j = &b->job[i];
		if (i + 1 == b->n && replace_last) {
			fflush(NULL);
			return proc_exec(j->argv, err);
		}
		j->timeout_ms = timeout_ms;
		if (proc_run_all(j, 1, err) < 0)
			return -1;
		if (!proc_ok(j)) {
			char why[512];
			proc_describe_failure(j, why, sizeof(why));
			return err_set(err, 0, "%s", why);
		}
		plan_exec_pass_on(j->out, j->out_len, stdout);
	}
	return 0;
}
