/* SPDX-License-Identifier: MIT */
/* doctor: the report of `containai doctor`.
 *
 * Owns: turning a detection result into [OK] / [WARN] / [ERROR] / [INFO]
 * lines, each problem with its remedy, or into one JSON object with the
 * contract's fields (platform, docker.cli, docker.daemon, eci.status,
 * sysbox.available, sysbox.uid_remap, sbx.available, isolation.mode,
 * isolation.available, recommended_action) plus the reasons behind them,
 * the egress setup `run` would use: its policy, the proxy image and
 * network, the user's additions, the host's registries `balanced` adds
 * (and what it skipped), the credentials the proxy would add (by name),
 * and which PATH entries no program is taken from (pathtrust) and why.
 * Refuses: nothing; it only reports.  The exit status (0 exactly when a
 * mode is usable) is the caller's to apply from the result.
 */
#ifndef CAI_DOCTOR_H
#define CAI_DOCTOR_H

#include <stdio.h>

#include "argv.h"
#include "err.h"
#include "registries.h"
#include "session.h"

/* What doctor finds out about egress beyond the settings. */
struct doctor_egress {
	enum tri image;                 /* the proxy image is on the engine */
	struct registries reg;          /* balanced: the host's registries */
	struct argv credentials;        /* "NAME (HOST)" of each credential in effect */
};

/* The proxy image looked up and the host's registries asked for, in one
 * round (docker modes only; elsewhere the sandbox tool has its proxy). */
int doctor_egress_probe(const struct session *s, struct doctor_egress *e, struct cai_err *err);
void doctor_egress_release(struct doctor_egress *e);

/* The one next step for the user. */
const char *doctor_recommended_action(const struct detect_result *r);

int doctor_print_text(const struct session *s, const struct doctor_egress *e, FILE *out,
		      struct cai_err *err);
int doctor_print_json(const struct session *s, const struct doctor_egress *e, FILE *out,
		      struct cai_err *err);

#endif
