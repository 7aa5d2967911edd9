/* SPDX-License-Identifier: MIT */
/* daemon_json: the Docker engine's daemon.json, with one runtime added.
 *
 * Owns: reading the file whole through a descriptor of its directory, the
 * merge - a pure function of the file's text that keeps every key and
 * value in their order and adds {"runtimes": {NAME: {"path": PATH,
 * "runtimeArgs": [...]}}}, creating "runtimes" when missing - and putting
 * the result in place: a backup of the old bytes beside it (created O_EXCL
 * under a name of its own), then the new text through file_replace, with
 * the old file's owner and mode (0644 and this user for a new file).
 * Refuses: a daemon.json that is a symlink, not a regular file or has
 * other hard links (replacing it would leave the other names with the old
 * text) - EPERM; text that is not one JSON object, a repeated key, or
 * "runtimes" that is not an object - "FILE:LINE:COLUMN: ..." (errnum 0);
 * an entry of that name that differs from the one asked for - EEXIST,
 * since it may be someone's deliberate choice; and a file that changed (or
 * appeared) between its reading and its replacement, in its text, mode,
 * owner or links - EAGAIN.  An identical entry is
 * already done: nothing is written.
 */
#ifndef CAI_DAEMON_JSON_H
#define CAI_DAEMON_JSON_H

#include <stddef.h>
#include <sys/stat.h>

#include "err.h"

#define DAEMON_JSON_MAX (1024 * 1024)
#define DAEMON_JSON_DEFAULT "/etc/docker/daemon.json"

struct daemon_runtime {
	const char *name;                /* the key under "runtimes" */
	const char *path;                /* the runtime's binary */
	const char *const *args;         /* runtimeArgs, nargs words; none: no such key */
	size_t nargs;
};

/* The file dirfd/name: *text NULL (and *st zeroed) when it does not exist.
 * `label` names it in errors. */
int daemon_json_read(int dirfd, const char *name, const char *label, char **text, size_t *len,
		     struct stat *st, struct cai_err *err);

/* 1 with the new text in *out (malloc'd, ending in a newline) when the
 * runtime was added; 0 with *out NULL when an identical entry is there.
 * text NULL or only white space: an empty object. */
int daemon_json_merge(const char *label, const char *text, size_t len,
		      const struct daemon_runtime *rt, char **out, struct cai_err *err);

/* Back up old (when there was a file: st from daemon_json_read) as
 * NAME.containai-backup-YYYYMMDD-HHMMSS[-N], its name in backup (""
 * when none), then replace dirfd/name with text. */
int daemon_json_write(int dirfd, const char *name, const char *old, size_t oldlen,
		      const struct stat *st, const char *text, char *backup, size_t backupsz,
		      struct cai_err *err);

#endif
