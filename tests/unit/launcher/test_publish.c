/* SPDX-License-Identifier: MIT */
#include "answer.h"
#include "macro.h"
#include "publish.h"
#include "unit.h"

/* Loopback unless an address is given. */
TEST(publish_specs)
{
	struct publish p = { 0 };
	struct cai_err err;

	CHECK_INT(publish_add(&p, "8080", &err), 0);
	CHECK_INT(publish_add(&p, "9000:3000", &err), 0);
	CHECK_INT(publish_add(&p, "0.0.0.0:9001:3001", &err), 0);
	CHECK_INT(publish_add(&p, "[::1]:9002:3002", &err), 0);
	CHECK_STR(p.b[0].addr, "127.0.0.1");
	CHECK_INT(p.b[0].host, 8080);
	CHECK_INT(p.b[0].sandbox, 8080);
	CHECK_INT(p.b[1].host, 9000);
	CHECK_INT(p.b[1].sandbox, 3000);
	CHECK(publish_is_loopback(&p.b[0]) && publish_is_loopback(&p.b[3]));
	CHECK(!publish_is_loopback(&p.b[2]));
	CHECK_STR(p.b[3].addr, "::1");
	/* The same host port and address twice. */
	CHECK_INT(publish_add(&p, "127.0.0.1:8080:1", &err), -1);
	CHECK_CONTAINS(err.msg, "already published");
	static const char *const bad[] = { "", "0", "65536", "80:", ":80", "a:1:2", "1.2.3:1:2", "+80", "80/udp",
					   "1:2:3:4", "[::1:80:80", "8080 " };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (publish_add(&p, bad[i], &err) != -1)
			unit_fail(__FILE__, __LINE__, "'%s' accepted", bad[i]);
	CHECK_INT(publish_parse_list(&p, " 1, 2 ,3", &err), 0);
	CHECK_INT(p.n, 3);
	CHECK_INT(publish_parse_list(&p, "", &err), 0);
	CHECK_INT(p.n, 0);
}

/* HostConfig.PortBindings holds exactly the bindings asked for, TCP. */
TEST(publish_matches_exactly)
{
	struct publish p = { 0 };
	struct cai_err err;
	json_auto_t *ours = json_loads("{\"3000/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]}", 0, NULL);
	json_auto_t *all = json_loads("{\"3000/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}", 0, NULL);
	json_auto_t *udp = json_loads("{\"3000/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]}", 0, NULL);
	json_auto_t *two = json_loads("{\"3000/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"},"
				      "{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}]}", 0, NULL);

	CHECK(publish_matches(&p, json_null()));
	CHECK(!publish_matches(&p, ours));
	CHECK_INT(publish_add(&p, "8080:3000", &err), 0);
	CHECK(publish_matches(&p, ours));
	CHECK(!publish_matches(&p, all));
	CHECK(!publish_matches(&p, udp));
	CHECK(!publish_matches(&p, two));
	CHECK(!publish_matches(&p, NULL));
}
