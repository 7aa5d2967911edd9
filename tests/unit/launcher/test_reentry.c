/* SPDX-License-Identifier: MIT */
/* The verdict on an existing container, from recorded `docker container
 * inspect` answers (tests/fixtures/launcher/inspect-*.json).
 * inspect-running.json and inspect-stopped.json were recorded from a
 * container `containai run --force --detach -- sleep 600` created on a
 * docker 20.10 engine (workspace /home/dev/src/project), then given what
 * run has asked for since: "CgroupnsMode": "private" (the engine's
 * default there was the host's) and CONTAINAI_WORKSPACE (the workspace's
 * device, inode and path) in its Env; every other inspect-*.json is
 * inspect-running.json with the one change its name says - so each
 * refusal below is caused by that change alone.  image-config.json is
 * `docker image inspect --format '{{json .Config}}'` of the image it ran. */
#include <stdio.h>

#include "answer.h"
#include "macro.h"
#include "reentry.h"
#include "unit.h"

#define WS "/home/dev/src/project"
#define NAME "containai-project-87388a2e"
#define ID "1fa8b4bead47926b1acfad08048316e44d1c753924a0f4a3f44526388a22a923"

static struct reentry_want want = {
	.name = NAME, .workspace = WS, .image = "containai:latest", .data_volume = "containai-data",
	.workspace_id = "8:1:1234567",
};

/* The verdict on fixture `file` against w, whose image is the one of
 * image-config.json unless w names its own; -1 when unreadable. */
static int judge(const char *file, const struct reentry_want *w, struct reentry *r)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect(file, &err);
	json_auto_t *image = answer_inspect("image-config.json", &err);
	struct reentry_want with_image = *w;

	if (!inspect || !image)
		return -1;
	if (!with_image.image_config)
		with_image.image_config = image;
	return reentry_judge(inspect, &with_image, r, &err);
}

TEST(reentry_ours_running_is_entered_by_id)
{
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK_INT(judge("inspect-running.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK(r.running);
	CHECK_STR(r.id, ID);
	CHECK_INT(r.cmd.n, 2);
	CHECK_STR(r.cmd.v[0], "sleep");
	CHECK_STR(r.cmd.v[1], "600");
}

TEST(reentry_ours_stopped_is_started)
{
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK_INT(judge("inspect-stopped.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK(!r.running);
	CHECK_STR(r.id, ID);
}

/* In Sysbox mode the runtime is part of the shape: the same container
 * under runc would be entered without the isolation it was made for. */
TEST(reentry_sysbox_mode_requires_its_runtime)
{
	struct reentry_want sysbox = want;
	_cleanup_reentry_ struct reentry r = { 0 };

	sysbox.runtime = "sysbox-runc";
	CHECK_INT(judge("inspect-sysbox.json", &sysbox, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	reentry_release(&r);
	CHECK_INT(judge("inspect-running.json", &sysbox, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "runtime 'runc', not sysbox-runc");
}

TEST(reentry_no_container_of_that_name)
{
	struct cai_err err;
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK_INT(reentry_judge(NULL, &want, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_NONE);
	/* inspect answers for an id prefix too: another name is not ours. */
	CHECK_INT(judge("inspect-other-name.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_NONE);
}

TEST(reentry_foreign_without_our_labels_for_this_workspace)
{
	struct reentry_want elsewhere = want;
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK_INT(judge("inspect-foreign.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_FOREIGN);
	CHECK_INT(judge("inspect-other-workspace-label.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_FOREIGN);
	elsewhere.workspace = "/home/dev/src/other";
	CHECK_INT(judge("inspect-running.json", &elsewhere, &r), 0);
	CHECK_INT(r.kind, REENTRY_FOREIGN);
}

/* Our labels on a container someone else shaped: never entered. */
TEST(reentry_refuses_hostile_shapes)
{
	static const struct {
		const char *file, *why;
	} cases[] = {
		{ "inspect-privileged.json", "it is privileged" },
		{ "inspect-cap-add.json", "added capabilities or devices" },
		{ "inspect-device.json", "added capabilities or devices" },
		{ "inspect-host-pid.json", "(PidMode=host)" },
		{ "inspect-host-network.json", "(NetworkMode=host)" },
		{ "inspect-host-ipc.json", "(IpcMode=host)" },
		{ "inspect-host-userns.json", "(UsernsMode=host)" },
		{ "inspect-seccomp-unconfined.json", "not just no-new-privileges" },
		{ "inspect-apparmor-unconfined.json", "not just no-new-privileges" },
		{ "inspect-no-security-opt.json", "not just no-new-privileges" },
		{ "inspect-docker-socket.json", "mounts bind '/var/run/docker.sock' at /run/docker.sock" },
		{ "inspect-extra-volume.json",
		  "mounts volume '/var/lib/docker/volumes/homevol/_data' at /mnt/home" },
		{ "inspect-home-bind.json", "mounts bind '/home/dev' at /home/agent/workspace" },
		{ "inspect-data-bind.json", "mounts bind '/home/dev' at /mnt/agent-data" },
		{ "inspect-no-workspace.json", "does not mount this workspace" },
		{ "inspect-no-hostconfig.json", "no HostConfig" },
		{ "inspect-other-image.json", "runs image other:1, not containai:latest" },
		{ "inspect-other-volume.json", "data volume is 'other-data', not containai-data" },
		/* containai-init would refuse to start it on this directory. */
		{ "inspect-workspace-replaced.json",
		  "made for another directory at " WS " (CONTAINAI_WORKSPACE=8:1:7654321:" WS ", now "
		  "8:1:1234567:" WS ")" },
		{ "inspect-no-workspace-env.json", "without the identity of its workspace directory" },
		/* Around containai-init, or as someone else. */
		{ "inspect-entrypoint-shell.json", "entrypoint is not the one its image sets" },
		{ "inspect-user-root.json", "runs as user '0', not as its image sets ('')" },
		{ "inspect-docker-init.json", "docker's own init runs before containai-init" },
		/* Another container's namespaces, the host's UTS and cgroups. */
		{ "inspect-pid-container.json", "joins another container's namespace (PidMode=container:" },
		{ "inspect-ipc-container.json", "joins another container's namespace (IpcMode=container:" },
		{ "inspect-network-container.json",
		  "joins another container's namespace (NetworkMode=container:" },
		{ "inspect-host-uts.json", "(UTSMode=host)" },
		{ "inspect-host-cgroupns.json", "cgroup namespace is 'host', not private" },
		{ "inspect-cgroup-container.json", "joins another cgroup" },
		/* More of the host than run hands over. */
		{ "inspect-masked-paths-empty.json", "MaskedPaths or ReadonlyPaths lack" },
		{ "inspect-readonly-paths-empty.json", "MaskedPaths or ReadonlyPaths lack" },
		{ "inspect-device-requests.json", "it has DeviceRequests" },
		{ "inspect-device-cgroup-rules.json", "it has DeviceCgroupRules" },
		{ "inspect-sysctls.json", "it has Sysctls" },
		{ "inspect-binds.json", "it has Binds" },
		{ "inspect-volumes-from.json", "it has VolumesFrom" },
		{ "inspect-links.json", "it has Links" },
		{ "inspect-tmpfs.json", "it has Tmpfs" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_reentry_ struct reentry r = { 0 };
		if (judge(cases[i].file, &want, &r) < 0 || r.kind != REENTRY_REFUSED ||
		    !strstr(r.why, cases[i].why))
			unit_fail(__FILE__, __LINE__, "%s: verdict %d, \"%s\"", cases[i].file, r.kind, r.why);
	}
}

TEST(reentry_refuses_an_answer_without_a_valid_id)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect("inspect-bad-id.json", &err);
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK(inspect);
	CHECK_INT(reentry_judge(inspect, &want, &r, &err), -1);
	CHECK_CONTAINS(err.msg, "no valid container id");
}

/* "Privileged": false, then true: which one counts would be the parser's
 * guess, so the answer is not read at all. */
TEST(reentry_never_judges_an_answer_with_a_repeated_key)
{
	struct cai_err err;

	CHECK(answer_inspect("inspect-duplicate-key.json", &err) == NULL);
	CHECK_CONTAINS(err.msg, "docker container inspect: answer is not the expected JSON");
}

/* The entrypoint is judged against the image's own: unread, the
 * container is not entered; an image with another entrypoint makes ours
 * (recorded from the first) another shape. */
TEST(reentry_compares_the_entrypoint_with_the_image)
{
	struct reentry_want other = want;
	json_auto_t *image = json_pack("{s:[s]}", "Entrypoint", "/usr/local/bin/other-init");
	json_auto_t *empty = json_object();
	_cleanup_reentry_ struct reentry r = { 0 };

	other.image_config = image;
	CHECK_INT(judge("inspect-running.json", &other, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "entrypoint is not the one its image sets");
	reentry_release(&r);
	/* An image without an entrypoint: nor may the container have one. */
	other.image_config = empty;
	CHECK_INT(judge("inspect-running.json", &other, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	reentry_release(&r);
	struct cai_err err;
	json_auto_t *inspect = answer_inspect("inspect-running.json", &err);
	CHECK(inspect);
	other.image_config = NULL;
	CHECK_INT(reentry_judge(inspect, &other, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "image's entrypoint could not be read");
}

/* An engine that reports no MaskedPaths (before 19.03) has nothing to
 * compare with; one that reports a list must keep its defaults in it. */
TEST(reentry_masked_paths_only_where_the_engine_reports_them)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect("inspect-running.json", &err);
	json_auto_t *image = answer_inspect("image-config.json", &err);
	struct reentry_want w = want;
	_cleanup_reentry_ struct reentry r = { 0 };

	CHECK(inspect && image);
	w.image_config = image;
	json_t *hc = json_object_get(inspect, "HostConfig");
	CHECK_INT(json_object_set_new(hc, "MaskedPaths", json_null()), 0);
	CHECK_INT(json_object_del(hc, "ReadonlyPaths"), 0);
	CHECK_INT(reentry_judge(inspect, &w, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	reentry_release(&r);
	CHECK_INT(json_object_set_new(hc, "MaskedPaths", json_pack("[s]", "/proc/kcore")), 0);
	CHECK_INT(reentry_judge(inspect, &w, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
}
