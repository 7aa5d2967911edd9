/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "manifest.h"
#include "macro.h"
#include "unit.h"

static int parse(struct manifest *m, const char *text, struct cai_err *err)
{
	return manifest_parse_buf(m, text, strlen(text), "volume.ini", err);
}

TEST(manifest_parses_entries_with_defaults)
{
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK_INT(parse(&m,
			"; comment\n"
			"[dir claude]\n"
			"[dir claude/plugins]\n"
			"mode = 0700\n"
			"[file claude/credentials.json]\n"
			"mode = 0600\n"
			"init = {}   ; comment\n"
			"[file claude/notes]\n",
			&err), 0);
	CHECK_INT(m.count, 4);
	CHECK_STR(m.entries[0].path, "claude");
	CHECK_INT(m.entries[0].type, MANIFEST_DIR);
	CHECK_INT(m.entries[0].mode, 0755);
	CHECK_INT(m.entries[1].mode, 0700);
	CHECK_INT(m.entries[1].line, 3);
	CHECK_INT(m.entries[2].type, MANIFEST_FILE);
	CHECK_INT(m.entries[2].mode, 0600);
	CHECK_STR(m.entries[2].init, "{}");
	CHECK_INT(m.entries[3].mode, 0644);
	CHECK(m.entries[3].init == NULL);
	manifest_free(&m);
}

TEST(manifest_adds_unnamed_parents_first)
{
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK_INT(parse(&m, "[dir a]\n[file a/b/c/f]\nmode = 0600\n[dir a/b/d]\n", &err), 0);
	CHECK_INT(m.count, 5);
	CHECK_STR(m.entries[0].path, "a");
	CHECK_INT(m.entries[0].implicit, 0);
	CHECK_STR(m.entries[1].path, "a/b");
	CHECK_INT(m.entries[1].implicit, 1);
	CHECK_INT(m.entries[1].mode, 0755);
	CHECK_STR(m.entries[2].path, "a/b/c");
	CHECK_INT(m.entries[2].line, 2);
	CHECK_STR(m.entries[3].path, "a/b/c/f");
	CHECK_STR(m.entries[4].path, "a/b/d");
	manifest_free(&m);
}

/* inih cuts section names at 50 bytes; keys still belong to the entry. */
TEST(manifest_long_paths_keep_their_keys)
{
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK_INT(parse(&m,
			"[file vscode-server-insiders/data/User/a-rather-long-name.json]\n"
			"mode = 0600\n"
			"init = {}\n",
			&err), 0);
	CHECK_INT(m.count, 4);
	CHECK_INT(m.entries[3].mode, 0600);
	CHECK_STR(m.entries[3].init, "{}");
	manifest_free(&m);
}

TEST(manifest_links_and_tree)
{
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK_INT(parse(&m,
			"[link .claude]\n"
			"target = claude\n"
			"[dir claude]\n"
			"[file claude/a]\n"
			"[dir other]\n"
			"[file claude/b]\n"
			"[link .config/gh]\n"
			"target = claude/b\n",
			&err), 0);
	CHECK_INT(m.nlinks, 2);
	CHECK_STR(m.links[0].path, ".claude");
	CHECK_STR(m.links[0].target, "claude");
	CHECK_INT(m.links[0].line, 1);
	CHECK_STR(m.links[1].path, ".config/gh");
	CHECK_STR(m.links[1].target, "claude/b");
	/* The tree: the root holds claude and other, claude holds a then b. */
	CHECK_STR(m.entries[m.first_top].path, "claude");
	CHECK_STR(m.entries[m.entries[m.first_top].next_sibling].path, "other");
	const struct manifest_entry *c = manifest_find(&m, "claude", 6);
	CHECK(c != NULL);
	CHECK_STR(m.entries[c->first_child].path, "claude/a");
	CHECK_STR(m.entries[m.entries[c->first_child].next_sibling].path, "claude/b");
	CHECK(m.entries[m.entries[c->first_child].next_sibling].next_sibling == MANIFEST_NONE);
	CHECK(manifest_find(&m, "claude/c", 8) == NULL);
	manifest_free(&m);
}

TEST(manifest_empty_is_valid)
{
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK_INT(parse(&m, "", &err), 0);
	CHECK_INT(m.count, 0);
	manifest_free(&m);
}

struct bad_case {
	const char *text;
	const char *want;       /* the whole "FILE:LINE: ..." head of the message */
};

TEST(manifest_refuses_with_file_and_line)
{
	const struct bad_case cases[] = {
		{ "[dir a]\n[dir /etc]\n", "volume.ini:2: [dir /etc]: /etc: absolute path" },
		{ "[file ../x]\n", "volume.ini:1: [file ../x]: ../x: '..' component not allowed" },
		{ "\n[dir a/../../b]\n", "volume.ini:2: [dir a/../../b]: a/../../b: '..' component" },
		{ "[dir a/./b]\n", "volume.ini:1: [dir a/./b]: a/./b: '.' component" },
		{ "[dir .]\n", "volume.ini:1: [dir .]: .: '.' component" },
		{ "[dir a//b]\n", "volume.ini:1: [dir a//b]: a//b: empty path component" },
		{ "[dir a/]\n", "volume.ini:1: [dir a/]: a/: empty path component" },
		{ "[dir ]\n", "volume.ini:1: [dir ]: empty path" },
		{ "[dir  a]\n", "volume.ini:1: [dir  a]: ' a': blank at the start" },
		{ "[dir a\tb]\n", "volume.ini:1: [dir a\tb]: control character" },
		{ "[dir a]\n[dir b]\n[dir a]\n", "volume.ini:3: duplicate entry 'a' (first at line 1)" },
		{ "[dir a]\n[file a]\n", "volume.ini:2: duplicate entry 'a' (first at line 1)" },
		{ "[dir a/b]\n[dir a]\n", "volume.ini:2: 'a' comes after line 1, which needs it as a parent" },
		{ "[file a]\n[dir a/b]\n", "volume.ini:2: 'a/b' is beneath the file 'a' (line 1)" },
		{ "[file a]\n[file a/b/c]\n", "volume.ini:2: 'a/b/c' is beneath the file 'a' (line 1)" },
		{ "[dir a]\n[file a/b]\n[dir a/b/c/d]\n", "volume.ini:3: 'a/b/c/d' is beneath the file 'a/b' (line 2)" },
		{ "[dir a]\nmode = 999\n", "volume.ini:2: [dir a] mode: '999' is not an octal mode" },
		{ "[dir a]\nmode = 4755\n", "volume.ini:2: [dir a] mode: mode '4755' has special bits" },
		{ "[file a]\nmode = rw\n", "volume.ini:2: [file a] mode: 'rw' is not an octal mode" },
		{ "[file a]\nmode = 0600\nmode = 0644\n", "volume.ini:3: [file a] mode is set twice" },
		{ "[file a]\ninit = {}\ninit = x\n", "volume.ini:3: [file a] init is set twice" },
		{ "[dir a]\ninit = {}\n", "volume.ini:2: unknown key 'init' in [dir a]" },
		{ "[file a]\nowner = 0\n", "volume.ini:2: unknown key 'owner' in [file a]" },
		{ "[volume]\n", "volume.ini:1: unknown section [volume]" },
		{ "[dirs a]\n", "volume.ini:1: unknown section [dirs a]" },
		{ "mode = 0755\n", "volume.ini:1: key 'mode' outside any section" },
		{ "[dir a]\n[dir b] x\n", "volume.ini:2: text after section header" },
		{ "[dir a]\nnonsense\n", "volume.ini:2: syntax error" },
		{ "[link x]\n", "volume.ini:1: [link x] has no target" },
		{ "[dir a]\n[link x]\ntarget = b\n", "volume.ini:2: [link x] target 'b' is not an entry of the manifest" },
		{ "[dir a]\n[link x]\ntarget = a\ntarget = a\n", "volume.ini:4: [link x] target is set twice" },
		{ "[dir a]\n[link x]\ntarget = ../a\n", "volume.ini:3: [link x] target: ../a: '..' component" },
		{ "[dir a]\n[link x]\nmode = 0700\n", "volume.ini:3: unknown key 'mode' in [link x]" },
		{ "[dir a]\n[link /x]\ntarget = a\n", "volume.ini:2: [link /x]: /x: absolute path" },
		{ "[dir a]\n[link x]\ntarget = a\n[link x]\n", "volume.ini:4: duplicate link 'x' (first at line 2)" },
		{ "[dir a]\n[link x/y]\ntarget = a\n[link x]\ntarget = a\n",
		  "volume.ini:2: [link x/y] is beneath the link 'x' (line 4)" },
		{ "[dir a]\n[link x]\ntarget = a\n[link x/y]\ntarget = a\n",
		  "volume.ini:4: [link x/y] is beneath the link 'x' (line 2)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct manifest m;
		struct cai_err err = { 0 };

		if (parse(&m, cases[i].text, &err) == 0) {
			manifest_free(&m);
			unit_fail(__FILE__, __LINE__, "accepted: %s", cases[i].text);
		}
		CHECK_INT(m.count, 0);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)))
			unit_fail(__FILE__, __LINE__, "\"%s\" does not start with \"%s\"", err.msg, cases[i].want);
	}
}

TEST(manifest_load_reads_a_file)
{
	char path[] = "/tmp/cai-manifest.XXXXXX";
	struct manifest m;
	struct cai_err err = { 0 };
	int fd = mkstemp(path);
	const char text[] = "[dir x]\n[file x/y]\nmode = 0601\n";

	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	CHECK_INT(manifest_load(&m, path, &err), 0);
	CHECK_INT(m.count, 2);
	CHECK_INT(m.entries[1].mode, 0601);
	manifest_free(&m);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK_INT(write(fd, "[dir ../z]\n", 11), 11);
	close(fd);
	CHECK_INT(manifest_load(&m, path, &err), -1);
	CHECK_CONTAINS(err.msg, ":4: [dir ../z]");
	CHECK_CONTAINS(err.msg, path);
	unlink(path);
}

TEST(manifest_ten_thousand_entries)
{
	size_t cap = 10000 * 32;
	char *buf = malloc(cap);
	size_t len = 0;
	struct manifest m;
	struct cai_err err = { 0 };

	CHECK(buf);
	for (int i = 0; i < 100; i++)
		for (int j = 0; j < 99; j++)
			len += (size_t)snprintf(buf + len, cap - len, "[file d%d/f%d]\n", i, j);
	CHECK_INT(manifest_parse_buf(&m, buf, len, "big.ini", &err), 0);
	CHECK_INT(m.count, 100 * 100);
	manifest_free(&m);
	free(buf);
}
