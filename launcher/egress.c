/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "egress.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "decimal.h"
#include "embed.h"
#include "fd.h"
#include "macro.h"
#include "registries.h"

EMBED_FILE(egress_balanced, "policy/egress-balanced.list");

static const char *const mode_names[] = { "balanced", "locked", "open", "off" };

int egress_mode_parse(const char *word, enum egress_mode *mode, struct cai_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(word, mode_names[i])) {
			*mode = (enum egress_mode)i;
			return 0;
		}
	return err_set(err, 0, "'%s' is not an egress policy (balanced, locked, open or off)", word);
}

const char *egress_mode_name(enum egress_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

int egress_domain_check(const char *word, char *out, size_t outsz, struct cai_err *err)
{
	const char *name = word;
	size_t len = strlen(word), labels = 0, label = 0;
	int digits_only = 1;

	if (!strncmp(name, "*.", 2))
		name += 2;
	if (!name[0] || len > EGRESS_DOMAIN_MAX || len >= outsz)
		return err_set(err, 0, "'%.80s' is not a domain (empty or longer than %d)", word,
			       EGRESS_DOMAIN_MAX);
	for (const char *p = name;; p++) {
		if (*p == '.' || !*p) {
			if (!label || label > 63)
				return err_set(err, 0, "'%.80s' is not a domain (an empty label or one "
						       "longer than 63)", word);
			if (p[-1] == '-' || p[-label] == '-')
				return err_set(err, 0, "'%.80s' is not a domain (a label starts or ends "
						       "with '-')", word);
			labels++;
			if (!*p)
				break;
			label = 0;
			digits_only = 1;
			continue;
		}
		int c = tolower((unsigned char)*p);
		if (*p == '*')
			return err_set(err, 0, "'%.80s': a wildcard is only '*.' in front of a domain",
				       word);
		if (!(isalnum(c) && c < 0x80) && c != '-')
			return err_set(err, 0, "'%.80s' is not a domain (only letters, digits, '-' "
					       "and '.')", word);
		digits_only &= isdigit(c) != 0;
		label++;
	}
	if (labels < 2)
		return err_set(err, 0, "'%.80s' is a single label; write the whole domain", word);
	if (digits_only)
		return err_set(err, 0, "'%.80s' is an address, not a domain", word);
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)tolower((unsigned char)word[i]);
	return 0;
}

int egress_address_check(const char *word, struct cai_err *err)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, word, buf) == 1 || inet_pton(AF_INET6, word, buf) == 1)
		return 0;
	return err_set(err, 0, "'%.80s' is not an IPv4 or IPv6 address", word);
}

int egress_cidr_parse(const char *word, struct egress_cidr *c, struct cai_err *err)
{
	const char *slash = strchr(word, '/');
	char addr[INET6_ADDRSTRLEN];
	uint64_t prefix;

	if (!slash || (size_t)(slash - word) >= sizeof(addr))
		return err_set(err, 0, "'%.80s' is not ADDRESS/PREFIX", word);
	memcpy(addr, word, (size_t)(slash - word));
	addr[slash - word] = '\0';
	c->v6 = strchr(addr, ':') != NULL;
	if (inet_pton(c->v6 ? AF_INET6 : AF_INET, addr, c->addr) != 1)
		return err_set(err, 0, "'%.80s' is not ADDRESS/PREFIX (bad address)", word);
	if (decimal_parse(slash + 1, strlen(slash + 1), c->v6 ? 128 : 32, &prefix, err) < 0)
		return err_prefix(err, "'%.80s': prefix", word);
	c->prefix = (unsigned)prefix;
	return 0;
}

int egress_cidr_check(const char *word, struct cai_err *err)
{
	struct egress_cidr c;

	if (egress_cidr_parse(word, &c, err) < 0)
		return -1;
	size_t bytes = c.v6 ? 16 : 4;
	for (size_t bit = c.prefix; bit < bytes * 8; bit++)
		if (c.addr[bit / 8] & (0x80 >> (bit % 8)))
			return err_set(err, 0, "'%.80s' has address bits set past /%u", word, c.prefix);
	return 0;
}

int egress_words(const char *list, char kind, struct argv *out, struct cai_err *err)
{
	const char *p = list;

	while (*p) {
		char word[EGRESS_DOMAIN_MAX + 2], folded[EGRESS_DOMAIN_MAX + 1];
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			break;
		if (n >= sizeof(word))
			return err_set(err, 0, "'%.40s...' is too long", p);
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		if (kind == 'd') {
			if (egress_domain_check(word, folded, sizeof(folded), err) < 0)
				return -1;
			if (out)
				argv_push(out, folded);
			continue;
		}
		if ((kind == 'c' ? egress_cidr_check : egress_address_check)(word, err) < 0)
			return -1;
		if (out)
			argv_push(out, word);
	}
	return out && out->oom ? argv_ok(out, err) : 0;
}

int egress_list_parse(const char *buf, size_t len, const char *name, struct argv *out,
		      struct cai_err *err)
{
	unsigned line = 0;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		char text[EGRESS_DOMAIN_MAX + 2];
		size_t n = end - i;

		line++;
		if (memchr(buf + i, '\0', n))
			return err_set(err, 0, "%s:%u: a NUL byte", name, line);
		if (n && buf[end - 1] == '\r')
			n--;
		if (n >= sizeof(text))
			return err_set(err, 0, "%s:%u: line too long", name, line);
		memcpy(text, buf + i, n);
		text[n] = '\0';
		i = end + 1;
		char *s = text + strspn(text, " \t");
		if (!*s || *s == '#')
			continue;
		if (strpbrk(s, " \t"))
			return err_set(err, 0, "%s:%u: one domain a line", name, line);
		if (egress_words(s, 'd', out, err) < 0)
			return err_prefix(err, "%s:%u", name, line);
	}
	return 0;
}

int egress_policy_build(struct egress_policy *p, enum egress_mode mode, const char *cfg_allow,
			const char *const *flag_allow, size_t nflag, const char *cfg_cidr,
			const char *cfg_dns, struct cai_err *err)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	if (mode == EGRESS_BALANCED &&
	    egress_list_parse(egress_balanced_text, (size_t)(egress_balanced_end - egress_balanced_text),
			      "policy/egress-balanced.list", &p->allow, err) < 0)
		return -1;
	if (egress_words(cfg_allow, 'd', &p->allow, err) < 0)
		return err_prefix(err, "egress_allow");
	for (size_t i = 0; i < nflag; i++)
		if (!flag_allow[i][0] || egress_words(flag_allow[i], 'd', &p->allow, err) < 0)
			return flag_allow[i][0] ? err_prefix(err, "--egress-allow")
						: err_set(err, 0, "--egress-allow needs a domain");
	if (egress_words(cfg_cidr, 'c', &p->allow_cidr, err) < 0)
		return err_prefix(err, "egress_allow_cidr");
	if (egress_words(cfg_dns, 'a', &p->dns, err) < 0)
		return err_prefix(err, "egress_dns");
	return 0;
}

int egress_policy_add_registries(struct egress_policy *p, const struct registries *r,
				 struct cai_err *err)
{
	if (p->mode != EGRESS_BALANCED)
		return 0;
	/* Checked when found: egress_domain_check's folded names. */
	for (size_t i = 0; i < r->n; i++)
		argv_push(&p->allow, r->r[i].host);
	return p->allow.oom ? argv_ok(&p->allow, err) : 0;
}

int egress_host_addresses(struct egress_policy *p, struct cai_err *err)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) < 0)
		return err_set(err, errno, "the host's addresses");
	for (i = ifa; i; i = i->ifa_next) {
		char host[NI_MAXHOST];
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
		socklen_t len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

		if (fam != AF_INET && fam != AF_INET6)
			continue;
		if (getnameinfo(i->ifa_addr, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST))
			continue;
		if (!strncmp(host, "127.", 4) || !strcmp(host, "::1") || strchr(host, '%') ||
		    !strncasecmp(host, "fe80:", 5))
			continue;
		argv_push(&p->host_addrs, host);
	}
	freeifaddrs(ifa);
	return p->host_addrs.oom ? argv_ok(&p->host_addrs, err) : 0;
}

void egress_policy_release(struct egress_policy *p)
{
	argv_free(&p->allow);
	argv_free(&p->allow_cidr);
	argv_free(&p->host_addrs);
	argv_free(&p->dns);
}

/* Destinations that are not the public internet (RFC 6890 and its
 * successors): this network, private, CGNAT, loopback, link-local (the
 * cloud metadata address 169.254.169.254 among them), IETF protocol
 * assignments, documentation, benchmarking, multicast, reserved and
 * broadcast; IPv6 unspecified, loopback, IPv4-mapped, ULA, link-local,
 * site-local, documentation and multicast. */
static const char *const non_public[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "::ffff:0:0/96", "fc00::/7", "fe80::/10", "fec0::/10",
	"2001:db8::/32", "ff00::/8",
};

static void acl_line(FILE *f, const char *acl, const char *type, const struct argv *words)
{
	fprintf(f, "acl %s %s", acl, type);
	for (size_t i = 0; i < words->n; i++)
		fprintf(f, " %s", words->v[i]);
	fputc('\n', f);
}

/* Squid's regular expression for "*.domain": one or more labels in front. */
static void wildcard_regex(FILE *f, const char *domain)
{
	fputs(" ^([^.]+\\.)+", f);
	for (const char *c = domain; *c; c++)
		fprintf(f, *c == '.' ? "\\." : "%c", *c);
	fputc('$', f);
}

static void squid_base(FILE *f, const struct egress_policy *p)
{
	fprintf(f,
		"# Written by containai for one sandbox; see docs/egress.md.\n"
		"http_port %d\n"
		"visible_hostname containai-egress\n"
		"httpd_suppress_version_string on\n"
		"pinger_enable off\n"
		"via off\n"
		"forwarded_for delete\n"
		"request_header_access Surrogate-Capability deny all\n"
		"cache deny all\n"
		"cache_mem 0 MB\n"
		"read_ahead_gap 1 MB\n"
		"shutdown_lifetime 1 seconds\n"
		"coredump_dir none\n"
		"pid_filename " EGRESS_RUN_DIR "/squid.pid\n"
		"logformat containai containai-egress %%{%%Y-%%m-%%dT%%H:%%M:%%SZ}tg %%>a %%rm %%ru "
		"%%>Hs %%Ss %%err_code\n"
		"access_log stdio:/dev/stdout logformat=containai\n"
		"cache_log /dev/stderr\n"
		"debug_options ALL,1\n"
		"logfile_rotate 0\n"
		"error_directory /usr/share/containai-egress/errors\n"
		/* Squid keeps every answer at least this long, also one with
		 * TTL 0: the addresses a request was checked against are the
		 * ones it connects to, not a rebinding server's next answer. */
		"negative_dns_ttl 60 seconds\n",
		EGRESS_PROXY_PORT);
	if (p->dns.n) {
		fputs("dns_nameservers", f);
		for (size_t i = 0; i < p->dns.n; i++)
			fprintf(f, " %s", p->dns.v[i]);
		fputc('\n', f);
	}
}

static void squid_credentials(FILE *f, const struct egress_policy *p)
{
	for (size_t i = 0; i < p->ncred; i++) {
		const struct credential *c = &p->cred[i];
		fprintf(f, "http_port %u accel defaultsite=%s no-vhost name=cai_cred_%zu\n",
			c->listen_port, c->c.upstream, i);
		fprintf(f, "acl cai_cred_%zu myportname cai_cred_%zu\n", i, i);
		fprintf(f, "acl cai_cred_%zu_host dstdomain -n %s\n", i, c->c.upstream);
		fprintf(f, "cache_peer %s parent %u 0 no-query no-digest originserver name=cai_peer_%zu "
			   "tls%s\n", c->c.upstream, c->c.port, i,
			p->ca_pem ? " tls-cafile=" EGRESS_RUN_DIR "/ca.pem" : "");
		fprintf(f, "cache_peer_access cai_peer_%zu allow cai_cred_%zu\n", i, i);
		fprintf(f, "cache_peer_access cai_peer_%zu deny all\n", i);
		fprintf(f, "never_direct allow cai_cred_%zu\n", i);
		/* The sandbox's placeholder goes, the real value comes. */
		fprintf(f, "request_header_access %s deny cai_cred_%zu\n", c->c.header, i);
		fprintf(f, "request_header_add %s \"%s%s%s\" cai_cred_%zu\n", c->c.header, c->c.prefix,
			c->c.prefix[0] ? " " : "", c->value, i);
	}
}

static void squid_access(FILE *f, const struct egress_policy *p)
{
	struct argv np = { .v = (char **)non_public, .n = ARRAY_SIZE(non_public) };
	size_t exact = 0;

	/* egress-load writes the files from the proxy's interfaces, once it
	 * is on the sandbox's network: that network's ranges and not those
	 * of its way out, where other containers would use it and its
	 * credentials, and the network's gateway, the host's address there.
	 * Empty, clients matches nothing, and nothing is served. */
	fputs("acl cai_clients src \"" EGRESS_RUN_DIR "/clients\"\n"
	      "acl cai_gateways src \"" EGRESS_RUN_DIR "/gateways\"\n", f);
	/* Squid 5 aborts on an IPv6 literal that reaches a dst ACL where the
	 * host has no IPv6 (the proxy's networks have none): refused first,
	 * by the text of the URL, so that the sandbox cannot stop its own
	 * proxy with one request. */
	fputs("acl cai_ipv6 url_regex ^[a-zA-Z][-+.a-zA-Z0-9]*://\\[ ^\\[\n", f);
	fputs("acl cai_ports port 80 443\n"
	      "acl cai_tls_port port 443\n"
	      "acl cai_connect method CONNECT\n", f);
	acl_line(f, "cai_private", "dst", &np);
	if (p->allow_cidr.n)
		acl_line(f, "cai_exempt", "dst", &p->allow_cidr);
	if (p->host_addrs.n)
		acl_line(f, "cai_host", "dst", &p->host_addrs);
	for (size_t i = 0; i < p->allow.n; i++)
		exact += p->allow.v[i][0] != '*';
	if (exact) {
		fputs("acl cai_domains dstdomain -n", f);
		for (size_t i = 0; i < p->allow.n; i++)
			if (p->allow.v[i][0] != '*')
				fprintf(f, " %s", p->allow.v[i]);
		fputc('\n', f);
	}
	if (exact < p->allow.n) {
		fputs("acl cai_wildcards dstdom_regex -i", f);
		for (size_t i = 0; i < p->allow.n; i++)
			if (p->allow.v[i][0] == '*')
				wildcard_regex(f, p->allow.v[i] + 2);
		fputc('\n', f);
	}

	/* deny_info names the page of the last ACL on the line that denied. */
	fputs("http_access deny !cai_clients\n"
	      "deny_info ERR_CAI_CLIENT cai_clients\n"
	      "http_access deny cai_gateways\n"
	      "deny_info ERR_CAI_CLIENT cai_gateways\n"
	      "http_access deny cai_ipv6\n"
	      "deny_info ERR_CAI_IPV6 cai_ipv6\n"
	      "http_access deny !cai_ports\n"
	      "deny_info ERR_CAI_PORT cai_ports\n"
	      "http_access deny cai_connect !cai_tls_port\n"
	      "deny_info ERR_CAI_CONNECT cai_tls_port\n", f);
	const char *exempt = p->allow_cidr.n ? "!cai_exempt " : "";
	fprintf(f, "http_access deny %scai_private\n"
		   "deny_info ERR_CAI_PRIVATE cai_private\n", exempt);
	if (p->host_addrs.n)
		fprintf(f, "http_access deny %scai_host\n"
			   "deny_info ERR_CAI_HOST cai_host\n", exempt);
	/* TRACE sends back the request as the upstream got it: the key. */
	if (p->ncred)
		fputs("acl cai_trace method TRACE\n", f);
	for (size_t i = 0; i < p->ncred; i++)
		fprintf(f, "http_access deny cai_trace cai_cred_%zu\n"
			   "http_access allow cai_cred_%zu cai_cred_%zu_host\n"
			   "http_access deny cai_cred_%zu\n"
			   "deny_info ERR_CAI_CREDENTIAL cai_cred_%zu\n", i, i, i, i, i);
	if (p->mode == EGRESS_OPEN)
		fputs("http_access allow all\n", f);
	if (exact)
		fputs("http_access allow cai_domains\n", f);
	if (exact < p->allow.n)
		fputs("http_access allow cai_wildcards\n", f);
	fputs("http_access deny all\n"
	      "deny_info ERR_CAI_DOMAIN all\n", f);
}

char *egress_squid_conf(const struct egress_policy *p, struct cai_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return err_set(err, errno, "squid.conf"), NULL;
	squid_base(f, p);
	squid_credentials(f, p);
	squid_access(f, p);
	/* egress-load hands these to the entry script's forwarders. */
	for (size_t i = 0; p->forward && i < p->forward->n; i++)
		fprintf(f, "#forward %u %s %u\n", p->forward->b[i].sandbox, p->forward_to,
			p->published->b[i].sandbox);
	/* egress-load writes these lines out as the CA file. */
	for (const char *c = p->ca_pem; c && *c;) {
		size_t n = strcspn(c, "\n");
		fprintf(f, "#ca %.*s\n", (int)n, c);
		c += n + (c[n] == '\n');
	}
	if (fclose(f) != 0 || !text) {
		egress_conf_free(text);
		return err_set(err, ENOMEM, "squid.conf"), NULL;
	}
	return text;
}

void egress_conf_free(char *conf)
{
	if (conf)
		explicit_bzero(conf, strlen(conf));
	free(conf);
}
