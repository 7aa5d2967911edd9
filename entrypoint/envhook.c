/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "envhook.h"

#include <string.h>
#include <strings.h>

#include "envname.h"
#include "macro.h"

enum hook_match { HOOK_NAME, HOOK_PREFIX, HOOK_PREFIX_ANY_CASE };

struct hook {
	const char *name;
	enum hook_match match;
};

/* What each one runs is said once, here.  Variables that name a program
 * run only when asked for (EDITOR, PAGER, BROWSER) or a place to read
 * configuration from (XDG_CONFIG_HOME) are not hooks: that program is run
 * on request, that configuration is the agent's to write anyway. */
static const struct hook hooks[] = {
	/* glibc's loader: preloaded and audit libraries, library paths,
	 * iconv modules, tunables. */
	{ "LD_", HOOK_PREFIX },
	{ "GCONV_PATH", HOOK_NAME },
	{ "GLIBC_TUNABLES", HOOK_NAME },
	/* Shells: start-up files, options (xtrace runs PS4's substitutions),
	 * prompts (command substitution at every prompt), zsh's start-up
	 * directory; PATH, where the image sets none. */
	{ "BASH_ENV", HOOK_NAME },
	{ "ENV", HOOK_NAME },
	{ "SHELLOPTS", HOOK_NAME },
	{ "BASHOPTS", HOOK_NAME },
	{ "PROMPT_COMMAND", HOOK_NAME },
	{ "PS0", HOOK_NAME },
	{ "PS1", HOOK_NAME },
	{ "PS2", HOOK_NAME },
	{ "PS4", HOOK_NAME },
	{ "ZDOTDIR", HOOK_NAME },
	{ "PATH", HOOK_NAME },
	/* Node and npm (npm reads npm_config_* in any case: script-shell,
	 * node-options...). */
	{ "NODE_OPTIONS", HOOK_NAME },
	{ "NODE_PATH", HOOK_NAME },
	{ "npm_config_", HOOK_PREFIX_ANY_CASE },
	/* Python: module paths, start-up file, user site (.pth files run),
	 * breakpoint() and warning categories (imported), byte-code cache. */
	{ "PYTHONPATH", HOOK_NAME },
	{ "PYTHONHOME", HOOK_NAME },
	{ "PYTHONSTARTUP", HOOK_NAME },
	{ "PYTHONUSERBASE", HOOK_NAME },
	{ "PYTHONBREAKPOINT", HOOK_NAME },
	{ "PYTHONWARNINGS", HOOK_NAME },
	{ "PYTHONPLATLIBDIR", HOOK_NAME },
	{ "PYTHONPYCACHEPREFIX", HOOK_NAME },
	/* Perl and Ruby: options (-M, -r) and module paths. */
	{ "PERL5OPT", HOOK_NAME },
	{ "PERL5LIB", HOOK_NAME },
	{ "PERLLIB", HOOK_NAME },
	{ "PERL5DB", HOOK_NAME },
	{ "RUBYOPT", HOOK_NAME },
	{ "RUBYLIB", HOOK_NAME },
	/* Lua: code run at start-up, module paths (each also per version,
	 * LUA_INIT_5_4...). */
	{ "LUA_INIT", HOOK_PREFIX },
	{ "LUA_PATH", HOOK_PREFIX },
	{ "LUA_CPATH", HOOK_PREFIX },
	/* Java: -javaagent and the class path. */
	{ "JAVA_TOOL_OPTIONS", HOOK_NAME },
	{ "_JAVA_OPTIONS", HOOK_NAME },
	{ "JDK_JAVA_OPTIONS", HOOK_NAME },
	{ "CLASSPATH", HOOK_NAME },
	/* git: configuration from the environment (core.fsmonitor and
	 * core.hooksPath run commands on `git status`) or from a repository
	 * it names (whose config and hooks are those), its programs and
	 * templates, the commands it runs to connect, ask and diff. */
	{ "GIT_CONFIG", HOOK_NAME },
	{ "GIT_CONFIG_GLOBAL", HOOK_NAME },
	{ "GIT_CONFIG_SYSTEM", HOOK_NAME },
	{ "GIT_CONFIG_PARAMETERS", HOOK_NAME },
	{ "GIT_CONFIG_COUNT", HOOK_NAME },
	{ "GIT_CONFIG_KEY_", HOOK_PREFIX },
	{ "GIT_CONFIG_VALUE_", HOOK_PREFIX },
	{ "GIT_DIR", HOOK_NAME },
	{ "GIT_COMMON_DIR", HOOK_NAME },
	{ "GIT_EXEC_PATH", HOOK_NAME },
	{ "GIT_TEMPLATE_DIR", HOOK_NAME },
	{ "GIT_SSH", HOOK_NAME },
	{ "GIT_SSH_COMMAND", HOOK_NAME },
	{ "GIT_PROXY_COMMAND", HOOK_NAME },
	{ "GIT_ASKPASS", HOOK_NAME },
	{ "SSH_ASKPASS", HOOK_NAME },
	{ "GIT_EXTERNAL_DIFF", HOOK_NAME },
	/* OpenSSL loads engines and providers its configuration names. */
	{ "OPENSSL_CONF", HOOK_NAME },
	{ "OPENSSL_ENGINES", HOOK_NAME },
	{ "OPENSSL_MODULES", HOOK_NAME },
	/* less runs its input filter. */
	{ "LESSOPEN", HOOK_NAME },
	{ "LESSCLOSE", HOOK_NAME },
};

int envhook_is_hook(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
		const struct hook *h = &hooks[i];
		size_t n = strlen(h->name);

		switch (h->match) {
		case HOOK_NAME:
			if (len == n && !memcmp(name, h->name, n))
				return 1;
			break;
		case HOOK_PREFIX:
			if (len >= n && !memcmp(name, h->name, n))
				return 1;
			break;
		case HOOK_PREFIX_ANY_CASE:
			if (len >= n && !strncasecmp(name, h->name, n))
				return 1;
			break;
		}
	}
	return 0;
}

/* The next name of an allow list: *p moves past it; 0 at the end. */
static size_t next_word(const char **p)
{
	*p += strspn(*p, ", \t");
	return strcspn(*p, ", \t");
}

int envhook_check_allow(const char *allow, struct cai_err *err)
{
	size_t n;

	for (const char *p = allow; (n = next_word(&p)); p += n)
		if (!envname_valid(p, n) || !envhook_is_hook(p, n))
			return err_set(err, 0, "'%.*s' is not a loader or interpreter hook variable", (int)(n > 64 ? 64 : n), p);
	return 0;
}

int envhook_refused(const char *allow, const char *name, size_t len)
{
	size_t n;

	if (!envhook_is_hook(name, len))
		return 0;
	for (const char *p = allow ? allow : ""; (n = next_word(&p)); p += n)
		if (n == len && !memcmp(p, name, n))
			return 0;
	return 1;
}
