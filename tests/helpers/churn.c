/* SPDX-License-Identifier: MIT */
/* churn [-i] PARKED READY_FILE: keep the init reaping for as long as it runs.
 *
 * Leaves its parent (fork, parent exits) and waits until it is the init's
 * child: PID 1's, or the nearest subreaper's.  Then parks PARKED children
 * that ignore SIGTERM and wait forever, writes READY_FILE, and from then on
 * makes children that exit at once, as fast as it can, retrying whenever
 * the pids limit refuses one.  Every child is made with clone(CLONE_PARENT),
 * so each is the init's, not ours: the init has PARKED live children to
 * walk past in every wait and always a new zombie to reap - an init that
 * reaps until none is left never gets to anything else.  With -i the
 * churner itself ignores SIGTERM too; without, SIGTERM ends it.  Run it in
 * a PID namespace of its own, under a pids cgroup limit of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* fork(), but the child is our parent's. */
static pid_t clone_parent(void)
{
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	int ignore = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'i';
	if (argc - ignore != 3) {
		fprintf(stderr, "usage: churn [-i] PARKED READY_FILE\n");
		return 2;
	}
	long parked = atol(argv[1 + ignore]);
	const char *ready = argv[2 + ignore];

	pid_t first = getpid(), p = fork();
	if (p < 0)
		return 2;
	if (p > 0)
		_exit(0);
	while (getppid() == first)
		usleep(1000);
	/* Ignored before the parked ones exist, so none can miss it. */
	signal(SIGTERM, SIG_IGN);
	for (long i = 0; i < parked;) {
		p = clone_parent();
		if (p == 0)
			for (;;)
				pause();
		if (p > 0)
			i++;
		else if (errno != EAGAIN)
			return 2;
		else
			usleep(1000);
	}
	if (!ignore)
		signal(SIGTERM, SIG_DFL);
	int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%ld\n", parked) < 0 || close(fd) < 0)
		return 2;
	for (;;) {
		p = clone_parent();
		if (p == 0)
			_exit(0);
		if (p < 0)
			sched_yield();
	}
}
