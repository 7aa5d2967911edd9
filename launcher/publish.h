/* SPDX-License-Identifier: MIT */
/* publish: the ports a sandbox publishes on the host.
 *
 * Owns: reading `PORT[:SANDBOX_PORT]` and `ADDR:PORT:SANDBOX_PORT` (ADDR an
 * IPv4 address or a bracketed IPv6 one; TCP), the host address each
 * binding gets - 127.0.0.1 unless the spec names one - whether a binding
 * is reachable from other machines (any address outside 127.0.0.0/8 and
 * ::1: `run` warns), the docker flags, the same bindings moved onto the
 * egress proxy's forwarding ports, and comparing the bindings a container
 * has with the ones asked for.
 * Refuses: ports outside 1-65535 or written with anything but digits, an
 * address that does not parse, a host port and address given twice, more
 * than PUBLISH_MAX bindings.
 */
#ifndef CAI_PUBLISH_H
#define CAI_PUBLISH_H

#include <arpa/inet.h>
#include <jansson.h>

#include "argv.h"
#include "err.h"

#define PUBLISH_MAX 32

struct port_binding {
	char addr[INET6_ADDRSTRLEN];    /* as inet_ntop writes it */
	unsigned host, sandbox;
};

struct publish {
	struct port_binding b[PUBLISH_MAX];
	size_t n;
};

/* Add one spec to p. */
int publish_add(struct publish *p, const char *spec, struct cai_err *err);

/* Replace p with the specs in `list`, separated by spaces or commas (the
 * config key publish). */
int publish_parse_list(struct publish *p, const char *list, struct cai_err *err);

/* 1 when b is bound to a loopback address only. */
int publish_is_loopback(const struct port_binding *b);

/* --publish ADDR:PORT:SANDBOX_PORT for each binding ([ADDR] for IPv6). */
void publish_push(const struct publish *p, struct argv *a);

/* p's host bindings onto other container ports: base, base + 1, ... in
 * order (the egress proxy publishes a sandbox's ports and forwards them:
 * nothing is published from an internal network). */
void publish_forwarded(const struct publish *p, unsigned base, struct publish *out);

/* Does HostConfig.PortBindings hold exactly p's bindings (TCP)?  1 yes,
 * 0 no. */
int publish_matches(const struct publish *p, const json_t *port_bindings);

#endif
