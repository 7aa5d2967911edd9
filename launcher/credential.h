/* SPDX-License-Identifier: MIT */
/* credential: API keys the egress proxy adds, so they never enter the sandbox.
 *
 * Owns: the config sections `[credential NAME]` (upstream, header,
 * value_env or value_file, endpoint_env, endpoint_path, placeholder_env),
 * the presets for Anthropic, OpenAI and Gemini (used when their usual
 * variable is set in the launcher's environment and no section of that
 * name exists), reading each value from the launcher's environment -
 * which then loses the variable, so no docker CLI it starts holds it - or
 * from a file only the user can read, and what the sandbox sees instead:
 * the endpoint's URL on the proxy and a placeholder key.
 * Refuses: an unknown key, a section without upstream, header or
 * endpoint_env, both or neither value source, a value file that is a
 * symlink, not regular, not the user's or readable by anyone else, an
 * empty value or one with a byte outside [A-Za-z0-9._~+/=:-] (it is
 * written into the proxy's configuration), more than CREDENTIAL_MAX
 * credentials, and two sharing a variable.
 */
#ifndef CAI_CREDENTIAL_H
#define CAI_CREDENTIAL_H

#include <stddef.h>

#include "argv.h"
#include "err.h"

#define CREDENTIAL_MAX 8
#define CREDENTIAL_VALUE_MAX 8192
/* The first endpoint's port on the proxy; the others follow. */
#define CREDENTIAL_FIRST_PORT 8081
#define CREDENTIAL_PLACEHOLDER "containai-placeholder-the-proxy-adds-the-key"

struct credential_conf {
	char name[33];
	char upstream[254];          /* host name, TLS */
	unsigned port;               /* its port, 443 unless "host:port" */
	char header[65];             /* e.g. x-api-key, Authorization */
	char prefix[33];             /* e.g. Bearer ("Authorization: Bearer"), or "" */
	char value_env[65];
	char value_file[1024];
	char endpoint_env[65];       /* e.g. ANTHROPIC_BASE_URL */
	char endpoint_path[129];     /* appended to the endpoint's URL, e.g. /v1 */
	char placeholder_env[65];    /* set to CREDENTIAL_PLACEHOLDER, or "" */
	unsigned line;               /* of its section header, for messages */
};

struct credential {
	struct credential_conf c;
	unsigned listen_port;        /* the endpoint's port on the proxy */
	char *value;                 /* the secret; wiped by credential_release */
};

int credential_name_check(const char *name, struct cai_err *err);
/* One key of a [credential NAME] section. */
int credential_set(struct credential_conf *c, const char *key, const char *value,
		   struct cai_err *err);
/* Whether a section has all it needs. */
int credential_complete(const struct credential_conf *c, struct cai_err *err);

/* The configured credentials, then the presets whose variable is set,
 * each with its value read; *nout of them in out (CREDENTIAL_MAX). */
int credential_resolve(const struct credential_conf *conf, size_t nconf, struct credential *out,
		       size_t *nout, struct cai_err *err);

/* Which credentials credential_resolve would use, with their upstreams
 * (never their values): "NAME (HOST)" each, for doctor. */
void credential_names(const struct credential_conf *conf, size_t nconf, struct argv *out);

/* The value in a file only the user can read, one trailing newline
 * dropped. */
int credential_read_file(const char *path, char **value, struct cai_err *err);
int credential_value_check(const char *value, struct cai_err *err);

/* What the sandbox gets for c with the proxy at addr: endpoint_env=URL
 * and, with placeholder_env, the placeholder. */
void credential_sandbox_env(const struct credential *c, const char *addr, struct argv *env);

void credential_release(struct credential *c, size_t n);

#endif
