/* SPDX-License-Identifier: MIT */
/* prepared: the mark that a sandbox's preparation completed in this start.
 *
 * Owns: the mark's place, PREPARED_DIR/PREPARED_NAME - a directory only
 * root may enter (uid 0, mode 0700), made by the preparation child as its
 * last step; the mark itself, published by PID 1 once that child exited 0
 * and withdrawn when the sandbox is asked to stop and before it prepares
 * (one left by a start that was killed never counts); its text "BOOT
 * TICKS CONFIG\n": the kernel's boot (its boot_id, or "btime-N" where it
 * has none), PID 1's start time (clock ticks after that boot, field 22 of
 * /proc/1/stat) and the config file PID 1 read ("" for the built-in
 * defaults); and judging it for --join, waiting for it when asked to.
 * Refuses (--join): a directory or mark reached through a symlink, not
 * owned by uid 0 or open to anyone else, a mark made for another config
 * file.  A missing mark, or one left by an earlier start (the container's
 * /run survives a restart; the boot and PID 1's start time together do
 * not, even under gVisor, whose kernel boots with each start), means this
 * start's preparation has not completed - or failed: nothing enters a
 * half-prepared sandbox.
 */
#ifndef CAI_PREPARED_H
#define CAI_PREPARED_H

#include "err.h"

#define PREPARED_PARENT "/run"
#define PREPARED_DIR PREPARED_PARENT "/containai"
#define PREPARED_NAME "prepared"

/* The preparation child, as root: PREPARED_DIR exists, owned by uid 0,
 * mode 0700, reached without a symlink. */
int prepared_make_dir(struct cai_err *err);

/* PID 1, once the preparation child exited 0: write the mark for `config`
 * (cfg.source) under a temporary name and rename it into place. */
int prepared_publish(const char *config, struct cai_err *err);

/* PID 1, starting or asked to stop: joins from now on are refused. */
void prepared_withdraw(void);

/* --join: 0 once the mark says this start's preparation completed with
 * `config`; waits up to wait_s seconds for it.  -1 with err set when it
 * did not come, or at once when the mark is refused. */
int prepared_check(const char *config, unsigned wait_s, struct cai_err *err);

/* The start time in a /proc/PID/stat text: 0, or -1 when malformed.  The
 * command name may hold spaces and ')': fields are counted after the last
 * ')'. */
int prepared_parse_starttime(const char *stat, unsigned long long *out);

/* The boot time ("btime N" line) in a /proc/stat text: 0, or -1 when it
 * has none or it is malformed. */
int prepared_parse_btime(const char *stat, unsigned long long *out);

/* A mark's text (`len` bytes, NUL-terminated in place): 1 when it is the
 * mark of `start` ("BOOT TICKS"), *config then its config; 0 when it is
 * another start's; -1 when malformed. */
int prepared_match(char *mark, size_t len, const char *start, const char **config);

#endif
