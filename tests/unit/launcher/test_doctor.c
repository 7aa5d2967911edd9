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

/* gVisor's part of the report: its object in --json, the preference, and
 * a remedy that names `containai setup gvisor`. */
TEST(doctor_reports_gvisor)
{
	settings_defaults(&s.cfg);
	memset(&s.det, 0, sizeof(s.det));
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	snprintf(s.det.gvisor_runtime, sizeof(s.det.gvisor_runtime), "runsc");
	snprintf(s.det.gvisor_path, sizeof(s.det.gvisor_path), "/usr/bin/runsc");
	snprintf(s.det.gvisor_reason, sizeof(s.det.gvisor_reason), "gVisor's kernel");
	s.det.gvisor = TRI_YES;
	s.det.gvisor_verified_at = 1234;
	s.det.prefer = MODE_GVISOR;
	s.det.mode = MODE_GVISOR;
	char *buf = report(doctor_print_json);
	json_error_t jerr;
	json_auto_t *root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	CHECK(root);
	json_t *g = json_object_get(root, "gvisor");
	CHECK(json_is_true(json_object_get(g, "available")));
	CHECK_STR(json_string_value(json_object_get(g, "runtime")), "runsc");
	CHECK_STR(json_string_value(json_object_get(g, "path")), "/usr/bin/runsc");
	CHECK_STR(json_string_value(json_object_get(g, "state")), "yes");
	CHECK_INT(json_integer_value(json_object_get(g, "verified_at")), 1234);
	CHECK(json_is_false(json_object_get(g, "cached")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "isolation"), "mode")), "gvisor");
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "isolation"), "prefer")), "gvisor");
	buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[OK] gvisor: runtime runsc (/usr/bin/runsc): gVisor's kernel");
	CHECK_CONTAINS(buf, "[OK] isolation: mode gvisor");
	free(buf);

	/* A runtime named runsc that is runc: not available, and said so. */
	s.det.gvisor = TRI_NO;
	s.det.prefer = MODE_NONE;
	s.det.mode = MODE_NONE;
	buf = report(doctor_print_json);
	json_decref(root);
	root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	g = json_object_get(root, "gvisor");
	CHECK(json_is_false(json_object_get(g, "available")));
	CHECK(json_is_null(json_object_get(g, "verified_at")));
	CHECK(json_is_null(json_object_get(json_object_get(root, "isolation"), "prefer")));
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "register the real runsc");
	buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[ERROR] gvisor: runtime runsc (/usr/bin/runsc) is not gVisor");
	free(buf);

	/* Nothing registered: installed or not, setup gvisor is the remedy. */
	s.det.gvisor_runtime[0] = '\0';
	s.det.runsc_installed = 1;
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "installed but not registered");
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "sudo containai setup gvisor");
	s.det.runsc_installed = 0;
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "sudo containai setup gvisor");
	/* A preference that cannot be had is said, not hidden. */
	s.det.prefer = MODE_GVISOR;
	buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[WARN] preferred mode gvisor is not usable here");
	free(buf);
}
