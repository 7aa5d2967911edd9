/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "err.h"
#include "unit.h"

TEST(err_set_appends_the_reason)
{
	struct cai_err err = { 0 };

	CHECK_INT(err_set(&err, ENOENT, "%s:%d", "f.ini", 3), -1);
	CHECK_STR(err.msg, "f.ini:3: No such file or directory");
	CHECK_INT(err.errnum, ENOENT);
	CHECK_INT(err_set(&err, 0, "plain"), -1);
	CHECK_STR(err.msg, "plain");
	CHECK_INT(err.errnum, 0);
}

TEST(err_prefix_adds_context_and_keeps_errnum)
{
	struct cai_err err = { 0 };

	err_set(&err, ELOOP, "claude/plugins");
	CHECK_INT(err_prefix(&err, "%s", "volume"), -1);
	CHECK_STR(err.msg, "volume: claude/plugins: Too many levels of symbolic links");
	CHECK_INT(err.errnum, ELOOP);
}

TEST(err_refuse_reads_as_a_sentence)
{
	struct cai_err err = { 0 };

	CHECK_INT(err_refuse(&err, EXDEV, "claude", "crosses a mount"), -1);
	CHECK_STR(err.msg, "claude: crosses a mount (refused)");
	CHECK_INT(err.errnum, EXDEV);
}

TEST(err_messages_are_cut_not_overrun)
{
	struct cai_err err = { 0 };
	char big[3 * CAI_ERR_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&err, EIO, "%s", big);
	CHECK_INT(strlen(err.msg), CAI_ERR_MAX - 1);
	err_prefix(&err, "%s", big);
	CHECK_INT(strlen(err.msg), CAI_ERR_MAX - 1);
	err_set(&err, 0, "short");
	err_prefix(&err, "%s", big);
	CHECK_INT(strlen(err.msg), CAI_ERR_MAX - 1);
}

TEST(err_clear_forgets)
{
	struct cai_err err = { 0 };

	err_set(&err, EPERM, "x");
	err_clear(&err);
	CHECK_STR(err.msg, "");
	CHECK_INT(err.errnum, 0);
}
