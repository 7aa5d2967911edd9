/* SPDX-License-Identifier: MIT */
/* config: init.ini - what containai-init is told to do.
 *
 * Owns: struct cai_config, its built-in defaults and the parse of init.ini.
 * A section that is absent switches its step off; a section that is present
 * switches it on with the defaults below for keys it does not set.
 * Refuses: unknown sections and keys, duplicate keys, bad values - each as
 * "FILE:LINE: message".  Values that need another module to judge them
 * (capability names, the seccomp policy, the manifest) are checked by that
 * module from `containai-init --check` and at start-up.
 */
#ifndef CAI_CONFIG_H
#define CAI_CONFIG_H

#include <limits.h>
#include <sys/types.h>

#include "err.h"

#define CONFIG_DEFAULT_PATH "/etc/containai/init.ini"
#define CONFIG_VALUE_MAX 256

enum signal_target { SIGNAL_TARGET_CHILD = 0, SIGNAL_TARGET_GROUP };
enum landlock_mode { LANDLOCK_OFF = 0, LANDLOCK_BEST_EFFORT, LANDLOCK_REQUIRED };

struct cai_config {
	char source[PATH_MAX];          /* file it came from, "" for built-in defaults */

	/* [init] */
	unsigned grace;                 /* seconds between TERM and KILL of leftovers */
	enum signal_target signal_target;
	int log_level;                  /* enum log_level */

	/* [volume] */
	int volume_enabled;
	char volume_root[PATH_MAX];
	char volume_manifest[PATH_MAX]; /* "" = no manifest: root checked only */
	uid_t volume_uid;
	gid_t volume_gid;
	int volume_require_mount;       /* root must be a mount point */
	char volume_home[PATH_MAX];     /* where the manifest's links go; "" = none */

	/* [env] */
	int env_enabled;
	char env_file[PATH_MAX];        /* relative to the volume root; "" disables */
	char env_allow_hooks[CONFIG_VALUE_MAX * 4]; /* hook variables the file may set */

	/* [workspace] */
	int workspace_enabled;
	char workspace_link[PATH_MAX];
	int workspace_required;

	/* [user] */
	int user_enabled;
	char user_name[CONFIG_VALUE_MAX]; /* "" when uid/gid are given */
	int user_has_ids;
	uid_t user_uid;
	gid_t user_gid;
	int user_allow_root;
	int user_follow_host;           /* move the account to CONTAINAI_HOST_USER */

	/* [security] */
	int security_enabled;
	char seccomp_policy[PATH_MAX];  /* "" disables the filter */
	int no_new_privs;
	char capabilities[CONFIG_VALUE_MAX]; /* kept for the command; "" = none */
	enum landlock_mode landlock;
	char landlock_ro[CONFIG_VALUE_MAX * 4]; /* ':'-separated paths */
	char landlock_rw[CONFIG_VALUE_MAX * 4];
	mode_t umask;
	int core_dumps;                 /* keep RLIMIT_CORE as inherited */
};

/* Built-in defaults: a plain init with every step off. */
void config_defaults(struct cai_config *cfg);

/* Parse init.ini at `path` into cfg (which starts from config_defaults). */
int config_load(struct cai_config *cfg, const char *path, struct cai_err *err);

/* Same from memory, for tests and fuzzing; `name` labels error messages. */
int config_parse_buf(struct cai_config *cfg, const char *buf, size_t len, const char *name,
		     struct cai_err *err);

#endif
