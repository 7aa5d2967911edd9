/* SPDX-License-Identifier: MIT */
/* libFuzzer: the .env parser and the environment merge.  Besides memory
 * errors it checks what the module promises: every variable is
 * "NAME=value" with a valid NAME, no newline and no NUL, never a hook
 * variable; names are unique; a report's key is printable and bounded. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "envbuild.h"
#include "envhook.h"
#include "log.h"

static void check_report(void *ctx, unsigned line, enum dotenv_problem p, const char *key)
{
	(void)ctx;
	if (line == 0 || p > DOTENV_HOOK)
		abort();
	if (key) {
		if (strlen(key) > DOTENV_KEY_SHOWN * 4 + 3)
			abort();
		for (const char *k = key; *k; k++)
			if ((unsigned char)*k < 0x20 || (unsigned char)*k >= 0x7f)
				abort();
	}
}

static int name_ok(const char *v)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v || (v[0] >= '0' && v[0] <= '9'))
		return 0;
	for (const char *c = v; c < eq; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };

	log_set_level(LOG_LVL_ERROR);
	if (dotenv_parse((const char *)data, size, NULL, &d, check_report, NULL, &err) < 0)
		return 0;
	for (size_t i = 0; i < d.n; i++) {
		const char *v = d.vars[i];
		if (!name_ok(v) || strchr(v, '\n') || !memmem(data, size, v, strlen(v)))
			abort();
		size_t klen = (size_t)(strchr(v, '=') - v);
		if (envhook_is_hook(v, klen))
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strncmp(d.vars[j], v, klen + 1))
				abort();
	}
	if (d.n && d.vars[d.n])
		abort();
	char *base[] = { "PATH=/bin", "HOME=/home/agent", NULL };
	char **env = envbuild_merge(base, &d, &err);
	if (env) {
		char *argv[] = { "sh", NULL };
		envbuild_check_limits(argv, env, 1 << 21, &err);
		free(env);
	}
	dotenv_free(&d);
	return 0;
}
