/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "credential.h"
#include "egress.h"
#include "registries.h"
#include "unit.h"

static int domain(const char *w, char *out)
{
	struct cai_err err;
	return egress_domain_check(w, out, EGRESS_DOMAIN_MAX + 1, &err);
}

TEST(egress_domain_rules)
{
	char out[EGRESS_DOMAIN_MAX + 1];
	static const char *const good[] = { "example.com", "*.example.com", "a-b.example.co.uk",
					    "xn--80ak6aa92e.com", "1password.com", "a.b" };
	static const char *const bad[] = { "", "*", "*.", "com", "*.com.", "example.com.",
					   ".example.com", "a..b", "-a.com", "a-.com", "a.-b",
					   "foo.*.com", "*foo.com", "**.foo.com", "ex ample.com",
					   "ex_ample.com", "exa$mple.com", "10.0.0.1", "1.2",
					   "caf\xc3\xa9.com", "a.b/c", "a.b:443" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		CHECK(domain(good[i], out) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (domain(bad[i], out) != -1) {
			unit_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
			return;
		}
	CHECK_INT(domain("API.Example.COM", out), 0);
	CHECK_STR(out, "api.example.com");
	char label[70] = "";
	memset(label, 'a', 64);
	strcat(label, ".com");
	CHECK_INT(domain(label, out), -1);
}

TEST(egress_cidr_and_address_rules)
{
	struct cai_err err;
	static const char *const good[] = { "10.0.0.0/8", "172.19.0.0/16", "0.0.0.0/0", "1.2.3.4/32",
					    "fd00::/8", "2001:db8::/32", "::/0" };
	static const char *const bad[] = { "10.0.0.1/8", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/08",
					   "10.0.0.0/-1", "10.0.0/8", "fd00::1/8", "fd00::/129",
					   "example.com/8", "/8", "10.0.0.0/" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		CHECK_INT(egress_cidr_check(good[i], &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (egress_cidr_check(bad[i], &err) != -1) {
			unit_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
			return;
		}
	CHECK_INT(egress_cidr_check("10.0.0.1/8", &err), -1);
	CHECK_CONTAINS(err.msg, "bits set past /8");
	CHECK_INT(egress_address_check("172.19.0.5", &err), 0);
	CHECK_INT(egress_address_check("fd00::53", &err), 0);
	CHECK_INT(egress_address_check("dns.example", &err), -1);
}

TEST(egress_list_errors_name_file_and_line)
{
	struct cai_err err;
	_cleanup_argv_ struct argv out = { 0 };
	const char text[] = "# comment\n\nexample.com\r\n  *.Example.ORG\nbad_name.com\n";

	CHECK_INT(egress_list_parse(text, sizeof(text) - 1, "my.list", &out, &err), -1);
	CHECK_CONTAINS(err.msg, "my.list:5: ");
	CHECK_CONTAINS(err.msg, "bad_name.com");
	CHECK_INT(out.n, 2);
	CHECK_STR(out.v[1], "*.example.org");
	argv_free(&out);
	CHECK_INT(egress_list_parse("a.com b.com\n", 12, "x", &out, &err), -1);
	CHECK_CONTAINS(err.msg, "x:1: one domain a line");
	CHECK_INT(egress_list_parse("a.com\n\0b.com\n", 13, "x", &out, &err), -1);
	CHECK_CONTAINS(err.msg, "x:2: a NUL byte");
}

TEST(egress_shipped_balanced_list_parses)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;

	CHECK_INT(egress_policy_build(&p, EGRESS_BALANCED, "", NULL, 0, "", "", &err), 0);
	CHECK(p.allow.n > 20);
	int anthropic = 0, github = 0;
	for (size_t i = 0; i < p.allow.n; i++) {
		anthropic |= !strcmp(p.allow.v[i], "api.anthropic.com");
		github |= !strcmp(p.allow.v[i], "github.com");
	}
	CHECK(anthropic && github);
}

/* The host's registries join balanced, and no other policy. */
TEST(egress_registries_join_balanced_only)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	_cleanup_registries_ struct registries r = { 0 };

	registries_add_url(&r, "https://Mirror.Example.org/npm/", 31, "npm");
	CHECK_INT(egress_policy_build(&p, EGRESS_BALANCED, "", NULL, 0, "", "", &err), 0);
	size_t before = p.allow.n;
	CHECK_INT(egress_policy_add_registries(&p, &r, &err), 0);
	CHECK_INT(p.allow.n, before + 1);
	CHECK_STR(p.allow.v[before], "mirror.example.org");
	egress_policy_release(&p);
	CHECK_INT(egress_policy_build(&p, EGRESS_LOCKED, "", NULL, 0, "", "", &err), 0);
	CHECK_INT(egress_policy_add_registries(&p, &r, &err), 0);
	CHECK_INT(p.allow.n, 0);
}

static char *conf_of(struct egress_policy *p);

/* The sandbox's published ports: one forwarder line each, proxy port to
 * the sandbox's own. */
TEST(egress_forwards_the_published_ports)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	struct publish pub = { 0 }, fwd;

	CHECK_INT(publish_add(&pub, "8080:3000", &err), 0);
	CHECK_INT(publish_add(&pub, "0.0.0.0:9229:9229", &err), 0);
	publish_forwarded(&pub, 20000, &fwd);
	CHECK_INT(egress_policy_build(&p, EGRESS_LOCKED, "", NULL, 0, "", "", &err), 0);
	p.published = &pub;
	p.forward = &fwd;
	p.forward_to = "containai-x";
	char *c = conf_of(&p);
	CHECK(c && strstr(c, "\n#forward 20000 containai-x 3000\n#forward 20001 containai-x 9229\n"));
	egress_conf_free(c);
}

TEST(egress_modes)
{
	struct cai_err err;
	enum egress_mode m;

	CHECK_INT(egress_mode_parse("locked", &m, &err), 0);
	CHECK_INT(m, EGRESS_LOCKED);
	CHECK_STR(egress_mode_name(EGRESS_OPEN), "open");
	CHECK_INT(egress_mode_parse("Balanced", &m, &err), -1);
	CHECK_CONTAINS(err.msg, "balanced, locked, open or off");
}

static char *conf_of(struct egress_policy *p)
{
	struct cai_err err;

	return egress_squid_conf(p, &err);
}

/* The order of the rules is the guarantee: ports, then the non-public
 * destinations after resolution, then the host's, then the domains. */
TEST(egress_squid_conf_rules_in_order)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	const char *flags[] = { "extra.example.net" };

	CHECK_INT(egress_policy_build(&p, EGRESS_LOCKED, "a.example.com *.wild.example", flags, 1,
				      "172.19.0.0/16", "172.19.0.5", &err), 0);
	argv_push(&p.host_addrs, "203.0.113.9");
	char *c = conf_of(&p);
	CHECK(c != NULL);
	const char *order[] = {
		"http_access deny !cai_clients\n", "deny_info ERR_CAI_CLIENT cai_clients\n",
		"http_access deny cai_gateways\n", "deny_info ERR_CAI_CLIENT cai_gateways\n",
		"http_access deny cai_ipv6\n", "deny_info ERR_CAI_IPV6 cai_ipv6\n",
		"http_access deny !cai_ports\n", "deny_info ERR_CAI_PORT cai_ports\n",
		"http_access deny cai_connect !cai_tls_port\n",
		"http_access deny !cai_exempt cai_private\n", "deny_info ERR_CAI_PRIVATE cai_private\n",
		"http_access deny !cai_exempt cai_host\n",
		"http_access allow cai_domains\n", "http_access allow cai_wildcards\n",
		"http_access deny all\n", "deny_info ERR_CAI_DOMAIN all\n",
	};
	const char *at = c;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		const char *next = strstr(at, order[i]);
		if (!next) {
			unit_fail(__FILE__, __LINE__, "'%s' missing or out of order", order[i]);
			egress_conf_free(c);
			return;
		}
		at = next;
	}
	CHECK(strstr(c, "acl cai_clients src \"/run/containai-egress/clients\"\n") != NULL);
	CHECK(strstr(c, "acl cai_ipv6 url_regex ^[a-zA-Z][-+.a-zA-Z0-9]*://\\[ ^\\[\n") != NULL);
	CHECK(strstr(c, "acl cai_domains dstdomain -n a.example.com extra.example.net\n") != NULL);
	CHECK(strstr(c, "acl cai_wildcards dstdom_regex -i ^([^.]+\\.)+wild\\.example$\n") != NULL);
	CHECK(strstr(c, " 169.254.0.0/16 ") && strstr(c, " 100.64.0.0/10 ") && strstr(c, " fc00::/7 ") &&
	      strstr(c, " fe80::/10 ") && strstr(c, " 127.0.0.0/8 ") && strstr(c, " 10.0.0.0/8 "));
	CHECK(strstr(c, "acl cai_exempt dst 172.19.0.0/16\n") != NULL);
	CHECK(strstr(c, "acl cai_host dst 203.0.113.9\n") != NULL);
	CHECK(strstr(c, "dns_nameservers 172.19.0.5\n") != NULL);
	CHECK(strstr(c, "http_access allow all") == NULL);
	/* The shipped list belongs to balanced only. */
	CHECK(strstr(c, "api.anthropic.com") == NULL);
	egress_conf_free(c);
}

TEST(egress_open_allows_public_hosts_only_after_the_refusals)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;

	CHECK_INT(egress_policy_build(&p, EGRESS_OPEN, "", NULL, 0, "", "", &err), 0);
	char *c = conf_of(&p);
	CHECK(c != NULL);
	const char *priv = strstr(c, "http_access deny cai_private\n");
	const char *all = strstr(c, "http_access allow all\n");
	CHECK(priv && all && priv < all);
	CHECK(strstr(c, "cai_exempt") == NULL);
	CHECK(strstr(c, "dns_nameservers") == NULL);
	egress_conf_free(c);
}

TEST(egress_balanced_has_the_shipped_list_and_bad_words_are_refused)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	const char *bad[] = { "evil..com" };

	CHECK_INT(egress_policy_build(&p, EGRESS_BALANCED, "", NULL, 0, "", "", &err), 0);
	char *c = conf_of(&p);
	CHECK(c && strstr(c, " api.anthropic.com"));
	egress_conf_free(c);
	egress_policy_release(&p);
	CHECK_INT(egress_policy_build(&p, EGRESS_BALANCED, "", bad, 1, "", "", &err), -1);
	CHECK_CONTAINS(err.msg, "--egress-allow");
	egress_policy_release(&p);
	CHECK_INT(egress_policy_build(&p, EGRESS_LOCKED, "", NULL, 0, "10.1.2.3/8", "", &err), -1);
	CHECK_CONTAINS(err.msg, "egress_allow_cidr");
}

TEST(egress_credential_endpoint_reaches_its_upstream_only)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	struct credential cr = { .listen_port = 8081, .value = (char *)"sk-test_value" };

	CHECK_INT(credential_set(&cr.c, "upstream", "api.example.com", &err), 0);
	CHECK_INT(credential_set(&cr.c, "header", "Authorization: Bearer", &err), 0);
	CHECK_INT(egress_policy_build(&p, EGRESS_LOCKED, "", NULL, 0, "", "", &err), 0);
	p.cred = &cr;
	p.ncred = 1;
	p.ca_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	char *c = conf_of(&p);
	CHECK(c != NULL);
	CHECK(strstr(c, "http_port 8081 accel defaultsite=api.example.com no-vhost name=cai_cred_0\n"));
	CHECK(strstr(c, "cache_peer api.example.com parent 443 0 no-query no-digest originserver "
			"name=cai_peer_0 tls tls-cafile=/run/containai-egress/ca.pem\n"));
	CHECK(strstr(c, "never_direct allow cai_cred_0\n"));
	CHECK(strstr(c, "cache_peer_access cai_peer_0 deny all\n"));
	CHECK(strstr(c, "request_header_access Authorization deny cai_cred_0\n"));
	CHECK(strstr(c, "request_header_add Authorization \"Bearer sk-test_value\" cai_cred_0\n"));
	CHECK(strstr(c, "#ca -----BEGIN CERTIFICATE-----\n#ca AAAA\n"));
	/* Its allow comes after the refusals of non-public destinations. */
	const char *priv = strstr(c, "http_access deny cai_private\n");
	const char *allow = strstr(c, "http_access allow cai_cred_0 cai_cred_0_host\n");
	const char *deny = strstr(c, "http_access deny cai_cred_0\n");
	CHECK(priv && allow && deny && priv < allow && allow < deny);
	/* TRACE would echo the request as sent upstream, the key with it. */
	const char *trace = strstr(c, "http_access deny cai_trace cai_cred_0\n");
	CHECK(strstr(c, "acl cai_trace method TRACE\n") && trace && trace < allow);
	egress_conf_free(c);
}

/* Every container on the proxy's way out reaches it too: only the
 * ranges egress-load found on the sandbox's network are served, before
 * anything is allowed, the credentials included. */
TEST(egress_squid_conf_serves_only_the_sandbox_network)
{
	struct cai_err err;
	_cleanup_egress_policy_ struct egress_policy p;
	struct credential cr = { .listen_port = 8081, .value = (char *)"v" };

	CHECK_INT(credential_set(&cr.c, "upstream", "api.example.com", &err), 0);
	CHECK_INT(credential_set(&cr.c, "header", "x-api-key", &err), 0);
	CHECK_INT(egress_policy_build(&p, EGRESS_OPEN, "", NULL, 0, "", "", &err), 0);
	p.cred = &cr;
	p.ncred = 1;
	char *c = conf_of(&p);
	CHECK(c && strstr(c, "acl cai_clients src \"/run/containai-egress/clients\"\n"));
	CHECK(c && strstr(c, "acl cai_gateways src \"/run/containai-egress/gateways\"\n"));
	const char *deny = c ? strstr(c, "http_access deny !cai_clients\n") : NULL;
	const char *gw = c ? strstr(c, "http_access deny cai_gateways\n") : NULL;
	const char *allow = c ? strstr(c, "http_access allow") : NULL;
	CHECK(deny && gw && allow && deny < allow && gw < allow);
	egress_conf_free(c);
}
