/* SPDX-License-Identifier: MIT */
#include "path.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	/* "/" ends in the '/' that would otherwise have to follow it. */
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

int path_check_rel(const char *rel, struct cai_err *err)
{
	size_t len = strlen(rel);

	if (len == 0)
		return err_set(err, EINVAL, "empty path");
	if (len >= PATH_MAX)
		return err_set(err, ENAMETOOLONG, "%.40s...", rel);
	if (rel[0] == '/')
		return err_set(err, 0, "%s: absolute path (must be relative)", rel);
	for (const char *p = rel;; p++) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return err_set(err, 0, "%s: empty path component", rel);
		if (n > NAME_MAX)
			return err_set(err, ENAMETOOLONG, "%s", rel);
		if (p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.')))
			return err_set(err, 0, "%s: '%.*s' component not allowed", rel, (int)n, p);
		p += n;
		if (!*p)
			return 0;
	}
}
