/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <time.h>

#include "clock.h"
#include "unit.h"

TEST(clock_never_goes_back)
{
	long long prev = clock_now_ns();

	for (int i = 0; i < 100000; i++) {
		long long now = clock_now_ns();
		CHECK(now >= prev);
		prev = now;
	}
}

TEST(clock_counts_real_time)
{
	struct timespec ten_ms = { .tv_nsec = 10 * 1000 * 1000 };
	long long ns = clock_now_ns(), ms = clock_now_ms();

	CHECK(nanosleep(&ten_ms, NULL) == 0);
	CHECK(clock_now_ns() - ns >= 10 * 1000 * 1000);
	CHECK(clock_now_ms() - ms >= 10);
}
