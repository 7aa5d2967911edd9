/* SPDX-License-Identifier: MIT */
/* seccomp_no_openat2: run a command with openat2(2) failing.
 *
 *   seccomp_no_openat2 ENOSYS|EPERM COMMAND [ARG...]
 *
 * Installs the filter of no_openat2.h, then execs COMMAND (searched on
 * PATH).  The filter is inherited across fork and exec, so containai-init
 * run under it - as PID 1 or not, and the child that prepares the sandbox -
 * finds openat2 unusable by its own probe, and its own seccomp filter
 * stacks on top of this one.  Says on stderr when it had to set
 * no_new_privs (see no_openat2.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "no_openat2.h"

int main(int argc, char **argv)
{
	int errnum, set_nnp;

	if (argc < 3 || (strcmp(argv[1], "ENOSYS") && strcmp(argv[1], "EPERM"))) {
		fprintf(stderr, "usage: seccomp_no_openat2 ENOSYS|EPERM COMMAND [ARG...]\n");
		return 2;
	}
	errnum = !strcmp(argv[1], "ENOSYS") ? ENOSYS : EPERM;
	if (no_openat2_install(errnum, &set_nnp) < 0) {
		fprintf(stderr, "seccomp_no_openat2: loading the filter: %s\n", strerror(errno));
		return 2;
	}
	if (set_nnp)
		fprintf(stderr, "seccomp_no_openat2: no CAP_SYS_ADMIN: no_new_privs set to load the filter\n");
	execvp(argv[2], argv + 2);
	fprintf(stderr, "seccomp_no_openat2: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
