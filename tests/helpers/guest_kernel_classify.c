/* SPDX-License-Identifier: MIT */
/* guest_kernel_classify ENGINE_RELEASE < PROBE_OUTPUT
 * guest_kernel_classify --command
 *
 * launcher/guest_kernel.c's rule on live probe output, for the e2e suites:
 * prints "VERDICT: WHY" (VERDICT host, gvisor, other or unknown).  With
 * --command: the probe's command, for `sh -c` in the probe container.
 */
#include <stdio.h>
#include <string.h>

#include "guest_kernel.h"

int main(int argc, char **argv)
{
	char buf[8192], why[512];
	size_t n;

	if (argc == 2 && !strcmp(argv[1], "--command")) {
		puts(GUEST_KERNEL_PROBE_CMD);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: guest_kernel_classify ENGINE_RELEASE < PROBE_OUTPUT | --command\n");
		return 2;
	}
	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	buf[n] = '\0';
	enum guest_kernel k = guest_kernel_classify(argv[1], buf, why, sizeof(why));
	printf("%s: %s\n", guest_kernel_name(k), why);
	return 0;
}
