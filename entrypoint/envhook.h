/* SPDX-License-Identifier: MIT */
/* envhook: the environment variables that make a program load or run code
 * the variable chooses - the dynamic loader's, shells' start-up files and
 * prompts, interpreters' options and module paths, git's configuration
 * and helper commands, OpenSSL's engines, less's input filter, PATH.  Set
 * from the data volume's .env, they let one session plant code that every
 * later session runs.
 *
 * Owns: the one list of them (names and name prefixes) and the allow list
 * of [env] allow_hooks.
 * Refuses: an allow list naming a variable that is not on the list - a
 * misspelt name would leave the hook refused without a word.
 */
#ifndef CAI_ENVHOOK_H
#define CAI_ENVHOOK_H

#include <stddef.h>

#include "err.h"

/* 1 when name[0..len) is on the list. */
int envhook_is_hook(const char *name, size_t len);

/* Check an allow list: names separated by commas or blanks, each a hook. */
int envhook_check_allow(const char *allow, struct cai_err *err);

/* 1 when name[0..len) is a hook that `allow` (NULL: none) does not name. */
int envhook_refused(const char *allow, const char *name, size_t len);

#endif
