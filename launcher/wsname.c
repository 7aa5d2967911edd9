/* SPDX-License-Identifier: MIT */
#include "wsname.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "gitcmd.h"
#include "macro.h"

void wsname_sanitize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int dash = 0;

	if (!outsz)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < outsz; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '.' && o && !dash)) {
			if (dash && o && o + 2 < outsz)
				out[o++] = '-';
			dash = 0;
			out[o++] = (char)c;
		} else {
			dash = 1;
		}
	}
	while (o && (out[o - 1] == '.' || out[o - 1] == '-'))
		o--;
	out[o] = '\0';
}

uint64_t wsname_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* full as it is when it fits, else cut, with a hash of raw at the end to
 * keep two names that share a prefix apart. */
static void fit(const char *full, const char *raw, char *out)
{
	if (strlen(full) <= WSNAME_MAX) {
		snprintf(out, WSNAME_MAX + 1, "%s", full);
		return;
	}
	size_t keep = WSNAME_MAX - 9;
	while (keep && (full[keep - 1] == '-' || full[keep - 1] == '.'))
		keep--;
	snprintf(out, WSNAME_MAX + 1, "%.*s-%08x", (int)keep, full,
		 (unsigned)(wsname_hash(raw) & 0xffffffffu));
}

/* The workspace's part of every name: 8 hex digits of its path. */
static unsigned ws_hash(const char *workspace)
{
	return (unsigned)(wsname_hash(workspace) & 0xffffffffu);
}

void wsname_derive(const char *workspace, const char *repo_top, const char *branch, char *out)
{
	char raw[PATH_MAX * 2 + 320], part[WSNAME_MAX + 1], part2[WSNAME_MAX + 1];
	char full[2 * (WSNAME_MAX + 1) + 32];

	/* Two repositories called app on branch main, or one repository used
	 * from two of its directories, are different workspaces: the hash of
	 * the workspace keeps their sandboxes apart, also once cut. */
	if (repo_top && branch && branch[0] && strcmp(branch, "HEAD")) {
		wsname_sanitize(base_name(repo_top), part, sizeof(part));
		wsname_sanitize(branch, part2, sizeof(part2));
		snprintf(full, sizeof(full), WSNAME_PREFIX "%s%s%s-%08x", part[0] ? part : "repo",
			 part2[0] ? "-" : "", part2, ws_hash(workspace));
		snprintf(raw, sizeof(raw), "%s\n%s\n%s", workspace, repo_top, branch);
	} else {
		wsname_sanitize(base_name(workspace), part, sizeof(part));
		snprintf(full, sizeof(full), WSNAME_PREFIX "%s%s%08x", part, part[0] ? "-" : "",
			 ws_hash(workspace));
		snprintf(raw, sizeof(raw), "%s", workspace);
	}
	fit(full, raw, out);
}

void wsname_given(const char *given, const char *workspace, char *out)
{
	char full[2 * (WSNAME_MAX + 1)], raw[PATH_MAX + WSNAME_MAX + 2];

	snprintf(full, sizeof(full), "%s-%08x", given, ws_hash(workspace));
	snprintf(raw, sizeof(raw), "%s\n%s", given, workspace);
	fit(full, raw, out);
}

void wsname_add_variant(char *name, const char *variant)
{
	char full[2 * (WSNAME_MAX + 1)];

	snprintf(full, sizeof(full), "%s-%s", name, variant);
	/* name is already unique per workspace: hashing it with the variant
	 * keeps a cut name unique too. */
	fit(full, full, name);
}

int wsname_check(const char *name, struct cai_err *err)
{
	size_t n = strlen(name);

	if (!n || n > WSNAME_MAX)
		return err_set(err, 0, "name '%s': must be 1 to %d characters", name, WSNAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '-')))
			return err_set(err, 0,
				       "name '%s': only letters, digits, '.' and '-' (not first) are allowed",
				       name);
	}
	return 0;
}

const char *wsname_optin_variant(int allow_sock, int allow_creds)
{
	if (allow_sock && allow_creds)
		return "host-socket-credentials";
	if (allow_sock)
		return "host-socket";
	return allow_creds ? "host-credentials" : NULL;
}

/* One line of a git answer into out, "" when git failed. */
static void git_line(const struct proc_job *j, char *out, size_t outsz)
{
	out[0] = '\0';
	if (proc_ok(j) && !j->out_truncated)
		snprintf(out, outsz, "%.*s", (int)strcspn(j->out, "\n"), j->out);
}

/* The work tree's top and its branch; both "" outside a work tree, and
 * when git cannot be run or its answer does not fit.  A detached HEAD has
 * no branch.  symbolic-ref (not rev-parse) so that a branch without
 * commits yet still has its name. */
static void git_info(const char *ws, unsigned timeout_ms, char *top, size_t topsz, char *branch,
		     size_t brsz)
{
	static const char *const ask[][5] = {
		{ "rev-parse", "--show-toplevel" },
		{ "symbolic-ref", "--short", "-q", "HEAD" },
	};
	_cleanup_batch_ struct batch b = { 0 };
	struct proc_job *j[ARRAY_SIZE(ask)];
	struct cai_err err;

	top[0] = branch[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(ask); i++) {
		_cleanup_argv_ struct argv a = { 0 };
		gitcmd_argv(&a, ws);
		for (const char *const *w = ask[i]; *w; w++)
			argv_push(&a, *w);
		if (!(j[i] = batch_add(&b, &a, &err)))
			return;
		j[i]->timeout_ms = timeout_ms;
		j[i]->out_max = 8192;
	}
	if (batch_run(&b, &err) < 0)
		return;
	git_line(j[0], top, topsz);
	if (top[0])
		git_line(j[1], branch, brsz);
}

int wsname_choose(const char *given, const char *workspace, int allow_sock, int allow_creds,
		  unsigned timeout_ms, char *out, struct cai_err *err)
{
	char top[4096], branch[256];
	const char *variant = wsname_optin_variant(allow_sock, allow_creds);

	if (given) {
		if (wsname_check(given, err) < 0)
			return -1;
		wsname_given(given, workspace, out);
	} else {
		git_info(workspace, timeout_ms, top, sizeof(top), branch, sizeof(branch));
		wsname_derive(workspace, top[0] ? top : NULL, branch[0] ? branch : NULL, out);
	}
	/* Given or derived: the sandbox holding the host's socket or
	 * credentials never shares its name with one that does not. */
	if (variant)
		wsname_add_variant(out, variant);
	return 0;
}
