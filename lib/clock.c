/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include <time.h>

long long clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long clock_now_ms(void)
{
	return clock_now_ns() / 1000000LL;
}
