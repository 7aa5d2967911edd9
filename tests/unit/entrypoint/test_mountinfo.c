/* SPDX-License-Identifier: MIT */
/* /proc/self/mountinfo parsing on captured tables (tests/fixtures/mountinfo). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fd.h"
#include "log.h"
#include "mountinfo.h"
#include "fixture.h"
#include "unit.h"

static const struct mount_entry *by_point(const struct mount_table *t, const char *mp)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].mount_point, mp))
			return &t->v[i];
	return NULL;
}

TEST(mountinfo_docker_bind_mounts)
{
	struct mount_table t = { 0 };
	CHECK_INT(fixture_mountinfo("docker-linux.txt", &t), 0);
	CHECK_INT(t.malformed, 0);
	CHECK_INT(t.n, 33);
	const struct mount_entry *root = &t.v[0];
	CHECK_INT(root->mnt_id, 72);
	CHECK_INT(root->parent_id, 48);
	CHECK_INT(root->major, 0);
	CHECK_INT(root->minor, 39);
	CHECK_STR(root->root, "/");
	CHECK_STR(root->mount_point, "/");
	CHECK_STR(root->optional, "master:2");
	CHECK_STR(root->fstype, "overlay");
	CHECK_STR(root->source, "overlay");
	CHECK(!strncmp(root->super_options, "rw,lowerdir=", 12));
	const struct mount_entry *vol = by_point(&t, "/mnt/agent-data");
	CHECK(vol != NULL);
	CHECK_STR(vol->root, "/var/lib/docker/volumes/envws-capvol/_data");
	CHECK_INT(vol->major, 254);
	CHECK_STR(vol->options, "rw,relatime");
	const struct mount_entry *sp = by_point(&t, "/work space");
	CHECK(sp != NULL);
	CHECK_STR(sp->root, "/var/tmp/envws-cap/with space");
	CHECK_STR(sp->optional, "");
	const struct mount_entry *tab = by_point(&t, "/tab\tdir");
	CHECK(tab != NULL);
	CHECK_STR(tab->root, "/var/tmp/envws-cap/with\ttab");
	const struct mount_entry *bs = by_point(&t, "/back\\slash");
	CHECK(bs != NULL);
	CHECK_STR(bs->root, "/var/tmp/envws-cap/back\\slash");
	CHECK(mountinfo_find_id(&t, 96) == by_point(&t, "/var/tmp/envws-cap/mirror"));
	CHECK(mountinfo_find_id(&t, 12345) == NULL);
	mountinfo_free(&t);
}

TEST(mountinfo_escapes_and_optional_fields)
{
	struct mount_table t = { 0 };
	CHECK_INT(fixture_mountinfo("host-escapes.txt", &t), 0);
	CHECK_INT(t.malformed, 0);
	CHECK_INT(t.n, 6);
	CHECK_STR(t.v[5].root, "net:[4026532881]");
	CHECK_STR(t.v[5].fstype, "nsfs");
	CHECK_STR(t.v[2].mount_point, "/var/tmp/cap/nl\ndir");
	CHECK_STR(t.v[2].source, "src with space");
	CHECK_STR(t.v[3].root, "/var/tmp/cap/with space");
	CHECK_STR(t.v[4].root, "/var/tmp/cap/back\\slash\ttab");
	CHECK_STR(t.v[4].mount_point, "/mnt/back\\slash\ttab");
	CHECK_STR(t.v[4].optional, "shared:5 master:7 propagate_from:2");
	CHECK_STR(t.v[4].fstype, "ext4");
	CHECK_STR(t.v[4].super_options, "rw");
	mountinfo_free(&t);
}

TEST(mountinfo_docker_desktop_sources)
{
	struct mount_table t = { 0 };
	CHECK_INT(fixture_mountinfo("docker-desktop-virtiofs.txt", &t), 0);
	CHECK_INT(t.malformed, 0);
	const struct mount_entry *e = by_point(&t, "/Users/dev/src/my app");
	CHECK(e != NULL);
	CHECK_STR(e->source, "/run/host_mark/Users");
	CHECK_STR(e->fstype, "fakeowner");
	mountinfo_free(&t);
	CHECK_INT(fixture_mountinfo("docker-desktop-grpcfuse.txt", &t), 0);
	CHECK_INT(t.malformed, 0);
	CHECK_STR(t.v[2].fstype, "fuse.grpcfuse");
	CHECK_STR(t.v[2].root, "/host_mnt/Users/dev/proj");
	mountinfo_free(&t);
}

TEST(mountinfo_malformed_lines_skipped)
{
	struct mount_table t = { 0 };
	CHECK_INT(fixture_mountinfo("malformed.txt", &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_INT(t.malformed, 14);
	CHECK_INT(t.v[0].mnt_id, 1);
	CHECK_INT(t.v[1].mnt_id, 13);
	CHECK_STR(t.v[1].optional, "shared:1");
	CHECK_STR(t.v[1].super_options, "rw");
	mountinfo_free(&t);
}

TEST(mountinfo_nul_and_empty)
{
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };
	static const char buf[] = "1 0 8:1 /a\0b /b rw - ext4 /dev/sda1 rw\n2 0 8:1 / / rw - ext4 x rw\n";
	log_set_level(LOG_LVL_ERROR);
	CHECK_INT(mountinfo_parse(buf, sizeof(buf) - 1, "buf", &t, &err), 0);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.malformed, 1);
	mountinfo_free(&t);
	CHECK_INT(mountinfo_parse("", 0, "empty", &t, &err), 0);
	CHECK_INT(t.n, 0);
	mountinfo_free(&t);
}

TEST(mountinfo_reads_self)
{
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };
	CHECK_INT(mountinfo_read_self(&t, &err), 0);
	CHECK(t.n > 0);
	CHECK_INT(t.malformed, 0);
	CHECK(by_point(&t, "/") != NULL);
	mountinfo_free(&t);
}

/* Captured in a container under gVisor (runsc 20221219): the column of
 * optional fields is empty, every mount has a device of its own, and a
 * bind mount's root is "/" (the host path is not shown). */
TEST(mountinfo_gvisor)
{
	struct mount_table t = { 0 };
	CHECK_INT(fixture_mountinfo("gvisor.txt", &t), 0);
	CHECK_INT(t.malformed, 0);
	CHECK_INT(t.n, 14);
	CHECK_STR(t.v[0].mount_point, "/");
	CHECK_STR(t.v[0].optional, "");
	CHECK_STR(t.v[0].fstype, "9p");
	CHECK_STR(t.v[0].options, "rw");
	const struct mount_entry *vol = by_point(&t, "/mnt/agent-data");
	CHECK(vol != NULL);
	CHECK_STR(vol->root, "/");
	CHECK_INT(vol->minor, 17);
	const struct mount_entry *sp = by_point(&t, "/work space");
	CHECK(sp != NULL);
	CHECK_STR(sp->options, "rw");
	CHECK_STR(sp->source, "none");
	mountinfo_free(&t);
}

/* An empty field is gVisor's empty column only right before " - ". */
TEST(mountinfo_empty_field_elsewhere_is_malformed)
{
	static const char text[] =
		"1 1 0:1 / / rw  - 9p none rw\n"          /* gVisor */
		"2 1 0:2 / /a rw  shared:1 - 9p none rw\n" /* empty, then a field */
		"3 1 0:3 / /b rw shared:1  - 9p none rw\n" /* empty after a field */
		"4 1 0:4 / /c rw   - 9p none rw\n";        /* two empty */
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };

	log_set_level(LOG_LVL_ERROR);
	CHECK_INT(mountinfo_parse(text, sizeof(text) - 1, "t", &t, &err), 0);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.malformed, 3);
	CHECK_STR(t.v[0].mount_point, "/");
	mountinfo_free(&t);
}

TEST(mountinfo_mount_of_and_beneath)
{
	static const char text[] =
		"1 1 0:1 / / rw - ext4 a rw\n"
		"2 1 0:2 / /mnt/agent-data rw - ext4 b rw\n"
		"3 2 0:3 / /mnt/agent-data-other rw - ext4 c rw\n"
		"4 1 0:4 / /mnt/agent-data rw - tmpfs d rw\n"      /* on top of 2 */
		"5 4 0:4 /x /mnt/agent-data/claude rw - tmpfs d rw\n";
	struct mount_table t = { 0 };
	struct cai_err err = { 0 };

	CHECK_INT(mountinfo_parse(text, sizeof(text) - 1, "t", &t, &err), 0);
	CHECK_INT(mountinfo_mount_of(&t, "/mnt/agent-data")->mnt_id, 4);
	CHECK_INT(mountinfo_mount_of(&t, "/mnt/agent-data/claude/skills")->mnt_id, 5);
	CHECK_INT(mountinfo_mount_of(&t, "/mnt/agent")->mnt_id, 1);
	CHECK_INT(mountinfo_mount_of(&t, "/mnt/agent-data-other/x")->mnt_id, 3);
	CHECK_INT(mountinfo_first_beneath(&t, "/mnt/agent-data")->mnt_id, 5);
	CHECK(mountinfo_first_beneath(&t, "/mnt/agent-data/claude") == NULL);
	CHECK(mountinfo_first_beneath(&t, "/mnt/agent-data-other") == NULL);
	CHECK_INT(mountinfo_first_beneath(&t, "/")->mnt_id, 2);
	mountinfo_free(&t);

	struct mount_table empty = { 0 };
	CHECK(mountinfo_mount_of(&empty, "/x") == NULL);
}
