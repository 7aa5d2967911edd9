/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "detect.h"
#include "unit.h"

TEST(version_cmp_numeric_not_lexical)
{
	int c;

	CHECK_INT(detect_version_cmp("4.50.0", "4.50", &c), 0);
	CHECK_INT(c, 0);
	CHECK_INT(detect_version_cmp("4.9", "4.50", &c), 0);
	CHECK_INT(c, -1);
	CHECK_INT(detect_version_cmp("4.100", "4.50", &c), 0);
	CHECK_INT(c, 1);
	CHECK_INT(detect_version_cmp("5", "4.50", &c), 0);
	CHECK_INT(c, 1);
	CHECK_INT(detect_version_cmp("4.50.1", "4.50", &c), 0);
	CHECK_INT(c, 1);
	CHECK_INT(detect_version_cmp("4.49.9", "4.50", &c), 0);
	CHECK_INT(c, -1);
}

TEST(version_cmp_refuses_garbage)
{
	int c;

	CHECK_INT(detect_version_cmp("4.50-beta", "4.50", &c), -1);
	CHECK_INT(detect_version_cmp("", "4.50", &c), 0); /* empty is 0 */
	CHECK_INT(detect_version_cmp("v4.50", "4.50", &c), -1);
	CHECK_INT(detect_version_cmp("4..50", "4.50", &c), -1);
	CHECK_INT(detect_version_cmp("4.50.", "4.50", &c), -1);
}

TEST(desktop_version_from_platform_name)
{
	char v[32];

	CHECK_INT(detect_desktop_version("Docker Desktop 4.50.0 (209931)", v, sizeof(v)), 0);
	CHECK_STR(v, "4.50.0");
	CHECK_INT(detect_desktop_version("Docker Engine - Community", v, sizeof(v)), -1);
	CHECK_INT(detect_desktop_version("Docker Desktop", v, sizeof(v)), -1);
	CHECK_INT(detect_desktop_version("Docker Desktop 4.5x", v, sizeof(v)), -1);
	CHECK_INT(detect_desktop_version("", v, sizeof(v)), -1);
}

struct map_case {
	const char *map;
	enum tri want;
};

/* Each map's verdict on a host whose only accounts at or above
 * DETECT_SUBID_MIN are `high` (NULL: none). */
static void check_maps(const struct map_case *c, size_t n, const struct detect_host_ids *high)
{
	char why[160];

	for (size_t i = 0; i < n; i++)
		if (detect_uid_map_remapped(c[i].map, high, why, sizeof(why)) != c[i].want)
			unit_fail(__FILE__, __LINE__, "'%s': not %d (%s)", c[i].map, c[i].want, why);
}

#define CHECK_MAPS(cases, high) check_maps(cases, sizeof(cases) / sizeof(cases[0]), high)

TEST(uid_map_classification)
{
	static const struct map_case cases[] = {
		{ "         0     100000      65536\n", TRI_YES },
		{ "         0          0 4294967295\n", TRI_NO },
		/* A second range that reaches host root is not isolation. */
		{ "0 100000 65536\n65536 0 1\n", TRI_NO },
		{ "1000 100000 1\n", TRI_UNKNOWN },
		{ "", TRI_UNKNOWN },
		{ "garbage\n", TRI_UNKNOWN },
		{ "0 100000\n", TRI_UNKNOWN },
		{ "0 100000 65536 extra\n", TRI_UNKNOWN },
		{ "0 100000 0\n", TRI_UNKNOWN },
	};

	CHECK_MAPS(cases, NULL);
}

/* Root must map into subordinate ids no host account uses: not onto the
 * user who started the engine, not over every non-root host uid, not into
 * the host's classic uid space, not over an account above it. */
TEST(uid_map_root_maps_into_subordinate_ids_only)
{
	static const struct map_case no_accounts[] = {
		{ "0 1000 1\n", TRI_NO },
		{ "0 1 4294967295\n", TRI_NO },
		{ "0 65535 2\n", TRI_NO },
		{ "0 65536 65536\n", TRI_YES },
		/* Every range counts, not only root's. */
		{ "0 100000 1000\n1000 1000 1\n", TRI_NO },
		{ "0 65536 4294901760\n", TRI_YES },
	};
	static const struct map_case two_accounts[] = {
		{ "0 100000 65536\n", TRI_YES },
		{ "0 165536 65536\n", TRI_NO },
		{ "0 65536 4294901760\n", TRI_NO },
	};
	uid_t accounts[] = { 70000, 200000 };
	struct detect_host_ids high = { .uid = accounts, .n = 2, .cap = 2 };
	char why[160];

	CHECK_MAPS(no_accounts, NULL);
	CHECK_MAPS(two_accounts, &high);
	CHECK_INT(detect_uid_map_remapped("0 1 4294967295\n", NULL, why, sizeof(why)), TRI_NO);
	CHECK_CONTAINS(why, "starts at host uid 1, below 65536");
	CHECK_INT(detect_uid_map_remapped("0 165536 65536\n", &high, why, sizeof(why)), TRI_NO);
	CHECK_CONTAINS(why, "covers host uid 200000, a host account");
}

/* A lying probe's numbers: a "yes" must come from a map a kernel could
 * print, not from how strtoull reads signs and overflow. */
TEST(uid_map_refuses_what_no_kernel_prints)
{
	static const struct map_case cases[] = {
		{ "0 -1 1\n", TRI_UNKNOWN },
		{ "0 +100000 65536\n", TRI_UNKNOWN },
		{ "0 4294967296 65536\n", TRI_UNKNOWN },
		{ "0 18446744073709551616 1\n", TRI_UNKNOWN },
		/* 100000 + 4294967295 wraps through host uid 0. */
		{ "0 100000 4294967295\n", TRI_UNKNOWN },
		{ "0 100000 65536\n4294967295 200000 2\n", TRI_UNKNOWN },
		{ "0 0x186a0 65536\n", TRI_UNKNOWN },
	};

	CHECK_MAPS(cases, NULL);
}

/* What this host's passwd database holds above the classic uid space. */
TEST(uid_map_host_accounts_are_read)
{
	_cleanup_host_ids_ struct detect_host_ids ids = { 0 };
	struct cai_err err;

	CHECK_INT(detect_host_ids_load(&ids, &err), 0);
	for (size_t i = 0; i < ids.n; i++)
		CHECK(ids.uid[i] >= DETECT_SUBID_MIN);
}

TEST(platform_classification)
{
	CHECK_INT(detect_platform_classify("Darwin", NULL, 0, NULL), PLATFORM_MACOS);
	CHECK_INT(detect_platform_classify("Linux", "Ubuntu", 0, ""), PLATFORM_WSL);
	CHECK_INT(detect_platform_classify("Linux", NULL, 1, ""), PLATFORM_WSL);
	CHECK_INT(detect_platform_classify("Linux", NULL, 0,
					   "Linux version 5.15.153.1-microsoft-standard-WSL2"), PLATFORM_WSL);
	CHECK_INT(detect_platform_classify("Linux", "", 0, "Linux version 6.1.0-13-amd64"),
		  PLATFORM_LINUX);
}

TEST(help_flag_detection_is_whole_word)
{
	const char *help = "  -t, --template string   image\n      --name string\n"
			   "      --pull-template string\n";

	CHECK(detect_help_has_flag(help, "--template"));
	CHECK(detect_help_has_flag(help, "--name"));
	CHECK(detect_help_has_flag(help, "--pull-template"));
	CHECK(!detect_help_has_flag(help, "--env"));
	CHECK(!detect_help_has_flag("--names", "--name"));
	CHECK(!detect_help_has_flag("x--name", "--name"));
}

TEST(mode_preference_and_fail_closed)
{
	struct detect_result r = { 0 };

	r.docker_daemon = TRI_YES;
	r.sysbox_runtime = 1;
	r.sysbox_remap = TRI_UNKNOWN;
	CHECK_INT(detect_choose(&r), MODE_NONE);
	r.sysbox_remap = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_SYSBOX);
	r.eci_status = ECI_ENABLED;
	r.desktop_new_enough = TRI_UNKNOWN;
	r.sandbox_plugin = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_SYSBOX);
	r.desktop_new_enough = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_ECI);
	r.sbx = TRI_UNKNOWN;
	CHECK_INT(detect_choose(&r), MODE_ECI);
	r.sbx = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_SBX);
}

/* What detect_gvisor_runtime picks from a Runtimes object (JSON text). */
static int pick(const char *json, char *name, char *entry, char *why)
{
	char path[256];
	json_error_t jerr;
	json_auto_t *rt = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);

	if (!rt)
		unit_fail(__FILE__, __LINE__, "bad test JSON: %s", jerr.text);
	return detect_gvisor_runtime(rt, name, DETECT_RUNTIME_NAME_MAX, path, sizeof(path), entry, 512,
				     why, DETECT_REASON_MAX);
}

/* A runtime is a gVisor candidate by its binary's name, whatever it is
 * called itself; the probe decides whether it is gVisor. */
TEST(gvisor_runtime_from_docker_info)
{
	char name[DETECT_RUNTIME_NAME_MAX], entry[512], why[DETECT_REASON_MAX];

	/* As docker 20.10 lists the test engines' runsc. */
	CHECK_INT(pick("{\"runc\": {\"path\": \"runc\"}, \"runsc\": {\"path\": \"/usr/bin/runsc\", "
		       "\"runtimeArgs\": [\"--network=host\"]}}", name, entry, why), 1);
	CHECK_STR(name, "runsc");
	CHECK_STR(entry, "{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--network=host\"]}");
	/* Named runsc, calling runc: no candidate, and the report says why. */
	CHECK_INT(pick("{\"runsc\": {\"path\": \"runc\"}}", name, entry, why), 0);
	CHECK_STR(name, "");
	CHECK_CONTAINS(why, "the one named runsc calls 'runc'");
	CHECK_INT(pick("{\"runc\": {\"path\": \"runc\"}}", name, entry, why), 0);
	CHECK_CONTAINS(why, "no runtime whose binary is runsc");
	/* Any name, by the binary; the one named runsc first, else by name. */
	CHECK_INT(pick("{\"gvisor\": {\"path\": \"/opt/gvisor/runsc\"}}", name, entry, why), 1);
	CHECK_STR(name, "gvisor");
	CHECK_INT(pick("{\"zz\": {\"path\": \"runsc\"}, \"runsc\": {\"path\": \"/x/runsc\"}, "
		       "\"aa\": {\"path\": \"/y/runsc\"}}", name, entry, why), 1);
	CHECK_STR(name, "runsc");
	CHECK_INT(pick("{\"zz\": {\"path\": \"runsc\"}, \"bb\": {\"path\": \"/y/runsc\"}}", name, entry, why), 1);
	CHECK_STR(name, "bb");
	/* A binary merely containing the name is not it. */
	CHECK_INT(pick("{\"a\": {\"path\": \"/usr/bin/runsc-wrapper\"}, \"b\": {\"path\": \"/runsc/runc\"}, "
		       "\"c\": {\"path\": \"/x/runsc/\"}, \"d\": {\"path\": 7}, \"e\": \"runsc\"}",
		       name, entry, why), 0);
	/* Names that --runtime= or the report could take for something else. */
	CHECK_INT(pick("{\"-x\": {\"path\": \"runsc\"}, \"a b\": {\"path\": \"runsc\"}, "
		       "\"a\\nb\": {\"path\": \"runsc\"}, \"\": {\"path\": \"runsc\"}}", name, entry, why), 0);
	CHECK_INT(pick("{\"-x\": {\"path\": \"runsc\"}, \"ok.1_-\": {\"path\": \"runsc\"}}", name, entry, why), 1);
	CHECK_STR(name, "ok.1_-");
}

TEST(gvisor_after_sysbox_unless_preferred)
{
	struct detect_result r = { 0 };

	r.docker_daemon = TRI_YES;
	snprintf(r.gvisor_runtime, sizeof(r.gvisor_runtime), "runsc");
	r.gvisor = TRI_UNKNOWN;
	CHECK_INT(detect_choose(&r), MODE_NONE);
	r.gvisor = TRI_NO;
	CHECK_INT(detect_choose(&r), MODE_NONE);
	r.gvisor = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_GVISOR);
	r.sysbox_runtime = 1;
	r.sysbox_remap = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_SYSBOX);
	r.prefer = MODE_GVISOR;
	CHECK_INT(detect_choose(&r), MODE_GVISOR);
	/* A preference never makes a mode usable. */
	r.gvisor = TRI_UNKNOWN;
	CHECK_INT(detect_choose(&r), MODE_SYSBOX);
	r.sysbox_remap = TRI_NO;
	CHECK_INT(detect_choose(&r), MODE_NONE);
	r.prefer = MODE_SBX;
	r.gvisor = TRI_YES;
	CHECK_INT(detect_choose(&r), MODE_GVISOR);
	/* A yes without a runtime, or from an engine that did not answer. */
	r.gvisor_runtime[0] = '\0';
	CHECK_INT(detect_choose(&r), MODE_NONE);
	snprintf(r.gvisor_runtime, sizeof(r.gvisor_runtime), "runsc");
	r.docker_daemon = TRI_UNKNOWN;
	CHECK_INT(detect_choose(&r), MODE_NONE);
}

TEST(mode_names_parse_back)
{
	enum iso_mode m;

	CHECK_INT(detect_mode_parse("gvisor", &m), 0);
	CHECK_INT(m, MODE_GVISOR);
	CHECK_STR(detect_mode_name(m), "gvisor");
	CHECK_INT(detect_mode_parse("sbx", &m), 0);
	CHECK_INT(m, MODE_SBX);
	CHECK_INT(detect_mode_parse("sysbox", &m), 0);
	CHECK_INT(detect_mode_parse("eci", &m), 0);
	/* No preference for no isolation. */
	CHECK_INT(detect_mode_parse("none", &m), -1);
	CHECK_INT(detect_mode_parse("GVISOR", &m), -1);
	CHECK_INT(detect_mode_parse("", &m), -1);
}
