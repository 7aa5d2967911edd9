/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "manifest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beneath.h"
#include "path.h"
#include "inifile.h"

struct manifest_ctx {
	struct manifest *m;
	unsigned keys_seen;     /* bit 0 mode, bit 1 init: of the current section */
	int is_link;            /* the current section is a [link PATH] */
	/* The header the current entry came from: keys are only taken under
	 * it, never under a header inih saw and on_section did not. */
	char section[INIFILE_MAX_LINE + 1];
};

static uint64_t path_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* What slot i of an index names: an entry's path or a link's. */
static const char *index_key(const struct manifest *m, const struct manifest_index *ix, size_t i)
{
	return ix == &m->index ? m->entries[i].path : m->links[i].path;
}

/* The index of the path s[0..n) in ix, or MANIFEST_NONE. */
static size_t index_find(const struct manifest *m, const struct manifest_index *ix, const char *s,
			 size_t n)
{
	if (!ix->cap)
		return MANIFEST_NONE;
	for (size_t i = path_hash(s, n) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		size_t slot = ix->slot[i];
		if (!slot)
			return MANIFEST_NONE;
		const char *key = index_key(m, ix, slot - 1);
		if (!strncmp(key, s, n) && !key[n])
			return slot - 1;
	}
}

static void index_put(const struct manifest *m, struct manifest_index *ix, size_t item)
{
	const char *p = index_key(m, ix, item);
	size_t i = path_hash(p, strlen(p)) & (ix->cap - 1);

	while (ix->slot[i])
		i = (i + 1) & (ix->cap - 1);
	ix->slot[i] = item + 1;
}

/* Room for item number `count` in ix, keeping it at most half full so
 * probes stay short and a 10,000-entry manifest parses in linear time. */
static int index_grow(struct manifest *m, struct manifest_index *ix, size_t count, struct cai_err *err)
{
	if ((count + 1) * 2 <= ix->cap)
		return 0;
	size_t ncap = ix->cap ? ix->cap * 2 : 128;
	size_t *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return err_set(err, ENOMEM, "manifest");
	free(ix->slot);
	ix->slot = ns;
	ix->cap = ncap;
	for (size_t i = 0; i < count; i++)
		index_put(m, ix, i);
	return 0;
}

const struct manifest_entry *manifest_find(const struct manifest *m, const char *s, size_t n)
{
	size_t i = index_find(m, &m->index, s, n);

	return i == MANIFEST_NONE ? NULL : &m->entries[i];
}

/* Room for one more of `size`-byte items in *v (count used, *cap held). */
static int grow_array(void **v, size_t count, size_t *cap, size_t size, struct cai_err *err)
{
	if (count < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, ncap * size);
	if (!nv)
		return err_set(err, ENOMEM, "manifest");
	*v = nv;
	*cap = ncap;
	return 0;
}

/* Hang entry i under the directory `parent` (MANIFEST_NONE: the root). */
static void tree_add(struct manifest *m, size_t i, size_t parent)
{
	size_t *first = parent == MANIFEST_NONE ? &m->first_top : &m->entries[parent].first_child;
	size_t *last = parent == MANIFEST_NONE ? &m->last_top : &m->entries[parent].last_child;

	if (*first == MANIFEST_NONE)
		*first = i;
	else
		m->entries[*last].next_sibling = i;
	*last = i;
}

/* Append path[0..n) beneath the directory entry `parent`; its index is
 * m->count - 1 after. */
static int manifest_append(struct manifest *m, const char *path, size_t n, enum manifest_type type,
			   unsigned line, int implicit, size_t parent, struct cai_err *err)
{
	if (grow_array((void **)&m->entries, m->count, &m->cap, sizeof(*m->entries), err) < 0 ||
	    index_grow(m, &m->index, m->count, err) < 0)
		return -1;
	char *copy = strndup(path, n);
	if (!copy)
		return err_set(err, ENOMEM, "manifest");
	m->entries[m->count] = (struct manifest_entry){
		.path = copy,
		.type = type,
		.mode = type == MANIFEST_DIR ? MANIFEST_DIR_MODE : MANIFEST_FILE_MODE,
		.line = line,
		.implicit = implicit,
		.first_child = MANIFEST_NONE,
		.next_sibling = MANIFEST_NONE,
		.last_child = MANIFEST_NONE,
	};
	index_put(m, &m->index, m->count);
	tree_add(m, m->count, parent);
	m->count++;
	return 0;
}

/* The parent `parent` (an entry index) of path[0..n) may not be a file. */
static int parent_is_dir(const struct manifest *m, const char *path, size_t parent, struct cai_err *err)
{
	const struct manifest_entry *e = &m->entries[parent];

	if (e->type == MANIFEST_FILE)
		return err_set(err, 0, "'%s' is beneath the file '%s' (line %u)", path, e->path, e->line);
	return 0;
}

/* Every directory above path (up to its last '/') that no entry names
 * yet, added implicitly from the top; *parent: the one holding path. */
static int add_parents(struct manifest *m, const char *path, unsigned line, size_t *parent,
		       struct cai_err *err)
{
	size_t up = MANIFEST_NONE;

	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		size_t i = index_find(m, &m->index, path, n);
		if (i != MANIFEST_NONE && parent_is_dir(m, path, i, err) < 0)
			return -1;
		if (i == MANIFEST_NONE) {
			if (manifest_append(m, path, n, MANIFEST_DIR, line, 1, up, err) < 0)
				return -1;
			i = m->count - 1;
		}
		up = i;
	}
	*parent = up;
	return 0;
}

static int manifest_add(struct manifest *m, const char *path, enum manifest_type type,
			unsigned line, struct cai_err *err)
{
	const struct manifest_entry *old = manifest_find(m, path, strlen(path));
	const char *last = strrchr(path, '/');
	size_t parent = MANIFEST_NONE;

	if (old && old->implicit)
		return err_set(err, 0, "'%s' comes after line %u, which needs it as a parent directory",
			       path, old->line);
	if (old)
		return err_set(err, 0, "duplicate entry '%s' (first at line %u)", path, old->line);
	/* A parent already there came with every directory above it. */
	if (last)
		parent = index_find(m, &m->index, path, (size_t)(last - path));
	if (parent != MANIFEST_NONE) {
		if (parent_is_dir(m, path, parent, err) < 0)
			return -1;
	} else if (last && add_parents(m, path, line, &parent, err) < 0) {
		return -1;
	}
	return manifest_append(m, path, strlen(path), type, line, 0, parent, err);
}

static int link_add(struct manifest *m, const char *path, unsigned line, struct cai_err *err)
{
	size_t old = index_find(m, &m->link_index, path, strlen(path));

	if (old != MANIFEST_NONE)
		return err_set(err, 0, "duplicate link '%s' (first at line %u)", path, m->links[old].line);
	if (grow_array((void **)&m->links, m->nlinks, &m->links_cap, sizeof(*m->links), err) < 0 ||
	    index_grow(m, &m->link_index, m->nlinks, err) < 0)
		return -1;
	char *copy = strdup(path);
	if (!copy)
		return err_set(err, ENOMEM, "manifest");
	m->links[m->nlinks] = (struct manifest_link){ .path = copy, .line = line };
	index_put(m, &m->link_index, m->nlinks);
	m->nlinks++;
	return 0;
}

/* What only the whole file can tell about the links: each has a target
 * the manifest names, and none lies beneath another (it would be made
 * through that one's symlink, inside the volume). */
static int links_finish(const struct manifest *m, const char *name, struct cai_err *err)
{
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct manifest_link *l = &m->links[i];
		if (!l->target)
			return err_set(err, 0, "%s:%u: [link %s] has no target", name, l->line, l->path);
		if (!manifest_find(m, l->target, strlen(l->target)))
			return err_set(err, 0, "%s:%u: [link %s] target '%s' is not an entry of the manifest",
				       name, l->line, l->path, l->target);
		for (const char *slash = strchr(l->path, '/'); slash; slash = strchr(slash + 1, '/')) {
			size_t above = index_find(m, &m->link_index, l->path, (size_t)(slash - l->path));
			if (above != MANIFEST_NONE)
				return err_set(err, 0, "%s:%u: [link %s] is beneath the link '%s' (line %u)",
					       name, l->line, l->path, m->links[above].path, m->links[above].line);
		}
	}
	return 0;
}

static int check_path_text(const char *path, struct cai_err *err)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return err_set(err, 0, "control character in path");
	if (n && (path[0] == ' ' || path[0] == '\t' || path[n - 1] == ' ' || path[n - 1] == '\t'))
		return err_set(err, 0, "'%s': blank at the start or end of the path", path);
	return path_check_rel(path, err);
}

static int manifest_on_section(void *ctx, const char *section, unsigned line, struct cai_err *err)
{
	struct manifest_ctx *mc = ctx;
	enum manifest_type type = MANIFEST_DIR;
	const char *path;

	mc->keys_seen = 0;
	mc->section[0] = '\0';
	mc->is_link = !strncmp(section, "link ", 5);
	if (mc->is_link) {
		path = section + 5;
	} else if (!strncmp(section, "dir ", 4)) {
		path = section + 4;
	} else if (!strncmp(section, "file ", 5)) {
		type = MANIFEST_FILE;
		path = section + 5;
	} else {
		return err_set(err, 0, "unknown section [%s] (expected [dir PATH], [file PATH] or [link PATH])",
			       section);
	}
	if (check_path_text(path, err) < 0)
		return err_prefix(err, "[%s]", section);
	if ((mc->is_link ? link_add(mc->m, path, line, err) : manifest_add(mc->m, path, type, line, err)) < 0)
		return -1;
	/* inifile hands over at most INIFILE_MAX_LINE bytes. */
	size_t n = strnlen(section, sizeof(mc->section) - 1);
	memcpy(mc->section, section, n);
	mc->section[n] = '\0';
	return 0;
}

static int set_string(char **dst, const char *value, struct cai_err *err)
{
	*dst = strdup(value);
	return *dst ? 0 : err_set(err, ENOMEM, "manifest");
}

static int link_on_key(struct manifest_ctx *mc, const char *section, const char *key, const char *value,
		       struct cai_err *err)
{
	struct manifest_link *l = &mc->m->links[mc->m->nlinks - 1];

	if (strcmp(key, "target"))
		return err_set(err, 0, "unknown key '%s' in [%s]", key, section);
	if (l->target)
		return err_set(err, 0, "[%s] target is set twice", section);
	if (check_path_text(value, err) < 0)
		return err_prefix(err, "[%s] target", section);
	return set_string(&l->target, value, err);
}

static int manifest_on_key(void *ctx, const char *section, const char *key, const char *value,
			   unsigned line, struct cai_err *err)
{
	struct manifest_ctx *mc = ctx;
	unsigned bit;
	(void)line;

	/* inih hands keys a section name cut to its own buffer (50 bytes in
	 * Debian's build): a prefix of the header on_section saw. */
	if (!mc->section[0] || !section[0] || strncmp(section, mc->section, strlen(section)))
		return err_set(err, 0, "key '%s' under a malformed section header", key);
	if (mc->is_link)
		return link_on_key(mc, mc->section, key, value, err);
	struct manifest_entry *e = &mc->m->entries[mc->m->count - 1];
	if (!strcmp(key, "mode"))
		bit = 1;
	else if (!strcmp(key, "init") && e->type == MANIFEST_FILE)
		bit = 2;
	else
		return err_set(err, 0, "unknown key '%s' in [%s]", key, section);
	if (mc->keys_seen & bit)
		return err_set(err, 0, "[%s] %s is set twice", section, key);
	mc->keys_seen |= bit;
	if (bit == 1) {
		unsigned mode;
		if (inifile_mode(value, &mode, err) < 0)
			return err_prefix(err, "[%s] mode", section);
		e->mode = mode;
		return 0;
	}
	if (!value[0])
		return 0;
	return set_string(&e->init, value, err);
}

static const struct inifile_ops manifest_ops = {
	.on_section = manifest_on_section,
	.on_key = manifest_on_key,
};

static void manifest_start(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->first_top = m->last_top = MANIFEST_NONE;
}

/* After inih: the checks of the whole file, or *m emptied. */
static int manifest_finish(struct manifest *m, int parsed, const char *name, struct cai_err *err)
{
	if (parsed == 0 && links_finish(m, name, err) == 0)
		return 0;
	manifest_free(m);
	return -1;
}

int manifest_parse_buf(struct manifest *m, const char *buf, size_t len, const char *name,
		       struct cai_err *err)
{
	struct manifest_ctx mc = { .m = m };

	manifest_start(m);
	return manifest_finish(m, inifile_parse_buf(buf, len, name, &manifest_ops, &mc, err), name, err);
}

int manifest_load(struct manifest *m, const char *path, struct cai_err *err)
{
	struct manifest_ctx mc = { .m = m };

	manifest_start(m);
	return manifest_finish(m, inifile_parse_path(path, &manifest_ops, &mc, err), path, err);
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->count; i++) {
		free(m->entries[i].path);
		free(m->entries[i].init);
	}
	for (size_t i = 0; i < m->nlinks; i++) {
		free(m->links[i].path);
		free(m->links[i].target);
	}
	free(m->entries);
	free(m->links);
	free(m->index.slot);
	free(m->link_index.slot);
	manifest_start(m);
}
