/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "wsname.h"

static int docker_name_ok(const char *n)
{
	struct cai_err err;
	return wsname_check(n, &err) == 0;
}

TEST(wsname_sanitize_maps_runs_to_one_dash)
{
	char out[64];

	wsname_sanitize("My Project!!v2", out, sizeof(out));
	CHECK_STR(out, "my-project-v2");
	wsname_sanitize("feature/ABC_12", out, sizeof(out));
	CHECK_STR(out, "feature-abc-12");
	wsname_sanitize("--..x..--", out, sizeof(out));
	CHECK_STR(out, "x");
	wsname_sanitize("a.b", out, sizeof(out));
	CHECK_STR(out, "a.b");
	wsname_sanitize("\xc3\xa9t\xc3\xa9", out, sizeof(out));
	CHECK_STR(out, "t");
	wsname_sanitize("!!!", out, sizeof(out));
	CHECK_STR(out, "");
}

TEST(wsname_git_repo_and_branch)
{
	char out[WSNAME_MAX + 1];

	wsname_derive("/src/ContainAI/sub", "/src/ContainAI", "feature/x", out);
	CHECK(!strncmp(out, "containai-containai-feature-x-", 30));
	CHECK_INT(strlen(out), 30 + 8);
	CHECK(docker_name_ok(out));
}

/* Two repositories called app on branch main, or one repository from two
 * of its directories: different workspaces, different sandboxes - in
 * every mode, also where the sandbox tool cannot tell them apart. */
TEST(wsname_unique_per_workspace_path)
{
	char a[WSNAME_MAX + 1], b[WSNAME_MAX + 1], c[WSNAME_MAX + 1];
	const char *br = "feature/a-very-long-branch-name-that-goes-on-and-on-and-on-one";

	wsname_derive("/home/u/one/app", "/home/u/one/app", "main", a);
	wsname_derive("/home/u/two/app", "/home/u/two/app", "main", b);
	wsname_derive("/home/u/one/app/sub", "/home/u/one/app", "main", c);
	CHECK(strcmp(a, b) && strcmp(a, c) && strcmp(b, c));
	/* Cut to 63, still apart. */
	wsname_derive("/home/u/one/app", "/home/u/one/app", br, a);
	wsname_derive("/home/u/two/app", "/home/u/two/app", br, b);
	CHECK_INT(strlen(a), WSNAME_MAX);
	CHECK(strcmp(a, b));
	/* A name given with --name too. */
	wsname_given("work", "/home/u/one/app", a);
	wsname_given("work", "/home/u/two/app", b);
	CHECK(!strncmp(a, "work-", 5));
	CHECK_INT(strlen(a), 5 + 8);
	CHECK(strcmp(a, b));
	CHECK(docker_name_ok(a));
}

TEST(wsname_plain_dir_has_short_hash)
{
	char a[WSNAME_MAX + 1], b[WSNAME_MAX + 1];

	wsname_derive("/home/u/proj", NULL, NULL, a);
	wsname_derive("/tmp/proj", NULL, NULL, b);
	CHECK(!strncmp(a, "containai-proj-", 15));
	CHECK_INT(strlen(a), 15 + 8);
	CHECK(strcmp(a, b));
	CHECK(docker_name_ok(a));
	/* Deterministic: the same path gives the same name. */
	wsname_derive("/home/u/proj", NULL, NULL, b);
	CHECK_STR(a, b);
}

TEST(wsname_detached_head_falls_back_to_dir)
{
	char out[WSNAME_MAX + 1];

	wsname_derive("/src/repo", "/src/repo", "HEAD", out);
	CHECK(!strncmp(out, "containai-repo-", 15));
	CHECK_INT(strlen(out), 23);
}

TEST(wsname_long_names_cut_to_63_and_stay_apart)
{
	char a[WSNAME_MAX + 1], b[WSNAME_MAX + 1];
	const char *br1 = "feature/a-very-long-branch-name-that-goes-on-and-on-and-on-one";
	const char *br2 = "feature/a-very-long-branch-name-that-goes-on-and-on-and-on-two";

	wsname_derive("/r", "/r/repository-name", br1, a);
	wsname_derive("/r", "/r/repository-name", br2, b);
	CHECK_INT(strlen(a), WSNAME_MAX);
	CHECK_INT(strlen(b), WSNAME_MAX);
	CHECK(strcmp(a, b));
	CHECK(docker_name_ok(a));
	CHECK(docker_name_ok(b));
}

TEST(wsname_variant_is_a_different_name_that_still_fits)
{
	char a[WSNAME_MAX + 1], b[WSNAME_MAX + 1];
	const char *br1 = "feature/a-very-long-branch-name-that-goes-on-and-on-and-on-one";
	const char *br2 = "feature/a-very-long-branch-name-that-goes-on-and-on-and-on-two";

	wsname_derive("/home/u/proj", NULL, NULL, a);
	snprintf(b, sizeof(b), "%s", a);
	wsname_add_variant(b, "host-socket");
	CHECK(!strncmp(b, a, strlen(a)));
	CHECK_STR(b + strlen(a), "-host-socket");
	wsname_derive("/r", "/r/repository-name", br1, a);
	wsname_derive("/r", "/r/repository-name", br2, b);
	wsname_add_variant(a, "host-socket-credentials");
	wsname_add_variant(b, "host-socket-credentials");
	CHECK_INT(strlen(a), WSNAME_MAX);
	CHECK(strcmp(a, b));
	CHECK(docker_name_ok(a));
}

TEST(wsname_empty_sanitized_parts)
{
	char out[WSNAME_MAX + 1];

	wsname_derive("/x/!!!", NULL, NULL, out);
	CHECK(docker_name_ok(out));
	wsname_derive("/x", "/x/###", "***", out);
	CHECK(!strncmp(out, "containai-repo-", 15));
	CHECK(docker_name_ok(out));
}

TEST(wsname_check_rules)
{
	struct cai_err err;

	CHECK_INT(wsname_check("ok-name.1", &err), 0);
	CHECK_INT(wsname_check("-x", &err), -1);
	CHECK_INT(wsname_check(".x", &err), -1);
	CHECK_INT(wsname_check("a b", &err), -1);
	CHECK_INT(wsname_check("a_b", &err), -1);
	CHECK_INT(wsname_check("", &err), -1);
	char longname[80];
	memset(longname, 'a', 64);
	longname[64] = '\0';
	CHECK_INT(wsname_check(longname, &err), -1);
	CHECK_CONTAINS(err.msg, "1 to 63");
	longname[63] = '\0';
	CHECK_INT(wsname_check(longname, &err), 0);
}

/* docker sandbox run re-enters a same-named sandbox as it was created: a
 * sandbox with the host's socket or credentials has a name of its own,
 * one for each combination. */
TEST(wsname_optin_variants_are_distinct)
{
	const char *sock = wsname_optin_variant(1, 0), *creds = wsname_optin_variant(0, 1);
	const char *both = wsname_optin_variant(1, 1);

	CHECK(wsname_optin_variant(0, 0) == NULL);
	CHECK(sock && creds && both);
	CHECK(strcmp(sock, creds) && strcmp(sock, both) && strcmp(creds, both));
}

TEST(wsname_choose_given_or_derived)
{
	char dir[] = "/tmp/cai-wsname-XXXXXX", want[WSNAME_MAX + 1], out[WSNAME_MAX + 1];
	struct cai_err err;

	CHECK_INT(wsname_choose("my-box.1", "/nowhere", 0, 0, 5000, out, &err), 0);
	wsname_given("my-box.1", "/nowhere", want);
	CHECK_STR(out, want);
	/* --name gets the opt-ins' variant as well: a later plain run with
	 * the same --name never enters the sandbox holding the socket. */
	CHECK_INT(wsname_choose("my-box.1", "/nowhere", 1, 1, 5000, out, &err), 0);
	wsname_add_variant(want, wsname_optin_variant(1, 1));
	CHECK_STR(out, want);
	CHECK(!strncmp(out, "my-box.1-", 9));
	CHECK_INT(wsname_choose("bad name", "/nowhere", 0, 0, 5000, out, &err), -1);
	/* Outside a work tree: the directory and its hash. */
	CHECK(mkdtemp(dir) != NULL);
	wsname_derive(dir, NULL, NULL, want);
	CHECK_INT(wsname_choose(NULL, dir, 0, 0, 5000, out, &err), 0);
	CHECK_STR(out, want);
	CHECK_INT(wsname_choose(NULL, dir, 1, 0, 5000, out, &err), 0);
	wsname_add_variant(want, wsname_optin_variant(1, 0));
	CHECK_STR(out, want);
	CHECK_INT(rmdir(dir), 0);
}
