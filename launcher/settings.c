/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect.h"
#include "fd.h"
#include "macro.h"
#include "inifile.h"

/* Names that would switch on an unsafe opt-in.  They are refused by name so
 * a user who tries gets told why, not "unknown key". */
static const char *const unsafe_keys[] = {
	"allow_host_credentials", "allow-host-credentials",
	"i_understand_this_exposes_host_credentials", "i-understand-this-exposes-host-credentials",
	"allow_host_docker_socket", "allow-host-docker-socket",
	"i_understand_this_grants_root_access", "i-understand-this-grants-root-access",
	"force", NULL,
};

void settings_defaults(struct settings *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->image, sizeof(c->image), "%s", CAI_DEFAULT_IMAGE);
	snprintf(c->data_volume, sizeof(c->data_volume), "%s", CAI_DEFAULT_DATA_VOLUME);
	snprintf(c->agent, sizeof(c->agent), "%s", CAI_DEFAULT_AGENT);
	snprintf(c->egress_network, sizeof(c->egress_network), "%s", CAI_DEFAULT_EGRESS_NETWORK);
	snprintf(c->egress_image, sizeof(c->egress_image), "%s", CAI_DEFAULT_EGRESS_IMAGE);
	c->timeout_s = CAI_DEFAULT_TIMEOUT_S;
}

int settings_default_path(char *out, size_t outsz, const char *passwd_home, struct cai_err *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	/* The XDG spec says a relative XDG_CONFIG_HOME is invalid: ignore it.
	 * A HOME unset or relative does not make the config (and the strict
	 * mode it may turn on) disappear: the passwd entry's home still has it. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, outsz, "%s/containai/config.ini", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, outsz, "%s/.config/containai/config.ini", home);
	else if (passwd_home && passwd_home[0] == '/')
		n = snprintf(out, outsz, "%s/.config/containai/config.ini", passwd_home);
	else
		return err_set(err, 0, "neither XDG_CONFIG_HOME, HOME nor the passwd entry's home is an "
				       "absolute path");
	if (n < 0 || (size_t)n >= outsz)
		return err_set(err, ENAMETOOLONG, "config path");
	return 0;
}

/* Image, volume and context names: what docker accepts, nothing that a
 * CLI could take for an option. */
static int check_name(const char *key, const char *v, struct cai_err *err)
{
	if (!v[0])
		return err_set(err, 0, "%s: empty value", key);
	if (v[0] == '-')
		return err_set(err, 0, "%s: '%s' starts with '-'", key, v);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',')
			return err_set(err, 0, "%s: '%s' contains a space, comma or control character", key, v);
	return 0;
}

static int set_str(char *dst, size_t dstsz, const char *key, const char *v, struct cai_err *err)
{
	if (strlen(v) >= dstsz)
		return err_set(err, 0, "%s: value longer than %zu characters", key, dstsz - 1);
	if (check_name(key, v, err) < 0)
		return -1;
	snprintf(dst, dstsz, "%s", v);
	return 0;
}

static int set_list(char *dst, size_t dstsz, const char *key, char kind, const char *v,
		    struct cai_err *err)
{
	if (strlen(v) >= dstsz)
		return err_set(err, 0, "%s: longer than %zu characters", key, dstsz - 1);
	if (egress_words(v, kind, NULL, err) < 0)
		return err_prefix(err, "%s", key);
	snprintf(dst, dstsz, "%s", v);
	return 0;
}

int settings_set(struct settings *c, const char *key, const char *v, struct cai_err *err)
{
	if (!strcmp(key, "image"))
		return set_str(c->image, sizeof(c->image), key, v, err);
	if (!strcmp(key, "probe_image"))
		return set_str(c->probe_image, sizeof(c->probe_image), key, v, err);
	if (!strcmp(key, "data_volume"))
		return set_str(c->data_volume, sizeof(c->data_volume), key, v, err);
	if (!strcmp(key, "context"))
		return set_str(c->context, sizeof(c->context), key, v, err);
	if (!strcmp(key, "agent"))
		return set_str(c->agent, sizeof(c->agent), key, v, err);
	if (!strcmp(key, "egress_network"))
		return set_str(c->egress_network, sizeof(c->egress_network), key, v, err);
	if (!strcmp(key, "egress_image"))
		return set_str(c->egress_image, sizeof(c->egress_image), key, v, err);
	if (!strcmp(key, "egress"))
		return egress_mode_parse(v, &c->egress, err) < 0 ? err_prefix(err, "%s", key) : 0;
	/* Lists are checked word by word now, so a bad one is reported at
	 * its line, not when a sandbox starts. */
	if (!strcmp(key, "egress_allow"))
		return set_list(c->egress_allow, sizeof(c->egress_allow), key, 'd', v, err);
	if (!strcmp(key, "egress_allow_cidr"))
		return set_list(c->egress_allow_cidr, sizeof(c->egress_allow_cidr), key, 'c', v, err);
	if (!strcmp(key, "egress_dns"))
		return set_list(c->egress_dns, sizeof(c->egress_dns), key, 'a', v, err);
	if (!strcmp(key, "egress_ca_file")) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->egress_ca_file))
			return err_set(err, 0, "%s: '%.64s' is not an absolute path", key, v);
		snprintf(c->egress_ca_file, sizeof(c->egress_ca_file), "%s", v);
		return 0;
	}
	if (!strcmp(key, "timeout")) {
		unsigned long n;
		if (inifile_uint(v, 600, &n, err) < 0 || (!n && err_set(err, 0, "0 is not a timeout") < 0))
			return err_prefix(err, "%s", key);
		c->timeout_s = (unsigned)n;
		return 0;
	}
	if (!strcmp(key, "memory"))
		return resources_parse_memory(v, &c->resources.memory, err);
	if (!strcmp(key, "cpus"))
		return resources_parse_cpus(v, &c->resources.nano_cpus, err);
	if (!strcmp(key, "pids_limit"))
		return resources_parse_pids(v, &c->resources.pids, err);
	if (!strcmp(key, "publish"))
		return publish_parse_list(&c->publish, v, err);
	if (!strcmp(key, "require_isolation")) {
		int on;
		if (inifile_bool(v, &on, err) < 0)
			return err_prefix(err, "%s", key);
		/* Strict mode only tightens: once any source asks for it, a
		 * later one (CONTAINAI_REQUIRE_ISOLATION=0 left in an
		 * environment, a workspace section) cannot quietly make
		 * --force effective again. */
		c->require_isolation |= on;
		return 0;
	}
	if (!strcmp(key, "prefer")) {
		enum iso_mode m;
		if (detect_mode_parse(v, &m) < 0)
			return err_set(err, 0, "prefer: '%s' is not sbx, eci, sysbox or gvisor", v);
		c->prefer = (int)m;
		return 0;
	}
	return err_set(err, 0, "unknown key '%s'", key);
}

struct load_ctx {
	struct settings *c;
	const char *workspace;
	int pass;               /* 0: [default], 1: the workspace's section */
};

/* 0 [default], 1 this workspace's section, 2 another workspace's,
 * 3 [credential NAME]. */
static int section_kind(const char *section, const char *workspace, struct cai_err *err)
{
	static const char ws[] = "workspace ", cred[] = "credential ";

	if (!strcmp(section, "default"))
		return 0;
	if (!strncmp(section, ws, sizeof(ws) - 1)) {
		const char *path = section + sizeof(ws) - 1;
		if (path[0] != '/')
			return err_set(err, 0, "[%s]: the workspace must be an absolute path", section);
		return workspace && !strcmp(path, workspace) ? 1 : 2;
	}
	if (!strncmp(section, cred, sizeof(cred) - 1))
		return credential_name_check(section + sizeof(cred) - 1, err) < 0 ? -1 : 3;
	return err_set(err, 0, "unknown section [%s] (expected [default], [workspace /path] or "
			       "[credential NAME])", section);
}

/* Credential sections are read on the first pass only. */
static int on_section(void *vctx, const char *section, unsigned line, struct cai_err *err)
{
	struct load_ctx *ctx = vctx;
	struct settings *c = ctx->c;
	int kind = section_kind(section, ctx->workspace, err);

	if (kind != 3 || ctx->pass)
		return kind < 0 ? -1 : 0;
	const char *name = section + strlen("credential ");
	for (size_t i = 0; i < c->ncred; i++)
		if (!strcmp(c->cred[i].name, name))
			return err_set(err, 0, "[%s] appears twice", section);
	if (c->ncred >= CREDENTIAL_MAX)
		return err_set(err, 0, "more than %d credential sections", CREDENTIAL_MAX);
	struct credential_conf *cr = &c->cred[c->ncred++];
	memset(cr, 0, sizeof(*cr));
	snprintf(cr->name, sizeof(cr->name), "%s", name);
	cr->line = line;
	return 0;
}

static struct credential_conf *credential_of(struct settings *c, const char *section)
{
	const char *name = section + strlen("credential ");

	for (size_t i = 0; i < c->ncred; i++)
		if (!strcmp(c->cred[i].name, name))
			return &c->cred[i];
	return NULL;
}

static int on_key(void *vctx, const char *section, const char *key, const char *value,
		  unsigned line, struct cai_err *err)
{
	struct load_ctx *ctx = vctx;
	struct settings scratch;

	for (const char *const *u = unsafe_keys; *u; u++)
		if (!strcmp(key, *u))
			return err_set(err, 0,
				       "'%s' cannot be set in a config file; unsafe opt-ins exist only "
				       "as command-line flags with their acknowledgement", key);
	int kind = section_kind(section, ctx->workspace, err);
	if (kind < 0)
		return -1;
	if (kind == 3)
		return ctx->pass ? 0 : credential_set(credential_of(ctx->c, section), key, value, err);
	/* Every section is validated on both passes, applied only on its own. */
	settings_defaults(&scratch);
	struct settings *target = kind == ctx->pass ? ctx->c : &scratch;
	return settings_set(target, key, value, err);
}

static const struct inifile_ops settings_ops = { on_section, on_key };

int settings_load_buf(struct settings *c, const char *buf, size_t len, const char *name,
		     const char *workspace, struct cai_err *err)
{
	for (int pass = 0; pass < 2; pass++) {
		struct load_ctx ctx = { c, workspace, pass };
		if (inifile_parse_buf(buf, len, name, &settings_ops, &ctx, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->ncred; i++)
		if (credential_complete(&c->cred[i], err) < 0)
			return err_prefix(err, "%s:%u", name, c->cred[i].line);
	return 0;
}

int settings_load_file(struct settings *c, const char *path, int explicit_path,
		      const char *workspace, struct cai_err *err)
{
	/* Read once, parse twice: both passes see the same bytes. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd < 0) {
		if (!explicit_path && errno == ENOENT)
			return 0;
		return err_set(err, errno, "%s", path);
	}
	if (fd_read_regular(fd, path, INIFILE_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	if (settings_load_buf(c, buf, len, path, workspace, err) < 0)
		return -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 0;
}

int settings_apply_env(struct settings *c, struct cai_err *err)
{
	static const struct { const char *env, *key; } map[] = {
		{ "CONTAINAI_IMAGE", "image" },
		{ "CONTAINAI_PROBE_IMAGE", "probe_image" },
		{ "CONTAINAI_DATA_VOLUME", "data_volume" },
		{ "CONTAINAI_AGENT", "agent" },
		{ "CONTAINAI_TIMEOUT", "timeout" },
		{ "CONTAINAI_REQUIRE_ISOLATION", "require_isolation" },
		{ "CONTAINAI_PREFER", "prefer" },
		{ "CONTAINAI_MEMORY", "memory" },
		{ "CONTAINAI_CPUS", "cpus" },
		{ "CONTAINAI_PIDS_LIMIT", "pids_limit" },
		{ "CONTAINAI_PUBLISH", "publish" },
		{ "CONTAINAI_EGRESS", "egress" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		const char *v = getenv(map[i].env);
		if (v && v[0] && settings_set(c, map[i].key, v, err) < 0)
			return err_prefix(err, "environment %s", map[i].env);
	}
	return 0;
}

const char *settings_probe_image(const struct settings *c)
{
	return c->probe_image[0] ? c->probe_image : c->image;
}
