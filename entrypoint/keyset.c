/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "keyset.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t keyset_hash(const char *name, size_t len)
{
	/* FNV-1a.  The names come from a file the agent controls; a crafted
	 * collision flood can only slow down the agent's own start, and the
	 * file size limit bounds even that. */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct keyset_slot *keyset_find(const struct keyset_slot *slots, size_t cap,
				       const char *name, size_t len)
{
	size_t i = (size_t)keyset_hash(name, len) & (cap - 1);

	for (;;) {
		const struct keyset_slot *s = &slots[i];
		if (!s->name || (s->len == len && !memcmp(s->name, name, len)))
			return (struct keyset_slot *)s;
		i = (i + 1) & (cap - 1);
	}
}

static int keyset_grow(struct keyset *s, struct cai_err *err)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	struct keyset_slot *n = calloc(ncap, sizeof(*n));

	if (!n)
		return err_set(err, ENOMEM, "name set");
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].name)
			*keyset_find(n, ncap, s->slots[i].name, s->slots[i].len) = s->slots[i];
	free(s->slots);
	s->slots = n;
	s->cap = ncap;
	return 0;
}

int keyset_add(struct keyset *s, const char *name, size_t len, struct cai_err *err)
{
	/* At most half full, so every probe sequence ends at an empty slot. */
	if ((s->count + 1) * 2 > s->cap && keyset_grow(s, err) < 0)
		return -1;
	struct keyset_slot *slot = keyset_find(s->slots, s->cap, name, len);
	if (slot->name)
		return 0;
	slot->name = name;
	slot->len = len;
	s->count++;
	return 1;
}

int keyset_has(const struct keyset *s, const char *name, size_t len)
{
	return s->cap && keyset_find(s->slots, s->cap, name, len)->name != NULL;
}

void keyset_free(struct keyset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
