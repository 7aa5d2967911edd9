/* SPDX-License-Identifier: MIT */
/* The launcher's parsers of untrusted text: what a docker CLI (or a fake
 * of one) prints, the config file, and the words --dry-run quotes.  The
 * first byte picks the parser; the rest is its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "detect.h"
#include "guest_kernel.h"
#include "settings.h"
#include "wsname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 7) {
	case 0:
		detect_uid_map_remapped(s);
		break;
	case 1: {
		int cmp;
		char *dot = strchr(s, '|');
		if (dot) {
			*dot = '\0';
			detect_version_cmp(s, dot + 1, &cmp);
		}
		break;
	}
	case 2: {
		char v[32];
		detect_desktop_version(s, v, sizeof(v));
		detect_help_has_flag(s, "--template");
		break;
	}
	case 3: {
		struct settings c;
		struct cai_err err;
		settings_defaults(&c);
		settings_load_buf(&c, s, strlen(s), "fuzz.ini", "/w", &err);
		break;
	}
	case 4: {
		char q[4 * 4096 + 8];
		if (strlen(s) < 4096)
			shell_quote(s, q, sizeof(q));
		break;
	}
	case 5: {
		char out[WSNAME_MAX + 1];
		char *nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			wsname_derive("/w", s, nl + 1, out);
		} else {
			wsname_derive(s, NULL, NULL, out);
		}
		break;
	}
	case 6: {
		/* The engine's release, a '|', the probe's output. */
		char why[256];
		char *bar = strchr(s, '|');
		if (bar) {
			*bar = '\0';
			guest_kernel_classify(s, bar + 1, why, sizeof(why));
		}
		break;
	}
	}
	free(s);
	return 0;
}
