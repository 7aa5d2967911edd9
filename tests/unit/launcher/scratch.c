/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "scratch.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

int scratch_make(struct scratch *s, const char *name)
{
	snprintf(s->path, sizeof(s->path), "/tmp/cai-unit-%s.XXXXXX", name);
	s->fd = -1;
	if (!mkdtemp(s->path)) {
		s->path[0] = '\0';
		unit_fail(__FILE__, __LINE__, "mkdtemp");
		return -1;
	}
	s->fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

void scratch_release(struct scratch *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->path[0] && nftw(s->path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "cannot remove %s\n", s->path);
}
