/* SPDX-License-Identifier: MIT */
/* account: the agent's account moved to the host user's ids, so that what
 * the agent makes in a bind-mounted workspace belongs to that user on the
 * host, and what that user owns there the agent may edit.
 *
 * Owns: reading ACCOUNT_HOST_ENV=UID:GID from containai-init's own
 * environment - what the image or `docker run --env` gave PID 1, which
 * nothing inside the container can change for a later start (the volume's
 * .env only ever reaches the command) - deciding the ids, and moving the
 * `[user] name` account to them before anything else is prepared, in an
 * order that a start interrupted anywhere redoes whole: first the files of
 * its home that have the old ids (as `usermod -u` does, through
 * descriptors: nothing followed, symlinks, special files and hard-linked
 * files left alone, no other mount entered), then its primary group's
 * line in /etc/group, last its own line in /etc/passwd.  Each file is
 * written whole - every other byte kept - under a temporary name in /etc
 * (reached without symlinks; O_CREAT | O_EXCL | O_NOFOLLOW; synced; the
 * old file's owner and mode) and renamed over the old one in one step,
 * /etc synced after the renames.
 * Decides: a host uid 0 keeps the account's ids (the agent is never root,
 * and root's files are not the agent's to edit); a host gid 0, one
 * another group of /etc/group has, or another account's primary gid in
 * /etc/passwd, keeps the account's group, with a warning - unless no
 * group has the account's gid and the group at the host's gid bears the
 * account's name: that is the account's own group, moved by a start
 * stopped between the two renames, and the move goes on.
 * Refuses: a malformed value; an overflow id as uid or gid (65534, the
 * kernel's "nobody", 65535 and (uid_t)-2: no one's own, and shared with
 * whatever shows as them); a uid another account of /etc/passwd has
 * (the agent would own that account's files); an account /etc/passwd does
 * not hold exactly once, or whose primary gid more than one group has;
 * and, not run as root, any move (started as the host user's uid there is
 * nothing to move; started as another, only root could).
 */
#ifndef CAI_ACCOUNT_H
#define CAI_ACCOUNT_H

#include <sys/types.h>

#include "config.h"
#include "err.h"

#define ACCOUNT_HOST_ENV "CONTAINAI_HOST_USER"

/* "UID:GID", each lib's decimal rule up to 4294967294, none of them an
 * overflow id. */
int account_parse_host(const char *value, uid_t *uid, gid_t *gid, struct cai_err *err);

/* The step before the volume: *uid and *gid get whom the data volume
 * belongs to - [volume] owner, or with [user] follow_host the account's
 * ids, after moving it to those ACCOUNT_HOST_ENV holds (when it is set
 * and not empty).  Errors start with "account: ". */
int account_setup(const struct cai_config *cfg, uid_t *uid, gid_t *gid, struct cai_err *err);

#endif
