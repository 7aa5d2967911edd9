/* containai: the host launcher (wiring only).
 * Put /dev/null on closed stdio, keep program lookups out of the current
 * directory, parse the command line, open the session (workspace, config,
 * pinned engine, isolation detection), then hand over to doctor or
 * sandbox_run. */
#include <stdio.h>

#include "doctor.h"
#include "fd.h"
#include "lcli.h"
#include "log.h"
#include "proc_run.h"
#include "sandbox_run.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct cai_err err = { 0 };
	struct lcli o;
	static struct session s;
	int code = EXIT_USAGE;

	log_init("containai");
	if (fd_ensure_stdio(&err) < 0 || proc_path_absolute_only(&err) < 0) {
		log_error_err(&err);
		return EXIT_FAILED;
	}
	if (lcli_parse(argc, argv, &o, &err) < 0) {
		log_error_err(&err);
		fputs(lcli_usage, stderr);
		lcli_free(&o);
		return EXIT_USAGE;
	}
	if (o.cmd == LCMD_HELP) {
		fputs(lcli_usage, stdout);
		return 0;
	}
	if (o.cmd == LCMD_VERSION) {
		puts("containai " CAI_VERSION);
		return 0;
	}
	if (session_open(&s, &o, o.cmd != LCMD_DOCTOR, &err) < 0)
		goto fail;
	switch (o.cmd) {
	case LCMD_DOCTOR:
		if ((o.json ? doctor_print_json : doctor_print_text)(&s, stdout, &err) < 0)
			goto fail;
		code = s.det.mode != MODE_NONE ? 0 : EXIT_REFUSED;
		break;
	case LCMD_RUN:
		if (sandbox_run(&s, &o, &code, &err) < 0)
			goto fail;
		code = 0;
		break;
	case LCMD_STOP:
		if (sandbox_stop(&s, &o, &code, &err) < 0)
			goto fail;
		code = 0;
		break;
	default:
		break;
	}
	lcli_free(&o);
	return code;
fail:
	log_error_err(&err);
	if (o.cmd == LCMD_RUN && code == EXIT_REFUSED)
		log_error("run `containai doctor` to see why");
	lcli_free(&o);
	return code;
}
