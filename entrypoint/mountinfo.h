/* SPDX-License-Identifier: MIT */
/* mountinfo: /proc/self/mountinfo as data (replaces findmnt and jq).
 *
 * Owns: splitting each line into its fields - mount id, parent id,
 * major:minor, root, mount point, mount options, the optional fields up
 * to the " - " separator, file system type, source, super options - and
 * decoding the kernel's octal escapes (\040 space, \011 tab, \012
 * newline, \134 backslash; any \ooo up to \377).
 * gVisor's lines, whose optional-fields column is empty ("rw  - 9p"), are
 * read as lines without optional fields.
 * Also: which mount a path lies on, and whether any mount lies beneath
 * it - for kernels whose statx reports no mount id (see beneath.h).
 * Refuses: malformed lines (missing fields, no separator, a bad number,
 * a bad or NUL escape, an empty root, a relative mount point): each is logged
 * with its line number and skipped, and counted in `malformed`.
 */
#ifndef CAI_MOUNTINFO_H
#define CAI_MOUNTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MOUNTINFO_MAX_SIZE (16u << 20)

struct mount_entry {
	uint64_t mnt_id;
	uint64_t parent_id;
	unsigned major, minor;
	char *root;             /* decoded; the path within its file system
	                         * (or e.g. "net:[4026532881]" for nsfs) */
	char *mount_point;      /* decoded */
	char *options;
	char *optional;         /* "shared:1 master:2", "" when none */
	char *fstype;
	char *source;           /* decoded */
	char *super_options;
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
	size_t malformed;       /* lines skipped */
};

/* Parse buf[0..len) into *t (which starts zeroed).  `name` labels the
 * warnings.  Fails only when memory runs out. */
int mountinfo_parse(const char *buf, size_t len, const char *name, struct mount_table *t,
		    struct cai_err *err);

/* Read and parse /proc/self/mountinfo. */
int mountinfo_read_self(struct mount_table *t, struct cai_err *err);

/* The entry with this mount id, or NULL. */
const struct mount_entry *mountinfo_find_id(const struct mount_table *t, uint64_t mnt_id);

/* The mount `path` lies on as the table shows it: the entry with the
 * longest mount point at or above `path`, the later one among equals (it
 * is on top).  NULL when there is none. */
const struct mount_entry *mountinfo_mount_of(const struct mount_table *t, const char *path);

/* The first entry mounted strictly beneath `path`, or NULL. */
const struct mount_entry *mountinfo_first_beneath(const struct mount_table *t, const char *path);

void mountinfo_free(struct mount_table *t);

#endif
