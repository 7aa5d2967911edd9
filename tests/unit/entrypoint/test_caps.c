/* SPDX-License-Identifier: MIT */
#include <linux/capability.h>

#include "caps.h"
#include "unit.h"

TEST(caps_parse_names)
{
	caps_mask m;
	struct cai_err err = { 0 };

	CHECK_INT(caps_parse("", &m, &err), 0);
	CHECK_INT(m, 0);
	CHECK_INT(caps_parse("cap_chown, CAP_NET_BIND_SERVICE\tcap_kill", &m, &err), 0);
	CHECK_INT(m, (1ULL << CAP_CHOWN) | (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_KILL));
	CHECK_INT(caps_parse("chown", &m, &err), -1);
	CHECK_STR(err.msg, "unknown capability 'chown'");
	CHECK_INT(caps_parse("all", &m, &err), -1);
	CHECK_INT(caps_parse("12", &m, &err), -1);
	CHECK_INT(caps_parse("cap_chown,cap_bogus", &m, &err), -1);
	CHECK_STR(err.msg, "unknown capability 'cap_bogus'");
}
