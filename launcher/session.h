/* SPDX-License-Identifier: MIT */
/* session: what every launcher command establishes first.
 *
 * Owns: the order of start-up - the workspace (resolved once), the config
 * layered flag > environment > file > default, the one pinned engine, the
 * isolation detection, and the resource limits resolved against what the
 * engine has.  Commands work from this snapshot and never
 * re-resolve any of it.
 * Refuses: a bad config (FILE:LINE), a bad flag value, an unresolvable
 * docker context.
 */
#ifndef CAI_SESSION_H
#define CAI_SESSION_H

#include <limits.h>

#include "detect.h"
#include "docker.h"
#include "err.h"
#include "cli.h"
#include "settings.h"

struct session {
	char workspace[PATH_MAX];    /* "" when none could be resolved (doctor) */
	struct settings cfg;
	struct docker docker;
	struct detect_result det;
};

/* need_workspace: the commands on one sandbox need one (refused when it
 * cannot be resolved); doctor and ls only use it to pick a config
 * section. */
int session_open(struct session *s, const struct cli *o, int need_workspace, struct cai_err *err);

#endif
