/* SPDX-License-Identifier: MIT */
/* setup_gvisor: `containai setup gvisor`, which makes gVisor one of the
 * engine's runtimes.
 *
 * Owns: the steps, in order - root (not needed for --dry-run); PATH
 * filtered by pathtrust, as for every command, before a program runs;
 * runsc: the one --runsc names, else the one on PATH, else installed with `apt-get
 * install -y runsc` (`apt-get update` first only when apt knows no such
 * package), and it must answer `runsc --version` as runsc; the engine's
 * daemon.json (--daemon-json, default /etc/docker/daemon.json) read and
 * merged by daemon_json with {"runsc": {"path": RUNSC, "runtimeArgs":
 * [--runtime-arg...]}}; the result checked by `dockerd --validate` when
 * this dockerd has it (given through a memory file: nothing is written
 * before it passes); with --dry-run the change printed and nothing
 * installed or written; else the backup and the new file (daemon_json),
 * and how to make the engine read it.
 * Refuses: to restart or signal an engine (that stays the operator's:
 * the message says how), a non-root caller, a --runsc that is not an
 * absolute path to an executable regular file named runsc, a runsc,
 * apt-get or dockerd that pathtrust would not run (the workspace, a
 * directory others can write), a runsc that does not answer as one, no runsc and no apt-get, and whatever daemon_json
 * refuses - each with one line and nothing changed.
 * Exit statuses: 0 done (or already registered, or dry run); 1 refused
 * (not root, runsc missing and not installable, a program pathtrust refuses, a daemon.json that is a
 * symlink or has other links, a different "runsc" entry, a result dockerd
 * rejects); 2 usage, or a daemon.json that is not a JSON object; 3 a step
 * that failed (apt-get, writing).
 */
#ifndef CAI_SETUP_GVISOR_H
#define CAI_SETUP_GVISOR_H

#include "cli.h"
#include "err.h"

#define SETUP_GVISOR_RUNTIME "runsc"
#define SETUP_APT_TIMEOUT_MS (15 * 60 * 1000)

/* -1 with err set and *exit_code one of cli.h's EXIT_* on failure. */
int setup_gvisor(const struct cli *o, int *exit_code, struct cai_err *err);

#endif
