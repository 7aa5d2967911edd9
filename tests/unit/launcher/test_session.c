/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "session.h"
#include "unit.h"

static char dir[] = "/tmp/cai-session-XXXXXX";

static const char *at(const char *rel)
{
	static char buf[2][PATH_MAX];
	static int k;

	k = !k;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, rel);
	return buf[k];
}

/* A session on dir/ws with no docker or sbx to find (an empty bin/ is
 * PATH): nothing outside the test runs. */
static int open_session(struct session *s, struct cai_err *err)
{
	struct cli o = { .cmd = CMD_RUN };
	int code;

	if (!mkdtemp(dir) || mkdir(at("ws"), 0755) < 0 || mkdir(at("bin"), 0755) < 0 ||
	    mkdir(at("home"), 0700) < 0)
		return -1;
	setenv("PATH", at("bin"), 1);
	setenv("HOME", at("home"), 1);
	unsetenv("XDG_CONFIG_HOME");
	o.workspace = at("ws");
	return session_open(s, &o, 1, &code, err);
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "/bin/rm -rf '%s'", dir);
	if (system(cmd) != 0)
		unit_fail(__FILE__, __LINE__, "cleanup");
}

/* The workspace is held from the check on, by device and inode: moved
 * away, or another directory put at its path, is noticed - and put back,
 * it is the same again. */
TEST(session_workspace_held_and_rechecked)
{
	static struct session s;
	struct cai_err err;
	struct stat st;
	char want[64];

	CHECK_INT(open_session(&s, &err), 0);
	CHECK(s.workspace_fd >= 0);
	CHECK(fcntl(s.workspace_fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(stat(at("ws"), &st), 0);
	snprintf(want, sizeof(want), "%u:%u:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	CHECK_STR(s.workspace_id, want);
	CHECK_INT(session_workspace_unchanged(&s, &err), 0);

	CHECK_INT(rename(at("ws"), at("moved")), 0);
	CHECK_INT(session_workspace_unchanged(&s, &err), -1);
	CHECK_CONTAINS(err.msg, "was moved or replaced after it was checked");
	CHECK_INT(mkdir(at("ws"), 0755), 0);
	CHECK_INT(session_workspace_unchanged(&s, &err), -1);
	CHECK_INT(rmdir(at("ws")), 0);
	CHECK_INT(symlink(at("moved"), at("ws")), 0);
	CHECK_INT(session_workspace_unchanged(&s, &err), -1);
	CHECK_INT(unlink(at("ws")), 0);
	CHECK_INT(rename(at("moved"), at("ws")), 0);
	CHECK_INT(session_workspace_unchanged(&s, &err), 0);

	/* Held across the exec of the last command. */
	CHECK_INT(session_hold_workspace(&s, &err), 0);
	CHECK_INT(fcntl(s.workspace_fd, F_GETFD) & FD_CLOEXEC, 0);
	cleanup();
}
