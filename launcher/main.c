/* SPDX-License-Identifier: MIT */
/* containai: the host launcher (wiring only).
 * Put /dev/null on closed stdio, keep program lookups out of the current
 * directory, parse the command line, open the session (workspace, config,
 * pinned engine, isolation detection), then hand over to doctor or
 * sandbox_run. */
#include <stdio.h>

#include "cli.h"
#include "doctor.h"
#include "fd.h"
#include "log.h"
#include "proc_run.h"
#include "sandbox_run.h"
#include "session.h"

/* doctor, run or stop on an opened session: -1 with err set and *code
 * the exit status when it fails. */
static int command(const struct cli *o, int *code, struct cai_err *err)
{
	static struct session s;

	*code = EXIT_USAGE;
	if (session_open(&s, o, o->cmd != CMD_DOCTOR, err) < 0)
		return -1;
	switch (o->cmd) {
	case CMD_DOCTOR:
		if ((o->json ? doctor_print_json : doctor_print_text)(&s, stdout, err) < 0)
			return -1;
		*code = s.det.mode != MODE_NONE ? 0 : EXIT_REFUSED;
		return 0;
	case CMD_RUN:
		if (sandbox_run(&s, o, code, err) < 0)
			return -1;
		break;
	case CMD_STOP:
		if (sandbox_stop(&s, o, code, err) < 0)
			return -1;
		break;
	case CMD_LOGS:
		if (sandbox_logs(&s, o, code, err) < 0)
			return -1;
		break;
	default:
		break;
	}
	*code = 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct cai_err err = { 0 };
	struct cli o;
	int code;

	log_init("containai");
	if (fd_ensure_stdio(&err) < 0 || proc_path_absolute_only(&err) < 0) {
		log_error_err(&err);
		return EXIT_FAILED;
	}
	if (cli_parse(argc, argv, &o, &err) < 0) {
		log_error_err(&err);
		fputs(cli_usage, stderr);
		cli_free(&o);
		return EXIT_USAGE;
	}
	if (o.cmd == CMD_HELP) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (o.cmd == CMD_VERSION) {
		puts("containai " CAI_VERSION);
		return 0;
	}
	if (command(&o, &code, &err) < 0) {
		log_error_err(&err);
		if (o.cmd == CMD_RUN && code == EXIT_REFUSED)
			log_error("run `containai doctor` to see why");
	}
	cli_free(&o);
	return code;
}
