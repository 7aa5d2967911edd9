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

/* The boot time is the "btime" line of /proc/stat, wherever it stands. */
TEST(prepared_btime_is_the_btime_line)
{
	unsigned long long t = 0;

	CHECK_INT(prepared_parse_btime("cpu  1 2 3\nintr 5\nbtime 1796174974\nprocesses 9\n", &t), 0);
	CHECK_INT(t, 1796174974);
	CHECK_INT(prepared_parse_btime("btime 7\n", &t), 0);
	CHECK_INT(t, 7);
	CHECK_INT(prepared_parse_btime("cpu 1\nxbtime 5\n", &t), -1);
	CHECK_INT(prepared_parse_btime("cpu 1\nbtime \n", &t), -1);
	CHECK_INT(prepared_parse_btime("", &t), -1);
}

/* A mark is this start's only when it names the same boot and the same
 * start time: gVisor starts PID 1 at the same few ticks every time, so a
 * mark of another boot at this start's ticks - or one that names no boot -
 * is another start's, never a go. */
TEST(prepared_match_needs_the_boot_and_the_ticks)
{
	const char *start = "3716fa1a-afc3-46d1-84df-e3ad492721ee 5", *config = NULL;
	char same[] = "3716fa1a-afc3-46d1-84df-e3ad492721ee 5 /etc/containai/init.ini\n";
	char defaults[] = "3716fa1a-afc3-46d1-84df-e3ad492721ee 5 \n";
	char other_boot[] = "00000000-0000-0000-0000-000000000000 5 /etc/containai/init.ini\n";
	char other_ticks[] = "3716fa1a-afc3-46d1-84df-e3ad492721ee 57 /etc/containai/init.ini\n";
	char no_boot[] = "5 /etc/containai/init.ini\n";
	char btime_other[] = "btime-1796174972 5 /c\n";
	char btime_same[] = "btime-1796174974 5 /c\n";
	char no_newline[] = "3716fa1a-afc3-46d1-84df-e3ad492721ee 5 /c";
	char nul[] = "3716fa1a-afc3-46d1-84df-e3ad492721ee 5 /c\0x\n";

	CHECK_INT(prepared_match(same, sizeof(same) - 1, start, &config), 1);
	CHECK_STR(config, "/etc/containai/init.ini");
	CHECK_INT(prepared_match(defaults, sizeof(defaults) - 1, start, &config), 1);
	CHECK_STR(config, "");
	CHECK_INT(prepared_match(other_boot, sizeof(other_boot) - 1, start, &config), 0);
	CHECK_INT(prepared_match(other_ticks, sizeof(other_ticks) - 1, start, &config), 0);
	CHECK_INT(prepared_match(no_boot, sizeof(no_boot) - 1, start, &config), 0);
	CHECK_INT(prepared_match(btime_other, sizeof(btime_other) - 1, "btime-1796174974 5", &config), 0);
	CHECK_INT(prepared_match(btime_same, sizeof(btime_same) - 1, "btime-1796174974 5", &config), 1);
	CHECK_STR(config, "/c");
	CHECK_INT(prepared_match(no_newline, sizeof(no_newline) - 1, start, &config), -1);
	CHECK_INT(prepared_match(nul, sizeof(nul) - 1, start, &config), -1);
}
