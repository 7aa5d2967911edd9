/* SPDX-License-Identifier: MIT */
/* session: what every launcher command establishes first.
 *
 * Owns: the order of start-up - the workspace (resolved once), PATH
 * filtered by pathtrust before any program runs, the config
 * layered flag > environment > file > default, the one pinned engine, and
 * the isolation detection.  Commands work from this snapshot and never
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
	char passwd_home[PATH_MAX];  /* the passwd entry's home, "" when none */
	char config_path[PATH_MAX];  /* the config file consulted (it may not exist), "" when none */
	struct pathtrust_report path_skipped; /* PATH entries no program is taken from */
	struct settings cfg;
	struct docker docker;
	struct detect_result det;
};

/* need_workspace: run and stop need one (refused when it cannot be
 * resolved); doctor only uses it to pick a config section.  On failure
 * *code says what failed: EXIT_USAGE (the command line, the config, the
 * workspace) or EXIT_FAILED (the launcher could not run a probe). */
int session_open(struct session *s, const struct cli *o, int need_workspace, int *code,
		 struct cai_err *err);

#endif
