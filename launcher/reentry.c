/* SPDX-License-Identifier: MIT */
#include "reentry.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "egress.h"
#include "docker.h"
#include "egress_proxy.h"
#include "macro.h"

static json_int_t jint(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
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

/* An array of exactly one string, `word`. */
static int just(const json_t *arr, const char *word)
{
	return json_array_size(arr) == 1 && json_is_string(json_array_get(arr, 0)) &&
	       !strcmp(json_string_value(json_array_get(arr, 0)), word);
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

/* The namespaces `run` leaves the engine to make: none shared with the
 * host or joined from another container, and a cgroup namespace of its
 * own (run asks for one: on cgroup v1 the default is the host's). */
static int shares_namespaces(const json_t *hc, struct reentry *r)
{
	/* UsernsMode=host would undo an engine's userns-remap. */
	static const char *const host_modes[] = { "PidMode", "NetworkMode", "IpcMode", "UsernsMode",
						   "UTSMode" };
	static const char *const joinable[] = { "PidMode", "NetworkMode", "IpcMode" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(host_modes); i++)
		if (!strcmp(docker_str(hc, host_modes[i]), "host"))
			return refuse(r, "it shares the host's namespace (%s=host)", host_modes[i]);
	for (i = 0; i < ARRAY_SIZE(joinable); i++)
		if (!strncmp(docker_str(hc, joinable[i]), "container:", 10))
			return refuse(r, "it joins another container's namespace (%s=%.80s)", joinable[i],
				      docker_str(hc, joinable[i]));
	if (strcmp(docker_str(hc, "CgroupnsMode"), "private"))
		return refuse(r, "its cgroup namespace is '%.20s', not private", docker_str(hc, "CgroupnsMode"));
	if (docker_str(hc, "Cgroup")[0])
		return refuse(r, "it joins another cgroup (Cgroup=%.80s)", docker_str(hc, "Cgroup"));
	return 0;
}

/* arr holds every one of the paths; an engine that reports no list
 * (null, as before 19.03) has nothing to compare with. */
static int keeps_paths(const json_t *arr, const char *const *paths, size_t n)
{
	if (!arr || json_is_null(arr))
		return 1;
	for (size_t k = 0; k < n; k++) {
		size_t i;
		json_t *v;
		int found = 0;
		json_array_foreach(arr, i, v)
			found |= json_is_string(v) && !strcmp(json_string_value(v), paths[k]);
		if (!found)
			return 0;
	}
	return json_is_array(arr);
}

/* What `run` never sets and each of which gives the container more of the
 * host: devices, GPUs, cgroup device rules, binds and other containers'
 * volumes outside the Mounts list, links, sysctls, tmpfs over our
 * mounts - and /proc and /sys entries unmasked or writable. */
static int hands_over(const json_t *hc, struct reentry *r)
{
	static const char *const never_set[] = { "DeviceRequests", "DeviceCgroupRules", "Binds",
						  "VolumesFrom", "Links", "Sysctls", "Tmpfs" };
	/* In every engine's default since 19.03. */
	static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list",
					      "/sys/firmware" };
	static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
						"/proc/sysrq-trigger" };

	if (json_array_size(json_object_get(hc, "CapAdd")) || json_array_size(json_object_get(hc, "Devices")))
		return refuse(r, "it has added capabilities or devices");
	for (size_t i = 0; i < ARRAY_SIZE(never_set); i++) {
		const json_t *v = json_object_get(hc, never_set[i]);
		if (json_array_size(v) || json_object_size(v))
			return refuse(r, "it has %s, which run never sets", never_set[i]);
	}
	if (!keeps_paths(json_object_get(hc, "MaskedPaths"), masked, ARRAY_SIZE(masked)) ||
	    !keeps_paths(json_object_get(hc, "ReadonlyPaths"), readonly, ARRAY_SIZE(readonly)))
		return refuse(r, "its MaskedPaths or ReadonlyPaths lack the engine's defaults "
				 "(/proc and /sys exposed)");
	if (json_is_true(json_object_get(hc, "Init")))
		return refuse(r, "docker's own init runs before containai-init");
	return 0;
}

/* Not shaped as `run` creates it: 1 with r->why saying how. */
static int unsafe_shape(const json_t *root, const char *ws, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	const json_t *config = json_object_get(root, "Config");
	int ws_bound = 0;
	size_t i;
	json_t *m;

	if (!json_is_object(hc))
		return refuse(r, "it has no HostConfig");
	/* Its PID 1 must be the init whose --join hardens what enters, as
	 * the image's own user (run sets none: an explicit one, root or not,
	 * is someone else's choice). */
	if (!just(json_object_get(config, "Entrypoint"), SANDBOX_INIT) ||
	    !just(json_object_get(config, "Cmd"), SANDBOX_MODE_ARG))
		return refuse(r, "it was not started as a sandbox (" SANDBOX_INIT " " SANDBOX_MODE_ARG ")");
	if (docker_str(config, "User")[0])
		return refuse(r, "it runs as user '%.40s', which run never sets", docker_str(config, "User"));
	if (!json_is_false(json_object_get(hc, "Privileged")))
		return refuse(r, "it is privileged");
	if (hands_over(hc, r) || shares_namespaces(hc, r))
		return 1;
	if (!security_opts_ours(json_object_get(hc, "SecurityOpt")))
		return refuse(r, "its security options are not just no-new-privileges");
	if (jint(hc, "Memory") <= 0 || jint(hc, "NanoCpus") <= 0 || jint(hc, "PidsLimit") <= 0)
		return refuse(r, "it has no memory, CPU or process limit");
	json_array_foreach(json_object_get(root, "Mounts"), i, m) {
		const char *type = docker_str(m, "Type"), *dst = docker_str(m, "Destination");
		/* Only the data volume (its name is compared later): a local
		 * volume can be a bind of any host directory. */
		if (!strcmp(type, "volume") && !strcmp(dst, SANDBOX_DATA_DIR))
			continue;
		if (!strcmp(type, "bind") && !strcmp(dst, SANDBOX_WORKSPACE_DIR) &&
		    !strcmp(docker_str(m, "Source"), ws)) {
			ws_bound = 1;
			continue;
		}
		return refuse(r, "it mounts %s '%.100s' at %.100s", type, docker_str(m, "Source"), dst);
	}
	if (!ws_bound)
		return refuse(r, "it does not mount this workspace at " SANDBOX_WORKSPACE_DIR);
	return 0;
}

/* The policy its egress label names into r->egress: -1 when it names
 * none. */
static int egress_label(const json_t *root, struct reentry *r)
{
	const char *label = docker_str(json_object_get(json_object_get(root, "Config"), "Labels"),
				 SANDBOX_LABEL_EGRESS);
	enum egress_mode m = EGRESS_OFF;
	struct cai_err err;

	if (label[0] && egress_mode_parse(label, &m, &err) < 0) {
		snprintf(r->egress, sizeof(r->egress), "?");
		return -1;
	}
	snprintf(r->egress, sizeof(r->egress), "%s", egress_mode_name(m));
	return (int)m;
}

/* The network `run` gives for its egress label: 1 with r->why when not. */
static int network_shape(const json_t *root, const char *name, const char *network_id,
			 struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	const json_t *nets = json_object_get(json_object_get(root, "NetworkSettings"), "Networks");
	const char *mode = docker_str(hc, "NetworkMode");
	char network[EGRESS_NAME_MAX];
	int m = egress_label(root, r);

	if (m < 0)
		return refuse(r, "its egress label is not a policy");
	if (m == EGRESS_OFF)
		return mode[0] && strcmp(mode, "default") && strcmp(mode, "bridge")
			? refuse(r, "its network is '%.100s', not the default one (egress off)", mode) : 0;
	egress_name(name, network);
	const json_t *net = json_object_get(nets, network);
	if (strcmp(mode, network) || json_object_size(nets) != 1 || !net)
		return refuse(r, "it is not on its egress network %.100s alone", network);
	if (network_id && strcmp(docker_str(net, "NetworkID"), network_id))
		return refuse(r, "its network %.100s is not the one made for it", network);
	if (!just(json_object_get(hc, "Dns"), EGRESS_NO_DNS))
		return refuse(r, "its resolver is not the egress one (" EGRESS_NO_DNS ")");
	return 0;
}

/* The name of the volume at SANDBOX_DATA_DIR, "" when none. */
static const char *data_volume(const json_t *root)
{
	const char *name = "";
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(root, "Mounts"), i, m)
		if (!strcmp(docker_str(m, "Destination"), SANDBOX_DATA_DIR) && !strcmp(docker_str(m, "Type"), "volume"))
			name = docker_str(m, "Name");
	return name;
}

/* The value of NAME in config's Env: NULL when it has none, "" when it
 * has more than one (which wins is docker's to decide, not ours) or an
 * empty one. */
static const char *config_env(const json_t *config, const char *name)
{
	size_t len = strlen(name);
	const char *found = NULL;
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(config, "Env"), i, v) {
		const char *e = json_is_string(v) ? json_string_value(v) : "";
		if (strncmp(e, name, len) || e[len] != '=')
			continue;
		if (found)
			return "";
		found = e + len + 1;
	}
	return found;
}

/* The container was made for the directory now at the workspace's path:
 * 1, or 0 with r->why saying how not. */
static int same_directory(const json_t *config, const struct reentry_want *w, struct reentry *r)
{
	const char *checked = config_env(config, SANDBOX_WORKSPACE_ENV);
	char now[PATH_MAX + 80];

	snprintf(now, sizeof(now), "%s%s%s", w->workspace_id, w->workspace_id[0] ? ":" : "", w->workspace);
	if (!checked)
		return !refuse(r, "it was made without the identity of its workspace directory ("
				  SANDBOX_WORKSPACE_ENV ")");
	if (strcmp(checked, now))
		return !refuse(r, "it was made for another directory at %.200s (" SANDBOX_WORKSPACE_ENV
				  "=%.100s, now %.100s)", w->workspace, checked, now);
	return 1;
}

/* Made for the host user run gives now (w->host_user; "": none), exactly. */
static void same_host_user(const json_t *config, const struct reentry_want *w, struct reentry *r)
{
	const char *made = config_env(config, SANDBOX_HOST_USER_ENV);

	if (made && !made[0])
		refuse(r, "it was made with " SANDBOX_HOST_USER_ENV " empty or set twice");
	else if (strcmp(made ? made : "", w->host_user))
		refuse(r, "it was made for host user '%.40s', not '%.40s'", made ? made : "", w->host_user);
}

static int other_resources(const json_t *hc, const struct resources *l)
{
	return jint(hc, "Memory") != (json_int_t)l->memory || jint(hc, "MemorySwap") != (json_int_t)l->memory ||
	       jint(hc, "NanoCpus") != (json_int_t)l->nano_cpus || jint(hc, "PidsLimit") != l->pids;
}

/* Running something other than what is expected of it. */
static void other_contents(const json_t *root, const struct reentry_want *w, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	const char *image = docker_str(json_object_get(root, "Config"), "Image");
	const char *runtime = docker_str(hc, "Runtime");

	if (w->workspace_id && !same_directory(json_object_get(root, "Config"), w, r))
		return;
	if (w->runtime && strcmp(runtime, w->runtime))
		refuse(r, "it runs under runtime '%.64s', not %.64s", runtime, w->runtime);
	else if (w->image && strcmp(image, w->image))
		refuse(r, "it runs image %.200s, not %.200s", image, w->image);
	else if (w->data_volume && strcmp(r->data_volume, w->data_volume))
		refuse(r, "its data volume is '%.200s', not %.200s", r->data_volume, w->data_volume);
	else if (w->egress && strcmp(r->egress, w->egress))
		refuse(r, "its egress policy is %s, not %s", r->egress, w->egress);
	else if (w->resources && other_resources(hc, w->resources))
		refuse(r, "its memory, CPU or process limits are not the ones asked for");
	else if (w->publish && !publish_matches(w->publish, json_object_get(hc, "PortBindings")))
		refuse(r, "its published ports are not the ones asked for");
	else if (w->host_user)
		same_host_user(json_object_get(root, "Config"), w, r);
}

int reentry_judge(const json_t *root, const struct reentry_want *w, struct reentry *r,
		  struct cai_err *err)
{
	memset(r, 0, sizeof(*r));
	if (!root)
		return 0;
	/* inspect also matches id prefixes: only the exact name counts. */
	const char *cname = docker_str(root, "Name");
	if (strcmp(cname[0] == '/' ? cname + 1 : cname, w->name))
		return 0;
	const char *id = docker_str(root, "Id");
	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return err_set(err, 0, "docker container inspect %s: no valid container id", w->name);
	snprintf(r->id, sizeof(r->id), "%s", id);

	const json_t *labels = json_object_get(json_object_get(root, "Config"), "Labels");
	const char *ws = w->workspace ? w->workspace : docker_str(labels, SANDBOX_LABEL_WORKSPACE);
	if (strcmp(docker_str(labels, SANDBOX_LABEL_MANAGED), "true") || !ws[0] ||
	    strcmp(docker_str(labels, SANDBOX_LABEL_WORKSPACE), ws)) {
		r->kind = REENTRY_FOREIGN;
		return 0;
	}
	r->kind = REENTRY_OURS;
	r->running = json_is_true(json_object_get(json_object_get(root, "State"), "Running"));
	snprintf(r->data_volume, sizeof(r->data_volume), "%s", data_volume(root));
	egress_label(root, r);
	if (!unsafe_shape(root, ws, r) && !network_shape(root, w->name, w->egress_network_id, r))
		other_contents(root, w, r);
	return 0;
}
