/* SPDX-License-Identifier: MIT */
/* identity: who the command runs as.
 *
 * Owns: resolving `[user]` from the image's own /etc/passwd and /etc/group
 * (a small strict parser: no NSS, no modules loaded into PID 1, no network
 * lookups), the switch itself - setgroups, setresgid, setresuid, each read
 * back - and HOME, USER and LOGNAME for the command.
 * Started as another uid than root, that uid is the agent's (nothing but
 * root could switch it): resolved from the process itself.
 * Refuses: uid 0 and gid 0 (primary or supplementary) unless the config
 * allows root - but for a start as another uid, which cannot leave a
 * group 0 the engine put it in; at start-up as root, a command as uid 0
 * or group 0 unless every file the next start trusts is on a read-only
 * mount; a name that is missing or appears twice; malformed lines in
 * either file ("FILE:LINE: message"); NSS compat ('+'/'-') entries; files
 * or group lists beyond fixed bounds.
 */
#ifndef CAI_IDENTITY_H
#define CAI_IDENTITY_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"

#define IDENTITY_MAX_GROUPS 64
#define IDENTITY_MAX_FILE   (1u << 20)
#define IDENTITY_NAME_MAX   64
#define IDENTITY_MAX_FIELDS 7

struct identity {
	uid_t uid;
	gid_t gid;
	size_t ngroups;                          /* supplementary, primary included */
	gid_t groups[IDENTITY_MAX_GROUPS];
	char name[IDENTITY_NAME_MAX];            /* "" when the uid has no entry */
	char home[PATH_MAX];
	/* The engine sets HOME for the user the container starts as (root),
	 * not for the command: root's home here counts as "HOME not set". */
	char root_home[PATH_MAX];
	int started;                             /* identity_resolve_started's */
};

/* One line of /etc/passwd (7 fields) or /etc/group (4), split at ':',
 * pointing into the buffer scanned. */
struct identity_entry {
	const char *line;
	size_t line_len;
	unsigned lineno;
	size_t nfields;
	const char *field[IDENTITY_MAX_FIELDS];
	size_t len[IDENTITY_MAX_FIELDS];
	uid_t id;               /* passwd: the uid; group: the gid */
	gid_t gid;              /* passwd: the primary gid; group: the gid */
};

/* 0 to go on, 1 to stop the scan, -1 (err set, without FILE:LINE) to fail it. */
typedef int (*identity_entry_fn)(void *ctx, const struct identity_entry *e, struct cai_err *err);

/* Each entry of a passwd (group = 0) or group (group = 1) file in buf, to
 * fn, every line held to the rules above; errors read "FILE:LINE: ...".
 * The one reader of both files: resolving [user] and moving the account
 * (account.h) see the same entries. */
int identity_scan(const char *buf, size_t len, const char *file, int group, identity_entry_fn fn,
		  void *ctx, struct cai_err *err);

/* Field i of e is exactly s. */
int identity_field_is(const struct identity_entry *e, size_t i, const char *s);

/* The passwd entry for `name` (when name is non-NULL) or for `uid`.
 * Returns 1 when found, 0 when not, -1 on a malformed file. */
int identity_parse_passwd(const char *buf, size_t len, const char *file, const char *name,
			  uid_t uid, struct identity *id, struct cai_err *err);

/* Fill id->groups: id->gid, then every group whose member list holds
 * id->name (nothing more when the name is ""). */
int identity_parse_group(const char *buf, size_t len, const char *file, struct identity *id,
			 struct cai_err *err);

/* Resolve cfg's [user] against the image's /etc/passwd and /etc/group.
 * With uid and gid numbers, a passwd entry for the uid is optional and
 * only supplies the name, home and supplementary groups. */
int identity_resolve(const struct cai_config *cfg, struct identity *id, struct cai_err *err);

/* Started as a uid other than 0 (`docker run --user`, Kubernetes'
 * runAsNonRoot, OpenShift's arbitrary uids), no switch is possible and none
 * is needed: the effective ids and the groups the engine gave are the
 * agent's.  Name and home come from the uid's passwd entry, or - an
 * arbitrary uid without one - the home from [user]'s account.  Group 0,
 * which only root could leave, is kept with a warning. */
int identity_resolve_started(const struct cai_config *cfg, struct identity *id, struct cai_err *err);

/* For a command allowed to run as uid 0 or with group 0: uid 0 owns the
 * image's files even without a capability, and could rewrite the init, its
 * configuration and policy or /etc/passwd - which the next start runs as
 * full root.  Refused unless each of them, and every directory on its way,
 * is on a read-only mount (`docker run --read-only`).  At start-up only:
 * an image build's --check runs on a writable file system. */
int identity_check_root_readonly(const struct cai_config *cfg, const struct identity *id,
				 struct cai_err *err);

/* setgroups (not for a started identity: its groups are read back),
 * setresgid, setresuid - in that order, each read back. */
int identity_apply(const struct identity *id, struct cai_err *err);

/* A new environment: envp plus HOME, USER and LOGNAME where envp has none
 * (USER and LOGNAME only when the uid has a name).  For a uid other than 0,
 * HOME equal to root_home or "/" (what the engine gives a uid it finds no
 * entry for) is replaced too.  NULL on failure. */
char **identity_env(const struct identity *id, char **envp, struct cai_err *err);

#endif
