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

/* The entry named by the first n bytes of s, or NULL. */
static struct manifest_entry *manifest_find(const struct manifest *m, const char *s, size_t n)
{
	if (!m->index_cap)
		return NULL;
	for (size_t i = path_hash(s, n) & (m->index_cap - 1);; i = (i + 1) & (m->index_cap - 1)) {
		size_t slot = m->index[i];
		if (!slot)
			return NULL;
		struct manifest_entry *e = &m->entries[slot - 1];
		if (!strncmp(e->path, s, n) && !e->path[n])
			return e;
	}
}

static void index_put(struct manifest *m, size_t entry)
{
	const char *p = m->entries[entry].path;
	size_t i = path_hash(p, strlen(p)) & (m->index_cap - 1);

	while (m->index[i])
		i = (i + 1) & (m->index_cap - 1);
	m->index[i] = entry + 1;
}

/* Room for one more entry, keeping the index at most half full so probes
 * stay short and a 10,000-entry manifest parses in linear time. */
static int manifest_grow(struct manifest *m, struct cai_err *err)
{
	if (m->count == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct manifest_entry *ne = realloc(m->entries, ncap * sizeof(*ne));
		if (!ne)
			return err_set(err, ENOMEM, "manifest");
		m->entries = ne;
		m->cap = ncap;
	}
	if ((m->count + 1) * 2 > m->index_cap) {
		size_t ncap = m->index_cap ? m->index_cap * 2 : 128;
		size_t *ni = calloc(ncap, sizeof(*ni));
		if (!ni)
			return err_set(err, ENOMEM, "manifest");
		free(m->index);
		m->index = ni;
		m->index_cap = ncap;
		for (size_t i = 0; i < m->count; i++)
			index_put(m, i);
	}
	return 0;
}

static int manifest_append(struct manifest *m, const char *path, size_t n, enum manifest_type type,
			   unsigned line, int implicit, struct cai_err *err)
{
	if (manifest_grow(m, err) < 0)
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
	};
	index_put(m, m->count);
	m->count++;
	return 0;
}

static int manifest_add(struct manifest *m, const char *path, enum manifest_type type,
			unsigned line, struct cai_err *err)
{
	const struct manifest_entry *old = manifest_find(m, path, strlen(path));

	if (old && old->implicit)
		return err_set(err, 0, "'%s' comes after line %u, which needs it as a parent directory",
			       path, old->line);
	if (old)
		return err_set(err, 0, "duplicate entry '%s' (first at line %u)", path, old->line);
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		const struct manifest_entry *parent = manifest_find(m, path, n);
		if (parent && parent->type == MANIFEST_FILE)
			return err_set(err, 0, "'%s' is beneath the file '%s' (line %u)", path,
				       parent->path, parent->line);
		if (!parent && manifest_append(m, path, n, MANIFEST_DIR, line, 1, err) < 0)
			return -1;
	}
	return manifest_append(m, path, strlen(path), type, line, 0, err);
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
	enum manifest_type type;
	const char *path;

	if (!strncmp(section, "dir ", 4)) {
		type = MANIFEST_DIR;
		path = section + 4;
	} else if (!strncmp(section, "file ", 5)) {
		type = MANIFEST_FILE;
		path = section + 5;
	} else {
		return err_set(err, 0, "unknown section [%s] (expected [dir PATH] or [file PATH])", section);
	}
	mc->keys_seen = 0;
	mc->section[0] = '\0';
	if (check_path_text(path, err) < 0)
		return err_prefix(err, "[%s]", section);
	if (manifest_add(mc->m, path, type, line, err) < 0)
		return -1;
	snprintf(mc->section, sizeof(mc->section), "%s", section);
	return 0;
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
	e->init = strdup(value);
	if (!e->init)
		return err_set(err, ENOMEM, "manifest");
	return 0;
}

static const struct inifile_ops manifest_ops = {
	.on_section = manifest_on_section,
	.on_key = manifest_on_key,
};

int manifest_parse_buf(struct manifest *m, const char *buf, size_t len, const char *name,
		       struct cai_err *err)
{
	struct manifest_ctx mc = { .m = m };

	memset(m, 0, sizeof(*m));
	if (inifile_parse_buf(buf, len, name, &manifest_ops, &mc, err) < 0) {
		manifest_free(m);
		return -1;
	}
	return 0;
}

int manifest_load(struct manifest *m, const char *path, struct cai_err *err)
{
	struct manifest_ctx mc = { .m = m };

	memset(m, 0, sizeof(*m));
	if (inifile_parse_path(path, &manifest_ops, &mc, err) < 0) {
		manifest_free(m);
		return -1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->count; i++) {
		free(m->entries[i].path);
		free(m->entries[i].init);
	}
	free(m->entries);
	free(m->index);
	memset(m, 0, sizeof(*m));
}
