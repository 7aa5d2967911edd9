/* SPDX-License-Identifier: MIT */
/* completion: `containai completion bash|zsh|fish`.
 *
 * Owns: the shell completion scripts - every command and each command's
 * options, as cli.c's tables list them - printed for the shell to load
 * (`source <(containai completion bash)`).  The scripts only offer words;
 * they run nothing (no docker call to list names).
 * Refuses: a shell other than bash, zsh or fish.
 */
#ifndef CAI_COMPLETION_H
#define CAI_COMPLETION_H

#include <stdio.h>

#include "err.h"

int completion_print(const char *shell, FILE *out, struct cai_err *err);

#endif
