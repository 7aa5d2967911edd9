/* SPDX-License-Identifier: MIT */
/* containai: the host launcher (wiring only).
 * Put /dev/null on closed stdio, parse the command line, open the session
 * (workspace, the PATH programs may come from, config, pinned engine,
 * isolation detection), then hand over to the command's module: doctor,
 * sandbox_run (run, shell, exec, stop, logs), sandbox_ls, sandbox_rm,
 * import; completion and setup gvisor (setup_gvisor, which filters PATH
 * itself) need no session. */
#include <stdio.h>

#include "cli.h"
#include "completion.h"
#include "doctor.h"
#include "fd.h"
#include "import.h"
#include "log.h"
#include "sandbox_ls.h"
#include "sandbox_rm.h"
#include "sandbox_run.h"
#include "session.h"
#include "setup_gvisor.h"

/* A command on an opened session: -1 with err set and *code the exit
 * status when it fails. */
static int command(const struct cli *o, int *code, struct cai_err *err)
{
	static struct session s;
	int (*fn)(const struct session *, const struct cli *, int *, struct cai_err *) = NULL;

	if (session_open(&s, o, o->cmd != CMD_DOCTOR && o->cmd != CMD_LS && o->cmd != CMD_IMPORT, code,
			 err) < 0)
		return -1;
	switch (o->cmd) {
	case CMD_DOCTOR: {
		struct doctor_egress eg;
		int rc = doctor_egress_probe(&s, &eg, err) < 0 ? -1
			 : (o->json ? doctor_print_json : doctor_print_text)(&s, &eg, stdout, err);
		doctor_egress_release(&eg);
		if (rc < 0)
			return -1;
		*code = s.det.mode != MODE_NONE ? 0 : EXIT_REFUSED;
		return 0;
	}
	case CMD_RUN:
	case CMD_SHELL:
	case CMD_EXEC:
		fn = sandbox_run;
		break;
	case CMD_STOP:
		fn = sandbox_stop;
		break;
	case CMD_LOGS:
		fn = sandbox_logs;
		break;
	case CMD_LS:
		fn = sandbox_ls;
		break;
	case CMD_RM:
		fn = sandbox_rm;
		break;
	case CMD_IMPORT:
		fn = import_run;
		break;
	default:
		return err_set(err, 0, "%s: not a command on a sandbox", cli_cmd_name(o->cmd));
	}
	if (fn(&s, o, code, err) < 0)
		return -1;
	*code = 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct cai_err err = { 0 };
	struct cli o;
	int code;

	log_init("containai");
	if (fd_ensure_stdio(&err) < 0) {
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
	if (o.cmd == CMD_COMPLETION) {
		code = completion_print(o.shell, stdout, &err) < 0 ? EXIT_USAGE : 0;
		if (code)
			log_error_err(&err);
		cli_free(&o);
		return code;
	}
	if (o.cmd == CMD_SETUP) {
		if (setup_gvisor(&o, &code, &err) < 0)
			log_error_err(&err);
		else
			code = 0;
		cli_free(&o);
		return code;
	}
	if (command(&o, &code, &err) < 0) {
		log_error_err(&err);
		if ((o.cmd == CMD_RUN || o.cmd == CMD_SHELL || o.cmd == CMD_EXEC) &&
		    code == EXIT_REFUSED)
			log_error("run `containai doctor` to see why");
	}
	cli_free(&o);
	return code;
}
