/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "macro.h"
#include "unit.h"

static int parse(const char *text, struct import_policy *p, struct cai_err *err)
{
	return import_policy_parse(text, strlen(text), "import.ini", p, err);
}

/* The list built into the launcher is the one in policy/, and reads. */
TEST(import_builtin_list_reads)
{
	static struct import_policy p;
	struct cai_err err;

	CHECK_INT(import_policy_builtin(&p, &err), 0);
	CHECK(p.n > 10);
	CHECK_INT(p.e[0].kind, IMPORT_GIT);
	CHECK_STR(p.e[0].to, "git/config");
	int creds = 0;
	for (size_t i = 0; i < p.n; i++)
		creds += p.e[i].credential;
	CHECK(creds >= 3);
}

TEST(import_list_refusals_name_their_line)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "[file ../x]\nto = a\n", "import.ini:1: [file ../x]: ../x: '..' component not allowed" },
		{ "[file /etc/shadow]\nto = a\n", "import.ini:1: [file /etc/shadow]" },
		{ "[file a]\nto = ../b\n", "import.ini:2: to: ../b" },
		{ "[file a]\nto = /b\n", "import.ini:2: to: /b: absolute" },
		{ "[file a]\n[file b]\nto = c\n", "import.ini:2: [file b] follows a section without 'to'" },
		{ "[file a]\n", "import.ini:1: no 'to'" },
		{ "[file a]\nto = b\nto = c\n", "import.ini:3: 'to' given twice" },
		{ "[files a]\nto = b\n", "import.ini:1: unknown section" },
		{ "[file a]\nto = b\nmode = 0600\n", "import.ini:3: unknown key 'mode'" },
		{ "[git identity]\nto = g\ncredential = true\n", "import.ini:3: unknown key 'credential'" },
		{ "[file a]\nto = b\ncredential = maybe\n", "import.ini:3: credential" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		static struct import_policy p;
		struct cai_err err = { 0 };
		if (parse(cases[i].text, &p, &err) != -1 || !strstr(err.msg, cases[i].why))
			unit_fail(__FILE__, __LINE__, "case %zu: \"%s\"", i, err.msg);
	}
}

/* Only name and email, quoted; nothing that could end the line. */
TEST(import_gitconfig_values)
{
	char out[2048];
	struct cai_err err;

	CHECK_INT(import_gitconfig("Dev \"X\" \\o/", "dev@example.org", out, sizeof(out), &err), 0);
	CHECK_STR(out, "[user]\n\tname = \"Dev \\\"X\\\" \\\\o/\"\n\temail = \"dev@example.org\"\n");
	CHECK_INT(import_gitconfig(NULL, "e@x", out, sizeof(out), &err), 0);
	CHECK_STR(out, "[user]\n\temail = \"e@x\"\n");
	CHECK_INT(import_gitconfig("a\n[core]\n\tsshCommand = evil", NULL, out, sizeof(out), &err), -1);
	CHECK_CONTAINS(err.msg, "control character");
	char long_name[400];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_INT(import_gitconfig(long_name, NULL, out, sizeof(out), &err), -1);
}

static char home[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", home, rel);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", home, rel);
	if (symlink(target, path) < 0)
		unit_fail(__FILE__, __LINE__, "symlink %s", path);
}

static const struct import_item *find(const struct import_plan *plan, const char *to)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->items[i].to, to))
			return &plan->items[i];
	return NULL;
}

/* A fake home: a symlink is followed only to a place the list names;
 * FIFOs and large files are skipped; credentials wait for their flag. */
TEST(import_resolve_fake_home)
{
	static struct import_policy p;
	static struct import_plan plan;
	struct cai_err err;
	char path[256];

	snprintf(home, sizeof(home), "/tmp/cai-import-unit.XXXXXX");
	CHECK(mkdtemp(home));
	CHECK_INT(parse("[file a/settings.json]\nto = a/settings.json\n"
			"[file a/notes.md]\nto = a/notes.md\n"
			"[dir a/skills]\nto = a/skills\n"
			"[file a/token]\nto = a/token\ncredential = true\n", &p, &err), 0);
	snprintf(path, sizeof(path), "mkdir -p %s/a/skills/one %s/outside", home, home);
	CHECK_INT(system(path), 0);
	put("a/settings.json", "{}");
	put("a/skills/one/SKILL.md", "skill");
	put("a/token", "secret");
	put("outside/id_rsa", "key");
	put("a/skills/big", "");
	snprintf(path, sizeof(path), "%s/a/skills/big", home);
	CHECK_INT(truncate(path, IMPORT_FILE_MAX + 1), 0);
	link_to("a/notes.md", "../outside/id_rsa");            /* out of the list */
	link_to("a/skills/one/leak", "../../../outside/id_rsa");
	link_to("a/skills/settings", "../settings.json");      /* to a place it names */
	snprintf(path, sizeof(path), "%s/a/skills/fifo", home);
	CHECK_INT(mkfifo(path, 0600), 0);

	CHECK_INT(import_resolve(&p, home, 0, &plan, &err), 0);
	CHECK(find(&plan, "a/settings.json") != NULL);
	CHECK(find(&plan, "a/skills/one/SKILL.md") != NULL);
	CHECK(find(&plan, "a/skills/settings") != NULL);
	CHECK(find(&plan, "a/notes.md") == NULL);
	CHECK(find(&plan, "a/skills/one/leak") == NULL);
	CHECK(find(&plan, "a/skills/fifo") == NULL);
	CHECK(find(&plan, "a/skills/big") == NULL);
	CHECK(find(&plan, "a/token") == NULL);
	CHECK_INT(plan.n, 3);
	memset(&plan, 0, sizeof(plan));
	CHECK_INT(import_resolve(&p, home, 1, &plan, &err), 0);
	CHECK(find(&plan, "a/token") && find(&plan, "a/token")->credential);
	snprintf(path, sizeof(path), "rm -rf %s", home);
	CHECK_INT(system(path), 0);
}
