/* SPDX-License-Identifier: MIT */
#include "sandbox_ls.h"

#include <string.h>

#include "batch.h"
#include "docker.h"
#include "egress_proxy.h"
#include "fd.h"
#include "log.h"
#include "macro.h"
#include "plan.h"
#include "plan_exec.h"
#include "reentry.h"

static json_t *row(const json_t *c, const char *runtime)
{
	const json_t *labels = json_object_get(json_object_get(c, "Config"), "Labels");
	const char *name = docker_str(c, "Name");
	struct reentry_want want = { .name = name[0] == '/' ? name + 1 : name, .runtime = runtime };
	struct reentry r;
	struct cai_err err;
	const char *shape = "ok", *why = "";

	if (reentry_judge(c, &want, &r, &err) < 0) {
		shape = "refused";
		why = err.msg;
	} else if (r.kind == REENTRY_FOREIGN) {
		shape = "refused";
		why = "it carries no workspace label";
	} else if (r.kind == REENTRY_REFUSED) {
		shape = "refused";
		why = r.why;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "name", want.name, "workspace", docker_str(labels, SANDBOX_LABEL_WORKSPACE),
			 "mode", docker_str(labels, SANDBOX_LABEL_MODE),
			 "egress", r.kind == REENTRY_OURS || r.kind == REENTRY_REFUSED ? r.egress : "",
			 "state", docker_str(json_object_get(c, "State"), "Status"),
			 "image", docker_str(json_object_get(c, "Config"), "Image"), "created", docker_str(c, "Created"),
			 "shape", shape, "why", why);
}

json_t *sandbox_ls_rows(const json_t *inspect, const char *runtime)
{
	json_t *rows = json_array();
	size_t i;
	json_t *c;

	json_array_foreach(inspect, i, c) {
		/* An egress proxy carries our labels too; it is its sandbox's. */
		if (docker_str(json_object_get(json_object_get(c, "Config"), "Labels"), EGRESS_LABEL_FOR)[0])
			continue;
		json_t *r = row(c, runtime);
		if (!rows || !r || json_array_append_new(rows, r) < 0) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}

/* A copy of s made printable, for the table. */
static void printable(const char *s, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", s);
	log_sanitize(out, strlen(out));
}

void sandbox_ls_print(const json_t *rows, FILE *out)
{
	static const char *const cols[] = { "name", "workspace", "mode", "egress", "state", "image", "created",
					    "shape" };
	static const char *const heads[] = { "NAME", "WORKSPACE", "MODE", "EGRESS", "STATE", "IMAGE", "CREATED",
					     "SHAPE" };
	size_t width[ARRAY_SIZE(cols)];
#define last(k) ((k) + 1 == ARRAY_SIZE(cols))
	char cell[1024];
	size_t i;
	json_t *r;

	for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
		width[k] = strlen(heads[k]);
	json_array_foreach(rows, i, r)
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
			printable(docker_str(r, cols[k]), cell, sizeof(cell));
			if (strlen(cell) > width[k])
				width[k] = strlen(cell);
		}
	for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
		fprintf(out, "%-*s%s", last(k) ? 0 : (int)width[k], heads[k], last(k) ? "\n" : "  ");
	json_array_foreach(rows, i, r) {
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
			printable(docker_str(r, cols[k]), cell, sizeof(cell));
			fprintf(out, "%-*s%s", last(k) ? 0 : (int)width[k], cell, last(k) ? "" : "  ");
		}
		printable(docker_str(r, "why"), cell, sizeof(cell));
		fprintf(out, "%s%s\n", cell[0] ? ": " : "", cell);
	}
#undef last
}

/* The ids of the containers labelled as ours, pushed onto *inspect. */
static int ours_ids(const struct session *s, struct argv *inspect, struct cai_err *err)
{
	_cleanup_free_ char *ids = NULL;

	if (docker_ps(&s->docker, "label=" SANDBOX_LABEL_MANAGED "=true", "{{.ID}}", &ids, err) < 0)
		return -1;
	for (char *line = strtok(ids, "\n"); line; line = strtok(NULL, "\n"))
		if (strlen(line) == 64 && strspn(line, "0123456789abcdef") == 64)
			argv_push(inspect, line);
	return argv_ok(inspect, err);
}

static int list_docker(const struct session *s, const struct cli *o, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	json_auto_t *inspect = NULL, *rows = NULL;
	size_t nbase;

	docker_argv(&s->docker, &a);
	argv_push(&a, "container");
	argv_push(&a, "inspect");
	nbase = a.n;
	if (ours_ids(s, &a, err) < 0)
		return -1;
	if (a.n == nbase) {
		inspect = json_array();
	} else {
		struct proc_job *j = batch_add(&b, &a, err);
		if (!j)
			return -1;
		j->timeout_ms = s->cfg.timeout_s * 1000;
		if (batch_run(&b, err) < 0)
			return -1;
		/* A container removed since ps is an error of this one call:
		 * asked again, the list is whole. */
		if (!(inspect = docker_json(j, JSON_ARRAY, err)))
			return err_prefix(err, "ls");
	}
	rows = sandbox_ls_rows(inspect, plan_runtime(s));
	if (!rows)
		return err_set(err, 0, "ls: out of memory");
	if (o->json) {
		if (json_dumpf(rows, stdout, JSON_INDENT(2)) < 0)
			return err_set(err, 0, "ls: writing the list failed");
		fputc('\n', stdout);
	} else {
		sandbox_ls_print(rows, stdout);
	}
	return fflush(stdout) == 0 ? 0 : err_set(err, 0, "ls: writing the list failed");
}

/* sbx ls, docker sandbox ls: the tool's own list replaces the launcher. */
static int list_tool(const struct session *s, const struct cli *o, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	if (o->json)
		return err_set(err, 0, "ls --json is not available in %s mode", detect_mode_name(s->det.mode));
	if (s->det.mode == MODE_SBX) {
		argv_push(&a, "sbx");
	} else {
		docker_argv(&s->docker, &a);
		argv_push(&a, "sandbox");
	}
	argv_push(&a, "ls");
	if (!batch_add(&b, &a, err))
		return -1;
	return plan_exec_run(&b, s->cfg.timeout_s * 1000, 1, err);
}

int sandbox_ls(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	*exit_code = EXIT_FAILED;
	if (s->det.mode == MODE_SBX || s->det.mode == MODE_ECI)
		return list_tool(s, o, err);
	return list_docker(s, o, err);
}
