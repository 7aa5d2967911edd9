/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "unit.h"

static struct session s;
static struct doctor_egress eg;

/* The report on s (and eg), as a fresh string. */
static char *report(int (*print)(const struct session *, const struct doctor_egress *, FILE *,
				 struct cai_err *))
{
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	if (print(&s, &eg, f, &err) < 0)
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

/* The egress setup run would use: the policy, the proxy image, the host's
 * registries and what was skipped, the credentials by name. */
TEST(doctor_reports_the_egress_setup)
{
	settings_defaults(&s.cfg);
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	s.det.mode = MODE_SYSBOX;
	memset(&eg, 0, sizeof(eg));
	eg.image = TRI_NO;
	registries_add_url(&eg.reg, "https://mirror.example.org/debian", 33, "apt /etc/apt/sources.list:1");
	registries_add_url(&eg.reg, "http://10.1.2.3/x", 17, "pip PIP_INDEX_URL");
	argv_push(&eg.credentials, "anthropic (api.anthropic.com, from ANTHROPIC_API_KEY)");
	char *buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[INFO] egress: policy balanced, proxy image containai-egress:latest");
	CHECK_CONTAINS(buf, "[ERROR] egress proxy image: containai-egress:latest is missing - remedy: make image");
	CHECK_CONTAINS(buf, "[INFO] egress registry of this host: mirror.example.org (apt /etc/apt/sources.list:1)");
	CHECK_CONTAINS(buf, "[WARN] egress registry not added: pip PIP_INDEX_URL: '10.1.2.3' is an address");
	CHECK_CONTAINS(buf, "[INFO] egress credential the proxy adds: anthropic (api.anthropic.com");
	free(buf);
	buf = report(doctor_print_json);
	json_error_t jerr;
	json_auto_t *root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	json_t *e = json_object_get(root, "egress");
	CHECK_STR(json_string_value(json_object_get(e, "mode")), "balanced");
	CHECK(json_is_true(json_object_get(e, "applies")));
	CHECK_STR(json_string_value(json_object_get(e, "image_present")), "no");
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(e, "registries"), 0), "host")),
		  "mirror.example.org");
	CHECK_INT(json_array_size(json_object_get(e, "registry_notes")), 1);
	doctor_egress_release(&eg);
	s.det.mode = MODE_SBX;
	buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[INFO] egress: in sbx mode the sandbox tool's own proxy filters egress");
	free(buf);
}
