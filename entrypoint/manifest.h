/* SPDX-License-Identifier: MIT */
/* manifest: volume.ini, the layout of the agent's data volume.
 *
 * Owns: parsing `[dir PATH]` (mode, default 0755) and `[file PATH]` (mode,
 * default 0644; init, written only into a missing or empty file) into an
 * ordered list where every parent comes before what it holds.
 * A parent that no section names is added implicitly, just before its
 * first child, as a directory created with mode 0755 (an existing one keeps
 * its mode); naming it later is refused, so the file order is the
 * creation order.
 * Refuses, as "FILE:LINE: message": absolute paths, "." and "..", empty
 * components, surrounding blanks or control characters in a path, a
 * duplicate entry, an entry beneath a file, bad or special-bit modes,
 * `init` on a directory, unknown sections and keys, a key set twice.
 */
#ifndef CAI_MANIFEST_H
#define CAI_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define MANIFEST_DIR_MODE  0755
#define MANIFEST_FILE_MODE 0644

enum manifest_type { MANIFEST_DIR, MANIFEST_FILE };

struct manifest_entry {
	char *path;             /* relative to the volume root */
	enum manifest_type type;
	mode_t mode;
	char *init;             /* NULL: nothing to write */
	unsigned line;          /* where it was declared (its child's line if implicit) */
	int implicit;           /* a parent no section named */
};

struct manifest {
	struct manifest_entry *entries;
	size_t count;
	size_t cap;
	size_t *index;          /* open-addressing hash of entries by path: slot = entry + 1 */
	size_t index_cap;
};

/* Parse from memory; `name` labels error messages.  On failure *m is
 * emptied. */
int manifest_parse_buf(struct manifest *m, const char *buf, size_t len, const char *name,
		       struct cai_err *err);

/* Parse the file at `path` (no symlink at its last component, regular). */
int manifest_load(struct manifest *m, const char *path, struct cai_err *err);

void manifest_free(struct manifest *m);

#endif
