/* SPDX-License-Identifier: MIT */
/* The verdict on an existing container, from recorded `docker container
 * inspect` answers (tests/fixtures/launcher/inspect-*.json).
 * inspect-running.json and inspect-stopped.json were recorded from a
 * container `containai run --force --detach -- sleep 600` created on a
 * docker 20.10 engine (workspace /home/dev/src/project); every other
 * inspect-*.json is inspect-running.json with the one change its name
 * says - so each refusal below is caused by that change alone. */
#include <stdio.h>

#include "answer.h"
#include "macro.h"
#include "credential.h"
#include "reentry.h"
#include "unit.h"

#define WS "/home/dev/src/project"
#define NAME "containai-project-87388a2e"
#define ID "1fa8b4bead47926b1acfad08048316e44d1c753924a0f4a3f44526388a22a923"

static const struct reentry_want want = {
	.name = NAME, .workspace = WS, .image = "containai:latest", .data_volume = "containai-data",
};

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

/* inspect-egress.json was recorded from a sandbox `run` created with an
 * egress proxy (network NAME-egress, proxy at 172.24.0.2, one credential
 * endpoint TEST_BASE_URL on port 8081); the other inspect-egress-*.json
 * change one thing each. */
static const struct credential egress_cred = {
	.c = { .name = "test", .endpoint_env = "TEST_BASE_URL", .placeholder_env = "TEST_API_KEY" },
	.listen_port = 8081,
};
static const struct egress_policy egress_policy = { .cred = &egress_cred, .ncred = 1 };

TEST(reentry_egress_sandbox_is_ours_and_names_its_proxy)
{
	_cleanup_reentry_ struct reentry r = { 0 };
	struct reentry_want w = want;

	w.egress = &egress_policy;
	w.egress_network = NAME "-egress";
	CHECK_INT(judge("inspect-egress.json", &w, &r), 0);
	CHECK_INT(r.kind, REENTRY_OURS);
	CHECK_STR(r.egress_addr, "172.24.0.2");
}

TEST(reentry_refuses_every_other_network_shape)
{
	struct reentry_want w = want;
	static const struct { const char *file, *why; } cases[] = {
		{ "inspect-egress-second-network.json", "not on its egress network" },
		{ "inspect-egress-resolver.json", "resolver" },
		{ "inspect-egress-no-https-proxy.json", "https_proxy" },
		{ "inspect-egress-stale-endpoint.json", "OLD_BASE_URL" },
		{ "inspect-running.json", "not on its egress network" },
	};

	w.egress = &egress_policy;
	w.egress_network = NAME "-egress";
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_reentry_ struct reentry r = { 0 };
		CHECK_INT(judge(cases[i].file, &w, &r), 0);
		if (r.kind != REENTRY_REFUSED || !strstr(r.why, cases[i].why)) {
			unit_fail(__FILE__, __LINE__, "%s: kind %d, why '%s'", cases[i].file, r.kind, r.why);
			return;
		}
	}
	/* A credential the sandbox was not made with. */
	struct credential two[2] = { egress_cred, egress_cred };
	snprintf(two[1].c.endpoint_env, sizeof(two[1].c.endpoint_env), "OTHER_BASE_URL");
	two[1].c.placeholder_env[0] = '\0';
	two[1].listen_port = 8082;
	struct egress_policy p2 = { .cred = two, .ncred = 2 };
	w.egress = &p2;
	_cleanup_reentry_ struct reentry r = { 0 };
	CHECK_INT(judge("inspect-egress.json", &w, &r), 0);
	CHECK_INT(r.kind, REENTRY_REFUSED);
	/* And with egress off, a sandbox on an egress network is not entered. */
	_cleanup_reentry_ struct reentry off = { 0 };
	CHECK_INT(judge("inspect-egress.json", &want, &off), 0);
	CHECK_INT(off.kind, REENTRY_REFUSED);
	CHECK_CONTAINS(off.why, "egress off");
}
