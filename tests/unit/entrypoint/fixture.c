/* SPDX-License-Identifier: MIT */
#include "fixture.h"

#include <stdio.h>

#include "fd.h"
#include "log.h"

int fixture_mountinfo(const char *name, struct mount_table *t)
{
	char path[256];
	struct cai_err err = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "tests/fixtures/mountinfo/%s", name);
	if (fd_read_file(path, 1 << 20, &buf, &len, &err) < 0)
		return -1;
	log_set_level(LOG_LVL_ERROR);
	return mountinfo_parse(buf, len, name, t, &err);
}
