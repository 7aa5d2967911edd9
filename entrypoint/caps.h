/* SPDX-License-Identifier: MIT */
/* caps: capabilities, securebits and no_new_privs - what the command may
 * still do as far as privileges go, and what PID 1 keeps for itself.
 *
 * Owns: parsing `[security] capabilities`, reducing the bounding set,
 * clearing the ambient set, setting the effective, permitted and
 * inheritable sets, locking the securebits, no_new_privs - every one of
 * them read back from the kernel after it was written - and saving the
 * sets to set them again exactly (around the volume step's file system
 * ids).
 * Capabilities kept for the command are raised in the ambient set as well:
 * for a non-root uid they would not survive execve otherwise.  The ambient
 * set is cleared first and NO_CAP_AMBIENT_RAISE is locked after, so the
 * command can never add to it.
 * A kernel without an ambient set or securebits (gVisor answers EINVAL)
 * gets the state they would have produced verified instead: the
 * inheritable set read back empty (so nothing can be ambient), and every
 * set read back empty (so the bits have nothing left to lock).
 * Started as another uid than 0 without CAP_SETPCAP (`docker run --user`,
 * Kubernetes' runAsNonRoot, OpenShift's arbitrary uids, with the engine's
 * default capabilities or none), neither the bounding set nor the
 * securebits can change: what can be dropped is (effective, permitted,
 * inheritable, ambient), read back, and no_new_privs is set, so nothing the
 * bounding set still names can be gained by any execve.
 * Refuses: unknown capability names, a capability the init does not hold,
 * keeping any capability on a kernel without ambient set or securebits or
 * without CAP_SETPCAP, uid 0 without CAP_SETPCAP, and any kernel state
 * that differs from what was asked for.
 */
#ifndef CAI_CAPS_H
#define CAI_CAPS_H

#include <stdint.h>

#include "err.h"

/* Bit N stands for capability N. */
typedef uint64_t caps_mask;

/* prctl(set, value), then prctl(get) must return exactly `value`: the one
 * way a process attribute is written here (KEEP_CAPS, securebits,
 * no_new_privs, and hygiene's dumpable flag).  `what` starts the message. */
int caps_prctl_set(int set, int get, unsigned long value, const char *what, struct cai_err *err);

/* Capability names (cap_net_bind_service, any case) separated by commas
 * or blanks; "" is the empty set. */
int caps_parse(const char *list, caps_mask *out, struct cai_err *err);

/* Before setresuid away from root: keep the permitted set across the
 * switch (KEEP_CAPS), so caps_restrict can still shape the sets after. */
int caps_keep_across_setuid(struct cai_err *err);

/* After the identity switch: bounding = permitted = effective = inheritable
 * = ambient = keep; securebits NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE
 * set and KEEP_CAPS cleared, all with their lock bits.  Another uid than
 * 0 without CAP_SETPCAP: every set but the bounding set empty,
 * no_new_privs set. */
int caps_restrict(caps_mask keep, struct cai_err *err);

/* The process's capability sets as they are now, to be set again exactly
 * by caps_set_saved: a file system uid other than 0 takes the file system
 * capabilities out of the effective set (volume's owner_ids). */
struct caps_saved;
struct caps_saved *caps_save(struct cai_err *err);
int caps_set_saved(const struct caps_saved *s, const char *what, struct cai_err *err);
void caps_saved_free(struct caps_saved **s);

/* Set no_new_privs and read it back. */
int caps_set_no_new_privs(struct cai_err *err);

/* PID 1 once the command runs: keep CAP_KILL only (to signal the agent's
 * uid) in the bounding, permitted and effective sets, and no_new_privs.
 * Another uid than 0 without CAP_SETPCAP: CAP_KILL when held, nothing
 * else but the bounding set, no_new_privs. */
int caps_restrict_supervisor(struct cai_err *err);

#endif
