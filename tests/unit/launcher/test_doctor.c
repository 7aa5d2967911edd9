/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "unit.h"

static struct session s;

/* The report on s, as a fresh string. */
static char *report(int (*print)(const struct session *, FILE *, struct cai_err *))
{
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	if (print(&s, f, &err) < 0)
		unit_fail(__FILE__, __LINE__, "%s", err.msg);
	fclose(f);
	return buf;
}

/* The contract's doctor --json fields, with their types. */
TEST(doctor_json_has_the_contract_fields)
{
	settings_defaults(&s.cfg);
	s.det.platform = PLATFORM_WSL;
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	s.det.sysbox_runtime = 1;
	s.det.sysbox_remap = TRI_UNKNOWN;
	s.det.mode = MODE_NONE;
	char *buf = report(doctor_print_json);
	json_error_t jerr;
	json_auto_t *root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	CHECK(root);
	CHECK_STR(json_string_value(json_object_get(root, "platform")), "wsl");
	CHECK(json_is_true(json_object_get(json_object_get(root, "docker"), "cli")));
	CHECK(json_is_true(json_object_get(json_object_get(root, "docker"), "daemon")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "eci"), "status")),
		  "not_available");
	CHECK(json_is_true(json_object_get(json_object_get(root, "sysbox"), "available")));
	/* Unknown is not proven: the boolean is false. */
	CHECK(json_is_false(json_object_get(json_object_get(root, "sysbox"), "uid_remap")));
	CHECK(json_is_false(json_object_get(json_object_get(root, "sbx"), "available")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "isolation"), "mode")), "none");
	CHECK(json_is_false(json_object_get(json_object_get(root, "isolation"), "available")));
	CHECK(json_is_string(json_object_get(root, "recommended_action")));
}

/* What the engine says about itself reaches the terminal as printable
 * text: no escape sequence, no line of its own. */
TEST(doctor_text_keeps_engine_strings_on_their_line)
{
	settings_defaults(&s.cfg);
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	snprintf(s.det.server_version, sizeof(s.det.server_version), "1\033[2J\n[OK] isolation: mode sbx");
	s.det.mode = MODE_NONE;
	char *buf = report(doctor_print_text);
	CHECK(!strchr(buf, '\033'));
	CHECK(!strstr(buf, "\n[OK] isolation"));
	CHECK_CONTAINS(buf, "[ERROR] isolation: none usable");
	free(buf);
}
