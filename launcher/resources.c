/* SPDX-License-Identifier: MIT */
#include "resources.h"

#include <stdlib.h>
#include <string.h>

#define MIB (1ULL << 20)
#define MEMORY_MIN (6 * MIB)
#define MEMORY_MAX (1ULL << 50)
#define NANO 1000000000ULL
#define CPUS_MAX 1024
#define PIDS_MIN 16
#define PIDS_MAX 4194304

/* Digits only: strtoull would take a sign, spaces and 0x. */
static int digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int resources_parse_memory(const char *s, unsigned long long *bytes, struct cai_err *err)
{
	static const char suffixes[] = "bkmgt";
	size_t n = strlen(s);
	const char *suffix = n ? strchr(suffixes, s[n - 1] | 0x20) : NULL;
	unsigned shift = 0;

	/* (Digits stay digits with the 0x20 bit set.) */
	if (suffix) {
		shift = 10 * (unsigned)(suffix - suffixes);
		n--;
	}
	if (!digits(s, n) || n > 16)
		return err_set(err, 0, "memory '%s': a number of bytes, or with k, m, g or t", s);
	unsigned long long v = strtoull(s, NULL, 10);
	if (v > (MEMORY_MAX >> shift) || (v << shift) < MEMORY_MIN)
		return err_set(err, 0, "memory '%s': between 6m and 1024t", s);
	*bytes = v << shift;
	return 0;
}

int resources_parse_cpus(const char *s, unsigned long long *nano_cpus, struct cai_err *err)
{
	const char *dot = strchr(s, '.');
	size_t whole = dot ? (size_t)(dot - s) : strlen(s);
	size_t frac = dot ? strlen(dot + 1) : 0;
	unsigned long long v = 0;

	if (!digits(s, whole) || whole > 4 || (dot && (!digits(dot + 1, frac) || frac > 2)))
		return err_set(err, 0, "cpus '%s': a number of CPUs with at most two decimals", s);
	v = strtoull(s, NULL, 10) * NANO;
	if (frac)
		v += strtoull(dot + 1, NULL, 10) * (frac == 1 ? NANO / 10 : NANO / 100);
	if (v < NANO / 100 || v > CPUS_MAX * NANO)
		return err_set(err, 0, "cpus '%s': between 0.01 and %d", s, CPUS_MAX);
	*nano_cpus = v;
	return 0;
}

int resources_parse_pids(const char *s, long long *pids, struct cai_err *err)
{
	if (!digits(s, strlen(s)) || strlen(s) > 8 || atoll(s) < PIDS_MIN || atoll(s) > PIDS_MAX)
		return err_set(err, 0, "pids limit '%s': a number of processes from %d to %d", s, PIDS_MIN,
			       PIDS_MAX);
	*pids = atoll(s);
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
