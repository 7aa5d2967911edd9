/* SPDX-License-Identifier: MIT */
#include "gates.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int gates_check(const struct gate_input *in, int *unisolated, struct cai_err *err)
{
	*unisolated = 0;
	if (in->allow_creds && !in->ack_creds)
		return err_set(err, 0, "--allow-host-credentials needs "
				       "--i-understand-this-exposes-host-credentials");
	if (in->ack_creds && !in->allow_creds)
		return err_set(err, 0, "--i-understand-this-exposes-host-credentials given "
				       "without --allow-host-credentials");
	if (in->allow_sock && !in->ack_sock)
		return err_set(err, 0, "--allow-host-docker-socket needs "
				       "--i-understand-this-grants-root-access");
	if (in->ack_sock && !in->allow_sock)
		return err_set(err, 0, "--i-understand-this-grants-root-access given "
				       "without --allow-host-docker-socket");
	if (in->mode == MODE_NONE) {
		if (!in->force)
			return err_set(err, 0, "no isolation mode is usable; see `containai doctor`, "
					       "or pass --force to run without isolation");
		if (in->require_isolation)
			return err_set(err, 0, "no isolation mode is usable and "
					       "CONTAINAI_REQUIRE_ISOLATION=1 makes --force ineffective; "
					       "see `containai doctor`");
		*unisolated = 1;
	}
	if ((in->allow_creds || in->allow_sock) && in->mode != MODE_ECI)
		return err_set(err, 0, "%s is only available in ECI mode (the mode here is %s)",
			       in->allow_creds ? "--allow-host-credentials" : "--allow-host-docker-socket",
			       detect_mode_name(in->mode));
	return 0;
}

/* Host paths that hold credentials or grant root; relative ones are under
 * $HOME.  .config/containai: an agent that could rewrite the launcher's
 * own config would choose the next sandbox's image and engine;
 * .cache/containai: one that could rewrite the probe cache would keep a
 * gVisor verdict alive past its time. */
static const char *const secret_paths[] = {
	".ssh", ".gnupg", ".gitconfig", ".git-credentials", ".config/gh", ".aws", ".azure",
	".config/gcloud", ".kube", ".docker", ".netrc", ".config/containai", ".cache/containai",
	".local/share/keyrings", ".password-store", ".npmrc", ".pypirc", ".cargo/credentials",
	".cargo/credentials.toml", ".vault-token", ".config/op", "/var/run/docker.sock", "/run/docker.sock", NULL,
};

/* ws (resolved) against p as written and as resolved: the workspace is
 * compared after realpath(), so a $HOME or ~/.aws that is itself a symlink
 * (/home -> /var/home, dotfiles kept elsewhere) must be resolved too, or
 * its real location would pass. */
static int contains(const char *ws, const char *p)
{
	char real[PATH_MAX];

	return path_within(p, ws) || (realpath(p, real) && path_within(real, ws));
}

static int exposes(const char *ws, const char *p)
{
	char real[PATH_MAX];

	return contains(ws, p) || path_within(ws, p) || (realpath(p, real) && path_within(ws, real));
}

static int check_home(const char *ws, const char *home, struct cai_err *err)
{
	char p[PATH_MAX];

	if (contains(ws, home))
		return err_set(err, 0, "workspace %s contains your home directory (and its "
				       "credentials); use a project directory", ws);
	for (const char *const *s = secret_paths; *s; s++) {
		if ((*s)[0] == '/')
			snprintf(p, sizeof(p), "%s", *s);
		else
			snprintf(p, sizeof(p), "%s/%s", home, *s);
		if (exposes(ws, p))
			return err_set(err, 0, "workspace %s would expose %s; use a project directory",
				       ws, p);
	}
	return 0;
}

/* The host's own state: no workspace may hold one of these or lie inside
 * one - except inside the user's own home there (a service account's home
 * under /var/lib, root's /root), which the home's own rules then cover. */
static const char *const system_paths[] = {
	"/etc", "/proc", "/sys", "/dev", "/var/lib", "/var/run", "/run", "/boot", "/root", NULL,
};

/* ws is inside one of the (absolute) homes, as written or resolved. */
static int inside_home(const char *ws, const char *const *homes)
{
	char real[PATH_MAX];

	for (; homes && *homes; homes++)
		if ((*homes)[0] == '/' &&
		    (path_within(ws, *homes) || (realpath(*homes, real) && path_within(ws, real))))
			return 1;
	return 0;
}

static int check_host(const char *ws, const char *const *homes, const char *const *more,
		      struct cai_err *err)
{
	for (const char *const *p = system_paths; *p; p++)
		if (contains(ws, *p) || (exposes(ws, *p) && !inside_home(ws, homes)))
			return err_set(err, 0, "workspace %s would expose the host's %s; use a project "
					       "directory", ws, *p);
	/* Other users' homes are theirs: their parent is never mounted. */
	if (contains(ws, "/home"))
		return err_set(err, 0, "workspace %s contains /home (other users' homes); use a "
				       "project directory", ws);
	for (; more && *more; more++)
		if ((*more)[0] == '/' && exposes(ws, *more))
			return err_set(err, 0, "workspace %s would expose %s; use a project directory",
				       ws, *more);
	return 0;
}

int gates_mountable(const char *path)
{
	/* docker's --mount is CSV: ',' would start another option and '"' a
	 * quoted field; ':' separates options where paths are written as
	 * SRC:DST[:MODE]. */
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ',' || *c == ':' || *c == '"')
			return 0;
	return 1;
}

int gates_workspace_check(const char *ws, const char *const *homes, const char *const *more,
			  struct cai_err *err)
{
	size_t checked = 0;

	if (ws[0] != '/')
		return err_set(err, 0, "workspace '%s' is not an absolute path", ws);
	if (!gates_mountable(ws))
		return err_set(err, 0, "workspace '%s': a path with ',', ':', '\"' or control "
				       "characters cannot be mounted unambiguously", ws);
	if (!strcmp(ws, "/"))
		return err_set(err, 0, "the workspace cannot be /");
	for (const char *const *h = homes; h && *h; h++) {
		if ((*h)[0] != '/')
			continue;
		if (check_home(ws, *h, err) < 0)
			return -1;
		checked++;
	}
	/* Without a home to compare with, nothing says ~/.ssh is not inside. */
	if (!checked)
		return err_set(err, 0, "no home directory known (HOME unset and no passwd entry): "
				       "cannot tell whether workspace %s exposes credentials", ws);
	return check_host(ws, homes, more, err);
}
