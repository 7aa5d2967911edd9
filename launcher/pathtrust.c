/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "pathtrust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "path.h"

/* The workspace of this run, for every lookup; "" when none is known. */
static char pathtrust_workspace[PATH_MAX];

/* The C library's search path when PATH is unset (execvp's). */
#define PATHTRUST_DEFAULT_PATH "/bin:/usr/bin"

/* One node of a resolved path: owned by root or the user; writable by
 * neither group nor others when it is the directory (or file) itself, and
 * only when sticky when it is an ancestor. */
static int pathtrust_node(const char *p, int last, char *why, size_t whysz)
{
	struct stat st;
	uid_t me = geteuid();

	if (lstat(p, &st) < 0) {
		snprintf(why, whysz, "%.60s: %s", p, strerror(errno));
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, whysz, "%.60s became a symlink while it was checked", p);
		return 0;
	}
	if (st.st_uid != 0 && st.st_uid != me) {
		snprintf(why, whysz, "%.60s is owned by uid %u, neither root nor you", p, (unsigned)st.st_uid);
		return 0;
	}
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 1;
	if (last || !(st.st_mode & S_ISVTX)) {
		snprintf(why, whysz, "%.60s is writable by %s%s", p,
			 st.st_mode & S_IWOTH ? "others" : "its group", last ? "" : " and not sticky");
		return 0;
	}
	return 1;
}

/* real (absolute, resolved) and every directory above it. */
static int pathtrust_walk(const char *real, char *why, size_t whysz)
{
	char prefix[PATH_MAX] = "/", copy[PATH_MAX];
	char *save = NULL;

	if (!pathtrust_node(prefix, !strcmp(real, "/"), why, whysz))
		return 0;
	snprintf(copy, sizeof(copy), "%s", real);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(prefix);
		snprintf(prefix + n, sizeof(prefix) - n, "%s%s", n > 1 ? "/" : "", c);
		if (!pathtrust_node(prefix, !strcmp(prefix, real), why, whysz))
			return 0;
	}
	return 1;
}

/* pathtrust_dir_ok, with the resolved directory in real. */
static int pathtrust_resolve(const char *dir, const char *ws, char real[PATH_MAX], char *why,
			     size_t whysz)
{
	struct stat st;

	if (dir[0] != '/') {
		snprintf(why, whysz, dir[0] ? "not an absolute path" : "empty (the current directory)");
		return 0;
	}
	if (ws && ws[0] && path_within(dir, ws)) {
		snprintf(why, whysz, "inside the workspace, which the agent can write");
		return 0;
	}
	if (!realpath(dir, real)) {
		snprintf(why, whysz, "does not resolve: %s", strerror(errno));
		return 0;
	}
	if (ws && ws[0] && path_within(real, ws)) {
		snprintf(why, whysz, "resolves into the workspace, which the agent can write");
		return 0;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whysz, "not a directory");
		return 0;
	}
	return pathtrust_walk(real, why, whysz);
}

int pathtrust_dir_ok(const char *dir, const char *ws, char *why, size_t whysz)
{
	char real[PATH_MAX];

	return pathtrust_resolve(dir, ws, real, why, whysz);
}

/* The program real (absolute, resolved): its directory keeps the rule,
 * and the file itself is owned by root or the user and writable by
 * neither group nor others. */
static int pathtrust_file_ok(const char *real, const char *ws, char *why, size_t whysz)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", real);
	char *slash = strrchr(dir, '/');
	if (real[0] != '/' || !slash) {
		snprintf(why, whysz, "not an absolute path");
		return 0;
	}
	*slash = '\0';
	return pathtrust_dir_ok(dir[0] ? dir : "/", ws, why, whysz) && pathtrust_node(real, 1, why, whysz);
}

static void pathtrust_note(struct pathtrust_report *rep, const char *entry, size_t len, const char *why)
{
	if (rep->n < PATHTRUST_REPORT_MAX) {
		struct pathtrust_skip *k = &rep->v[rep->n];
		snprintf(k->entry, sizeof(k->entry), "%.*s", (int)(len < sizeof(k->entry) ? len : sizeof(k->entry) - 1),
			 entry);
		snprintf(k->why, sizeof(k->why), "%s", why);
	}
	rep->n++;
}

int pathtrust_filter_path(const char *ws, struct pathtrust_report *rep, struct cai_err *err)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *kept = NULL;
	size_t klen = 0;

	snprintf(pathtrust_workspace, sizeof(pathtrust_workspace), "%s", ws ? ws : "");
	memset(rep, 0, sizeof(*rep));
	if (!path)
		return 0;
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		char entry[PATH_MAX], real[PATH_MAX], why[PATHTRUST_WHY_MAX];

		if (n >= sizeof(entry))
			pathtrust_note(rep, p, n, "longer than a path can be");
		else {
			memcpy(entry, p, n);
			entry[n] = '\0';
			if (!pathtrust_resolve(entry, ws, real, why, sizeof(why)))
				pathtrust_note(rep, p, n, why);
			else {
				size_t rn = strlen(real);
				char *grown = realloc(kept, klen + rn + 2);
				if (!grown)
					return err_set(err, ENOMEM, "PATH");
				kept = grown;
				if (klen)
					kept[klen++] = ':';
				memcpy(kept + klen, real, rn + 1);
				klen += rn;
			}
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!klen)
		return unsetenv("PATH") < 0 ? err_set(err, errno, "PATH") : 0;
	return setenv("PATH", kept, 1) < 0 ? err_set(err, errno, "PATH") : 0;
}

/* cand, an executable regular file in a directory that keeps the rule:
 * 1 with the file it resolves to in out, 0 when it is not such a file,
 * -1 (errno EACCES, why says why) when it resolves where the rule breaks. */
static int pathtrust_candidate(const char *cand, const char *ws, char *out, size_t outsz, char *why,
			       size_t whysz)
{
	char real[PATH_MAX];
	struct stat st;

	if (access(cand, X_OK) < 0 || stat(cand, &st) < 0 || !S_ISREG(st.st_mode) || !realpath(cand, real))
		return 0;
	/* What runs is the file the name resolves to: it and its directory
	 * keep the rule as well. */
	if (!pathtrust_file_ok(real, ws, why, whysz)) {
		char rule[PATHTRUST_WHY_MAX];
		snprintf(rule, sizeof(rule), "%s", why);
		snprintf(why, whysz, "%.60s resolves to %.60s: %s", cand, real, rule);
		errno = EACCES;
		return -1;
	}
	if (strlen(real) >= outsz)
		return 0;
	snprintf(out, outsz, "%s", real);
	return 1;
}

/* An absolute path: its directory, as written, is held to the rule of a
 * PATH entry, and the file it resolves to as on PATH. */
static int pathtrust_absolute(const char *name, const char *ws, char *out, size_t outsz, char *why,
			      size_t whysz)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(name, '/');

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - name), name);
	if (!pathtrust_dir_ok(dir[0] ? dir : "/", ws, why, whysz)) {
		char rule[PATHTRUST_WHY_MAX];
		snprintf(rule, sizeof(rule), "%s", why);
		snprintf(why, whysz, "%.60s: %s", name, rule);
		errno = EACCES;
		return -1;
	}
	int r = pathtrust_candidate(name, ws, out, outsz, why, whysz);
	if (r)
		return r < 0 ? -1 : 0;
	snprintf(why, whysz, "not an executable file");
	errno = ENOENT;
	return -1;
}

int pathtrust_find(const char *name, char *out, size_t outsz, char *why, size_t whysz)
{
	const char *path = getenv("PATH");
	const char *ws = pathtrust_workspace;

	if (name[0] == '/')
		return pathtrust_absolute(name, ws, out, outsz, why, whysz);
	if (!path)
		path = PATHTRUST_DEFAULT_PATH;
	/* A bare name only: a relative path would bypass every entry's check. */
	for (const char *p = path; !strchr(name, '/'); p++) {
		size_t n = strcspn(p, ":");
		char entry[PATH_MAX], cand[PATH_MAX];

		if (n < sizeof(entry)) {
			memcpy(entry, p, n);
			entry[n] = '\0';
			if (pathtrust_dir_ok(entry, ws, why, whysz) &&
			    (size_t)snprintf(cand, sizeof(cand), "%s/%s", entry, name) < sizeof(cand)) {
				int r = pathtrust_candidate(cand, ws, out, outsz, why, whysz);
				if (r)
					return r < 0 ? -1 : 0;
			}
		}
		p += n;
		if (!*p)
			break;
	}
	snprintf(why, whysz, "not found on PATH");
	errno = ENOENT;
	return -1;
}
