/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "log.h"
#include "macro.h"
#include "unit.h"

static int parse(struct cai_config *c, const char *text, struct cai_err *e)
{
	config_defaults(c);
	return config_parse_buf(c, text, strlen(text), "t.ini", e);
}

TEST(defaults_are_a_plain_init)
{
	struct cai_config c;
	config_defaults(&c);
	CHECK_INT(c.volume_enabled, 0);
	CHECK_INT(c.env_enabled, 0);
	CHECK_INT(c.workspace_enabled, 0);
	CHECK_INT(c.user_enabled, 0);
	CHECK_INT(c.security_enabled, 0);
	CHECK_INT(c.grace, 3);
	CHECK_INT(c.signal_target, SIGNAL_TARGET_CHILD);
}

TEST(full_config)
{
	struct cai_config c;
	struct cai_err e = { 0 };
	const char *t =
		"; comment\n"
		"[init]\ngrace = 10\nsignal_target = group\nlog_level = debug\n"
		"[volume]\nroot = /data\nmanifest = /etc/m.ini\nowner = 1001:1002\n"
		"[env]\nfile = cfg/.env\n"
		"[workspace]\nlink = /home/a/ws\nrequired = false\n"
		"[user]\nuid = 1000\ngid = 1000\n"
		"[security]\nseccomp =\nno_new_privs = true\ncapabilities =\nlandlock = best-effort\n";
	CHECK_INT(parse(&c, t, &e), 0);
	CHECK_INT(c.grace, 10);
	CHECK_INT(c.signal_target, SIGNAL_TARGET_GROUP);
	CHECK_INT(c.log_level, LOG_LVL_DEBUG);
	CHECK_STR(c.volume_root, "/data");
	CHECK_INT(c.volume_uid, 1001);
	CHECK_INT(c.volume_gid, 1002);
	CHECK_STR(c.env_file, "cfg/.env");
	CHECK_INT(c.workspace_required, 0);
	CHECK_INT(c.user_has_ids, 1);
	CHECK_STR(c.user_name, "");
	CHECK_STR(c.seccomp_policy, "");
	CHECK_INT(c.landlock, LANDLOCK_BEST_EFFORT);
	CHECK_INT(c.volume_enabled && c.env_enabled && c.workspace_enabled && c.user_enabled &&
		  c.security_enabled, 1);
}

TEST(empty_section_switches_step_on_with_defaults)
{
	struct cai_config c;
	struct cai_err e = { 0 };
	CHECK_INT(parse(&c, "[volume]\n[user]\n", &e), 0);
	CHECK_INT(c.volume_enabled, 1);
	CHECK_STR(c.volume_root, "/mnt/agent-data");
	CHECK_INT(c.user_enabled, 1);
	CHECK_STR(c.user_name, "agent");
}

struct bad_case {
	const char *text;
	const char *want;       /* substring of the message, including FILE:LINE */
};

TEST(every_error_names_file_and_line)
{
	static const struct bad_case cases[] = {
		{ "[bogus]\n", "t.ini:1: unknown section [bogus]" },
		{ "[init]\nfoo = 1\n", "t.ini:2: unknown key 'foo' in [init]" },
		{ "[init]\ngrace = 1\ngrace = 2\n", "t.ini:3: [init] grace is set twice" },
		{ "[init]\ngrace = soon\n", "t.ini:2: [init] grace: 'soon' is not a number" },
		{ "[init]\ngrace = 99999\n", "t.ini:2:" },
		{ "[init]\ngrace = 010\n", "t.ini:2: [init] grace: '010': a leading 0 is ambiguous" },
		{ "[user]\nuid = 01000\ngid = 1000\n", "t.ini:2: [user] uid: '01000': a leading 0" },
		{ "[init]\nsignal_target = all\n", "t.ini:2:" },
		{ "[init]\nlog_level = loud\n", "t.ini:2:" },
		{ "\n\n[volume]\nroot = relative\n", "t.ini:4: [volume] root: 'relative' is not an absolute path" },
		{ "[volume]\nroot = /\n", "t.ini:2:" },
		{ "[volume]\nowner = 1000\n", "t.ini:2: [volume] owner" },
		{ "[volume]\nowner = a:b\n", "t.ini:2:" },
		{ "[volume]\nowner = 4294967295:0\n", "t.ini:2:" },
		{ "[volume]\n[env]\nfile = /etc/shadow\n", "t.ini:3:" },
		{ "[workspace]\nrequired = maybe\n", "t.ini:2:" },
		{ "[user]\nname = ../root\n", "t.ini:2:" },
		{ "[security]\nlandlock = sometimes\n", "t.ini:2:" },
		{ "[security]\nno_new_privs = perhaps\n", "t.ini:2:" },
		{ "[security]\numask = 999\n", "t.ini:2:" },
		{ "grace = 3\n", "t.ini:1: key 'grace' outside any section" },
		{ "[init]\nthis is not a pair\n", "t.ini:2: syntax error" },
		{ "[init] extra\n", "t.ini:1: text after section header" },
		{ "[init\n", "t.ini:1: section header without ']'" },
		{ "[init]\n[init]\n", "t.ini:2: section [init] appears twice" },
		{ "[init]\ngrace = 3\n  4\n", "t.ini:3: [init] grace is set twice" },
		{ "[volume]\n[env]\nallow_hooks = NODE_OPTIONS, NODE_OPTION\n",
		  "t.ini:3: [env] allow_hooks: 'NODE_OPTION' is not a loader or interpreter hook variable" },
		{ "[volume]\n[env]\nallow_hooks = HOME\n", "t.ini:3: [env] allow_hooks: 'HOME' is not" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cai_config c;
		struct cai_err e = { 0 };
		CHECK_INT(parse(&c, cases[i].text, &e), -1);
		CHECK_CONTAINS(e.msg, cases[i].want);
	}
}

TEST(env_allow_hooks)
{
	struct cai_config c;
	struct cai_err e = { 0 };
	CHECK_INT(parse(&c, "[volume]\n[env]\n", &e), 0);
	CHECK_STR(c.env_allow_hooks, "");
	CHECK_INT(parse(&c, "[volume]\n[env]\nallow_hooks = NODE_OPTIONS,PYTHONPATH LD_PRELOAD\n", &e), 0);
	CHECK_STR(c.env_allow_hooks, "NODE_OPTIONS,PYTHONPATH LD_PRELOAD");
}

TEST(user_name_and_ids_exclusive)
{
	struct cai_config c;
	struct cai_err e = { 0 };
	CHECK_INT(parse(&c, "[user]\nname = agent\nuid = 1\ngid = 1\n", &e), -1);
	CHECK_CONTAINS(e.msg, "either name or uid");
	CHECK_INT(parse(&c, "[user]\nuid = 1\n", &e), -1);
	CHECK_CONTAINS(e.msg, "go together");
}

TEST(crlf_and_bom_accepted)
{
	struct cai_config c;
	struct cai_err e = { 0 };
	CHECK_INT(parse(&c, "\xef\xbb\xbf[init]\r\ngrace = 5\r\n", &e), 0);
	CHECK_INT(c.grace, 5);
	/* A section behind the mark switches its step on like any other:
	 * otherwise its keys would be read and the step silently skipped. */
	CHECK_INT(parse(&c, "\xef\xbb\xbf[user]\r\nname = agent\r\n", &e), 0);
	CHECK_INT(c.user_enabled, 1);
	CHECK_INT(parse(&c, "\xef\xbb\xbf[security]\nseccomp =\n", &e), 0);
	CHECK_INT(c.security_enabled, 1);
}

TEST(header_after_any_space_still_switches_step_on)
{
	/* inih skips every isspace() byte before '['; so must we, or keys
	 * would land in a section whose step was never switched on. */
	struct cai_config c;
	struct cai_err e = { 0 };
	CHECK_INT(parse(&c, "\v[security]\nno_new_privs = false\n", &e), 0);
	CHECK_INT(c.security_enabled, 1);
	CHECK_INT(parse(&c, "\f [user]\n", &e), 0);
	CHECK_INT(c.user_enabled, 1);
}
