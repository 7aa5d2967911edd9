/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"
#include "settings.h"
#include "unit.h"

static int load(struct settings *c, const char *text, const char *ws, struct cai_err *err)
{
	settings_defaults(c);
	return settings_load_buf(c, text, strlen(text), "config.ini", ws, err);
}

TEST(settings_defaults_are_the_sandbox_image)
{
	struct settings c;

	settings_defaults(&c);
	CHECK_STR(c.image, CAI_DEFAULT_IMAGE);
	CHECK_STR(c.image, "containai:latest");
	CHECK_STR(settings_probe_image(&c), "containai:latest");
	CHECK_INT(c.require_isolation, 0);
}

TEST(settings_workspace_section_beats_default_in_any_order)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[workspace /w]\nimage = ws:1\n[default]\nimage = def:1\nagent = codex\n",
		       "/w", &err), 0);
	CHECK_STR(c.image, "ws:1");
	CHECK_STR(c.agent, "codex");
	CHECK_INT(load(&c, "[workspace /w]\nimage = ws:1\n[default]\nimage = def:1\n", "/other", &err), 0);
	CHECK_STR(c.image, "def:1");
}

TEST(settings_precedence_env_over_file_flag_over_env)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[default]\nimage = file:1\ntimeout = 5\nrequire_isolation = true\n", NULL, &err), 0);
	setenv("CONTAINAI_IMAGE", "env:1", 1);
	setenv("CONTAINAI_REQUIRE_ISOLATION", "0", 1);
	CHECK_INT(settings_apply_env(&c, &err), 0);
	CHECK_STR(c.image, "env:1");
	CHECK_INT(c.timeout_s, 5);
	CHECK_INT(settings_set(&c, "image", "flag:1", &err), 0);
	CHECK_STR(c.image, "flag:1");
	unsetenv("CONTAINAI_IMAGE");
	unsetenv("CONTAINAI_REQUIRE_ISOLATION");
}

/* Strict mode is the exception to precedence: no source can switch off
 * what another switched on. */
TEST(settings_require_isolation_only_tightens)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[default]\nrequire_isolation = true\n", NULL, &err), 0);
	setenv("CONTAINAI_REQUIRE_ISOLATION", "0", 1);
	CHECK_INT(settings_apply_env(&c, &err), 0);
	unsetenv("CONTAINAI_REQUIRE_ISOLATION");
	CHECK_INT(c.require_isolation, 1);
	CHECK_INT(load(&c, "[default]\nrequire_isolation = true\n[workspace /w]\nrequire_isolation = false\n",
		       "/w", &err), 0);
	CHECK_INT(c.require_isolation, 1);
	CHECK_INT(load(&c, "[workspace /w]\nrequire_isolation = true\n", "/w", &err), 0);
	CHECK_INT(c.require_isolation, 1);
}

TEST(settings_unsafe_opt_ins_are_errors_with_line)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[default]\nimage = a\nallow_host_credentials = true\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:3: 'allow_host_credentials' cannot be set in a config file");
	CHECK_INT(load(&c, "[workspace /x]\nallow-host-docker-socket = 1\n", "/y", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2:");
	CHECK_INT(load(&c, "[default]\nforce = yes\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\ni_understand_this_grants_root_access = true\n", NULL, &err), -1);
}

TEST(settings_refuses_bad_input)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[default]\nbogus = 1\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: unknown key 'bogus'");
	CHECK_INT(load(&c, "[workspace relative]\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:1:");
	CHECK_INT(load(&c, "[default]\nimage = --privileged\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\nimage = a b\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\ntimeout = 0\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\ntimeout = 601\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\nrequire_isolation = maybe\n", NULL, &err), -1);
	/* A bad key in another workspace's section is still an error. */
	CHECK_INT(load(&c, "[workspace /other]\nimage = -x\n", "/w", &err), -1);
}

/* Resource limits and published ports: config keys, environment and
 * flags through the same readers; the list of ports is replaced whole. */
TEST(settings_resources_and_ports)
{
	struct settings c;
	struct cai_err err;

	CHECK_INT(load(&c, "[default]\nmemory = 2g\ncpus = 1.5\npids_limit = 512\npublish = 8080, 9000:3000\n",
		       NULL, &err), 0);
	CHECK_INT(c.resources.memory, 2ULL << 30);
	CHECK_INT(c.resources.nano_cpus, 1500000000);
	CHECK_INT(c.resources.pids, 512);
	CHECK_INT(c.publish.n, 2);
	CHECK_INT(c.publish.b[1].host, 9000);
	CHECK_INT(c.publish.b[1].sandbox, 3000);
	setenv("CONTAINAI_PUBLISH", "7000", 1);
	setenv("CONTAINAI_PIDS_LIMIT", "100", 1);
	CHECK_INT(settings_apply_env(&c, &err), 0);
	CHECK_INT(c.publish.n, 1);
	CHECK_INT(c.resources.pids, 100);
	unsetenv("CONTAINAI_PUBLISH");
	unsetenv("CONTAINAI_PIDS_LIMIT");
	CHECK_INT(load(&c, "[default]\npids_limit = unlimited\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: pids limit 'unlimited'");
	CHECK_INT(load(&c, "[default]\nmemory = -1\n", NULL, &err), -1);
	CHECK_INT(load(&c, "[default]\npublish = 0.0.0.0:80\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: publish");
}

TEST(settings_env_errors_name_the_variable)
{
	struct settings c;
	struct cai_err err;

	settings_defaults(&c);
	setenv("CONTAINAI_TIMEOUT", "soon", 1);
	CHECK_INT(settings_apply_env(&c, &err), -1);
	CHECK_CONTAINS(err.msg, "CONTAINAI_TIMEOUT");
}

TEST(settings_path_follows_xdg)
{
	char p[512];
	struct cai_err err;

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	CHECK_INT(settings_default_path(p, sizeof(p), "/pw", &err), 0);
	CHECK_STR(p, "/x/cfg/containai/config.ini");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/h", 1);
	CHECK_INT(settings_default_path(p, sizeof(p), "/pw", &err), 0);
	CHECK_STR(p, "/h/.config/containai/config.ini");
}

/* HOME unset or relative: the config - and the strict mode it may turn
 * on - is still found, in the passwd entry's home. */
TEST(settings_path_falls_back_to_the_passwd_home)
{
	char p[512];
	struct cai_err err;

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	CHECK_INT(settings_default_path(p, sizeof(p), "/pw", &err), 0);
	CHECK_STR(p, "/pw/.config/containai/config.ini");
	setenv("HOME", "rel", 1);
	CHECK_INT(settings_default_path(p, sizeof(p), "/pw", &err), 0);
	CHECK_STR(p, "/pw/.config/containai/config.ini");
	CHECK_INT(settings_default_path(p, sizeof(p), NULL, &err), -1);
	CHECK_INT(settings_default_path(p, sizeof(p), "rel", &err), -1);
}

/* A config that is there but cannot be read is an error, not "no config":
 * the strict mode it may hold must not be lost. */
TEST(settings_unreadable_config_is_an_error)
{
	char dir[] = "/tmp/cai-settings-XXXXXX", p[128];
	struct settings c;
	struct cai_err err;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/config.ini", dir);
	CHECK_INT(mkdir(p, 0700), 0);
	settings_defaults(&c);
	CHECK_INT(settings_load_file(&c, p, 0, NULL, &err), -1);
	CHECK_INT(rmdir(p), 0);
	CHECK_INT(symlink("/etc/hostname", p), 0);
	CHECK_INT(settings_load_file(&c, p, 0, NULL, &err), -1);
	CHECK_INT(unlink(p), 0);
	CHECK_INT(rmdir(dir), 0);
}

TEST(settings_missing_default_file_is_fine_explicit_is_not)
{
	struct settings c;
	struct cai_err err;

	settings_defaults(&c);
	CHECK_INT(settings_load_file(&c, "/nonexistent/containai/config.ini", 0, NULL, &err), 0);
	CHECK_INT(settings_load_file(&c, "/nonexistent/containai/config.ini", 1, NULL, &err), -1);
}

TEST(settings_egress_keys_and_credential_sections)
{
	struct settings c;
	struct cai_err err;
	const char ok[] = "[default]\negress = locked\negress_allow = a.example.com *.b.example\n"
			  "egress_allow_cidr = 172.19.0.0/16\negress_dns = 172.19.0.5\n"
			  "[credential test]\nupstream = tls.test\nheader = Authorization: Bearer\n"
			  "value_file = /k\nendpoint_env = TEST_BASE_URL\n";

	CHECK_INT(load(&c, ok, "/w", &err), 0);
	CHECK_INT(c.egress, EGRESS_LOCKED);
	CHECK_STR(c.egress_allow, "a.example.com *.b.example");
	CHECK_INT(c.ncred, 1);
	CHECK_STR(c.cred[0].name, "test");
	CHECK_STR(c.cred[0].prefix, "Bearer");
	CHECK_INT(c.cred[0].line, 6);

	CHECK_INT(load(&c, "[default]\negress_allow = good.example bad..example\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: egress_allow: ");
	CHECK_INT(load(&c, "[default]\n\negress_allow_cidr = 10.0.0.1/8\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:3: egress_allow_cidr");
	CHECK_INT(load(&c, "[default]\negress = wide-open\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: egress");
	CHECK_INT(load(&c, "[credential x]\nupstream = a.example\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:1: [credential x] needs");
	CHECK_INT(load(&c, "[credential x]\nsecret = 1\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: unknown key 'secret'");
	CHECK_INT(load(&c, "[credential bad name]\n", "/w", &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:1: ");
	setenv("CONTAINAI_EGRESS", "open", 1);
	settings_defaults(&c);
	CHECK_INT(settings_apply_env(&c, &err), 0);
	CHECK_INT(c.egress, EGRESS_OPEN);
	unsetenv("CONTAINAI_EGRESS");
}

/* A preferred mode: named, layered like any setting, never "none". */
TEST(settings_prefer_names_an_isolation_mode)
{
	struct settings c;
	struct cai_err err;

	settings_defaults(&c);
	CHECK_INT(c.prefer, MODE_NONE);
	CHECK_INT(load(&c, "[default]\nprefer = sysbox\n[workspace /w]\nprefer = gvisor\n", "/w", &err), 0);
	CHECK_INT(c.prefer, MODE_GVISOR);
	CHECK_INT(load(&c, "[default]\nprefer = none\n", NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "config.ini:2: prefer: 'none' is not sbx, eci, sysbox or gvisor");
	CHECK_INT(load(&c, "[default]\nprefer = sysbox\n", NULL, &err), 0);
	setenv("CONTAINAI_PREFER", "gvisor", 1);
	CHECK_INT(settings_apply_env(&c, &err), 0);
	CHECK_INT(c.prefer, MODE_GVISOR);
	setenv("CONTAINAI_PREFER", "kvm", 1);
	CHECK_INT(settings_apply_env(&c, &err), -1);
	CHECK_CONTAINS(err.msg, "CONTAINAI_PREFER");
	unsetenv("CONTAINAI_PREFER");
}
