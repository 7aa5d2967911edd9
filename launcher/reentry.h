/* SPDX-License-Identifier: MIT */
/* reentry: whether an existing container may be entered, stopped or replaced.
 *
 * Owns: the verdict on the container that holds a sandbox's name, as a
 * pure function of what `docker container inspect` says about it and of
 * what is expected of it:
 *   none:    no container has exactly this name (inspect also answers
 *            for an id prefix);
 *   foreign: it does not carry our labels for this workspace - never
 *            entered, stopped or removed;
 *   refused: ours by its labels, but not shaped as `run` creates it, or
 *            (when asked) running another image, data volume, runtime,
 *            limits or published ports than `run` would give it now, or
 *            made for another directory at the workspace's path (its
 *            SANDBOX_WORKSPACE_ENV differs: containai-init would refuse
 *            to start it), or made for another host user
 *            (SANDBOX_HOST_USER_ENV: exactly the value run gives now, or
 *            none when it gives none) - never entered; --restart replaces
 *            it, rm removes it;
 *   ours:    entered as it is: running -> joined, stopped -> started.
 * Our labels prove nothing (anyone who can create containers can set
 * them), so the shape is checked too: started as a sandbox
 * (SANDBOX_INIT --sandbox, whose processes enter with --join) as the
 * image's own user; not privileged; no added capabilities, devices,
 * device requests or device cgroup rules; no binds, volumes of other
 * containers, links, sysctls or tmpfs mounts; /proc and /sys masked and
 * read-only as the engine's default has them; no docker init in front of
 * containai-init; no PID, network, IPC, user or UTS namespace of the
 * host, no PID, network or IPC namespace of another container, a private
 * cgroup namespace; no security option but no-new-privileges; memory,
 * CPU and process limits; no mount besides the data volume and this
 * workspace bound at SANDBOX_WORKSPACE_DIR; in Sysbox mode its runtime;
 * and the network its egress label (SANDBOX_LABEL_EGRESS, "off" when
 * absent) says `run` gave it: for a policy, the sandbox's internal
 * network alone (egress_proxy's name, and the id judged ours when one is
 * given) with the resolver that cannot answer; for off, the default
 * network.
 * Refuses: an answer without a valid 64-hex container id.
 */
#ifndef CAI_REENTRY_H
#define CAI_REENTRY_H

#include <jansson.h>

#include "err.h"
#include "resources.h"
#include "publish.h"

#define SANDBOX_INIT "/usr/sbin/containai-init"
#define SANDBOX_MODE_ARG "--sandbox"
#define SANDBOX_DATA_DIR "/mnt/agent-data"
#define SANDBOX_WORKSPACE_DIR "/home/agent/workspace"
#define SANDBOX_LABEL_MANAGED "containai.managed"
#define SANDBOX_LABEL_WORKSPACE "containai.workspace"
#define SANDBOX_LABEL_MODE "containai.mode"
#define SANDBOX_LABEL_EGRESS "containai.egress"
/* What containai-init moves the agent's account to (its account.h): set
 * by run alone, in the modes where the engine maps no ids. */
#define SANDBOX_HOST_USER_ENV "CONTAINAI_HOST_USER"
/* What run tells containai-init about the workspace it checked:
 * "MAJOR:MINOR:INODE:/host/path" (containai-init(8)). */
#define SANDBOX_WORKSPACE_ENV "CONTAINAI_WORKSPACE"

enum reentry_kind { REENTRY_NONE = 0, REENTRY_FOREIGN, REENTRY_REFUSED, REENTRY_OURS };

/* What is expected of the container.  The fields that may be NULL are
 * compared only when set: `run` sets them all (it would create exactly
 * that), the commands that only enter or remove a sandbox leave them. */
struct reentry_want {
	const char *name;
	const char *workspace;          /* NULL: the one its label names (ls) */
	const char *runtime;            /* the runtime it must run under, NULL for any */
	const char *image, *data_volume;
	const struct resources *resources; /* resolved */
	const struct publish *publish;
	const char *egress;             /* the policy's name (egress_mode_name) */
	const char *egress_network_id;  /* its egress network's id, as judged ours */
	const char *workspace_id;       /* "MAJOR:MINOR:INODE" of the workspace checked now; "":
					 * the path alone (gVisor mode) */
	/* SANDBOX_HOST_USER_ENV's value run gives ("": none); NULL: not compared. */
	const char *host_user;
};

struct reentry {
	enum reentry_kind kind;
	int running;
	char id[65];                    /* later commands name it by id, never by name */
	char why[320];                  /* refused: what is wrong with it */
	char data_volume[256];          /* the volume at SANDBOX_DATA_DIR, "" when none */
	char egress[16];                /* its egress label's policy ("off" without one) */
};

/* inspect: the container's JSON object, NULL when none answered to the
 * name.  -1 with err set only when the answer is unusable. */
int reentry_judge(const json_t *inspect, const struct reentry_want *w, struct reentry *r,
		  struct cai_err *err);

#endif
