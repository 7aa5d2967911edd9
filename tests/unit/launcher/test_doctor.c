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
	/* gVisor mode's sandbox is a container on the engine: egress applies. */
	s.det.mode = MODE_GVISOR;
	buf = report(doctor_print_json);
	json_decref(root);
	root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	CHECK(json_is_true(json_object_get(json_object_get(root, "egress"), "applies")));
	doctor_egress_release(&eg);
	s.det.mode = MODE_SBX;
	buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "[INFO] egress: in sbx mode the sandbox tool's own proxy filters egress");
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

/* Is every string in v (recursively) free of C0 and C1 controls? */
static int json_text_clean(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v)) {
		for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
			if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
				return 0;
		return 1;
	}
	json_object_foreach((json_t *)v, key, item)
		if (!json_text_clean(item))
			return 0;
	json_array_foreach(v, i, item)
		if (!json_text_clean(item))
			return 0;
	return 1;
}

/* Bytes that are not UTF-8, C1 controls (raw and encoded), a name cut in
 * the middle of a character: the JSON report is still one valid document
 * and none of it reaches the reader as a control. */
TEST(doctor_json_is_valid_whatever_the_engine_says)
{
	memset(&s, 0, sizeof(s));
	settings_defaults(&s.cfg);
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	snprintf(s.det.server_version, sizeof(s.det.server_version), "20.10\xc2\x9b" "31m\x9b\xff\xfe");
	/* A long name cut by the buffer inside a three-byte character. */
	memset(s.det.server_platform, 0, sizeof(s.det.server_platform));
	for (size_t i = 0; i + 3 < sizeof(s.det.server_platform); i += 3)
		memcpy(s.det.server_platform + i, "\xe2\x82\xac", 3);
	s.det.server_platform[sizeof(s.det.server_platform) - 2] = '\xe2';
	snprintf(s.det.sysbox_reason, sizeof(s.det.sysbox_reason), "\x1b]52;c;x\x07\xed\xa0\x80\xc0\xaf");
	snprintf(s.docker.target, sizeof(s.docker.target), "tcp://\xff\x9b[2J:2375");
	s.det.mode = MODE_NONE;
	/* The host's registry files are read too. */
	memset(&eg, 0, sizeof(eg));
	argv_push(&eg.reg.notes, "apt /etc/apt/sources.list:1: \x1b[2J\xc2\x9b\xff");
	char *buf = report(doctor_print_json);
	json_error_t jerr;
	json_auto_t *root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	CHECK(root);
	CHECK(json_text_clean(root));
	CHECK_INT(json_array_size(json_object_get(json_object_get(root, "egress"), "registry_notes")), 1);
	CHECK(!strstr(buf, "\\u009b") && !strchr(buf, '\x9b') && !strchr(buf, '\x1b'));
	free(buf);
	buf = report(doctor_print_text);
	CHECK(!strchr(buf, '\x9b') && !strchr(buf, '\x1b') && !strstr(buf, "\xc2\x9b"));
	free(buf);
	doctor_egress_release(&eg);
	memset(&eg, 0, sizeof(eg));
}

/* A missing probe image is not fixed by "fix this": the remedy says how. */
TEST(doctor_missing_probe_image_says_how)
{
	memset(&s, 0, sizeof(s));
	settings_defaults(&s.cfg);
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	s.det.sysbox_runtime = 1;
	s.det.sysbox_remap = TRI_UNKNOWN;
	s.det.probe_image_missing = 1;
	snprintf(s.det.sysbox_reason, sizeof(s.det.sysbox_reason),
		 "probe image containai:latest is not present (it is never pulled)");
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "`make image`");
	CHECK_CONTAINS(doctor_recommended_action(&s.det), "probe_image");
	char *buf = report(doctor_print_text);
	CHECK_CONTAINS(buf, "not present (it is never pulled) - remedy: build the probe image (`make image`");
	CHECK_CONTAINS(buf, "CONTAINAI_PROBE_IMAGE");
	free(buf);
}
