/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "guest_kernel.h"

#include <stdio.h>
#include <string.h>

#define GVISOR_FIRST_MESSAGE "Starting gVisor..."

/* The release in a "Linux version RELEASE ..." line, copied to out. */
static int release_of(const char *line, size_t len, char *out, size_t outsz)
{
	static const char prefix[] = "Linux version ";
	size_t p = sizeof(prefix) - 1;

	if (len <= p || strncmp(line, prefix, p))
		return -1;
	size_t n = strcspn(line + p, " \n");
	if (n == 0 || n >= outsz || p + n > len)
		return -1;
	memcpy(out, line + p, n);
	out[n] = '\0';
	return 0;
}

/* A kernel log line "[ SECONDS] MESSAGE" whose MESSAGE is exactly msg. */
static int log_line_is(const char *line, size_t len, const char *msg)
{
	const char *close = memchr(line, ']', len);

	if (len == 0 || line[0] != '[' || !close || close + 1 >= line + len || close[1] != ' ')
		return 0;
	for (const char *c = line + 1; c < close; c++)
		if (*c != ' ' && *c != '.' && (*c < '0' || *c > '9'))
			return 0;
	const char *m = close + 2;
	return (size_t)(line + len - m) == strlen(msg) && !memcmp(m, msg, strlen(msg));
}

enum guest_kernel guest_kernel_classify(const char *engine_release, const char *probe_output,
					char *why, size_t whysz)
{
	char release[128];
	const char *out = probe_output ? probe_output : "";
	const char *nl = strchr(out, '\n');
	size_t first = nl ? (size_t)(nl - out) : strlen(out);

	if (!engine_release || !engine_release[0]) {
		snprintf(why, whysz, "the engine did not say which kernel it runs on");
		return GUEST_KERNEL_UNKNOWN;
	}
	if (release_of(out, first, release, sizeof(release)) < 0) {
		snprintf(why, whysz, "the probe printed no /proc/version line");
		return GUEST_KERNEL_UNKNOWN;
	}
	if (!strcmp(release, engine_release)) {
		snprintf(why, whysz, "the container runs the host's kernel (%s)", release);
		return GUEST_KERNEL_HOST;
	}
	const char *log = nl ? nl + 1 : "";
	size_t loglen = strcspn(log, "\n");
	if (log_line_is(log, loglen, GVISOR_FIRST_MESSAGE)) {
		snprintf(why, whysz, "gVisor's kernel (release %s, its log starts \"%s\"), not the host's (%s)",
			 release, GVISOR_FIRST_MESSAGE, engine_release);
		return GUEST_KERNEL_GVISOR;
	}
	snprintf(why, whysz, "a kernel other than the host's (%s, host %s) that is not gVisor", release,
		 engine_release);
	return GUEST_KERNEL_OTHER;
}

const char *guest_kernel_name(enum guest_kernel k)
{
	switch (k) {
	case GUEST_KERNEL_HOST:
		return "host";
	case GUEST_KERNEL_GVISOR:
		return "gvisor";
	case GUEST_KERNEL_OTHER:
		return "other";
	default:
		return "unknown";
	}
}
