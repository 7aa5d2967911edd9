/* SPDX-License-Identifier: MIT */
/* swapper A B: exchange the names A and B (renameat2 RENAME_EXCHANGE) in a
 * tight loop until killed - the race a hostile process sharing the volume
 * runs against containai-init.  Prints the number of swaps on SIGTERM. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	unsigned long swaps = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: swapper A B\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			fprintf(stderr, "swapper: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		swaps++;
	}
	/* Leave the names as they were found: an even number of exchanges. */
	if (swaps % 2 && renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) == 0)
		swaps++;
	printf("%lu\n", swaps);
	return 0;
}
