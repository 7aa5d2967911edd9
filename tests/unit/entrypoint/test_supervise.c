/* SPDX-License-Identifier: MIT */
/* What containai-init exits with: the command's fate mapped to a status,
 * and execvp's search with the 126/127 distinction. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervise.h"
#include "unit.h"

TEST(exit_status_mapping)
{
	for (int code = 0; code < 256; code++)
		CHECK_INT(exit_status_from_wait(code << 8), code);
	for (int sig = 1; sig < 65; sig++)
		CHECK_INT(exit_status_from_wait(sig), 128 + sig);
	/* A core dump flag does not change the signal number. */
	CHECK_INT(exit_status_from_wait(SIGSEGV | 0x80), 128 + SIGSEGV);
}

/* exec_command says why on stderr; these tests read the status only. */
static void quiet(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, STDERR_FILENO) < 0)
		abort();
	close(null);
}

TEST(exec_command_not_found_is_127)
{
	char *envp[] = { "PATH=/nonexistent-a:/nonexistent-b", NULL };
	char *by_name[] = { "containai-no-such-command", NULL };
	char *by_path[] = { "/nonexistent-a/tool", NULL };
	char *empty[] = { "", NULL };

	quiet();
	CHECK_INT(exec_command(by_name, envp), EXIT_NOT_FOUND);
	CHECK_INT(exec_command(by_path, envp), EXIT_NOT_FOUND);
	CHECK_INT(exec_command(empty, envp), EXIT_NOT_FOUND);
}

TEST(exec_command_not_executable_is_126)
{
	char dir[256], tool[300], path_var[320];

	snprintf(dir, sizeof(dir), "%s/cai-exec.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	CHECK(mkdtemp(dir));
	snprintf(tool, sizeof(tool), "%s/tool", dir);
	int fd = open(tool, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
	/* Found but not executable - also when a later PATH entry has no such
	 * name at all: the command exists, so 126, as a shell would say. */
	snprintf(path_var, sizeof(path_var), "PATH=%s:/nonexistent", dir);
	char *envp[] = { path_var, NULL };
	char *by_path[] = { tool, NULL };
	char *by_name[] = { "tool", NULL };

	quiet();
	int by_path_status = exec_command(by_path, envp);
	int by_name_status = exec_command(by_name, envp);
	unlink(tool);
	rmdir(dir);
	CHECK_INT(by_path_status, EXIT_CANNOT_EXEC);
	CHECK_INT(by_name_status, EXIT_CANNOT_EXEC);
}
