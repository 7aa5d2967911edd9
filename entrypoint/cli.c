/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <string.h>

#include "inifile.h"

const char cli_usage[] =
	"Usage: containai-init [-c FILE] [-g] [-v|-q] [--grace SECONDS] [--] COMMAND [ARG...]\n"
	"       containai-init --check [-c FILE]\n"
	"       containai-init --print-policy [-c FILE]\n"
	"       containai-init --compile-policy [-c FILE]\n"
	"       containai-init --version | --help\n"
	"\n"
	"  -c FILE            configuration (default /etc/containai/init.ini when present)\n"
	"  -g                 forward signals to the command's process group\n"
	"  -v                 log debug messages\n"
	"  -q                 log errors only\n"
	"  --grace SECONDS    time leftover processes get between SIGTERM and SIGKILL\n"
	"  --check            validate configuration, manifest and policy, then exit\n"
	"  --print-policy     print the compiled seccomp filter, then exit\n"
	"  --compile-policy   save the compiled seccomp filter as POLICY.bpf, then exit\n"
	"  --version          print the version, then exit\n"
	"  --help             print this help, then exit\n";

static int cli_grace(const char *v, struct cli_opts *o, struct cai_err *err)
{
	unsigned long n;

	if (inifile_uint(v, 3600, &n, err) < 0)
		return err_prefix(err, "--grace");
	o->grace = (unsigned)n;
	o->grace_set = 1;
	return 0;
}

static int cli_set_action(struct cli_opts *o, enum cli_action a, const char *opt, struct cai_err *err)
{
	if (o->action != CLI_RUN && o->action != a)
		return err_set(err, 0, "%s cannot be combined with another action", opt);
	o->action = a;
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, struct cai_err *err)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-c") || !strcmp(a, "--grace")) {
			if (i + 1 >= argc)
				return err_set(err, 0, "option %s needs an argument", a);
			if (a[1] == 'c') {
				if (!argv[i + 1][0])
					return err_set(err, 0, "option -c needs a file name");
				o->config = argv[++i];
			} else if (cli_grace(argv[++i], o, err) < 0) {
				return -1;
			}
		} else if (!strncmp(a, "--grace=", 8)) {
			if (cli_grace(a + 8, o, err) < 0)
				return -1;
		} else if (!strcmp(a, "-g")) {
			o->group = 1;
		} else if (!strcmp(a, "-v")) {
			o->verbosity = 1;
		} else if (!strcmp(a, "-q")) {
			o->verbosity = -1;
		} else if (!strcmp(a, "--check")) {
			if (cli_set_action(o, CLI_CHECK, a, err) < 0)
				return -1;
		} else if (!strcmp(a, "--print-policy")) {
			if (cli_set_action(o, CLI_PRINT_POLICY, a, err) < 0)
				return -1;
		} else if (!strcmp(a, "--compile-policy")) {
			if (cli_set_action(o, CLI_COMPILE_POLICY, a, err) < 0)
				return -1;
		} else if (!strcmp(a, "--version")) {
			if (cli_set_action(o, CLI_VERSION, a, err) < 0)
				return -1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			if (cli_set_action(o, CLI_HELP, a, err) < 0)
				return -1;
		} else {
			return err_set(err, 0, "unknown option '%s' (see --help)", a);
		}
	}
	if (i < argc)
		o->argv = argv + i;
	if (o->action == CLI_RUN && !o->argv)
		return err_set(err, 0, "no command given (see --help)");
	if (o->action != CLI_RUN && o->argv)
		return err_set(err, 0, "unexpected argument '%s' after an action option", argv[i]);
	return 0;
}
