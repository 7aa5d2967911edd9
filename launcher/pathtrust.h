/* SPDX-License-Identifier: MIT */
/* pathtrust: where the programs the launcher runs may come from.
 *
 * Owns: the rule for a directory of programs - a PATH entry, or the
 * directory a program resolves into:
 *   - it resolves (realpath) to a directory outside the workspace, as
 *     written and resolved: the workspace is mounted into the sandbox, so
 *     the agent writes it (a virtualenv's .venv/bin, node_modules/.bin,
 *     direnv's PATH_add bin);
 *   - it and each of its ancestors, resolved, is owned by root or by the
 *     user running the launcher: another user could replace what is in it;
 *   - it is writable by neither its group nor others (sticky or not:
 *     anyone could add a program), and an ancestor writable by group or
 *     others is sticky (/tmp: only the entry's owner, checked next, can
 *     replace it).
 * Also owns applying it: PATH filtered once, before the first program
 * runs, to the resolved entries that keep it (what was skipped, and why,
 * kept for doctor), and each program looked up on that PATH and refused
 * when it resolves into a directory that breaks it (a trusted entry's
 * symlink into the workspace).
 * Refuses: empty and relative entries, entries that do not resolve, and
 * everything above.  The group-writable directory of a group with only
 * the user in it is refused as well: the mode bits cannot tell.
 */
#ifndef CAI_PATHTRUST_H
#define CAI_PATHTRUST_H

#include <stddef.h>

#include "err.h"

#define PATHTRUST_REPORT_MAX 32
#define PATHTRUST_WHY_MAX 160

struct pathtrust_skip {
	char entry[256];                 /* cut when longer */
	char why[PATHTRUST_WHY_MAX];
};

/* What PATH filtering skipped; n counts all, v keeps the first ones. */
struct pathtrust_report {
	struct pathtrust_skip v[PATHTRUST_REPORT_MAX];
	size_t n;
};

/* 1 when programs may come from dir, 0 (why says why) when not; workspace
 * (resolved) may be NULL when none is known. */
int pathtrust_dir_ok(const char *dir, const char *workspace, char *why, size_t whysz);

/* Remember the workspace for every later lookup and replace PATH by its
 * entries that keep the rule, resolved; PATH is unset when none is left
 * (the C library's default then applies to children). */
int pathtrust_filter_path(const char *workspace, struct pathtrust_report *rep, struct cai_err *err);

/* The file to execute for `name`: the first executable one on PATH (in an
 * entry that keeps the rule), resolved, into out; for an absolute path
 * (a program the user named, as setup gvisor's --runsc) that file when its
 * directory keeps the rule as an entry would.  -1 with errno ENOENT when
 * there is none (a relative path with a '/' never is), EACCES (why says
 * why) when it lies or resolves into a directory that breaks the rule. */
int pathtrust_find(const char *name, char *out, size_t outsz, char *why, size_t whysz);

#endif
