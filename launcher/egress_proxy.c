/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "egress_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "credential.h"
#include "fd.h"
#include "macro.h"
#include "reentry.h"

void egress_name(const char *sandbox, char out[EGRESS_NAME_MAX])
{
	snprintf(out, EGRESS_NAME_MAX, "%s-egress", sandbox);
}

static int refuse(struct egress_found *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct egress_found *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return EGRESS_REFUSED;
}

/* NONE, FOREIGN or OURS by name and labels; the id into id. */
static int judge_labels(const json_t *root, const json_t *labels, const struct egress_want *w,
			char id[65], struct cai_err *err)
{
	const char *name = docker_str(root, "Name"), *hex = docker_str(root, "Id");

	/* inspect also answers for an id prefix: only the exact name counts. */
	if (!root || strcmp(name[0] == '/' ? name + 1 : name, w->name))
		return EGRESS_NONE;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return err_set(err, 0, "docker inspect %s: no valid id", w->name);
	snprintf(id, 65, "%s", hex);
	if (strcmp(docker_str(labels, SANDBOX_LABEL_MANAGED), "true") ||
	    strcmp(docker_str(labels, SANDBOX_LABEL_WORKSPACE), w->workspace) ||
	    strcmp(docker_str(labels, EGRESS_LABEL_FOR), w->sandbox))
		return EGRESS_FOREIGN;
	return EGRESS_OURS;
}

static int proxy_shape(const json_t *root, const struct egress_want *w, struct egress_found *f)
{
	const json_t *config = json_object_get(root, "Config"), *hc = json_object_get(root, "HostConfig");
	const json_t *nets = json_object_get(json_object_get(root, "NetworkSettings"), "Networks");
	static const char *const host_modes[] = { "PidMode", "IpcMode", "UsernsMode" };
	const char *key;
	json_t *v;

	const char *format = docker_str(json_object_get(config, "Labels"), EGRESS_LABEL_FORMAT);
	if (strcmp(format, EGRESS_FORMAT))
		return refuse(f, "its proxy was made by another version of containai (egress format %.16s, "
				 "this one makes " EGRESS_FORMAT ")", format[0] ? format : "1");
	if (strcmp(docker_str(config, "Image"), w->image))
		return refuse(f, "its proxy runs image %.100s, not %.100s", docker_str(config, "Image"), w->image);
	if (strcmp(docker_str(config, "User"), EGRESS_PROXY_USER) || json_array_size(json_object_get(config, "Cmd")))
		return refuse(f, "its proxy runs another user or command");
	if (!json_is_false(json_object_get(hc, "Privileged")) ||
	    json_array_size(json_object_get(hc, "CapAdd")) ||
	    json_array_size(json_object_get(hc, "Devices")) ||
	    !json_is_true(json_object_get(hc, "ReadonlyRootfs")))
		return refuse(f, "its proxy is privileged, has capabilities or devices, or a writable root");
	for (size_t i = 0; i < ARRAY_SIZE(host_modes); i++)
		if (!strcmp(docker_str(hc, host_modes[i]), "host"))
			return refuse(f, "its proxy shares the host's namespace (%s=host)", host_modes[i]);
	if (json_array_size(json_object_get(root, "Mounts")))
		return refuse(f, "its proxy has mounts");
	json_object_foreach((json_t *)nets, key, v)
		if (strcmp(key, w->name) && strcmp(key, w->outside))
			return refuse(f, "its proxy is also on network %.100s", key);
	if (w->check_publish && !publish_matches(w->publish, json_object_get(hc, "PortBindings")))
		return refuse(f, "its proxy publishes other ports than the ones asked for");
	f->proxy_outside = json_object_get(nets, w->outside) != NULL;
	return EGRESS_OURS;
}

int egress_judge_proxy(const json_t *root, const struct egress_want *w, struct egress_found *f,
		       struct cai_err *err)
{
	const json_t *config = json_object_get(root, "Config");
	int k = root ? judge_labels(root, json_object_get(config, "Labels"), w, f->proxy_id, err) : 0;

	if (k < 0)
		return -1;
	f->proxy = (enum egress_kind)k;
	f->addr[0] = '\0';
	if (k != EGRESS_OURS)
		return 0;
	f->proxy_running = json_is_true(json_object_get(json_object_get(root, "State"), "Running"));
	f->proxy = (enum egress_kind)proxy_shape(root, w, f);
	const json_t *net = json_object_get(json_object_get(json_object_get(root, "NetworkSettings"),
							    "Networks"), w->name);
	struct in_addr a;
	const char *ip = docker_str(net, "IPAddress");
	if (f->proxy_running && ip[0] && strlen(ip) < sizeof(f->addr) && inet_pton(AF_INET, ip, &a) == 1)
		snprintf(f->addr, sizeof(f->addr), "%s", ip);
	return 0;
}

/* gw is the first address after the IPv4 subnet's network address. */
static int subnet_first(const char *subnet, const char *gw)
{
	struct egress_cidr c;
	struct cai_err ignored;
	struct in_addr n, g;

	if (egress_cidr_parse(subnet, &c, &ignored) < 0 || c.v6 || inet_pton(AF_INET, gw, &g) != 1)
		return 0;
	memcpy(&n, c.addr, sizeof(n));
	return ntohl(g.s_addr) == ntohl(n.s_addr) + 1;
}

int egress_judge_network(const json_t *root, const struct egress_want *w, const char *proxy_id,
			 const char *sandbox_id, struct egress_found *f, struct cai_err *err)
{
	int k = root ? judge_labels(root, json_object_get(root, "Labels"), w, f->network_id, err) : 0;
	const char *id;
	json_t *v;

	if (k < 0)
		return -1;
	f->network = (enum egress_kind)k;
	if (k != EGRESS_OURS)
		return 0;
	if (!json_is_true(json_object_get(root, "Internal")) || strcmp(docker_str(root, "Driver"), "bridge")) {
		f->network = (enum egress_kind)refuse(f, "its network %.100s is not an internal bridge", w->name);
		return 0;
	}
	/* The proxy refuses the first address of its network's ranges, where
	 * the host's processes come from (egress-load): a gateway elsewhere
	 * would reach it unrefused. */
	json_t *cfg;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(root, "IPAM"), "Config"), i, cfg) {
		const char *gw = docker_str(cfg, "Gateway");
		if (gw[0] && !subnet_first(docker_str(cfg, "Subnet"), gw)) {
			f->network = (enum egress_kind)refuse(f, "its network %.100s has the gateway %.64s, not its "
								 "range's first address", w->name, gw);
			return 0;
		}
	}
	/* Whoever else is on it would share the sandbox's only network. */
	json_object_foreach(json_object_get(root, "Containers"), id, v)
		if ((!proxy_id || strcmp(id, proxy_id)) && (!sandbox_id || strcmp(id, sandbox_id))) {
			f->network = (enum egress_kind)refuse(f, "its network %.100s also holds container "
								 "%.12s", w->name, id);
			return 0;
		}
	return 0;
}

int egress_look_up_add(const struct docker *d, const struct egress_want *w, struct batch *b,
		       struct egress_look_up *lk, struct cai_err *err)
{
	if (!(lk->proxy = docker_inspect_add(d, "container", w->name, b, err)) ||
	    !(lk->network = docker_inspect_add(d, "network", w->name, b, err)))
		return -1;
	return 0;
}

int egress_look_up_read(const struct egress_look_up *lk, const struct egress_want *w,
			const char *sandbox_id, struct egress_found *f, struct cai_err *err)
{
	json_auto_t *proxy = NULL, *net = NULL;

	memset(f, 0, sizeof(*f));
	if (docker_inspect_read(lk->proxy, w->name, &proxy, err) < 0 ||
	    docker_inspect_read(lk->network, w->name, &net, err) < 0)
		return err_prefix(err, "egress proxy");
	if (egress_judge_proxy(proxy, w, f, err) < 0)
		return -1;
	return egress_judge_network(net, w, f->proxy == EGRESS_NONE ? NULL : f->proxy_id, sandbox_id, f, err);
}

void egress_sandbox_args(const char *network, struct argv *a)
{
	argv_push(a, "--network");
	argv_push(a, network);
	argv_push(a, "--dns");
	argv_push(a, EGRESS_NO_DNS);
}

void egress_join_env(const struct egress_policy *p, const char *addr, struct argv *env)
{
	static const char *const proxy_vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
						  "https_proxy" };

	for (size_t i = 0; i < ARRAY_SIZE(proxy_vars); i++)
		argv_pushf(env, "%s=http://%s:%d", proxy_vars[i], addr, EGRESS_PROXY_PORT);
	/* The credential endpoints are on the proxy too, reached directly. */
	argv_pushf(env, "NO_PROXY=localhost,127.0.0.1,::1,%s", addr);
	argv_pushf(env, "no_proxy=localhost,127.0.0.1,::1,%s", addr);
	for (size_t i = 0; i < p->ncred; i++)
		credential_sandbox_env(&p->cred[i], addr, env);
}

static void labels(struct argv *a, const struct egress_want *w)
{
	argv_push(a, "--label");
	argv_push(a, SANDBOX_LABEL_MANAGED "=true");
	argv_push(a, "--label");
	argv_pushf(a, SANDBOX_LABEL_WORKSPACE "=%s", w->workspace);
	argv_push(a, "--label");
	argv_pushf(a, EGRESS_LABEL_FOR "=%s", w->sandbox);
}

static int add(struct batch *b, struct argv *a, int together, struct cai_err *err)
{
	return (together ? batch_add_with_previous : batch_add)(b, a, err) ? 0 : -1;
}

int egress_step_network_create(const struct docker *d, const struct egress_want *w, struct batch *b,
			       int together, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(d, &a);
	argv_push(&a, "network");
	argv_push(&a, "create");
	argv_push(&a, "--internal");
	labels(&a, w);
	argv_push(&a, w->name);
	return add(b, &a, together, err);
}

int egress_step_proxy_create(const struct docker *d, const struct egress_want *w, struct batch *b,
			     int together, struct cai_err *err)
{
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(d, &a);
	argv_push(&a, "run");
	argv_push(&a, "-d");
	argv_push(&a, "--name");
	argv_push(&a, w->name);
	argv_push(&a, "--pull=never");
	labels(&a, w);
	argv_push(&a, "--label");
	argv_push(&a, EGRESS_LABEL_FORMAT "=" EGRESS_FORMAT);
	/* Created on its way out, beside the network's own creation; joined
	 * to the internal network beside the sandbox's (egress_step_connect). */
	argv_push(&a, "--network");
	argv_push(&a, w->outside);
	/* Squid needs none of root's powers: it listens above 1024 and
	 * writes only its tmpfs. */
	argv_push(&a, "--user");
	argv_push(&a, EGRESS_PROXY_USER);
	argv_push(&a, "--cap-drop");
	argv_push(&a, "ALL");
	argv_push(&a, "--security-opt");
	argv_push(&a, "no-new-privileges");
	argv_push(&a, "--read-only");
	argv_push(&a, "--tmpfs");
	argv_push(&a, EGRESS_RUN_DIR ":rw,nosuid,nodev,noexec,size=4m,mode=0700,uid=13,gid=13");
	if (w->publish)
		publish_push(w->publish, &a);
	argv_push(&a, w->image);
	return add(b, &a, together, err);
}

int egress_created_id(const struct batch *b, const struct egress_want *w, char id[65])
{
	for (size_t i = 0; i < b->n; i++) {
		const struct argv *a = &b->argv[i];
		for (size_t k = 0; k + 1 < a->n; k++) {
			if (strcmp(a->v[k], "--name") || strcmp(a->v[k + 1], w->name) || !b->job[i].out)
				continue;
			const char *out = b->job[i].out;
			if (strspn(out, "0123456789abcdef") != 64 || (out[64] && out[64] != '\n'))
				return -1;
			memcpy(id, out, 64);
			id[64] = '\0';
			return 0;
		}
	}
	return -1;
}

int egress_step_connect(const struct docker *d, const char *network, const char *proxy,
			struct batch *b, int together, struct cai_err *err)
{
	return docker_step(d, b, together, err, "network", "connect", network, proxy, NULL);
}

struct proc_job *egress_step_load(const struct docker *d, const char *proxy, struct batch *b,
				  int together, struct cai_err *err)
{
	if (docker_step(d, b, together, err, "exec", "-i", "--user", EGRESS_PROXY_USER, proxy,
			EGRESS_LOAD, NULL) < 0)
		return NULL;
	return &b->job[b->n - 1];
}

int egress_conf_fd(const char *conf, int *fd, struct cai_err *err)
{
	_cleanup_close_ int m = memfd_create("containai-egress", MFD_CLOEXEC);

	if (m < 0 || fd_write_all(m, conf, strlen(conf)) < 0 || lseek(m, 0, SEEK_SET) < 0)
		return err_set(err, errno, "egress proxy: its configuration");
	*fd = fd_take(&m);
	return 0;
}
