/* SPDX-License-Identifier: MIT */
/* keyset: a set of environment variable names, for precedence and
 * duplicate checks in linear time.
 *
 * Owns: an open-addressing hash table of (pointer, length) names.  The
 * names are not copied: they must outlive the set.
 * Refuses: nothing; membership only.  Growth is bounded by memory, and a
 * failed allocation is reported, never ignored.
 */
#ifndef CAI_KEYSET_H
#define CAI_KEYSET_H

#include <stddef.h>

#include "err.h"

struct keyset_slot {
	const char *name;
	size_t len;
};

struct keyset {
	struct keyset_slot *slots;
	size_t cap;     /* a power of two, or 0 */
	size_t count;
};

/* Add name[0..len).  Returns 1 when it was new, 0 when already present,
 * -1 with err set when memory ran out. */
int keyset_add(struct keyset *s, const char *name, size_t len, struct cai_err *err);

/* 1 when name[0..len) is in the set. */
int keyset_has(const struct keyset *s, const char *name, size_t len);

void keyset_free(struct keyset *s);

#endif
