/* SPDX-License-Identifier: MIT */
#include "prepared.h"
#include "unit.h"

/* The start time the mark carries is field 22 of /proc/1/stat, counted
 * after the last ')': a command name with spaces and parentheses cannot
 * shift it. */
TEST(prepared_starttime_counts_fields_after_the_name)
{
	unsigned long long t = 0;

	CHECK_INT(prepared_parse_starttime("1 (containai-init) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 343416 "
					   "2400256 200 18446744073709551615\n", &t), 0);
	CHECK_INT(t, 343416);
	CHECK_INT(prepared_parse_starttime("7 (a) b) (c 9) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 1 1\n", &t), 0);
	CHECK_INT(t, 99);
	CHECK_INT(prepared_parse_starttime("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n", &t), -1);
	CHECK_INT(prepared_parse_starttime("1 x S 0", &t), -1);
	CHECK_INT(prepared_parse_starttime("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12z 1\n", &t), -1);
}
