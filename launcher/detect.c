/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "detect.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "clock.h"
#include "decimal.h"
#include "fd.h"
#include "guest_kernel.h"
#include "macro.h"
#include "pathtrust.h"
#include "probe_cache.h"

/* ---- pure decisions ---------------------------------------------------- */

enum platform detect_platform_classify(const char *sysname, const char *wsl_distro_env,
				       int wsl_interop_present, const char *proc_version)
{
	if (sysname && !strcmp(sysname, "Darwin"))
		return PLATFORM_MACOS;
	if ((wsl_distro_env && wsl_distro_env[0]) || wsl_interop_present)
		return PLATFORM_WSL;
	if (proc_version && (strcasestr(proc_version, "microsoft") || strstr(proc_version, "WSL")))
		return PLATFORM_WSL;
	return PLATFORM_LINUX;
}

enum platform detect_platform(void)
{
	struct utsname u;
	char ver[512] = "";
	_cleanup_close_ int fd = open("/proc/version", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	if (fd >= 0) {
		ssize_t n = read(fd, ver, sizeof(ver) - 1);
		ver[n > 0 ? n : 0] = '\0';
	}
	return detect_platform_classify(u.sysname, getenv("WSL_DISTRO_NAME"),
					access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) == 0, ver);
}

/* One field of a uid_map line: blanks, then a decimal number (lib's one
 * rule: no sign - strtoull would turn "-1" into a huge uid) of at most 32
 * bits. */
static int uid_map_field(const char **p, unsigned long long *v)
{
	const char *s = *p;
	struct cai_err err;
	uint64_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strspn(s, "0123456789");
	if (decimal_parse(s, len, 0xffffffffull, &n, &err) < 0)
		return -1;
	*v = n;
	*p = s + len;
	return 0;
}

/* The lowest host uid of any host account in [lo, hi), or -1 when none. */
static long long account_in(const struct detect_host_ids *ids, unsigned long long lo,
			    unsigned long long hi)
{
	for (size_t i = 0; ids && i < ids->n; i++)
		if (ids->uid[i] >= lo && ids->uid[i] < hi)
			return ids->uid[i];
	return -1;
}

enum tri detect_uid_map_remapped(const char *text, const struct detect_host_ids *ids, char *why,
				 size_t whysz)
{
	const char *p = text;
	int lines = 0, root_remapped = 0;
	enum tri verdict = TRI_YES;

	snprintf(why, whysz, "no readable uid_map");
	while (*p) {
		unsigned long long in, out, count;

		while (*p == '\n')
			p++;
		if (!*p)
			break;
		if (uid_map_field(&p, &in) < 0 || uid_map_field(&p, &out) < 0 ||
		    uid_map_field(&p, &count) < 0 || count == 0)
			return TRI_UNKNOWN;
		/* A range past the 32-bit uid space wraps to host uid 0 as far as
		 * anyone reading the numbers can tell: not something a kernel
		 * prints, so not proof of anything. */
		if (in + count > 0x100000000ull || out + count > 0x100000000ull)
			return TRI_UNKNOWN;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '\n')
			return TRI_UNKNOWN;
		if (++lines > 340)      /* the kernel's limit */
			return TRI_UNKNOWN;
		/* Every range must be subordinate ids: above the classic uid space
		 * (root, system and human accounts, nobody) and clear of every
		 * account the host has - or the sandbox's root (or any of its
		 * users) is someone on the host. */
		long long acct = account_in(ids, out, out + count);
		if (verdict == TRI_YES && out == 0) {
			verdict = TRI_NO;
			snprintf(why, whysz, "a range of the map reaches host uid 0");
		} else if (verdict == TRI_YES && out < DETECT_SUBID_MIN) {
			verdict = TRI_NO;
			snprintf(why, whysz, "a range of the map starts at host uid %llu, below %u (the "
				 "host's own accounts)", out, DETECT_SUBID_MIN);
		} else if (verdict == TRI_YES && acct >= 0) {
			verdict = TRI_NO;
			snprintf(why, whysz, "a range of the map covers host uid %lld, a host account", acct);
		}
		if (in == 0)
			root_remapped = 1;
	}
	if (!lines)
		return TRI_UNKNOWN;
	if (verdict == TRI_YES && !root_remapped) {
		snprintf(why, whysz, "the map does not map root");
		return TRI_UNKNOWN;
	}
	return verdict;
}

int detect_host_ids_load(struct detect_host_ids *ids, struct cai_err *err)
{
	struct passwd *pw;

	memset(ids, 0, sizeof(*ids));
	setpwent();
	while ((pw = getpwent())) {
		/* Below the minimum every range is refused anyway. */
		if (pw->pw_uid < DETECT_SUBID_MIN)
			continue;
		if (ids->n == ids->cap) {
			size_t cap = ids->cap ? ids->cap * 2 : 16;
			uid_t *grown = realloc(ids->uid, cap * sizeof(*grown));
			if (!grown) {
				endpwent();
				detect_host_ids_release(ids);
				return err_set(err, ENOMEM, "host accounts");
			}
			ids->uid = grown;
			ids->cap = cap;
		}
		ids->uid[ids->n++] = pw->pw_uid;
	}
	endpwent();
	return 0;
}

void detect_host_ids_release(struct detect_host_ids *ids)
{
	free(ids->uid);
	memset(ids, 0, sizeof(*ids));
}

int detect_version_cmp(const char *a, const char *b, int *cmp)
{
	*cmp = 0;
	while (*a || *b) {
		unsigned long x = 0, y = 0;
		char *end;

		if (*a) {
			if (!isdigit((unsigned char)*a))
				return -1;
			x = strtoul(a, &end, 10);
			a = end;
			if (*a == '.' && isdigit((unsigned char)a[1]))
				a++;
			else if (*a)
				return -1;
		}
		if (*b) {
			if (!isdigit((unsigned char)*b))
				return -1;
			y = strtoul(b, &end, 10);
			b = end;
			if (*b == '.' && isdigit((unsigned char)b[1]))
				b++;
			else if (*b)
				return -1;
		}
		if (x != y) {
			*cmp = x < y ? -1 : 1;
			return 0;
		}
	}
	return 0;
}

int detect_desktop_version(const char *name, char *out, size_t outsz)
{
	static const char prefix[] = "Docker Desktop ";
	size_t n;

	if (!name || strncmp(name, prefix, sizeof(prefix) - 1))
		return -1;
	name += sizeof(prefix) - 1;
	n = strspn(name, "0123456789.");
	if (!n || n >= outsz || (name[n] && name[n] != ' '))
		return -1;
	memcpy(out, name, n);
	out[n] = '\0';
	return 0;
}

int detect_help_has_flag(const char *help, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = help; (p = strstr(p, flag)); p += n) {
		char before = p == help ? ' ' : p[-1];
		char after = p[n];
		if ((before == ' ' || before == '\t' || before == ',' || before == '\n') &&
		    !(isalnum((unsigned char)after) || after == '-' || after == '_'))
			return 1;
	}
	return 0;
}

/* A runtime name as it goes into --runtime=NAME and the report. */
static int runtime_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < DETECT_RUNTIME_NAME_MAX && isalnum((unsigned char)name[0]) &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int binary_is_runsc(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, DETECT_GVISOR_BINARY);
}

int detect_gvisor_runtime(const json_t *runtimes, char *name, size_t namesz, char *path,
			  size_t pathsz, char *entry, size_t entrysz, char *why, size_t whysz)
{
	const char *best = NULL, *key;
	json_t *v;

	name[0] = path[0] = entry[0] = '\0';
	snprintf(why, whysz, "the engine lists no runtime whose binary is %s", DETECT_GVISOR_BINARY);
	json_object_foreach((json_t *)runtimes, key, v) {
		const char *p = json_string_value(json_object_get(v, "path"));

		if (!p || !binary_is_runsc(p) || strlen(p) >= pathsz || !runtime_name_ok(key) ||
		    strlen(key) >= namesz)
			continue;
		/* The one named after its binary, else a stable choice. */
		if (!best || !strcmp(key, DETECT_GVISOR_BINARY) ||
		    (strcmp(best, DETECT_GVISOR_BINARY) && strcmp(key, best) < 0))
			best = key;
	}
	if (!best) {
		const char *p = json_string_value(json_object_get(json_object_get(runtimes,
									 DETECT_GVISOR_BINARY), "path"));
		if (p)
			snprintf(why, whysz, "the engine lists no runtime whose binary is %s (the one "
				 "named %s calls '%.100s')", DETECT_GVISOR_BINARY, DETECT_GVISOR_BINARY, p);
		return 0;
	}
	v = json_object_get(runtimes, best);
	snprintf(name, namesz, "%s", best);
	snprintf(path, pathsz, "%s", json_string_value(json_object_get(v, "path")));
	/* Too long to remember exactly: left empty, and never cached. */
	_cleanup_free_ char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (text && strlen(text) < entrysz)
		snprintf(entry, entrysz, "%s", text);
	why[0] = '\0';
	return 1;
}

int detect_docker_mode(enum iso_mode m)
{
	return m == MODE_SYSBOX || m == MODE_GVISOR || m == MODE_NONE;
}

int detect_usable(const struct detect_result *r, enum iso_mode m)
{
	switch (m) {
	case MODE_SBX:
		return r->sbx == TRI_YES;
	case MODE_ECI:
		return r->eci_status == ECI_ENABLED && r->desktop_new_enough == TRI_YES &&
		       r->sandbox_plugin == TRI_YES;
	case MODE_SYSBOX:
		return r->docker_daemon == TRI_YES && r->sysbox_runtime && r->sysbox_remap == TRI_YES;
	case MODE_GVISOR:
		return r->docker_daemon == TRI_YES && r->gvisor_runtime[0] && r->gvisor == TRI_YES;
	case MODE_NONE:
		break;
	}
	return 0;
}

enum iso_mode detect_choose(const struct detect_result *r)
{
	static const enum iso_mode order[] = { MODE_SBX, MODE_ECI, MODE_SYSBOX, MODE_GVISOR };

	if (r->prefer != MODE_NONE && detect_usable(r, r->prefer))
		return r->prefer;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (detect_usable(r, order[i]))
			return order[i];
	return MODE_NONE;
}

static const char *const mode_names[] = { "none", "sysbox", "eci", "sbx", "gvisor" };
_Static_assert(ARRAY_SIZE(mode_names) == MODE_GVISOR + 1, "a name for every mode");

const char *detect_mode_name(enum iso_mode m)
{
	return mode_names[m];
}

int detect_mode_parse(const char *name, enum iso_mode *m)
{
	for (size_t i = MODE_NONE + 1; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(name, mode_names[i])) {
			*m = (enum iso_mode)i;
			return 0;
		}
	return -1;
}

const char *detect_platform_name(enum platform p)
{
	static const char *const n[] = { "linux", "wsl", "macos" };
	return n[p];
}

const char *detect_eci_status_name(enum eci_status s)
{
	static const char *const n[] = { "not_available", "available_not_enabled", "enabled" };
	return n[s];
}

/* ---- probes ------------------------------------------------------------ */

/* One probe of a round: cli (or the pinned docker when NULL) and words. */
static struct proc_job *probe_add(struct batch *b, const struct docker *d, const char *cli,
				  const char *const *words, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };
	struct proc_job *j;

	if (cli)
		argv_push(&a, cli);
	else
		docker_argv(d, &a);
	for (; *words; words++)
		argv_push(&a, *words);
	if (!(j = batch_add(b, &a, err)))
		return NULL;
	j->timeout_ms = d->timeout_ms;
	j->out_max = 256 * 1024;
	return j;
}

static void reason(char *dst, const struct proc_job *j)
{
	proc_describe_failure(j, dst, DETECT_REASON_MAX);
}

/* Why an answer was refused, cut to the report's field. */
static void refused_reason(char *dst, const struct cai_err *err)
{
	snprintf(dst, DETECT_REASON_MAX, "%.*s", DETECT_REASON_MAX - 1, err->msg);
}

static void classify_docker_version(struct detect_result *r, const struct proc_job *j)
{
	struct cai_err err;

	if (!j->started) {
		r->docker_cli = j->spawn_errno != ENOENT;
		r->docker_daemon = TRI_NO;
		reason(r->docker_reason, j);
		return;
	}
	r->docker_cli = 1;
	if (!proc_ok(j)) {
		reason(r->docker_reason, j);
		r->docker_permission_denied = strcasestr(j->errout, "permission denied") != NULL;
		r->docker_daemon = j->timed_out ? TRI_UNKNOWN : TRI_NO;
		return;
	}
	json_auto_t *root = docker_json(j, JSON_OBJECT, &err);
	json_t *server = json_object_get(root, "Server");
	const char *ver = json_string_value(json_object_get(server, "Version"));
	if (!ver) {
		if (root)
			snprintf(r->docker_reason, DETECT_REASON_MAX,
				 "docker version: answer is not the expected JSON");
		else
			refused_reason(r->docker_reason, &err);
		r->docker_daemon = TRI_UNKNOWN;
		return;
	}
	r->docker_daemon = TRI_YES;
	snprintf(r->server_version, sizeof(r->server_version), "%s", ver);
	const char *pname = json_string_value(json_object_get(json_object_get(server, "Platform"), "Name"));
	snprintf(r->server_platform, sizeof(r->server_platform), "%s", pname ? pname : "");
	if (pname && !strncmp(pname, "Docker Desktop", 14)) {
		r->desktop = 1;
		int cmp;
		if (detect_desktop_version(pname, r->desktop_version, sizeof(r->desktop_version)) < 0 ||
		    detect_version_cmp(r->desktop_version, DETECT_DESKTOP_MIN, &cmp) < 0)
			r->desktop_new_enough = TRI_UNKNOWN;
		else
			r->desktop_new_enough = cmp >= 0 ? TRI_YES : TRI_NO;
	}
}

/* A string field of docker info, "" when absent or not a string. */
static void info_string(const json_t *root, const char *key, char *out, size_t outsz)
{
	const char *v = json_string_value(json_object_get(root, key));

	snprintf(out, outsz, "%s", v ? v : "");
}

static void classify_docker_info(struct detect_result *r, const struct proc_job *j)
{
	struct cai_err err;
	json_auto_t *root = docker_json(j, JSON_OBJECT, &err);
	json_t *runtimes = json_object_get(root, "Runtimes");

	if (!json_is_object(runtimes)) {
		if (root)
			snprintf(r->sysbox_reason, DETECT_REASON_MAX,
				 "docker info: answer is not the expected JSON");
		else
			refused_reason(r->sysbox_reason, &err);
		r->sysbox_remap = TRI_UNKNOWN;
		r->gvisor = TRI_UNKNOWN;
		snprintf(r->gvisor_reason, DETECT_REASON_MAX, "%s", r->sysbox_reason);
		return;
	}
	info_string(root, "ID", r->engine_id, sizeof(r->engine_id));
	info_string(root, "KernelVersion", r->engine_kernel, sizeof(r->engine_kernel));
	if (!detect_gvisor_runtime(runtimes, r->gvisor_runtime, sizeof(r->gvisor_runtime),
				   r->gvisor_path, sizeof(r->gvisor_path), r->gvisor_entry,
				   sizeof(r->gvisor_entry), r->gvisor_reason, DETECT_REASON_MAX))
		r->gvisor = TRI_NO;
	r->sysbox_runtime = json_object_get(runtimes, DETECT_SYSBOX_RUNTIME) != NULL;
	/* For the sandboxes' default limits; absent or odd: unknown. */
	r->mem_total = json_integer_value(json_object_get(root, "MemTotal"));
	r->ncpu = json_integer_value(json_object_get(root, "NCPU"));
	if (!r->sysbox_runtime) {
		r->sysbox_remap = TRI_NO;
		snprintf(r->sysbox_reason, DETECT_REASON_MAX, "the engine lists no runtime named %s",
			 DETECT_SYSBOX_RUNTIME);
	}
}

static void classify_sbx(struct detect_result *r, const struct proc_job *ver, const struct proc_job *ls)
{
	r->sbx_cli = ver->started;
	if (!ver->started && ver->spawn_errno == ENOENT) {
		r->sbx = TRI_NO;
		snprintf(r->sbx_reason, DETECT_REASON_MAX, "sbx: not found on PATH");
	} else if (!proc_ok(ver)) {
		r->sbx = TRI_UNKNOWN;
		reason(r->sbx_reason, ver);
	} else if (!proc_ok(ls)) {
		r->sbx = TRI_UNKNOWN;
		reason(r->sbx_reason, ls);
	} else {
		r->sbx = TRI_YES;
	}
}

/* A probe container that did not run to the end: why, and -1. */
static int probe_failed(const struct proc_job *j, const char *image, char *why, int *image_missing)
{
	if (proc_ok(j) && !j->out_truncated)
		return 0;
	if (j->started && !j->timed_out &&
	    (strstr(j->errout, "No such image") || strstr(j->errout, "Unable to find image"))) {
		snprintf(why, DETECT_REASON_MAX, "probe image %s is not present (it is never pulled)",
			 image);
		*image_missing = 1;
	} else
		proc_describe_failure(j, why, DETECT_REASON_MAX);
	return -1;
}

/* A probe's stdout is /proc/self/uid_map of a container. */
static enum tri classify_probe(const struct proc_job *j, const char *image,
			      const struct detect_host_ids *ids, char *why, int *image_missing)
{
	if (probe_failed(j, image, why, image_missing) < 0)
		return TRI_UNKNOWN;
	char rule[160];
	enum tri t = detect_uid_map_remapped(j->out, ids, rule, sizeof(rule));
	if (t == TRI_UNKNOWN)
		snprintf(why, DETECT_REASON_MAX, "probe container printed no readable uid_map (%s)", rule);
	else if (t == TRI_NO)
		snprintf(why, DETECT_REASON_MAX, "root in a probe container is not confined to "
			 "subordinate ids: %s (uid_map: %.60s)", rule, j->out);
	return t;
}

/* A probe's stdout is /proc/version and the kernel log's first line. */
static void classify_gvisor(struct detect_result *r, const struct proc_job *j, const char *image)
{
	if (probe_failed(j, image, r->gvisor_reason, &r->probe_image_missing) < 0) {
		r->gvisor = TRI_UNKNOWN;
		return;
	}
	switch (guest_kernel_classify(r->engine_kernel, j->out, r->gvisor_reason, DETECT_REASON_MAX)) {
	case GUEST_KERNEL_GVISOR:
		r->gvisor = TRI_YES;
		r->gvisor_verified_at = (long long)time(NULL);
		break;
	case GUEST_KERNEL_UNKNOWN:
		r->gvisor = TRI_UNKNOWN;
		break;
	default:
		r->gvisor = TRI_NO;
	}
}

/* What a remembered gVisor verdict must match: the pinned engine, its id
 * and kernel, the runtime's whole entry, and the binary when its path is
 * on this machine (a runsc replaced in place has a new inode or change
 * time).  -1 when any part is missing or would break the line format. */
static int gvisor_cache_key(const struct docker *d, const struct detect_result *r, char *key,
			    size_t keysz)
{
	char binary[128] = "-";
	struct stat st;

	if (!r->engine_id[0] || !r->engine_kernel[0] || !r->gvisor_entry[0])
		return -1;
	if (r->gvisor_path[0] == '/' && stat(r->gvisor_path, &st) == 0)
		snprintf(binary, sizeof(binary), "%ju:%ju:%jd:%lld.%09ld:%lld.%09ld",
			 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			 (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	int n = snprintf(key, keysz, "engine %s %s\nid %s\nkernel %s\nruntime %s\nentry %s\nbinary %s\n",
			 d->flag, d->target, r->engine_id, r->engine_kernel, r->gvisor_runtime,
			 r->gvisor_entry, binary);
	if (n < 0 || (size_t)n >= keysz)
		return -1;
	/* Six lines exactly: no field may add one. */
	size_t lines = 0;
	for (const char *c = key; *c; c++)
		lines += *c == '\n';
	return lines == 6 ? 0 : -1;
}

static void classify_sandbox(struct detect_result *r, const struct proc_job *ver,
			     const struct proc_job *help)
{
	if (!proc_ok(ver)) {
		r->sandbox_plugin = ver->timed_out ? TRI_UNKNOWN : TRI_NO;
		reason(r->sandbox_reason, ver);
		return;
	}
	/* A docker CLI without the plugin answers `--help` with its own
	 * help and status 0: only a help about `docker sandbox run` counts. */
	if (!proc_ok(help) || !strstr(help->out, "sandbox run")) {
		r->sandbox_plugin = TRI_UNKNOWN;
		snprintf(r->sandbox_reason, DETECT_REASON_MAX,
			 "docker sandbox run --help did not describe docker sandbox run");
		return;
	}
	r->sandbox_plugin = TRI_YES;
	struct sandbox_flags *f = &r->sandbox_flags;
	f->name = detect_help_has_flag(help->out, "--name");
	f->template_ = detect_help_has_flag(help->out, "--template");
	f->pull_template = detect_help_has_flag(help->out, "--pull-template");
	f->env = detect_help_has_flag(help->out, "--env");
	f->env_file = detect_help_has_flag(help->out, "--env-file");
	f->detached = detect_help_has_flag(help->out, "--detached");
	f->mount_docker_socket = detect_help_has_flag(help->out, "--mount-docker-socket");
	f->credentials = detect_help_has_flag(help->out, "--credentials");
}

/* Round 1: what the engine and sbx say about themselves. */
static int detect_round1(const struct docker *d, struct detect_result *r, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct proc_job *j_ver = NULL, *j_info = NULL, *j_sver, *j_sls;

	if (!d->cli_missing && !d->unresolved) {
		j_ver = probe_add(&b, d, NULL, (const char *[]){ "version", "--format", "{{json .}}", NULL }, err);
		j_info = probe_add(&b, d, NULL, (const char *[]){ "info", "--format", "{{json .}}", NULL }, err);
		if (!j_ver || !j_info)
			return -1;
	}
	j_sver = probe_add(&b, d, "sbx", (const char *[]){ "version", NULL }, err);
	j_sls = probe_add(&b, d, "sbx", (const char *[]){ "ls", NULL }, err);
	if (!j_sver || !j_sls || batch_run(&b, err) < 0)
		return -1;
	if (j_ver) {
		classify_docker_version(r, j_ver);
		if (r->docker_daemon == TRI_YES)
			classify_docker_info(r, j_info);
	} else if (d->unresolved) {
		/* No engine to pin every call to: none is asked at all. */
		r->docker_cli = 1;
		r->docker_daemon = TRI_UNKNOWN;
		snprintf(r->docker_reason, DETECT_REASON_MAX, "%s", d->reason);
	} else {
		snprintf(r->docker_reason, DETECT_REASON_MAX, "docker: not found on PATH");
	}
	if (r->docker_daemon != TRI_YES) {
		snprintf(r->sysbox_reason, DETECT_REASON_MAX, "no docker engine answered");
		snprintf(r->gvisor_reason, DETECT_REASON_MAX, "no docker engine answered");
	}
	classify_sbx(r, j_sver, j_sls);
	return 0;
}

/* Round 2: the probes that need a running engine, all at once. */
static int detect_round2(const struct docker *d, const struct detect_opts *o, const char *probe_name,
			 struct detect_result *r, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_host_ids_ struct detect_host_ids ids = { 0 };
	char runtime[DETECT_RUNTIME_NAME_MAX + 16];
	struct proc_job *j_sbv = NULL, *j_sbh = NULL, *j_eci = NULL, *j_sys = NULL, *j_gv = NULL;

	if (r->desktop) {
		j_sbv = probe_add(&b, d, NULL, (const char *[]){ "sandbox", "version", NULL }, err);
		j_sbh = probe_add(&b, d, NULL, (const char *[]){ "sandbox", "run", "--help", NULL }, err);
		/* No --rm: the runtime it ran under is read back before removal. */
		j_eci = probe_add(&b, d, NULL, (const char *[]){
			"run", "--name", probe_name, "--pull=never", "--network=none",
			"--label", DETECT_PROBE_LABEL, "--entrypoint", "cat", o->probe_image,
			"/proc/self/uid_map", NULL }, err);
		if (!j_sbv || !j_sbh || !j_eci)
			return -1;
	} else {
		snprintf(r->eci_reason, DETECT_REASON_MAX, "the engine is not Docker Desktop");
		snprintf(r->sandbox_reason, DETECT_REASON_MAX, "the engine is not Docker Desktop");
	}
	if (r->sysbox_runtime) {
		j_sys = probe_add(&b, d, NULL, (const char *[]){
			"run", "--rm", "--pull=never", "--network=none", "--runtime=" DETECT_SYSBOX_RUNTIME,
			"--label", DETECT_PROBE_LABEL, "--entrypoint", "cat", o->probe_image,
			"/proc/self/uid_map", NULL }, err);
		if (!j_sys)
			return -1;
	}
	if (r->gvisor_runtime[0] && !r->gvisor_cached) {
		/* --runtime=NAME is one word: no name is read as an option. */
		snprintf(runtime, sizeof(runtime), "--runtime=%s", r->gvisor_runtime);
		j_gv = probe_add(&b, d, NULL, (const char *[]){
			"run", "--rm", "--pull=never", "--network=none", runtime,
			"--label", DETECT_PROBE_LABEL, "--entrypoint", "sh", o->probe_image,
			"-c", GUEST_KERNEL_PROBE_CMD, NULL }, err);
		if (!j_gv)
			return -1;
	}
	/* The host's accounts are read only when a uid map is to be judged. */
	if (batch_run(&b, err) < 0 || ((j_sys || j_eci) && detect_host_ids_load(&ids, err) < 0))
		return -1;
	if (j_sys)
		r->sysbox_remap = classify_probe(j_sys, o->probe_image, &ids, r->sysbox_reason,
						  &r->probe_image_missing);
	if (j_gv)
		classify_gvisor(r, j_gv, o->probe_image);
	if (j_eci) {
		classify_sandbox(r, j_sbv, j_sbh);
		r->eci_probe = classify_probe(j_eci, o->probe_image, &ids, r->eci_reason,
					      &r->probe_image_missing);
	}
	return 0;
}

/* Round 3 (Desktop): under which runtime did the ECI probe run? */
static int detect_eci_runtime(const struct docker *d, const char *probe_name,
			      struct detect_result *r, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct cai_err why;
	struct proc_job *j;

	j = probe_add(&b, d, NULL, (const char *[]){
		"container", "inspect", "--format", "{{json .HostConfig.Runtime}}", probe_name, NULL }, err);
	if (!j || batch_run(&b, err) < 0)
		return -1;
	json_auto_t *v = docker_json(j, JSON_STRING, &why);
	const char *runtime = json_string_value(v);
	if (!v) {
		r->eci_probe = TRI_UNKNOWN;
		refused_reason(r->eci_reason, &why);
	} else if (strcmp(runtime, DETECT_SYSBOX_RUNTIME)) {
		r->eci_probe = runtime[0] ? TRI_NO : TRI_UNKNOWN;
		snprintf(r->eci_reason, DETECT_REASON_MAX,
			 "the probe container ran under runtime '%.64s', not %s", runtime,
			 DETECT_SYSBOX_RUNTIME);
	}
	return 0;
}

/* The ECI probe is removed whatever happened to it. */
static int detect_remove_probe(const struct docker *d, const char *probe_name, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };

	if (!probe_add(&b, d, NULL, (const char *[]){ "rm", "-f", probe_name, NULL }, err))
		return -1;
	return batch_run(&b, err);
}

int detect_run(const struct docker *d, const struct detect_opts *o, struct detect_result *r,
	       struct cai_err *err)
{
	char probe_name[64], path[PATH_MAX], key[2048], why[PATHTRUST_WHY_MAX];

	memset(r, 0, sizeof(*r));
	r->prefer = o->prefer;
	r->platform = detect_platform();
	r->docker_daemon = TRI_NO;
	r->sandbox_plugin = TRI_NO;
	r->eci_probe = TRI_NO;
	r->sysbox_remap = TRI_NO;
	r->desktop_new_enough = TRI_NO;
	/* Unique enough that two launchers never share a probe. */
	snprintf(probe_name, sizeof(probe_name), "containai-probe-%ld-%llx", (long)getpid(),
		 (unsigned long long)clock_now_ns());

	if (detect_round1(d, r, err) < 0)
		return -1;
	/* Found as the launcher would run it: a runsc only in the workspace
	 * or a writable directory is not installed. */
	r->runsc_installed = pathtrust_find(DETECT_GVISOR_BINARY, path, sizeof(path), why, sizeof(why)) == 0;
	int keyed = o->cache_path && r->gvisor_runtime[0] && gvisor_cache_key(d, r, key, sizeof(key)) == 0;
	if (keyed && probe_cache_lookup(o->cache_path, key, (long long)time(NULL), DETECT_GVISOR_CACHE_S,
					&r->gvisor_verified_at, r->gvisor_reason, DETECT_REASON_MAX) == 1) {
		r->gvisor = TRI_YES;
		r->gvisor_cached = 1;
	}
	if (r->docker_daemon == TRI_YES) {
		if (detect_round2(d, o, probe_name, r, err) < 0)
			return -1;
		/* Only a proof is remembered; a failed store means the next
		 * run probes again, nothing more. */
		if (keyed && r->gvisor == TRI_YES && !r->gvisor_cached) {
			struct cai_err ignored;
			(void)probe_cache_store(o->cache_path, key, r->gvisor_verified_at,
						r->gvisor_reason, &ignored);
		}
		if (r->desktop) {
			if ((r->eci_probe == TRI_YES && detect_eci_runtime(d, probe_name, r, err) < 0) ||
			    detect_remove_probe(d, probe_name, err) < 0)
				return -1;
			r->eci_status = r->eci_probe == TRI_YES ? ECI_ENABLED : ECI_AVAILABLE_NOT_ENABLED;
			if (r->desktop_new_enough != TRI_YES && r->eci_probe == TRI_YES)
				snprintf(r->eci_reason, DETECT_REASON_MAX,
					 "Docker Desktop %s is older than %s (needed for docker sandbox)",
					 r->desktop_version[0] ? r->desktop_version : "(unknown version)",
					 DETECT_DESKTOP_MIN);
		}
	}
	r->mode = detect_choose(r);
	return 0;
}
