/* SPDX-License-Identifier: MIT */
/* The gVisor evidence rule, on probe output captured from real engines:
 * runsc 20221219 (Debian 12) and runc, on a host running 6.18.44. */
#include "guest_kernel.h"
#include "unit.h"

#define HOST "6.18.44-fc-v1045"
#define RUNSC_OUT "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n" \
		  "[    0.000000] Starting gVisor...\n"
#define RUNC_OUT "Linux version 6.18.44-fc-v1045 (builder@sandboxing) (gcc (GCC) 15.3.0, " \
		 "GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n"

TEST(guest_kernel_gvisor)
{
	char why[256];

	CHECK_INT(guest_kernel_classify(HOST, RUNSC_OUT, why, sizeof(why)), GUEST_KERNEL_GVISOR);
	CHECK_CONTAINS(why, "gVisor's kernel (release 4.4.0");
	CHECK_STR(guest_kernel_name(GUEST_KERNEL_GVISOR), "gvisor");
}

TEST(guest_kernel_host_whatever_the_log_says)
{
	char why[256];

	/* runc under the name runsc: the host's kernel, log unreadable. */
	CHECK_INT(guest_kernel_classify(HOST, RUNC_OUT, why, sizeof(why)), GUEST_KERNEL_HOST);
	CHECK_CONTAINS(why, "host's kernel (" HOST ")");
	/* Text a host kernel's log could be made to hold proves nothing
	 * while the release is the host's. */
	CHECK_INT(guest_kernel_classify(HOST, RUNC_OUT "[    0.000000] Starting gVisor...\n", why, sizeof(why)),
		  GUEST_KERNEL_HOST);
	/* A gVisor reporting the host's release cannot be told apart: refused. */
	CHECK_INT(guest_kernel_classify("4.4.0", RUNSC_OUT, why, sizeof(why)), GUEST_KERNEL_HOST);
}

TEST(guest_kernel_other_kernel)
{
	char why[256];

	CHECK_INT(guest_kernel_classify(HOST, "Linux version 6.1.0-kata #1 SMP\n", why, sizeof(why)),
		  GUEST_KERNEL_OTHER);
	/* The message must be the log's first, exactly. */
	CHECK_INT(guest_kernel_classify(HOST, "Linux version 4.4.0 #1\n[    0.000000] Starting gVisor... not\n",
					why, sizeof(why)), GUEST_KERNEL_OTHER);
	CHECK_INT(guest_kernel_classify(HOST, "Linux version 4.4.0 #1\nStarting gVisor...\n", why, sizeof(why)),
		  GUEST_KERNEL_OTHER);
	CHECK_INT(guest_kernel_classify(HOST, "Linux version 4.4.0 #1\n[0.1] x\n[0.2] Starting gVisor...\n",
					why, sizeof(why)), GUEST_KERNEL_OTHER);
	CHECK_INT(guest_kernel_classify(HOST, "Linux version 4.4.0 #1\n[ a ] Starting gVisor...\n", why, sizeof(why)),
		  GUEST_KERNEL_OTHER);
}

TEST(guest_kernel_unknown)
{
	char why[256];

	CHECK_INT(guest_kernel_classify("", RUNSC_OUT, why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(NULL, RUNSC_OUT, why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(HOST, "", why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(HOST, NULL, why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(HOST, "[    0.000000] Starting gVisor...\n", why, sizeof(why)),
		  GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(HOST, "Linux version \n", why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_INT(guest_kernel_classify(HOST, "Linux version", why, sizeof(why)), GUEST_KERNEL_UNKNOWN);
	CHECK_CONTAINS(why, "no /proc/version line");
}
