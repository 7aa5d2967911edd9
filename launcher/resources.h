/* SPDX-License-Identifier: MIT */
/* resources: the resource limits every sandbox runs under.
 *
 * Owns: --memory, --cpus and --pids-limit (and the config keys memory,
 * cpus, pids_limit): reading them, the defaults that keep the host usable
 * when none is given - memory: three quarters of what the engine has;
 * CPUs: all of the engine's but one (at least one); processes: 4096, so a
 * fork bomb inside ends at the sandbox's own limit while the host still
 * forks - and the docker flags that set them.  The swap limit equals the
 * memory limit: a sandbox cannot double its memory by swapping.
 * Refuses: anything but a positive amount in range - memory 6 MiB (the
 * engine's floor) to 1 PiB, as BYTES or with a k, m, g or t suffix
 * (powers of 1024); CPUs 0.01 to 1024 with at most two decimals; processes
 * 16 to 4194304.  "Unlimited" is not a value: a sandbox without limits is
 * not shaped as `run` creates one.
 */
#ifndef CAI_RESOURCES_H
#define CAI_RESOURCES_H

#include "argv.h"
#include "err.h"

#define RESOURCES_DEFAULT_PIDS 4096
/* When the engine does not say how much it has. */
#define RESOURCES_FALLBACK_MEMORY (4ULL << 30)
#define RESOURCES_FALLBACK_CPUS 2

struct resources {
	unsigned long long memory;      /* bytes; 0: the default */
	unsigned long long nano_cpus;   /* 1e9 per CPU; 0: the default */
	long long pids;                 /* 0: the default */
};

int resources_parse_memory(const char *s, unsigned long long *bytes, struct cai_err *err);
int resources_parse_cpus(const char *s, unsigned long long *nano_cpus, struct cai_err *err);
int resources_parse_pids(const char *s, long long *pids, struct cai_err *err);

/* Fill the fields left 0 with the defaults for an engine of mem_total
 * bytes and ncpu CPUs (0 when it did not say). */
void resources_resolve(struct resources *l, long long mem_total, long long ncpu);

/* --memory B --memory-swap B --cpus N.NN --pids-limit N, values resolved. */
void resources_push(const struct resources *l, struct argv *a);

#endif
