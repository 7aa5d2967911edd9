/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "probe_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decimal.h"
#include "fd.h"
#include "file_replace.h"

#define HEADER "containai-probe-verdict 1\n"
#define NAME "containai/gvisor-verdict"

int probe_cache_default_path(char *out, size_t outsz, struct cai_err *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	/* As for the config: a relative XDG_CACHE_HOME is invalid. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, outsz, "%s/" NAME, xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, outsz, "%s/.cache/" NAME, home);
	else
		return err_set(err, 0, "neither XDG_CACHE_HOME nor HOME is an absolute path");
	if (n < 0 || (size_t)n >= outsz)
		return err_set(err, ENAMETOOLONG, "probe cache path");
	return 0;
}

/* The line starting at *p with `word ` (without its newline), advancing *p. */
static int field(const char **p, const char *end, const char *word, const char **v, size_t *vlen)
{
	size_t w = strlen(word);
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl || (size_t)(nl - *p) < w + 1 || memcmp(*p, word, w) || (*p)[w] != ' ')
		return -1;
	*v = *p + w + 1;
	*vlen = (size_t)(nl - *v);
	*p = nl + 1;
	return 0;
}

int probe_cache_parse(const char *text, size_t len, const char *key, long long now,
		      unsigned ttl_s, long long *at, char *why, size_t whysz)
{
	const char *p = text, *end = text + len, *v, *w;
	size_t vlen, wlen, hl = strlen(HEADER);
	struct cai_err err;
	uint64_t t;

	if (memchr(text, '\0', len) || len < hl || memcmp(p, HEADER, hl))
		return 0;
	p += hl;
	if (field(&p, end, "at", &v, &vlen) < 0 || decimal_parse(v, vlen, INT64_MAX, &t, &err) < 0 ||
	    field(&p, end, "why", &w, &wlen) < 0)
		return 0;
	/* The key is the rest of the file, byte for byte. */
	if ((size_t)(end - p) != strlen(key) || memcmp(p, key, strlen(key)))
		return 0;
	/* Not proven yet (a clock set back) is not proven. */
	if ((long long)t > now || now - (long long)t > (long long)ttl_s)
		return 0;
	*at = (long long)t;
	snprintf(why, whysz, "%.*s", (int)wlen, w);
	return 1;
}

char *probe_cache_format(const char *key, long long at, const char *why)
{
	_cleanup_free_ char *line = strdup(why);
	char *text = NULL;

	if (!line)
		return NULL;
	for (char *c = line; *c; c++)
		if (*c == '\n')
			*c = ' ';
	int n = asprintf(&text, HEADER "at %lld\nwhy %s\n%s", at, line, key);
	if (n < 0)
		return NULL;
	if ((size_t)n > PROBE_CACHE_MAX) {
		free(text);
		return NULL;
	}
	return text;
}

/* The cache's directory, opened, when only this user can write in it. */
static int open_own_dir(const char *path, int *dirfd, const char **name, struct cai_err *err)
{
	struct stat st;
	int fd;

	if (file_open_parent(path, &fd, name, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return err_set(err, 0, "%s: its directory is not this user's alone", path);
	}
	*dirfd = fd;
	return 0;
}

int probe_cache_lookup(const char *path, const char *key, long long now, unsigned ttl_s,
		       long long *at, char *why, size_t whysz)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *text = NULL;
	struct cai_err err;
	const char *name;
	struct stat st;
	size_t len;

	if (open_own_dir(path, &dirfd, &name, &err) < 0)
		return 0;
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_nlink != 1)
		return 0;
	if (fd_read_regular(fd, path, PROBE_CACHE_MAX, &text, &len, &err) < 0)
		return 0;
	return probe_cache_parse(text, len, key, now, ttl_s, at, why, whysz);
}

/* mkdir of the file's directory and of its parent (the cache home),
 * 0700, existing ones kept: the path is cut at its last two '/', then
 * each cut is put back in turn. */
static int make_dirs(const char *path, struct cai_err *err)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (int level = 0; level < 2; level++) {
		if (!(slash = strrchr(dir, '/')) || slash == dir)
			return err_set(err, 0, "%s: no directory to create", path);
		*slash = '\0';
	}
	for (int level = 0; level < 2; level++) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_set(err, errno, "%s", dir);
		dir[strlen(dir)] = '/';
	}
	return 0;
}

int probe_cache_store(const char *path, const char *key, long long at, const char *why,
		      struct cai_err *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *text = probe_cache_format(key, at, why);
	const char *name;

	if (!text)
		return err_set(err, E2BIG, "probe cache entry");
	if (make_dirs(path, err) < 0 || open_own_dir(path, &dirfd, &name, err) < 0)
		return -1;
	return file_replace_at(dirfd, name, text, strlen(text), 0600, geteuid(), getegid(), err);
}
