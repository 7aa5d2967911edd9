/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "envbuild.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

static size_t envbuild_name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

char **envbuild_merge(char *const *base, const struct dotenv *file, struct cai_err *err)
{
	struct keyset names = { 0 };
	size_t nbase = 0, n = 0;
	char **env;

	while (base && base[nbase])
		nbase++;
	env = calloc(nbase + file->n + 1, sizeof(*env));
	if (!env)
		return err_set(err, ENOMEM, "environment"), NULL;
	for (size_t i = 0; i < nbase; i++) {
		if (keyset_add(&names, base[i], envbuild_name_len(base[i]), err) < 0)
			goto fail;
		env[n++] = base[i];
	}
	for (size_t i = 0; i < file->n; i++) {
		const char *v = file->vars[i];
		if (!keyset_has(&names, v, envbuild_name_len(v)))
			env[n++] = file->vars[i];
	}
	env[n] = NULL;
	keyset_free(&names);
	return env;
fail:
	keyset_free(&names);
	free(env);
	return NULL;
}

/* The name of an entry, cut short for a message. */
static int envbuild_shown_len(const char *entry)
{
	size_t n = envbuild_name_len(entry);
	return n > 64 ? 64 : (int)n;
}

static int envbuild_sum(char *const *v, int is_env, size_t *total, size_t *count,
			struct cai_err *err)
{
	for (size_t i = 0; v && v[i]; i++) {
		size_t len = strlen(v[i]) + 1;
		if (len > ENVBUILD_MAX_STRLEN) {
			if (!is_env)
				return err_set(err, E2BIG, "argument %zu is %zu bytes, over the kernel's limit of %d per string",
					       i, len, ENVBUILD_MAX_STRLEN);
			return err_set(err, E2BIG, "variable %.*s is %zu bytes, over the kernel's limit of %d per string",
				       envbuild_shown_len(v[i]), v[i], len, ENVBUILD_MAX_STRLEN);
		}
		*total += len + sizeof(char *);
		(*count)++;
	}
	return 0;
}

int envbuild_check_limits(char *const *argv, char *const *envp, long arg_max,
			  struct cai_err *err)
{
	size_t total = 0, nargs = 0, nvars = 0;

	if (envbuild_sum(argv, 0, &total, &nargs, err) < 0 ||
	    envbuild_sum(envp, 1, &total, &nvars, err) < 0)
		return -1;
	/* Each array's NULL terminator is on the stack too. */
	total += 2 * sizeof(char *);
	if (arg_max <= ENVBUILD_RESERVE || total > (size_t)(arg_max - ENVBUILD_RESERVE))
		return err_set(err, E2BIG, "%zu arguments and %zu variables take %zu bytes, over the execve limit of %ld bytes",
			       nargs, nvars, total, arg_max - ENVBUILD_RESERVE);
	return 0;
}
