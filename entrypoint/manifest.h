/* SPDX-License-Identifier: MIT */
/* manifest: volume.ini, the layout of the agent's data volume and the
 * links that make it reachable from the agent's home.
 *
 * Owns: parsing `[dir PATH]` (mode, default 0755) and `[file PATH]` (mode,
 * default 0644; init, written only into a missing or empty file) into an
 * ordered list where every parent comes before what it holds, and into the
 * tree the volume step walks (each directory's entries in file order).
 * A parent that no section names is added implicitly, just before its
 * first child, as a directory created with mode 0755 (an existing one keeps
 * its mode); naming it later is refused, so the file order is the
 * creation order.
 * Also `[link PATH]` (target, required): PATH relative to the agent's home
 * becomes a symlink to TARGET in the volume, which must be an entry of
 * this manifest.
 * Refuses, as "FILE:LINE: message": absolute paths, "." and "..", empty
 * components, surrounding blanks or control characters in a path, a
 * duplicate entry or link, an entry beneath a file, a link beneath another
 * link (it would be made inside the volume), a link without a target or
 * whose target the manifest does not name, bad or special-bit modes,
 * `init` on a directory, unknown sections and keys, a key set twice.
 */
#ifndef CAI_MANIFEST_H
#define CAI_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define MANIFEST_DIR_MODE  0755
#define MANIFEST_FILE_MODE 0644
#define MANIFEST_NONE ((size_t)-1)

enum manifest_type { MANIFEST_DIR, MANIFEST_FILE };

struct manifest_entry {
	char *path;             /* relative to the volume root */
	enum manifest_type type;
	mode_t mode;
	char *init;             /* NULL: nothing to write */
	unsigned line;          /* where it was declared (its child's line if implicit) */
	int implicit;           /* a parent no section named */
	/* The tree, in file order: a directory's first entry, the next entry
	 * of the same directory (MANIFEST_NONE: none). */
	size_t first_child, next_sibling, last_child;
};

struct manifest_link {
	char *path;             /* relative to the agent's home */
	char *target;           /* relative to the volume root: an entry */
	unsigned line;
};

/* Paths by hash, open addressing: slot = index + 1, 0 = empty. */
struct manifest_index {
	size_t *slot;
	size_t cap;
};

struct manifest {
	struct manifest_entry *entries;
	size_t count, cap;
	size_t first_top, last_top;     /* the volume root's own entries */
	struct manifest_link *links;
	size_t nlinks, links_cap;
	struct manifest_index index;    /* entries by path */
	struct manifest_index link_index;
};

/* Parse from memory; `name` labels error messages.  On failure *m is
 * emptied. */
int manifest_parse_buf(struct manifest *m, const char *buf, size_t len, const char *name,
		       struct cai_err *err);

/* Parse the file at `path` (no symlink at its last component, regular). */
int manifest_load(struct manifest *m, const char *path, struct cai_err *err);

/* The entry whose path is the first n bytes of s, or NULL. */
const struct manifest_entry *manifest_find(const struct manifest *m, const char *s, size_t n);

void manifest_free(struct manifest *m);

#endif
