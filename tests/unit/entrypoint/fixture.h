/* SPDX-License-Identifier: MIT */
/* Fixture files for the unit tests (run from the project's top). */
#ifndef CAI_UNIT_FIXTURE_H
#define CAI_UNIT_FIXTURE_H

#include "mountinfo.h"

/* Parse tests/fixtures/mountinfo/NAME into t, quietly; -1 when it cannot. */
int fixture_mountinfo(const char *name, struct mount_table *t);

#endif
