/* SPDX-License-Identifier: MIT */
/* cli: the command line of the containai launcher.
 *
 * Owns: parsing `containai doctor|run|stop|logs|version` and their options
 * (both `--opt VALUE` and `--opt=VALUE`).  Everything after `--` is the
 * command for the sandbox, never an option of ours.
 * Refuses: unknown options, options of another subcommand, a missing
 * value, --env values that are not KEY=VALUE with a valid KEY.
 */
#ifndef CAI_LAUNCHER_CLI_H
#define CAI_LAUNCHER_CLI_H

#include <stddef.h>

#include "err.h"

/* Exit statuses of the launcher (containai(1), EXIT STATUS). */
#define EXIT_REFUSED 1      /* no usable isolation, or a gate said no */
#define EXIT_USAGE 2        /* bad command line or config */
#define EXIT_FAILED 3       /* an engine call failed */

enum cli_cmd { CMD_HELP = 0, CMD_DOCTOR, CMD_RUN, CMD_STOP, CMD_VERSION, CMD_LOGS };

struct cli {
	enum cli_cmd cmd;
	int json;                                 /* doctor --json */
	int force, dry_run, detach, restart;
	const char *workspace, *image, *name, *data_volume, *context;
	const char **env;                         /* KEY=VAL words, nenv of them */
	size_t nenv;
	const char *egress;                       /* --egress MODE */
	const char **egress_allow;                /* --egress-allow words, negress_allow of them */
	size_t negress_allow;
	int egress_log, follow;                   /* logs --egress, logs --follow */
	int allow_creds, ack_creds, allow_sock, ack_sock;
	char **command;                           /* after "--", ncommand words */
	size_t ncommand;
};

int cli_parse(int argc, char **argv, struct cli *o, struct cai_err *err);
void cli_free(struct cli *o);

extern const char cli_usage[];

#endif
