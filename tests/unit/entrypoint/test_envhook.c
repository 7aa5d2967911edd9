/* SPDX-License-Identifier: MIT */
/* The hook variables: names and prefixes on the list, the allow list. */
#include <string.h>

#include "envhook.h"
#include "macro.h"
#include "unit.h"

static int hook(const char *name)
{
	return envhook_is_hook(name, strlen(name));
}

TEST(envhook_names_and_prefixes)
{
	static const char *const yes[] = {
		"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "BASH_ENV", "ENV", "PS1",
		"PROMPT_COMMAND", "PATH", "NODE_OPTIONS", "npm_config_script_shell",
		"NPM_CONFIG_NODE_OPTIONS", "PYTHONPATH", "PYTHONSTARTUP", "PERL5OPT", "RUBYOPT",
		"JAVA_TOOL_OPTIONS", "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_12",
		"GIT_SSH_COMMAND", "OPENSSL_CONF", "LESSOPEN", "GIT_DIR", "GIT_COMMON_DIR", "LUA_INIT",
		"LUA_INIT_5_4", "LUA_PATH", "LUA_CPATH_5_4",
	};
	static const char *const no[] = {
		"LD", "PATHS", "MYPATH", "path", "ld_preload", "NODE_ENV", "PYTHONUNBUFFERED",
		"GIT_AUTHOR_NAME", "GIT_CONFIG_NOSYSTEM", "EDITOR", "PAGER", "HOME", "ANTHROPIC_API_KEY",
		"ENVIRONMENT", "GIT_DIRS", "LUA",
	};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!hook(yes[i]))
			unit_fail(__FILE__, __LINE__, "%s is a hook", yes[i]);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (hook(no[i]))
			unit_fail(__FILE__, __LINE__, "%s is not a hook", no[i]);
	/* The length decides, not a terminating NUL. */
	CHECK(!envhook_is_hook("PATHS", 5));
	CHECK(envhook_is_hook("PATHS", 4));
}

TEST(envhook_allow_list)
{
	struct cai_err err = { 0 };

	CHECK_INT(envhook_check_allow("", &err), 0);
	CHECK_INT(envhook_check_allow(" NODE_OPTIONS,\tPYTHONPATH ,, GIT_CONFIG_KEY_0", &err), 0);
	CHECK_INT(envhook_check_allow("NODE_OPTIONS NODE_OPTION", &err), -1);
	CHECK_STR(err.msg, "'NODE_OPTION' is not a loader or interpreter hook variable");
	CHECK_INT(envhook_check_allow("LD_PRELOAD=x", &err), -1);

	CHECK_INT(envhook_refused(NULL, "LD_PRELOAD", 10), 1);
	CHECK_INT(envhook_refused("", "LD_PRELOAD", 10), 1);
	CHECK_INT(envhook_refused("NODE_OPTIONS", "LD_PRELOAD", 10), 1);
	CHECK_INT(envhook_refused("NODE_OPTIONS, LD_PRELOAD", "LD_PRELOAD", 10), 0);
	/* Exact names only: allowing one GIT_CONFIG_KEY_N allows no other. */
	CHECK_INT(envhook_refused("GIT_CONFIG_KEY_0", "GIT_CONFIG_KEY_01", 17), 1);
	CHECK_INT(envhook_refused("LD_PRELOAD", "LD_PRELOAD_X", 12), 1);
	CHECK_INT(envhook_refused(NULL, "NOT_A_HOOK", 10), 0);
}
