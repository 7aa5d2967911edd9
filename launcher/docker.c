/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "docker.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int docker_set_target(struct docker *d, const char *flag, const char *target,
			     const char *source, struct cai_err *err)
{
	if (!target[0] || strlen(target) >= sizeof(d->target))
		return err_set(err, 0, "docker %s from %s: empty or too long", flag, source);
	/* A target starting with '-' would be read by the CLI as an option. */
	if (target[0] == '-')
		return err_set(err, 0, "docker %s from %s: '%s' starts with '-'", flag, source, target);
	snprintf(d->flag, sizeof(d->flag), "%s", flag);
	snprintf(d->target, sizeof(d->target), "%s", target);
	snprintf(d->source, sizeof(d->source), "%s", source);
	return 0;
}

/* The CLI's current context, asked once. */
static int docker_current_context(struct docker *d, struct cai_err *err)
{
	struct argv a = { 0 };
	struct proc_job job = { 0 };
	int rc = -1;

	argv_push(&a, d->cli);
	argv_push(&a, "context");
	argv_push(&a, "inspect");
	argv_push(&a, "--format");
	argv_push(&a, "{{json .}}");
	if (argv_ok(&a, err) < 0)
		goto out;
	job.argv = a.v;
	job.timeout_ms = d->timeout_ms;
	job.out_max = 64 * 1024;
	if (proc_run_all(&job, 1, err) < 0)
		goto out;
	if (!job.started && job.spawn_errno == ENOENT) {
		d->cli_missing = 1;
		rc = 0;
		goto out;
	}
	if (!proc_ok(&job)) {
		char why[512];
		proc_describe_failure(&job, why, sizeof(why));
		err_set(err, 0, "current docker context: %s", why);
		goto out;
	}
	json_error_t jerr;
	json_t *root = json_loads(job.out, 0, &jerr);
	const char *name = root ? json_string_value(json_object_get(root, "Name")) : NULL;
	if (!name)
		err_set(err, 0, "current docker context: unparsable answer from docker context inspect");
	else
		rc = docker_set_target(d, "--context", name, "current context", err);
	json_decref(root);
out:
	proc_job_release(&job);
	argv_free(&a);
	return rc;
}

int docker_resolve(struct docker *d, const char *flag_context, const char *cfg_context,
		   unsigned timeout_ms, struct cai_err *err)
{
	const char *host = getenv("DOCKER_HOST");
	const char *ctx = getenv("DOCKER_CONTEXT");
	int rc;

	memset(d, 0, sizeof(*d));
	d->cli = "docker";
	d->timeout_ms = timeout_ms;
	if (flag_context && flag_context[0])
		rc = docker_set_target(d, "--context", flag_context, "--context", err);
	else if (host && host[0])
		rc = docker_set_target(d, "-H", host, "DOCKER_HOST", err);
	else if (ctx && ctx[0])
		rc = docker_set_target(d, "--context", ctx, "DOCKER_CONTEXT", err);
	else if (cfg_context && cfg_context[0])
		rc = docker_set_target(d, "--context", cfg_context, "config", err);
	else
		rc = docker_current_context(d, err);
	if (rc < 0)
		return -1;
	/* From here on the explicit flag is the only way to name the engine;
	 * a child reading these could disagree with it. */
	unsetenv("DOCKER_HOST");
	unsetenv("DOCKER_CONTEXT");
	return 0;
}

void docker_argv(const struct docker *d, struct argv *a)
{
	argv_push(a, d->cli);
	if (d->target[0]) {
		argv_push(a, d->flag);
		argv_push(a, d->target);
	}
}

void docker_job(const struct docker *d, struct argv *a, struct proc_job *job)
{
	memset(job, 0, sizeof(*job));
	job->argv = a->v;
	job->timeout_ms = d->timeout_ms;
}
