/* SPDX-License-Identifier: MIT */
#include "reentry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "egress.h"
#include "egress_proxy.h"
#include "macro.h"

static const char *jstr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

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

/* Not shaped as `run` creates it: 1 with r->why saying how. */
static int unsafe_shape(const json_t *root, const char *ws, struct reentry *r)
{
	const json_t *hc = json_object_get(root, "HostConfig");
	const json_t *config = json_object_get(root, "Config");
	/* UsernsMode=host would undo an engine's userns-remap. */
	static const char *const host_modes[] = { "PidMode", "NetworkMode", "IpcMode", "UsernsMode" };
	int ws_bound = 0;
	size_t i;
	json_t *m;

	if (!json_is_object(hc))
		return refuse(r, "it has no HostConfig");
	/* Its PID 1 must be the init whose --join hardens what enters. */
	if (!just(json_object_get(config, "Entrypoint"), SANDBOX_INIT) ||
	    !just(json_object_get(config, "Cmd"), SANDBOX_MODE_ARG))
		return refuse(r, "it was not started as a sandbox (" SANDBOX_INIT " " SANDBOX_MODE_ARG ")");
	if (!json_is_false(json_object_get(hc, "Privileged")))
		return refuse(r, "it is privileged");
	if (json_array_size(json_object_get(hc, "CapAdd")) || json_array_size(json_object_get(hc, "Devices")))
		return refuse(r, "it has added capabilities or devices");
	for (i = 0; i < ARRAY_SIZE(host_modes); i++)
		if (!strcmp(jstr(hc, host_modes[i]), "host"))
			return refuse(r, "it shares the host's namespace (%s=host)", host_modes[i]);
	if (!security_opts_ours(json_object_get(hc, "SecurityOpt")))
		return refuse(r, "its security options are not just no-new-privileges");
	if (jint(hc, "Memory") <= 0 || jint(hc, "NanoCpus") <= 0 || jint(hc, "PidsLimit") <= 0)
		return refuse(r, "it has no memory, CPU or process limit");
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

/* The policy its egress label names into r->egress: -1 when it names
 * none. */
static int egress_label(const json_t *root, struct reentry *r)
{
	const char *label = jstr(json_object_get(json_object_get(root, "Config"), "Labels"),
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
	const char *mode = jstr(hc, "NetworkMode");
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
	if (network_id && strcmp(jstr(net, "NetworkID"), network_id))
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
		if (!strcmp(jstr(m, "Destination"), SANDBOX_DATA_DIR) && !strcmp(jstr(m, "Type"), "volume"))
			name = jstr(m, "Name");
	return name;
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
	const char *image = jstr(json_object_get(root, "Config"), "Image");
	const char *runtime = jstr(hc, "Runtime");

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

	const json_t *labels = json_object_get(json_object_get(root, "Config"), "Labels");
	const char *ws = w->workspace ? w->workspace : jstr(labels, SANDBOX_LABEL_WORKSPACE);
	if (strcmp(jstr(labels, SANDBOX_LABEL_MANAGED), "true") || !ws[0] ||
	    strcmp(jstr(labels, SANDBOX_LABEL_WORKSPACE), ws)) {
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
