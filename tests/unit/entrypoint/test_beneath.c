/* SPDX-License-Identifier: MIT */
/* beneath: every case runs through openat2 and through the component walk
 * (openat2 filtered to ENOSYS, and to EPERM), so both lookups are held to
 * one standard. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"
#include "fd.h"
#include "macro.h"
#include "unit.h"
#include "../../helpers/no_openat2.h"

static char tmp[PATH_MAX];

/* A fresh scratch tree: TMP/vol/{a/b/,f} and TMP/outside/secret. */
static const char *scratch(void)
{
	char p[PATH_MAX + 32];

	snprintf(tmp, sizeof(tmp), "%s/cai-beneath.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return NULL;
	const char *dirs[] = { "vol", "vol/a", "vol/a/b", "outside" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, dirs[i]);
		mkdir(p, 0755);
	}
	const char *files[] = { "vol/f", "vol/a/b/g", "outside/secret" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, files[i]);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	return tmp;
}

static void rm_scratch(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
}

static void at(char *out, const char *rel)
{
	if (snprintf(out, PATH_MAX, "%s/%s", tmp, rel) >= PATH_MAX)
		abort();
}

static int open_vol(struct beneath *b, struct cai_err *err)
{
	char p[PATH_MAX];

	at(p, "vol");
	return beneath_open_root(b, p, err);
}

static void sym(const char *target, const char *rel)
{
	char p[PATH_MAX];

	at(p, rel);
	if (symlink(target, p) < 0)
		unit_fail(__FILE__, __LINE__, "symlink %s", p);
}

/* The walk, as beneath.c reaches it by itself: openat2 filtered away in
 * this test's process (ENOSYS like an old kernel, EPERM like an old
 * runtime profile), so its own probe finds it unusable. */
static void without_openat2(int errnum)
{
	struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_BENEATH };
	int set_nnp;

	if (no_openat2_install(errnum, &set_nnp) < 0)
		unit_fail(__FILE__, __LINE__, "loading the filter: %s", strerror(errno));
	if (syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how)) != -1 || errno != errnum)
		unit_fail(__FILE__, __LINE__, "openat2 is not failing with %d", errnum);
}

#define BOTH(name)                                                   \
	static void body_##name(void);                               \
	TEST(name##_openat2) { body_##name(); }                      \
	TEST(name##_walk)                                            \
	{                                                            \
		without_openat2(ENOSYS);                             \
		body_##name();                                       \
	}                                                            \
	TEST(name##_walk_eperm)                                      \
	{                                                            \
		without_openat2(EPERM);                              \
		body_##name();                                       \
	}                                                            \
	static void body_##name(void)

BOTH(beneath_opens_nested_paths)
{
	struct beneath b;
	struct cai_err err = { 0 };
	struct stat st;

	CHECK(scratch());
	CHECK_INT(open_vol(&b, &err), 0);
	_cleanup_close_ int f = beneath_open(&b, "a/b/g", O_RDONLY, 0, &err);
	CHECK(f >= 0);
	CHECK_INT(fstat(f, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	_cleanup_close_ int d = beneath_open(&b, "a/b", O_PATH | O_DIRECTORY, 0, &err);
	CHECK(d >= 0);
	CHECK(fcntl(f, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(beneath_verify_root(&b, &err), 0);
	CHECK_INT(b.is_mount_root, 0);
	beneath_close(&b);
	rm_scratch();
}

BOTH(beneath_refuses_bad_relative_paths)
{
	struct beneath b;
	struct cai_err err = { 0 };
	const char *bad[] = { "", "/f", "..", ".", "a/../f", "a//b", "a/", "./f", "a/b/.." };

	CHECK(scratch());
	CHECK_INT(open_vol(&b, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_INT(beneath_open(&b, bad[i], O_PATH, 0, &err), -1);
	CHECK_INT(beneath_open(&b, "a/../f", O_PATH, 0, &err), -1);
	CHECK_CONTAINS(err.msg, "'..' component not allowed");
	CHECK_INT(beneath_open(&b, "/etc/passwd", O_RDONLY, 0, &err), -1);
	CHECK_CONTAINS(err.msg, "absolute path");
	beneath_close(&b);
	rm_scratch();
}

BOTH(beneath_refuses_symlink_at_every_component)
{
	struct beneath b;
	struct cai_err err = { 0 };
	char outside[PATH_MAX];

	CHECK(scratch());
	at(outside, "outside");
	sym(outside, "vol/to_outside");           /* absolute, to a directory outside */
	sym("../outside/secret", "vol/to_secret"); /* relative, to a file outside */
	sym("a", "vol/inner");                    /* stays inside: still refused */
	sym("nowhere", "vol/dangling");
	CHECK_INT(open_vol(&b, &err), 0);

	const char *cases[] = { "to_outside/secret", "to_secret", "inner/b/g", "inner", "dangling" };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int flags[] = { O_RDONLY, O_PATH, O_PATH | O_DIRECTORY, O_RDONLY | O_DIRECTORY, O_WRONLY | O_CREAT };
		for (size_t j = 0; j < ARRAY_SIZE(flags); j++) {
			err_clear(&err);
			CHECK_INT(beneath_open(&b, cases[i], flags[j], 0600, &err), -1);
			CHECK_INT(err.errnum, ELOOP);
			CHECK_CONTAINS(err.msg, cases[i]);
			CHECK_CONTAINS(err.msg, "symlink");
		}
	}
	/* O_EXCL never follows: the dangling link's target is not created. */
	CHECK_INT(beneath_open(&b, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0600, &err), -1);
	CHECK_INT(err.errnum, EEXIST);
	CHECK_INT(beneath_open(&b, "to_outside/new", O_WRONLY | O_CREAT | O_EXCL, 0600, &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	char p[PATH_MAX];
	at(p, "vol/nowhere");
	CHECK_INT(access(p, F_OK), -1);
	at(p, "outside/new");
	CHECK_INT(access(p, F_OK), -1);
	beneath_close(&b);
	rm_scratch();
}

BOTH(beneath_refuses_magic_links)
{
	struct beneath b;
	struct cai_err err = { 0 };

	CHECK(scratch());
	sym("/proc/self/root", "vol/magic");
	CHECK_INT(open_vol(&b, &err), 0);
	CHECK_INT(beneath_open(&b, "magic/etc/passwd", O_RDONLY, 0, &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	beneath_close(&b);
	rm_scratch();
}

BOTH(beneath_root_refuses_symlinks_anywhere)
{
	struct beneath b;
	struct cai_err err = { 0 };
	char p[PATH_MAX], link[PATH_MAX];

	CHECK(scratch());
	at(p, "vol");
	sym(p, "volink");
	at(link, "volink");
	CHECK_INT(beneath_open_root(&b, link, &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	CHECK_INT(b.root_fd, -1);
	at(link, "volink/a");
	CHECK_INT(beneath_open_root(&b, link, &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	CHECK_INT(beneath_open_root(&b, "/proc/self/root/tmp", &err), -1);
	CHECK_INT(err.errnum, ELOOP);
	at(p, "vol/f");
	CHECK_INT(beneath_open_root(&b, p, &err), -1);
	CHECK_INT(err.errnum, ENOTDIR);
	CHECK_INT(beneath_open_root(&b, "relative/path", &err), -1);
	at(p, "vol/../vol");
	CHECK_INT(beneath_open_root(&b, p, &err), -1);
	CHECK_CONTAINS(err.msg, "'..'");
	rm_scratch();
}

/* A private mount namespace so the test can mount a tmpfs as root. */
static int private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

BOTH(beneath_refuses_mount_crossing)
{
	struct beneath b;
	struct cai_err err = { 0 };
	char p[PATH_MAX];

	if (private_mounts() < 0) {
		printf("# skipped: no mount namespace (%s)\n", strerror(errno));
		return;
	}
	CHECK(scratch());
	at(p, "vol/a/b");
	CHECK_INT(mount("tmpfs", p, "tmpfs", 0, "size=64k"), 0);
	at(p, "vol/a/b/m");
	close(open(p, O_CREAT | O_WRONLY, 0644));
	CHECK_INT(open_vol(&b, &err), 0);
	CHECK_INT(beneath_open(&b, "a/b/m", O_RDONLY, 0, &err), -1);
	CHECK_INT(err.errnum, EXDEV);
	CHECK_CONTAINS(err.msg, "a/b/m: leaves the volume or crosses a mount");
	CHECK_INT(beneath_open(&b, "a/b", O_PATH | O_DIRECTORY, 0, &err), -1);
	CHECK_INT(err.errnum, EXDEV);
	CHECK_INT(beneath_open(&b, "a/b/new", O_WRONLY | O_CREAT | O_EXCL, 0600, &err), -1);
	CHECK_INT(err.errnum, EXDEV);
	at(p, "vol/a/b/new");           /* refused before anything was created */
	CHECK_INT(access(p, F_OK), -1);
	beneath_close(&b);

	/* The mount itself as root: recorded as a mount point. */
	at(p, "vol/a/b");
	CHECK_INT(beneath_open_root(&b, p, &err), 0);
	CHECK_INT(b.is_mount_root, 1);
	_cleanup_close_ int f = beneath_open(&b, "m", O_RDONLY, 0, &err);
	CHECK(f >= 0);
	beneath_close(&b);
	CHECK_INT(umount2(p, MNT_DETACH), 0);
	rm_scratch();
}

BOTH(beneath_creates_and_opens_parents)
{
	struct beneath b;
	struct cai_err err = { 0 };
	struct stat st;
	const char *name;
	char c[PATH_MAX];

	CHECK(scratch());
	CHECK_INT(open_vol(&b, &err), 0);
	umask(0);
	at(c, "vol/a/b/c");
	CHECK_INT(mkdir(c, 0700), 0);
	_cleanup_close_ int f = beneath_open(&b, "a/b/c/n", O_WRONLY | O_CREAT | O_EXCL, 0640, &err);
	CHECK(f >= 0);
	CHECK_INT(fstat(f, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0640);
	_cleanup_close_ int pd = beneath_open_parent(&b, "a/b/c/n", &name, &err);
	CHECK(pd >= 0);
	CHECK_STR(name, "n");
	CHECK_INT(fstatat(pd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	_cleanup_close_ int rd = beneath_open_parent(&b, "f", &name, &err);
	CHECK(rd >= 0);
	CHECK_STR(name, "f");
	_cleanup_close_ int root = beneath_reopen_root(&b, O_RDONLY | O_DIRECTORY, &err);
	CHECK(root >= 0);
	CHECK_INT(fstat(root, &st), 0);
	CHECK_INT(st.st_ino, b.ino);
	beneath_close(&b);
	rm_scratch();
}

BOTH(beneath_verify_root_sees_removal)
{
	struct beneath b;
	struct cai_err err = { 0 };
	char p[PATH_MAX];

	CHECK(scratch());
	at(p, "outside");
	CHECK_INT(beneath_open_root(&b, p, &err), 0);
	at(p, "outside/secret");
	unlink(p);
	at(p, "outside");
	CHECK_INT(rmdir(p), 0);
	CHECK_INT(beneath_verify_root(&b, &err), -1);
	CHECK_CONTAINS(err.msg, "removed");
	beneath_close(&b);
	rm_scratch();
}
