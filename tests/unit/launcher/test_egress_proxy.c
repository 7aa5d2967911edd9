/* SPDX-License-Identifier: MIT */
/* The verdicts on the proxy and its network, from answers recorded from
 * the proxy and network `containai run --force --detach --publish
 * 8080:3000` created on a docker 20.10 engine beside the sandbox of
 * inspect-running.json (tests/fixtures/launcher/egress-proxy.json and
 * egress-network.json; inspect-variants.py makes the variants, each with
 * the one change its name says). */
#include <stdio.h>

#include "answer.h"
#include "credential.h"
#include "egress_proxy.h"
#include "fd.h"
#include "macro.h"
#include "unit.h"

#define WS "/home/dev/src/project"
#define NAME "containai-project-87388a2e"
#define PROXY_ID "0466547f0c12fab895ea9af5003175c64d33dfeb402fd8391c1267faf9b0c1d1"
#define SANDBOX_ID "c84e228e9ab19006defae4901d476cc8bd01260464e54fc147c779ea712bea5e"

static struct publish forwarded = { .b = { { "127.0.0.1", 8080, EGRESS_FORWARD_BASE } }, .n = 1 };
static const struct egress_want want = {
	.sandbox = NAME, .workspace = WS, .name = NAME "-egress", .image = "containai-egress:fixture",
	.outside = "bridge", .publish = &forwarded, .check_publish = 1,
};

static int judge_proxy(const char *file, const struct egress_want *w, struct egress_found *f)
{
	struct cai_err err;
	json_auto_t *j = answer_inspect(file, &err);

	memset(f, 0, sizeof(*f));
	return j ? egress_judge_proxy(j, w, f, &err) : -1;
}

static int judge_network(const char *file, const char *sandbox_id, struct egress_found *f)
{
	struct cai_err err;
	json_auto_t *j = answer_inspect(file, &err);

	memset(f, 0, sizeof(*f));
	return j ? egress_judge_network(j, &want, PROXY_ID, sandbox_id, f, &err) : -1;
}

TEST(egress_proxy_ours_with_its_address)
{
	struct egress_found f;

	CHECK_INT(judge_proxy("egress-proxy.json", &want, &f), 0);
	CHECK_INT(f.proxy, EGRESS_OURS);
	CHECK(f.proxy_running && f.proxy_outside);
	CHECK_STR(f.addr, "192.168.160.2");
	CHECK_STR(f.proxy_id, PROXY_ID);
	CHECK_INT(judge_network("egress-network.json", SANDBOX_ID, &f), 0);
	CHECK_INT(f.network, EGRESS_OURS);
}

TEST(egress_proxy_refusals)
{
	static const struct {
		const char *file, *why;
	} cases[] = {
		{ "egress-proxy-privileged.json", "privileged" },
		{ "egress-proxy-writable.json", "writable root" },
		{ "egress-proxy-mount.json", "has mounts" },
		{ "egress-proxy-third-network.json", "also on network host-lan" },
		{ "egress-proxy-other-ports.json", "publishes other ports" },
		/* Made before the proxy served only its sandbox's network. */
		{ "egress-proxy-format-1.json", "made by another version of containai (egress format 1, "
						"this one makes 2)" },
	};
	struct egress_found f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (judge_proxy(cases[i].file, &want, &f) < 0 || f.proxy != EGRESS_REFUSED ||
		    !strstr(f.why, cases[i].why))
			unit_fail(__FILE__, __LINE__, "%s: %d '%s'", cases[i].file, f.proxy, f.why);
	CHECK_INT(judge_proxy("egress-proxy-foreign.json", &want, &f), 0);
	CHECK_INT(f.proxy, EGRESS_FOREIGN);
	/* Another image, another way out: not what run creates. */
	struct egress_want other = want;
	other.image = "containai-egress:other";
	CHECK_INT(judge_proxy("egress-proxy.json", &other, &f), 0);
	CHECK_INT(f.proxy, EGRESS_REFUSED);
	other = want;
	other.outside = "egx-out";
	CHECK_INT(judge_proxy("egress-proxy.json", &other, &f), 0);
	CHECK_INT(f.proxy, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "also on network bridge");
	/* Its ports are compared only for run. */
	other = want;
	other.check_publish = 0;
	CHECK_INT(judge_proxy("egress-proxy-other-ports.json", &other, &f), 0);
	CHECK_INT(f.proxy, EGRESS_OURS);
	/* inspect also answers for an id prefix: another name is none. */
	other = want;
	other.name = "another-egress";
	CHECK_INT(judge_proxy("egress-proxy.json", &other, &f), 0);
	CHECK_INT(f.proxy, EGRESS_NONE);
}

TEST(egress_network_internal_and_only_theirs)
{
	struct egress_found f;

	CHECK_INT(judge_network("egress-network-not-internal.json", SANDBOX_ID, &f), 0);
	CHECK_INT(f.network, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "not an internal bridge");
	CHECK_INT(judge_network("egress-network-stranger.json", SANDBOX_ID, &f), 0);
	CHECK_INT(f.network, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "also holds container aaaaaaaaaaaa");
	/* The proxy refuses its range's first address, the host's there. */
	CHECK_INT(judge_network("egress-network-gateway.json", SANDBOX_ID, &f), 0);
	CHECK_INT(f.network, EGRESS_REFUSED);
	CHECK_CONTAINS(f.why, "has the gateway 192.168.160.9, not its range's first address");
	/* A running sandbox that is not the one of this name is a stranger. */
	CHECK_INT(judge_network("egress-network.json", NULL, &f), 0);
	CHECK_INT(f.network, EGRESS_REFUSED);
}

TEST(egress_sandbox_gets_its_network_a_dead_resolver_and_the_variables)
{
	_cleanup_argv_ struct argv a = { 0 }, env = { 0 };
	struct credential cr = { .c = { .endpoint_env = "X_BASE_URL", .endpoint_path = "/v1",
					.placeholder_env = "X_KEY" }, .listen_port = 8081 };
	struct egress_policy p = { .cred = &cr, .ncred = 1 };

	egress_sandbox_args("n-egress", &a);
	_cleanup_free_ char *line = argv_to_shell(&a);
	CHECK_STR(line, "--network n-egress --dns 192.0.2.1");
	egress_join_env(&p, "172.20.0.2", &env);
	_cleanup_free_ char *vars = argv_to_shell(&env);
	CHECK_STR(vars, "HTTP_PROXY=http://172.20.0.2:3128 HTTPS_PROXY=http://172.20.0.2:3128 "
			"http_proxy=http://172.20.0.2:3128 https_proxy=http://172.20.0.2:3128 "
			"NO_PROXY=localhost,127.0.0.1,::1,172.20.0.2 no_proxy=localhost,127.0.0.1,::1,172.20.0.2 "
			"X_BASE_URL=http://172.20.0.2:8081/v1 X_KEY=" CREDENTIAL_PLACEHOLDER);
}

/* The proxy is created on the internal network, locked down, publishing
 * the sandbox's ports; its id is read from what its create step printed. */
TEST(egress_proxy_create_step_and_its_id)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct docker d = { .cli = "docker" };
	struct cai_err err;
	char id[65];

	snprintf(d.flag, sizeof(d.flag), "--context");
	snprintf(d.target, sizeof(d.target), "default");
	CHECK_INT(egress_step_proxy_create(&d, &want, &b, 0, &err), 0);
	_cleanup_free_ char *line = argv_to_shell(&b.argv[0]);
	CHECK_CONTAINS(line, "run -d --name " NAME "-egress --pull=never --label containai.managed=true");
	CHECK_CONTAINS(line, "--label containai.egress-for=" NAME " --label containai.egress-format=2 "
			     "--network bridge --user proxy "
			     "--cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs ");
	CHECK_CONTAINS(line, "--publish 127.0.0.1:8080:20000 containai-egress:fixture");
	CHECK_INT(egress_created_id(&b, &want, id), -1);
	b.job[0].out = strdup(PROXY_ID "\n");
	CHECK_INT(egress_created_id(&b, &want, id), 0);
	CHECK_STR(id, PROXY_ID);
	free(b.job[0].out);
	b.job[0].out = strdup("../" PROXY_ID);
	CHECK_INT(egress_created_id(&b, &want, id), -1);
}
