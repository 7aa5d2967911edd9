/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gates.h"
#include "unit.h"

TEST(gates_table)
{
	struct gate_input in = { .mode = MODE_NONE };
	struct cai_err err;
	int un;

	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "--force");
	in.force = 1;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	CHECK_INT(un, 1);
	in.require_isolation = 1;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "ineffective");
	in.mode = MODE_SYSBOX;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	CHECK_INT(un, 0);
	in.allow_sock = in.ack_sock = 1;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "only available in ECI mode");
	in.mode = MODE_GVISOR;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "only available in ECI mode (the mode here is gvisor)");
	in.allow_sock = in.ack_sock = 0;
	in.allow_creds = in.ack_creds = 1;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "--allow-host-credentials is only available in ECI mode");
	in.allow_creds = in.ack_creds = 0;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	CHECK_INT(un, 0);
	in.allow_sock = in.ack_sock = 1;
	in.mode = MODE_ECI;
	CHECK_INT(gates_check(&in, &un, &err), 0);
	in.ack_sock = 0;
	CHECK_INT(gates_check(&in, &un, &err), -1);
	CHECK_CONTAINS(err.msg, "--i-understand-this-grants-root-access");
}

TEST(workspace_gate)
{
	struct cai_err err;
	const char *const u[] = { "/home/u", NULL };

	CHECK_INT(gates_workspace_check("/home/u/src/p", u, &err), 0);
	CHECK_INT(gates_workspace_check("/", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.config", u, &err), -1);
	CHECK_CONTAINS(err.msg, ".config/gh");
	CHECK_INT(gates_workspace_check("/home/u/.sshx", u, &err), 0);
	/* The launcher's own config, keyrings and package-registry tokens. */
	CHECK_INT(gates_workspace_check("/home/u/.config/containai", u, &err), -1);
	/* The probe cache: a gVisor verdict the sandbox could keep alive. */
	CHECK_INT(gates_workspace_check("/home/u/.cache", u, &err), -1);
	CHECK_CONTAINS(err.msg, ".cache/containai");
	CHECK_INT(gates_workspace_check("/home/u/.cache/pip", u, &err), 0);
	CHECK_INT(gates_workspace_check("/home/u/.local", u, &err), -1);
	CHECK_CONTAINS(err.msg, ".local/share/keyrings");
	CHECK_INT(gates_workspace_check("/home/u/.cargo", u, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.password-store/x", u, &err), -1);
	CHECK_INT(gates_workspace_check("/var/run", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a,b", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a:ro", u, &err), -1);
	CHECK_INT(gates_workspace_check("/a\"b", u, &err), -1);
	CHECK_INT(gates_workspace_check("rel", u, &err), -1);
}

/* The workspace is resolved; a home or credential directory reached
 * through a symlink must be resolved as well, or its real path passes. */
TEST(workspace_gate_resolves_symlinked_home_and_secrets)
{
	char dir[] = "/tmp/cai-gates-XXXXXX", p[256], q[256], link[256];
	struct cai_err err;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/realhome", dir);
	CHECK_INT(mkdir(p, 0700), 0);
	snprintf(link, sizeof(link), "%s/home", dir);
	CHECK_INT(symlink(p, link), 0);
	const char *const h[] = { link, NULL };
	CHECK_INT(gates_workspace_check(p, h, &err), -1);
	CHECK_CONTAINS(err.msg, "contains your home");

	/* ~/.aws kept in a dotfiles directory outside $HOME. */
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(q, sizeof(q), "%s/dotfiles/aws", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(p, sizeof(p), "%s/realhome/.aws", dir);
	CHECK_INT(symlink(q, p), 0);
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(gates_workspace_check(q, h, &err), -1);
	CHECK_CONTAINS(err.msg, ".aws");

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK_INT(system(p), 0);
}

/* HOME unset or relative: the passwd entry's home still counts, and with
 * no home at all nothing can be ruled out. */
TEST(workspace_gate_without_home)
{
	struct cai_err err;
	const char *const none[] = { NULL };
	const char *const rel[] = { "relative", NULL };
	const char *const two[] = { "relative", "/home/u", NULL };

	CHECK_INT(gates_workspace_check("/srv/p", none, &err), -1);
	CHECK_CONTAINS(err.msg, "no home directory");
	CHECK_INT(gates_workspace_check("/srv/p", rel, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", two, &err), -1);
	CHECK_INT(gates_workspace_check("/srv/p", two, &err), 0);
}
