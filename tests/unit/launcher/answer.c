/* SPDX-License-Identifier: MIT */
#include "answer.h"

#include <stdio.h>
#include <string.h>

#include "docker.h"
#include "fd.h"

void answer_job(struct proc_job *j, char *const *argv, char *out, size_t len)
{
	static char none[1];

	memset(j, 0, sizeof(*j));
	j->argv = argv;
	j->started = j->exited = 1;
	j->out = out;
	j->out_len = len;
	j->errout = none;
	j->fd_out = j->fd_err = j->fd_exec = -1;
}

json_t *answer_inspect(const char *name, struct cai_err *err)
{
	static char *const argv[] = { "docker", "container", "inspect", "--format", "{{json .}}", "x", NULL };
	char path[256];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct proc_job j;

	snprintf(path, sizeof(path), "tests/fixtures/launcher/%s", name);
	if (fd_read_file(path, 1 << 20, &buf, &len, err) < 0)
		return NULL;
	answer_job(&j, argv, buf, len);
	return docker_json(&j, JSON_OBJECT, err);
}
