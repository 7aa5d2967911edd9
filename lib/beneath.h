/* beneath: every file operation confined beneath one directory descriptor.
 *
 * Owns: opening a root directory once (no symlink, no magic link) and
 * resolving relative paths beneath it with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV), or - when
 * openat2 is missing (ENOSYS) or filtered (EPERM) - a component-by-component
 * walk with O_NOFOLLOW | O_DIRECTORY and fstat checks.  Never path strings.
 * Refuses: a symlink at any component (ELOOP), an escape or a mount
 * crossing (EXDEV), absolute paths, "..", empty components.  EAGAIN from
 * concurrent renames is retried a bounded number of times.
 * The test switch CONTAINAI_TEST_NO_OPENAT2=1 forces the walk; the walk is
 * as strict as openat2, so forcing it weakens nothing.
 */
#ifndef CAI_BENEATH_H
#define CAI_BENEATH_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct beneath {
	int root_fd;            /* O_PATH|O_DIRECTORY descriptor of the root */
	dev_t dev;              /* identity recorded when the root was opened */
	ino_t ino;
	uint64_t mnt_id;
	int is_mount_root;      /* the root is a mount point */
	char path[PATH_MAX];    /* for messages only, never resolved again */
};

/* Open `path` as the root.  Every component of `path` must be a real
 * directory (no symlinks anywhere). */
int beneath_open_root(struct beneath *b, const char *path, struct cai_err *err);
void beneath_close(struct beneath *b);

/* Open `rel` beneath the root with open(2) flags and mode.  O_NOFOLLOW is
 * implied for every component, O_CLOEXEC always added.  With O_CREAT the
 * parent must already exist. */
int beneath_open(const struct beneath *b, const char *rel, int flags, mode_t mode,
		 struct cai_err *err);

/* Check that the root descriptor still names what was recorded at open:
 * same device, inode and mount id (the volume was not swapped). */
int beneath_verify_root(const struct beneath *b, struct cai_err *err);

#endif
