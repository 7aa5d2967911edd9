/* SPDX-License-Identifier: MIT */
/* gitcmd: how the launcher calls git.
 *
 * Owns: the words in front of every git command the launcher runs.  git
 * runs on the host as the user, in a workspace the agent writes: the
 * repository's .git/config, and every file it includes, are the agent's.
 * The settings in them that make git run a program are overridden on the
 * command line, which wins over every file: core.fsmonitor (run whenever
 * the index is read), core.hooksPath (a directory of hooks: /dev/null
 * holds none), the pager (pager.<command>, core.pager: --no-pager); and
 * --no-optional-locks keeps a reading command from writing the index.
 * The commands themselves are chosen to run nothing else: rev-parse,
 * symbolic-ref and config read refs and config files only - no diff,
 * filter, merge driver, credential helper or ssh command.
 * Refuses: nothing; what git answers is the caller's to judge.
 */
#ifndef CAI_GITCMD_H
#define CAI_GITCMD_H

#include "argv.h"

/* Pushes "git", the overrides and, when dir is not NULL, "-C dir". */
void gitcmd_argv(struct argv *a, const char *dir);

#endif
