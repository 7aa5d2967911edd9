/* SPDX-License-Identifier: MIT */
#include "publish.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"

#define PUBLISH_LOOPBACK "127.0.0.1"

/* A port: 1-65535. */
static int port(const char *s, size_t n, unsigned *out)
{
	struct cai_err err;
	uint64_t v;

	if (decimal_parse(s, n, 65535, &v, &err) < 0 || v < 1)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* The address in s[0..n) (IPv6 with or without brackets) as inet_ntop
 * writes it. */
static int address(const char *s, size_t n, char *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	unsigned char bin[sizeof(struct in6_addr)];
	int v6 = memchr(s, ':', n) != NULL;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		v6 = 1;
	}
	int af = v6 ? AF_INET6 : AF_INET;
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(af, buf, bin) != 1 || !inet_ntop(af, bin, out, INET6_ADDRSTRLEN))
		return -1;
	return 0;
}

static int parse_spec(const char *spec, struct port_binding *b, struct cai_err *err)
{
	const char *last = strrchr(spec, ':');
	size_t n = strlen(spec);

	memset(b, 0, sizeof(*b));
	if (!last) {
		if (port(spec, n, &b->host) < 0)
			goto bad;
		b->sandbox = b->host;
		snprintf(b->addr, sizeof(b->addr), PUBLISH_LOOPBACK);
		return 0;
	}
	if (port(last + 1, strlen(last + 1), &b->sandbox) < 0)
		goto bad;
	/* PORT:SANDBOX_PORT, or ADDR:PORT:SANDBOX_PORT. */
	const char *mid = last;
	while (mid > spec && mid[-1] != ':')
		mid--;
	if (port(mid, (size_t)(last - mid), &b->host) < 0)
		goto bad;
	if (mid == spec) {
		snprintf(b->addr, sizeof(b->addr), PUBLISH_LOOPBACK);
		return 0;
	}
	if (address(spec, (size_t)(mid - 1 - spec), b->addr) < 0)
		goto bad;
	return 0;
bad:
	return err_set(err, 0, "publish '%s': expected PORT, PORT:SANDBOX_PORT or ADDR:PORT:SANDBOX_PORT "
			       "(ports 1-65535; an IPv6 ADDR in brackets)", spec);
}

int publish_add(struct publish *p, const char *spec, struct cai_err *err)
{
	struct port_binding b;

	if (parse_spec(spec, &b, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++)
		if (p->b[i].host == b.host && !strcmp(p->b[i].addr, b.addr))
			return err_set(err, 0, "publish '%s': host port %u on %s is already published", spec,
				       b.host, b.addr);
	if (p->n == PUBLISH_MAX)
		return err_set(err, 0, "publish: more than %d ports", PUBLISH_MAX);
	p->b[p->n++] = b;
	return 0;
}

int publish_parse_list(struct publish *p, const char *list, struct cai_err *err)
{
	char word[128];

	p->n = 0;
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, " ,");
		if (n >= sizeof(word))
			return err_set(err, 0, "publish: '%.40s...' is too long", s);
		if (n) {
			memcpy(word, s, n);
			word[n] = '\0';
			if (publish_add(p, word, err) < 0)
				return -1;
		}
		s += n + (s[n] != '\0');
	}
	return 0;
}

int publish_is_loopback(const struct port_binding *b)
{
	return !strncmp(b->addr, "127.", 4) || !strcmp(b->addr, "::1");
}

void publish_push(const struct publish *p, struct argv *a)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct port_binding *b = &p->b[i];
		argv_push(a, "--publish");
		argv_pushf(a, strchr(b->addr, ':') ? "[%s]:%u:%u" : "%s:%u:%u", b->addr, b->host, b->sandbox);
	}
}

void publish_forwarded(const struct publish *p, unsigned base, struct publish *out)
{
	*out = *p;
	for (size_t i = 0; i < out->n; i++)
		out->b[i].sandbox = base + (unsigned)i;
}

int publish_matches(const struct publish *p, const json_t *bindings)
{
	size_t seen = 0;
	const char *key;
	json_t *list;

	if (json_is_null(bindings))
		bindings = NULL;
	if (bindings && !json_is_object(bindings))
		return 0;
	json_object_foreach((json_t *)bindings, key, list) {
		size_t i;
		json_t *hb;
		char tail[8];
		unsigned sandbox;
		int len;

		if (sscanf(key, "%u/%7s%n", &sandbox, tail, &len) != 2 || strcmp(tail, "tcp") ||
		    (size_t)len != strlen(key) || !json_is_array(list))
			return 0;
		json_array_foreach(list, i, hb) {
			const char *ip = json_string_value(json_object_get(hb, "HostIp"));
			const char *hp = json_string_value(json_object_get(hb, "HostPort"));
			struct port_binding got;
			size_t k;

			if (!ip || !hp || port(hp, strlen(hp), &got.host) < 0 ||
			    address(ip, strlen(ip), got.addr) < 0)
				return 0;
			for (k = 0; k < p->n; k++)
				if (p->b[k].sandbox == sandbox && p->b[k].host == got.host &&
				    !strcmp(p->b[k].addr, got.addr))
					break;
			if (k == p->n)
				return 0;
			seen++;
		}
	}
	return seen == p->n;
}
