/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "envhook.h"
#include "inifile.h"
#include "log.h"
#include "macro.h"

struct config_key {
	const char *section;
	const char *key;
	int (*set)(struct cai_config *cfg, const char *value, struct cai_err *err);
};

struct config_ctx {
	struct cai_config *cfg;
	unsigned long long seen_keys;   /* one bit per entry of config_keys */
	unsigned seen_sections;         /* one bit per entry of config_sections */
	int user_name_set, user_uid_set, user_gid_set;
};

static int copy_value(char *dst, size_t size, const char *value, struct cai_err *err)
{
	size_t n = strlen(value);

	if (n >= size)
		return err_set(err, 0, "value longer than %zu characters", size - 1);
	memcpy(dst, value, n + 1);
	return 0;
}

static int set_abs_path(char *dst, size_t size, const char *value, int empty_ok, struct cai_err *err)
{
	if (!value[0] && empty_ok)
		return copy_value(dst, size, value, err);
	if (value[0] != '/')
		return err_set(err, 0, "'%s' is not an absolute path", value);
	return copy_value(dst, size, value, err);
}

static int set_grace(struct cai_config *c, const char *v, struct cai_err *e)
{
	unsigned long n;
	if (inifile_uint(v, 3600, &n, e) < 0)
		return -1;
	c->grace = (unsigned)n;
	return 0;
}

static int set_signal_target(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (!strcmp(v, "child"))
		c->signal_target = SIGNAL_TARGET_CHILD;
	else if (!strcmp(v, "group"))
		c->signal_target = SIGNAL_TARGET_GROUP;
	else
		return err_set(e, 0, "signal_target '%s' is not child or group", v);
	return 0;
}

static int set_log_level(struct cai_config *c, const char *v, struct cai_err *e)
{
	int l = log_level_parse(v);
	if (l < 0)
		return err_set(e, 0, "log_level '%s' is not error, warn, info or debug", v);
	c->log_level = l;
	return 0;
}

static int set_volume_root(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (!strcmp(v, "/"))
		return err_set(e, 0, "the volume root cannot be /");
	return set_abs_path(c->volume_root, sizeof(c->volume_root), v, 0, e);
}

static int set_volume_manifest(struct cai_config *c, const char *v, struct cai_err *e)
{
	return set_abs_path(c->volume_manifest, sizeof(c->volume_manifest), v, 1, e);
}

static int parse_id(const char *s, unsigned long *out, struct cai_err *e)
{
	/* (uid_t)-1 means "unchanged" to the kernel: never a valid owner. */
	return inifile_uint(s, 0xfffffffeUL, out, e);
}

static int set_volume_owner(struct cai_config *c, const char *v, struct cai_err *e)
{
	char buf[64];
	unsigned long uid, gid;
	char *colon;

	if (strlen(v) >= sizeof(buf) || !(colon = strchr(strcpy(buf, v), ':')))
		return err_set(e, 0, "owner '%s' is not UID:GID", v);
	*colon = '\0';
	if (parse_id(buf, &uid, e) < 0 || parse_id(colon + 1, &gid, e) < 0)
		return err_prefix(e, "owner '%s'", v);
	c->volume_uid = (uid_t)uid;
	c->volume_gid = (gid_t)gid;
	return 0;
}

static int set_volume_require_mount(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->volume_require_mount, e);
}

static int set_volume_home(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (!strcmp(v, "/"))
		return err_set(e, 0, "the home cannot be /");
	return set_abs_path(c->volume_home, sizeof(c->volume_home), v, 1, e);
}

static int set_env_file(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (v[0] == '/')
		return err_set(e, 0, "env file '%s' must be relative to the volume root", v);
	return copy_value(c->env_file, sizeof(c->env_file), v, e);
}

static int set_env_allow_hooks(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (envhook_check_allow(v, e) < 0)
		return -1;
	return copy_value(c->env_allow_hooks, sizeof(c->env_allow_hooks), v, e);
}

static int set_workspace_link(struct cai_config *c, const char *v, struct cai_err *e)
{
	return set_abs_path(c->workspace_link, sizeof(c->workspace_link), v, 0, e);
}

static int set_workspace_required(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->workspace_required, e);
}

static int set_user_name(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (!v[0] || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(v) || v[0] == '-')
		return err_set(e, 0, "user name '%s' is not a valid name", v);
	return copy_value(c->user_name, sizeof(c->user_name), v, e);
}

static int set_user_uid(struct cai_config *c, const char *v, struct cai_err *e)
{
	unsigned long n;
	if (parse_id(v, &n, e) < 0)
		return -1;
	c->user_uid = (uid_t)n;
	return 0;
}

static int set_user_gid(struct cai_config *c, const char *v, struct cai_err *e)
{
	unsigned long n;
	if (parse_id(v, &n, e) < 0)
		return -1;
	c->user_gid = (gid_t)n;
	return 0;
}

static int set_user_allow_root(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->user_allow_root, e);
}

static int set_user_follow_host(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->user_follow_host, e);
}

static int set_seccomp(struct cai_config *c, const char *v, struct cai_err *e)
{
	return set_abs_path(c->seccomp_policy, sizeof(c->seccomp_policy), v, 1, e);
}

static int set_nnp(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->no_new_privs, e);
}

static int set_capabilities(struct cai_config *c, const char *v, struct cai_err *e)
{
	return copy_value(c->capabilities, sizeof(c->capabilities), v, e);
}

static int set_landlock(struct cai_config *c, const char *v, struct cai_err *e)
{
	if (!strcmp(v, "off"))
		c->landlock = LANDLOCK_OFF;
	else if (!strcmp(v, "best-effort"))
		c->landlock = LANDLOCK_BEST_EFFORT;
	else if (!strcmp(v, "required"))
		c->landlock = LANDLOCK_REQUIRED;
	else
		return err_set(e, 0, "landlock '%s' is not off, best-effort or required", v);
	return 0;
}

static int set_path_list(char *dst, size_t size, const char *v, struct cai_err *e)
{
	/* ':'-separated absolute paths, like $PATH. */
	const char *p = v;
	while (*p) {
		if (*p != '/')
			return err_set(e, 0, "'%s' is not a list of absolute paths separated by ':'", v);
		const char *colon = strchr(p, ':');
		if (!colon)
			break;
		p = colon + 1;
	}
	return copy_value(dst, size, v, e);
}

static int set_landlock_ro(struct cai_config *c, const char *v, struct cai_err *e)
{
	return set_path_list(c->landlock_ro, sizeof(c->landlock_ro), v, e);
}

static int set_landlock_rw(struct cai_config *c, const char *v, struct cai_err *e)
{
	return set_path_list(c->landlock_rw, sizeof(c->landlock_rw), v, e);
}

static int set_umask(struct cai_config *c, const char *v, struct cai_err *e)
{
	unsigned m;
	if (inifile_mode(v, &m, e) < 0)
		return -1;
	c->umask = (mode_t)m;
	return 0;
}

static int set_core_dumps(struct cai_config *c, const char *v, struct cai_err *e)
{
	return inifile_bool(v, &c->core_dumps, e);
}

static const char *const config_sections[] = {
	"init", "volume", "env", "workspace", "user", "security",
};

static const struct config_key config_keys[] = {
	{ "init", "grace", set_grace },
	{ "init", "signal_target", set_signal_target },
	{ "init", "log_level", set_log_level },
	{ "volume", "root", set_volume_root },
	{ "volume", "manifest", set_volume_manifest },
	{ "volume", "owner", set_volume_owner },
	{ "volume", "require_mount", set_volume_require_mount },
	{ "volume", "home", set_volume_home },
	{ "env", "file", set_env_file },
	{ "env", "allow_hooks", set_env_allow_hooks },
	{ "workspace", "link", set_workspace_link },
	{ "workspace", "required", set_workspace_required },
	{ "user", "name", set_user_name },
	{ "user", "uid", set_user_uid },
	{ "user", "gid", set_user_gid },
	{ "user", "allow_root", set_user_allow_root },
	{ "user", "follow_host", set_user_follow_host },
	{ "security", "seccomp", set_seccomp },
	{ "security", "no_new_privs", set_nnp },
	{ "security", "capabilities", set_capabilities },
	{ "security", "landlock", set_landlock },
	{ "security", "landlock_read", set_landlock_ro },
	{ "security", "landlock_write", set_landlock_rw },
	{ "security", "umask", set_umask },
	{ "security", "core_dumps", set_core_dumps },
};

static void config_enable(struct cai_config *cfg, size_t section)
{
	switch (section) {
	case 1: cfg->volume_enabled = 1; break;
	case 2: cfg->env_enabled = 1; break;
	case 3: cfg->workspace_enabled = 1; break;
	case 4: cfg->user_enabled = 1; break;
	case 5: cfg->security_enabled = 1; break;
	default: break;
	}
}

static int config_on_section(void *ctx, const char *section, unsigned line, struct cai_err *err)
{
	struct config_ctx *cc = ctx;
	(void)line;

	for (size_t i = 0; i < ARRAY_SIZE(config_sections); i++) {
		if (strcmp(section, config_sections[i]) != 0)
			continue;
		if (cc->seen_sections & (1u << i))
			return err_set(err, 0, "section [%s] appears twice", section);
		cc->seen_sections |= 1u << i;
		config_enable(cc->cfg, i);
		return 0;
	}
	return err_set(err, 0, "unknown section [%s]", section);
}

static int config_on_key(void *ctx, const char *section, const char *key, const char *value,
			 unsigned line, struct cai_err *err)
{
	struct config_ctx *cc = ctx;
	(void)line;

	for (size_t i = 0; i < ARRAY_SIZE(config_keys); i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(section, k->section) || strcmp(key, k->key))
			continue;
		if (cc->seen_keys & (1ULL << i))
			return err_set(err, 0, "[%s] %s is set twice", section, key);
		cc->seen_keys |= 1ULL << i;
		if (k->set(cc->cfg, value, err) < 0)
			return err_prefix(err, "[%s] %s", section, key);
		if (!strcmp(section, "user")) {
			cc->user_name_set |= !strcmp(key, "name");
			cc->user_uid_set |= !strcmp(key, "uid");
			cc->user_gid_set |= !strcmp(key, "gid");
		}
		return 0;
	}
	return err_set(err, 0, "unknown key '%s' in [%s]", key, section);
}

void config_defaults(struct cai_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->grace = 3;
	cfg->signal_target = SIGNAL_TARGET_CHILD;
	cfg->log_level = LOG_LVL_INFO;
	strcpy(cfg->volume_root, "/mnt/agent-data");
	strcpy(cfg->volume_manifest, "/etc/containai/volume.ini");
	cfg->volume_uid = 1000;
	cfg->volume_gid = 1000;
	cfg->volume_require_mount = 1;
	strcpy(cfg->volume_home, "/home/agent");
	strcpy(cfg->env_file, ".env");
	strcpy(cfg->workspace_link, "/home/agent/workspace");
	cfg->workspace_required = 1;
	strcpy(cfg->user_name, "agent");
	strcpy(cfg->seccomp_policy, "/etc/containai/seccomp.policy");
	cfg->no_new_privs = 1;
	cfg->landlock = LANDLOCK_OFF;
	cfg->umask = 022;
}

static int config_finish(struct config_ctx *cc, const char *name, struct cai_err *err)
{
	struct cai_config *cfg = cc->cfg;

	if (cc->user_name_set && (cc->user_uid_set || cc->user_gid_set))
		return err_set(err, 0, "%s: [user] takes either name or uid and gid, not both", name);
	if (cc->user_uid_set != cc->user_gid_set)
		return err_set(err, 0, "%s: [user] uid and gid go together", name);
	if (cc->user_uid_set) {
		cfg->user_has_ids = 1;
		cfg->user_name[0] = '\0';
	}
	if (cfg->user_follow_host && cfg->user_has_ids)
		return err_set(err, 0, "%s: [user] follow_host moves an account: it needs [user] name, not uid and gid", name);
	if (cfg->env_enabled && cfg->env_file[0] && !cfg->volume_enabled)
		return err_set(err, 0, "%s: [env] file is relative to the volume root, but there is no [volume] section", name);
	return 0;
}

static const struct inifile_ops config_ops = {
	.on_section = config_on_section,
	.on_key = config_on_key,
};

int config_parse_buf(struct cai_config *cfg, const char *buf, size_t len, const char *name,
		     struct cai_err *err)
{
	struct config_ctx cc = { .cfg = cfg };

	snprintf(cfg->source, sizeof(cfg->source), "%s", name);
	if (inifile_parse_buf(buf, len, name, &config_ops, &cc, err) < 0)
		return -1;
	return config_finish(&cc, name, err);
}

int config_load(struct cai_config *cfg, const char *path, struct cai_err *err)
{
	struct config_ctx cc = { .cfg = cfg };

	snprintf(cfg->source, sizeof(cfg->source), "%s", path);
	if (inifile_parse_path(path, &config_ops, &cc, err) < 0)
		return -1;
	return config_finish(&cc, path, err);
}
