/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "doctor.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "credential.h"
#include "egress.h"
#include "fd.h"
#include "log.h"
#include "settings.h"

int doctor_egress_probe(const struct session *s, struct doctor_egress *e, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct registries_tools t = { 0 };
	struct proc_job *img = NULL;

	memset(e, 0, sizeof(*e));
	e->image = TRI_UNKNOWN;
	credential_names(s->cfg.cred, s->cfg.ncred, &e->credentials);
	if (!detect_docker_mode(s->det.mode) || s->cfg.egress == EGRESS_OFF)
		return e->credentials.oom ? argv_ok(&e->credentials, err) : 0;
	if (s->det.docker_daemon == TRI_YES) {
		_cleanup_argv_ struct argv a = { 0 };
		docker_argv(&s->docker, &a);
		argv_push(&a, "image");
		argv_push(&a, "inspect");
		argv_push(&a, "--format");
		argv_push(&a, "{{.Id}}");
		argv_push(&a, s->cfg.egress_image);
		if (!(img = batch_add(&b, &a, err)))
			return -1;
		img->timeout_ms = s->cfg.timeout_s * 1000;
	}
	if (s->cfg.egress == EGRESS_BALANCED && registries_tools_add(&b, s->cfg.timeout_s * 1000, &t, err) < 0)
		return -1;
	if (batch_run(&b, err) < 0)
		return -1;
	if (img)
		e->image = proc_ok(img) ? TRI_YES : img->exited && strcasestr(img->errout, "no such") ? TRI_NO
											      : TRI_UNKNOWN;
	if (s->cfg.egress == EGRESS_BALANCED)
		registries_collect(&t, s->workspace, &e->reg);
	return e->credentials.oom ? argv_ok(&e->credentials, err) : 0;
}

void doctor_egress_release(struct doctor_egress *e)
{
	registries_release(&e->reg);
	argv_free(&e->credentials);
}

/* The probe image is never pulled: say where one comes from. */
#define PROBE_IMAGE_REMEDY                                                                   \
	"build the probe image (`make image` in ContainAI's source tree builds " CAI_DEFAULT_IMAGE \
	") or name one this engine has as probe_image in the config or CONTAINAI_PROBE_IMAGE, "    \
	"then run doctor again"

const char *doctor_recommended_action(const struct detect_result *r)
{
	switch (r->mode) {
	case MODE_SBX:
		return "ready: containai run uses sbx (a microVM per sandbox)";
	case MODE_ECI:
		return "ready: containai run uses Docker Desktop sandboxes with Enhanced Container Isolation";
	case MODE_SYSBOX:
		return "ready: containai run uses the sysbox-runc runtime";
	case MODE_GVISOR:
		return "ready: containai run uses gVisor (the runsc runtime)";
	case MODE_NONE:
		break;
	}
	if (r->sbx_cli)
		return "sbx is installed but does not answer: run `sbx ls` and fix what it reports";
	if (!r->docker_cli)
		return "install the sbx CLI, or Docker with the Sysbox runtime";
	if (r->docker_permission_denied)
		return "give your user access to the Docker socket (the docker group), then run doctor again";
	if (r->docker_daemon != TRI_YES)
		return "start the Docker engine (or fix the selected context), then run doctor again";
	if (r->probe_image_missing)
		return PROBE_IMAGE_REMEDY;
	if (r->desktop && r->desktop_new_enough != TRI_YES)
		return "update Docker Desktop to 4.50 or later and enable Enhanced Container Isolation";
	if (r->desktop && r->eci_status != ECI_ENABLED)
		return "enable Enhanced Container Isolation in Docker Desktop (Settings > General)";
	if (r->desktop && r->sandbox_plugin != TRI_YES)
		return "install or repair the docker sandbox plugin of Docker Desktop";
	if (r->sysbox_runtime && r->sysbox_remap == TRI_UNKNOWN)
		return "fix the sysbox probe (see its reason above), then run doctor again";
	if (r->sysbox_runtime)
		return "the runtime named sysbox-runc does not remap uids: install the real Sysbox runtime";
	if (r->gvisor_runtime[0] && r->gvisor == TRI_UNKNOWN)
		return "fix the gVisor probe (see its reason above), then run doctor again";
	if (r->gvisor_runtime[0])
		return "the runtime whose binary is runsc does not run gVisor's kernel: register the real "
		       "runsc with `sudo containai setup gvisor`";
	if (r->runsc_installed)
		return "gVisor's runsc is installed but not registered with the engine: run `sudo containai "
		       "setup gvisor`, reload the engine, then run doctor again";
	return "set up gVisor on this engine with `sudo containai setup gvisor` (installs runsc and "
	       "registers it), or install Sysbox, or use sbx or Docker Desktop with ECI";
}

static const char *tri_word(enum tri t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

/* One report line.  Versions, names and reasons come from the engine and
 * its CLIs: a lying engine must not clear the screen or add an "[OK]"
 * line of its own. */
static void doctor_line(FILE *out, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void doctor_line(FILE *out, const char *tag, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	log_sanitize(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	fprintf(out, "[%s] %s\n", tag, line);
}

#define LINE(tag, ...) doctor_line(out, tag, __VA_ARGS__)

static void egress_lines(const struct session *s, const struct doctor_egress *e, FILE *out);

static void doctor_gvisor(const struct detect_result *r, FILE *out)
{
	if (!r->gvisor_runtime[0] && r->gvisor == TRI_NO)
		LINE("INFO", "gvisor: %s; runsc is %s - remedy: `sudo containai setup gvisor` %s", r->gvisor_reason,
		     r->runsc_installed ? "installed on this machine" : "not installed on this machine",
		     r->runsc_installed ? "registers it" : "installs and registers it");
	else if (r->gvisor == TRI_YES && r->gvisor_cached)
		LINE("OK", "gvisor: runtime %s (%s): %s - proven by a probe container %llds ago",
		     r->gvisor_runtime, r->gvisor_path, r->gvisor_reason,
		     (long long)time(NULL) - r->gvisor_verified_at);
	else if (r->gvisor == TRI_YES)
		LINE("OK", "gvisor: runtime %s (%s): %s", r->gvisor_runtime, r->gvisor_path,
		     r->gvisor_reason);
	else if (r->gvisor == TRI_NO)
		LINE("ERROR", "gvisor: runtime %s (%s) is not gVisor: %s - remedy: register the real "
		     "runsc (`sudo containai setup gvisor`)", r->gvisor_runtime, r->gvisor_path,
		     r->gvisor_reason);
	else if (r->probe_image_missing)
		LINE("ERROR", "gvisor: cannot tell: %s - remedy: " PROBE_IMAGE_REMEDY, r->gvisor_reason);
	else
		LINE("ERROR", "gvisor: cannot tell: %s - remedy: fix this and run doctor again",
		     r->gvisor_reason);
}

int doctor_print_text(const struct session *s, const struct doctor_egress *e, FILE *out,
		      struct cai_err *err)
{
	const struct detect_result *r = &s->det;

	LINE("INFO", "platform: %s", detect_platform_name(r->platform));
	LINE("INFO", "config: %s", s->cfg.path[0] ? s->cfg.path : "(none; built-in defaults)");
	LINE("INFO", "docker engine: %s %s (from %s)", s->docker.flag, s->docker.target,
	     s->docker.source[0] ? s->docker.source : "-");
	LINE("INFO", "image: %s, probe image: %s", s->cfg.image, settings_probe_image(&s->cfg));
	for (size_t i = 0; i < s->path_skipped.n && i < PATHTRUST_REPORT_MAX; i++)
		LINE("WARN", "PATH entry '%s' skipped: %s - no program is taken from it",
		     s->path_skipped.v[i].entry, s->path_skipped.v[i].why);
	if (s->path_skipped.n > PATHTRUST_REPORT_MAX)
		LINE("WARN", "PATH: %zu more entries skipped", s->path_skipped.n - PATHTRUST_REPORT_MAX);

	if (r->sbx == TRI_YES)
		LINE("OK", "sbx: answers (sbx version, sbx ls)");
	else if (r->sbx_cli)
		LINE("ERROR", "sbx: installed but not working: %s - remedy: run `sbx ls` and fix what it reports",
		     r->sbx_reason);
	else
		LINE("INFO", "sbx: not installed");

	if (!r->docker_cli)
		LINE("ERROR", "docker: the docker CLI is not on PATH - remedy: install Docker");
	else if (r->docker_daemon == TRI_YES)
		LINE("OK", "docker: engine %s answers%s%s", r->server_version,
		     r->server_platform[0] ? " on " : "", r->server_platform);
	else if (r->docker_permission_denied)
		LINE("ERROR", "docker: permission denied: %s - remedy: add your user to the docker group",
		     r->docker_reason);
	else
		LINE("ERROR", "docker: engine does not answer (%s): %s - remedy: start it or select "
		     "another context with --context", tri_word(r->docker_daemon), r->docker_reason);

	if (r->docker_daemon == TRI_YES) {
		if (!r->desktop) {
			LINE("INFO", "eci: not available (%s)", r->eci_reason);
		} else {
			if (r->desktop_new_enough == TRI_YES)
				LINE("OK", "docker desktop: %s (>= %s)", r->desktop_version, DETECT_DESKTOP_MIN);
			else
				LINE("WARN", "docker desktop: %s is older than %s or unreadable - remedy: update "
				     "Docker Desktop", r->desktop_version[0] ? r->desktop_version : "version",
				     DETECT_DESKTOP_MIN);
			if (r->sandbox_plugin == TRI_YES)
				LINE("OK", "docker sandbox plugin: answers");
			else
				LINE("ERROR", "docker sandbox plugin: %s - remedy: install or update Docker "
				     "Desktop's sandbox support", r->sandbox_reason);
			if (r->eci_status == ECI_ENABLED)
				LINE("OK", "eci: enabled (root remapped, runtime %s)", DETECT_SYSBOX_RUNTIME);
			else if (r->probe_image_missing)
				LINE("ERROR", "eci: cannot tell: %s - remedy: " PROBE_IMAGE_REMEDY, r->eci_reason);
			else
				LINE("ERROR", "eci: not enabled (%s): %s - remedy: enable Enhanced Container "
				     "Isolation in Docker Desktop settings", tri_word(r->eci_probe), r->eci_reason);
		}
		if (!r->sysbox_runtime && r->sysbox_remap == TRI_NO)
			LINE("INFO", "sysbox: %s", r->sysbox_reason);
		else if (r->sysbox_remap == TRI_YES)
			LINE("OK", "sysbox: runtime %s remaps root in its containers", DETECT_SYSBOX_RUNTIME);
		else if (r->sysbox_remap == TRI_NO)
			LINE("ERROR", "sysbox: a runtime is named %s but %s - remedy: install the real "
			     "Sysbox runtime", DETECT_SYSBOX_RUNTIME, r->sysbox_reason);
		else if (r->probe_image_missing)
			LINE("ERROR", "sysbox: cannot tell: %s - remedy: " PROBE_IMAGE_REMEDY, r->sysbox_reason);
		else
			LINE("ERROR", "sysbox: cannot tell: %s - remedy: fix this and run doctor again",
			     r->sysbox_reason);
		doctor_gvisor(r, out);
	}

	if (r->prefer != MODE_NONE && r->mode != r->prefer)
		LINE("WARN", "preferred mode %s is not usable here (prefer); the built-in order applies",
		     detect_mode_name(r->prefer));
	if (r->mode != MODE_NONE)
		LINE("OK", "isolation: mode %s - %s", detect_mode_name(r->mode), doctor_recommended_action(r));
	else
		LINE("ERROR", "isolation: none usable; containai run refuses to start (--force overrides "
		     "unless CONTAINAI_REQUIRE_ISOLATION=1) - remedy: %s", doctor_recommended_action(r));
	if (s->cfg.require_isolation)
		LINE("INFO", "strict mode: CONTAINAI_REQUIRE_ISOLATION is on; --force has no effect");
	if (e)
		egress_lines(s, e, out);
	if (fflush(out) != 0)
		return err_set(err, errno, "writing the report");
	return 0;
}

/* The contract's fields are booleans (true only when proven); the
 * three-valued probe state sits beside them as a word. */
static json_t *jtri(enum tri t)
{
	return json_string(tri_word(t));
}

/* A string of the report as JSON text: what the engine, its CLIs and the
 * environment say can be any bytes (cut mid-character into our buffers,
 * C1 controls written as \u009b), and a report that fails to encode is no
 * report - so every one goes through log_sanitize first. */
static json_t *jtext(const char *s)
{
	_cleanup_free_ char *copy = strdup(s);

	if (!copy)
		return NULL;
	log_sanitize(copy, strlen(copy));
	return json_string(copy);
}

/* The PATH entries no program is taken from, with their reasons. */
static json_t *jpath(const struct pathtrust_report *rep)
{
	json_t *skipped = json_array();

	for (size_t i = 0; skipped && i < rep->n && i < PATHTRUST_REPORT_MAX; i++)
		if (json_array_append_new(skipped, json_pack("{s:o, s:o}", "entry", jtext(rep->v[i].entry),
							     "reason", jtext(rep->v[i].why))) < 0) {
			json_decref(skipped);
			return NULL;
		}
	return json_pack("{s:o, s:I}", "skipped", skipped, "skipped_count", (json_int_t)rep->n);
}

static void egress_lines(const struct session *s, const struct doctor_egress *e, FILE *out)
{
	const struct settings *c = &s->cfg;

	if (!detect_docker_mode(s->det.mode)) {
		LINE("INFO", "egress: in %s mode the sandbox tool's own proxy filters egress",
		     detect_mode_name(s->det.mode));
		return;
	}
	if (c->egress == EGRESS_OFF) {
		LINE("WARN", "egress: off - sandboxes reach every address the engine's network does - "
		     "remedy: --egress balanced (the default) or egress = balanced");
		return;
	}
	LINE("INFO", "egress: policy %s, proxy image %s, way out through network %s",
	     egress_mode_name(c->egress), c->egress_image, c->egress_network);
	if (e->image == TRI_YES)
		LINE("OK", "egress proxy image: %s is on the engine", c->egress_image);
	else
		LINE(e->image == TRI_NO ? "ERROR" : "WARN", "egress proxy image: %s %s - remedy: make image "
		     "(it builds the proxy image offline)", c->egress_image,
		     e->image == TRI_NO ? "is missing" : "could not be looked up");
	if (c->egress_allow[0])
		LINE("INFO", "egress additions: %s", c->egress_allow);
	if (c->egress_allow_cidr[0])
		LINE("INFO", "egress exempt ranges: %s", c->egress_allow_cidr);
	for (size_t i = 0; i < e->reg.n; i++)
		LINE("INFO", "egress registry of this host: %s (%s)", e->reg.r[i].host, e->reg.r[i].from);
	for (size_t i = 0; i < e->reg.notes.n; i++)
		LINE("WARN", "egress registry not added: %s", e->reg.notes.v[i]);
	if (c->egress == EGRESS_BALANCED && !e->reg.n)
		LINE("INFO", "egress: no package registry found on this host; add yours with egress_allow");
	for (size_t i = 0; i < e->credentials.n; i++)
		LINE("INFO", "egress credential the proxy adds: %s", e->credentials.v[i]);
}

/* What the JSON report says of egress: the registries and notes come
 * from the host's tools and files, the rest from the config - text all. */
static json_t *egress_json(const struct session *s, const struct doctor_egress *e)
{
	json_t *reg = json_array(), *notes = json_array(), *creds = json_array();

	for (size_t i = 0; e && reg && i < e->reg.n; i++)
		json_array_append_new(reg, json_pack("{s:o, s:o}", "host", jtext(e->reg.r[i].host), "from",
						     jtext(e->reg.r[i].from)));
	for (size_t i = 0; e && notes && i < e->reg.notes.n; i++)
		json_array_append_new(notes, jtext(e->reg.notes.v[i]));
	for (size_t i = 0; e && creds && i < e->credentials.n; i++)
		json_array_append_new(creds, jtext(e->credentials.v[i]));
	return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "mode", egress_mode_name(s->cfg.egress), "applies", detect_docker_mode(s->det.mode),
			 "image", jtext(s->cfg.egress_image), "image_present", jtri(e ? e->image : TRI_UNKNOWN),
			 "network", jtext(s->cfg.egress_network), "allow", jtext(s->cfg.egress_allow),
			 "allow_cidr", jtext(s->cfg.egress_allow_cidr), "registries", reg, "registry_notes", notes,
			 "credentials", creds);
}

int doctor_print_json(const struct session *s, const struct doctor_egress *e, FILE *out,
		      struct cai_err *err)
{
	const struct detect_result *r = &s->det;
	json_auto_t *root = json_pack(
		"{s:s, s:s, s:{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:b, s:o}, s:{s:s, s:o, s:o, s:o}, "
		"s:{s:b, s:b, s:o, s:o}, s:{s:b, s:o, s:o}, "
		"s:{s:b, s:o, s:o, s:o, s:o, s:b, s:o, s:b}, s:{s:s, s:b, s:o}, s:s, s:b, s:o, s:o}",
		"version", CAI_VERSION,
		"platform", detect_platform_name(r->platform),
		"docker",
		"cli", r->docker_cli,
		"daemon", r->docker_daemon == TRI_YES,
		"daemon_state", jtri(r->docker_daemon),
		"reason", jtext(r->docker_reason),
		"engine", jtext(s->docker.target),
		"server_version", jtext(r->server_version),
		"platform_name", jtext(r->server_platform),
		"desktop", r->desktop,
		"desktop_version", jtext(r->desktop_version),
		"eci",
		"status", detect_eci_status_name(r->eci_status),
		"probe", jtri(r->eci_probe),
		"sandbox_plugin", jtri(r->sandbox_plugin),
		"reason", jtext(r->eci_reason[0] ? r->eci_reason : r->sandbox_reason),
		"sysbox",
		"available", r->sysbox_runtime,
		"uid_remap", r->sysbox_remap == TRI_YES,
		"uid_remap_state", jtri(r->sysbox_remap),
		"reason", jtext(r->sysbox_reason),
		"sbx",
		"available", r->sbx == TRI_YES,
		"state", jtri(r->sbx),
		"reason", jtext(r->sbx_reason),
		"gvisor",
		"available", detect_usable(r, MODE_GVISOR),
		"runtime", jtext(r->gvisor_runtime),
		"path", jtext(r->gvisor_path),
		"state", jtri(r->gvisor),
		"reason", jtext(r->gvisor_reason),
		"cached", r->gvisor_cached,
		"verified_at", r->gvisor == TRI_YES ? json_integer(r->gvisor_verified_at) : json_null(),
		"runsc_installed", r->runsc_installed,
		"isolation",
		"mode", detect_mode_name(r->mode),
		"available", r->mode != MODE_NONE,
		"prefer", r->prefer != MODE_NONE ? json_string(detect_mode_name(r->prefer)) : json_null(),
		"recommended_action", doctor_recommended_action(r),
		"require_isolation", s->cfg.require_isolation,
		"egress", egress_json(s, e),
		"path", jpath(&s->path_skipped));
	if (!root)
		return err_set(err, ENOMEM, "building the JSON report");
	_cleanup_free_ char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		return err_set(err, ENOMEM, "building the JSON report");
	fprintf(out, "%s\n", text);
	if (fflush(out) != 0)
		return err_set(err, errno, "writing the report");
	return 0;
}
