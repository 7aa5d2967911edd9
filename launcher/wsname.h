/* SPDX-License-Identifier: MIT */
/* wsname: the deterministic sandbox name of a workspace.
 *
 * Owns: "containai-REPO-BRANCH-HASH" for a git work tree, else
 * "containai-DIR-HASH", and "NAME-HASH" for a --name NAME (HASH: 8 hex
 * digits of the workspace's absolute path, so one name never stands for
 * two workspaces - the sandbox tools of the sbx and ECI modes keep no
 * workspace of ours to check it by), reduced to the characters every
 * backend accepts (docker, docker sandbox and sbx all take [a-z0-9.-])
 * and to at most 63 characters; a name that had to be cut keeps a hash of
 * the uncut one (workspace included) so two long names stay apart.
 * Also owns which name an invocation uses: from --name or derived, asking
 * git (concurrently) for the work tree's top and branch; a sandbox
 * holding the host's socket or credentials gets a name of its own (given
 * or derived), since docker sandbox run re-enters a same-named sandbox as
 * it was created.
 * Refuses: user-given names outside [A-Za-z0-9][A-Za-z0-9.-]* or longer
 * than 63 characters.
 */
#ifndef CAI_WSNAME_H
#define CAI_WSNAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define WSNAME_MAX 63
#define WSNAME_PREFIX "containai-"

/* Lower-case letters and digits kept, '.' kept inside, every other run of
 * bytes becomes one '-'; no leading or trailing '-' or '.'. */
void wsname_sanitize(const char *in, char *out, size_t outsz);

/* FNV-1a, 64 bits: stable across runs and machines. */
uint64_t wsname_hash(const char *s);

/* repo_top and branch are NULL outside a git work tree (or on a detached
 * HEAD).  out must hold WSNAME_MAX + 1 bytes. */
void wsname_derive(const char *workspace, const char *repo_top, const char *branch, char *out);

/* --name's NAME (already wsname_check'ed) made the name of this
 * workspace's sandbox: "NAME-HASH", cut and hashed as above. */
void wsname_given(const char *given, const char *workspace, char *out);

/* Appends "-VARIANT" (already in [a-z0-9-]) to a derived name, cut and
 * hashed as above when it no longer fits. */
void wsname_add_variant(char *name, const char *variant);

int wsname_check(const char *name, struct cai_err *err);

/* The variant of a sandbox with the unsafe opt-ins, NULL without them. */
const char *wsname_optin_variant(int allow_sock, int allow_creds);

/* The name of this invocation's sandbox, into out (WSNAME_MAX + 1 bytes):
 * from `given` (--name) when not NULL, else derived from `workspace`,
 * with the opt-ins' variant either way; git is given timeout_ms.  Fails
 * only on a bad `given`. */
int wsname_choose(const char *given, const char *workspace, int allow_sock, int allow_creds,
		  unsigned timeout_ms, char *out, struct cai_err *err);

#endif
