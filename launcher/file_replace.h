/* SPDX-License-Identifier: MIT */
/* file_replace: writing a file the launcher keeps or changes (the engine's
 * daemon.json, the probe cache) so that a reader sees the old bytes or the
 * new ones, never a mix, and a crash at any point leaves one of the two.
 *
 * Owns: the directory-descriptor discipline - the directory is opened once
 * and every later step names one component relative to it, without
 * following a symlink there; a temporary file beside the target created
 * O_EXCL with mode 0600, given its final owner and mode on its descriptor,
 * written whole and fsynced, renamed over the target, and the directory
 * fsynced; and a new file created O_EXCL in one piece (a backup).
 * Refuses: a name with '/', an existing temporary or backup name (never
 * reused, never followed), and every failing step - the temporary file is
 * removed again and the target stays as it was.
 */
#ifndef CAI_FILE_REPLACE_H
#define CAI_FILE_REPLACE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* The directory part of `path` opened (O_DIRECTORY, following symlinks in
 * the directory's own path: the caller named it), and a pointer to the
 * last component in *name.  `path` must be absolute and not end in '/'. */
int file_open_parent(const char *path, int *dirfd, const char **name, struct cai_err *err);

/* Replace (or create) dirfd/name with buf[0..len), owned by uid:gid with
 * mode `mode`. */
int file_replace_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		    uid_t uid, gid_t gid, struct cai_err *err);

/* Create dirfd/name, which must not exist (EEXIST otherwise), holding
 * buf[0..len), owned by uid:gid with mode `mode`. */
int file_create_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		   uid_t uid, gid_t gid, struct cai_err *err);

#endif
