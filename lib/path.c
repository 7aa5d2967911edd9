/* SPDX-License-Identifier: MIT */
#include "path.h"

#include <string.h>

int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	/* "/" ends in the '/' that would otherwise have to follow it. */
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}
