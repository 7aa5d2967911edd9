/* SPDX-License-Identifier: MIT */
/* dotenv: the .env file of the data volume, read as data - never run.
 *
 * Owns: the original loader's grammar, exactly:
 *   - lines end at LF; one CR before the LF (or at the end of the last
 *     line) is dropped; a last line without LF still counts;
 *   - blank lines (only spaces, tabs, VT, FF, CR) and lines whose first
 *     non-blank character is '#' are skipped;
 *   - "export" followed by blanks at the very start of a line is dropped,
 *     together with those blanks;
 *   - NAME is everything before the first '=' and must be a name
 *     envname_valid accepts (^[A-Za-z_][A-Za-z0-9_]*$, the rule the
 *     launcher's --env shares); the value is everything after it,
 *     verbatim: no quotes, escapes, comments, interpolation or commands;
 *   - the first occurrence of a NAME wins.
 * Refuses (reported and skipped): a line without '=', a bad NAME, a NUL
 * byte, a later duplicate, a loader or interpreter hook (envhook) that the
 * allow list does not name.  Reported but kept verbatim: values that look
 * written for another dialect (wrapped in quotes, " #", "${", "$(") and a
 * byte-order mark (which then makes the first NAME invalid).  Reports
 * carry the line number and at most the NAME, rendered printable and
 * bounded - never a value, never a line without '=' or with a bad NAME
 * (what precedes the '=' may then be a secret as well).
 * A file that is not a regular file, has more than one hard link or is
 * larger than DOTENV_MAX_SIZE is refused whole.
 */
#ifndef CAI_DOTENV_H
#define CAI_DOTENV_H

#include <stddef.h>

#include "beneath.h"
#include "err.h"

#define DOTENV_MAX_SIZE (1u << 20)
#define DOTENV_KEY_SHOWN 64     /* bytes of a NAME shown in a report */

enum dotenv_problem {
	DOTENV_BOM = 0,
	DOTENV_NUL,
	DOTENV_NO_EQUALS,
	DOTENV_BAD_KEY,
	DOTENV_DUPLICATE,
	DOTENV_QUOTED,
	DOTENV_INLINE_COMMENT,
	DOTENV_INTERPOLATION,
	DOTENV_HOOK,
};

struct dotenv {
	char **vars;    /* "NAME=value" in file order, first occurrences only */
	size_t n;
};

/* One report: `key` is NULL or the NAME rendered printable ("\xNN" for
 * other bytes) and cut at DOTENV_KEY_SHOWN bytes. */
typedef void (*dotenv_report_fn)(void *ctx, unsigned line, enum dotenv_problem p,
				 const char *key);

/* Parse buf[0..len) into *out (which starts zeroed); `allow_hooks` (NULL:
 * none) lists the hook variables the file may set.  Fails only when
 * memory runs out. */
int dotenv_parse(const char *buf, size_t len, const char *allow_hooks, struct dotenv *out,
		 dotenv_report_fn report, void *ctx, struct cai_err *err);

/* Read and parse the file open on fd: it must be a regular file with one
 * link and at most DOTENV_MAX_SIZE bytes.  Reports are logged as warnings, "NAME:LINE:". */
int dotenv_read_fd(int fd, const char *name, const char *allow_hooks, struct dotenv *out,
		   struct cai_err *err);

/* Load `rel` beneath the volume root.  Never fails the start-up: a file
 * that is missing is silently skipped; a symlink, a non-regular or
 * unreadable or hard-linked file, one over the size bound, or one that
 * cannot be parsed
 * is warned about and skipped, leaving *out empty. */
void dotenv_load(const struct beneath *vol, const char *rel, const char *allow_hooks,
		 struct dotenv *out);

/* The report as one line of text, without the "NAME:LINE: " prefix. */
void dotenv_problem_format(enum dotenv_problem p, const char *key, char *buf, size_t size);

void dotenv_free(struct dotenv *d);

#endif
