/* SPDX-License-Identifier: MIT */
/* detect: which isolation the host offers, decided from evidence.
 *
 * Owns: the platform (linux, wsl, macos), the probes of the docker and sbx
 * CLIs, and the choice of one mode in the order sbx > eci > sysbox >
 * gvisor > none - or the preferred mode first, when it is usable.
 * Probes that do not depend on each other run concurrently.
 *   sbx:    the standalone sbx CLI answers both `sbx version` and `sbx ls`;
 *   eci:    Docker Desktop (the server's platform name) >= 4.50, the
 *           `docker sandbox` plugin answers, and a probe container both
 *           maps root into subordinate ids (as for sysbox) and ran under
 *           the sysbox-runc runtime;
 *   sysbox: the engine lists a runtime named sysbox-runc AND a probe
 *           container started with it maps root (and every id it maps)
 *           into subordinate ids: at or above DETECT_SUBID_MIN and clear of
 *           every host account.  The runtime's name alone proves nothing.
 *   gvisor: the engine lists a runtime whose binary is runsc (the last
 *           component of its path) AND a probe container started with it
 *           runs on gVisor's kernel, not the host's (guest_kernel).
 *           Neither the name nor the path proves anything alone: a runtime
 *           can call runc by any name.  A proven verdict is remembered for
 *           DETECT_GVISOR_CACHE_S (probe_cache), for exactly that engine,
 *           kernel, runtime entry and - when it is on this machine -
 *           binary; anything else probes again.
 * Refuses: to guess.  A timeout, a daemon that does not answer, a missing
 * probe image or output that does not parse makes that probe "unknown",
 * which is reported with its reason and counts as no isolation.
 */
#ifndef CAI_DETECT_H
#define CAI_DETECT_H

#include <sys/types.h>

#include "docker.h"
#include "err.h"

#define DETECT_REASON_MAX 320
#define DETECT_DESKTOP_MIN "4.50"
#define DETECT_SYSBOX_RUNTIME "sysbox-runc"
#define DETECT_PROBE_LABEL "containai.probe=true"
#define DETECT_GVISOR_BINARY "runsc"
#define DETECT_RUNTIME_NAME_MAX 64
#define DETECT_GVISOR_CACHE_S 600
/* Host uids below this are the host's own (root, system and human
 * accounts, nobody at 65534): a sandbox's ids must lie above. */
#define DETECT_SUBID_MIN 65536u

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };
enum platform { PLATFORM_LINUX = 0, PLATFORM_WSL, PLATFORM_MACOS };
enum iso_mode { MODE_NONE = 0, MODE_SYSBOX, MODE_ECI, MODE_SBX, MODE_GVISOR };
enum eci_status { ECI_NOT_AVAILABLE = 0, ECI_AVAILABLE_NOT_ENABLED, ECI_ENABLED };

/* What the installed `docker sandbox run` accepts (from its --help). */
struct sandbox_flags {
	int name, template_, pull_template, env, env_file, detached, mount_docker_socket, credentials;
};

struct detect_result {
	enum platform platform;

	/* docker */
	int docker_cli;                   /* the CLI is on PATH */
	enum tri docker_daemon;           /* the pinned engine answered */
	int docker_permission_denied;
	char docker_reason[DETECT_REASON_MAX];
	char server_version[64];
	char server_platform[128];        /* "Docker Desktop 4.50.0 (...)" or "" */
	int desktop;
	char desktop_version[32];
	enum tri desktop_new_enough;      /* >= DETECT_DESKTOP_MIN */

	/* sbx */
	int sbx_cli;
	enum tri sbx;
	char sbx_reason[DETECT_REASON_MAX];

	/* eci */
	enum tri sandbox_plugin;
	char sandbox_reason[DETECT_REASON_MAX];
	struct sandbox_flags sandbox_flags;
	enum tri eci_probe;
	char eci_reason[DETECT_REASON_MAX];
	enum eci_status eci_status;

	/* sysbox */
	int sysbox_runtime;               /* a runtime by that name is listed */
	long long mem_total, ncpu;        /* what the engine has (docker info); 0: unknown */
	enum tri sysbox_remap;            /* its probe container was remapped */
	char sysbox_reason[DETECT_REASON_MAX];

	/* gvisor */
	char engine_id[128];              /* docker info ID */
	char engine_kernel[128];          /* docker info KernelVersion: the host's release */
	char gvisor_runtime[DETECT_RUNTIME_NAME_MAX]; /* a runtime whose binary is runsc, "" none */
	char gvisor_path[256];            /* its path as the engine lists it */
	char gvisor_entry[512];           /* its whole entry, as compact JSON */
	enum tri gvisor;                  /* a probe under it ran on gVisor's kernel */
	int gvisor_cached;                /* ... as remembered from an earlier probe */
	long long gvisor_verified_at;     /* when that probe ran (Unix time) */
	int runsc_installed;              /* runsc is on this machine's trusted PATH */
	char gvisor_reason[DETECT_REASON_MAX];

	enum iso_mode prefer;             /* chosen first when usable; MODE_NONE: none */
	int probe_image_missing;          /* a probe could not start: no such image */
	enum iso_mode mode;
};

struct detect_opts {
	const char *probe_image;
	unsigned timeout_ms;              /* per CLI call */
	enum iso_mode prefer;             /* MODE_NONE: the built-in order */
	const char *cache_path;           /* the gVisor verdict's cache; NULL: none */
};

/* Run every probe and choose the mode.  Fails only when the launcher
 * itself cannot run programs; every probe failure is in the result. */
int detect_run(const struct docker *d, const struct detect_opts *o, struct detect_result *r,
	       struct cai_err *err);

/* The pure decisions, separately testable. */
enum platform detect_platform_classify(const char *sysname, const char *wsl_distro_env,
				       int wsl_interop_present, const char *proc_version);
enum platform detect_platform(void);
/* Host uids at or above DETECT_SUBID_MIN that belong to accounts of this
 * host's passwd database. */
struct detect_host_ids {
	uid_t *uid;
	size_t n, cap;
};
int detect_host_ids_load(struct detect_host_ids *ids, struct cai_err *err);
void detect_host_ids_release(struct detect_host_ids *ids);
#define _cleanup_host_ids_ __attribute__((cleanup(detect_host_ids_release)))

/* /proc/self/uid_map text: YES when root is mapped and every range lies in
 * subordinate ids - at or above DETECT_SUBID_MIN and covering no uid of
 * `ids` (may be NULL); NO when a range does not (why says which); UNKNOWN
 * for anything no kernel prints, or a map without root. */
enum tri detect_uid_map_remapped(const char *text, const struct detect_host_ids *ids, char *why,
				 size_t whysz);
/* Dotted numeric versions: -1, 0, 1 in *cmp; -1 when either does not parse. */
int detect_version_cmp(const char *a, const char *b, int *cmp);
/* "Docker Desktop 4.50.0 (209931)" -> "4.50.0"; -1 when not Desktop. */
int detect_desktop_version(const char *platform_name, char *out, size_t outsz);
int detect_help_has_flag(const char *help, const char *flag);
/* docker info's Runtimes object: the runtime whose path's last component
 * is runsc - the one named runsc when there are several, else the first
 * by name.  A name that is not [A-Za-z0-9][A-Za-z0-9._-]* (shorter than
 * DETECT_RUNTIME_NAME_MAX) is passed over.  1 with name, path and its
 * entry as compact JSON set; 0 with why set when there is none. */
int detect_gvisor_runtime(const json_t *runtimes, char *name, size_t namesz, char *path,
			  size_t pathsz, char *entry, size_t entrysz, char *why, size_t whysz);
/* The mode a usable result gives: r->prefer when usable, else the first
 * usable in the built-in order. */
enum iso_mode detect_choose(const struct detect_result *r);
/* Whether mode m is usable in r. */
int detect_usable(const struct detect_result *r, enum iso_mode m);

/* Whether the sandbox of mode m is a container the launcher creates on the
 * engine itself (Sysbox, gVisor, none), not one a sandbox tool owns. */
int detect_docker_mode(enum iso_mode m);

const char *detect_mode_name(enum iso_mode m);
/* "sbx", "eci", "sysbox", "gvisor" (never "none"); -1 for anything else. */
int detect_mode_parse(const char *name, enum iso_mode *m);
const char *detect_platform_name(enum platform p);
const char *detect_eci_status_name(enum eci_status s);

#endif
