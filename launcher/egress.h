/* SPDX-License-Identifier: MIT */
/* egress: what a sandbox may reach, written as its proxy's squid.conf.
 *
 * Owns: the policy modes (balanced, locked, open, off); what a domain
 * rule ("example.com", "*.example.com"), an address range and an address
 * are - one validator each, used for the config file, the command line,
 * the shipped list and the host's registries; the shipped balanced list
 * (policy/egress-balanced.list, built in) and its reader; the rules in
 * force (the list, the registries the host uses - registries' - and the
 * user's additions); and the squid.conf the proxy runs with, in this
 * order of rules:
 *   client:     only the sandbox's network uses the proxy (egress-load
 *               finds its ranges);
 *   port:       only ports 80 and 443;
 *   connect:    a tunnel (CONNECT) only to 443;
 *   private:    non-public destinations (private, loopback, link-local
 *               with the metadata address, CGNAT, IPv6 ULA and link-local,
 *               multicast, reserved) - checked on the addresses the name
 *               resolves to, so a listed name resolving there (DNS
 *               rebinding) is refused too - unless egress_allow_cidr lists
 *               the range;
 *   host:       the host's own addresses, likewise;
 *   credential: a credential's endpoint reaches its upstream only;
 *   domain:     anything not on the list (every public host in `open`).
 * Each refusal is an HTTP 403 whose page names the rule and how to allow
 * what it refused, and each decision is one log line naming the rule.
 * Refuses: a domain with a character outside [a-z0-9.-] (after folding
 * case), an empty or over-long label, a label starting or ending in '-', a
 * single label, an address written as a domain, a wildcard anywhere but
 * as the whole first label; a range whose prefix is out of bounds or whose
 * address has bits set past the prefix; list lines that are none of these,
 * as FILE:LINE.  Nothing from a list reaches squid.conf unchecked.
 */
#ifndef CAI_EGRESS_H
#define CAI_EGRESS_H

#include <stddef.h>

#include "argv.h"
#include "err.h"
#include "publish.h"

enum egress_mode { EGRESS_BALANCED = 0, EGRESS_LOCKED, EGRESS_OPEN, EGRESS_OFF };

/* The proxy's forward port, in the sandbox's HTTP_PROXY. */
#define EGRESS_PROXY_PORT 3128
/* Where the proxy keeps what egress-load gave it (a tmpfs). */
#define EGRESS_RUN_DIR "/run/containai-egress"
#define EGRESS_DOMAIN_MAX 253

int egress_mode_parse(const char *word, enum egress_mode *mode, struct cai_err *err);
const char *egress_mode_name(enum egress_mode mode);

/* One domain rule, folded to lower case into out (EGRESS_DOMAIN_MAX + 1
 * bytes at least). */
int egress_domain_check(const char *word, char *out, size_t outsz, struct cai_err *err);
/* ADDRESS/PREFIX, IPv4 or IPv6, read into *c. */
struct egress_cidr {
	unsigned char addr[16];         /* network order; 4 bytes for IPv4 */
	unsigned prefix;
	int v6;
};
int egress_cidr_parse(const char *word, struct egress_cidr *c, struct cai_err *err);
/* ADDRESS/PREFIX, IPv4 or IPv6, no bit set past the prefix. */
int egress_cidr_check(const char *word, struct cai_err *err);
/* An IPv4 or IPv6 address. */
int egress_address_check(const char *word, struct cai_err *err);

/* Every word of a list separated by blanks: checked by the validator of
 * `kind` ('d' domain, 'c' range, 'a' address); domains are appended,
 * folded, to out when it is not NULL. */
int egress_words(const char *list, char kind, struct argv *out, struct cai_err *err);

/* The list format of policy/egress-balanced.list: one domain rule a line,
 * blank lines and '#' comments; errors "NAME:LINE: ...". */
int egress_list_parse(const char *buf, size_t len, const char *name, struct argv *out,
		      struct cai_err *err);

struct credential;
struct registries;

struct egress_policy {
	enum egress_mode mode;
	struct argv allow;              /* domain rules in force, folded */
	struct argv allow_cidr;         /* exempt ranges */
	struct argv host_addrs;         /* the host's own addresses */
	struct argv dns;                /* the proxy's resolvers; none: its resolv.conf */
	const struct credential *cred;  /* the credential endpoints, ncred of them */
	size_t ncred;
	const char *ca_pem;             /* extra CAs for credential upstreams, or NULL */
	/* The sandbox's published ports: the proxy listens on forward's
	 * container ports and forwards each to forward_to at the port of the
	 * same index in published. */
	const struct publish *published, *forward;
	const char *forward_to;
};

/* The rules of `mode`: the shipped list (balanced only), then cfg_allow
 * (blank-separated), then the nflag words of --egress-allow; the ranges of
 * cfg_cidr and the resolvers of cfg_dns. */
int egress_policy_build(struct egress_policy *p, enum egress_mode mode, const char *cfg_allow,
			const char *const *flag_allow, size_t nflag, const char *cfg_cidr,
			const char *cfg_dns, struct cai_err *err);

/* The addresses of the host's interfaces (loopback and IPv6 link-local
 * left out: the private rule covers them), appended to p->host_addrs. */
int egress_host_addresses(struct egress_policy *p, struct cai_err *err);

/* balanced: the hosts of the registries the host uses join the rules
 * (other modes: nothing). */
int egress_policy_add_registries(struct egress_policy *p, const struct registries *r,
				 struct cai_err *err);

void egress_policy_release(struct egress_policy *p);

/* The squid.conf text (a fresh string).  Holds credential values: the
 * caller wipes and frees it (egress_conf_free). */
char *egress_squid_conf(const struct egress_policy *p, struct cai_err *err);
void egress_conf_free(char *conf);

#define _cleanup_egress_policy_ __attribute__((cleanup(egress_policy_release)))

#endif
