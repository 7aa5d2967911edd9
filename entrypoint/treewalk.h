/* SPDX-License-Identifier: MIT */
/* treewalk: every entry beneath a directory descriptor, visited once.
 *
 * Owns: listing directories with getdents64 on descriptors held for the
 * walk (no path is ever resolved from the root again), one look at each
 * entry that never follows a symlink, and handing directories over open:
 * an entry listed as a directory is opened relative to its parent's
 * descriptor with O_NOFOLLOW | O_DIRECTORY (O_PATH when a look is asked
 * for only that: a directory to look in, reopened by treewalk_reopen to be
 * changed) and stat'd on that descriptor, so what the visitor judges and
 * what it changes are the same inode;
 * anything else is only stat'd by name (never opened: a FIFO or a device
 * cannot block or act).  The path of each entry from the walk's root, for
 * messages, and the depth.
 * Refuses: names that are not one component ("", ".", "..", a '/') when
 * asked to look at one.  An entry whose path from the walk's root would
 * not fit in PATH_MAX is not visited (a warning says so).  What to do about an entry - change it, refuse it,
 * descend into it - is the visitor's to decide.
 */
#ifndef CAI_TREEWALK_H
#define CAI_TREEWALK_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "err.h"

/* What each entry's statx asks for. */
#define TREEWALK_STATX_MASK (STATX_BASIC_STATS | STATX_MNT_ID)

struct treewalk_entry {
	int dirfd;              /* the directory holding it */
	const char *name;
	const char *path;       /* from the walk's root, "a/b/name" */
	size_t path_len;
	/* A directory: open O_RDONLY | O_DIRECTORY (O_PATH when looked at
	 * with TREEWALK_OPEN_PATH), closed by the walk; anything else (or a
	 * directory that could not be opened): -1. */
	int fd;
	int path_only;          /* fd is O_PATH: a directory to look in, no more */
	int open_errno;         /* why a directory has no fd, else 0 */
	struct statx stx;       /* of fd when there is one, else of the name */
	unsigned depth;         /* 1 for the root's own entries */
};

struct treewalk {
	/* Each entry: 1 to walk a directory's entries (only with e->fd >= 0),
	 * 0 not to, -1 to stop the walk (err set). */
	int (*visit)(struct treewalk *w, const struct treewalk_entry *e, struct cai_err *err);
	/* After a directory's entries, with its descriptor and its path
	 * (w->path[0..path_len), "" for the root).  May be NULL. */
	int (*done)(struct treewalk *w, int fd, size_t path_len, unsigned depth, struct cai_err *err);
	void *ctx;
	char path[PATH_MAX];    /* the path being visited */
};

/* Walk the directory open on fd (borrowed), whose path w->path[0..len)
 * holds, at `depth` (0 for the root): visit each entry, descend where
 * the visitor says, then call done. */
int treewalk_dir(struct treewalk *w, int fd, size_t len, unsigned depth, struct cai_err *err);

/* How treewalk_look treats a directory: only looked at by name, opened
 * O_RDONLY (to list it, or change its owner or mode), or opened O_PATH
 * (only to look at what it holds: cheaper to open and to close). */
enum treewalk_open { TREEWALK_LOOK_ONLY, TREEWALK_OPEN, TREEWALK_OPEN_PATH };

/* Fill e (but its path and depth) for `name` in dirfd: unless `how` is
 * TREEWALK_LOOK_ONLY, a directory is opened and stat'd on its descriptor -
 * opened first when `type` (a d_type) says DT_DIR, else after a first look
 * by name; anything else, or a directory that turned into something else
 * or cannot be opened (e->open_errno), is stat'd by name without following
 * it.  -1 with errno when the name cannot be looked at (ENOENT: there is
 * none). */
int treewalk_look(int dirfd, const char *name, unsigned char type, enum treewalk_open how,
		  struct treewalk_entry *e);

/* Look at one `name` in the directory open on dirfd, whose path
 * w->path[0..len) holds, visit it and descend as the visitor says:
 * what treewalk_dir does for each entry it lists.  A name that is missing
 * is not an error: 0 with *missing set (may be NULL). */
int treewalk_name(struct treewalk *w, int dirfd, const char *name, size_t len, unsigned depth,
		  int *missing, struct cai_err *err);

/* Open what e looked at, and only that: relative to e->dirfd with
 * O_NOFOLLOW | O_NONBLOCK | O_NOCTTY (a FIFO or terminal swapped in cannot
 * block or become ours), then required to be the very inode of the same
 * type - and a regular file still one with a single link - or refused. */
int treewalk_reopen(const struct treewalk_entry *e, int flags, struct cai_err *err);

#endif
