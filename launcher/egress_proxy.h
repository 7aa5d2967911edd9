/* SPDX-License-Identifier: MIT */
/* egress_proxy: the egress proxy and the internal network of one sandbox.
 *
 * Owns: their names (SANDBOX-egress for both: a container and a network),
 * their labels, the docker commands that create, connect, configure,
 * start, stop and remove them, the sandbox's share (its only network, a
 * resolver that cannot answer, the proxy variables in upper and lower
 * case), and the verdicts on what `docker inspect` says of the proxy and
 * the network - pure functions of that JSON, like reentry's.
 * The network is created --internal: no route leaves it, so the sandbox
 * reaches nothing but the proxy, and with the proxy stopped or dead it
 * reaches nothing at all.  Its embedded DNS forwards names it does not
 * know to the sandbox's --dns servers, or - with no --dns and a host
 * resolver on 127.0.0.x - through the host's own namespace: the sandbox
 * gets --dns EGRESS_NO_DNS, an address the internal network never
 * reaches, so no outside name resolves inside and DNS carries nothing out.
 * The proxy is addressed by IP (gVisor's netstack cannot reach the
 * embedded DNS at all).  Its configuration, credentials included, goes
 * through `docker exec -i` on a memfd: on no command line, in no
 * `docker inspect`, in no file on the host.
 * Refuses: a proxy or network holding the name that does not carry our
 * labels for this sandbox and workspace (never reused or removed); a
 * proxy not shaped as `run` creates it (another image, user,
 * privileges or networks) or a network that is not internal: --restart
 * replaces them.
 */
#ifndef CAI_EGRESS_PROXY_H
#define CAI_EGRESS_PROXY_H

#include <jansson.h>

#include "argv.h"
#include "batch.h"
#include "docker.h"
#include "egress.h"
#include "err.h"

/* TEST-NET-1 (RFC 5737): never routed, and not a loopback address that
 * an engine would query from the host's namespace. */
#define EGRESS_NO_DNS "192.0.2.1"
#define EGRESS_LABEL_FOR "containai.egress-for"
#define EGRESS_NAME_MAX 96
/* The proxy's user in Debian's squid package. */
#define EGRESS_PROXY_USER "proxy"
/* How dry runs show the address the proxy gets once connected. */
#define EGRESS_ADDR_UNKNOWN "PROXY-ADDRESS"

enum egress_kind { EGRESS_NONE = 0, EGRESS_FOREIGN, EGRESS_REFUSED, EGRESS_OURS };

/* What run wants of the proxy and the network. */
struct egress_want {
	const char *sandbox, *workspace;
	const char *name;               /* of the proxy and of the network */
	const char *image, *outside;    /* the proxy's image, its way out */
};

struct egress_found {
	enum egress_kind proxy, network;
	int proxy_running;
	char proxy_id[65], network_id[65];
	char addr[16];                  /* the proxy's IPv4 address on the network, "" none */
	char why[320];                  /* refused: what is wrong */
};

void egress_name(const char *sandbox, char out[EGRESS_NAME_MAX]);

/* The verdicts: inspect NULL when nothing holds the name. */
int egress_judge_proxy(const json_t *inspect, const struct egress_want *w, struct egress_found *f,
		       struct cai_err *err);
int egress_judge_network(const json_t *inspect, const struct egress_want *w,
			 struct egress_found *f, struct cai_err *err);
/* Both inspected at once. */
int egress_look_up(const struct docker *d, const struct egress_want *w, struct egress_found *f,
		   struct cai_err *err);

/* The sandbox's egress words for `docker run`: --network, --dns and the
 * variables for the proxy at addr (credentials' endpoints included). */
void egress_sandbox_args(const struct egress_policy *p, const char *network, const char *addr,
			 struct argv *a);
/* The variables alone, KEY=VALUE. */
void egress_sandbox_env(const struct egress_policy *p, const char *addr, struct argv *env);

/* Removing them, as steps of a plan (after the sandbox's own removal). */
int egress_plan_remove(const struct docker *d, const struct egress_found *f, struct batch *b,
		       struct cai_err *err);
/* Stopping the proxy, as a step. */
int egress_plan_stop(const struct docker *d, const struct egress_found *f, struct batch *b,
		     struct cai_err *err);

/* Bring the proxy up for the sandbox and give it conf: create what is
 * missing, start it, load the configuration, and read its address into
 * f->addr.  With out (a dry run) print the commands instead and leave
 * f->addr EGRESS_ADDR_UNKNOWN where it is not known yet. */
int egress_up(const struct docker *d, const struct egress_want *w, struct egress_found *f,
	      const char *conf, FILE *out, unsigned timeout_ms, struct cai_err *err);

#endif
