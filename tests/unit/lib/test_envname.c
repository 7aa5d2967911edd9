/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "envname.h"
#include "macro.h"
#include "unit.h"

TEST(envname_shell_names_only)
{
	static const char *const good[] = { "A", "_", "PATH", "a_b9", "_9", "ANTHROPIC_API_KEY" };
	static const char *const bad[] = { "", "9A", "A-B", "A.B", "A B", "A=B", "\xc3\xa9", "export A" };

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		CHECK_INT(envname_valid(good[i], strlen(good[i])), 1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_INT(envname_valid(bad[i], strlen(bad[i])), 0);
}

TEST(envname_reads_only_its_length)
{
	/* The NAME of "KEY=value": the '=' and what follows are not read. */
	CHECK_INT(envname_valid("KEY=value", 3), 1);
	CHECK_INT(envname_valid("KEY=value", 4), 0);
	CHECK_INT(envname_valid("K\0Y", 3), 0);
}
