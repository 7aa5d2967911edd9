/* SPDX-License-Identifier: MIT */
/* path: whether one absolute path lies within another, as strings.
 *
 * Owns: the containment rule both programs apply to paths they compare
 * without opening them (the init's workspace candidates against its link
 * and the system directories, the launcher's workspace against $HOME and
 * the credential paths): a path is within a directory when it is that
 * directory or continues it with '/'.  "/" contains every absolute path;
 * "/ab" is not within "/a".
 * Refuses: nothing - callers pass paths they have already normalised (no
 * trailing '/', no "//", "." or ".."); it never touches the file system.
 */
#ifndef CAI_PATH_H
#define CAI_PATH_H

/* 1 when `path` is `dir` or lies under it, 0 otherwise. */
int path_within(const char *path, const char *dir);

#endif
