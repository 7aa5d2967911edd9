/* SPDX-License-Identifier: MIT */
/* Recorded docker answers for the unit tests (run from the project's top):
 * a finished call as the launcher's readers see one, without running it. */
#ifndef CAI_UNIT_ANSWER_H
#define CAI_UNIT_ANSWER_H

#include <jansson.h>
#include <stddef.h>

#include "proc_run.h"

/* A call of argv that exited 0 after printing out[0..len) on stdout. */
void answer_job(struct proc_job *j, char *const *argv, char *out, size_t len);

/* tests/fixtures/launcher/NAME as `docker container inspect`'s answer,
 * read through docker_json; NULL with err set when it refuses it. */
json_t *answer_inspect(const char *name, struct cai_err *err);

#endif
