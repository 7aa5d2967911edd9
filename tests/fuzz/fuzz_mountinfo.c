/* SPDX-License-Identifier: MIT */
/* libFuzzer: the mountinfo parser and workspace discovery on what it
 * parsed, and the launcher's CONTAINAI_WORKSPACE value (the first line).
 * Checks: every entry has a root and an absolute mount point; the chosen
 * workspace is mirrored and never refused; the mount a path is on lies at
 * or above it, a mount beneath it strictly beneath; an accepted value
 * names an absolute path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mountinfo.h"
#include "path.h"
#include "workspace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };
	const struct mount_entry *refused;

	log_set_level(LOG_LVL_ERROR);
	char text[512];
	struct workspace_expect want;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	if (n < sizeof(text)) {
		memcpy(text, data, n);
		text[n] = '\0';
		if (workspace_expect_parse(text, &want, &err) == 0 && strlen(text) == n && text[0] &&
		    want.path[0] != '/')
			abort();
	}
	if (mountinfo_parse((const char *)data, size, "fuzz", &t, &err) < 0)
		return 0;
	for (size_t i = 0; i < t.n; i++)
		if (!t.v[i].root[0] || t.v[i].mount_point[0] != '/' || !t.v[i].fstype[0])
			abort();
	const struct mount_entry *e = workspace_find_mirrored(&t, "/home/agent/workspace", NULL, NULL, &refused);
	if (e && (!workspace_is_mirrored(e) || workspace_refusal(e->mount_point, "/home/agent/workspace")))
		abort();
	const struct mount_entry *on = mountinfo_mount_of(&t, "/mnt/agent-data");
	const struct mount_entry *in = mountinfo_first_beneath(&t, "/mnt/agent-data");
	if ((on && !path_within("/mnt/agent-data", on->mount_point)) ||
	    (in && (!path_within(in->mount_point, "/mnt/agent-data") ||
		    !strcmp(in->mount_point, "/mnt/agent-data"))))
		abort();
	mountinfo_free(&t);
	return 0;
}
