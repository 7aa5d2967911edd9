/* SPDX-License-Identifier: MIT */
/* The .env grammar, rule by rule, and a corpus of files with their
 * expected results (tests/fixtures/dotenv/NAME.env + NAME.expected). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dotenv.h"
#include "fd.h"
#include "macro.h"
#include "unit.h"

static const char *const problem_names[] = {
	"BOM", "NUL", "NO_EQUALS", "BAD_KEY", "DUPLICATE", "QUOTED", "INLINE_COMMENT", "INTERPOLATION",
	"HOOK",
};

struct record {
	char text[8192];
	size_t len;
};

static void record_append(struct record *r, const char *s, size_t n)
{
	if (r->len + n < sizeof(r->text)) {
		memcpy(r->text + r->len, s, n);
		r->len += n;
		r->text[r->len] = '\0';
	}
}

/* Printable rendering: \r \t \\ and \xNN for other bytes outside ASCII. */
static void record_escaped(struct record *r, const char *s)
{
	char b[8];
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\')
			record_append(r, "\\\\", 2);
		else if (c == '\r')
			record_append(r, "\\r", 2);
		else if (c == '\t')
			record_append(r, "\\t", 2);
		else if (c < 0x20 || c >= 0x7f)
			record_append(r, b, (size_t)snprintf(b, sizeof(b), "\\x%02x", c));
		else
			record_append(r, s, 1);
	}
}

static void record_report(void *ctx, unsigned line, enum dotenv_problem p, const char *key)
{
	struct record *r = ctx;
	char b[64];
	record_append(r, b, (size_t)snprintf(b, sizeof(b), "warn %u %s", line, problem_names[p]));
	if (key) {
		/* Shown as given: the parser promises printable text. */
		for (const char *k = key; *k; k++)
			if ((unsigned char)*k < 0x20 || (unsigned char)*k >= 0x7f)
				record_append(r, "<unprintable>", 13);
		record_append(r, " ", 1);
		record_append(r, key, strlen(key));
	}
	record_append(r, "\n", 1);
}

/* Parse and render: reports first (in order), then "set KEY=value" lines. */
static void run_parse(const char *buf, size_t len, struct record *out)
{
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };

	memset(out, 0, sizeof(*out));
	if (dotenv_parse(buf, len, NULL, &d, record_report, out, &err) < 0) {
		record_append(out, "error\n", 6);
		return;
	}
	for (size_t i = 0; i < d.n; i++) {
		record_append(out, "set ", 4);
		record_escaped(out, d.vars[i]);
		record_append(out, "\n", 1);
	}
	if (d.vars && d.vars[d.n] != NULL)
		record_append(out, "not NULL-terminated\n", 20);
	dotenv_free(&d);
}

struct dotenv_case {
	const char *name;
	const char *in;
	size_t len;             /* 0: strlen(in) */
	const char *want;
};

static const struct dotenv_case cases[] = {
	{ "simple", "A=1\n", 0, "set A=1\n" },
	{ "last line without newline counts", "A=1\nB=2", 0, "set A=1\nset B=2\n" },
	{ "empty file", "", 0, "" },
	{ "one CR before LF is stripped", "A=1\r\n", 0, "set A=1\n" },
	{ "only one CR is stripped", "A=1\r\r\n", 0, "set A=1\\r\n" },
	{ "CR on the last line without LF is stripped", "A=1\r", 0, "set A=1\n" },
	{ "CR inside a value is kept", "A=x\ry\n", 0, "set A=x\\ry\n" },
	{ "blank lines skipped", "\n   \n\t\n \r\n\v\f\nA=1\n", 0, "set A=1\n" },
	{ "comment skipped", "# A=1\nB=2\n", 0, "set B=2\n" },
	{ "indented comment skipped", "  \t# A=1\nB=2\n", 0, "set B=2\n" },
	{ "hash after a name is part of the key", "#A=1\n", 0, "" },
	{ "export prefix dropped", "export A=1\n", 0, "set A=1\n" },
	{ "export with several blanks", "export \t  A=1\n", 0, "set A=1\n" },
	{ "export needs a blank", "exportA=1\n", 0, "set exportA=1\n" },
	{ "export as a name", "export=1\n", 0, "set export=1\n" },
	{ "indented export is not a prefix", "  export A=1\n", 0, "warn 1 BAD_KEY\n" },
	{ "export alone", "export \n", 0, "warn 1 NO_EQUALS\n" },
	{ "export without =", "export A\n", 0, "warn 1 NO_EQUALS\n" },
	{ "value after the first =", "A=b=c==\n", 0, "set A=b=c==\n" },
	{ "empty value", "A=\n", 0, "set A=\n" },
	{ "value verbatim with spaces", "A= spaced out \n", 0, "set A= spaced out \n" },
	{ "no trimming around =", "A =1\n", 0, "warn 1 BAD_KEY\n" },
	{ "leading blank before a name", " A=1\n", 0, "warn 1 BAD_KEY\n" },
	{ "name with digit first", "1A=x\n", 0, "warn 1 BAD_KEY\n" },
	{ "name with dash", "BAD-KEY=secret\n", 0, "warn 1 BAD_KEY\n" },
	{ "name with dot", "a.b=1\n", 0, "warn 1 BAD_KEY\n" },
	{ "empty name", "=value\n", 0, "warn 1 BAD_KEY\n" },
	{ "underscore names", "_=1\n_a9=2\n", 0, "set _=1\nset _a9=2\n" },
	{ "non-ASCII name", "\xc3\x9c=1\n", 0, "warn 1 BAD_KEY\n" },
	{ "quote in a name", "a'b=1\n", 0, "warn 1 BAD_KEY\n" },
	{ "long bad name",
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-BBBB=x\n", 0,
	  "warn 1 BAD_KEY\n" },
	{ "a bad name shows nothing of the line", "API_TOKEN: c2VjcmV0==\n", 0, "warn 1 BAD_KEY\n" },
	{ "no = is reported without any of the line", "sk-live-123 secret\n", 0, "warn 1 NO_EQUALS\n" },
	{ "no = valid word", "JUSTANAME\n", 0, "warn 1 NO_EQUALS\n" },
	{ "line numbers count every line", "# c\n\nA=1\nbad\n", 0, "warn 4 NO_EQUALS\nset A=1\n" },
	{ "first occurrence wins", "A=1\nA=2\n", 0, "warn 2 DUPLICATE A\nset A=1\n" },
	{ "duplicate through export", "A=1\nexport A=2\n", 0, "warn 2 DUPLICATE A\nset A=1\n" },
	{ "skipped line does not take the name", "A\nA=2\n", 0, "warn 1 NO_EQUALS\nset A=2\n" },
	{ "NUL in the value", "A=x\0y\nB=1\n", 10, "warn 1 NUL A\nset B=1\n" },
	{ "NUL in the name", "A\0=x\n", 5, "warn 1 NUL\n" },
	{ "NUL without =", "\0secret\n", 8, "warn 1 NUL\n" },
	{ "double quotes kept", "A=\"x y\"\n", 0, "warn 1 QUOTED A\nset A=\"x y\"\n" },
	{ "single quotes kept", "A='x'\n", 0, "warn 1 QUOTED A\nset A='x'\n" },
	{ "one quote is not quoting", "A=\"\n", 0, "set A=\"\n" },
	{ "mixed quotes are not quoting", "A=\"x'\n", 0, "set A=\"x'\n" },
	{ "inline comment kept", "A=1 # note\n", 0, "warn 1 INLINE_COMMENT A\nset A=1 # note\n" },
	{ "tab comment kept", "A=1\t# note\n", 0, "warn 1 INLINE_COMMENT A\nset A=1\\t# note\n" },
	{ "hash without a blank is fine", "A=a#b\n", 0, "set A=a#b\n" },
	{ "interpolation kept", "A=${HOME}/x\n", 0, "warn 1 INTERPOLATION A\nset A=${HOME}/x\n" },
	{ "command kept", "A=$(id)\n", 0, "warn 1 INTERPOLATION A\nset A=$(id)\n" },
	{ "plain dollar is fine", "A=$HOME\n", 0, "set A=$HOME\n" },
	{ "backslashes verbatim", "A=a\\nb\\\\\n", 0, "set A=a\\\\nb\\\\\\\\\n" },
	{ "several dialect warnings", "A=\"${X} #\"\n", 0,
	  "warn 1 QUOTED A\nwarn 1 INLINE_COMMENT A\nwarn 1 INTERPOLATION A\nset A=\"${X} #\"\n" },
	{ "BOM warned, first name then invalid", "\xef\xbb\xbf" "A=1\nB=2\n", 0,
	  "warn 1 BOM\nwarn 1 BAD_KEY\nset B=2\n" },
	{ "only LF ends a line", "A=1\rB=2\n", 0, "set A=1\\rB=2\n" },
	{ "hook variables refused", "LD_PRELOAD=/v/x.so\nexport NODE_OPTIONS=-r /v/x\nOK=1\nPATH=/v/bin\n", 0,
	  "warn 1 HOOK LD_PRELOAD\nwarn 2 HOOK NODE_OPTIONS\nwarn 4 HOOK PATH\nset OK=1\n" },
	{ "hook prefixes refused", "LD_AUDIT=a\nGIT_CONFIG_KEY_0=core.fsmonitor\nNPM_CONFIG_SCRIPT_SHELL=x\n", 0,
	  "warn 1 HOOK LD_AUDIT\nwarn 2 HOOK GIT_CONFIG_KEY_0\nwarn 3 HOOK NPM_CONFIG_SCRIPT_SHELL\n" },
	{ "names that only look like hooks", "PATHS=1\nLD=2\nMY_LD_PRELOAD=3\nNODE_ENV=4\n", 0,
	  "set PATHS=1\nset LD=2\nset MY_LD_PRELOAD=3\nset NODE_ENV=4\n" },
};

TEST(dotenv_grammar_table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dotenv_case *c = &cases[i];
		struct record r;
		run_parse(c->in, c->len ? c->len : strlen(c->in), &r);
		if (strcmp(r.text, c->want)) {
			unit_fail(__FILE__, __LINE__, "case '%s': got\n%s---- want\n%s", c->name, r.text, c->want);
			return;
		}
	}
}

/* No report text ever contains a value, whatever the line looks like. */
TEST(dotenv_reports_never_show_values)
{
	static const char *const lines[] = {
		"BAD-KEY=SECRETVALUE\n", "SECRETVALUE\n", "export SECRETVALUE\n", "A=SECRETVALUE\0x\n",
		"A=\"SECRETVALUE\"\n", "A=${SECRETVALUE} #\n", "A=1\nA=SECRETVALUE\n", " A=SECRETVALUE\n",
		"LD_PRELOAD=SECRETVALUE\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		struct record r;
		size_t len = strlen(lines[i]);
		if (i == 3)
			len = 16;
		struct dotenv d = { 0 };
		struct cai_err err = { 0 };
		memset(&r, 0, sizeof(r));
		CHECK_INT(dotenv_parse(lines[i], len, NULL, &d, record_report, &r, &err), 0);
		dotenv_free(&d);
		CHECK(r.len > 0);
		CHECK(!strstr(r.text, "SECRET"));
		/* And the formatted message built from each report. */
		for (enum dotenv_problem p = DOTENV_BOM; p <= DOTENV_HOOK; p++) {
			char msg[512];
			dotenv_problem_format(p, "KEY", msg, sizeof(msg));
			CHECK(!strstr(msg, "SECRET"));
		}
	}
}

/* [env] allow_hooks keeps the hooks it names, and only those. */
TEST(dotenv_allowed_hooks_kept)
{
	const char *src = "NODE_OPTIONS=--max-old-space-size=4096\nPYTHONPATH=/v/lib\nLD_PRELOAD=/v/x.so\n";
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };
	struct record r = { 0 };

	CHECK_INT(dotenv_parse(src, strlen(src), "PYTHONPATH, NODE_OPTIONS", &d, record_report, &r, &err), 0);
	CHECK_STR(r.text, "warn 3 HOOK LD_PRELOAD\n");
	CHECK_INT(d.n, 2);
	CHECK_STR(d.vars[0], "NODE_OPTIONS=--max-old-space-size=4096");
	CHECK_STR(d.vars[1], "PYTHONPATH=/v/lib");
	dotenv_free(&d);
}

TEST(dotenv_many_duplicates_linear)
{
	/* 100k lines of the same name and 100k distinct names: the set keeps
	 * this fast; a quadratic scan would time out the suite. */
	size_t n = 100000, len = 0;
	char *buf = malloc(n * 16 * 2);
	CHECK(buf != NULL);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "K%zu=%zu\nDUP=%zu\n", i, i, i);
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };
	CHECK_INT(dotenv_parse(buf, len, NULL, &d, NULL, NULL, &err), 0);
	CHECK_INT(d.n, n + 1);
	CHECK_STR(d.vars[1], "DUP=0");
	dotenv_free(&d);
	free(buf);
}

static int read_file(const char *path, char **buf, size_t *len)
{
	struct cai_err err = { 0 };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return fd_read_bounded(fd, 1 << 20, buf, len, &err);
}

TEST(dotenv_corpus)
{
	DIR *d = opendir("tests/fixtures/dotenv");
	struct dirent *de;
	int seen = 0;

	CHECK(d != NULL);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".env"))
			continue;
		char in_path[512], want_path[512];
		snprintf(in_path, sizeof(in_path), "tests/fixtures/dotenv/%s", de->d_name);
		snprintf(want_path, sizeof(want_path), "tests/fixtures/dotenv/%.*s.expected", (int)(n - 4), de->d_name);
		char *in = NULL, *want = NULL;
		size_t in_len, want_len;
		if (read_file(in_path, &in, &in_len) < 0 || read_file(want_path, &want, &want_len) < 0) {
			unit_fail(__FILE__, __LINE__, "cannot read %s or %s", in_path, want_path);
			return;
		}
		struct record r;
		run_parse(in, in_len, &r);
		if (strcmp(r.text, want)) {
			unit_fail(__FILE__, __LINE__, "%s: got\n%s---- want\n%s", in_path, r.text, want);
			return;
		}
		free(in);
		free(want);
		seen++;
	}
	closedir(d);
	CHECK(seen >= 5);
}

TEST(dotenv_read_fd_refuses_fifo_without_blocking)
{
	char dir[] = "/tmp/cai-dotenv-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK_INT(mkfifo(path, 0600), 0);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK(fd >= 0);
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };
	CHECK_INT(dotenv_read_fd(fd, ".env", NULL, &d, &err), -1);
	CHECK_CONTAINS(err.msg, "not a regular file");
	close(fd);
	unlink(path);
	rmdir(dir);
}

TEST(dotenv_read_fd_refuses_oversize)
{
	char path[] = "/tmp/cai-dotenv-big-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK_INT(ftruncate(fd, DOTENV_MAX_SIZE + 1), 0);
	struct dotenv d = { 0 };
	struct cai_err err = { 0 };
	CHECK_INT(dotenv_read_fd(fd, ".env", NULL, &d, &err), -1);
	CHECK_CONTAINS(err.msg, "larger than");
	CHECK_INT(d.n, 0);
	close(fd);
}
