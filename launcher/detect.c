/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "detect.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "batch.h"
#include "clock.h"
#include "decimal.h"
#include "fd.h"

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

enum iso_mode detect_choose(const struct detect_result *r)
{
	if (r->sbx == TRI_YES)
		return MODE_SBX;
	if (r->eci_status == ECI_ENABLED && r->desktop_new_enough == TRI_YES &&
	    r->sandbox_plugin == TRI_YES)
		return MODE_ECI;
	if (r->docker_daemon == TRI_YES && r->sysbox_runtime && r->sysbox_remap == TRI_YES)
		return MODE_SYSBOX;
	return MODE_NONE;
}

const char *detect_mode_name(enum iso_mode m)
{
	static const char *const n[] = { "none", "sysbox", "eci", "sbx" };
	return n[m];
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
		return;
	}
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

/* A probe's stdout is /proc/self/uid_map of a container. */
static enum tri classify_probe(const struct proc_job *j, const char *image,
			      const struct detect_host_ids *ids, char *why, int *image_missing)
{
	if (!proc_ok(j) || j->out_truncated) {
		if (j->started && !j->timed_out &&
		    (strstr(j->errout, "No such image") || strstr(j->errout, "Unable to find image"))) {
			snprintf(why, DETECT_REASON_MAX,
				 "probe image %s is not present (it is never pulled)", image);
			*image_missing = 1;
		} else
			proc_describe_failure(j, why, DETECT_REASON_MAX);
		return TRI_UNKNOWN;
	}
	char rule[160];
	enum tri t = detect_uid_map_remapped(j->out, ids, rule, sizeof(rule));
	if (t == TRI_UNKNOWN)
		snprintf(why, DETECT_REASON_MAX, "probe container printed no readable uid_map (%s)", rule);
	else if (t == TRI_NO)
		snprintf(why, DETECT_REASON_MAX, "root in a probe container is not confined to "
			 "subordinate ids: %s (uid_map: %.60s)", rule, j->out);
	return t;
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
	if (r->docker_daemon != TRI_YES)
		snprintf(r->sysbox_reason, DETECT_REASON_MAX, "no docker engine answered");
	classify_sbx(r, j_sver, j_sls);
	return 0;
}

/* Round 2: the probes that need a running engine, all at once. */
static int detect_round2(const struct docker *d, const struct detect_opts *o, const char *probe_name,
			 struct detect_result *r, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_host_ids_ struct detect_host_ids ids = { 0 };
	struct proc_job *j_sbv = NULL, *j_sbh = NULL, *j_eci = NULL, *j_sys = NULL;

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
	/* The host's accounts are read only when a uid map is to be judged. */
	if (batch_run(&b, err) < 0 || ((j_sys || j_eci) && detect_host_ids_load(&ids, err) < 0))
		return -1;
	if (j_sys)
		r->sysbox_remap = classify_probe(j_sys, o->probe_image, &ids, r->sysbox_reason,
						  &r->probe_image_missing);
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
	char probe_name[64];

	memset(r, 0, sizeof(*r));
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
	if (r->docker_daemon == TRI_YES) {
		if (detect_round2(d, o, probe_name, r, err) < 0)
			return -1;
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
