/* SPDX-License-Identifier: MIT */
/* volume: preparing the agent's data volume from its manifest, before the
 * command starts.
 *
 * Owns: one walk of the whole volume (treewalk.h: getdents64 and one
 * look per entry on descriptors held for the walk, never a path resolved
 * from the root again) that checks what the manifest names and exists,
 * creates what it names and is missing (directories with mkdirat, files
 * with O_CREAT|O_EXCL or - empty - mknodat, all with their final mode and,
 * as root, the owner's file system ids: the owner's from their creation),
 * writes `init` into missing or empty files, and gives every entry its mode
 * and the volume owner - and, for everything else in the volume, the
 * ownership fix (`chown -R --no-dereference` made safe): directories and
 * regular files with one link get the owner through their descriptor;
 * symlinks, FIFOs, sockets, device nodes and files with more than one
 * hard link are left alone (never followed, never changed).  Owner and
 * mode change through real (never O_PATH) descriptors, never through
 * /proc, only when they differ.  The file system ids and capability sets
 * are back to root's before the step returns, whatever it returns.  Then
 * the manifest's links in the home (links.h).
 * Run by another uid than root, nothing can be given away: every entry
 * must already be that uid's, the config's owner notwithstanding.
 * Refuses (the caller exits 125): a symlink or mount anywhere on a
 * manifest path, a mount anywhere in the volume, a file entry that is not
 * a regular file or has other hard links, a directory where a file is
 * expected or the reverse, and - not run as root - an entry owned by
 * another uid.  User data is never truncated, rewritten or replaced; each
 * entry is prepared completely before the next, so what was prepared
 * before a refusal is valid.
 */
#ifndef CAI_VOLUME_H
#define CAI_VOLUME_H

#include <sys/types.h>

#include "beneath.h"
#include "config.h"
#include "err.h"
#include "manifest.h"

/* Whom the volume's entries belong to. */
struct volume_owner {
	uid_t uid;
	gid_t gid;
};

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
 * manifest, prepare it for `owner` and make its links in [volume] home.
 * Errors start with "volume: " or "links: ". */
int volume_setup(const struct cai_config *cfg, const struct volume_owner *owner, struct beneath *b,
		 struct cai_err *err);

/* `--check`: parse the configured manifest and report its first error. */
int volume_check(const struct cai_config *cfg, struct cai_err *err);

#endif
