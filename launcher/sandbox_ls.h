/* SPDX-License-Identifier: MIT */
/* sandbox_ls: `containai ls`.
 *
 * Owns: listing this engine's sandboxes - every container labelled
 * containai.managed=true but the egress proxies, inspected in one call,
 * each with the verdict reentry gives it against the workspace its own
 * label names: "ok", or "refused" and why (shaped otherwise: never
 * entered from here), and its egress policy - as a table (NAME,
 * WORKSPACE, MODE, EGRESS, STATE, IMAGE, CREATED, SHAPE) or, with
 * --json, one array of objects with those fields in lower case and
 * "why"; in sbx and ECI modes, their tool's own list.
 * Refuses: answers docker_json refuses; what the engine says reaches the
 * terminal made printable.
 */
#ifndef CAI_SANDBOX_LS_H
#define CAI_SANDBOX_LS_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "err.h"
#include "session.h"

int sandbox_ls(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err);

/* The rows for an inspect answer (an array of containers): a new array of
 * objects, NULL when out of memory.  runtime: what the mode requires
 * (plan_runtime: Sysbox's, the proven gVisor one), NULL for any. */
json_t *sandbox_ls_rows(const json_t *inspect, const char *runtime);

/* The rows as the table `ls` prints. */
void sandbox_ls_print(const json_t *rows, FILE *out);

#endif
