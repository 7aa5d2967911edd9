/* SPDX-License-Identifier: MIT */
/* volume: preparing the agent's data volume from its manifest, as root,
 * before the command starts.
 *
 * Owns: creating what the manifest names (directories with mkdirat,
 * files with O_CREAT|O_EXCL), checking what already exists, writing `init`
 * into missing or empty files, and giving every entry its mode and the
 * volume owner - all through descriptors from lib/beneath, changed with
 * fchown/fchmod on real (never O_PATH) descriptors, never through /proc.
 * Then an ownership fix over the whole volume (`chown -R --no-dereference`
 * made safe): directories and regular files are opened O_NOFOLLOW,
 * checked on the descriptor and chowned through it when their owner
 * differs; symlinks, FIFOs, sockets, device nodes and files with more than
 * one hard link are left alone (never followed, never changed); a mount
 * inside the volume is refused.
 * Refuses (the caller exits 125): a symlink or mount anywhere on a
 * manifest path, a file entry that is not a regular file or has other hard
 * links, a directory where a file is expected or the reverse.  User data is
 * never truncated, rewritten or replaced; what was prepared before a
 * refusal is complete and valid.
 */
#ifndef CAI_VOLUME_H
#define CAI_VOLUME_H

#include <sys/types.h>

#include "beneath.h"
#include "config.h"
#include "err.h"
#include "manifest.h"

/* Prepare the volume open in *b as the manifest says, owned by uid:gid. */
int volume_prepare(const struct beneath *b, const struct manifest *m, uid_t uid, gid_t gid,
		   struct cai_err *err);

/* Every parent directory of `rel` that is missing, made as the manifest's
 * unnamed parents are (mode 0755 when created, the volume's owner); one
 * that is something else than a directory is refused. */
int volume_make_parents(const struct beneath *b, const char *rel, uid_t uid, gid_t gid,
			struct cai_err *err);

/* Open cfg's volume root into *b, insisting on a mount point when the
 * config asks; nothing is prepared (--join: the start did). */
int volume_open(const struct cai_config *cfg, struct beneath *b, struct cai_err *err);

/* The start-up step: open cfg's volume root into *b (kept open for the
 * steps after), insist on a mount point when the config asks, load the
 * manifest and prepare.  Errors start with "volume: ". */
int volume_setup(const struct cai_config *cfg, struct beneath *b, struct cai_err *err);

/* `--check`: parse the configured manifest and report its first error. */
int volume_check(const struct cai_config *cfg, struct cai_err *err);

#endif
