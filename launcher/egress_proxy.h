/* SPDX-License-Identifier: MIT */
/* egress_proxy: the egress proxy and the internal network of one sandbox.
 *
 * Owns: their names (SANDBOX-egress for both: a container and a network),
 * their labels, the docker commands that create, connect, configure,
 * start, stop and remove them, the sandbox's share (its only network and
 * a resolver that cannot answer at creation; the proxy variables, in
 * upper and lower case, and the credentials' endpoints for each process
 * that joins), and the verdicts on what `docker inspect` says of the
 * proxy and the network - pure functions of that JSON, like reentry's.
 * The network is created --internal: no route leaves it, so the sandbox
 * reaches nothing but the proxy, and with the proxy stopped or dead it
 * reaches nothing at all.  Its embedded DNS forwards names it does not
 * know to the sandbox's --dns servers, or - with no --dns and a host
 * resolver on 127.0.0.x - through the host's own namespace: the sandbox
 * gets --dns EGRESS_NO_DNS, an address the internal network never
 * reaches, so no outside name resolves inside and DNS carries nothing out.
 * The proxy is addressed by IP (gVisor's netstack cannot reach the
 * embedded DNS at all), given to each join as it is then - a proxy
 * started again elsewhere on the network is simply found there.  Nothing
 * is published from an internal network: the proxy publishes the
 * sandbox's ports and forwards each to the sandbox, by its name on the
 * internal network.  Its
 * configuration, credentials included, goes through `docker exec -i` on
 * a memfd: on no command line, in no `docker inspect`, in no file on the
 * host.
 * Refuses: a proxy or network holding the name that does not carry our
 * labels for this sandbox and workspace (never used, stopped or removed);
 * a proxy not shaped as `run` creates it (another image, user,
 * privileges, networks or published ports), a network that is not an internal bridge or
 * that holds a running container other than the sandbox and its proxy:
 * --restart replaces them.
 */
#ifndef CAI_EGRESS_PROXY_H
#define CAI_EGRESS_PROXY_H

#include <jansson.h>

#include "argv.h"
#include "batch.h"
#include "docker.h"
#include "egress.h"
#include "err.h"
#include "publish.h"

/* TEST-NET-1 (RFC 5737): never routed, and not a loopback address that
 * an engine would query from the host's namespace. */
#define EGRESS_NO_DNS "192.0.2.1"
#define EGRESS_LABEL_FOR "containai.egress-for"
/* What the launcher's configuration asks of the proxy (the files
 * egress-load writes, the rules squid.conf names): a proxy made for
 * another is not loaded, but replaced with --restart.  2: the proxy
 * serves only its sandbox's network, less the gateway. */
#define EGRESS_LABEL_FORMAT "containai.egress-format"
#define EGRESS_FORMAT "2"
#define EGRESS_NAME_MAX 96
/* The proxy's user in Debian's squid package. */
#define EGRESS_PROXY_USER "proxy"
#define EGRESS_LOAD "/usr/lib/containai/egress-load"
/* How dry runs show the address the proxy gets once it runs. */
#define EGRESS_ADDR_UNKNOWN "PROXY-ADDRESS"

enum egress_kind { EGRESS_NONE = 0, EGRESS_FOREIGN, EGRESS_REFUSED, EGRESS_OURS };

/* The proxy's ports that forward the sandbox's published ones (publish's
 * forwarded bindings start here; its own are EGRESS_PROXY_PORT and the
 * credential endpoints). */
#define EGRESS_FORWARD_BASE 20000

/* What run wants of the proxy and the network. */
struct egress_want {
	const char *sandbox, *workspace;
	const char *name;               /* of the proxy and of the network */
	const char *image, *outside;    /* the proxy's image, its way out */
	const struct publish *publish;  /* the sandbox's ports, onto EGRESS_FORWARD_BASE... */
	int check_publish;              /* run: the proxy must publish exactly those */
};

struct egress_found {
	enum egress_kind proxy, network;
	int proxy_running, proxy_outside; /* running; on w->outside */
	char proxy_id[65], network_id[65];
	char addr[16];                  /* the proxy's IPv4 address on the network, "" none */
	char why[320];                  /* refused: what is wrong */
};

void egress_name(const char *sandbox, char out[EGRESS_NAME_MAX]);

/* The verdicts: inspect NULL when nothing holds the name.  The network's
 * running containers may only be those whose ids are given (NULL or ""
 * for none). */
int egress_judge_proxy(const json_t *inspect, const struct egress_want *w, struct egress_found *f,
		       struct cai_err *err);
int egress_judge_network(const json_t *inspect, const struct egress_want *w, const char *proxy_id,
			 const char *sandbox_id, struct egress_found *f, struct cai_err *err);

/* The two inspects as jobs of a batch, and reading them back. */
struct egress_look_up {
	struct proc_job *proxy, *network;
};
int egress_look_up_add(const struct docker *d, const struct egress_want *w, struct batch *b,
		       struct egress_look_up *lk, struct cai_err *err);
/* The network judged against the proxy's id and sandbox_id (may be ""). */
int egress_look_up_read(const struct egress_look_up *lk, const struct egress_want *w,
			const char *sandbox_id, struct egress_found *f, struct cai_err *err);

/* The sandbox's words for `docker run`: --network NAME --dns EGRESS_NO_DNS. */
void egress_sandbox_args(const char *network, struct argv *a);
/* The variables of a process joining the sandbox, KEY=VALUE, for the
 * proxy at addr: the proxy's, and each credential's endpoint and
 * placeholder. */
void egress_join_env(const struct egress_policy *p, const char *addr, struct argv *env);

/* Steps, each appended to b (together: with the step before it). */
int egress_step_network_create(const struct docker *d, const struct egress_want *w, struct batch *b,
			       int together, struct cai_err *err);
int egress_step_proxy_create(const struct docker *d, const struct egress_want *w, struct batch *b,
			     int together, struct cai_err *err);
/* The id the proxy's create step of b printed once run, into id: -1 when
 * b has no such step or it printed none. */
int egress_created_id(const struct batch *b, const struct egress_want *w, char id[65]);

/* The proxy onto a network: the internal one beside the sandbox's step
 * (it is created on its way out), or its way out again when something
 * took it off. */
int egress_step_connect(const struct docker *d, const char *network, const char *proxy,
			struct batch *b, int together, struct cai_err *err);
/* docker exec -i the proxy's egress-load; the job's stdin is the caller's
 * to set (egress_conf_fd), after the step is added. */
struct proc_job *egress_step_load(const struct docker *d, const char *proxy, struct batch *b,
				  int together, struct cai_err *err);

/* The configuration on a memfd, read from the start: any size, never on
 * disk, gone when closed. */
int egress_conf_fd(const char *conf, int *fd, struct cai_err *err);

#endif
