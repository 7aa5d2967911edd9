/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "mountinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "fd.h"
#include "log.h"
#include "path.h"

/* Decode s[0..n) into a fresh string; NULL with *why set when an escape is
 * malformed or decodes to NUL, NULL with errno ENOMEM otherwise. */
static char *mountinfo_unescape(const char *s, size_t n, const char **why)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		unsigned v = 0;
		for (size_t j = 1; j <= 3; j++) {
			if (i + j >= n || s[i + j] < '0' || s[i + j] > '7') {
				free(out);
				*why = "bad escape";
				return NULL;
			}
			v = v * 8 + (unsigned)(s[i + j] - '0');
		}
		if (v == 0 || v > 0377) {
			free(out);
			*why = "bad escape";
			return NULL;
		}
		*o++ = (char)v;
		i += 3;
	}
	*o = '\0';
	return out;
}

/* The line is skipped with its own reason; decimal_parse's is not needed. */
static int mountinfo_number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	struct cai_err ignored;

	return decimal_parse(s, n, max, out, &ignored);
}

static void mountinfo_entry_free(struct mount_entry *e)
{
	free(e->root);
	free(e->mount_point);
	free(e->options);
	free(e->optional);
	free(e->fstype);
	free(e->source);
	free(e->super_options);
	memset(e, 0, sizeof(*e));
}

/* The next space-separated field of [*p, end); NULL at the end. */
static const char *mountinfo_field(const char **p, const char *end, size_t *n)
{
	const char *s = *p;

	if (s >= end)
		return NULL;
	const char *sp = memchr(s, ' ', (size_t)(end - s));
	const char *fe = sp ? sp : end;
	*n = (size_t)(fe - s);
	*p = sp ? sp + 1 : end;
	return s;
}

/* 0 parsed, 1 malformed (*why set), -1 out of memory. */
static int mountinfo_parse_line(const char *s, const char *end, struct mount_entry *e,
				const char **why)
{
	const char *f[6];
	size_t fl[6];
	uint64_t v;

	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 6; i++) {
		if (!(f[i] = mountinfo_field(&s, end, &fl[i]))) {
			*why = "too few fields";
			return 1;
		}
	}
	if (mountinfo_number(f[0], fl[0], UINT64_MAX, &e->mnt_id) < 0 ||
	    mountinfo_number(f[1], fl[1], UINT64_MAX, &e->parent_id) < 0) {
		*why = "bad mount id";
		return 1;
	}
	const char *colon = memchr(f[2], ':', fl[2]);
	if (!colon || mountinfo_number(f[2], (size_t)(colon - f[2]), UINT32_MAX, &v) < 0) {
		*why = "bad device number";
		return 1;
	}
	e->major = (unsigned)v;
	if (mountinfo_number(colon + 1, fl[2] - (size_t)(colon - f[2]) - 1, UINT32_MAX, &v) < 0) {
		*why = "bad device number";
		return 1;
	}
	e->minor = (unsigned)v;

	/* Optional fields run up to a field that is exactly "-". */
	const char *opt_start = s, *opt_end = s;
	const char *fld;
	size_t n;
	for (;;) {
		if (!(fld = mountinfo_field(&s, end, &n))) {
			*why = "no ' - ' separator";
			return 1;
		}
		if (n == 1 && fld[0] == '-')
			break;
		if (n == 0) {
			/* gVisor writes an empty optional-fields column
			 * ("rw  - 9p"): accepted there and nowhere else. */
			const char *peek = s;
			size_t pn;
			const char *next = mountinfo_field(&peek, end, &pn);
			if (fld == opt_start && next && pn == 1 && next[0] == '-')
				continue;
			*why = "empty optional field";
			return 1;
		}
		opt_end = fld + n;
	}
	const char *fstype = mountinfo_field(&s, end, &fl[0]);
	const char *source = fstype ? mountinfo_field(&s, end, &fl[1]) : NULL;
	if (!source || fl[0] == 0) {
		*why = "too few fields after ' - '";
		return 1;
	}
	/* The super options are the rest; there are no more fields. */
	const char *super = s < end ? s : end;
	if (memchr(super, ' ', (size_t)(end - super))) {
		*why = "too many fields after ' - '";
		return 1;
	}
	/* The root is a path only when it is reachable: nsfs shows
	 * "net:[4026532881]", for one.  The mount point is always a path. */
	if (fl[3] == 0 || fl[4] == 0 || f[4][0] != '/') {
		*why = "empty root or relative mount point";
		return 1;
	}
	*why = NULL;
	e->root = mountinfo_unescape(f[3], fl[3], why);
	e->mount_point = e->root ? mountinfo_unescape(f[4], fl[4], why) : NULL;
	e->source = e->mount_point ? mountinfo_unescape(source, fl[1], why) : NULL;
	if (!e->source) {
		mountinfo_entry_free(e);
		return *why ? 1 : -1;
	}
	e->options = strndup(f[5], fl[5]);
	e->optional = strndup(opt_start, (size_t)(opt_end - opt_start));
	e->fstype = strndup(fstype, fl[0]);
	e->super_options = strndup(super, (size_t)(end - super));
	if (!e->options || !e->optional || !e->fstype || !e->super_options) {
		mountinfo_entry_free(e);
		return -1;
	}
	return 0;
}

int mountinfo_parse(const char *buf, size_t len, const char *name, struct mount_table *t,
		    struct cai_err *err)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	size_t cap = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		struct mount_entry e;
		const char *why = NULL;
		line++;
		int r = 1;
		if (memchr(p, '\0', (size_t)(lend - p)))
			why = "NUL byte";
		else
			r = mountinfo_parse_line(p, lend, &e, &why);
		p = nl ? nl + 1 : end;
		if (r > 0) {
			log_warn("%s:%u: %s, line skipped", name, line, why);
			t->malformed++;
			continue;
		}
		if (r == 0 && t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct mount_entry *nv = reallocarray(t->v, ncap, sizeof(*nv));
			if (!nv) {
				mountinfo_entry_free(&e);
				r = -1;
			} else {
				t->v = nv;
				cap = ncap;
			}
		}
		if (r < 0) {
			mountinfo_free(t);
			return err_set(err, ENOMEM, "%s", name);
		}
		t->v[t->n++] = e;
	}
	return 0;
}

int mountinfo_read_self(struct mount_table *t, struct cai_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd_read_file("/proc/self/mountinfo", MOUNTINFO_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return mountinfo_parse(buf, len, "/proc/self/mountinfo", t, err);
}

const struct mount_entry *mountinfo_find_id(const struct mount_table *t, uint64_t mnt_id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].mnt_id == mnt_id)
			return &t->v[i];
	return NULL;
}

const struct mount_entry *mountinfo_mount_of(const struct mount_table *t, const char *path)
{
	const struct mount_entry *best = NULL;

	/* ">=": of two mounts at one point, the later is on top. */
	for (size_t i = 0; i < t->n; i++)
		if (path_within(path, t->v[i].mount_point) &&
		    (!best || strlen(t->v[i].mount_point) >= strlen(best->mount_point)))
			best = &t->v[i];
	return best;
}

const struct mount_entry *mountinfo_first_beneath(const struct mount_table *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].mount_point, path) && path_within(t->v[i].mount_point, path))
			return &t->v[i];
	return NULL;
}

void mountinfo_free(struct mount_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		mountinfo_entry_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
