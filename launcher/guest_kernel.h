/* SPDX-License-Identifier: MIT */
/* guest_kernel: which kernel a container runs on, judged from what a probe
 * container printed - the evidence behind gVisor mode, where a runtime's
 * name or path proves nothing (a runtime named runsc may be runc).
 *
 * Owns: the probe's command and the rule.  The probe prints
 * /proc/version, then the kernel log (GUEST_KERNEL_PROBE_CMD).  The rule:
 *   - the release in /proc/version equals the engine host's (docker info
 *     KernelVersion): the container shares the host's kernel - HOST;
 *   - it differs, and the kernel log's first message is gVisor's own
 *     "Starting gVisor..." (gVisor lets any user read its log; the host's
 *     is not readable from a container): GVISOR;
 *   - it differs without that: another kernel (a VM runtime) - OTHER.
 * Refuses: to guess.  An empty engine release, or output whose first line
 * is not "Linux version RELEASE ...", is UNKNOWN.  A gVisor whose release
 * string equals the host's is HOST: refused rather than believed.
 */
#ifndef CAI_GUEST_KERNEL_H
#define CAI_GUEST_KERNEL_H

#include <stddef.h>

/* Run with `sh -c` in the probe container, as any user. */
#define GUEST_KERNEL_PROBE_CMD "cat /proc/version; dmesg 2>/dev/null | head -n 1"

enum guest_kernel {
	GUEST_KERNEL_UNKNOWN = -1,
	GUEST_KERNEL_HOST = 0,
	GUEST_KERNEL_GVISOR,
	GUEST_KERNEL_OTHER,
};

/* The verdict for the probe's output; *why (size whysz) says what it rests on. */
enum guest_kernel guest_kernel_classify(const char *engine_release, const char *probe_output,
					char *why, size_t whysz);

const char *guest_kernel_name(enum guest_kernel k);

#endif
