/* SPDX-License-Identifier: MIT */
/* decimal: what a decimal number is, in every file and command line both
 * programs read (config values, --grace, /etc/passwd ids, seccomp policy
 * values, mountinfo fields).
 *
 * Owns: the one rule ^(0|[1-9][0-9]*)$, up to the caller's maximum.
 * A leading 0 is refused, not read as decimal: C, the kernel's headers and
 * the octal modes written beside these numbers (mode = 0755) all make
 * "010" mean eight, so whoever wrote it may have meant eight.
 * Refuses: the empty string, a sign, blanks, any other byte, a leading 0,
 * and a value above the maximum (never wrapped or clamped).
 */
#ifndef CAI_DECIMAL_H
#define CAI_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* s[0..len) as a number of at most `max`; the message quotes the text. */
int decimal_parse(const char *s, size_t len, uint64_t max, uint64_t *out, struct cai_err *err);

#endif
