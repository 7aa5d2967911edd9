/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathtrust.h"
#include "unit.h"

/* A scratch tree under /tmp (sticky, root's): base/NAME directories with
 * the modes the cases need. */
static char base[] = "/tmp/cai-pathtrust-XXXXXX";

static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", base, rel);
	return buf[k];
}

static int dir(const char *rel, mode_t mode)
{
	return mkdir(at(rel), 0700) == 0 && chmod(at(rel), mode) == 0 ? 0 : -1;
}

static int prog(const char *rel, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	if (!f)
		return -1;
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	return chmod(at(rel), mode);
}

/* The tree every case works in: a trusted bin/, directories writable by
 * others (ww/, open/), by the group (gw/), sticky/, and a workspace ws/
 * with a virtualenv's bin. */
static int tree(void)
{
	static const struct {
		const char *rel;
		mode_t mode;
	} dirs[] = {
		{ "bin", 0755 }, { "ww", 0777 }, { "gw", 0775 }, { "open", 0777 }, { "open/bin", 0755 },
		{ "sticky", 01777 }, { "sticky/bin", 0755 }, { "ws", 0755 }, { "ws/.venv", 0755 },
		{ "ws/.venv/bin", 0755 },
	};

	if (!mkdtemp(base))
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (dir(dirs[i].rel, dirs[i].mode) < 0)
			return -1;
	return 0;
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		unit_fail(__FILE__, __LINE__, "cleanup of %s", base);
}

static int refused(const char *d, const char *ws, const char *want)
{
	char why[PATHTRUST_WHY_MAX] = "";

	if (pathtrust_dir_ok(d, ws, why, sizeof(why)))
		return 0;
	return strstr(why, want) != NULL;
}

TEST(pathtrust_directory_rule)
{
	char why[PATHTRUST_WHY_MAX];

	CHECK_INT(tree(), 0);
	CHECK_INT(symlink(at("ws/.venv/bin"), at("link")), 0);

	CHECK(pathtrust_dir_ok(at("bin"), at("ws"), why, sizeof(why)));
	CHECK(pathtrust_dir_ok(at("sticky/bin"), at("ws"), why, sizeof(why)));
	CHECK(refused(at("ww"), NULL, "is writable by others"));
	CHECK(refused(at("gw"), NULL, "is writable by its group"));
	CHECK(refused(at("open/bin"), NULL, "is writable by others and not sticky"));
	/* Sticky is no help for the directory itself: anyone adds a program. */
	CHECK(refused(at("sticky"), NULL, "is writable by others"));
	CHECK(refused(at("ws/.venv/bin"), at("ws"), "inside the workspace"));
	CHECK(refused(at("link"), at("ws"), "resolves into the workspace"));
	CHECK(pathtrust_dir_ok(at("link"), NULL, why, sizeof(why)));
	CHECK(refused("", NULL, "empty (the current directory)"));
	CHECK(refused("bin", NULL, "not an absolute path"));
	CHECK(refused(at("missing"), NULL, "does not resolve"));
	/* Another user's directory: that user could replace what is in it. */
	if (geteuid() == 0) {
		CHECK_INT(dir("theirs", 0755), 0);
		CHECK_INT(chown(at("theirs"), 65534, 65534), 0);
		CHECK_INT(dir("theirs/bin", 0755), 0);
		CHECK(refused(at("theirs"), NULL, "is owned by uid 65534"));
		CHECK(refused(at("theirs/bin"), NULL, "is owned by uid 65534"));
	}
	cleanup();
}

TEST(pathtrust_filter_keeps_resolved_trusted_entries)
{
	struct pathtrust_report rep;
	struct cai_err err;
	char path[4 * PATH_MAX], real[PATH_MAX];

	CHECK_INT(tree(), 0);
	CHECK_INT(symlink(at("bin"), at("binlink")), 0);
	snprintf(path, sizeof(path), "%s::rel:%s:%s:%s", at("ws/.venv/bin"), at("ww"), at("binlink"),
		 at("bin"));
	setenv("PATH", path, 1);
	CHECK_INT(pathtrust_filter_path(at("ws"), &rep, &err), 0);
	CHECK(realpath(at("bin"), real) != NULL);
	snprintf(path, sizeof(path), "%s:%s", real, real);
	CHECK_STR(getenv("PATH"), path);
	CHECK_INT(rep.n, 4);
	CHECK_STR(rep.v[0].entry, at("ws/.venv/bin"));
	CHECK_CONTAINS(rep.v[0].why, "inside the workspace");
	CHECK_STR(rep.v[1].entry, "");
	CHECK_STR(rep.v[2].entry, "rel");
	CHECK_CONTAINS(rep.v[3].why, "writable by others");
	/* Nothing trusted left: PATH goes, the C library's default applies. */
	setenv("PATH", at("ww"), 1);
	CHECK_INT(pathtrust_filter_path(NULL, &rep, &err), 0);
	CHECK(getenv("PATH") == NULL);
	cleanup();
}

/* A trusted entry's program is looked at where it resolves: a symlink
 * into the workspace, a file others can write is refused - not skipped for
 * a later one, which would run something the user did not expect. */
TEST(pathtrust_find_checks_where_a_program_resolves)
{
	struct pathtrust_report rep;
	struct cai_err err;
	char path[PATH_MAX], out[PATH_MAX], why[PATHTRUST_WHY_MAX], real[PATH_MAX];

	CHECK_INT(tree(), 0);
	CHECK_INT(prog("bin/tool", 0755), 0);
	CHECK_INT(prog("bin/open-tool", 0757), 0);
	CHECK_INT(prog("ws/docker", 0755), 0);
	CHECK_INT(symlink(at("ws/docker"), at("bin/docker")), 0);
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", at("bin"));
	setenv("PATH", path, 1);
	CHECK_INT(pathtrust_filter_path(at("ws"), &rep, &err), 0);

	CHECK_INT(pathtrust_find("tool", out, sizeof(out), why, sizeof(why)), 0);
	CHECK(realpath(at("bin/tool"), real) != NULL);
	CHECK_STR(out, real);
	CHECK_INT(pathtrust_find("docker", out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(why, "resolves to");
	CHECK_CONTAINS(why, "inside the workspace");
	CHECK_INT(pathtrust_find("open-tool", out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(why, "writable by others");
	CHECK_INT(pathtrust_find("cai-no-such-program", out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(pathtrust_find("./tool", out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, ENOENT);
	cleanup();
}

/* A program named by its path (setup gvisor's --runsc, which the engine
 * runs as root): its directory as written keeps the rule of an entry, and
 * the file it resolves to the rule of a program on PATH. */
TEST(pathtrust_find_checks_an_absolute_path)
{
	char out[PATH_MAX], why[PATHTRUST_WHY_MAX], real[PATH_MAX];

	CHECK_INT(tree(), 0);
	CHECK_INT(prog("bin/runsc", 0755), 0);
	CHECK_INT(prog("bin/open-runsc", 0757), 0);
	CHECK_INT(prog("ww/runsc", 0755), 0);
	CHECK_INT(symlink(at("ww/runsc"), at("bin/linked-runsc")), 0);
	unsetenv("PATH");
	CHECK(realpath(at("bin/runsc"), real) != NULL);
	CHECK_INT(pathtrust_find(at("bin/runsc"), out, sizeof(out), why, sizeof(why)), 0);
	CHECK_STR(out, real);
	CHECK_INT(pathtrust_find(at("bin/open-runsc"), out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(why, "writable by others");
	CHECK_INT(pathtrust_find(at("ww/runsc"), out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(why, "writable by others");
	CHECK_INT(pathtrust_find(at("bin/linked-runsc"), out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, EACCES);
	CHECK_CONTAINS(why, "resolves to");
	CHECK_INT(pathtrust_find(at("bin/missing"), out, sizeof(out), why, sizeof(why)), -1);
	CHECK_INT(errno, ENOENT);
	cleanup();
}
