/* SPDX-License-Identifier: MIT */
/* volume.ini parsing: any input either yields a manifest whose every path
 * beneath_open would accept, listed parents first without duplicates, or
 * an error naming the file - without a crash, leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "beneath.h"
#include "path.h"
#include "manifest.h"

/* Entry i's parent directory is an earlier directory entry. */
static int parent_before(const struct manifest *m, size_t i)
{
	const char *p = m->entries[i].path;
	const char *slash = strrchr(p, '/');

	if (!slash)
		return 1;
	size_t n = (size_t)(slash - p);
	for (size_t j = 0; j < i; j++)
		if (!strncmp(m->entries[j].path, p, n) && !m->entries[j].path[n])
			return m->entries[j].type == MANIFEST_DIR;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct cai_err err = { 0 };

	if (manifest_parse_buf(&m, (const char *)data, size, "fuzz.ini", &err) < 0) {
		if (strncmp(err.msg, "fuzz.ini:", 9) != 0 || m.count != 0)
			__builtin_trap();
		return 0;
	}
	/* The checks are quadratic: keep them to inputs of a sane size. */
	for (size_t i = 0; i < m.count && m.count < 2000; i++) {
		if (path_check_rel(m.entries[i].path, &err) < 0 || !parent_before(&m, i))
			__builtin_trap();
		if (m.entries[i].mode & ~0777u)
			__builtin_trap();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m.entries[i].path, m.entries[j].path))
				__builtin_trap();
	}
	manifest_free(&m);
	return 0;
}
