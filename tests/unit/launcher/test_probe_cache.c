/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "probe_cache.h"
#include "scratch.h"
#include "unit.h"

#define KEY "engine --context default\nid ABC\nkernel 6.1\nruntime runsc\nentry {}\nbinary -\n"
#define WHY "gVisor's kernel (release 4.4.0)"

static int parse(const char *text, const char *key, long long now, long long *at, char *why)
{
	return probe_cache_parse(text, strlen(text), key, now, 600, at, why, 128);
}

TEST(probe_cache_round_trip_for_the_same_key_only)
{
	long long at = 0;
	char why[128];
	_cleanup_free_ char *text = probe_cache_format(KEY, 1000, WHY);

	CHECK(text);
	CHECK_INT(parse(text, KEY, 1000, &at, why), 1);
	CHECK_INT(at, 1000);
	CHECK_STR(why, WHY);
	CHECK_INT(parse(text, KEY, 1600, &at, why), 1);
	/* Too old, or proven in the future (a clock set back). */
	CHECK_INT(parse(text, KEY, 1601, &at, why), 0);
	CHECK_INT(parse(text, KEY, 999, &at, why), 0);
	/* Another engine, kernel, runtime entry or binary: not this proof. */
	CHECK_INT(parse(text, "engine --context default\nid ABC\nkernel 6.2\nruntime runsc\nentry {}\nbinary -\n",
			1000, &at, why), 0);
	CHECK_INT(parse(text, KEY "x", 1000, &at, why), 0);
	CHECK_INT(parse(text, "", 1000, &at, why), 0);
}

TEST(probe_cache_refuses_what_it_did_not_write)
{
	long long at;
	char why[128];

	CHECK_INT(parse("containai-probe-verdict 1\nat 1000\nwhy x\n" KEY, KEY, 1000, &at, why), 1);
	CHECK_INT(parse("containai-probe-verdict 2\nat 1000\nwhy x\n" KEY, KEY, 1000, &at, why), 0);
	CHECK_INT(parse("containai-probe-verdict 1\nat 01000\nwhy x\n" KEY, KEY, 1000, &at, why), 0);
	CHECK_INT(parse("containai-probe-verdict 1\nat -5\nwhy x\n" KEY, KEY, 1000, &at, why), 0);
	CHECK_INT(parse("containai-probe-verdict 1\nat 1000\n" KEY, KEY, 1000, &at, why), 0);
	CHECK_INT(parse("containai-probe-verdict 1\nwhy x\nat 1000\n" KEY, KEY, 1000, &at, why), 0);
	CHECK_INT(parse("containai-probe-verdict 1\nat 99999999999999999999\nwhy x\n" KEY, KEY, 1000, &at, why), 0);
	/* Bytes after a NUL are part of the file, not ignored. */
	const char nul[] = "containai-probe-verdict 1\nat 1000\nwhy x\n" KEY "\0x";
	CHECK_INT(probe_cache_parse(nul, sizeof(nul) - 1, KEY, 1000, 600, &at, why, sizeof(why)), 0);
	/* A reason with a line break stays one line. */
	_cleanup_free_ char *text = probe_cache_format(KEY, 1000, "two\nlines");
	CHECK_INT(parse(text, KEY, 1000, &at, why), 1);
	CHECK_STR(why, "two lines");
}

/* A fresh cache home in d; the file's path in path. */
static int cache_home(struct scratch *d, char *path, size_t pathsz)
{
	if (scratch_make(d, "cache") < 0)
		return -1;
	snprintf(path, pathsz, "%s/containai/gvisor-verdict", d->path);
	return 0;
}

static int lookup(const char *path)
{
	long long at;
	char why[128];

	return probe_cache_lookup(path, KEY, 1000, 600, &at, why, sizeof(why));
}

TEST(probe_cache_store_then_lookup)
{
	char path[256], dir[256];
	struct cai_err err;
	struct stat st;

	_cleanup_scratch_ struct scratch d;

	if (cache_home(&d, path, sizeof(path)) < 0)
		return;
	CHECK_INT(lookup(path), 0);
	CHECK_INT(probe_cache_store(path, KEY, 1000, WHY, &err), 0);
	CHECK_INT(lookup(path), 1);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	CHECK_INT(stat(dir, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	/* Replaced in one piece by the next proof. */
	CHECK_INT(probe_cache_store(path, KEY, 900, WHY, &err), 0);
	CHECK_INT(lookup(path), 1);
}

/* Anything another user could have written, or that is not the plain
 * file written here, is a miss: the caller probes again. */
TEST(probe_cache_trusts_only_its_own_file)
{
	char path[256], dir[256], other[300];
	struct cai_err err;

	_cleanup_scratch_ struct scratch d;

	if (cache_home(&d, path, sizeof(path)) < 0)
		return;
	CHECK_INT(probe_cache_store(path, KEY, 1000, WHY, &err), 0);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';

	CHECK_INT(chmod(path, 0620), 0);
	CHECK_INT(lookup(path), 0);
	CHECK_INT(chmod(path, 0600), 0);
	CHECK_INT(chown(path, 1000, 1000), 0);
	CHECK_INT(lookup(path), 0);
	CHECK_INT(chown(path, 0, 0), 0);
	CHECK_INT(lookup(path), 1);

	CHECK_INT(chmod(dir, 0777), 0);
	CHECK_INT(lookup(path), 0);
	CHECK_INT(chmod(dir, 0700), 0);

	snprintf(other, sizeof(other), "%s/hardlink", dir);
	CHECK_INT(link(path, other), 0);
	CHECK_INT(lookup(path), 0);
	CHECK_INT(unlink(other), 0);

	/* A symlink to a valid entry is still not the file. */
	snprintf(other, sizeof(other), "%s/real", dir);
	CHECK_INT(rename(path, other), 0);
	CHECK_INT(symlink(other, path), 0);
	CHECK_INT(lookup(path), 0);
	/* ... and storing replaces the link itself, never its target. */
	CHECK_INT(probe_cache_store(path, KEY, 950, WHY, &err), 0);
	struct stat st;
	CHECK_INT(lstat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(lookup(path), 1);
}
