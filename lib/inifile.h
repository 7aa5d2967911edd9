/* SPDX-License-Identifier: MIT */
/* inifile: strict INI loading on top of inih, for every config we read.
 *
 * Owns: reading a config through a descriptor with a size bound, feeding
 * inih line by line, and turning every problem into "FILE:LINE: message".
 * Refuses: lines longer than INIFILE_MAX_LINE (inih would silently split
 * them into two lines), NUL bytes, text after a section's closing `]`,
 * and anything the caller's handlers refuse.
 * Section headers are reported through on_section even when the section
 * has no keys, because an empty section still switches its step on.
 */
#ifndef CAI_INIFILE_H
#define CAI_INIFILE_H

#include "err.h"

#define INIFILE_MAX_LINE 199      /* what Debian's inih (INI_MAX_LINE 200) accepts */
#define INIFILE_MAX_SIZE (1u << 20)

struct inifile_ops {
	/* A "[name]" header at `line`.  May be NULL. */
	int (*on_section)(void *ctx, const char *section, unsigned line, struct cai_err *err);
	/* One "key = value" under section.  Return -1 with err set to refuse. */
	int (*on_key)(void *ctx, const char *section, const char *key, const char *value,
		      unsigned line, struct cai_err *err);
};

/* Parse the file open on fd; `name` is what error messages call it.
 * On failure err reads "NAME:LINE: reason". */
int inifile_parse_fd(int fd, const char *name, const struct inifile_ops *ops, void *ctx,
		     struct cai_err *err);

/* Same, from memory (tests and fuzzing). */
int inifile_parse_buf(const char *buf, size_t len, const char *name,
		      const struct inifile_ops *ops, void *ctx, struct cai_err *err);

/* Open `path` (no symlink at the last component, must be a regular file)
 * and parse it. */
int inifile_parse_path(const char *path, const struct inifile_ops *ops, void *ctx,
		       struct cai_err *err);

/* Value helpers shared by the config readers; each fills err on refusal.
 * inifile_uint is lib's decimal rule (no leading 0) up to `max`. */
int inifile_bool(const char *value, int *out, struct cai_err *err);
int inifile_uint(const char *value, unsigned long max, unsigned long *out, struct cai_err *err);
int inifile_mode(const char *value, unsigned *out, struct cai_err *err);

#endif
