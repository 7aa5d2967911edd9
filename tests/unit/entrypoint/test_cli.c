/* SPDX-License-Identifier: MIT */
#include "cli.h"
#include "unit.h"

#define ARGV(...) ((char *[]){ "containai-init", __VA_ARGS__, NULL })

static int parse(char **argv, struct cli_opts *o, struct cai_err *e)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return cli_parse(argc, argv, o, e);
}

TEST(stops_at_first_non_option)
{
	char **a = ARGV("-g", "ls", "-v", "--grace", "--check");
	struct cli_opts o;
	struct cai_err e = { 0 };
	CHECK_INT(parse(a, &o, &e), 0);
	CHECK_INT(o.group, 1);
	CHECK_INT(o.verbosity, 0);
	CHECK_INT(o.action, CLI_RUN);
	CHECK_STR(o.argv[0], "ls");
	CHECK_STR(o.argv[1], "-v");
	CHECK_STR(o.argv[3], "--check");
}

TEST(double_dash_ends_options)
{
	char **a = ARGV("-c", "/x.ini", "--", "-g");
	struct cli_opts o;
	struct cai_err e = { 0 };
	CHECK_INT(parse(a, &o, &e), 0);
	CHECK_STR(o.config, "/x.ini");
	CHECK_INT(o.group, 0);
	CHECK_STR(o.argv[0], "-g");
}

TEST(grace_forms)
{
	char **a = ARGV("--grace", "7", "true");
	char **b = ARGV("--grace=9", "true");
	struct cli_opts o;
	struct cai_err e = { 0 };
	CHECK_INT(parse(a, &o, &e), 0);
	CHECK_INT(o.grace, 7);
	CHECK_INT(parse(b, &o, &e), 0);
	CHECK_INT(o.grace, 9);
	CHECK_INT(o.grace_set, 1);
}

TEST(refusals)
{
	struct cli_opts o;
	struct cai_err e = { 0 };
	char **unknown = ARGV("-x", "true");
	char **nocmd = ARGV("-g");
	char **noarg = ARGV("-c");
	char **badgrace = ARGV("--grace", "soon", "true");
	char **neggrace = ARGV("--grace=-1", "true");
	char **octgrace = ARGV("--grace", "010", "true");
	char **twoactions = ARGV("--check", "--version");
	char **extra = ARGV("--check", "true");

	CHECK_INT(parse(unknown, &o, &e), -1);
	CHECK_CONTAINS(e.msg, "unknown option '-x'");
	CHECK_INT(parse(nocmd, &o, &e), -1);
	CHECK_CONTAINS(e.msg, "no command");
	CHECK_INT(parse(noarg, &o, &e), -1);
	CHECK_CONTAINS(e.msg, "needs an argument");
	CHECK_INT(parse(badgrace, &o, &e), -1);
	CHECK_CONTAINS(e.msg, "--grace");
	CHECK_INT(parse(neggrace, &o, &e), -1);
	CHECK_INT(parse(octgrace, &o, &e), -1);
	CHECK_CONTAINS(e.msg, "--grace: '010': a leading 0 is ambiguous");
	CHECK_INT(parse(twoactions, &o, &e), -1);
	CHECK_INT(parse(extra, &o, &e), -1);
}

TEST(actions_without_command)
{
	struct cli_opts o;
	struct cai_err e = { 0 };
	char **check = ARGV("--check", "-c", "/etc/x.ini");
	char **help = ARGV("--help");
	CHECK_INT(parse(check, &o, &e), 0);
	CHECK_INT(o.action, CLI_CHECK);
	CHECK_INT(parse(help, &o, &e), 0);
	CHECK_INT(o.action, CLI_HELP);
}

/* --sandbox runs no command; --join needs one and stops at it like the
 * start does. */
TEST(sandbox_and_join_modes)
{
	struct cli_opts o;
	struct cai_err e = { 0 };
	char **sandbox = ARGV("-c", "/x.ini", "--sandbox");
	char **join = ARGV("--join", "--wait=30", "--", "sh", "--wait", "1");
	char **join_wait = ARGV("--wait", "5", "--join", "true");

	CHECK_INT(parse(sandbox, &o, &e), 0);
	CHECK_INT(o.action, CLI_SANDBOX);
	CHECK(o.argv == NULL);
	CHECK_INT(parse(join, &o, &e), 0);
	CHECK_INT(o.action, CLI_JOIN);
	CHECK_INT(o.wait, 30);
	CHECK_STR(o.argv[0], "sh");
	CHECK_STR(o.argv[1], "--wait");
	CHECK_INT(parse(join_wait, &o, &e), 0);
	CHECK_INT(o.wait, 5);
	CHECK_STR(o.argv[0], "true");
	char **import = ARGV("-c", "/x.ini", "--import=/run/list");
	CHECK_INT(parse(import, &o, &e), 0);
	CHECK_INT(o.action, CLI_IMPORT);
	CHECK_STR(o.import, "/run/list");
}

TEST(sandbox_and_join_refusals)
{
	const struct {
		char **argv;
		const char *why;
	} cases[] = {
		{ ARGV("--sandbox", "sh"), "runs no command" },
		{ ARGV("--join"), "no command" },
		{ ARGV("--join", "--sandbox", "true"), "cannot be combined" },
		{ ARGV("--wait", "3", "true"), "--wait goes only with --join" },
		{ ARGV("--wait", "3", "--sandbox"), "--wait goes only with --join" },
		{ ARGV("--join", "--wait"), "--wait needs an argument" },
		{ ARGV("--join", "--wait", "4000", "true"), "--wait" },
		{ ARGV("--join", "-g", "true"), "do not go with --join" },
		{ ARGV("--join", "--grace=1", "true"), "do not go with --join" },
		{ ARGV("--import"), "--import needs a file" },
		{ ARGV("--import", "/l", "true"), "unexpected argument 'true'" },
		{ ARGV("--import", "/l", "--sandbox"), "cannot be combined" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_opts o;
		struct cai_err e = { 0 };
		if (parse(cases[i].argv, &o, &e) != -1 || !strstr(e.msg, cases[i].why))
			unit_fail(__FILE__, __LINE__, "case %zu: \"%s\"", i, e.msg);
	}
}
