/* SPDX-License-Identifier: MIT */
#include "sandbox_rm.h"
#include "unit.h"

#define SELF "1fa8b4bead47926b1acfad08048316e44d1c753924a0f4a3f44526388a22a923"
#define OTHER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The sandbox's own container does not count; any other does, named. */
TEST(rm_counts_the_volume_s_other_users)
{
	char out[128];

	CHECK_INT(sandbox_rm_other_users("", SELF, out, sizeof(out)), 0);
	CHECK_INT(sandbox_rm_other_users(SELF " mine\n", SELF, out, sizeof(out)), 0);
	CHECK_INT(sandbox_rm_other_users(SELF " mine\n" OTHER " theirs\n" OTHER "x two\n", SELF, out,
					 sizeof(out)), 2);
	CHECK_STR(out, "theirs, two");
	/* A prefix of our id is another container. */
	CHECK_INT(sandbox_rm_other_users("1fa8b4bead47 short\n", SELF, out, sizeof(out)), 1);
	CHECK_INT(sandbox_rm_other_users(OTHER " \x1b[31mred\n", SELF, out, sizeof(out)), 1);
	CHECK(!strchr(out, '\x1b'));
}
