/* SPDX-License-Identifier: MIT */
/* cli: the command line of containai-init.
 *
 * Owns: option parsing.  Parsing stops at the first non-option (or after
 * "--"), so the command's own options are never taken as ours - the glibc
 * getopt permutation trap that tini and catatonit fell into.
 * The modes: a command (the init of `docker run IMAGE CMD`), --sandbox
 * (no command: prepare, then stay up for processes to join) and --join
 * (enter a running sandbox: the command is hardened and exec'd in this
 * process), besides the one-shot actions (--import LIST among them).
 * Refuses: unknown options, a missing option argument, a missing command
 * when one is needed, a command where none is taken, --wait outside
 * --join.
 */
#ifndef CAI_CLI_H
#define CAI_CLI_H

#include "err.h"

enum cli_action {
	CLI_RUN = 0, CLI_SANDBOX, CLI_JOIN, CLI_IMPORT, CLI_CHECK, CLI_PRINT_POLICY, CLI_COMPILE_POLICY,
	CLI_VERSION, CLI_HELP
};

struct cli_opts {
	enum cli_action action;
	const char *config;     /* -c FILE, NULL when not given */
	const char *import;     /* --import LIST */
	int group;              /* -g: signals go to the child's process group */
	int verbosity;          /* -1 with -q, 1 with -v, 0 otherwise */
	int grace_set, wait_set;
	unsigned grace;         /* --grace SECONDS */
	unsigned wait;          /* --join --wait SECONDS: for the sandbox's preparation */
	char **argv;            /* the command, NULL-terminated; NULL when none */
};

int cli_parse(int argc, char **argv, struct cli_opts *opts, struct cai_err *err);

/* The --help text. */
extern const char cli_usage[];

#endif
