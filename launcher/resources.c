/* SPDX-License-Identifier: MIT */
#include "resources.h"

#include <stdint.h>
#include <string.h>

#include "decimal.h"

#define MIB (1ULL << 20)
#define MEMORY_MIN (6 * MIB)
#define MEMORY_MAX (1ULL << 50)
#define NANO 1000000000ULL
#define CPUS_MAX 1024
#define PIDS_MIN 16
#define PIDS_MAX 4194304

int resources_parse_memory(const char *s, unsigned long long *bytes, struct cai_err *err)
{
	static const char suffixes[] = "bkmgt";
	size_t n = strlen(s);
	const char *suffix = n ? strchr(suffixes, s[n - 1] | 0x20) : NULL;
	unsigned shift = 0;
	uint64_t v;

	/* (Digits stay digits with the 0x20 bit set.) */
	if (suffix) {
		shift = 10 * (unsigned)(suffix - suffixes);
		n--;
	}
	if (decimal_parse(s, n, MEMORY_MAX >> shift, &v, err) < 0 || (v << shift) < MEMORY_MIN)
		return err_set(err, 0, "memory '%s': a number of bytes from 6m to 1024t, or with k, m, g or t", s);
	*bytes = v << shift;
	return 0;
}

int resources_parse_cpus(const char *s, unsigned long long *nano_cpus, struct cai_err *err)
{
	const char *dot = strchr(s, '.');
	size_t whole = dot ? (size_t)(dot - s) : strlen(s);
	const char *frac = dot ? dot + 1 : "";
	uint64_t v;

	/* The hundredths are digits, not a number: "05" is five of them. */
	if (decimal_parse(s, whole, CPUS_MAX, &v, err) < 0 || (dot && !frac[0]) || strlen(frac) > 2 ||
	    strspn(frac, "0123456789") != strlen(frac))
		return err_set(err, 0, "cpus '%s': a number of CPUs up to %d with at most two decimals", s,
			       CPUS_MAX);
	v *= NANO;
	for (size_t i = 0, unit = NANO / 10; frac[i]; i++, unit /= 10)
		v += (uint64_t)(frac[i] - '0') * unit;
	if (v < NANO / 100 || v > CPUS_MAX * NANO)
		return err_set(err, 0, "cpus '%s': between 0.01 and %d", s, CPUS_MAX);
	*nano_cpus = v;
	return 0;
}

int resources_parse_pids(const char *s, long long *pids, struct cai_err *err)
{
	uint64_t v;

	if (decimal_parse(s, strlen(s), PIDS_MAX, &v, err) < 0 || v < PIDS_MIN)
		return err_set(err, 0, "pids limit '%s': a number of processes from %d to %d", s, PIDS_MIN,
			       PIDS_MAX);
	*pids = (long long)v;
	return 0;
}

void resources_resolve(struct resources *l, long long mem_total, long long ncpu)
{
	if (!l->memory) {
		unsigned long long m = mem_total > 0 ? (unsigned long long)mem_total / 4 * 3 : RESOURCES_FALLBACK_MEMORY;
		m -= m % MIB;
		l->memory = m < MEMORY_MIN ? MEMORY_MIN : m;
	}
	if (!l->nano_cpus) {
		long long n = ncpu > 0 ? ncpu : RESOURCES_FALLBACK_CPUS;
		l->nano_cpus = (unsigned long long)(n > 1 ? n - 1 : 1) * NANO;
	}
	if (!l->pids)
		l->pids = RESOURCES_DEFAULT_PIDS;
}

void resources_push(const struct resources *l, struct argv *a)
{
	argv_push(a, "--memory");
	argv_pushf(a, "%llu", l->memory);
	argv_push(a, "--memory-swap");
	argv_pushf(a, "%llu", l->memory);
	argv_push(a, "--cpus");
	argv_pushf(a, "%llu.%02llu", l->nano_cpus / NANO, l->nano_cpus % NANO / (NANO / 100));
	argv_push(a, "--pids-limit");
	argv_pushf(a, "%lld", l->pids);
}
