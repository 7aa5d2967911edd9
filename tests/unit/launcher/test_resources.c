/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "macro.h"
#include "resources.h"
#include "unit.h"

TEST(resources_memory_forms_and_bounds)
{
	unsigned long long b = 0;
	struct cai_err err;

	CHECK_INT(resources_parse_memory("512m", &b, &err), 0);
	CHECK_INT(b, 512ULL << 20);
	CHECK_INT(resources_parse_memory("4G", &b, &err), 0);
	CHECK_INT(b, 4ULL << 30);
	CHECK_INT(resources_parse_memory("1t", &b, &err), 0);
	CHECK_INT(b, 1ULL << 40);
	CHECK_INT(resources_parse_memory("7340032", &b, &err), 0);
	CHECK_INT(b, 7340032);
	static const char *const bad[] = { "", "m", "5m", "0", "-1g", " 1g", "1.5g", "1gb", "0x10m",
					   "99999999999999999", "2000t", "unlimited" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (resources_parse_memory(bad[i], &b, &err) != -1)
			unit_fail(__FILE__, __LINE__, "memory '%s' accepted", bad[i]);
}

TEST(resources_cpus_in_hundredths)
{
	unsigned long long n = 0;
	struct cai_err err;

	CHECK_INT(resources_parse_cpus("2", &n, &err), 0);
	CHECK_INT(n, 2000000000);
	CHECK_INT(resources_parse_cpus("0.5", &n, &err), 0);
	CHECK_INT(n, 500000000);
	CHECK_INT(resources_parse_cpus("1.25", &n, &err), 0);
	CHECK_INT(n, 1250000000);
	CHECK_INT(resources_parse_cpus("0.01", &n, &err), 0);
	static const char *const bad[] = { "", "0", "0.00", "1.255", ".5", "1.", "-1", "1e3", "1025", "a" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (resources_parse_cpus(bad[i], &n, &err) != -1)
			unit_fail(__FILE__, __LINE__, "cpus '%s' accepted", bad[i]);
}

TEST(resources_pids_bounds)
{
	long long p = 0;
	struct cai_err err;

	CHECK_INT(resources_parse_pids("4096", &p, &err), 0);
	CHECK_INT(p, 4096);
	CHECK_INT(resources_parse_pids("15", &p, &err), -1);
	CHECK_INT(resources_parse_pids("-1", &p, &err), -1);
	CHECK_INT(resources_parse_pids("0", &p, &err), -1);
	CHECK_INT(resources_parse_pids("4194305", &p, &err), -1);
}

/* The defaults leave the host a quarter of its memory and one CPU; what
 * was given is kept. */
TEST(resources_defaults_keep_the_host_usable)
{
	struct resources r = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	resources_resolve(&r, 16LL << 30, 8);
	CHECK_INT(r.memory, 12ULL << 30);
	CHECK_INT(r.nano_cpus, 7000000000ULL);
	CHECK_INT(r.pids, RESOURCES_DEFAULT_PIDS);
	r = (struct resources){ .pids = 64 };
	resources_resolve(&r, 0, 1);
	CHECK_INT(r.memory, RESOURCES_FALLBACK_MEMORY);
	CHECK_INT(r.nano_cpus, 1000000000ULL);
	CHECK_INT(r.pids, 64);
	r = (struct resources){ .memory = 1ULL << 30, .nano_cpus = 1500000000 };
	resources_resolve(&r, 16LL << 30, 8);
	CHECK_INT(r.memory, 1ULL << 30);
	resources_push(&r, &a);
	CHECK_INT(a.n, 8);
	CHECK_STR(a.v[1], "1073741824");
	/* Swap cannot double the memory. */
	CHECK_STR(a.v[3], "1073741824");
	CHECK_STR(a.v[5], "1.50");
	CHECK_STR(a.v[7], "4096");
}
