/* SPDX-License-Identifier: MIT */
/* session: what every launcher command establishes first.
 *
 * Owns: the order of start-up - the workspace (resolved once and held
 * open), PATH filtered by pathtrust before any program runs, the config
 * layered flag > environment > file > default, the one pinned engine, the
 * isolation detection, the resource limits resolved against what the
 * engine has, and the host user's ids where the mode needs them.  Commands work from this snapshot and never
 * re-resolve any of it.
 * Refuses: a bad config (FILE:LINE), a bad flag value.  An engine that
 * cannot be resolved is detection's to report, not a refusal here.
 */
#ifndef CAI_SESSION_H
#define CAI_SESSION_H

#include <limits.h>

#include "detect.h"
#include "pathtrust.h"
#include "docker.h"
#include "err.h"
#include "cli.h"
#include "settings.h"

struct session {
	char workspace[PATH_MAX];    /* "" when none could be resolved (doctor) */
	int workspace_fd;            /* the checked directory, held (O_PATH); -1 when none */
	char workspace_id[64];       /* its "MAJOR:MINOR:INODE" */
	char passwd_home[PATH_MAX];  /* the passwd entry's home, "" when none */
	char config_path[PATH_MAX];  /* the config file consulted (it may not exist), "" when none */
	struct pathtrust_report path_skipped; /* PATH entries no program is taken from */
	struct settings cfg;
	struct docker docker;
	struct detect_result det;
	/* "UID:GID" of whoever runs containai where the engine maps no ids
	 * (modes none and gvisor: gVisor's files are the host's ids as they
	 * are): the agent's account is moved to it (SANDBOX_HOST_USER_ENV), so
	 * its files in the workspace are that user's on the host; "" in the
	 * modes that map ids themselves (Sysbox, ECI, sbx). */
	char host_user[32];
};

/* need_workspace: the commands on one sandbox need one (refused when it
 * cannot be resolved); doctor and ls only use it to pick a config
 * section.  On failure *code says what failed: EXIT_USAGE (the command
 * line, the config, the workspace) or EXIT_FAILED (the launcher could not
 * run a probe). */
int session_open(struct session *s, const struct cli *o, int need_workspace, int *code,
		 struct cai_err *err);

/* The workspace path still leads to the directory held since the check,
 * and that directory is still at the path: -1 with err set when not. */
int session_workspace_unchanged(const struct session *s, struct cai_err *err);

/* Keep the held directory open across the exec of the last command
 * (docker keeps it until it exits): its inode cannot be reused meanwhile. */
int session_hold_workspace(const struct session *s, struct cai_err *err);

#endif
