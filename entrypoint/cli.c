/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <string.h>

#include "inifile.h"

const char cli_usage[] =
	"Usage: containai-init [-c FILE] [-g] [-v|-q] [--grace SECONDS] [--] COMMAND [ARG...]\n"
	"       containai-init [-c FILE] [-v|-q] [--grace SECONDS] --sandbox\n"
	"       containai-init [-c FILE] [-v|-q] --join [--wait SECONDS] [--] COMMAND [ARG...]\n"
	"       containai-init [-c FILE] --import LIST\n"
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
	"  --sandbox          prepare the sandbox, then keep it up for --join until stopped\n"
	"  --join             enter the running sandbox: harden COMMAND as the start does, exec it\n"
	"  --wait SECONDS     (--join) wait that long for the sandbox's preparation to complete\n"
	"  --import LIST      copy the files LIST names into the data volume (containai import)\n"
	"  --check            validate configuration, manifest and policy, then exit\n"
	"  --print-policy     print the compiled seccomp filter, then exit\n"
	"  --compile-policy   save the compiled seccomp filter as POLICY.bpf, then exit\n"
	"  --version          print the version, then exit\n"
	"  --help             print this help, then exit\n";

/* --grace and --wait: whole seconds, at most an hour. */
static int cli_seconds(const char *opt, const char *v, unsigned *out, struct cai_err *err)
{
	unsigned long n;

	if (inifile_uint(v, 3600, &n, err) < 0)
		return err_prefix(err, "%s", opt);
	*out = (unsigned)n;
	return 0;
}

/* `--NAME VALUE` or `--NAME=VALUE`: 1 with *v the value (NULL when it is
 * missing), 0 when a is another option. */
static int valued(const char *a, const char *name, int argc, char **argv, int *i, const char **v)
{
	size_t n = strlen(name);

	if (strncmp(a, name, n) || (a[n] && a[n] != '='))
		return 0;
	if (a[n] == '=')
		*v = a + n + 1;
	else
		*v = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
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
		const char *v;
		if (!strcmp(a, "-c")) {
			if (i + 1 >= argc)
				return err_set(err, 0, "option -c needs an argument");
			if (!argv[i + 1][0])
				return err_set(err, 0, "option -c needs a file name");
			o->config = argv[++i];
		} else if (valued(a, "--grace", argc, argv, &i, &v)) {
			if (!v || cli_seconds("--grace", v, &o->grace, err) < 0)
				return v ? -1 : err_set(err, 0, "option --grace needs an argument");
			o->grace_set = 1;
		} else if (valued(a, "--wait", argc, argv, &i, &v)) {
			if (!v || cli_seconds("--wait", v, &o->wait, err) < 0)
				return v ? -1 : err_set(err, 0, "option --wait needs an argument");
			o->wait_set = 1;
		} else if (valued(a, "--import", argc, argv, &i, &v)) {
			if (!v || !v[0])
				return err_set(err, 0, "option --import needs a file");
			if (cli_set_action(o, CLI_IMPORT, "--import", err) < 0)
				return -1;
			o->import = v;
		} else if (!strcmp(a, "--sandbox")) {
			if (cli_set_action(o, CLI_SANDBOX, a, err) < 0)
				return -1;
		} else if (!strcmp(a, "--join")) {
			if (cli_set_action(o, CLI_JOIN, a, err) < 0)
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
	int takes_command = o->action == CLI_RUN || o->action == CLI_JOIN;
	if (takes_command && !o->argv)
		return err_set(err, 0, "no command given (see --help)");
	if (!takes_command && o->argv)
		return err_set(err, 0, "unexpected argument '%s' after %s", argv[i],
			       o->action == CLI_SANDBOX ? "--sandbox (it runs no command: processes enter with --join)"
						       : "an action option");
	if (o->wait_set && o->action != CLI_JOIN)
		return err_set(err, 0, "--wait goes only with --join");
	if ((o->group || o->grace_set) && o->action == CLI_JOIN)
		return err_set(err, 0, "-g and --grace do not go with --join (it supervises nothing)");
	return 0;
}
