/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "argv.h"
#include "unit.h"

static const char *q(const char *w)
{
	static char buf[256];
	return shell_quote(w, buf, sizeof(buf)) == 0 ? buf : "(overflow)";
}

TEST(shell_quote_plain_words_stay_bare)
{
	CHECK_STR(q("docker"), "docker");
	CHECK_STR(q("--label"), "--label");
	CHECK_STR(q("type=bind,source=/a/b,target=/c"), "type=bind,source=/a/b,target=/c");
}

TEST(shell_quote_specials)
{
	CHECK_STR(q(""), "''");
	CHECK_STR(q("a b"), "'a b'");
	CHECK_STR(q("it's"), "'it'\\''s'");
	CHECK_STR(q("$HOME"), "'$HOME'");
	CHECK_STR(q("`x`"), "'`x`'");
	CHECK_STR(q("~"), "'~'");
	CHECK_STR(q("a*"), "'a*'");
	CHECK_STR(q("#c"), "'#c'");
	CHECK_STR(q("=x"), "'=x'");
}

TEST(shell_quote_control_bytes_stay_on_one_line)
{
	CHECK_STR(q("a\nb"), "$'a\\012b'");
	CHECK_STR(q("x'\\\t"), "$'x\\'\\\\\\011'");
}

/* A C1 control in UTF-8 (c2 9b: CSI) or as a lone byte never reaches the
 * terminal raw; other non-ASCII bytes are escaped alike and round-trip. */
TEST(shell_quote_high_bytes_are_escaped)
{
	CHECK_STR(q("a\xc2\x9b" "2J"), "$'a\\302\\2332J'");
	CHECK_STR(q("\x9b"), "$'\\233'");
	CHECK_STR(q("jos\xc3\xa9"), "$'jos\\303\\251'");
}

TEST(shell_quote_overflow_is_an_error)
{
	char small[4];
	CHECK_INT(shell_quote("abcdef", small, sizeof(small)), -1);
	CHECK_INT(shell_quote("a b", small, sizeof(small)), -1);
}

TEST(argv_to_shell_joins_quoted_words)
{
	struct argv a = { 0 };
	struct cai_err err;

	argv_push(&a, "docker");
	argv_pushf(&a, "--label=%s", "x y");
	argv_push(&a, "");
	CHECK_INT(argv_ok(&a, &err), 0);
	CHECK_INT(a.n, 3);
	CHECK(a.v[3] == NULL);
	char *s = argv_to_shell(&a);
	CHECK_STR(s, "docker '--label=x y' ''");
	free(s);
	argv_free(&a);
}

TEST(argv_empty_is_not_ok)
{
	struct argv a = { 0 };
	struct cai_err err;

	CHECK_INT(argv_ok(&a, &err), -1);
}
