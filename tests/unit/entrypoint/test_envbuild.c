/* SPDX-License-Identifier: MIT */
/* The command's environment: the init's own variables win over the .env
 * file's, and the result is checked against execve's limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "envbuild.h"
#include "unit.h"

TEST(envbuild_init_environment_wins)
{
	char *base[] = { "PATH=/bin", "KEY=from-docker", "EMPTY=", NULL };
	struct dotenv file = { 0 };
	struct cai_err err = { 0 };
	const char *src = "KEY=from-file\nEMPTY=filled\nNEW=1\nPATH=/evil\n";
	CHECK_INT(dotenv_parse(src, strlen(src), NULL, &file, NULL, NULL, &err), 0);
	char **env = envbuild_merge(base, &file, &err);
	CHECK(env != NULL);
	CHECK_STR(env[0], "PATH=/bin");
	CHECK_STR(env[1], "KEY=from-docker");
	CHECK_STR(env[2], "EMPTY=");
	CHECK_STR(env[3], "NEW=1");
	CHECK(env[4] == NULL);
	free(env);
	dotenv_free(&file);
}

/* A hook the file may not set never reaches the command; the same
 * variable set with `docker run -e` (the init's own environment) does. */
TEST(envbuild_hooks_only_from_the_init_environment)
{
	char *base[] = { "PATH=/bin", "NODE_OPTIONS=--from-docker", NULL };
	struct dotenv file = { 0 };
	struct cai_err err = { 0 };
	const char *src = "LD_PRELOAD=/v/x.so\nBASH_ENV=/v/rc\nNODE_OPTIONS=-r /v/x\nKEPT=1\n";
	CHECK_INT(dotenv_parse(src, strlen(src), NULL, &file, NULL, NULL, &err), 0);
	char **env = envbuild_merge(base, &file, &err);
	CHECK(env != NULL);
	CHECK_STR(env[0], "PATH=/bin");
	CHECK_STR(env[1], "NODE_OPTIONS=--from-docker");
	CHECK_STR(env[2], "KEPT=1");
	CHECK(env[3] == NULL);
	free(env);
	dotenv_free(&file);
}

TEST(envbuild_empty_base)
{
	struct dotenv file = { 0 };
	struct cai_err err = { 0 };
	char **env = envbuild_merge(NULL, &file, &err);
	CHECK(env != NULL);
	CHECK(env[0] == NULL);
	free(env);
}

TEST(envbuild_limits)
{
	struct cai_err err = { 0 };
	char *argv[] = { "sh", NULL };
	char *big = malloc(ENVBUILD_MAX_STRLEN + 1);
	CHECK(big != NULL);
	memset(big, 'x', ENVBUILD_MAX_STRLEN);
	memcpy(big, "HUGE=", 5);
	big[ENVBUILD_MAX_STRLEN] = '\0';        /* exactly one byte over with its NUL */
	char *env[] = { "A=1", big, NULL };
	CHECK_INT(envbuild_check_limits(argv, env, 1 << 21, &err), -1);
	CHECK_CONTAINS(err.msg, "variable HUGE is 131073 bytes");
	CHECK(!strstr(err.msg, "xxxx"));
	big[ENVBUILD_MAX_STRLEN - 1] = '\0';    /* exactly at the limit */
	err.msg[0] = '\0';
	CHECK_INT(envbuild_check_limits(argv, env, 1 << 21, &err), 0);
	/* The total, with a small ARG_MAX. */
	CHECK_INT(envbuild_check_limits(argv, env, 64 * 1024, &err), -1);
	CHECK_CONTAINS(err.msg, "over the execve limit");
	free(big);
}

TEST(envbuild_limit_counts_pointers)
{
	/* 1000 empty-valued names: the strings alone fit, with their pointers not. */
	static char names[1000][16];
	char *env[1001];
	char *argv[] = { "x", NULL };
	struct cai_err err = { 0 };
	for (int i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "V%03d=", i);
		env[i] = names[i];
	}
	env[1000] = NULL;
	long strings = 1000 * 6 + 2;
	CHECK_INT(envbuild_check_limits(argv, env, strings + ENVBUILD_RESERVE + 100, &err), -1);
	CHECK_INT(envbuild_check_limits(argv, env, strings + 1002 * 8 + 8 + ENVBUILD_RESERVE, &err), 0);
}
