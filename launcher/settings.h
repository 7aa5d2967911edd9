/* SPDX-License-Identifier: MIT */
/* settings: the launcher's settings and where each one comes from.
 *
 * Owns: $XDG_CONFIG_HOME/containai/config.ini (default
 * ~/.config/containai/config.ini, ~ being $HOME or, when that is unset or
 * relative, the passwd entry's home), its [default] section, its
 * per-workspace sections `[workspace /absolute/path]` and its
 * `[credential NAME]` sections (their keys are credential's), the CONTAINAI_*
 * environment variables, and the precedence flag > environment > config
 * (workspace section over [default]) > built-in default.
 * Refuses: unknown sections and keys, bad values, and above all any key
 * that would switch on an unsafe opt-in (host credentials, the host Docker
 * socket, --force): those exist only as command-line flags with their
 * acknowledgements, and a file naming one is an error "FILE:LINE: ...",
 * never silently ignored.
 */
#ifndef CAI_SETTINGS_H
#define CAI_SETTINGS_H

#include <stddef.h>

#include "credential.h"
#include "egress.h"
#include "err.h"
#include "resources.h"
#include "publish.h"

/* The sandbox image `make image` builds: the one default. */
#define CAI_DEFAULT_IMAGE "containai:latest"
#define CAI_DEFAULT_DATA_VOLUME "containai-data"
#define CAI_DEFAULT_AGENT "claude"
#define CAI_DEFAULT_TIMEOUT_S 10
#define SETTINGS_VALUE_MAX 256
#define CAI_DEFAULT_EGRESS_IMAGE "containai-egress:latest"
#define CAI_DEFAULT_EGRESS_NETWORK "bridge"
#define SETTINGS_LIST_MAX 4096

struct settings {
	char path[4096];                     /* the file read, "" when none */
	char image[SETTINGS_VALUE_MAX];
	char probe_image[SETTINGS_VALUE_MAX]; /* "" = same as image */
	char data_volume[SETTINGS_VALUE_MAX];
	char context[SETTINGS_VALUE_MAX];     /* "" = the CLI's own choice */
	char agent[SETTINGS_VALUE_MAX];       /* agent name for sbx and docker sandbox */
	unsigned timeout_s;                  /* per docker/sbx call */
	int require_isolation;
	int prefer;                          /* enum iso_mode chosen first when usable; 0: none */
	struct resources resources;          /* 0 fields: the engine-sized defaults */
	struct publish publish;              /* run's published ports */
	enum egress_mode egress;              /* balanced unless set */
	char egress_allow[SETTINGS_LIST_MAX]; /* domain rules, blank-separated */
	char egress_allow_cidr[SETTINGS_LIST_MAX];
	char egress_dns[SETTINGS_VALUE_MAX];  /* the proxy's resolvers, "" = its own */
	char egress_network[SETTINGS_VALUE_MAX]; /* the proxy's way out */
	char egress_image[SETTINGS_VALUE_MAX];
	char egress_ca_file[1024];            /* extra CAs for credential upstreams */
	struct credential_conf cred[CREDENTIAL_MAX]; /* [credential NAME] sections */
	size_t ncred;
};

/* Built-in defaults. */
void settings_defaults(struct settings *c);

/* The config file path from XDG_CONFIG_HOME, else HOME, else passwd_home
 * (the passwd entry's, may be NULL), each used only when absolute; -1
 * when none is. */
int settings_default_path(char *out, size_t outsz, const char *passwd_home, struct cai_err *err);

/* Layer a config file over *c: [default] first, then the section of
 * `workspace` (an absolute path).  A missing file at the default path is
 * not an error; a missing explicit one is (`explicit_path`). */
int settings_load_file(struct settings *c, const char *path, int explicit_path,
		      const char *workspace, struct cai_err *err);
int settings_load_buf(struct settings *c, const char *buf, size_t len, const char *name,
		     const char *workspace, struct cai_err *err);

/* Layer CONTAINAI_IMAGE, CONTAINAI_PROBE_IMAGE, CONTAINAI_DATA_VOLUME,
 * CONTAINAI_AGENT, CONTAINAI_TIMEOUT, CONTAINAI_REQUIRE_ISOLATION,
 * CONTAINAI_MEMORY, CONTAINAI_CPUS, CONTAINAI_PIDS_LIMIT, CONTAINAI_PUBLISH,
 * CONTAINAI_EGRESS and CONTAINAI_PREFER. */
int settings_apply_env(struct settings *c, struct cai_err *err);

/* One setting by its config-file name (image, probe_image, data_volume,
 * context, agent, timeout, require_isolation, memory, cpus, pids_limit,
 * publish - a list of port specs separated by spaces or commas, which
 * replaces the one before - egress, egress_allow, egress_allow_cidr,
 * egress_dns, egress_network, egress_image, egress_ca_file and prefer), from
 * any source: command line flags are layered last through this.  prefer
 * names an isolation mode (sbx, eci, sysbox, gvisor) to choose first when it
 * is usable; it never makes an unusable mode usable. */
int settings_set(struct settings *c, const char *key, const char *value, struct cai_err *err);

/* The probe image in effect. */
const char *settings_probe_image(const struct settings *c);

#endif
