/* SPDX-License-Identifier: MIT */
/* forkloop N INTERVAL_US: keep making processes while the init shuts down.
 *
 * Ignores SIGTERM, then forks N children, one every INTERVAL_US
 * microseconds; each child ignores SIGTERM too and waits forever.  A
 * shutdown that kills what one scan of /proc found misses the children
 * forked after that scan: they outlive their parent and are re-parented to
 * the init, which must kill them too instead of waiting for them.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100;
	long interval = argc > 2 ? atol(argv[2]) : 100;

	signal(SIGTERM, SIG_IGN);
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			for (;;)
				pause();
		usleep((useconds_t)interval);
	}
	for (;;)
		pause();
}
