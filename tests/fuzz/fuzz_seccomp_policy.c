/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the seccomp policy parser, and for what it accepts,
 * the libseccomp build.  An accepted policy may still be refused there
 * (a program beyond BPF_MAXINSNS), but never without saying why. */
#include <stdint.h>
#include <stdlib.h>

#include "seccomp_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cai_err err = { 0 };
	struct seccomp_policy *p = seccomp_policy_parse_buf((const char *)data, size, "fuzz", &err);

	if (!p)
		return 0;
	struct seccomp_bpf bpf = { 0 };
	if (seccomp_policy_compile(p, &bpf, &err) < 0 && !err.msg[0])
		abort();
	seccomp_bpf_free(&bpf);
	seccomp_policy_free(p);
	return 0;
}
