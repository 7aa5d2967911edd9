/* SPDX-License-Identifier: MIT */
/* import: `containai import` - what the host gives the data volume, once.
 *
 * Owns: the allow-list (policy/import.ini, built into the launcher) and
 * its strict reading; resolving it under the host's home - a symlink is
 * followed only to a place the list names (as written under the home),
 * and a FIFO, device, socket or file over IMPORT_FILE_MAX is skipped and
 * said; credential entries only with --with-credentials, each named
 * before anything is copied; the git identity, user.name and user.email
 * of `git config --global` (no other key, no include followed), written
 * as a fresh gitconfig; and the one throwaway container that copies - no
 * network, the data volume, each host file bound read-only by itself,
 * containai-init --import as its only process, whose confined writers
 * write (entrypoint/import.c).  --dry-run says what would go where.
 * Refuses: a list that does not parse (FILE:LINE), a home that is not an
 * absolute directory, a host path docker's --mount cannot carry
 * unambiguously (skipped, said), more than IMPORT_FILES_MAX files, git
 * values with control characters; sbx and ECI modes (their volumes are
 * their tools').
 */
#ifndef CAI_LAUNCHER_IMPORT_H
#define CAI_LAUNCHER_IMPORT_H

#include <limits.h>
#include <stddef.h>

#include "cli.h"
#include "err.h"
#include "session.h"

#define IMPORT_ENTRIES_MAX 64
#define IMPORT_FILES_MAX 256
#define IMPORT_FILE_MAX (1u << 20)
#define IMPORT_PATH_MAX 256

enum import_kind { IMPORT_FILE = 0, IMPORT_DIR, IMPORT_GIT };

struct import_entry {
	enum import_kind kind;
	char path[IMPORT_PATH_MAX];     /* under the home; "" for the git identity */
	char to[IMPORT_PATH_MAX];       /* beneath the volume root */
	int credential;
	unsigned line;
};

struct import_policy {
	struct import_entry e[IMPORT_ENTRIES_MAX];
	size_t n;
};

/* One file to copy. */
struct import_item {
	char host[PATH_MAX];            /* resolved; for the git identity, the file written */
	char to[PATH_MAX];
	int credential;
	int git;                        /* the git identity */
};

struct import_plan {
	struct import_item items[IMPORT_FILES_MAX];
	size_t n;
};

/* The built-in allow-list. */
int import_policy_builtin(struct import_policy *p, struct cai_err *err);
int import_policy_parse(const char *buf, size_t len, const char *name, struct import_policy *p,
			struct cai_err *err);

/* The files and directories of p under `home` (an absolute, resolved
 * directory) into plan; the git identity is left to import_git. */
int import_resolve(const struct import_policy *p, const char *home, int with_credentials,
		   struct import_plan *plan, struct cai_err *err);

/* The gitconfig for a name and an email (either may be NULL): 0 with
 * the text in out, -1 when a value holds a control character or is too
 * long. */
int import_gitconfig(const char *name, const char *email, char *out, size_t outsz, struct cai_err *err);

int import_run(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

#endif
