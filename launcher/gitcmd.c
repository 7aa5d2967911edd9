/* SPDX-License-Identifier: MIT */
#include "gitcmd.h"

#include "macro.h"

void gitcmd_argv(struct argv *a, const char *dir)
{
	static const char *const words[] = {
		"git", "--no-pager", "--no-optional-locks",
		"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		argv_push(a, words[i]);
	if (dir) {
		argv_push(a, "-C");
		argv_push(a, dir);
	}
}
