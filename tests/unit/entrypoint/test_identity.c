/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "unit.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"\n"
	"agent:x:1000:1000:Agent:/home/agent:/bin/sh\n"
	"alias:x:1000:1000::/home/alias:/bin/sh\n"
	"nohome:x:1001:1001:::/bin/sh\n";

static int pw(const char *buf, const char *name, uid_t uid, struct identity *id, struct cai_err *err)
{
	memset(id, 0, sizeof(*id));
	err_clear(err);
	return identity_parse_passwd(buf, strlen(buf), "passwd", name, uid, id, err);
}

TEST(passwd_by_name_and_uid)
{
	struct identity id;
	struct cai_err err;

	CHECK_INT(pw(passwd, "agent", 0, &id, &err), 1);
	CHECK_INT(id.uid, 1000);
	CHECK_INT(id.gid, 1000);
	CHECK_STR(id.home, "/home/agent");
	CHECK_INT(pw(passwd, NULL, 1000, &id, &err), 1);
	CHECK_STR(id.name, "agent");         /* the first name of a uid */
	CHECK_INT(pw(passwd, "nohome", 0, &id, &err), 1);
	CHECK_STR(id.home, "/");
	CHECK_INT(pw(passwd, "ghost", 0, &id, &err), 0);
	CHECK_INT(pw(passwd, "agen", 0, &id, &err), 0);
	CHECK_INT(pw(passwd, NULL, 4242, &id, &err), 0);
}

TEST(passwd_strict_lines)
{
	struct identity id;
	struct cai_err err;

	CHECK_INT(pw("root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000\n", "agent", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:2: 4 ':'-separated fields, expected 7");
	CHECK_INT(pw("a:x:1:1:::/bin/sh:extra\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: more than 7 ':'-separated fields");
	CHECK_INT(pw("a:x:one:1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: 'one' is not a number");
	CHECK_INT(pw("a:x:-1:1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: '-1' is not a number");
	CHECK_INT(pw("a:x:4294967295:1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: 4294967295 is larger than 4294967294");
	CHECK_INT(pw("a:x:01000:1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: '01000': a leading 0 is ambiguous (decimal or octal?)");
	CHECK_INT(pw("a:x::1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: field 3 is not an id");
	CHECK_INT(pw(":x:1:1:::\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: empty name");
	CHECK_INT(pw("+agent::::::\n", "agent", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: NSS compat entries are not supported");
	CHECK_INT(pw("a:x:1:1::home:/bin/sh\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:1: home directory is not an absolute path");
	CHECK_INT(pw("a:x:1:1::/h:/bin/sh\nb:x:2:2::/h:/bin/sh\na:x:3:3::/h:/bin/sh\n", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:3: user 'a' appears again (first at line 1)");

	static const char nul[] = "a:x:1:1::/h:/bin/sh\nb:x:2\0:2::/h:/bin/sh\n";
	memset(&id, 0, sizeof(id));
	CHECK_INT(identity_parse_passwd(nul, sizeof(nul) - 1, "passwd", "a", 0, &id, &err), -1);
	CHECK_STR(err.msg, "passwd:2: NUL byte in line");
}

static const char group[] =
	"root:x:0:\n"
	"agent:x:1000:\n"
	"tools:x:2000:other,agent\n"
	"again:x:1000:agent\n"
	"nope:x:3000:agentx,xagent\n"
	"last:x:4000:agent";

TEST(group_membership)
{
	struct identity id = { .uid = 1000, .gid = 1000, .name = "agent" };
	struct cai_err err = { 0 };

	CHECK_INT(identity_parse_group(group, strlen(group), "group", &id, &err), 0);
	CHECK_INT(id.ngroups, 3);
	CHECK_INT(id.groups[0], 1000);
	CHECK_INT(id.groups[1], 2000);
	CHECK_INT(id.groups[2], 4000);

	struct identity anon = { .uid = 5000, .gid = 5000 };
	CHECK_INT(identity_parse_group(group, strlen(group), "group", &anon, &err), 0);
	CHECK_INT(anon.ngroups, 1);
	CHECK_INT(anon.groups[0], 5000);
}

TEST(group_strict_and_bounded)
{
	struct identity id = { .uid = 1000, .gid = 1000, .name = "agent" };
	struct cai_err err = { 0 };
	const char *bad = "root:x:0:\ntools:x:2000\n";

	CHECK_INT(identity_parse_group(bad, strlen(bad), "group", &id, &err), -1);
	CHECK_STR(err.msg, "group:2: 3 ':'-separated fields, expected 4");

	char *many = malloc(64 * 100);
	CHECK(many != NULL);
	size_t n = 0;
	for (int i = 0; i < IDENTITY_MAX_GROUPS + 1; i++)
		n += (size_t)sprintf(many + n, "g%d:x:%d:agent\n", i, 2000 + i);
	CHECK_INT(identity_parse_group(many, n, "group", &id, &err), -1);
	CHECK_STR(err.msg, "group:64: user 'agent': more than 64 groups");
	free(many);
}

TEST(identity_env_adds_only_missing)
{
	struct identity id = { .uid = 1000, .gid = 1000, .name = "agent", .home = "/home/agent" };
	struct cai_err err = { 0 };
	char *base[] = { "PATH=/bin", "HOME=/keep", "USERX=1", NULL };
	char **env = identity_env(&id, base, &err);

	CHECK(env != NULL);
	CHECK_STR(env[0], "PATH=/bin");
	CHECK_STR(env[1], "HOME=/keep");
	CHECK_STR(env[2], "USERX=1");
	CHECK_STR(env[3], "USER=agent");
	CHECK_STR(env[4], "LOGNAME=agent");
	CHECK(env[5] == NULL);

	/* The engine's HOME for root is not the command's. */
	struct identity swapped = { .uid = 1000, .name = "agent", .home = "/home/agent", .root_home = "/root" };
	char *docker[] = { "HOME=/root", NULL };
	char **env3 = identity_env(&swapped, docker, &err);
	CHECK(env3 != NULL);
	CHECK_STR(env3[0], "HOME=/home/agent");
	CHECK_STR(env3[1], "USER=agent");
	/* Nor "/", what it gives an arbitrary uid (OpenShift). */
	char *slash[] = { "HOME=/", NULL };
	CHECK_STR(identity_env(&swapped, slash, &err)[0], "HOME=/home/agent");
	struct identity rootcmd = { .uid = 0, .name = "root", .home = "/root", .root_home = "/root" };
	CHECK_STR(identity_env(&rootcmd, docker, &err)[0], "HOME=/root");

	struct identity anon = { .uid = 5000, .gid = 5000, .home = "/" };
	char *empty[] = { NULL };
	char **env2 = identity_env(&anon, empty, &err);
	CHECK(env2 != NULL);
	CHECK_STR(env2[0], "HOME=/");
	CHECK(env2[1] == NULL);
}
