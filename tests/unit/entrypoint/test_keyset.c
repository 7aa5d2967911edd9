/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "keyset.h"
#include "unit.h"

TEST(keyset_names_by_pointer_and_length)
{
	struct keyset s = { 0 };
	struct cai_err err = { 0 };
	const char *env = "PATH=/bin";

	CHECK_INT(keyset_has(&s, "PATH", 4), 0);
	/* The NAME of an entry, not the entry: only `len` bytes count. */
	CHECK_INT(keyset_add(&s, env, 4, &err), 1);
	CHECK_INT(keyset_has(&s, "PATH", 4), 1);
	CHECK_INT(keyset_has(&s, "PAT", 3), 0);
	CHECK_INT(keyset_has(&s, "PATHX", 5), 0);
	CHECK_INT(keyset_add(&s, "PATH", 4, &err), 0);
	CHECK_INT(s.count, 1);
	keyset_free(&s);
	CHECK_INT(keyset_has(&s, "PATH", 4), 0);
}

TEST(keyset_keeps_every_name_as_it_grows)
{
	static char names[5000][16];
	struct keyset s = { 0 };
	struct cai_err err = { 0 };

	for (int i = 0; i < 5000; i++) {
		snprintf(names[i], sizeof(names[i]), "V%d", i);
		CHECK_INT(keyset_add(&s, names[i], strlen(names[i]), &err), 1);
	}
	CHECK_INT(s.count, 5000);
	/* At most half full, so every probe ends at an empty slot. */
	CHECK(s.cap >= 2 * s.count);
	for (int i = 0; i < 5000; i++)
		CHECK_INT(keyset_has(&s, names[i], strlen(names[i])), 1);
	CHECK_INT(keyset_has(&s, "V5000", 5), 0);
	keyset_free(&s);
}
