/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "macro.h"
#include "pathtrust.h"

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
	};

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].value && settings_set(c, flags[i].key, flags[i].value, err) < 0)
			return err_prefix(err, "%s", flags[i].flag);
	return 0;
}

int session_open(struct session *s, const struct cli *o, int need_workspace, int *code,
		 struct cai_err *err)
{
	*code = EXIT_USAGE;
	memset(s, 0, sizeof(*s));
	if (session_workspace(s, o->workspace, err) < 0) {
		if (need_workspace)
			return -1;
		s->workspace[0] = '\0';
	}
	/* Before the first program runs - and only now is the workspace
	 * known, which the agent writes: nothing it planted in PATH runs. */
	if (pathtrust_filter_path(s->workspace[0] ? s->workspace : NULL, &s->path_skipped, err) < 0)
		return -1;
	/* Asked once: the gates and the config's location both need it. */
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_dir && strlen(pw->pw_dir) < sizeof(s->passwd_home))
		snprintf(s->passwd_home, sizeof(s->passwd_home), "%s", pw->pw_dir);
	settings_defaults(&s->cfg);
	if (settings_default_path(s->config_path, sizeof(s->config_path), s->passwd_home, err) < 0)
		s->config_path[0] = '\0';      /* no home at all: the gates refuse run */
	else if (settings_load_file(&s->cfg, s->config_path, 0, s->workspace[0] ? s->workspace : NULL,
				    err) < 0)
		return -1;
	if (settings_apply_env(&s->cfg, err) < 0 || session_flags(&s->cfg, o, err) < 0)
		return -1;
	if (docker_resolve(&s->docker, o->context, s->cfg.context, s->cfg.timeout_s * 1000, err) < 0)
		return err_prefix(err, "docker");
	*code = EXIT_FAILED;
	struct detect_opts dopts = {
		.probe_image = settings_probe_image(&s->cfg),
		.timeout_ms = s->cfg.timeout_s * 1000,
	};
	return detect_run(&s->docker, &dopts, &s->det, err);
}
