/* SPDX-License-Identifier: MIT */
/* reentry: whether an existing container may be entered, stopped or replaced.
 *
 * Owns: the verdict on the container that holds a sandbox's name, as a
 * pure function of what `docker container inspect` says about it and of
 * what `run` would create now:
 *   none:    no container has exactly this name (inspect also answers
 *            for an id prefix);
 *   foreign: it does not carry our labels for this workspace - never
 *            entered, stopped or removed;
 *   refused: ours by its labels, but not shaped as `run` creates it, or
 *            running another image, data volume or required runtime -
 *            --restart replaces it;
 *   ours:    entered as it is: running -> exec, stopped -> start.
 * Our labels prove nothing (anyone who can create containers can set
 * them), so the shape is checked too: not privileged, no added
 * capabilities or devices, no host PID, network, IPC or user namespace,
 * no security option but no-new-privileges, no mount besides the data
 * volume and this workspace bound at SANDBOX_WORKSPACE_DIR, and the
 * network `run` gives: with egress, its internal network alone, the dead
 * resolver and exactly the proxy variables (for the proxy address it
 * names, which is reported); without, the default network.
 * Refuses: an answer without a valid 64-hex container id.
 */
#ifndef CAI_REENTRY_H
#define CAI_REENTRY_H

#include <jansson.h>

#include "argv.h"
#include "egress.h"
#include "err.h"

#define SANDBOX_DATA_DIR "/mnt/agent-data"
#define SANDBOX_WORKSPACE_DIR "/home/agent/workspace"
#define SANDBOX_LABEL_MANAGED "containai.managed"
#define SANDBOX_LABEL_WORKSPACE "containai.workspace"
#define SANDBOX_LABEL_MODE "containai.mode"

enum reentry_kind { REENTRY_NONE = 0, REENTRY_FOREIGN, REENTRY_REFUSED, REENTRY_OURS };

/* What `run` would create now. */
struct reentry_want {
	const char *name, *workspace, *image, *data_volume;
	const char *runtime;            /* the runtime it must run under, NULL for any */
	const char *egress_network;     /* its only network; NULL: egress off */
	const struct egress_policy *egress;
};

struct reentry {
	enum reentry_kind kind;
	int running;
	char id[65];                    /* later commands name it by id, never by name */
	char why[320];                  /* refused: what is wrong with it */
	struct argv cmd;                /* Config.Cmd, for exec without a command */
	char egress_addr[16];           /* the proxy address its variables name */
};

/* inspect: the container's JSON object, NULL when none answered to the
 * name.  -1 with err set only when the answer is unusable. */
int reentry_judge(const json_t *inspect, const struct reentry_want *w, struct reentry *r,
		  struct cai_err *err);

void reentry_release(struct reentry *r);

#define _cleanup_reentry_ __attribute__((cleanup(reentry_release)))

#endif
