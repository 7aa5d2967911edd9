/* SPDX-License-Identifier: MIT */
/* beneath: every file operation confined beneath one directory descriptor.
 *
 * Owns: opening a root directory once (no symlink, no magic link) and
 * resolving relative paths beneath it with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV), or - when
 * openat2 is missing (ENOSYS) or filtered (EPERM) - a component-by-component
 * walk with O_NOFOLLOW | O_DIRECTORY and fstat checks.  Never path strings.
 * Refuses: a symlink at any component (ELOOP), an escape or a mount
 * crossing (EXDEV), absolute paths, "..", ".", empty components.  EAGAIN
 * from concurrent renames is retried a bounded number of times.
 * Whether openat2 is usable is probed once, by a harmless call (or known
 * from an openat2 lookup of beneath_open_dir_nofollow that worked); the tests
 * reach the walk by filtering openat2 (tests/helpers/no_openat2.h), never
 * through a switch in here.
 * Mounts are told apart by statx mount ids (Linux 5.8).  A kernel whose
 * statx reports none (gVisor) is not trusted half: the root must then be
 * on the mount /proc/self/mountinfo shows at its path (same device) and
 * no mount may lie beneath it - checked when the root is opened and again
 * at every beneath_verify_root - so that a device number other than the
 * root's is the only way left to be on another mount, and that is checked
 * at every step.
 */
#ifndef CAI_BENEATH_H
#define CAI_BENEATH_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct statx;

struct beneath {
	int root_fd;            /* O_PATH|O_DIRECTORY descriptor of the root */
	dev_t dev;              /* identity recorded when the root was opened */
	ino_t ino;
	uint64_t mnt_id;        /* statx's, or the mount table's when by_table */
	int is_mount_root;      /* the root is a mount point */
	int by_table;           /* no statx mount ids: see above */
	char path[PATH_MAX];    /* for messages only, never resolved again */
};

/* An O_PATH descriptor of the absolute directory `path`, reached from "/"
 * by one openat2(RESOLVE_NO_SYMLINKS) or, where that fails, one component
 * at a time with O_NOFOLLOW: a symlink or magic link at any component
 * (ELOOP), a component that is not a directory (ENOTDIR), "." and ".."
 * are refused.  The volume root is opened this way, and so are
 * the workspace link's parent and its candidates. */
int beneath_open_dir_nofollow(const char *path, struct cai_err *err);

/* Open `path` (absolute) as the root, through beneath_open_dir_nofollow,
 * and record its identity. */
int beneath_open_root(struct beneath *b, const char *path, struct cai_err *err);
void beneath_close(struct beneath *b);

/* Open `rel` beneath the root with open(2) flags and mode.  O_NOFOLLOW is
 * implied for every component (a symlink anywhere, even the last one and
 * even with O_PATH, is ELOOP), O_CLOEXEC always added.  With O_CREAT the
 * parent must already exist. */
int beneath_open(const struct beneath *b, const char *rel, int flags, mode_t mode,
		 struct cai_err *err);

/* Check that the root descriptor still names what was recorded at open:
 * same device, inode and mount id (the volume was not swapped), and the
 * directory was not removed. */
int beneath_verify_root(const struct beneath *b, struct cai_err *err);

/* beneath_verify_root, handing out the root's statx (STATX_BASIC_STATS |
 * STATX_MNT_ID, of the descriptor itself) when stx is not NULL. */
int beneath_verify_root_statx(const struct beneath *b, struct statx *stx, struct cai_err *err);

/* A fresh descriptor of the root itself with open(2) flags (e.g. O_RDONLY
 * | O_DIRECTORY to change its mode or owner, which O_PATH cannot). */
int beneath_reopen_root(const struct beneath *b, int flags, struct cai_err *err);


/* O_PATH descriptor of the directory holding `rel` (the root itself for a
 * single component); *name points at the last component inside `rel`. */
int beneath_open_parent(const struct beneath *b, const char *rel, const char **name,
			struct cai_err *err);

/* An O_PATH descriptor of the directory `name` (one component) in dirfd,
 * on dirfd's own mount: a symlink is not followed (ELOOP, or ENOTDIR as
 * for anything else that is not a directory) and a mount point is refused
 * (EXDEV) - one openat2(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV) where the probe finds it usable, else an O_NOFOLLOW
 * openat and both descriptors' mounts compared.  -1 with errno. */
int beneath_open_dir_at(int dirfd, const char *name);

/* 1 when a statx result (asked for STATX_BASIC_STATS | STATX_MNT_ID) is
 * on the root's mount, by the rule above; 0 otherwise. */
int beneath_on_root_mount(const struct beneath *b, const struct statx *stx);

/* Move what is at `name` in dir_fd to NAME.bak.TIME[.N] (its new name in
 * `aside`) in one rename that never replaces anything (RENAME_NOREPLACE):
 * never deleted, never over another backup. */
int beneath_move_aside(int dir_fd, const char *name, char aside[static NAME_MAX + 1], struct cai_err *err);

/* 1 and *mnt_id when the kernel reported a mount id in `stx`, else 0. */
int beneath_statx_mnt_id(const struct statx *stx, uint64_t *mnt_id);

#endif
