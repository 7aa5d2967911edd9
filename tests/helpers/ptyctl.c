/* SPDX-License-Identifier: MIT */
/* ptyctl [-s] CMD...: run CMD on a new pseudo-terminal as its session
 * leader (like `docker run -it`), wait until it prints "ready", type
 * Ctrl-C - or with -s Ctrl-S, which stops the terminal's output for good -
 * then print what CMD wrote before "ready" and, on the last line, CMD's
 * exit status the way a shell would (128+N for signal N). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int master;
	char buf[4096];
	size_t have = 0;
	const char *key = "\x03";

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		key = "\x13";
		argv++;
		argc--;
	}
	if (argc < 2)
		return 2;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	/* Wait for "ready" (at most 10 s) so Ctrl-C hits a running command. */
	for (int i = 0; i < 100 && !memmem(buf, have, "ready", 5); i++) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 100) > 0) {
			ssize_t n = read(master, buf + have, sizeof(buf) - have - 1);
			if (n <= 0)
				break;
			have += (size_t)n;
		}
	}
	fwrite(buf, 1, have, stdout);
	if (write(master, key, 1) != 1)
		return 2;
	int st;
	/* Keep draining the terminal so the command never blocks writing. */
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 50) > 0 && read(master, buf, sizeof(buf)) <= 0)
			usleep(10000);
	}
	printf("\n%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
