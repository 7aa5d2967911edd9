/* SPDX-License-Identifier: MIT */
/* links: made, left alone when right, and whatever else is at a link path
 * replaced without being followed - data moved aside, never lost. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "links.h"
#include "log.h"
#include "manifest.h"
#include "unit.h"

static char tmp[PATH_MAX];
static char home[PATH_MAX + 8], vol[PATH_MAX + 8], out[PATH_MAX + 16];

static const char layout[] =
	"[dir claude]\n"
	"[file a.json]\n"
	"[link .claude]\n"
	"target = claude\n"
	"[link .config/a.json]\n"
	"target = a.json\n";

static int setup(struct manifest *m)
{
	struct cai_err err = { 0 };

	log_set_level(LOG_LVL_ERROR);
	snprintf(tmp, sizeof(tmp), "/tmp/cai-links.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(vol, sizeof(vol), "%s/vol", tmp);
	snprintf(out, sizeof(out), "%s/outside", tmp);
	mkdir(home, 0755);
	mkdir(vol, 0755);
	mkdir(out, 0755);
	return manifest_parse_buf(m, layout, strlen(layout), "volume.ini", &err);
}

static void teardown(struct manifest *m)
{
	char cmd[PATH_MAX + 32];

	manifest_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
}

static int make(const struct manifest *m, struct cai_err *err)
{
	return links_make(home, vol, m, getuid(), getgid(), err);
}

/* The link at home/REL points at vol/WANT. */
static int points(const char *rel, const char *want)
{
	char p[PATH_MAX * 2], got[PATH_MAX], exp[PATH_MAX * 2];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", home, rel);
	snprintf(exp, sizeof(exp), "%s/%s", vol, want);
	n = readlink(p, got, sizeof(got) - 1);
	if (n < 0)
		return 0;
	got[n] = '\0';
	return !strcmp(got, exp);
}

TEST(links_made_then_left_alone)
{
	struct manifest m;
	struct cai_err err = { 0 };
	struct stat a, b;
	char p[PATH_MAX * 2];

	CHECK_INT(setup(&m), 0);
	int r1 = make(&m, &err);
	int ok1 = points(".claude", "claude") && points(".config/a.json", "a.json");
	snprintf(p, sizeof(p), "%s/.claude", home);
	lstat(p, &a);
	int r2 = make(&m, &err);
	lstat(p, &b);
	teardown(&m);
	CHECK_INT(r1, 0);
	CHECK(ok1);
	CHECK_INT(r2, 0);
	CHECK(a.st_ino == b.st_ino && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec);
}

TEST(links_replace_without_following)
{
	struct manifest m;
	struct cai_err err = { 0 };
	char p[PATH_MAX * 2], q[PATH_MAX * 2];
	struct stat st;

	CHECK_INT(setup(&m), 0);
	/* A symlink to the outside at a link path, a symlink to the outside
	 * where a parent must be, a FIFO, a directory holding data. */
	snprintf(p, sizeof(p), "%s/.claude", home);
	snprintf(q, sizeof(q), "%s/.config", home);
	int planted = symlink(out, p) | symlink(out, q);
	int r1 = make(&m, &err);
	int ok1 = points(".claude", "claude") && points(".config/a.json", "a.json");
	snprintf(q, sizeof(q), "%s/a.json", out);
	int outside_clean = lstat(q, &st) < 0;
	unlink(p);
	planted |= mkfifo(p, 0600);
	int r2 = make(&m, &err);
	int ok2 = points(".claude", "claude");
	unlink(p);
	planted |= mkdir(p, 0755);
	snprintf(q, sizeof(q), "%s/.claude/data", home);
	close(open(q, O_CREAT | O_WRONLY, 0600));
	int r3 = make(&m, &err);
	int ok3 = points(".claude", "claude");
	char cmd[PATH_MAX * 2 + 64];
	snprintf(cmd, sizeof(cmd), "test -f %s/.claude.bak.*/data", home);
	int kept = system(cmd) == 0;
	teardown(&m);
	CHECK_INT(planted, 0);
	CHECK_INT(r1, 0);
	CHECK(ok1);
	CHECK(outside_clean);
	CHECK_INT(r2, 0);
	CHECK(ok2);
	CHECK_INT(r3, 0);
	CHECK(ok3);
	CHECK(kept);
}

TEST(links_refuse_a_home_through_a_symlink)
{
	struct manifest m;
	struct cai_err err = { 0 };
	char p[PATH_MAX * 2];

	CHECK_INT(setup(&m), 0);
	snprintf(p, sizeof(p), "%s/home-link", tmp);
	int planted = symlink(home, p);
	int r = links_make(p, vol, &m, getuid(), getgid(), &err);
	teardown(&m);
	CHECK_INT(planted, 0);
	CHECK_INT(r, -1);
	CHECK_CONTAINS(err.msg, "links: home: ");
	CHECK_CONTAINS(err.msg, "a symlink is in the path at 'home-link'");
}
