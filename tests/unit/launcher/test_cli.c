/* SPDX-License-Identifier: MIT */
#include "cli.h"
#include "macro.h"
#include "unit.h"

#define ARGC(a) ((int)ARRAY_SIZE(a) - 1)

TEST(cli_run_options_and_command)
{
	char *argv[] = { "containai", "run", "--force", "--image=img:1", "--name", "n1",
			 "--env", "A=1", "--env=B=two words", "--", "claude", "--name", "x", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(argv), argv, &o, &err), 0);
	CHECK_INT(o.cmd, CMD_RUN);
	CHECK(o.force);
	CHECK_STR(o.image, "img:1");
	CHECK_STR(o.name, "n1");
	CHECK_INT(o.nenv, 2);
	CHECK_STR(o.env[1], "B=two words");
	/* After "--" nothing is ours, not even --name. */
	CHECK_INT(o.ncommand, 3);
	CHECK_STR(o.command[1], "--name");
	cli_free(&o);
}

TEST(cli_refuses_what_is_not_for_the_command)
{
	struct cai_err err;
	struct cli o;
	char *a1[] = { "containai", "doctor", "--force", NULL };
	char *a2[] = { "containai", "stop", "--", "x", NULL };
	char *a3[] = { "containai", "run", "--env", "1X=2", NULL };
	char *a4[] = { "containai", "run", "--env", "NOEQUALS", NULL };
	char *a5[] = { "containai", "run", "--image", NULL };
	char *a6[] = { "containai", "run", "--force=yes", NULL };
	char *a7[] = { "containai", "run", "claude", NULL };
	char *a8[] = { "containai", "launch", NULL };
	char *a9[] = { "containai", "run", "--image=", NULL };

	CHECK_INT(cli_parse(ARGC(a1), a1, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a2), a2, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a3), a3, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a4), a4, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a5), a5, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "needs a value");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a6), a6, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a7), a7, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "after --");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a8), a8, &o, &err), -1);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(a9), a9, &o, &err), -1);
	cli_free(&o);
}

TEST(cli_unsafe_flags_are_separate)
{
	char *argv[] = { "containai", "run", "--allow-host-docker-socket",
			 "--i-understand-this-grants-root-access", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(argv), argv, &o, &err), 0);
	CHECK(o.allow_sock && o.ack_sock);
	CHECK(!o.allow_creds && !o.ack_creds);
	cli_free(&o);
}

/* --env KEY=VALUE: the one name rule (envname) and a value on one line,
 * since docker reads the values as lines of an env file. */
TEST(cli_env_words)
{
	struct cai_err err;
	struct cli o;
	char *ok[] = { "containai", "run", "--env", "_A1=", "--env", "b=x=y", NULL };
	char *bad[][5] = {
		{ "containai", "run", "--env", "A-B=1", NULL },
		{ "containai", "run", "--env", "=1", NULL },
		{ "containai", "run", "--env", "A=x\ny", NULL },
		{ "containai", "run", "--env", "A=x\r", NULL },
		{ "containai", "run", "--env", "\xc3\xa9=1", NULL },
	};

	CHECK_INT(cli_parse(ARGC(ok), ok, &o, &err), 0);
	CHECK_INT(o.nenv, 2);
	cli_free(&o);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(cli_parse(4, bad[i], &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--env needs KEY=VALUE");
		cli_free(&o);
	}
}

/* The host user's ids are run's to give: never a word of the command line. */
TEST(cli_env_cannot_set_the_host_user)
{
	struct cai_err err;
	struct cli o;
	char *argv[] = { "containai", "run", "--env", "CONTAINAI_HOST_USER=0:0", NULL };

	CHECK_INT(cli_parse(ARGC(argv), argv, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "--env: CONTAINAI_HOST_USER is set by containai run itself");
	cli_free(&o);
}
