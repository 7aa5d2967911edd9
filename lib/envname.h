/* SPDX-License-Identifier: MIT */
/* envname: what an environment variable's name may be.
 *
 * Owns: the one rule both programs apply, to names in the data volume's
 * .env file and to the launcher's --env KEY=VALUE: ^[A-Za-z_][A-Za-z0-9_]*$
 * (what a POSIX shell accepts as a name, so a variable set here can be read
 * by the agent's scripts).
 * Refuses: the empty name, a leading digit, and any other byte.
 */
#ifndef CAI_ENVNAME_H
#define CAI_ENVNAME_H

#include <stddef.h>

/* 1 when name[0..len) is a valid name, 0 otherwise. */
int envname_valid(const char *name, size_t len);

#endif
