/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"

#define CAPS_BIT(c) ((caps_mask)1 << (c))

/* What the command's securebits must read after caps_restrict. */
#define CAPS_SECUREBITS (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |                     \
			 SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |   \
			 SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED | \
			 SECBIT_KEEP_CAPS_LOCKED)

int caps_parse(const char *list, caps_mask *out, struct cai_err *err)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		char name[64];
		size_t n = strcspn(p, ", \t");
		cap_value_t c;

		if (n == 0) {
			p++;
			continue;
		}
		if (n >= sizeof(name))
			return err_set(err, 0, "capability name '%.*s...' too long", 20, p);
		for (size_t i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)p[i]);
		name[n] = '\0';
		/* cap_from_name also takes numbers and "all": only names here. */
		if (strncmp(name, "cap_", 4) || cap_from_name(name, &c) < 0 || c < 0 || c >= 64)
			return err_set(err, 0, "unknown capability '%s'", name);
		*out |= CAPS_BIT(c);
		p += n;
	}
	return 0;
}

int caps_prctl_set(int set, int get, unsigned long value, const char *what, struct cai_err *err)
{
	if (prctl(set, value, 0, 0, 0) < 0)
		return err_set(err, errno, "%s: setting it", what);
	int now = prctl(get, 0, 0, 0, 0);
	if (now < 0 || (unsigned long)now != value)
		return err_set(err, now < 0 ? errno : 0, "%s: reads back as %#x, not %#lx", what,
			       (unsigned)now, value);
	return 0;
}

int caps_keep_across_setuid(struct cai_err *err)
{
	return caps_prctl_set(PR_SET_KEEPCAPS, PR_GET_KEEPCAPS, 1, "capabilities: KEEP_CAPS", err);
}

static const char *caps_name(cap_value_t c, char *buf, size_t size)
{
	char *n = cap_to_name(c);
	snprintf(buf, size, "%s", n ? n : "?");
	cap_free(n);
	return buf;
}

/* Set the three process sets exactly; libcap does the capset(2). */
static int caps_set_proc(caps_mask eff, caps_mask prm, caps_mask inh, cap_value_t last,
			 struct cai_err *err)
{
	cap_t caps = cap_init();
	int rc = 0;

	if (!caps)
		return err_set(err, errno, "capabilities: cap_init");
	for (cap_value_t c = 0; c <= last && rc == 0; c++) {
		rc |= cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, eff & CAPS_BIT(c) ? CAP_SET : CAP_CLEAR);
		rc |= cap_set_flag(caps, CAP_PERMITTED, 1, &c, prm & CAPS_BIT(c) ? CAP_SET : CAP_CLEAR);
		rc |= cap_set_flag(caps, CAP_INHERITABLE, 1, &c, inh & CAPS_BIT(c) ? CAP_SET : CAP_CLEAR);
	}
	if (rc == 0 && cap_set_proc(caps) < 0)
		rc = -1;
	int e = errno;
	cap_free(caps);
	if (rc < 0)
		return err_set(err, e, "capabilities: capset");
	return 0;
}

/* Read the three sets back and compare them with what was asked for. */
static int caps_verify_proc(caps_mask eff, caps_mask prm, caps_mask inh, cap_value_t last,
			    struct cai_err *err)
{
	static const struct { cap_flag_t flag; const char *name; } sets[] = {
		{ CAP_EFFECTIVE, "effective" }, { CAP_PERMITTED, "permitted" },
		{ CAP_INHERITABLE, "inheritable" },
	};
	caps_mask want[3] = { eff, prm, inh };
	cap_t caps = cap_get_proc();

	if (!caps)
		return err_set(err, errno, "capabilities: reading them back");
	for (size_t s = 0; s < 3; s++) {
		for (cap_value_t c = 0; c <= last; c++) {
			cap_flag_value_t v = CAP_CLEAR;
			char name[64];
			if (cap_get_flag(caps, c, sets[s].flag, &v) < 0 ||
			    (v == CAP_SET) != !!(want[s] & CAPS_BIT(c))) {
				cap_free(caps);
				return err_set(err, 0, "capabilities: %s is %s in the %s set after capset",
					       caps_name(c, name, sizeof(name)),
					       v == CAP_SET ? "still set" : "missing", sets[s].name);
			}
		}
	}
	cap_free(caps);
	return 0;
}

/* One of the process's sets as a mask; CAPS_READ_FAILED with err set
 * when it cannot be read. */
#define CAPS_READ_FAILED (~(caps_mask)0)
static caps_mask caps_now(cap_flag_t set, cap_value_t last, struct cai_err *err)
{
	cap_t caps = cap_get_proc();
	caps_mask m = 0;

	if (!caps) {
		err_set(err, errno, "capabilities: cap_get_proc");
		return CAPS_READ_FAILED;
	}
	for (cap_value_t c = 0; c <= last; c++) {
		cap_flag_value_t v;
		if (cap_get_flag(caps, c, set, &v) == 0 && v == CAP_SET)
			m |= CAPS_BIT(c);
	}
	cap_free(caps);
	return m;
}

/* Drop every bounding-set entry outside `keep`, then read each one back. */
static int caps_reduce_bounding(caps_mask keep, cap_value_t last, struct cai_err *err)
{
	char name[64];

	for (cap_value_t c = 0; c <= last; c++) {
		if (!(keep & CAPS_BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return err_set(err, errno, "capabilities: dropping %s from the bounding set",
				       caps_name(c, name, sizeof(name)));
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in != !!(keep & CAPS_BIT(c)))
			return err_set(err, in < 0 ? errno : 0, "capabilities: %s is %s the bounding set",
				       caps_name(c, name, sizeof(name)), in == 1 ? "still in" : "not in");
	}
	return 0;
}

/* A kernel without ambient capabilities (gVisor answers EINVAL to every
 * PR_CAP_AMBIENT operation) cannot clear the set, so the set it would have
 * produced is verified instead: every entry reads back clear, or - when
 * even PR_CAP_AMBIENT_IS_SET is unknown - Linux's invariant that a
 * capability is ambient only while it is both permitted and inheritable
 * makes the set empty once the inheritable set, read back, is.  Keeping a
 * capability for the command needs a working ambient set: refused. */
static int caps_verify_no_ambient(caps_mask keep, cap_value_t last, struct cai_err *err)
{
	char name[64];

	if (keep)
		return err_set(err, EINVAL, "capabilities: keeping capabilities for the command needs the ambient set, which this kernel does not implement");
	for (cap_value_t c = 0; c <= last; c++) {
		int in = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (in == 0)
			continue;
		if (in < 0 && errno == EINVAL)
			break;
		return err_set(err, in < 0 ? errno : 0, "capabilities: %s is in the ambient set, which cannot be cleared",
			       caps_name(c, name, sizeof(name)));
	}
	caps_mask inh = caps_now(CAP_INHERITABLE, last, err);
	if (inh == CAPS_READ_FAILED)
		return -1;
	if (inh)
		return err_set(err, 0, "capabilities: the ambient set cannot be cleared and the inheritable set is not empty");
	log_debug("capabilities: this kernel has no ambient set; the empty inheritable set leaves it nothing to hold");
	return 0;
}

/* Clear the ambient set, raise `keep` in it, read every entry back. */
static int caps_set_ambient(caps_mask keep, cap_value_t last, struct cai_err *err)
{
	char name[64];

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno == EINVAL)
			return caps_verify_no_ambient(keep, last, err);
		return err_set(err, errno, "capabilities: clearing the ambient set");
	}
	for (cap_value_t c = 0; c <= last; c++) {
		if ((keep & CAPS_BIT(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return err_set(err, errno, "capabilities: raising %s in the ambient set",
				       caps_name(c, name, sizeof(name)));
		int in = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (in != !!(keep & CAPS_BIT(c)))
			return err_set(err, in < 0 ? errno : 0, "capabilities: %s is %s the ambient set",
				       caps_name(c, name, sizeof(name)), in == 1 ? "still in" : "not in");
	}
	return 0;
}

/* Lock the securebits and read them back.  A kernel without securebits
 * (gVisor answers EINVAL to PR_GET_SECUREBITS as to PR_SET_SECUREBITS)
 * cannot lock them; what they guarantee - no capability regained through
 * uid 0, a set-uid fix-up, KEEP_CAPS or the ambient set - then holds only
 * when nothing is kept: with the bounding, permitted and inheritable sets
 * empty (caps_restrict reads every one of them back) no execve and no uid
 * change can bring a capability back.  KEEP_CAPS, which the bits would
 * clear, is cleared and read back here. */
static int caps_lock_securebits(caps_mask keep, struct cai_err *err)
{
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) >= 0 || errno != EINVAL)
		return caps_prctl_set(PR_SET_SECUREBITS, PR_GET_SECUREBITS, CAPS_SECUREBITS,
				      "capabilities: securebits", err);
	if (keep)
		return err_set(err, EINVAL, "capabilities: keeping capabilities for the command needs securebits, which this kernel does not implement");
	if (caps_prctl_set(PR_SET_KEEPCAPS, PR_GET_KEEPCAPS, 0, "capabilities: KEEP_CAPS", err) < 0)
		return -1;
	log_debug("capabilities: this kernel has no securebits; the empty capability sets leave nothing for them to lock");
	return 0;
}

/* Started as a uid other than 0, without CAP_SETPCAP: the bounding set
 * and the securebits cannot change, so what they would have guaranteed is
 * made to hold otherwise and verified - the one way this module copes
 * with an operation it cannot do (root without it is refused: uid 0 is
 * what NOROOT and the bounding set are there to defuse).  Lowering the
 * effective, permitted and inheritable sets and clearing the ambient set
 * need no privilege: each is done and read back (the ambient set verified
 * where the kernel has none).  no_new_privs is set and read back: with
 * every set empty, it is what keeps a file capability or a set-id program
 * from filling the permitted set again from the bounding set, and what the
 * locked securebits would have kept for uid 0.  Of `keep` only what the
 * process holds stays (PID 1's CAP_KILL); keeping any for the command is
 * refused (`strict`). */
static int caps_shed_without_setpcap(caps_mask keep, int strict, cap_value_t last, caps_mask have,
				     struct cai_err *err)
{
	char name[64];

	if (strict && keep) {
		for (cap_value_t c = 0; c <= last; c++)
			if (keep & CAPS_BIT(c))
				return err_set(err, 0, "capabilities: keeping %s for the command needs CAP_SETPCAP, which containai-init does not hold",
					       caps_name(c, name, sizeof(name)));
	}
	keep &= have;
	if (caps_set_proc(keep, keep, 0, last, err) < 0 || caps_verify_proc(keep, keep, 0, last, err) < 0 ||
	    caps_set_ambient(0, last, err) < 0 || caps_set_no_new_privs(err) < 0)
		return -1;
	log_debug("capabilities: no CAP_SETPCAP: the bounding set stays as started; no_new_privs and the empty sets leave it nothing to grant");
	return 0;
}

int caps_restrict(caps_mask keep, struct cai_err *err)
{
	cap_value_t last = cap_max_bits() - 1;
	char name[64];

	if (last >= 63)
		return err_set(err, 0, "capabilities: the kernel knows %d, more than we can track", last + 1);
	caps_mask have = caps_now(CAP_PERMITTED, last, err);
	if (have == CAPS_READ_FAILED)
		return -1;
	if (!(have & CAPS_BIT(CAP_SETPCAP)) && geteuid() != 0)
		return caps_shed_without_setpcap(keep, 1, last, have, err);
	for (cap_value_t c = 0; c <= last; c++)
		if ((keep & CAPS_BIT(c)) && !(have & CAPS_BIT(c)))
			return err_set(err, 0, "capabilities: %s is to be kept, but containai-init does not hold it",
				       caps_name(c, name, sizeof(name)));
	caps_mask work = keep | CAPS_BIT(CAP_SETPCAP);

	/* CAP_SETPCAP effective for the bounding set and securebits; the
	 * inheritable set must hold `keep` before it can go ambient. */
	if (caps_set_proc(work, work, keep, last, err) < 0)
		return -1;
	if (caps_reduce_bounding(keep, last, err) < 0 || caps_set_ambient(keep, last, err) < 0 ||
	    caps_lock_securebits(keep, err) < 0)
		return -1;
	if (caps_set_proc(keep, keep, keep, last, err) < 0)
		return -1;
	return caps_verify_proc(keep, keep, keep, last, err);
}

int caps_set_no_new_privs(struct cai_err *err)
{
	return caps_prctl_set(PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, 1, "no_new_privs", err);
}

int caps_restrict_supervisor(struct cai_err *err)
{
	cap_value_t last = cap_max_bits() - 1;
	caps_mask keep = CAPS_BIT(CAP_KILL);

	if (last >= 63)
		return err_set(err, 0, "capabilities: the kernel knows %d, more than we can track", last + 1);
	caps_mask have = caps_now(CAP_PERMITTED, last, err);
	if (have == CAPS_READ_FAILED)
		return err_prefix(err, "PID 1");
	if (!(have & CAPS_BIT(CAP_SETPCAP)) && geteuid() != 0)
		return caps_shed_without_setpcap(keep, 0, last, have, err) < 0 ? err_prefix(err, "PID 1") : 0;
	/* The inheritable set is emptied before the ambient set is cleared,
	 * so that a kernel without one is judged on what capset left. */
	if (caps_reduce_bounding(keep, last, err) < 0 ||
	    caps_set_proc(keep, keep, 0, last, err) < 0 || caps_verify_proc(keep, keep, 0, last, err) < 0 ||
	    caps_set_ambient(0, last, err) < 0)
		return err_prefix(err, "PID 1");
	if (caps_set_no_new_privs(err) < 0)
		return err_prefix(err, "PID 1");
	return 0;
}

struct caps_saved {
	cap_t sets;
};

struct caps_saved *caps_save(struct cai_err *err)
{
	struct caps_saved *s = calloc(1, sizeof(*s));

	if (!s || !(s->sets = cap_get_proc())) {
		err_set(err, errno ? errno : ENOMEM, "reading the capability sets");
		free(s);
		return NULL;
	}
	return s;
}

int caps_set_saved(const struct caps_saved *s, const char *what, struct cai_err *err)
{
	return cap_set_proc(s->sets) < 0 ? err_set(err, errno, "%s", what) : 0;
}

void caps_saved_free(struct caps_saved **s)
{
	if (!*s)
		return;
	cap_free((*s)->sets);
	free(*s);
	*s = NULL;
}
