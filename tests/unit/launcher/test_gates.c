/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

	CHECK_INT(gates_workspace_check("/home/u/src/p", u, NULL, &err), 0);
	CHECK_INT(gates_workspace_check("/", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.config", u, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, ".config/gh");
	CHECK_INT(gates_workspace_check("/home/u/.sshx", u, NULL, &err), 0);
	/* The launcher's own config, keyrings and package-registry tokens. */
	CHECK_INT(gates_workspace_check("/home/u/.config/containai", u, NULL, &err), -1);
	/* The probe cache: a gVisor verdict the sandbox could keep alive. */
	CHECK_INT(gates_workspace_check("/home/u/.cache", u, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, ".cache/containai");
	CHECK_INT(gates_workspace_check("/home/u/.cache/pip", u, NULL, &err), 0);
	CHECK_INT(gates_workspace_check("/home/u/.local", u, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, ".local/share/keyrings");
	CHECK_INT(gates_workspace_check("/home/u/.cargo", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.password-store/x", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/var/run", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/a,b", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/a:ro", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/a\"b", u, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("rel", u, NULL, &err), -1);
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
	CHECK_INT(gates_workspace_check(p, h, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "contains your home");

	/* ~/.aws kept in a dotfiles directory outside $HOME. */
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(q, sizeof(q), "%s/dotfiles/aws", dir);
	CHECK_INT(mkdir(q, 0700), 0);
	snprintf(p, sizeof(p), "%s/realhome/.aws", dir);
	CHECK_INT(symlink(q, p), 0);
	snprintf(q, sizeof(q), "%s/dotfiles", dir);
	CHECK_INT(gates_workspace_check(q, h, NULL, &err), -1);
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

	CHECK_INT(gates_workspace_check("/srv/p", none, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "no home directory");
	CHECK_INT(gates_workspace_check("/srv/p", rel, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/home/u/.ssh", two, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/srv/p", two, NULL, &err), 0);
}

/* The host's own state and other users' homes are never a workspace, nor
 * inside one - wherever the user's home is, except inside it. */
TEST(workspace_gate_host_paths)
{
	struct cai_err err;
	const char *const u[] = { "/home/u", NULL };
	const char *const root[] = { "/root", NULL };
	const char *const svc[] = { "/var/lib/jenkins", NULL };
	static const char *const refused[] = {
		"/etc", "/etc/ssh", "/proc/1/root", "/sys/fs", "/dev/shm", "/var", "/var/lib",
		"/var/lib/docker/volumes/v/_data", "/var/run", "/run/user/1000", "/boot/efi",
		"/root", "/root/src",
	};
	char real[PATH_MAX];

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (gates_workspace_check(refused[i], u, NULL, &err) == 0)
			unit_fail(__FILE__, __LINE__, "workspace %s accepted", refused[i]);
	CHECK_INT(gates_workspace_check("/etc/x", u, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "would expose the host's /etc");
	/* As resolved too: /var/run is usually a link to /run. */
	if (realpath("/var/run", real)) {
		strcat(real, "/x");
		CHECK_INT(gates_workspace_check(real, u, NULL, &err), -1);
	}
	/* Other users' homes: /home itself, also for a user living elsewhere. */
	CHECK_INT(gates_workspace_check("/home", root, NULL, &err), -1);
	CHECK_CONTAINS(err.msg, "contains /home");
	CHECK_INT(gates_workspace_check("/home/u/src", root, NULL, &err), 0);
	/* Inside one's own home under a system path: that home's rules apply. */
	CHECK_INT(gates_workspace_check("/root/src", root, NULL, &err), 0);
	CHECK_INT(gates_workspace_check("/root/.ssh", root, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/var/lib/jenkins/workspace/job", svc, NULL, &err), 0);
	CHECK_INT(gates_workspace_check("/var/lib/jenkins", svc, NULL, &err), -1);
	CHECK_INT(gates_workspace_check("/var/lib/other", svc, NULL, &err), -1);
}

/* The launcher's config in use (XDG_CONFIG_HOME can put it anywhere) and
 * the pinned engine's socket (DOCKER_HOST, a context's endpoint). */
TEST(workspace_gate_config_and_engine_socket)
{
	struct cai_err err;
	const char *const u[] = { "/home/u", NULL };
	const char *const more[] = { "/home/u/src/p/.cfg/containai", "/srv/engine/docker.sock", NULL };

	CHECK_INT(gates_workspace_check("/home/u/src/p", u, NULL, &err), 0);
	CHECK_INT(gates_workspace_check("/home/u/src/p", u, more, &err), -1);
	CHECK_CONTAINS(err.msg, "would expose /home/u/src/p/.cfg/containai");
	CHECK_INT(gates_workspace_check("/home/u/src/p/.cfg/containai/x", u, more, &err), -1);
	CHECK_INT(gates_workspace_check("/srv/engine", u, more, &err), -1);
	CHECK_CONTAINS(err.msg, "docker.sock");
	CHECK_INT(gates_workspace_check("/srv/other", u, more, &err), 0);
}
