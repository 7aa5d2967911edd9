/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "inifile.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "fd.h"

struct inifile_state {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned line;          /* line number of the line last handed to inih */
	const char *name;
	const struct inifile_ops *ops;
	void *ctx;
	struct cai_err *err;
	int failed;             /* first refusal already recorded in err */
	unsigned failed_line;
};

static int inifile_fail(struct inifile_state *st, unsigned line)
{
	if (!st->failed) {
		st->failed = 1;
		st->failed_line = line;
	}
	return 0;
}

static int inifile_check_header(struct inifile_state *st, const char *line, size_t n)
{
	size_t i = 0;

	/* Skip what inih skips (isspace), or a header it sees would pass us by. */
	while (i < n && isspace((unsigned char)line[i]))
		i++;
	if (i == n || line[i] != '[')
		return 0;
	const char *close = memchr(line + i, ']', n - i);
	if (!close) {
		err_set(st->err, 0, "section header without ']'");
		return -1;
	}
	for (const char *p = close + 1; p < line + n; p++) {
		if (*p == ';' || *p == '#')
			break;
		if (!isspace((unsigned char)*p)) {
			err_set(st->err, 0, "text after section header");
			return -1;
		}
	}
	size_t slen = (size_t)(close - (line + i + 1));
	char section[INIFILE_MAX_LINE + 1];
	memcpy(section, line + i + 1, slen);
	section[slen] = '\0';
	if (st->ops->on_section && st->ops->on_section(st->ctx, section, st->line, st->err) < 0)
		return -1;
	return 0;
}

/* inih reader: hands out one line at a time and refuses what inih would
 * misread.  Returning NULL ends parsing; st->failed tells why. */
static char *inifile_reader(char *out, int size, void *stream)
{
	struct inifile_state *st = stream;

	if (st->failed || st->pos >= st->len)
		return NULL;
	const char *start = st->buf + st->pos;
	size_t rest = st->len - st->pos;
	const char *nl = memchr(start, '\n', rest);
	size_t n = nl ? (size_t)(nl - start) + 1 : rest;

	st->line++;
	st->pos += n;
	if (memchr(start, '\0', n)) {
		err_set(st->err, 0, "NUL byte in line");
		inifile_fail(st, st->line);
		return NULL;
	}
	if (n > (size_t)size - 1 || n > INIFILE_MAX_LINE + 1 ||
	    (n == INIFILE_MAX_LINE + 1 && start[n - 1] != '\n')) {
		err_set(st->err, 0, "line longer than %d characters", INIFILE_MAX_LINE);
		inifile_fail(st, st->line);
		return NULL;
	}
	/* inih drops a UTF-8 byte-order mark before the first line: the header
	 * check must see the line inih sees, or "\xef\xbb\xbf[user]" would give
	 * keys to a section whose step was never switched on. */
	size_t bom = st->line == 1 && n >= 3 && !memcmp(start, "\xef\xbb\xbf", 3) ? 3 : 0;
	if (inifile_check_header(st, start + bom, n - bom) < 0) {
		inifile_fail(st, st->line);
		return NULL;
	}
	memcpy(out, start, n);
	out[n] = '\0';
	return out;
}

static int inifile_handler(void *user, const char *section, const char *key, const char *value)
{
	struct inifile_state *st = user;

	if (st->failed)
		return 0;
	if (!section[0]) {
		err_set(st->err, 0, "key '%s' outside any section", key);
		return inifile_fail(st, st->line);
	}
	if (st->ops->on_key(st->ctx, section, key, value, st->line, st->err) < 0)
		return inifile_fail(st, st->line);
	return 1;
}

int inifile_parse_buf(const char *buf, size_t len, const char *name,
		      const struct inifile_ops *ops, void *ctx, struct cai_err *err)
{
	struct inifile_state st = {
		.buf = buf, .len = len, .name = name, .ops = ops, .ctx = ctx, .err = err,
	};

	int r = ini_parse_stream(inifile_reader, &st, inifile_handler, &st);
	if (st.failed)
		return err_prefix(err, "%s:%u", name, st.failed_line);
	if (r != 0) {
		err_set(err, 0, "syntax error (expected '[section]' or 'key = value')");
		return err_prefix(err, "%s:%d", name, r);
	}
	return 0;
}

int inifile_parse_fd(int fd, const char *name, const struct inifile_ops *ops, void *ctx,
		     struct cai_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd_read_regular(fd, name, INIFILE_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return inifile_parse_buf(buf, len, name, ops, ctx, err);
}

int inifile_parse_path(const char *path, const struct inifile_ops *ops, void *ctx,
		       struct cai_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fd_read_file(path, INIFILE_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return inifile_parse_buf(buf, len, path, ops, ctx, err);
}

int inifile_bool(const char *value, int *out, struct cai_err *err)
{
	if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off") || !strcmp(value, "0"))
		*out = 0;
	else
		return err_set(err, 0, "'%s' is not a boolean (true or false)", value);
	return 0;
}

int inifile_uint(const char *value, unsigned long max, unsigned long *out, struct cai_err *err)
{
	uint64_t v;

	if (decimal_parse(value, strlen(value), max, &v, err) < 0)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int inifile_mode(const char *value, unsigned *out, struct cai_err *err)
{
	char *end;
	size_t n = strlen(value);

	if (n < 3 || n > 4 || strspn(value, "01234567") != n)
		return err_set(err, 0, "'%s' is not an octal mode like 0755", value);
	unsigned long v = strtoul(value, &end, 8);
	/* setuid, setgid and sticky bits have no place in an agent's data. */
	if (v > 0777)
		return err_set(err, 0, "mode '%s' has special bits (setuid, setgid or sticky)", value);
	*out = (unsigned)v;
	return 0;
}
