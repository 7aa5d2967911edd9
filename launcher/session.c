/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fd.h"
#include "macro.h"

static int session_workspace(struct session *s, const char *given, struct cai_err *err)
{
	_cleanup_free_ char *real = realpath(given ? given : ".", NULL);
	struct stat st;

	if (!real)
		return err_set(err, errno, "workspace %s", given ? given : ".");
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(err, ENOTDIR, "workspace %s", given ? given : ".");
	if (strlen(real) >= sizeof(s->workspace))
		return err_set(err, ENAMETOOLONG, "workspace");
	snprintf(s->workspace, sizeof(s->workspace), "%s", real);
	return 0;
}

static int session_flags(struct settings *c, const struct cli *o, struct cai_err *err)
{
	const struct { const char *key, *value, *flag; } flags[] = {
		{ "image", o->image, "--image" },
		{ "data_volume", o->data_volume, "--data-volume" },
		{ "context", o->context, "--context" },
		{ "memory", o->memory, "--memory" },
		{ "cpus", o->cpus, "--cpus" },
		{ "pids_limit", o->pids_limit, "--pids-limit" },
		{ "egress", o->egress, "--egress" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].value && settings_set(c, flags[i].key, flags[i].value, err) < 0)
			return err_prefix(err, "%s", flags[i].flag);
	/* The flags' ports replace the config's. */
	if (o->publish.n)
		c->publish.n = 0;
	for (size_t i = 0; i < o->publish.n; i++)
		if (publish_add(&c->publish, o->publish.v[i], err) < 0)
			return err_prefix(err, "--publish");
	return 0;
}

int session_open(struct session *s, const struct cli *o, int need_workspace, struct cai_err *err)
{
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (session_workspace(s, o->workspace, err) < 0) {
		if (need_workspace)
			return -1;
		s->workspace[0] = '\0';
	}
	settings_defaults(&s->cfg);
	if (settings_default_path(path, sizeof(path), err) == 0 &&
	    settings_load_file(&s->cfg, path, 0, s->workspace[0] ? s->workspace : NULL, err) < 0)
		return -1;
	if (settings_apply_env(&s->cfg, err) < 0 || session_flags(&s->cfg, o, err) < 0)
		return -1;
	if (docker_resolve(&s->docker, o->context, s->cfg.context, s->cfg.timeout_s * 1000, err) < 0)
		return err_prefix(err, "docker");
	struct detect_opts dopts = {
		.probe_image = settings_probe_image(&s->cfg),
		.timeout_ms = s->cfg.timeout_s * 1000,
	};
	if (detect_run(&s->docker, &dopts, &s->det, err) < 0)
		return -1;
	/* Sized by what the engine has, now that it said. */
	resources_resolve(&s->cfg.resources, s->det.mem_total, s->det.ncpu);
	return 0;
}
