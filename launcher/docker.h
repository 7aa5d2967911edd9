/* SPDX-License-Identifier: MIT */
/* docker: the launcher's one way to call the docker CLI.
 *
 * Owns: resolving the engine once at start (flag, then DOCKER_HOST, then
 * DOCKER_CONTEXT, then the config file, then the CLI's current context)
 * and pinning every later call to it with an explicit `--context NAME` or
 * `-H HOST`, so switching the current context while the launcher runs
 * cannot redirect half of its calls to another engine.
 * Also owns reading what docker prints as JSON: one reader for every
 * answer the launcher parses; and the two look-ups every command makes,
 * `docker ps` and `docker container inspect`.
 * Refuses: shells (argv only, through proc_run) and calls without a
 * deadline.  After resolution DOCKER_HOST and DOCKER_CONTEXT are removed
 * from the launcher's environment: the explicit flag is the only source.
 * An answer is refused, never half-read, when the call failed, its output
 * was cut at the bound, it is not exactly one JSON value, a key repeats
 * (which of two values would count is the parser's guess), or the value is
 * not of the type asked for.
 */
#ifndef CAI_DOCKER_H
#define CAI_DOCKER_H

#include <jansson.h>

#include "argv.h"
#include "err.h"
#include "proc_run.h"

#define DOCKER_TARGET_MAX 512

struct docker {
	const char *cli;                 /* "docker" (looked up on PATH) */
	char flag[12];                   /* "--context" or "-H" */
	char target[DOCKER_TARGET_MAX];  /* context name or host URL */
	char source[32];                 /* where target came from, for doctor */
	char endpoint[DOCKER_TARGET_MAX]; /* the engine's address ("unix:///run/docker.sock"), "" unknown */
	unsigned timeout_ms;             /* per call */
	int cli_missing;                 /* docker is not on PATH */
	int unresolved;                  /* `docker context inspect` failed: no engine to pin */
	char reason[320];                /* why, when unresolved */
};

/* Resolve and pin the engine, and learn its endpoint.  flag_context and
 * cfg_context may be NULL.  -1 only for a bad name (a usage error); a
 * missing CLI (d->cli_missing) and a context the CLI cannot inspect - it
 * failed, hung or answered nonsense (d->unresolved, d->reason) - are
 * what detection reports, not errors here. */
int docker_resolve(struct docker *d, const char *flag_context, const char *cfg_context,
		   unsigned timeout_ms, struct cai_err *err);

/* The engine's Unix socket (absolute path) when its endpoint is one, else
 * NULL. */
const char *docker_socket_path(const struct docker *d);

/* Start a pinned command line: "docker --context C" (or "-H H"). */
void docker_argv(const struct docker *d, struct argv *a);

/* The value a finished docker call printed on stdout, of JSON type `want`
 * (JSON_OBJECT, JSON_STRING, ...); NULL with err set ("docker info:
 * ...") when refused as above.  The caller owns the reference. */
json_t *docker_json(const struct proc_job *job, json_type want, struct cai_err *err);

/* The string member `key` of an object of such an answer; "" when it is
 * absent or not a string (obj may be NULL). */
const char *docker_str(const json_t *obj, const char *key);

/* 0 when every call can be pinned to the one engine; -1 with err set
 * (the reason the context could not be inspected) when none could. */
int docker_pinned(const struct docker *d, struct cai_err *err);

/* What `docker ps -a --no-trunc --filter FILTER --format FORMAT` prints,
 * whole (never cut at the bound), in a fresh string *out. */
int docker_ps(const struct docker *d, const char *filter, const char *format, char **out,
	      struct cai_err *err);

struct batch;

/* `docker KIND inspect NAME` (KIND container or network) as a job of b,
 * and its answer as a JSON object in *out - NULL when nothing answers to
 * NAME. */
struct proc_job *docker_inspect_add(const struct docker *d, const char *kind, const char *name,
				   struct batch *b, struct cai_err *err);
int docker_inspect_read(const struct proc_job *job, const char *name, json_t **out,
			struct cai_err *err);

/* `docker WORD...` (NULL-terminated) on the pinned engine as a step of b;
 * together: run with the step before it (plan_exec_run). */
int docker_step(const struct docker *d, struct batch *b, int together, struct cai_err *err, ...)
	__attribute__((sentinel));

#endif
