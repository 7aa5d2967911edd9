/* SPDX-License-Identifier: MIT */
/* links: the manifest's [link] entries, made in the agent's home at every
 * start, so that what an agent keeps under its home lives in the volume.
 *
 * Owns: making each link PATH (relative to the home) a symlink to
 * VOLUME_ROOT/TARGET through descriptors held beneath the home: the home
 * is opened from "/" one component at a time with O_NOFOLLOW, each parent
 * of a link relative to the directory above it, without following a
 * symlink and on that directory's mount (beneath_open_dir_at; a missing one
 * is made with mode 0755 and given the volume owner through its own
 * descriptor); nothing at a link path or on the way to it is ever
 * followed, opened for I/O or changed in place.  A link already right
 * costs one readlinkat and changes nothing; where the name is likely free
 * (in a directory made by this start, or after a link found missing) the
 * link is made first and looked at only when the name is taken.  Anything else
 * at a link path, or a non-directory where a parent must be, is replaced:
 *   - a symlink elsewhere, a FIFO, socket, device node, empty file or a
 *     file with other hard links: the new link is renamed over it in one
 *     step (its other names, and whatever it pointed to, untouched);
 *   - an empty directory: removed, then the link made;
 *   - a regular file with content or a directory with content: moved
 *     aside to NAME.bak.TIME[.N] (never deleted, never overwriting a
 *     backup), then the link made.
 * The links themselves belong to whoever containai-init runs as (root at
 * a start as root): a symlink's owner grants nothing, and giving it away
 * would be one more change made by name.
 * Refuses: a mount point at a link path or where a parent must be (never
 * replaced, never made links in); a home that is not a directory reached
 * without symlinks.
 */
#ifndef CAI_LINKS_H
#define CAI_LINKS_H

#include <sys/types.h>

#include "err.h"
#include "manifest.h"

/* Make m's links in `home` to their targets under `volume_root`; the
 * directories made on the way are given uid:gid (by root only).  Errors
 * start with "links: ". */
int links_make(const char *home, const char *volume_root, const struct manifest *m, uid_t uid,
	       gid_t gid, struct cai_err *err);

#endif
