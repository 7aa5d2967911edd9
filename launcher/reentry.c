/* SPDX-License-Identifier: MIT */
#include "reentry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "egress_proxy.h"
#include "macro.h"

static const char *jstr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* SecurityOpt is exactly what `run` gives: no-new-privileges and nothing
 * else (not seccomp=unconfined, apparmor=unconfined, ...). */
static int security_opts_ours(const json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_array_size(arr))
		return 0;
	json_array_foreach(arr, i, v) {
		const char *o = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(o, "no-new-privileges") && strcmp(o, "no-new-privileges:true") &&
		    strcmp(o, "no-new-privileges=true"))
			return 0;
	}
	return 1;
}

/* Refused, and why: 1. */
static int refuse(struct reentry *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct reentry *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->kind = REENTRY_REFUSED;
	return 1;
}

/* Not shaped as `run` creates it: 1 with r->why saying how. */
static int unsafe_shape(const json_t *root, const char *ws, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	/* UsernsMode=host would undo an engine's userns-remap. */
	static const char *const host_modes[] = { "PidMode", "NetworkMode", "IpcMode", "UsernsMode" };
	int ws_bound = 0;
	size_t i;
	json_t *m;

	if (!json_is_object(hc))
		return refuse(r, "it has no HostConfig");
	if (!json_is_false(json_object_get(hc, "Privileged")))
		return refuse(r, "it is privileged");
	if (json_array_size(json_object_get(hc, "CapAdd")) || json_array_size(json_object_get(hc, "Devices")))
		return refuse(r, "it has added capabilities or devices");
	for (i = 0; i < ARRAY_SIZE(host_modes); i++)
		if (!strcmp(jstr(hc, host_modes[i]), "host"))
			return refuse(r, "it shares the host's namespace (%s=host)", host_modes[i]);
	if (!security_opts_ours(json_object_get(hc, "SecurityOpt")))
		return refuse(r, "its security options are not just no-new-privileges");
	json_array_foreach(json_object_get(root, "Mounts"), i, m) {
		const char *type = jstr(m, "Type"), *dst = jstr(m, "Destination");
		/* Only the data volume (its name is compared later): a local
		 * volume can be a bind of any host directory. */
		if (!strcmp(type, "volume") && !strcmp(dst, SANDBOX_DATA_DIR))
			continue;
		if (!strcmp(type, "bind") && !strcmp(dst, SANDBOX_WORKSPACE_DIR) &&
		    !strcmp(jstr(m, "Source"), ws)) {
			ws_bound = 1;
			continue;
		}
		return refuse(r, "it mounts %s '%.100s' at %.100s", type, jstr(m, "Source"), dst);
	}
	if (!ws_bound)
		return refuse(r, "it does not mount this workspace at " SANDBOX_WORKSPACE_DIR);
	return 0;
}

static int env_has(const json_t *env, const char *word)
{
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), word))
			return 1;
	return 0;
}

/* The network `run` gives: 1 with r->why when not. */
static int network_shape(const json_t *root, const struct reentry_want *w, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	const json_t *nets = json_object_get(json_object_get(root, "NetworkSettings"), "Networks");
	const json_t *dns = json_object_get(hc, "Dns");
	const json_t *env = json_object_get(json_object_get(root, "Config"), "Env");
	const char *mode = jstr(hc, "NetworkMode");
	static const char proxy[] = "HTTP_PROXY=http://";
	_cleanup_argv_ struct argv want = { 0 };
	char addr[16] = "";
	struct in_addr a;
	size_t i;
	json_t *v;

	if (!w->egress_network)
		return mode[0] && strcmp(mode, "default") && strcmp(mode, "bridge")
			? refuse(r, "its network is '%.100s', not the default one (egress off)", mode) : 0;
	if (strcmp(mode, w->egress_network) || json_object_size(nets) != 1 ||
	    !json_object_get(nets, w->egress_network))
		return refuse(r, "it is not on its egress network %.100s alone", w->egress_network);
	if (json_array_size(dns) != 1 || strcmp(json_string_value(json_array_get(dns, 0)) ?: "", EGRESS_NO_DNS))
		return refuse(r, "its resolver is not the egress one");
	json_array_foreach(env, i, v) {
		const char *e = json_is_string(v) ? json_string_value(v) : "";
		if (!strncmp(e, proxy, sizeof(proxy) - 1)) {
			size_t n = strcspn(e + sizeof(proxy) - 1, ":");
			if (n < sizeof(addr))
				snprintf(addr, sizeof(addr), "%.*s", (int)n, e + sizeof(proxy) - 1);
		}
	}
	if (!addr[0] || inet_pton(AF_INET, addr, &a) != 1)
		return refuse(r, "it has no egress proxy address");
	egress_sandbox_env(w->egress, addr, &want);
	for (i = 0; i < want.n; i++)
		if (!env_has(env, want.v[i]))
			return refuse(r, "its egress variables differ (%.60s)", want.v[i]);
	/* Nothing else pointing at the proxy: an endpoint of a credential
	 * that is gone. */
	char mark[40];
	snprintf(mark, sizeof(mark), "=http://%s:", addr);
	json_array_foreach(env, i, v) {
		const char *e = json_is_string(v) ? json_string_value(v) : "";
		int wanted = 0;
		for (size_t k = 0; k < want.n; k++)
			wanted |= !strcmp(want.v[k], e);
		if (strstr(e, mark) && !wanted)
			return refuse(r, "its egress variables differ (%.60s)", e);
	}
	snprintf(r->egress_addr, sizeof(r->egress_addr), "%s", addr);
	return 0;
}

/* The name of the volume at SANDBOX_DATA_DIR, "" when none. */
static const char *data_volume(const json_t *root)
{
	const char *name = "";
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(root, "Mounts"), i, m)
		if (!strcmp(jstr(m, "Destination"), SANDBOX_DATA_DIR) && !strcmp(jstr(m, "Type"), "volume"))
			name = jstr(m, "Name");
	return name;
}

/* Running something other than what `run` would start now. */
static void other_contents(const json_t *root, const struct reentry_want *w, struct reentry *r)
{
	const char *image = jstr(json_object_get(root, "Config"), "Image");
	const char *volume = data_volume(root);
	const char *runtime = jstr(json_object_get(root, "HostConfig"), "Runtime");

	if (strcmp(image, w->image))
		refuse(r, "it runs image %.200s, not %.200s", image, w->image);
	else if (strcmp(volume, w->data_volume))
		refuse(r, "its data volume is '%.200s', not %.200s", volume, w->data_volume);
	else if (w->runtime && strcmp(runtime, w->runtime))
		refuse(r, "it runs under runtime '%.64s', not %.64s", runtime, w->runtime);
}

int reentry_judge(const json_t *root, const struct reentry_want *w, struct reentry *r,
		  struct cai_err *err)
{
	memset(r, 0, sizeof(*r));
	if (!root)
		return 0;
	/* inspect also matches id prefixes: only the exact name counts. */
	const char *cname = jstr(root, "Name");
	if (strcmp(cname[0] == '/' ? cname + 1 : cname, w->name))
		return 0;
	const char *id = jstr(root, "Id");
	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return err_set(err, 0, "docker container inspect %s: no valid container id", w->name);
	snprintf(r->id, sizeof(r->id), "%s", id);

	const json_t *config = json_object_get(root, "Config");
	const json_t *labels = json_object_get(config, "Labels");
	if (strcmp(jstr(labels, SANDBOX_LABEL_MANAGED), "true") ||
	    strcmp(jstr(labels, SANDBOX_LABEL_WORKSPACE), w->workspace)) {
		r->kind = REENTRY_FOREIGN;
		return 0;
	}
	r->kind = REENTRY_OURS;
	r->running = json_is_true(json_object_get(json_object_get(root, "State"), "Running"));
	if (!unsafe_shape(root, w->workspace, r) && !network_shape(root, w, r))
		other_contents(root, w, r);

	const json_t *cmd = json_object_get(config, "Cmd");
	size_t i;
	json_t *word;
	json_array_foreach(cmd, i, word)
		argv_push(&r->cmd, json_is_string(word) ? json_string_value(word) : "");
	if (json_array_size(cmd) && argv_ok(&r->cmd, err) < 0)
		return -1;
	return 0;
}

void reentry_release(struct reentry *r)
{
	argv_free(&r->cmd);
}
