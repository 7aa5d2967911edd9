/* SPDX-License-Identifier: MIT */
/* no_openat2: a seccomp filter under which openat2(2) fails with a chosen
 * errno - ENOSYS as on a kernel before 5.6, EPERM as under a runtime's
 * seccomp profile that predates the call - and every other call is left
 * to whatever filters come before or after it.  So containai-init's own
 * probe meets a missing openat2 and falls back to its component walk;
 * nothing in the init has to be told.
 *
 * Shared by tests/helpers/seccomp_no_openat2.c (which then execs the
 * init) and the unit tests of entrypoint/beneath.c (which install it in
 * the test's own process).
 *
 * no_new_privs: the kernel lets a process load a filter either with
 * CAP_SYS_ADMIN or with no_new_privs set.  It is set only when the first
 * attempt is refused for want of the capability, because it is inherited
 * by everything after: a command run under it can no longer gain
 * privileges through setuid or file capabilities, whatever `[security]
 * no_new_privs` says.  As root on the host (the process suites) it is
 * never needed; in a container without CAP_SYS_ADMIN (the e2e suites) it
 * is, and suites that run there assert nothing that depends on it.
 */
#ifndef CAI_TEST_NO_OPENAT2_H
#define CAI_TEST_NO_OPENAT2_H

#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>

/* Install the filter on the calling thread.  Returns 0 (*set_nnp tells
 * whether no_new_privs had to be set) or -1 with errno. */
static inline int no_openat2_install(int errnum, int *set_nnp)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = -ENOMEM;

	*set_nnp = 0;
	if (!ctx)
		goto out;
	/* Not libseccomp's default of setting no_new_privs itself; the
	 * kernel's own return codes, so EACCES can be told apart. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(errnum), SCMP_SYS(openat2), 0)) < 0)
		goto out;
	rc = seccomp_load(ctx);
	if (rc == -EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
			rc = -errno;
			goto out;
		}
		*set_nnp = 1;
		rc = seccomp_load(ctx);
	}
out:
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

#endif
