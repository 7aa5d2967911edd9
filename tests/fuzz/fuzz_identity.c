/* SPDX-License-Identifier: MIT */
/* libFuzzer: the image's /etc/passwd and /etc/group readers.  Besides
 * memory errors it checks their promises: a found entry has a name and a
 * home within bounds, and the group list starts with the primary group and
 * never overflows its fixed array. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct identity id;
	struct cai_err err = { 0 };
	const char *buf = (const char *)data;

	log_set_level(LOG_LVL_ERROR);
	/* The same bytes serve as passwd (looked up by name and by uid) and as
	 * group: a line that is valid in one is often odd in the other. */
	memset(&id, 0, sizeof(id));
	int found = identity_parse_passwd(buf, size, "passwd", "agent", 0, &id, &err);
	if (found == 1 && (strnlen(id.name, sizeof(id.name)) == sizeof(id.name) ||
			   strnlen(id.home, sizeof(id.home)) == sizeof(id.home)))
		abort();
	memset(&id, 0, sizeof(id));
	found = identity_parse_passwd(buf, size, "passwd", NULL, 1000, &id, &err);
	if (found == 1 && id.uid != 1000)
		abort();
	if (found < 0)
		return 0;
	if (identity_parse_group(buf, size, "group", &id, &err) == 0) {
		if (id.ngroups == 0 || id.ngroups > IDENTITY_MAX_GROUPS || id.groups[0] != id.gid)
			abort();
	}
	return 0;
}
