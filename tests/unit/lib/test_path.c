/* SPDX-License-Identifier: MIT */
#include "path.h"
#include "unit.h"

TEST(path_within_itself_and_below)
{
	CHECK_INT(path_within("/a", "/a"), 1);
	CHECK_INT(path_within("/a/b", "/a"), 1);
	CHECK_INT(path_within("/a/b/c", "/a/b"), 1);
}

TEST(path_within_is_by_component)
{
	CHECK_INT(path_within("/ab", "/a"), 0);
	CHECK_INT(path_within("/a", "/a/b"), 0);
	CHECK_INT(path_within("/", "/a"), 0);
	CHECK_INT(path_within("/var/lib/dockerx", "/var/lib/docker"), 0);
}

TEST(path_within_root_holds_everything)
{
	CHECK_INT(path_within("/", "/"), 1);
	CHECK_INT(path_within("/a", "/"), 1);
	CHECK_INT(path_within("/home/dev/proj", "/"), 1);
	CHECK_INT(path_within("relative", "/"), 0);
}

TEST(path_check_rel_names_the_path)
{
	struct cai_err err = { 0 };

	CHECK_INT(path_check_rel("claude/plugins", &err), 0);
	CHECK_INT(path_check_rel(".claude/settings.json", &err), 0);
	CHECK_INT(path_check_rel("a//b", &err), -1);
	CHECK_CONTAINS(err.msg, "a//b: empty path component");
	CHECK_INT(path_check_rel("a/./b", &err), -1);
	CHECK_CONTAINS(err.msg, "'.' component");
	CHECK_INT(path_check_rel("a/..", &err), -1);
	CHECK_CONTAINS(err.msg, "'..' component not allowed");
	CHECK_INT(path_check_rel("a/", &err), -1);
	CHECK_INT(path_check_rel("/a", &err), -1);
	CHECK_INT(path_check_rel("", &err), -1);
	CHECK_INT(path_check_rel("..a/b..", &err), 0);
}
