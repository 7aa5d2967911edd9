/* SPDX-License-Identifier: MIT */
#include "reentry.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
		if (!strcmp(jstr(hc, host_modes[i]), "host"))
			return refuse(r, "it shares the host's namespace (%s=host)", host_modes[i]);
	for (i = 0; i < ARRAY_SIZE(joinable); i++)
		if (!strncmp(jstr(hc, joinable[i]), "container:", 10))
			return refuse(r, "it joins another container's namespace (%s=%.80s)", joinable[i],
				      jstr(hc, joinable[i]));
	if (strcmp(jstr(hc, "CgroupnsMode"), "private"))
		return refuse(r, "its cgroup namespace is '%.20s', not private", jstr(hc, "CgroupnsMode"));
	if (jstr(hc, "Cgroup")[0])
		return refuse(r, "it joins another cgroup (Cgroup=%.80s)", jstr(hc, "Cgroup"));
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

/* A JSON value, or null when absent. */
static const json_t *or_null(const json_t *v)
{
	return v ? v : json_null();
}

/* containai-init as the image starts it, as the user the image sets:
 * another Entrypoint (/bin/sh) bypasses the init, another User (0) runs it
 * as someone else. */
static int starts_as_image_sets(const json_t *config, const json_t *image, struct reentry *r)
{
	if (!json_is_object(image))
		return refuse(r, "its image's entrypoint could not be read to compare with");
	if (!json_equal((json_t *)or_null(json_object_get(config, "Entrypoint")),
			(json_t *)or_null(json_object_get(image, "Entrypoint"))))
		return refuse(r, "its entrypoint is not the one its image sets");
	if (strcmp(jstr(config, "User"), jstr(image, "User")))
		return refuse(r, "it runs as user '%.40s', not as its image sets ('%.40s')",
			      jstr(config, "User"), jstr(image, "User"));
	return 0;
}

/* Not shaped as `run` creates it: 1 with r->why saying how. */
static int unsafe_shape(const json_t *root, const struct reentry_want *w, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	int ws_bound = 0;
	size_t i;
	json_t *m;

	if (!json_is_object(hc))
		return refuse(r, "it has no HostConfig");
	if (!json_is_false(json_object_get(hc, "Privileged")))
		return refuse(r, "it is privileged");
	if (hands_over(hc, r) || shares_namespaces(hc, r))
		return 1;
	if (!security_opts_ours(json_object_get(hc, "SecurityOpt")))
		return refuse(r, "its security options are not just no-new-privileges");
	json_array_foreach(json_object_get(root, "Mounts"), i, m) {
		const char *type = jstr(m, "Type"), *dst = jstr(m, "Destination");
		/* Only the data volume (its name is compared later): a local
		 * volume can be a bind of any host directory. */
		if (!strcmp(type, "volume") && !strcmp(dst, SANDBOX_DATA_DIR))
			continue;
		if (!strcmp(type, "bind") && !strcmp(dst, SANDBOX_WORKSPACE_DIR) &&
		    !strcmp(jstr(m, "Source"), w->workspace)) {
			ws_bound = 1;
			continue;
		}
		return refuse(r, "it mounts %s '%.100s' at %.100s", type, jstr(m, "Source"), dst);
	}
	if (!ws_bound)
		return refuse(r, "it does not mount this workspace at " SANDBOX_WORKSPACE_DIR);
	/* Another image is refused as such (other_contents): its own
	 * entrypoint is not the one asked about. */
	const json_t *config = json_object_get(root, "Config");
	if (strcmp(jstr(config, "Image"), w->image))
		return 0;
	return starts_as_image_sets(config, w->image_config, r);
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

/* The value of SANDBOX_WORKSPACE_ENV in config's Env: NULL when it has
 * none, "" when it has more than one. */
static const char *workspace_env(const json_t *config)
{
	static const char prefix[] = SANDBOX_WORKSPACE_ENV "=";
	const char *found = NULL;
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(config, "Env"), i, v) {
		const char *e = json_is_string(v) ? json_string_value(v) : "";
		if (strncmp(e, prefix, sizeof(prefix) - 1))
			continue;
		if (found)
			return "";
		found = e + sizeof(prefix) - 1;
	}
	return found;
}

/* Running something other than what `run` would start now. */
static void other_contents(const json_t *root, const struct reentry_want *w, struct reentry *r)
{
	const char *image = jstr(json_object_get(root, "Config"), "Image");
	const char *volume = data_volume(root);
	const char *runtime = jstr(json_object_get(root, "HostConfig"), "Runtime");
	const char *checked = workspace_env(json_object_get(root, "Config"));
	char now[PATH_MAX + 80];

	snprintf(now, sizeof(now), "%s:%s", w->workspace_id ? w->workspace_id : "", w->workspace);
	if (!checked)
		refuse(r, "it was made without the identity of its workspace directory (" SANDBOX_WORKSPACE_ENV ")");
	else if (strcmp(checked, now))
		refuse(r, "it was made for another directory at %.200s (" SANDBOX_WORKSPACE_ENV "=%.100s, "
			  "now %.100s)", w->workspace, checked, now);
	else if (strcmp(image, w->image))
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
	if (!unsafe_shape(root, w, r))
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
