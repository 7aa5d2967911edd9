/* SPDX-License-Identifier: MIT */
/* doctor: the report of `containai doctor`.
 *
 * Owns: turning a detection result into [OK] / [WARN] / [ERROR] / [INFO]
 * lines, each problem with its remedy, or into one JSON object with the
 * contract's fields (platform, docker.cli, docker.daemon, eci.status,
 * sysbox.available, sysbox.uid_remap, sbx.available, isolation.mode,
 * isolation.available, recommended_action) plus the reasons behind them,
 * and which PATH entries no program is taken from (pathtrust) and why.
 * Refuses: nothing; it only reports.  The exit status (0 exactly when a
 * mode is usable) is the caller's to apply from the result.
 */
#ifndef CAI_DOCTOR_H
#define CAI_DOCTOR_H

#include <stdio.h>

#include "err.h"
#include "session.h"

/* The one next step for the user. */
const char *doctor_recommended_action(const struct detect_result *r);

int doctor_print_text(const struct session *s, FILE *out, struct cai_err *err);
int doctor_print_json(const struct session *s, FILE *out, struct cai_err *err);

#endif
