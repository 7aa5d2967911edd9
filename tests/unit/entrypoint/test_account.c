/* SPDX-License-Identifier: MIT */
#include "account.h"
#include "macro.h"
#include "unit.h"

TEST(account_parse_host_ids)
{
	static const char *const bad[] = {
		"", "1000", "1000:", ":1000", "a:1", "1:b", "-1:1", "01000:1", "1:01", "4294967295:1",
		"1:4294967295", "1:2:3", " 1:1", "1:1 ",
	};
	struct cai_err err = { 0 };
	uid_t u;
	gid_t g;

	CHECK_INT(account_parse_host("1234:1235", &u, &g, &err), 0);
	CHECK_INT(u, 1234);
	CHECK_INT(g, 1235);
	CHECK_INT(account_parse_host("0:0", &u, &g, &err), 0);
	CHECK_INT(account_parse_host("4294967293:4294967293", &u, &g, &err), 0);
	CHECK_INT(u, 4294967293u);
	CHECK_INT(account_parse_host("65533:65536", &u, &g, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (account_parse_host(bad[i], &u, &g, &err) == 0)
			unit_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
		CHECK_CONTAINS(err.msg, "is not UID:GID");
	}
}

TEST(account_parse_host_refuses_overflow_ids)
{
	static const char *const overflow[] = {
		"65534:1000", "1000:65534", "65535:1000", "1000:65535", "4294967294:1000", "1000:4294967294",
		"65534:65534",
	};
	struct cai_err err = { 0 };
	uid_t u;
	gid_t g;

	for (size_t i = 0; i < ARRAY_SIZE(overflow); i++) {
		if (account_parse_host(overflow[i], &u, &g, &err) == 0)
			unit_fail(__FILE__, __LINE__, "accepted '%s'", overflow[i]);
		CHECK_CONTAINS(err.msg, "no one's own: refused");
	}
}
