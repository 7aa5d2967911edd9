/* SPDX-License-Identifier: MIT */
/* A directory of a test's own, removed with everything in it when the
 * variable holding it goes out of scope - also when a CHECK returns. */
#ifndef CAI_UNIT_SCRATCH_H
#define CAI_UNIT_SCRATCH_H

struct scratch {
	char path[64];
	int fd;                 /* the directory, open */
};

/* A fresh /tmp/cai-unit-NAME.XXXXXX; reports a failure and returns -1. */
int scratch_make(struct scratch *s, const char *name);
void scratch_release(struct scratch *s);

#define _cleanup_scratch_ __attribute__((cleanup(scratch_release)))

#endif
