/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "dotenv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envhook.h"
#include "envname.h"
#include "fd.h"
#include "keyset.h"
#include "log.h"

/* [[:space:]] in the C locale, as the original's bash patterns used it. */
static int dotenv_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

/* A NAME as a report may show it: printable ASCII as is, everything else
 * as \xNN, cut at DOTENV_KEY_SHOWN input bytes. */
static void dotenv_render_key(const char *k, size_t n, char out[DOTENV_KEY_SHOWN * 4 + 4])
{
	size_t o = 0;
	size_t shown = n > DOTENV_KEY_SHOWN ? DOTENV_KEY_SHOWN : n;

	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", c);
	}
	if (shown < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

struct dotenv_parser {
	struct dotenv *out;
	const char *allow_hooks;
	size_t cap;
	struct keyset names;
	dotenv_report_fn report;
	void *ctx;
};

static void dotenv_report_key(struct dotenv_parser *ps, unsigned line, enum dotenv_problem p,
			      const char *k, size_t n)
{
	char shown[DOTENV_KEY_SHOWN * 4 + 4];

	if (!ps->report)
		return;
	dotenv_render_key(k, n, shown);
	ps->report(ps->ctx, line, p, shown);
}

static int dotenv_append(struct dotenv_parser *ps, const char *s, size_t n, size_t keylen,
			 struct cai_err *err)
{
	struct dotenv *d = ps->out;

	if (d->n + 2 > ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 16;
		char **nv = realloc(d->vars, ncap * sizeof(*nv));
		if (!nv)
			return err_set(err, ENOMEM, ".env");
		d->vars = nv;
		ps->cap = ncap;
	}
	char *var = strndup(s, n);
	if (!var)
		return err_set(err, ENOMEM, ".env");
	/* The set points into the copy, which lives as long as *out. */
	if (keyset_add(&ps->names, var, keylen, err) < 0) {
		free(var);
		return -1;
	}
	d->vars[d->n++] = var;
	d->vars[d->n] = NULL;
	return 0;
}

static void dotenv_check_dialect(struct dotenv_parser *ps, unsigned line, const char *k,
				 size_t klen, const char *v, size_t vlen)
{
	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0])
		dotenv_report_key(ps, line, DOTENV_QUOTED, k, klen);
	if (memmem(v, vlen, " #", 2) || memmem(v, vlen, "\t#", 2))
		dotenv_report_key(ps, line, DOTENV_INLINE_COMMENT, k, klen);
	if (memmem(v, vlen, "${", 2) || memmem(v, vlen, "$(", 2))
		dotenv_report_key(ps, line, DOTENV_INTERPOLATION, k, klen);
}

static int dotenv_parse_line(struct dotenv_parser *ps, unsigned line, const char *s, size_t n,
			     struct cai_err *err)
{
	size_t i = 0;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (i < n && dotenv_is_blank(s[i]))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	/* Only at the very start of the line, as in the original. */
	if (n > 6 && !memcmp(s, "export", 6) && dotenv_is_blank(s[6])) {
		s += 6;
		n -= 6;
		while (n > 0 && dotenv_is_blank(*s)) {
			s++;
			n--;
		}
	}
	const char *eq = memchr(s, '=', n);
	size_t klen = eq ? (size_t)(eq - s) : n;
	if (memchr(s, '\0', n)) {
		/* The NAME is shown only when it is a valid one. */
		if (eq && envname_valid(s, klen))
			dotenv_report_key(ps, line, DOTENV_NUL, s, klen);
		else if (ps->report)
			ps->report(ps->ctx, line, DOTENV_NUL, NULL);
		return 0;
	}
	if (!eq) {
		/* The whole line may be a pasted secret: show nothing of it. */
		if (ps->report)
			ps->report(ps->ctx, line, DOTENV_NO_EQUALS, NULL);
		return 0;
	}
	if (!envname_valid(s, klen)) {
		/* What stands before the '=' may be a secret too ("TOKEN: c2Vj==",
		 * a pasted base64 value): show nothing of it. */
		if (ps->report)
			ps->report(ps->ctx, line, DOTENV_BAD_KEY, NULL);
		return 0;
	}
	if (keyset_has(&ps->names, s, klen)) {
		dotenv_report_key(ps, line, DOTENV_DUPLICATE, s, klen);
		return 0;
	}
	/* Code the next session would run: the name only, never the value. */
	if (envhook_refused(ps->allow_hooks, s, klen)) {
		dotenv_report_key(ps, line, DOTENV_HOOK, s, klen);
		return 0;
	}
	dotenv_check_dialect(ps, line, s, klen, eq + 1, n - klen - 1);
	return dotenv_append(ps, s, n, klen, err);
}

int dotenv_parse(const char *buf, size_t len, const char *allow_hooks, struct dotenv *out,
		 dotenv_report_fn report, void *ctx, struct cai_err *err)
{
	struct dotenv_parser ps = { .out = out, .allow_hooks = allow_hooks, .report = report, .ctx = ctx };
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	int r = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) && report)
		report(ctx, 1, DOTENV_BOM, NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		line++;
		if (dotenv_parse_line(&ps, line, p, (size_t)(lend - p), err) < 0) {
			r = -1;
			break;
		}
		p = nl ? nl + 1 : end;
	}
	keyset_free(&ps.names);
	if (r < 0)
		dotenv_free(out);
	return r;
}

void dotenv_problem_format(enum dotenv_problem p, const char *key, char *buf, size_t size)
{
	const char *k = key ? key : "";

	switch (p) {
	case DOTENV_BOM:
		snprintf(buf, size, "starts with a byte-order mark; it is not stripped, so the first name is invalid");
		break;
	case DOTENV_NUL:
		if (key)
			snprintf(buf, size, "'%s': the line contains a NUL byte, skipped", k);
		else
			snprintf(buf, size, "the line contains a NUL byte, skipped");
		break;
	case DOTENV_NO_EQUALS:
		snprintf(buf, size, "no '=' on the line, skipped");
		break;
	case DOTENV_BAD_KEY:
		snprintf(buf, size, "what precedes the first '=' is not a valid variable name, line skipped");
		break;
	case DOTENV_DUPLICATE:
		snprintf(buf, size, "'%s' is already set on an earlier line, this one is ignored", k);
		break;
	case DOTENV_QUOTED:
		snprintf(buf, size, "'%s': the value is wrapped in quotes, which are kept as part of it", k);
		break;
	case DOTENV_INLINE_COMMENT:
		snprintf(buf, size, "'%s': the value contains ' #', which is kept, not read as a comment", k);
		break;
	case DOTENV_INTERPOLATION:
		snprintf(buf, size, "'%s': the value contains '${' or '$(', which is kept verbatim, not expanded", k);
		break;
	case DOTENV_HOOK:
		snprintf(buf, size, "'%s' makes programs load or run code it names, skipped ([env] allow_hooks can allow it)", k);
		break;
	default:
		snprintf(buf, size, "unknown problem");
		break;
	}
}

static void dotenv_log_report(void *ctx, unsigned line, enum dotenv_problem p, const char *key)
{
	char msg[512];

	dotenv_problem_format(p, key, msg, sizeof(msg));
	log_warn("%s:%u: %s", (const char *)ctx, line, msg);
}

int dotenv_read_fd(int fd, const char *name, const char *allow_hooks, struct dotenv *out,
		   struct cai_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;

	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", name);
	/* Root reads it for the agent: a hard link could hand over a file
	 * from elsewhere on the volume's file system (the tmpfiles CVE class). */
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		return err_set(err, 0, "%s: has more than one hard link", name);
	if (fd_read_regular(fd, name, DOTENV_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return dotenv_parse(buf, len, allow_hooks, out, dotenv_log_report, (void *)name, err);
}

void dotenv_load(const struct beneath *vol, const char *rel, const char *allow_hooks,
		 struct dotenv *out)
{
	struct cai_err err = { 0 };
	_cleanup_close_ int fd = -1;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = beneath_open(vol, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &err);
	if (fd < 0) {
		if (err.errnum == ENOENT) {
			log_debug("env: %s: not present", rel);
			return;
		}
		if (err.errnum == ELOOP)
			log_warn("env: %s: is a symlink (or under one), skipped", rel);
		else
			log_warn("env: %s, skipped", err.msg);
		return;
	}
	if (dotenv_read_fd(fd, rel, allow_hooks, out, &err) < 0) {
		log_warn("env: %s, skipped", err.msg);
		return;
	}
	log_info("env: %zu variable%s from %s", out->n, out->n == 1 ? "" : "s", rel);
}

void dotenv_free(struct dotenv *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->vars[i]);
	free(d->vars);
	d->vars = NULL;
	d->n = 0;
}
