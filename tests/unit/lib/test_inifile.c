/* SPDX-License-Identifier: MIT */
/* inifile on its own: what every config reader gets from it, with a
 * reader that records what it is handed. */
#include <stdio.h>
#include <string.h>

#include "inifile.h"
#include "macro.h"
#include "unit.h"

struct seen {
	char text[1024];
	size_t len;
};

static int on_section(void *ctx, const char *section, unsigned line, struct cai_err *err)
{
	struct seen *s = ctx;
	int n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "[%s]@%u ", section, line);

	s->len += n > 0 ? (size_t)n : 0;
	return 0;
}

static int on_key(void *ctx, const char *section, const char *key, const char *value,
		  unsigned line, struct cai_err *err)
{
	struct seen *s = ctx;

	if (!strcmp(key, "refuse"))
		return err_set(err, 0, "'%s' refused", value);
	int n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s=%s@%u ", key, value, line);
	s->len += n > 0 ? (size_t)n : 0;
	return 0;
}

static const struct inifile_ops ops = { .on_section = on_section, .on_key = on_key };

static int parse(const char *text, size_t len, struct seen *s, struct cai_err *err)
{
	memset(s, 0, sizeof(*s));
	return inifile_parse_buf(text, len, "t.ini", &ops, s, err);
}

#define PARSE(text, s, err) parse(text, strlen(text), s, err)

TEST(inifile_hands_out_sections_and_keys_with_lines)
{
	struct seen s;
	struct cai_err err = { 0 };

	CHECK_INT(PARSE("; comment\n[a]\nk = v\n\n[empty]\n[b]\nx=1\n", &s, &err), 0);
	/* An empty section is reported too: it switches its step on. */
	CHECK_STR(s.text, "[a]@2 k=v@3 [empty]@5 [b]@6 x=1@7 ");
}

TEST(inifile_crlf_and_bom_accepted)
{
	struct seen s;
	struct cai_err err = { 0 };

	/* The header behind the mark is a header: its step is switched on. */
	CHECK_INT(PARSE("\xef\xbb\xbf[a]\r\nk = v\r\n", &s, &err), 0);
	CHECK_STR(s.text, "[a]@1 k=v@2 ");
	/* Only before the first line, as inih has it. */
	CHECK_INT(PARSE("[a]\n\xef\xbb\xbf[b]\n", &s, &err), -1);
}

TEST(inifile_header_after_any_space_is_still_seen)
{
	/* inih skips every isspace() byte before '['; so must we, or keys
	 * would land in a section the reader never switched on. */
	struct seen s;
	struct cai_err err = { 0 };

	CHECK_INT(PARSE("\v[a]\n\f [b]\nk = v\n", &s, &err), 0);
	CHECK_STR(s.text, "[a]@1 [b]@2 k=v@3 ");
	/* After a key, inih reads an indented line as more of its value: the
	 * reader is handed the key again (and config readers refuse repeats). */
	CHECK_INT(PARSE("[a]\nk = v\n  w\n", &s, &err), 0);
	CHECK_STR(s.text, "[a]@1 k=v@2 k=w@3 ");
}

TEST(inifile_long_line_is_refused_not_split)
{
	/* inih would read the tail of a long line as a line of its own: a
	 * value could smuggle in "key = value". */
	char text[512];
	struct seen s;
	struct cai_err err = { 0 };
	int n = snprintf(text, sizeof(text), "[a]\nk = ");

	memset(text + n, 'a', INIFILE_MAX_LINE);
	strcpy(text + n + INIFILE_MAX_LINE, "\n");
	CHECK_INT(PARSE(text, &s, &err), -1);
	CHECK_STR(err.msg, "t.ini:2: line longer than 199 characters");
	CHECK(!strstr(s.text, "k="));
	/* Exactly the longest line inih reads whole. */
	memset(text + n, 'a', INIFILE_MAX_LINE - (size_t)n);
	strcpy(text + INIFILE_MAX_LINE, "\n");
	CHECK_INT(PARSE(text, &s, &err), 0);
}

TEST(inifile_nul_byte_is_refused)
{
	static const char text[] = "[a]\nk = v\0w\n";
	struct seen s;
	struct cai_err err = { 0 };

	CHECK_INT(parse(text, sizeof(text) - 1, &s, &err), -1);
	CHECK_STR(err.msg, "t.ini:2: NUL byte in line");
}

TEST(inifile_every_refusal_names_file_and_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "k = v\n", "t.ini:1: key 'k' outside any section" },
		{ "[a] b\n", "t.ini:1: text after section header" },
		{ "[a\n", "t.ini:1: section header without ']'" },
		{ "[a]\nnot a pair\n", "t.ini:2: syntax error (expected '[section]' or 'key = value')" },
		{ "[a]\n\nrefuse = x\n", "t.ini:3: 'x' refused" },
	};
	struct seen s;
	struct cai_err err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_INT(PARSE(cases[i].text, &s, &err), -1);
		CHECK_STR(err.msg, cases[i].want);
	}
}

TEST(inifile_values)
{
	struct cai_err err = { 0 };
	unsigned long n;
	unsigned mode;
	int b;

	CHECK_INT(inifile_bool("yes", &b, &err), 0);
	CHECK_INT(b, 1);
	CHECK_INT(inifile_bool("off", &b, &err), 0);
	CHECK_INT(b, 0);
	CHECK_INT(inifile_bool("True", &b, &err), -1);
	CHECK_INT(inifile_uint("3600", 3600, &n, &err), 0);
	CHECK_INT(n, 3600);
	CHECK_INT(inifile_uint("3601", 3600, &n, &err), -1);
	CHECK_INT(inifile_uint("010", 3600, &n, &err), -1);
	CHECK_INT(inifile_mode("0750", &mode, &err), 0);
	CHECK_INT(mode, 0750);
	CHECK_INT(inifile_mode("755", &mode, &err), 0);
	CHECK_INT(mode, 0755);
	CHECK_INT(inifile_mode("4755", &mode, &err), -1);
	CHECK_CONTAINS(err.msg, "special bits");
	CHECK_INT(inifile_mode("0789", &mode, &err), -1);
	CHECK_INT(inifile_mode("07", &mode, &err), -1);
}
