/* SPDX-License-Identifier: MIT */
/* The verdict on an existing container, from recorded `docker container
 * inspect` answers (tests/fixtures/launcher/inspect-*.json).
 * inspect-running.json and inspect-stopped.json were recorded from a
 * sandbox `containai run --force --detach --memory 4g --cpus 1.5
 * --publish 8080:3000` created on a docker 20.10 engine (workspace
 * /home/dev/src/project; egress balanced, the default: on its network
 * NAME-egress, its ports published by its proxy), inspect-egress-off.json
 * from the same with --egress off, then given what run has asked for
 * since: "CgroupnsMode": "private" (the engine's default there was the
 * host's) and CONTAINAI_WORKSPACE (the workspace's device, inode and path)
 * in its Env; every other inspect-*.json is one of them with the one
 * change its name says (inspect-variants.py makes them) - so each refusal
 * below is caused by that change alone. */
#include <stdio.h>

#include "answer.h"
#include "macro.h"
#include "reentry.h"
#include "unit.h"

#define WS "/home/dev/src/project"
#define NAME "containai-project-87388a2e"
#define ID "c84e228e9ab19006defae4901d476cc8bd01260464e54fc147c779ea712bea5e"
#define NETWORK_ID "84ebebf66a47b75c9439d87b60a3319784d7cd4900b10419406c986db31de6d7"

static const struct resources limits_asked = { .memory = 4ULL << 30, .nano_cpus = 1500000000, .pids = 4096 };
static struct publish ports = { .b = { { "127.0.0.1", 8080, 3000 } }, .n = 1 };
/* With egress the proxy publishes them: the sandbox, nothing. */
static struct publish no_ports;

/* What `run` with the recorded flags, on the recorded workspace, expects. */
static const struct reentry_want want = {
	.name = NAME, .workspace = WS, .image = "containai:latest", .data_volume = "containai-data",
	.resources = &limits_asked, .publish = &no_ports, .egress = "balanced",
	.egress_network_id = NETWORK_ID, .workspace_id = "8:1:1234567",
};
static const struct reentry_want want_off = {
	.name = NAME, .workspace = WS, .image = "containai:latest", .data_volume = "containai-data",
	.resources = &limits_asked, .publish = &ports, .egress = "off",
	.workspace_id = "8:1:1234567",
};

/* What shell, exec, logs, stop and rm expect: the shape alone. */
static const struct reentry_want shape_only = { .name = NAME, .workspace = WS };

/* The verdict on fixture `file` against w; -1 when it could not be read. */
static int judge(const char *file, const struct reentry_want *w, struct reentry *r)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect(file, &err);

	if (!inspect)
		return -1;
	return reentry_judge(inspect, w, r, &err);
}

TEST(reentry_ours_running_is_entered_by_id)
{
	struct reentry r = { 0 };

	CHECK_INT(judge("inspect-running.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK(r.running);
	CHECK_STR(r.id, ID);
	CHECK_STR(r.data_volume, "containai-data");
	CHECK_STR(r.egress, "balanced");
	CHECK_INT(judge("inspect-egress-off.json", &want_off, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK_STR(r.egress, "off");
}

TEST(reentry_ours_stopped_is_started)
{
	struct reentry r = { 0 };

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
	struct reentry r = { 0 };

	sysbox.runtime = "sysbox-runc";
	CHECK_INT(judge("inspect-sysbox.json", &sysbox, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK_INT(judge("inspect-running.json", &sysbox, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "runtime 'runc', not sysbox-runc");
}

/* The same in gVisor mode: a sandbox under runc, or under a runtime
 * other than the one proven to be gVisor, is not entered; and not by
 * the commands that only enter it either. */
TEST(reentry_gvisor_mode_requires_its_runtime)
{
	struct reentry_want gvisor = want;
	struct reentry r = { 0 };

	gvisor.runtime = "runsc";
	/* Made with the workspace's path alone: its identity is not asked. */
	gvisor.workspace_id = "";
	CHECK_INT(judge("inspect-gvisor.json", &gvisor, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	/* ... but the path is, and a runc sandbox's full identity is not it. */
	gvisor.workspace = "/home/dev/src/other";
	CHECK_INT(judge("inspect-gvisor.json", &gvisor, &r), 0);
	CHECK_INT(r.kind, REENTRY_FOREIGN);
	gvisor.workspace = WS;
	CHECK_INT(judge("inspect-running.json", &gvisor, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_INT(judge("inspect-sysbox.json", &gvisor, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	gvisor.runtime = "gvisor-2";
	CHECK_INT(judge("inspect-gvisor.json", &gvisor, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	struct reentry_want enter = shape_only;
	enter.runtime = "runsc";
	CHECK_INT(judge("inspect-running.json", &enter, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "runtime 'runc', not runsc");
	CHECK_INT(judge("inspect-gvisor.json", &enter, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
}

/* A sandbox made for one host user is entered only as made for that one:
 * the same value run gives now, none where it gives none. */
TEST(reentry_host_user_exactly_as_run_gives_it)
{
	struct reentry_want mine = want;
	struct reentry r = { 0 };

	mine.host_user = "1234:1235";
	CHECK_INT(judge("inspect-host-user.json", &mine, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	/* Entering without asking (shell, exec): not compared. */
	CHECK_INT(judge("inspect-host-user.json", &shape_only, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	mine.host_user = "";
	CHECK_INT(judge("inspect-host-user.json", &mine, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "made for host user '1234:1235', not ''");
	mine.host_user = "1234:1235";
	CHECK_INT(judge("inspect-running.json", &mine, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "made for host user '', not '1234:1235'");
	mine.host_user = "1234:1000";
	CHECK_INT(judge("inspect-host-user.json", &mine, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	mine.host_user = "1234:1235";
	CHECK_INT(judge("inspect-host-user-twice.json", &mine, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "empty or set twice");
}

TEST(reentry_no_container_of_that_name)
{
	struct cai_err err;
	struct reentry r = { 0 };

	CHECK_INT(reentry_judge(NULL, &want, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_NONE);
	/* inspect answers for an id prefix too: another name is not ours. */
	CHECK_INT(judge("inspect-other-name.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_NONE);
}

TEST(reentry_foreign_without_our_labels_for_this_workspace)
{
	struct reentry_want elsewhere = want;
	struct reentry r = { 0 };

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
		{ "inspect-not-a-sandbox.json", "not started as a sandbox" },
		{ "inspect-other-entrypoint.json", "not started as a sandbox" },
		{ "inspect-no-limits.json", "no memory, CPU or process limit" },
		/* As someone else, or before containai-init. */
		{ "inspect-user-root.json", "runs as user '0', which run never sets" },
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
		/* The network its egress label says run gave it. */
		{ "inspect-egress-second-network.json", "not on its egress network " NAME "-egress alone" },
		{ "inspect-egress-resolver.json", "resolver is not the egress one" },
		{ "inspect-egress-bad-label.json", "egress label is not a policy" },
		{ "inspect-egress-off-label.json", "not the default one (egress off)" },
		{ "inspect-egress-no-label.json", "not the default one (egress off)" },
		{ "inspect-egress-off-other-network.json", "network is 'somenet'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* The shape is judged whoever asks. */
		for (const struct reentry_want *w = &want; w; w = w == &want ? &shape_only : NULL) {
			struct reentry r = { 0 };
			if (judge(cases[i].file, w, &r) < 0 || r.kind != REENTRY_REFUSED ||
			    !strstr(r.why, cases[i].why))
				unit_fail(__FILE__, __LINE__, "%s: verdict %d, \"%s\"", cases[i].file, r.kind,
					  r.why);
		}
	}
}

/* What run would create now is compared only for run: a sandbox made with
 * other limits or ports is still entered by shell and exec. */
TEST(reentry_run_compares_what_it_would_create)
{
	static const struct {
		const char *file, *why;
	} cases[] = {
		{ "inspect-other-image.json", "runs image other:1, not containai:latest" },
		{ "inspect-other-volume.json", "data volume is 'other-data', not containai-data" },
		{ "inspect-other-limits.json", "limits are not the ones asked for" },
		{ "inspect-all-interfaces.json", "published ports are not the ones asked for" },
		{ "inspect-egress-open-label.json", "egress policy is open, not balanced" },
		{ "inspect-egress-off.json", "egress policy is off, not balanced" },
		/* containai-init would refuse to start it on the directory now at
		 * the workspace's path. */
		{ "inspect-workspace-replaced.json",
		  "made for another directory at " WS " (CONTAINAI_WORKSPACE=8:1:7654321:" WS ", now "
		  "8:1:1234567:" WS ")" },
		{ "inspect-no-workspace-env.json", "without the identity of its workspace directory" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct reentry r = { 0 };
		const struct reentry_want *w = !strcmp(cases[i].file, "inspect-all-interfaces.json") ? &want_off : &want;
		if (judge(cases[i].file, w, &r) < 0 || r.kind != REENTRY_REFUSED ||
		    !strstr(r.why, cases[i].why))
			unit_fail(__FILE__, __LINE__, "%s: verdict %d, \"%s\"", cases[i].file, r.kind, r.why);
		if (judge(cases[i].file, &shape_only, &r) < 0 || r.kind != REENTRY_OURS)
			unit_fail(__FILE__, __LINE__, "%s (shape only): verdict %d, \"%s\"", cases[i].file,
				  r.kind, r.why);
	}
	/* No port asked for, one published: not what run creates. */
	struct reentry_want none = want_off;
	struct reentry r;
	none.publish = &no_ports;
	CHECK_INT(judge("inspect-egress-off.json", &none, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
}

/* ls judges each sandbox against the workspace its own label names. */
TEST(reentry_without_a_workspace_takes_the_label)
{
	struct reentry_want ls = { .name = NAME };
	struct reentry r;

	CHECK_INT(judge("inspect-running.json", &ls, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK_INT(judge("inspect-home-bind.json", &ls, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_INT(judge("inspect-foreign.json", &ls, &r), 0);
	CHECK_INT(r.kind, REENTRY_FOREIGN);
}

TEST(reentry_refuses_an_answer_without_a_valid_id)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect("inspect-bad-id.json", &err);
	struct reentry r = { 0 };

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

/* The egress network must be the one judged ours (the other network
 * shapes are among the hostile ones above). */
TEST(reentry_refuses_every_other_network_shape)
{
	/* On a network of that name other than the one judged ours; without
	 * a network id to compare (ls) the shape alone decides. */
	struct reentry r = { 0 };
	CHECK_INT(judge("inspect-egress-other-network-id.json", &want, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(r.why, "is not the one made for it");
	CHECK_INT(judge("inspect-egress-other-network-id.json", &shape_only, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
}

/* An engine that reports no MaskedPaths (before 19.03) has nothing to
 * compare with; one that reports a list must keep its defaults in it. */
TEST(reentry_masked_paths_only_where_the_engine_reports_them)
{
	struct cai_err err;
	json_auto_t *inspect = answer_inspect("inspect-running.json", &err);
	struct reentry r = { 0 };

	CHECK(inspect);
	json_t *hc = json_object_get(inspect, "HostConfig");
	CHECK_INT(json_object_set_new(hc, "MaskedPaths", json_null()), 0);
	CHECK_INT(json_object_del(hc, "ReadonlyPaths"), 0);
	CHECK_INT(reentry_judge(inspect, &want, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK_INT(json_object_set_new(hc, "MaskedPaths", json_pack("[s]", "/proc/kcore")), 0);
	CHECK_INT(reentry_judge(inspect, &want, &r, &err), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
}
