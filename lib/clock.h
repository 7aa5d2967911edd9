/* SPDX-License-Identifier: MIT */
/* clock: the one clock for deadlines and durations.
 *
 * Owns: reading CLOCK_MONOTONIC, which neither the wall clock being set nor
 * a suspended host can move backwards, so a deadline never fires early or
 * never.
 * Refuses: nothing; the monotonic clock cannot fail on Linux.
 */
#ifndef CAI_CLOCK_H
#define CAI_CLOCK_H

/* Nanoseconds and milliseconds since an arbitrary fixed point. */
long long clock_now_ns(void);
long long clock_now_ms(void);

#endif
