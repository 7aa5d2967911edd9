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
	CHECK_INT(o.env.n, 2);
	CHECK_STR(o.env.v[1], "B=two words");
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
		/* The host user's ids are run's own to give. */
		{ "containai", "run", "--env", "CONTAINAI_HOST_USER=0:0", NULL },
	};

	CHECK_INT(cli_parse(ARGC(ok), ok, &o, &err), 0);
	CHECK_INT(o.env.n, 2);
	cli_free(&o);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(cli_parse(4, bad[i], &o, &err), -1);
		CHECK_CONTAINS(err.msg, "--env needs KEY=VALUE");
		cli_free(&o);
	}
}

/* exec's command starts at its first word that is not an option, or after
 * "--"; what follows is never ours. */
TEST(cli_exec_command_words)
{
	char *a[] = { "containai", "exec", "--name", "n1", "ls", "-la", "--name", NULL };
	char *b[] = { "containai", "exec", "--force", "--", "--weird", NULL };
	char *none[] = { "containai", "exec", "--force", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(a), a, &o, &err), 0);
	CHECK_STR(o.name, "n1");
	CHECK_INT(o.ncommand, 3);
	CHECK_STR(o.command[0], "ls");
	CHECK_STR(o.command[2], "--name");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(b), b, &o, &err), 0);
	CHECK(o.force);
	CHECK_STR(o.command[0], "--weird");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(none), none, &o, &err), -1);
	CHECK_CONTAINS(err.msg, "exec needs a command");
	cli_free(&o);
}

TEST(cli_day_to_day_commands)
{
	char *logs[] = { "containai", "logs", "-f", "--tail", "5", NULL };
	char *rm[] = { "containai", "rm", "--workspace=/w", "--volume", "--yes", NULL };
	char *ls[] = { "containai", "ls", "--json", NULL };
	char *run[] = { "containai", "run", "--publish", "8080", "--publish=127.0.0.1:1:2", "--memory", "2g",
			"--cpus=1.5", "--pids-limit", "100", NULL };
	char *comp[] = { "containai", "completion", "zsh", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(logs), logs, &o, &err), 0);
	CHECK(o.follow);
	CHECK_STR(o.tail, "5");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(rm), rm, &o, &err), 0);
	CHECK(o.volume && o.yes);
	CHECK_STR(o.workspace, "/w");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(ls), ls, &o, &err), 0);
	CHECK_INT(o.cmd, CMD_LS);
	CHECK(o.json);
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(run), run, &o, &err), 0);
	CHECK_INT(o.publish.n, 2);
	CHECK_STR(o.publish.v[1], "127.0.0.1:1:2");
	CHECK_STR(o.memory, "2g");
	CHECK_STR(o.cpus, "1.5");
	CHECK_STR(o.pids_limit, "100");
	cli_free(&o);
	CHECK_INT(cli_parse(ARGC(comp), comp, &o, &err), 0);
	CHECK_STR(o.shell, "zsh");
	cli_free(&o);
}

/* An option of one command is unknown to the others. */
TEST(cli_options_belong_to_their_command)
{
	char *const bad[][5] = {
		{ "containai", "ls", "--name", "x", NULL },
		{ "containai", "logs", "--volume", NULL },
		{ "containai", "rm", "-f", NULL },
		{ "containai", "shell", "--publish", "1", NULL },
		{ "containai", "stop", "--env", "A=1", NULL },
		{ "containai", "shell", "bash", NULL },
		{ "containai", "completion", NULL },
		{ "containai", "logs", "--", "x", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cli o;
		struct cai_err err;
		int argc = 0;
		while (bad[i][argc])
			argc++;
		if (cli_parse(argc, (char **)bad[i], &o, &err) != -1)
			unit_fail(__FILE__, __LINE__, "case %zu parsed", i);
		cli_free(&o);
	}
}

TEST(cli_setup_gvisor)
{
	char *argv[] = { "containai", "setup", "gvisor", "--dry-run", "--daemon-json", "/tmp/d.json",
			 "--runsc=/opt/runsc", "--runtime-arg", "--network=host",
			 "--runtime-arg=--platform=ptrace", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(argv), argv, &o, &err), 0);
	CHECK_INT(o.cmd, CMD_SETUP);
	CHECK_STR(o.setup_target, "gvisor");
	CHECK(o.dry_run);
	CHECK_STR(o.daemon_json, "/tmp/d.json");
	CHECK_STR(o.runsc, "/opt/runsc");
	CHECK_INT(o.runtime_args.n, 2);
	CHECK_STR(o.runtime_args.v[0], "--network=host");
	CHECK_STR(o.runtime_args.v[1], "--platform=ptrace");
	cli_free(&o);

	char *b1[] = { "containai", "setup", NULL };
	char *b2[] = { "containai", "setup", "sysbox", NULL };
	char *b3[] = { "containai", "setup", "gvisor", "--runtime-arg", "network=host", NULL };
	char *b4[] = { "containai", "setup", "gvisor", "--runtime-arg", "--a b", NULL };
	char *b5[] = { "containai", "setup", "gvisor", "--runtime-arg", NULL };
	char *b6[] = { "containai", "setup", "gvisor", "--force", NULL };
	char *b7[] = { "containai", "setup", "gvisor", "--", "x", NULL };
	char *b8[] = { "containai", "run", "--daemon-json", "/x", NULL };
	char *b9[] = { "containai", "setup", "gvisor", "extra", NULL };
	char *b10[] = { "containai", "setup", "gvisor", "--prefer", "gvisor", NULL };
	char **bad[] = { b1, b2, b3, b4, b5, b6, b7, b8, b9, b10 };
	int badc[] = { ARGC(b1), ARGC(b2), ARGC(b3), ARGC(b4), ARGC(b5), ARGC(b6), ARGC(b7), ARGC(b8),
		       ARGC(b9), ARGC(b10) };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cli_parse(badc[i], bad[i], &o, &err) != -1)
			unit_fail(__FILE__, __LINE__, "case %zu accepted", i + 1);
		cli_free(&o);
	}
}

TEST(cli_prefer_is_for_every_command_that_detects)
{
	char *a1[] = { "containai", "doctor", "--prefer", "gvisor", NULL };
	char *a2[] = { "containai", "run", "--prefer=gvisor", "--", "true", NULL };
	char *a3[] = { "containai", "ls", "--prefer", "sysbox", NULL };
	struct cli o;
	struct cai_err err;

	CHECK_INT(cli_parse(ARGC(a1), a1, &o, &err), 0);
	CHECK_STR(o.prefer, "gvisor");
	CHECK_INT(cli_parse(ARGC(a2), a2, &o, &err), 0);
	CHECK_STR(o.prefer, "gvisor");
	CHECK_INT(cli_parse(ARGC(a3), a3, &o, &err), 0);
	CHECK_STR(o.prefer, "sysbox");
}
