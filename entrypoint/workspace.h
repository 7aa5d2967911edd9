/* SPDX-License-Identifier: MIT */
/* workspace: where the agent works - found from the mount table, linked
 * at `[workspace] link`, and made the command's working directory.
 *
 * Owns: the two layouts.
 *   - bind (Sysbox mode, `-v HOST:/home/agent/workspace`): the link path
 *     is itself a directory mount; it is accepted unchanged.
 *   - mirrored (Docker Desktop sandboxes, sbx, `-v DIR:DIR`): a mount
 *     whose root equals its mount point (or, on macOS, whose mount point
 *     is "/Volumes" + its root).  The deepest one wins (ties: the later
 *     mount); the link path then becomes a symlink to it.
 * Refuses: a mirrored candidate that is "/", at or under /etc, /proc,
 * /sys, /run, /dev, /usr, /bin, /sbin, /lib*, /boot or /var/lib/docker,
 * or that contains or lies inside the link path; replacing anything that
 * is a mount point (decided on its descriptor: STATX_ATTR_MOUNT_ROOT, or
 * the mount id against the parent's); following a symlink in any
 * component of the link's parent or of the candidate.  An existing empty
 * directory at the link path is removed; anything else there is moved
 * aside to NAME.bak.TIME, never deleted.  The new symlink is created
 * under a temporary name in the same directory, owned like that
 * directory, and renamed over the link path in one step.
 * Also owns what the launcher says about the workspace it checked
 * (CONTAINAI_WORKSPACE, WORKSPACE_ENV): its host path picks the mirrored
 * mount to link (no guess among candidates), and its device and inode
 * must be those of the directory found - a bind mount shares its
 * superblock, so both compare, except under shiftfs (older Sysbox), which
 * shows the directory under a device of its own and its inode unchanged:
 * there the inode alone compares.  A directory swapped in between the
 * launcher's check and the engine's mount is refused, whatever `required`
 * says.
 */
#ifndef CAI_WORKSPACE_H
#define CAI_WORKSPACE_H

#include <limits.h>
#include <stdint.h>

#include "err.h"
#include "mountinfo.h"

/* Set by the launcher: "MAJOR:MINOR:INODE:/host/path" (docker modes: the
 * directory it checked, bound at the link) or "/host/path" (a mode that
 * mounts it mirrored on another kernel, where no identity compares). */
#define WORKSPACE_ENV "CONTAINAI_WORKSPACE"

struct workspace_expect {
	int has_id;
	unsigned major, minor;
	uint64_t ino;
	char path[PATH_MAX];            /* "" when not given */
};

/* WORKSPACE_ENV's value (NULL or "": nothing expected) into *e; -1 with
 * err set when it is not one of the two forms. */
int workspace_expect_parse(const char *text, struct workspace_expect *e, struct cai_err *err);

/* Why `path` cannot be the workspace when linked at `link`, or NULL. */
const char *workspace_refusal(const char *path, const char *link);

/* 1 when the entry is mirrored: a host directory mounted at its own path. */
int workspace_is_mirrored(const struct mount_entry *e);

/* Whether a candidate can be used (at start-up: it is a directory reached
 * without symlinks and is still that mount); NULL accepts all. */
typedef int (*workspace_usable_fn)(const struct mount_entry *e, void *ctx);

/* The mirrored mount to link, or NULL.  Candidates refused by
 * workspace_refusal(), hidden under a later mount at the same point or not
 * `usable` (a mirrored file, say) are skipped; the last refused one is
 * returned in *refused (else NULL). */
const struct mount_entry *workspace_find_mirrored(const struct mount_table *t, const char *link,
						  workspace_usable_fn usable, void *ctx,
						  const struct mount_entry **refused);

/* The start-up step: find the workspace (the mirrored mount at
 * expect's path when it names one), check it against `expect` (the
 * WORKSPACE_ENV text, NULL when unset), link it at `link` and fchdir into
 * it, so the command starts in the workspace.  When there is none, or a
 * candidate or the link path is refused, or an operation fails: -1 with
 * err set when `required`, else a warning and 0 (the working directory
 * unchanged).  A malformed `expect` or a directory that is not the one it
 * names: -1 always. */
int workspace_setup(const char *link, int required, const char *expect, struct cai_err *err);

#endif
