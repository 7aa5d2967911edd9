/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "docker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

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

/* The endpoint (and, for the current context, the name) of a context,
 * asked once: `docker context inspect [NAME]`.  A CLI that fails, hangs or
 * answers nonsense leaves the engine unresolved, with the reason - an
 * engine failure, not a mistake of the command line. */
static int docker_ask_context(struct docker *d, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	struct cai_err why;
	struct proc_job *j;

	argv_push(&a, d->cli);
	argv_push(&a, "context");
	argv_push(&a, "inspect");
	argv_push(&a, "--format");
	argv_push(&a, "{{json .}}");
	if (d->target[0])
		argv_push(&a, d->target);
	if (!(j = batch_add(&b, &a, err)))
		return -1;
	j->timeout_ms = d->timeout_ms;
	j->out_max = 64 * 1024;
	if (batch_run(&b, err) < 0)
		return -1;
	if (!j->started && j->spawn_errno == ENOENT) {
		d->cli_missing = 1;
		return 0;
	}
	json_auto_t *root = docker_json(j, JSON_OBJECT, &why);
	const char *name = json_string_value(json_object_get(root, "Name"));
	const char *host = json_string_value(
		json_object_get(json_object_get(json_object_get(root, "Endpoints"), "docker"), "Host"));
	if (root && (!name || !name[0]))
		err_set(&why, 0, "docker context inspect: the answer names no context");
	if (!root || !name || !name[0] ||
	    (!d->target[0] && docker_set_target(d, "--context", name, "current context", &why) < 0)) {
		d->unresolved = 1;
		snprintf(d->reason, sizeof(d->reason), "%.*s", (int)sizeof(d->reason) - 1, why.msg);
		return 0;
	}
	snprintf(d->endpoint, sizeof(d->endpoint), "%s", host ? host : "");
	return 0;
}

int docker_resolve(struct docker *d, const char *flag_context, const char *cfg_context,
		   unsigned timeout_ms, struct cai_err *err)
{
	const char *host = getenv("DOCKER_HOST");
	const char *ctx = getenv("DOCKER_CONTEXT");
	int rc = 0;

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
	if (rc < 0)
		return -1;
	/* From here on the explicit flag is the only way to name the engine;
	 * a child reading these could disagree with it. */
	unsetenv("DOCKER_HOST");
	unsetenv("DOCKER_CONTEXT");
	if (!strcmp(d->flag, "-H")) {
		snprintf(d->endpoint, sizeof(d->endpoint), "%s", d->target);
		return 0;
	}
	return docker_ask_context(d, err);
}

const char *docker_socket_path(const struct docker *d)
{
	static const char unix_scheme[] = "unix://";

	if (strncmp(d->endpoint, unix_scheme, sizeof(unix_scheme) - 1))
		return NULL;
	const char *path = d->endpoint + sizeof(unix_scheme) - 1;
	return path[0] == '/' ? path : NULL;
}

void docker_argv(const struct docker *d, struct argv *a)
{
	argv_push(a, d->cli);
	if (d->target[0]) {
		argv_push(a, d->flag);
		argv_push(a, d->target);
	}
}

const char *docker_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

json_t *docker_json(const struct proc_job *j, json_type want, struct cai_err *err)
{
	char what[512];
	json_error_t jerr;

	if (!proc_ok(j) || j->out_truncated) {
		proc_describe_failure(j, what, sizeof(what));
		err_set(err, 0, "%s", what);
		return NULL;
	}
	/* By length, not up to a NUL: bytes after one are refused, not
	 * ignored. */
	json_auto_t *v = json_loadb(j->out, j->out_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!v || json_typeof(v) != want) {
		proc_label(j->argv, what, sizeof(what));
		err_set(err, 0, "%s: answer is not the expected JSON", what);
		return NULL;
	}
	return json_incref(v);
}

int docker_pinned(const struct docker *d, struct cai_err *err)
{
	if (d->unresolved)
		return err_set(err, 0, "no docker engine to run on: %s", d->reason);
	return 0;
}

int docker_ps(const struct docker *d, const char *filter, const char *format, char **out,
	      struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	struct proc_job *j;

	*out = NULL;
	if (docker_pinned(d, err) < 0)
		return -1;
	docker_argv(d, &a);
	argv_push(&a, "ps");
	argv_push(&a, "-a");
	argv_push(&a, "--no-trunc");
	argv_push(&a, "--filter");
	argv_push(&a, filter);
	argv_push(&a, "--format");
	argv_push(&a, format);
	if (!(j = batch_add(&b, &a, err)))
		return -1;
	j->timeout_ms = d->timeout_ms;
	if (batch_run(&b, err) < 0)
		return -1;
	if (!proc_ok(j) || j->out_truncated) {
		char why[512];
		proc_describe_failure(j, why, sizeof(why));
		return err_set(err, 0, "%s", why);
	}
	if (!(*out = strdup(j->out)))
		return err_set(err, ENOMEM, "docker ps");
	return 0;
}

struct proc_job *docker_inspect_add(const struct docker *d, const char *kind, const char *name,
				   struct batch *b, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };
	struct proc_job *j;

	docker_argv(d, &a);
	argv_push(&a, kind);
	argv_push(&a, "inspect");
	argv_push(&a, "--format");
	argv_push(&a, "{{json .}}");
	argv_push(&a, name);
	if (!(j = batch_add(b, &a, err)))
		return NULL;
	j->timeout_ms = d->timeout_ms;
	return j;
}

int docker_inspect_read(const struct proc_job *j, const char *name, json_t **out, struct cai_err *err)
{
	char missing[128];

	*out = NULL;
	/* Containers answer "No such container", networks "network NAME not
	 * found": nothing else (a context not found, ...) means "none". */
	snprintf(missing, sizeof(missing), "network %.100s not found", name);
	if (!proc_ok(j) && j->started && j->exited &&
	    (strcasestr(j->errout, "no such") || strstr(j->errout, missing)))
		return 0;
	if (!proc_ok(j)) {
		char why[512];
		proc_describe_failure(j, why, sizeof(why));
		return err_set(err, 0, "cannot tell whether the name %s is taken: %s", name, why);
	}
	*out = docker_json(j, JSON_OBJECT, err);
	return *out ? 0 : err_prefix(err, "%s", name);
}

int docker_step(const struct docker *d, struct batch *b, int together, struct cai_err *err, ...)
{
	_cleanup_argv_ struct argv a = { 0 };
	const char *w;
	va_list ap;

	docker_argv(d, &a);
	va_start(ap, err);
	while ((w = va_arg(ap, const char *)))
		argv_push(&a, w);
	va_end(ap);
	return (together ? batch_add_with_previous : batch_add)(b, &a, err) ? 0 : -1;
}
