/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "answer.h"
#include "fd.h"
#include "sandbox_ls.h"
#include "unit.h"

/* An inspect answer of three containers, as one call gives it. */
static json_t *three(const char *a, const char *b, const char *c)
{
	struct cai_err err;
	json_t *arr = json_array();

	json_array_append_new(arr, answer_inspect(a, &err));
	json_array_append_new(arr, answer_inspect(b, &err));
	json_array_append_new(arr, answer_inspect(c, &err));
	return arr;
}

/* Every container with our label is listed; those shaped otherwise say
 * so, and why. */
TEST(ls_rows_say_which_are_refused)
{
	json_auto_t *inspect = three("inspect-running.json", "inspect-privileged.json", "inspect-stopped.json");
	json_auto_t *rows = sandbox_ls_rows(inspect, NULL);

	CHECK(rows);
	CHECK_INT(json_array_size(rows), 3);
	json_t *r0 = json_array_get(rows, 0), *r1 = json_array_get(rows, 1), *r2 = json_array_get(rows, 2);
	CHECK_STR(json_string_value(json_object_get(r0, "name")), "containai-project-87388a2e");
	CHECK_STR(json_string_value(json_object_get(r0, "workspace")), "/home/dev/src/project");
	CHECK_STR(json_string_value(json_object_get(r0, "mode")), "none");
	CHECK_STR(json_string_value(json_object_get(r0, "state")), "running");
	CHECK_STR(json_string_value(json_object_get(r0, "image")), "containai:latest");
	CHECK_STR(json_string_value(json_object_get(r0, "shape")), "ok");
	CHECK_STR(json_string_value(json_object_get(r1, "shape")), "refused");
	CHECK_STR(json_string_value(json_object_get(r1, "why")), "it is privileged");
	CHECK_STR(json_string_value(json_object_get(r2, "state")), "exited");
	/* In Sysbox mode, a sandbox under runc is not ours to enter. */
	json_auto_t *sysbox = sandbox_ls_rows(inspect, "sysbox-runc");
	CHECK_STR(json_string_value(json_object_get(json_array_get(sysbox, 0), "shape")), "refused");
}

/* What the engine says reaches the terminal made printable. */
TEST(ls_table_is_printable)
{
	json_auto_t *rows = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}]", "name", "n1",
				      "workspace", "/w/\x1b]0;owned\x07", "mode", "none", "state", "running",
				      "image", "img", "created", "t", "shape", "refused", "why", "bad\x1b[2J");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sandbox_ls_print(rows, f);
	fclose(f);
	CHECK(buf && !strchr(buf, '\x1b') && !strchr(buf, '\x07'));
	CHECK_CONTAINS(buf, "NAME  WORKSPACE");
	CHECK_CONTAINS(buf, "refused: bad?[2J");
	free(buf);
}
