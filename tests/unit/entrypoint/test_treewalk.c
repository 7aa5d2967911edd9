/* SPDX-License-Identifier: MIT */
/* treewalk: every entry once, directories handed over open and judged on
 * their own descriptor, symlinks and special files only looked at. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "treewalk.h"
#include "unit.h"

static char tmp[PATH_MAX];

/* TMP/{d/e/f, d/link -> /etc, fifo, file} */
static int tree(void)
{
	char p[PATH_MAX + 32];

	snprintf(tmp, sizeof(tmp), "/tmp/cai-treewalk.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(p, sizeof(p), "%s/d", tmp);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/e", tmp);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/e/f", tmp);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/d/link", tmp);
	if (symlink("/etc", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/fifo", tmp);
	if (mkfifo(p, 0600) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/file", tmp);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	return 0;
}

static void rm_tree(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
}

struct seen {
	struct treewalk w;
	char log[2048];
	size_t len;
	int done_calls;
};

static int record(struct treewalk *w, const struct treewalk_entry *e, struct cai_err *err)
{
	struct seen *s = (struct seen *)w;
	char kind = S_ISDIR(e->stx.stx_mode) ? 'd' : S_ISLNK(e->stx.stx_mode) ? 'l' :
		    S_ISFIFO(e->stx.stx_mode) ? 'p' : 'f';

	(void)err;
	/* A directory comes open, anything else never. */
	if ((kind == 'd') != (e->fd >= 0))
		return -1;
	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "%c:%s@%u;", kind, e->path,
				   e->depth);
	return kind == 'd';
}

static int count_done(struct treewalk *w, int fd, size_t len, unsigned depth, struct cai_err *err)
{
	(void)fd;
	(void)len;
	(void)depth;
	(void)err;
	((struct seen *)w)->done_calls++;
	return 0;
}

TEST(treewalk_visits_each_entry_once_without_following)
{
	struct seen s = { .w = { .visit = record, .done = count_done } };
	struct cai_err err = { 0 };

	CHECK_INT(tree(), 0);
	_cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	int r = treewalk_dir(&s.w, fd, 0, 0, &err);
	rm_tree();
	CHECK_INT(r, 0);
	/* getdents order is the file system's: check each entry by itself. */
	CHECK_CONTAINS(s.log, "d:d@1;");
	CHECK_CONTAINS(s.log, "d:d/e@2;");
	CHECK_CONTAINS(s.log, "f:d/e/f@3;");
	CHECK_CONTAINS(s.log, "l:d/link@2;");
	CHECK_CONTAINS(s.log, "p:fifo@1;");
	CHECK_CONTAINS(s.log, "f:file@1;");
	CHECK(!strstr(s.log, "passwd"));        /* /etc, behind the symlink, never listed */
	CHECK_INT(s.done_calls, 3);             /* the root, d, d/e */
}

TEST(treewalk_name_says_missing_and_refuses_paths)
{
	struct seen s = { .w = { .visit = record } };
	struct cai_err err = { 0 };
	int missing = 0;

	CHECK_INT(tree(), 0);
	_cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY);
	int r1 = treewalk_name(&s.w, fd, "nothing", 0, 0, &missing, &err);
	int r2 = treewalk_name(&s.w, fd, "d/e", 0, 0, &missing, &err);
	char why[CAI_ERR_MAX];
	snprintf(why, sizeof(why), "%s", err.msg);
	int r3 = treewalk_name(&s.w, fd, "..", 0, 0, &missing, &err);
	rm_tree();
	CHECK_INT(r1, 0);
	CHECK(missing);
	CHECK_INT(r2, -1);
	CHECK_CONTAINS(why, "'d/e' is not a name in a directory");
	CHECK_INT(r3, -1);
	CHECK(!strstr(s.log, "passwd"));
}

/* What was looked at and what is opened are one inode: a file swapped in
 * between is refused, a symlink is never opened through. */
TEST(treewalk_reopen_refuses_a_swap)
{
	struct cai_err err = { 0 };
	struct treewalk_entry e = { .name = "file", .path = "file" };
	char a[PATH_MAX + 16], b[PATH_MAX + 16];

	CHECK_INT(tree(), 0);
	_cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY);
	e.dirfd = fd;
	CHECK_INT(treewalk_look(fd, "file", DT_UNKNOWN, TREEWALK_OPEN, &e), 0);
	snprintf(a, sizeof(a), "%s/other", tmp);
	snprintf(b, sizeof(b), "%s/file", tmp);
	close(open(a, O_CREAT | O_WRONLY, 0644));
	rename(a, b);
	int r = treewalk_reopen(&e, O_RDONLY, &err);
	unlink(b);
	int linked = symlink("/etc/passwd", b);
	struct cai_err err2 = { 0 };
	int r2 = treewalk_reopen(&e, O_RDONLY, &err2);
	rm_tree();
	CHECK_INT(linked, 0);
	CHECK_INT(r, -1);
	CHECK_CONTAINS(err.msg, "file: replaced while being checked");
	CHECK_INT(r2, -1);
	CHECK_CONTAINS(err2.msg, "replaced while being checked");
}
