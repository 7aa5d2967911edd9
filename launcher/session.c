/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fd.h"
#include "macro.h"
#include "path.h"
#include "pathtrust.h"
#include "probe_cache.h"

/* fd names path now (the kernel's own account of where it is). */
static int session_fd_is(int fd, const char *path)
{
	char proc[64], opened[PATH_MAX];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, opened, sizeof(opened) - 1);
	if (n < 0)
		return 0;
	opened[n] = '\0';
	return !strcmp(opened, path);
}

/* The workspace, resolved, and held open: the directory checked here is
 * the one containai-init must find mounted (by device and inode), and
 * while it is held its inode cannot be freed and given to another. */
static int session_workspace(struct session *s, const char *given, struct cai_err *err)
{
	_cleanup_free_ char *real = realpath(given ? given : ".", NULL);
	struct stat st;

	if (!real)
		return err_set(err, errno, "workspace %s", given ? given : ".");
	if (strlen(real) >= sizeof(s->workspace))
		return err_set(err, ENAMETOOLONG, "workspace");
	_cleanup_close_ int fd = open(real, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(err, errno == ELOOP ? ENOTDIR : errno, "workspace %s", real);
	/* What was opened is what was resolved: not a directory moved there
	 * between realpath() and open(). */
	if (!session_fd_is(fd, real))
		return err_set(err, 0, "workspace %s changed while it was resolved", real);
	snprintf(s->workspace, sizeof(s->workspace), "%s", real);
	snprintf(s->workspace_id, sizeof(s->workspace_id), "%u:%u:%llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
	s->workspace_fd = fd_take(&fd);
	return 0;
}

int session_workspace_unchanged(const struct session *s, struct cai_err *err)
{
	struct stat held, now;

	if (!session_fd_is(s->workspace_fd, s->workspace) || fstat(s->workspace_fd, &held) < 0 ||
	    stat(s->workspace, &now) < 0 || held.st_dev != now.st_dev || held.st_ino != now.st_ino)
		return err_set(err, 0, "workspace %s was moved or replaced after it was checked", s->workspace);
	return 0;
}

int session_hold_workspace(const struct session *s, struct cai_err *err)
{
	if (fcntl(s->workspace_fd, F_SETFD, 0) < 0)
		return err_set(err, errno, "workspace %s", s->workspace);
	return 0;
}

static int session_flags(struct settings *c, const struct cli *o, struct cai_err *err)
{
	const struct { const char *key, *value, *flag; } flags[] = {
		{ "image", o->image, "--image" },
		{ "data_volume", o->data_volume, "--data-volume" },
		{ "context", o->context, "--context" },
		{ "prefer", o->prefer, "--prefer" },
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

/* The gVisor verdict's cache, unless it lies in the workspace, where the
 * sandbox could write it; NULL: no cache. */
static const char *session_cache_path(const struct session *s, char *buf, size_t bufsz)
{
	struct cai_err ignored;
	char dir[PATH_MAX], real[PATH_MAX];

	if (probe_cache_default_path(buf, bufsz, &ignored) < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", buf);
	*strrchr(dir, '/') = '\0';
	if (s->workspace[0] && (path_within(dir, s->workspace) ||
				(realpath(dir, real) && path_within(real, s->workspace))))
		return NULL;
	return buf;
}

int session_open(struct session *s, const struct cli *o, int need_workspace, int *code,
		 struct cai_err *err)
{
	char cache[PATH_MAX];

	*code = EXIT_USAGE;
	memset(s, 0, sizeof(*s));
	s->workspace_fd = -1;
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
		.prefer = (enum iso_mode)s->cfg.prefer,
		.cache_path = session_cache_path(s, cache, sizeof(cache)),
	};
	if (detect_run(&s->docker, &dopts, &s->det, err) < 0)
		return -1;
	/* Sized by what the engine has, now that it said. */
	resources_resolve(&s->cfg.resources, s->det.mem_total, s->det.ncpu);
	s->host_user[0] = '\0';
	if (s->det.mode == MODE_NONE || s->det.mode == MODE_GVISOR)
		snprintf(s->host_user, sizeof(s->host_user), "%u:%u", (unsigned)getuid(), (unsigned)getgid());
	return 0;
}
