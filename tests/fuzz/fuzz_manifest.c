/* SPDX-License-Identifier: MIT */
/* volume.ini parsing: any input either yields a manifest whose every path
 * beneath_open would accept, listed parents first without duplicates, each
 * hung in the tree under its parent, and links whose paths are as strict,
 * none beneath another, each targeting an entry - or an error naming the
 * file - without a crash, leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "manifest.h"
#include "path.h"

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

/* Entry i is in its parent's list of children (the root's when it has no
 * '/'). */
static int in_tree(const struct manifest *m, size_t i)
{
	const char *p = m->entries[i].path;
	const char *slash = strrchr(p, '/');
	size_t first = m->first_top;

	if (slash) {
		const struct manifest_entry *parent = manifest_find(m, p, (size_t)(slash - p));
		if (!parent)
			return 0;
		first = parent->first_child;
	}
	for (size_t c = first; c != MANIFEST_NONE; c = m->entries[c].next_sibling)
		if (c == i)
			return 1;
	return 0;
}

static int links_valid(const struct manifest *m)
{
	struct cai_err err = { 0 };

	for (size_t i = 0; i < m->nlinks; i++) {
		const struct manifest_link *l = &m->links[i];
		if (path_check_rel(l->path, &err) < 0 || !l->target ||
		    !manifest_find(m, l->target, strlen(l->target)))
			return 0;
		for (size_t j = 0; j < m->nlinks; j++) {
			size_t n = strlen(m->links[j].path);
			if (j != i && !strncmp(l->path, m->links[j].path, n) &&
			    (l->path[n] == '\0' || l->path[n] == '/'))
				return 0;
		}
	}
	return 1;
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
		if (path_check_rel(m.entries[i].path, &err) < 0 || !parent_before(&m, i) ||
		    !in_tree(&m, i))
			__builtin_trap();
		if (m.entries[i].mode & ~0777u)
			__builtin_trap();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m.entries[i].path, m.entries[j].path))
				__builtin_trap();
	}
	if (m.nlinks < 2000 && !links_valid(&m))
		__builtin_trap();
	manifest_free(&m);
	return 0;
}
