/* lcli: the command line of the containai launcher.
 *
 * Owns: parsing `containai doctor|run|stop|version` and their options
 * (both `--opt VALUE` and `--opt=VALUE`).  Everything after `--` is the
 * command for the sandbox, never an option of ours.
 * Refuses: unknown options, options of another subcommand, a missing
 * value, --env values that are not KEY=VALUE with a valid KEY.
 */
#ifndef CAI_LCLI_H
#define CAI_LCLI_H

#include <stddef.h>

#include "err.h"

enum lcmd { LCMD_HELP = 0, LCMD_DOCTOR, LCMD_RUN, LCMD_STOP, LCMD_VERSION };

struct lcli {
	enum lcmd cmd;
	int json;                                 /* doctor --json */
	int force, dry_run, detach, restart;
	const char *workspace, *image, *name, *data_volume, *context;
	const char **env;                         /* KEY=VAL words, nenv of them */
	size_t nenv;
	int allow_creds, ack_creds, allow_sock, ack_sock;
	char **command;                           /* after "--", ncommand words */
	size_t ncommand;
};

int lcli_parse(int argc, char **argv, struct lcli *o, struct cai_err *err);
void lcli_free(struct lcli *o);

extern const char lcli_usage[];

#endif
