/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "file_replace.h"
#include "scratch.h"
#include "unit.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static char *contents(const char *dir, const char *name)
{
	char p[256];
	char *buf = NULL;
	size_t len;
	struct cai_err err;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (fd_read_file(p, 4096, &buf, &len, &err) < 0)
		return NULL;
	return buf;
}

TEST(file_replace_puts_the_new_bytes_in_place_and_nothing_else)
{
	_cleanup_scratch_ struct scratch d;

	if (scratch_make(&d, "replace") < 0)
		return;
	struct cai_err err;

	CHECK_INT(file_replace_at(d.fd, "f", "one", 3, 0644, geteuid(), getegid(), &err), 0);
	CHECK_INT(file_replace_at(d.fd, "f", "two", 3, 0600, geteuid(), getegid(), &err), 0);
	_cleanup_free_ char *got = contents(d.path, "f");
	CHECK_STR(got, "two");
	/* No temporary file left behind. */
	CHECK_INT(entries(d.path), 1);
	CHECK_INT(file_replace_at(d.fd, "a/b", "x", 1, 0644, geteuid(), getegid(), &err), -1);
}

/* A symlink at the name is replaced itself; what it pointed to is never written. */
TEST(file_replace_never_writes_through_a_symlink)
{
	_cleanup_scratch_ struct scratch d;
	char p[128], q[128];

	if (scratch_make(&d, "replace") < 0)
		return;
	struct cai_err err;
	struct stat st;

	snprintf(p, sizeof(p), "%s/target", d.path);
	snprintf(q, sizeof(q), "%s/f", d.path);
	CHECK_INT(file_create_at(d.fd, "target", "keep", 4, 0644, geteuid(), getegid(), &err), 0);
	CHECK_INT(symlink(p, q), 0);
	CHECK_INT(file_replace_at(d.fd, "f", "new", 3, 0644, geteuid(), getegid(), &err), 0);
	CHECK_INT(lstat(q, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	_cleanup_free_ char *kept = contents(d.path, "target");
	CHECK_STR(kept, "keep");
}

TEST(file_create_never_reuses_a_name)
{
	_cleanup_scratch_ struct scratch d;
	char p[128], q[128];

	if (scratch_make(&d, "replace") < 0)
		return;
	struct cai_err err;

	CHECK_INT(file_create_at(d.fd, "b", "1", 1, 0600, geteuid(), getegid(), &err), 0);
	CHECK_INT(file_create_at(d.fd, "b", "2", 1, 0600, geteuid(), getegid(), &err), -1);
	CHECK_INT(err.errnum, EEXIST);
	_cleanup_free_ char *b = contents(d.path, "b");
	CHECK_STR(b, "1");
	/* Not even through a dangling symlink planted at the name. */
	snprintf(p, sizeof(p), "%s/elsewhere", d.path);
	snprintf(q, sizeof(q), "%s/c", d.path);
	CHECK_INT(symlink(p, q), 0);
	CHECK_INT(file_create_at(d.fd, "c", "2", 1, 0600, geteuid(), getegid(), &err), -1);
	CHECK_INT(access(p, F_OK), -1);
}

TEST(file_open_parent_splits_the_path)
{
	struct cai_err err;
	const char *name;
	int dirfd;

	CHECK_INT(file_open_parent("/tmp/x", &dirfd, &name, &err), 0);
	CHECK_STR(name, "x");
	close(dirfd);
	CHECK_INT(file_open_parent("relative/x", &dirfd, &name, &err), -1);
	CHECK_INT(file_open_parent("/tmp/", &dirfd, &name, &err), -1);
	CHECK_INT(file_open_parent("/x", &dirfd, &name, &err), 0);
	CHECK_STR(name, "x");
	close(dirfd);
	CHECK_INT(file_open_parent("/no/such/dir/x", &dirfd, &name, &err), -1);
}
