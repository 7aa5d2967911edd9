/* SPDX-License-Identifier: MIT */
/* The launcher's parsers of untrusted text: what a docker CLI (or a fake
 * of one) prints, the config file, and the words --dry-run quotes.  The
 * first byte picks the parser; the rest is its input. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "detect.h"
#include "docker.h"
#include "egress.h"
#include "guest_kernel.h"
#include "reentry.h"
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

	switch (data[0] % 9) {
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
		/* docker container inspect's answer, read and judged. */
		static char *const argv[] = { "docker", "container", "inspect", NULL };
		static const struct reentry_want w = {
			.name = "n", .workspace = "/w", .image = "i", .data_volume = "v", .runtime = "r",
		};
		struct proc_job j = { .argv = argv, .started = 1, .exited = 1, .out = s,
				      .out_len = size - 1 };
		struct reentry r = { 0 };
		struct cai_err err;
		json_t *inspect = docker_json(&j, JSON_OBJECT, &err);
		if (inspect)
			reentry_judge(inspect, &w, &r, &err);
		reentry_release(&r);
		json_decref(inspect);
		break;
	}
	case 7: {
		/* The engine's release, a '|', the probe's output. */
		char why[256];
		char *bar = strchr(s, '|');
		if (bar) {
			*bar = '\0';
			guest_kernel_classify(s, bar + 1, why, sizeof(why));
		}
		break;
	}
	case 8: {
		/* An egress list, then its rules written as squid.conf: every
		 * accepted rule must be one squid reads as a single word. */
		struct egress_policy p = { 0 };
		struct cai_err err;
		if (egress_list_parse(s, size - 1, "fuzz.list", &p.allow, &err) == 0) {
			char *conf = egress_squid_conf(&p, &err);
			for (size_t i = 0; i < p.allow.n; i++)
				if (strpbrk(p.allow.v[i], " \t\n\"\\%$"))
					abort();
			egress_conf_free(conf);
		}
		egress_policy_release(&p);
		break;
	}
	}
	free(s);
	return 0;
}
