/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "doctor.h"
#include "cli.h"
#include "unit.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

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

/* The contract's doctor --json fields, with their types. */
TEST(doctor_json_has_the_contract_fields)
{
	static struct session s;
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	settings_defaults(&s.cfg);
	s.det.platform = PLATFORM_WSL;
	s.det.docker_cli = 1;
	s.det.docker_daemon = TRI_YES;
	s.det.sysbox_runtime = 1;
	s.det.sysbox_remap = TRI_UNKNOWN;
	s.det.mode = MODE_NONE;
	CHECK_INT(doctor_print_json(&s, f, &err), 0);
	fclose(f);
	json_error_t jerr;
	json_t *root = json_loads(buf, 0, &jerr);
	free(buf);
	CHECK(root);
	CHECK_STR(json_string_value(json_object_get(root, "platform")), "wsl");
	CHECK(json_is_true(json_object_get(json_object_get(root, "docker"), "cli")));
	CHECK(json_is_true(json_object_get(json_object_get(root, "docker"), "daemon")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "eci"), "status")),
		  "not_available");
	CHECK(json_is_true(json_object_get(json_object_get(root, "sysbox"), "available")));
	/* Unknown is not proven: the boolean is false. */
	CHECK(json_is_false(json_object_get(json_object_get(root, "sysbox"), "uid_remap")));
	CHECK(json_is_false(json_object_get(json_object_get(root, "sbx"), "available")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(root, "isolation"), "mode")), "none");
	CHECK(json_is_false(json_object_get(json_object_get(root, "isolation"), "available")));
	CHECK(json_is_string(json_object_get(root, "recommended_action")));
	json_decref(root);
}
