/* SPDX-License-Identifier: MIT */
/* path: whether one absolute path lies within another, and what a relative
 * path beneath a directory may be - as strings.
 *
 * Owns: the containment rule both programs apply to paths they compare
 * without opening them (the init's workspace candidates against its link
 * and the system directories, the launcher's workspace against $HOME and
 * the credential paths): a path is within a directory when it is that
 * directory or continues it with '/'.  "/" contains every absolute path;
 * "/ab" is not within "/a".
 * Also the rule for a path relative to a directory it must stay beneath
 * (the volume manifest's entries, the import allow-list's host and volume
 * paths): not empty, not absolute, no empty, "." or ".." component, no
 * component longer than NAME_MAX, shorter than PATH_MAX.
 * Refuses: only in path_check_rel - path_within's callers pass paths they
 * have already normalised (no trailing '/', no "//", "." or ".."); neither
 * touches the file system.
 */
#ifndef CAI_PATH_H
#define CAI_PATH_H

#include "err.h"

/* 1 when `path` is `dir` or lies under it, 0 otherwise. */
int path_within(const char *path, const char *dir);

/* 0 when `rel` follows the relative-path rule above; -1 with err naming
 * the path and what is wrong. */
int path_check_rel(const char *rel, struct cai_err *err);

#endif
