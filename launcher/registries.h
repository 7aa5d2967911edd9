/* SPDX-License-Identifier: MIT */
/* registries: the package registries this host's own tools are set up to use.
 *
 * Owns: finding, at run time, the hosts `balanced` adds to its list so
 * that the package managers of the sandbox reach what the host's reach -
 * no registry is named in this source:
 *   apt:   the http(s) URIs of /etc/apt/sources.list and of
 *          /etc/apt/sources.list.d/ *.list (one-line) and *.sources (deb822,
 *          stanzas with "Enabled: no" left out);
 *   npm:   `npm config get registry` when npm is on PATH (run in "/", so no
 *          workspace's .npmrc has a say, with a deadline); without npm,
 *          NPM_CONFIG_REGISTRY / npm_config_registry, then ~/.npmrc;
 *   pip:   PIP_INDEX_URL, PIP_EXTRA_INDEX_URL and the index-url and
 *          extra-index-url keys of pip's config files (PIP_CONFIG_FILE,
 *          /etc/pip.conf, /etc/xdg/pip/pip.conf, ~/.pip/pip.conf,
 *          $XDG_CONFIG_HOME/pip/pip.conf, $VIRTUAL_ENV/pip.conf);
 *   go:    `go env GOPROXY GOSUMDB` when go is on PATH (in "/"), else the
 *          variables: every proxy URL and the checksum database's host;
 *   cargo: the quoted URLs of `index` and `registry` keys in
 *          $CARGO_HOME (default ~/.cargo)/config.toml and config, and
 *          CARGO_REGISTRIES_*_INDEX.
 * Each host comes with where it was found, for doctor and --dry-run.
 * A tool's default that nothing configures (pip's, cargo's, apt's on a
 * host without sources) is not known here: the user adds its hosts with
 * egress_allow (docs/egress.md).
 * Refuses: (skips, with a note saying where) a file that lies in the
 * workspace - the sandbox writes it, and a virtualenv's pip.conf is often
 * there -, a URI that is not http or
 * https, a port other than 80 and 443 (the egress proxy refuses others),
 * an address instead of a name, a name egress_domain_check refuses.  A
 * file that cannot be read and a tool that fails or misses its deadline
 * are notes too: fewer registries only means fewer allowed hosts.
 */
#ifndef CAI_REGISTRIES_H
#define CAI_REGISTRIES_H

#include <stddef.h>

#include "argv.h"
#include "batch.h"
#include "egress.h"

#define REGISTRIES_MAX 64
/* The tools are asked with this deadline at most. */
#define REGISTRIES_TOOL_MS 5000

struct registry {
	char host[EGRESS_DOMAIN_MAX + 1];
	char from[160];                 /* "apt /etc/apt/sources.list:3", "npm", ... */
};

struct registries {
	struct registry r[REGISTRIES_MAX];
	size_t n;
	struct argv notes;              /* what was skipped, and why */
	const char *workspace;          /* its files are not read ("" or NULL: none) */
};

/* The tool calls as jobs of b (their slots into tools), to run when the
 * caller chooses - run has them start before its first docker call. */
struct registries_tools {
	struct proc_job *npm, *go;
};
int registries_tools_add(struct batch *b, unsigned timeout_ms, struct registries_tools *t,
			 struct cai_err *err);

/* After the tools' jobs ran: everything, files and environment included. */
/* Everything found, the tools' answers included; a file that lies in
 * workspace (resolved, "" for none) is not read: the sandbox writes it. */
void registries_collect(const struct registries_tools *t, const char *workspace,
			struct registries *out);

void registries_release(struct registries *r);
#define _cleanup_registries_ __attribute__((cleanup(registries_release)))

/* The pieces, on text (tests and fuzzing).  `from` names the source in
 * what is added and noted ("FILE", or "FILE:LINE" is made of it). */
void registries_add_url(struct registries *r, const char *url, size_t len, const char *from);
void registries_apt_list(struct registries *r, const char *buf, size_t len, const char *from);
void registries_apt_sources(struct registries *r, const char *buf, size_t len, const char *from);
void registries_npmrc(struct registries *r, const char *buf, size_t len, const char *from);
void registries_pip_conf(struct registries *r, const char *buf, size_t len, const char *from);
/* GOPROXY's list (',' or '|' between entries; direct and off skipped). */
void registries_goproxy(struct registries *r, const char *value, const char *from);
/* GOSUMDB: "off", "NAME", "NAME+KEY" or "NAME+KEY URL". */
void registries_gosumdb(struct registries *r, const char *value, const char *from);
void registries_cargo_config(struct registries *r, const char *buf, size_t len, const char *from);

#endif
