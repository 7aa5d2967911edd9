/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"
#include "gates.h"
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

TEST(uid_map_classification)
{
	CHECK_INT(detect_uid_map_remapped("         0     100000      65536\n"), TRI_YES);
	CHECK_INT(detect_uid_map_remapped("         0          0 4294967295\n"), TRI_NO);
	/* A second range that reaches host root is not isolation. */
	CHECK_INT(detect_uid_map_remapped("0 100000 65536\n65536 0 1\n"), TRI_NO);
	CHECK_INT(detect_uid_map_remapped("1000 100000 1\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped(""), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("garbage\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 100000\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 100000 65536 extra\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 100000 0\n"), TRI_UNKNOWN);
}

/* A lying probe's numbers: a "yes" must come from a map a kernel could
 * print, not from how strtoull reads signs and overflow. */
TEST(uid_map_refuses_what_no_kernel_prints)
{
	CHECK_INT(detect_uid_map_remapped("0 -1 1\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 +100000 65536\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 4294967296 65536\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 18446744073709551616 1\n"), TRI_UNKNOWN);
	/* 100000 + 4294967295 wraps through host uid 0. */
	CHECK_INT(detect_uid_map_remapped("0 100000 4294967295\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 100000 65536\n4294967295 200000 2\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 0x186a0 65536\n"), TRI_UNKNOWN);
	CHECK_INT(detect_uid_map_remapped("0 1 4294967295\n"), TRI_YES);
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

TEST(gates_table)
{
	struct gate_input in = { .mode = MODE_NONE };
	struct cai_err err;
	int un;

	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "--force");
	in.force = 1;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	CHECK_INT(un, 1);
	in.require_isolation = 1;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "ineffective");
	in.mode = MODE_SYSBOX;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	CHECK_INT(un, 0);
	in.allow_sock = in.ack_sock = 1;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "only available in ECI mode");
	in.mode = MODE_ECI;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	in.ack_sock = 0;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "--i-understand-this-grants-root-access");
}

TEST(workspace_gate)
{
	struct cai_err err;
	const char *const u[] = { "/home/u", NULL };

	CHECK_INT(gates_workspace_check("/home/u/src/p", u, &err), 0);
	CHECK_INT(gates_workspace_check("/", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.config", u, &err), -1);
	CHECK_CONTAINS(err.msg, ".config/gh");
	CHECK_INT(gates_workspace_check("/home/u/.sshx", u, &err), 0);
	/* The launcher's own config, keyrings and package-registry tokens. */
	CHECK_INT(gates_workspace_check("/home/u/.config/containai", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.local", u, &err), -1);
	CHECK_CONTAINS(err.msg, ".local/share/keyrings");
	CHECK_INT(gates_workspace_check("/home/u/.cargo", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.password-store/x", u, &err), -1);
	CHECK_INT(gates_workspace_check("/var/run", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a,b", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a:ro", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a\"b", u, &err), -1);
	CHECK_INT(gates_workspace_check("rel", u, &err), -1);
}

/* The workspace is resolved; a home or credential directory reached
 * through a symlink must be resolved as well, or its real path passes. */
TEST(workspace_gate_resolves_symlinked_home_and_secrets)
{
	char dir[] = "/tmp/cai-gates-XXXXXX", p[256], q[256], link[256];
	struct cai_err err;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/realhome", dir);
	CHECK_INT(mkdir(p, 0700), 0);
	snprintf(link, sizeof(link), "%s/home", dir);
	CHECK_INT(symlink(p, link), 0);
	const char *const h[] = { link, NULL };
	CHECK_INT(gates_workspace_check(p, h, &err), -1);
	CHECK_CONTAINS(err.msg, "contains your home");

	/* ~/.aws kept in a dotfiles directory outside $HOME. */
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(q, sizeof(q), "%s/dotfiles/aws", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(p, sizeof(p), "%s/realhome/.aws", dir);
	CHECK_INT(symlink(q, p), 0);
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(gates_workspace_check(q, h, &err), -1);
	CHECK_CONTAINS(err.msg, ".aws");

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK_INT(system(p), 0);
}

/* HOME unset or relative: the passwd entry's home still counts, and with
 * no home at all nothing can be ruled out. */
TEST(workspace_gate_without_home)
{
	struct cai_err err;
	const char *const none[] = { NULL };
	const char *const rel[] = { "relative", NULL };
	const char *const two[] = { "relative", "/home/u", NULL };

	CHECK_INT(gates_workspace_check("/srv/p", none, &err), -1);
	CHECK_CONTAINS(err.msg, "no home directory");
	CHECK_INT(gates_workspace_check("/srv/p", rel, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", two, &err), -1);
	CHECK_INT(gates_workspace_check("/srv/p", two, &err), 0);
}
