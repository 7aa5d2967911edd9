/* SPDX-License-Identifier: MIT */
/* The verdicts on the proxy and its network, from answers recorded from a
 * proxy and network `containai run` created on a docker 20.10 engine
 * (tests/fixtures/launcher/egress-*.json; the variants change one thing). */
#include <stdio.h>

#include "answer.h"
#include "fd.h"
#include "egress_proxy.h"
#include "unit.h"

#define WS "/home/dev/src/project"
#define NAME "containai-project-87388a2e"

static const struct egress_want want = {
	.sandbox = NAME, .workspace = WS, .name = NAME "-egress", .image = "containai-egress:dev",
	.outside = "egx-out",
};

static int judge(const char *file, int net, struct egress_found *f)
{
	struct cai_err err;
	json_auto_t *j = answer_inspect(file, &err);

	memset(f, 0, sizeof(*f));
	if (!j)
		return -1;
	return (net ? egress_judge_network : egress_judge_proxy)(j, &want, f, &err);
}

TEST(egress_proxy_ours_with_its_address)
{
	struct egress_found f;

	CHECK_INT(judge("egress-proxy.json", 0, &f), 0);
	CHECK_INT(f.proxy, EGRESS_OURS);
	CHECK(f.proxy_running);
	CHECK_STR(f.addr, "172.24.0.2");
	CHECK_INT(strlen(f.proxy_id), 64);
	CHECK_INT(judge("egress-network.json", 1, &f), 0);
	CHECK_INT(f.network, EGRESS_OURS);
}

TEST(egress_proxy_and_network_refusals)
{
	struct egress_found f;
	struct egress_want other = want;

	CHECK_INT(judge("egress-proxy-privileged.json", 0, &f), 0);
	CHECK_INT(f.proxy, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "privileged");
	CHECK_INT(judge("egress-proxy-foreign.json", 0, &f), 0);
	CHECK_INT(f.proxy, EGRESS_FOREIGN);
	CHECK_INT(judge("egress-network-not-internal.json", 1, &f), 0);
	CHECK_INT(f.network, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "not an internal bridge");
	struct cai_err err;
	json_auto_t *j = answer_inspect("egress-proxy.json", &err);
	other.image = "containai-egress:other";
	CHECK_INT(egress_judge_proxy(j, &other, &f, &err), 0);
	CHECK_INT(f.proxy, EGRESS_REFUSED);
	other = want;
	other.outside = "bridge";
	CHECK_INT(egress_judge_proxy(j, &other, &f, &err), 0);
	CHECK_INT(f.proxy, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "also on network egx-out");
	other = want;
	other.name = "another-egress";
	CHECK_INT(egress_judge_proxy(j, &other, &f, &err), 0);
	CHECK_INT(f.proxy, EGRESS_NONE);
}

TEST(egress_sandbox_gets_its_network_a_dead_resolver_and_the_variables)
{
	struct egress_policy p = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	egress_sandbox_args(&p, "n-egress", "172.20.0.2", &a);
	_cleanup_free_ char *line = argv_to_shell(&a);
	CHECK_STR(line, "--network n-egress --dns 192.0.2.1 -e HTTP_PROXY=http://172.20.0.2:3128 "
			"-e HTTPS_PROXY=http://172.20.0.2:3128 -e http_proxy=http://172.20.0.2:3128 "
			"-e https_proxy=http://172.20.0.2:3128 -e NO_PROXY=localhost,127.0.0.1,::1,172.20.0.2 "
			"-e no_proxy=localhost,127.0.0.1,::1,172.20.0.2");
}
