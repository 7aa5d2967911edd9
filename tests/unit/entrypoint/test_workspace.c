/* SPDX-License-Identifier: MIT */
/* Workspace discovery on parsed mount tables (tests/fixtures/mountinfo).
 * The descriptor side (links, mount points) is tested in tests/proc/envws.sh. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>

#include "fd.h"
#include "log.h"
#include "macro.h"
#include "mountinfo.h"
#include "fixture.h"
#include "unit.h"
#include "workspace.h"

#define LINK "/home/agent/workspace"

/* The mount point chosen for LINK in the fixture, "" when none; the last
 * refused candidate in *refused ("" when none). */
static const char *choose(const char *fixture, const char **refused)
{
	static struct mount_table t;
	static char out[256], ref[256];
	const struct mount_entry *r;

	mountinfo_free(&t);
	if (fixture_mountinfo(fixture, &t) < 0)
		return "load failed";
	const struct mount_entry *e = workspace_find_mirrored(&t, LINK, NULL, NULL, &r);
	snprintf(out, sizeof(out), "%s", e ? e->mount_point : "");
	snprintf(ref, sizeof(ref), "%s", r ? r->mount_point : "");
	if (refused)
		*refused = ref;
	return out;
}

TEST(workspace_docker_linux_mirrored)
{
	const char *refused;
	CHECK_STR(choose("docker-linux.txt", &refused), "/var/tmp/envws-cap/mirror");
	CHECK_STR(refused, "");
}

TEST(workspace_docker_desktop_deepest_wins)
{
	/* /Users/dev and /Users/dev/src/my app are both mirrored; /Users/dev/other
	 * is not (its root differs); /Volumes/ext/proj is mirrored but shallower. */
	CHECK_STR(choose("docker-desktop-virtiofs.txt", NULL), "/Users/dev/src/my app");
	CHECK_STR(choose("docker-desktop-grpcfuse.txt", NULL), "/Users/dev/proj");
}

TEST(workspace_macos_volumes_variant)
{
	CHECK_STR(choose("volumes-only.txt", NULL), "/Volumes/ext/proj");
}

TEST(workspace_refused_candidates)
{
	const char *refused;
	/* /etc, /var/lib/docker, /lib* (even /librarian), the link's parent
	 * and a path under the link: nothing here is acceptable. */
	CHECK_STR(choose("refused.txt", &refused), "");
	CHECK_STR(refused, "/home/agent/workspace/sub");
}

TEST(workspace_bind_layout_has_no_mirror)
{
	const char *refused;
	CHECK_STR(choose("sysbox-bind.txt", &refused), "");
	CHECK_STR(refused, "");
}

TEST(workspace_shadowed_and_ties)
{
	/* /srv/proj is hidden by a later tmpfs; /a/one and /b/two tie: the later wins. */
	CHECK_STR(choose("shadowed.txt", NULL), "/b/two");
}

TEST(workspace_host_with_mirrored_docker_dir)
{
	/* This machine's kind: /var/lib/docker bound onto itself is refused,
	 * the real mirrored mount is chosen. */
	const char *refused;
	CHECK_STR(choose("host-escapes.txt", &refused), "/var/tmp/cap/with space");
	CHECK_STR(refused, "/var/lib/docker");
}

TEST(workspace_refusal_rules)
{
	static const struct {
		const char *path;
		int refused;
	} cases[] = {
		{ "/", 1 }, { "/etc", 1 }, { "/etc/x", 1 }, { "/etcetera", 0 }, { "/proc/1", 1 },
		{ "/sys", 1 }, { "/run/host_mark/Users", 1 }, { "/dev/shm", 1 }, { "/usr/src/app", 1 },
		{ "/bin", 1 }, { "/sbin/x", 1 }, { "/lib", 1 }, { "/lib64", 1 }, { "/libx32/a", 1 },
		{ "/boot", 1 }, { "/var/lib/docker", 1 }, { "/var/lib/docker/volumes/x", 1 },
		{ "/var/lib/dockerx", 0 }, { "/var/lib", 0 }, { "/home/agent", 1 },
		{ LINK, 1 }, { LINK "/sub", 1 }, { LINK "2", 0 }, { "/home/dev/proj", 0 },
		{ "/Users/dev/proj", 0 }, { "/workspace", 0 }, { "relative", 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = workspace_refusal(cases[i].path, LINK);
		if ((why != NULL) != cases[i].refused) {
			unit_fail(__FILE__, __LINE__, "%s: refusal %s", cases[i].path, why ? why : "(none)");
			return;
		}
	}
	/* A link at "/" has every candidate under it. */
	CHECK_STR(workspace_refusal("/home/dev/proj", "/"), "is at or under the workspace link");
}

TEST(workspace_mirrored_rule)
{
	struct mount_entry e = { 0 };
	e.root = "/x/y";
	e.mount_point = "/x/y";
	CHECK(workspace_is_mirrored(&e));
	e.mount_point = "/Volumes/x/y";
	CHECK(workspace_is_mirrored(&e));
	e.mount_point = "/Volumesx/y";
	e.root = "/x/y";
	CHECK(!workspace_is_mirrored(&e));
	e.root = "/";
	e.mount_point = "/Volumes";
	CHECK(!workspace_is_mirrored(&e));
	e.mount_point = "/Volumes/";
	CHECK(!workspace_is_mirrored(&e));
	e.root = "/x";
	e.mount_point = "/y/x";
	CHECK(!workspace_is_mirrored(&e));
}

static int not_deepest(const struct mount_entry *e, void *ctx)
{
	(void)ctx;
	return strcmp(e->mount_point, "/Users/dev/src/my app") != 0;
}

TEST(workspace_unusable_candidate_skipped)
{
	/* A mirrored file (or a hidden mount) is passed over for the next best. */
	struct mount_table t = { 0 };
	const struct mount_entry *r;
	CHECK_INT(fixture_mountinfo("docker-desktop-virtiofs.txt", &t), 0);
	const struct mount_entry *e = workspace_find_mirrored(&t, LINK, not_deepest, NULL, &r);
	CHECK(e != NULL);
	CHECK_STR(e->mount_point, "/Volumes/ext/proj");
	mountinfo_free(&t);
}

/* What the launcher says about the workspace it checked: its device and
 * inode with its host path, or the path alone; nothing else is accepted. */
TEST(workspace_expect_forms)
{
	struct workspace_expect e;
	struct cai_err err;

	CHECK_INT(workspace_expect_parse(NULL, &e, &err), 0);
	CHECK(!e.has_id && !e.path[0]);
	CHECK_INT(workspace_expect_parse("", &e, &err), 0);
	CHECK(!e.has_id && !e.path[0]);
	CHECK_INT(workspace_expect_parse("8:1:1234567:/home/u/src/p", &e, &err), 0);
	CHECK(e.has_id);
	CHECK_INT(e.major, 8);
	CHECK_INT(e.minor, 1);
	CHECK_INT(e.ino, 1234567);
	CHECK_STR(e.path, "/home/u/src/p");
	CHECK_INT(workspace_expect_parse("0:50:18446744073709551615:/w", &e, &err), 0);
	CHECK(e.ino == UINT64_MAX);
	CHECK_INT(workspace_expect_parse("/Users/dev/proj", &e, &err), 0);
	CHECK(!e.has_id);
	CHECK_STR(e.path, "/Users/dev/proj");
	static const char *const bad[] = {
		"relative", "8:1:12", "8:1:12:", "8:1:12:rel", "-8:1:12:/w", "8:+1:12:/w", "8: 1:12:/w",
		"4294967296:0:1:/w", "0:0:18446744073709551616:/w", "0x8:1:12:/w", "8:1:12/w",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (workspace_expect_parse(bad[i], &e, &err) == 0)
			unit_fail(__FILE__, __LINE__, "'%s' accepted", bad[i]);
	CHECK_CONTAINS(err.msg, "MAJOR:MINOR:INODE:/PATH");
}
