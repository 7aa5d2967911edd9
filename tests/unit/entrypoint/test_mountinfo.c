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
