/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <unistd.h>

#include "log.h"
#include "unit.h"

/* What one log_warn("%s", msg) writes to stderr. */
static void logged(const char *msg, char *out, size_t size)
{
	int p[2], saved = dup(STDERR_FILENO);

	out[0] = '\0';
	if (saved < 0 || pipe(p) < 0)
		return;
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	log_warn("%s", msg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t n = read(p[0], out, size - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
}

TEST(log_c0_controls_replaced)
{
	char out[256];

	log_init("t");
	logged("a\nt: error: forged\x1b[2Jb\x7f", out, sizeof(out));
	CHECK_STR(out, "t: warn: a?t: error: forged?[2Jb?\n");
}

TEST(log_c1_controls_replaced)
{
	char out[256];

	log_init("t");
	/* CSI and OSC in their UTF-8 form, then as bare 8-bit bytes. */
	logged("a\xc2\x9b" "2J\xc2\x9d" "52;c;x\x07|\x9b" "2J\x9d", out, sizeof(out));
	CHECK_STR(out, "t: warn: a??2J??52;c;x?|?2J?\n");
}

TEST(log_utf8_text_kept)
{
	char out[256];

	log_init("t");
	logged("caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x82", out, sizeof(out));
	CHECK_STR(out, "t: warn: caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80 ??\n");
}

/* What a JSON writer refuses is not text either: overlong forms, UTF-16
 * surrogates and code points past U+10FFFF become '?' byte by byte. */
TEST(log_malformed_utf8_replaced)
{
	char out[256];

	log_init("t");
	logged("a\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x80\x80\xaf|\xc0\xaf|\xed\x9f\xbf", out,
	       sizeof(out));
	CHECK_STR(out, "t: warn: a???|???|????|????|??|\xed\x9f\xbf\n");
}
