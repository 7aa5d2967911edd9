/* SPDX-License-Identifier: MIT */
/* cli: the command line of the containai launcher.
 *
 * Owns: parsing `containai COMMAND [OPTIONS]` for doctor, run, stop, ls,
 * shell, exec, logs, rm, import, completion, setup gvisor and version (options as
 * `--opt VALUE` or `--opt=VALUE`; logs also takes -f), which options each
 * command takes, and the words that are not ours: everything after `--`
 * (run, exec), from exec's first word that is not an option, and the
 * shell name of completion.
 * Refuses: unknown options, options of another command, a missing value,
 * --env values that are not KEY=VALUE with a valid KEY and a value on one
 * line, a command where none is taken, exec without one, a setup target
 * other than gvisor, --runtime-arg words that are not one printable
 * `--option[=value]`.
 */
#ifndef CAI_LAUNCHER_CLI_H
#define CAI_LAUNCHER_CLI_H

#include <stddef.h>

#include "err.h"

/* Exit statuses of the launcher (containai(1), EXIT STATUS). */
#define EXIT_REFUSED 1      /* no usable isolation, or a gate said no */
#define EXIT_USAGE 2        /* bad command line or config */
#define EXIT_FAILED 3       /* an engine call failed */

enum cli_cmd {
	CMD_HELP = 0, CMD_DOCTOR, CMD_RUN, CMD_STOP, CMD_VERSION, CMD_LS, CMD_SHELL, CMD_EXEC,
	CMD_LOGS, CMD_RM, CMD_IMPORT, CMD_COMPLETION, CMD_SETUP,
};

/* A repeatable option's values, in order. */
struct cli_list {
	const char **v;
	size_t n;
};

struct cli {
	enum cli_cmd cmd;
	int json;                                 /* doctor, ls */
	int force, dry_run, detach, restart;
	const char *workspace, *image, *name, *data_volume, *context;
	const char *prefer;                       /* the mode to choose first when usable */
	const char *memory, *cpus, *pids_limit;   /* run: resource limits as given */
	struct cli_list env;                      /* KEY=VAL words */
	struct cli_list publish;                  /* run: port specs as given */
	const char *egress;                       /* run: --egress MODE */
	struct cli_list egress_allow;             /* run: --egress-allow domain rules as given */
	int follow;                               /* logs -f */
	int egress_log;                           /* logs --egress: the proxy's decisions */
	const char *tail;                         /* logs --tail N */
	int volume, yes;                          /* rm */
	int with_credentials;                     /* import */
	const char *shell;                        /* completion: bash, zsh or fish */
	int allow_creds, ack_creds, allow_sock, ack_sock;
	char **command;                           /* run after "--", exec: ncommand words */
	size_t ncommand;
	/* setup gvisor */
	const char *setup_target;                 /* "gvisor" */
	const char *daemon_json, *runsc;
	struct cli_list runtime_args;             /* --runtime-arg words */
};

int cli_parse(int argc, char **argv, struct cli *o, struct cai_err *err);
void cli_free(struct cli *o);

/* The command's name as typed ("run", "ls", ...). */
const char *cli_cmd_name(enum cli_cmd c);

/* The options command c takes, space-separated, into out (for the
 * completion scripts: one list, the parser's). */
void cli_cmd_options(enum cli_cmd c, char *out, size_t outsz);

#define CLI_NCMDS (CMD_SETUP + 1)

extern const char cli_usage[];

#endif
