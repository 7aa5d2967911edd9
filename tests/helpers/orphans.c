/* SPDX-License-Identifier: MIT */
/* orphans N: make N orphans - each child forks a grandchild and exits at
 * once, so the grandchild is re-parented to the init, which must reap it.
 * Waits for its own children only; prints nothing. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;

	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0)
			return 1;
		if (c == 0) {
			if (fork() == 0)
				_exit(0);
			_exit(0);
		}
		waitpid(c, NULL, 0);
	}
	return 0;
}
