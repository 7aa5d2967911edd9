/* SPDX-License-Identifier: MIT */
/* The launcher's parsers of untrusted text: what a docker CLI (or a fake
 * of one) prints, the config file, the words --dry-run quotes, the
 * engine's daemon.json and the probe cache.  The first byte picks the
 * parser; the rest is its input. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "daemon_json.h"
#include "detect.h"
#include "docker.h"
#include "egress.h"
#include "guest_kernel.h"
#include "import.h"
#include "probe_cache.h"
#include "publish.h"
#include "reentry.h"
#include "registries.h"
#include "resources.h"
#include "sandbox_ls.h"
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

	switch (data[0] % 16) {
	case 0: {
		uid_t accounts[] = { 65536, 100000, 4294967294u };
		struct detect_host_ids ids = { .uid = accounts, .n = 3, .cap = 3 };
		char why[160];
		detect_uid_map_remapped(s, &ids, why, sizeof(why));
		break;
	}
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
		static const struct resources res = { 1 << 30, 1000000000, 100 };
		static const struct publish ports = { .b = { { "127.0.0.1", 80, 80 } }, .n = 1 };
		static const struct reentry_want w = {
			.name = "n", .workspace = "/w", .image = "i", .data_volume = "v", .runtime = "r",
			.resources = &res, .publish = &ports, .workspace_id = "8:1:2",
		};
		struct proc_job j = { .argv = argv, .started = 1, .exited = 1, .out = s,
				      .out_len = size - 1 };
		struct reentry r = { 0 };
		struct cai_err err;
		json_t *inspect = docker_json(&j, JSON_OBJECT, &err);
		if (inspect) {
			reentry_judge(inspect, &w, &r, &err);
			json_t *arr = json_pack("[O]", inspect);
			json_decref(sandbox_ls_rows(arr, NULL));
			json_decref(arr);
		}
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
		/* --publish specs and the config key's list. */
		struct publish p = { 0 };
		struct cai_err err;
		publish_parse_list(&p, s, &err);
		break;
	}
	case 9: {
		/* --memory, --cpus, --pids-limit. */
		unsigned long long v;
		long long n;
		struct cai_err err;
		resources_parse_memory(s, &v, &err);
		resources_parse_cpus(s, &v, &err);
		resources_parse_pids(s, &n, &err);
		break;
	}
	case 10: {
		/* The import allow-list. */
		static struct import_policy p;
		struct cai_err err;
		import_policy_parse(s, strlen(s), "import.ini", &p, &err);
		break;
	}
	case 11: {
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
	case 12: {
		/* The host's registry configurations: whatever they say, a host
		 * added is one egress_domain_check accepts. */
		static struct registries r;
		registries_apt_list(&r, s, size - 1, "fuzz");
		registries_apt_sources(&r, s, size - 1, "fuzz");
		registries_npmrc(&r, s, size - 1, "fuzz");
		registries_pip_conf(&r, s, size - 1, "fuzz");
		registries_cargo_config(&r, s, size - 1, "fuzz");
		registries_goproxy(&r, s, "fuzz");
		registries_gosumdb(&r, s, "fuzz");
		for (size_t i = 0; i < r.n; i++) {
			char folded[EGRESS_DOMAIN_MAX + 1];
			struct cai_err err;
			if (egress_domain_check(r.r[i].host, folded, sizeof(folded), &err) < 0 ||
			    strcmp(folded, r.r[i].host))
				abort();
		}
		registries_release(&r);
		break;
	}
	case 13: {
		/* daemon.json: merged, or refused with its reason. */
		static const char *const args[] = { "--network=host" };
		static const struct daemon_runtime rt = {
			.name = "runsc", .path = "/usr/bin/runsc", .args = args, .nargs = 1,
		};
		struct cai_err err;
		char *out = NULL;
		if (daemon_json_merge("daemon.json", s, size - 1, &rt, &out, &err) == 1 && !out)
			abort();
		free(out);
		break;
	}
	case 14: {
		/* A probe cache file, against a key it may or may not hold. */
		static const char key[] = "engine -H x\nid A\nkernel 6\nruntime runsc\nentry {}\nbinary -\n";
		long long at;
		char why[128];
		probe_cache_parse(s, size - 1, key, 2000000000, 600, &at, why, sizeof(why));
		break;
	}
	case 15: {
		/* docker info's Runtimes, searched for a runsc. */
		char name[DETECT_RUNTIME_NAME_MAX], path[256], entry[512], why[DETECT_REASON_MAX];
		json_error_t jerr;
		json_t *rt = json_loadb(s, size - 1, JSON_REJECT_DUPLICATES, &jerr);
		if (json_is_object(rt) &&
		    detect_gvisor_runtime(rt, name, sizeof(name), path, sizeof(path), entry,
					  sizeof(entry), why, sizeof(why)) == 1 && !name[0])
			abort();
		json_decref(rt);
		break;
	}
	}
	free(s);
	return 0;
}
