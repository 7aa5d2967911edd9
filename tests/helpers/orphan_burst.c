/* SPDX-License-Identifier: MIT */
/* orphan_burst N [TIMEOUT_S]: leave N orphans to PID 1 and time their reaping.
 *
 * Forks N children; each forks a grandchild and exits at once, so every
 * grandchild is re-parented to the init (PID 1 of the namespace, or the
 * nearest subreaper).  The grandchildren wait on a pipe; once all N exist
 * the helper closes it, they all exit together and the init has N zombies
 * to reap in one burst.  The helper then waits until it and the init are
 * the only processes left in /proc, and prints
 *   orphans=N reap_ms=MS left=K
 * with MS the time from the release to the last one gone, and K the
 * processes (zombies included) still there at the timeout.
 * Exits 0 when none is left, 1 otherwise.  Run it in a PID namespace with
 * its own /proc (unshare --pid --fork --mount-proc INIT -- orphan_burst N),
 * as the init's direct command: any other process there counts as an
 * orphan not yet reaped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Processes in this PID namespace other than PID 1 and the caller. */
static long others(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;
	pid_t self = getpid();

	if (!d) {
		perror("orphan_burst: /proc");
		exit(2);
	}
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || pid == 1 || pid == self)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	double timeout_ms = (argc > 2 ? atof(argv[2]) : 60) * 1e3;
	double start, deadline;
	long left, made = 0;
	int gate[2];

	if (pipe(gate) < 0) {
		perror("orphan_burst: pipe");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			perror("orphan_burst: fork");
			break;
		}
		if (c == 0) {
			pid_t g = fork();
			if (g == 0) {
				char b;
				close(gate[1]);
				while (read(gate[0], &b, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			_exit(g < 0);
		}
		/* Reap our own child at once: only grandchildren become orphans,
		 * and our process count stays small. */
		while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
			;
		made++;
	}
	start = now_ms();
	close(gate[1]);
	close(gate[0]);
	deadline = start + timeout_ms;
	while ((left = others()) > 0 && now_ms() < deadline)
		usleep(1000);
	printf("orphans=%ld reap_ms=%.1f left=%ld\n", made, now_ms() - start, left);
	return left == 0 && made == n ? 0 : 1;
}
