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
#include "reentry.h"

void egress_name(const char *sandbox, char out[EGRESS_NAME_MAX])
{
	snprintf(out, EGRESS_NAME_MAX, "%s-egress", sandbox);
}

static const char *jstr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
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
	const char *name = jstr(root, "Name"), *hex = jstr(root, "Id");

	if (!root || strcmp(name[0] == '/' ? name + 1 : name, w->name))
		return EGRESS_NONE;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		return err_set(err, 0, "docker inspect %s: no valid id", w->name);
	snprintf(id, 65, "%s", hex);
	if (strcmp(jstr(labels, SANDBOX_LABEL_MANAGED), "true") ||
	    strcmp(jstr(labels, SANDBOX_LABEL_WORKSPACE), w->workspace) ||
	    strcmp(jstr(labels, EGRESS_LABEL_FOR), w->sandbox))
		return EGRESS_FOREIGN;
	return EGRESS_OURS;
}

static int proxy_shape(const json_t *root, const struct egress_want *w, struct egress_found *f)
{
	const json_t *config = json_object_get(root, "Config"), *hc = json_object_get(root, "HostConfig");
	const json_t *nets = json_object_get(json_object_get(root, "NetworkSettings"), "Networks");
	const char *key;
	json_t *v;

	if (strcmp(jstr(config, "Image"), w->image))
		return refuse(f, "its proxy runs image %.100s, not %.100s", jstr(config, "Image"), w->image);
	if (strcmp(jstr(config, "User"), EGRESS_PROXY_USER) || json_array_size(json_object_get(config, "Cmd")))
		return refuse(f, "its proxy runs another user or command");
	if (!json_is_false(json_object_get(hc, "Privileged")) ||
	    json_array_size(json_object_get(hc, "CapAdd")) ||
	    !json_is_true(json_object_get(hc, "ReadonlyRootfs")))
		return refuse(f, "its proxy is privileged, has capabilities or a writable root");
	json_object_foreach((json_t *)nets, key, v)
		if (strcmp(key, w->name) && strcmp(key, w->outside))
			return refuse(f, "its proxy is also on network %.100s", key);
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
	if (k != EGRESS_OURS)
		return 0;
	f->proxy_running = json_is_true(json_object_get(json_object_get(root, "State"), "Running"));
	f->proxy = (enum egress_kind)proxy_shape(root, w, f);
	const json_t *net = json_object_get(json_object_get(json_object_get(root, "NetworkSettings"),
							    "Networks"), w->name);
	struct in_addr a;
	const char *ip = jstr(net, "IPAddress");
	f->addr[0] = '\0';
	if (ip[0] && strlen(ip) < sizeof(f->addr) && inet_pton(AF_INET, ip, &a) == 1)
		snprintf(f->addr, sizeof(f->addr), "%s", ip);
	return 0;
}

int egress_judge_network(const json_t *root, const struct egress_want *w, struct egress_found *f,
			 struct cai_err *err)
{
	int k = root ? judge_labels(root, json_object_get(root, "Labels"), w, f->network_id, err) : 0;

	if (k < 0)
		return -1;
	f->network = (enum egress_kind)k;
	if (k == EGRESS_OURS && (!json_is_true(json_object_get(root, "Internal")) ||
				 strcmp(jstr(root, "Driver"), "bridge")))
		f->network = (enum egress_kind)refuse(f, "its network %.100s is not an internal bridge",
						      w->name);
	return 0;
}

int egress_look_up(const struct docker *d, const struct egress_want *w, struct egress_found *f,
		   struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	json_auto_t *proxy = NULL, *net = NULL;
	struct proc_job *jp, *jn;

	memset(f, 0, sizeof(*f));
	if (!(jp = docker_inspect_add(d, "container", w->name, &b, err)) ||
	    !(jn = docker_inspect_add(d, "network", w->name, &b, err)) || batch_run(&b, err) < 0)
		return -1;
	if (docker_inspect_read(jp, w->name, &proxy, err) < 0 ||
	    docker_inspect_read(jn, w->name, &net, err) < 0)
		return err_prefix(err, "egress proxy");
	if (egress_judge_proxy(proxy, w, f, err) < 0 || egress_judge_network(net, w, f, err) < 0)
		return -1;
	if (f->proxy == EGRESS_FOREIGN || f->network == EGRESS_FOREIGN)
		return err_set(err, 0, "the name %s is held by a %s that containai did not create for "
				       "this sandbox; remove it or choose another --name", w->name,
			       f->proxy == EGRESS_FOREIGN ? "container" : "network");
	return 0;
}

void egress_sandbox_env(const struct egress_policy *p, const char *addr, struct argv *env)
{
	static const char *const proxy_vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
						  "https_proxy" };

	for (size_t i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
		argv_pushf(env, "%s=http://%s:%d", proxy_vars[i], addr, EGRESS_PROXY_PORT);
	/* The credential endpoints are on the proxy too, reached directly. */
	argv_pushf(env, "NO_PROXY=localhost,127.0.0.1,::1,%s", addr);
	argv_pushf(env, "no_proxy=localhost,127.0.0.1,::1,%s", addr);
	for (size_t i = 0; i < p->ncred; i++)
		credential_sandbox_env(&p->cred[i], addr, env);
}

void egress_sandbox_args(const struct egress_policy *p, const char *network, const char *addr,
			 struct argv *a)
{
	_cleanup_argv_ struct argv env = { 0 };

	argv_push(a, "--network");
	argv_push(a, network);
	argv_push(a, "--dns");
	argv_push(a, EGRESS_NO_DNS);
	egress_sandbox_env(p, addr, &env);
	for (size_t i = 0; i < env.n; i++) {
		argv_push(a, "-e");
		argv_push(a, env.v[i]);
	}
	if (env.oom)
		a->oom = 1;
}

static int add_step(const struct docker *d, struct batch *b, struct cai_err *err, ...)
{
	_cleanup_argv_ struct argv a = { 0 };
	va_list ap;
	const char *w;

	docker_argv(d, &a);
	va_start(ap, err);
	while ((w = va_arg(ap, const char *)))
		argv_push(&a, w);
	va_end(ap);
	return batch_add(b, &a, err) ? 0 : -1;
}

int egress_plan_remove(const struct docker *d, const struct egress_found *f, struct batch *b,
		       struct cai_err *err)
{
	if ((f->proxy == EGRESS_OURS || f->proxy == EGRESS_REFUSED) &&
	    add_step(d, b, err, "rm", "-f", f->proxy_id, NULL) < 0)
		return -1;
	if ((f->network == EGRESS_OURS || f->network == EGRESS_REFUSED) &&
	    add_step(d, b, err, "network", "rm", f->network_id, NULL) < 0)
		return -1;
	return 0;
}

int egress_plan_stop(const struct docker *d, const struct egress_found *f, struct batch *b,
		     struct cai_err *err)
{
	if (f->proxy != EGRESS_OURS && f->proxy != EGRESS_REFUSED)
		return 0;
	return add_step(d, b, err, "stop", "-t", "2", f->proxy_id, NULL);
}

/* Run (or print) every job of b together; each must succeed. */
static int egress_round(struct batch *b, FILE *out, unsigned timeout_ms, struct cai_err *err)
{
	for (size_t i = 0; out && i < b->n; i++) {
		_cleanup_free_ char *line = argv_to_shell(&b->argv[i]);
		if (!line)
			return err_set(err, ENOMEM, "quoting a command");
		fprintf(out, "%s\n", line);
	}
	if (out)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		b->job[i].timeout_ms = timeout_ms;
	if (batch_run(b, err) < 0)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (!proc_ok(&b->job[i])) {
			char why[512];
			proc_describe_failure(&b->job[i], why, sizeof(why));
			return err_set(err, 0, "egress proxy: %s", why);
		}
	return 0;
}

/* The 64-hex id a create command printed. */
static int created_id(const struct proc_job *j, char id[65], struct cai_err *err)
{
	if (j->out_len < 64 || strspn(j->out, "0123456789abcdef") != 64)
		return err_set(err, 0, "egress proxy: docker printed no id");
	memcpy(id, j->out, 64);
	id[64] = '\0';
	return 0;
}

/* The configuration on a memfd: any size, never on disk, gone when
 * closed. */
static int conf_fd(const char *conf, int *fd, struct cai_err *err)
{
	_cleanup_close_ int m = memfd_create("containai-egress", MFD_CLOEXEC);

	if (m < 0 || fd_write_all(m, conf, strlen(conf)) < 0 || lseek(m, 0, SEEK_SET) < 0)
		return err_set(err, errno, "egress proxy: its configuration");
	*fd = fd_take(&m);
	return 0;
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

static int create_network(const struct docker *d, const struct egress_want *w,
			  struct egress_found *f, FILE *out, unsigned timeout_ms, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(d, &a);
	argv_push(&a, "network");
	argv_push(&a, "create");
	argv_push(&a, "--internal");
	labels(&a, w);
	argv_push(&a, w->name);
	if (!batch_add(&b, &a, err) || egress_round(&b, out, timeout_ms, err) < 0)
		return -1;
	if (out)
		return snprintf(f->network_id, sizeof(f->network_id), "%s", w->name), 0;
	return created_id(&b.job[0], f->network_id, err);
}

/* First on the internal network, then out: the proxy is the network's
 * first endpoint. */
static int create_proxy(const struct docker *d, const struct egress_want *w,
			struct egress_found *f, FILE *out, unsigned timeout_ms, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };

	docker_argv(d, &a);
	argv_push(&a, "run");
	argv_push(&a, "-d");
	argv_push(&a, "--name");
	argv_push(&a, w->name);
	argv_push(&a, "--pull=never");
	labels(&a, w);
	argv_push(&a, "--network");
	argv_push(&a, w->name);
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
	argv_push(&a, w->image);
	if (!batch_add(&b, &a, err) || egress_round(&b, out, timeout_ms, err) < 0)
		return -1;
	f->proxy_running = 1;
	if (out)
		return snprintf(f->proxy_id, sizeof(f->proxy_id), "%s", w->name), 0;
	return created_id(&b.job[0], f->proxy_id, err);
}

int egress_up(const struct docker *d, const struct egress_want *w, struct egress_found *f,
	      const char *conf, FILE *out, unsigned timeout_ms, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_close_ int fd = -1;
	int created = f->proxy == EGRESS_NONE;

	if (f->proxy == EGRESS_REFUSED || f->network == EGRESS_REFUSED)
		return err_set(err, 0, "%s; use --restart to recreate it", f->why);
	if (f->network == EGRESS_NONE && create_network(d, w, f, out, timeout_ms, err) < 0)
		return -1;
	if (created && create_proxy(d, w, f, out, timeout_ms, err) < 0)
		return -1;
	if (!f->proxy_running) {
		/* A container started again may be given another address. */
		f->addr[0] = '\0';
		if (add_step(d, &b, err, "start", f->proxy_id, NULL) < 0 ||
		    egress_round(&b, out, timeout_ms, err) < 0)
			return -1;
		batch_release(&b);
	}
	if (created && add_step(d, &b, err, "network", "connect", w->outside, f->proxy_id, NULL) < 0)
		return -1;
	struct proc_job *load = NULL, *look = NULL;
	if (!out && conf_fd(conf, &fd, err) < 0)
		return -1;
	if (add_step(d, &b, err, "exec", "-i", "--user", EGRESS_PROXY_USER, f->proxy_id,
		     "/usr/lib/containai/egress-load", NULL) < 0)
		return -1;
	load = &b.job[b.n - 1];
	load->stdin_fd = fd;
	if (!out && !f->addr[0] && !(look = docker_inspect_add(d, "container", f->proxy_id, &b, err)))
		return -1;
	if (egress_round(&b, out, timeout_ms, err) < 0)
		return -1;
	if (out) {
		if (!f->addr[0])
			snprintf(f->addr, sizeof(f->addr), "%s", EGRESS_ADDR_UNKNOWN);
		return 0;
	}
	if (look) {
		json_auto_t *root = NULL;
		struct egress_want byid = *w;
		if (docker_inspect_read(look, w->name, &root, err) < 0)
			return -1;
		/* Inspected by id: the name it answers with is still ours. */
		if (egress_judge_proxy(root, &byid, f, err) < 0)
			return -1;
		if (f->proxy != EGRESS_OURS || !f->addr[0])
			return err_set(err, 0, "egress proxy %s has no address on its network", w->name);
	}
	return 0;
}
