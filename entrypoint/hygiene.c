/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "hygiene.h"

#include <errno.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "fd.h"

int hygiene_not_dumpable(struct cai_err *err)
{
	return caps_prctl_set(PR_SET_DUMPABLE, PR_GET_DUMPABLE, 0, "hygiene: dumpable", err);
}

int hygiene_limits(const struct cai_config *cfg, struct cai_err *err)
{
	umask(cfg->umask);
	if (umask(cfg->umask) != cfg->umask)
		return err_set(err, 0, "hygiene: umask did not stick");
	if (cfg->core_dumps)
		return 0;
	struct rlimit rl = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		return err_set(err, errno, "hygiene: RLIMIT_CORE");
	if (getrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
		return err_set(err, 0, "hygiene: RLIMIT_CORE is not 0 after setting it");
	return 0;
}

int hygiene_check_cwd(struct cai_err *err)
{
	char cwd[PATH_MAX];
	struct stat here, named;

	/* getcwd fails (ENOENT) or glibc reports "(unreachable)" for a
	 * directory outside our root: refuse both. */
	if (!getcwd(cwd, sizeof(cwd)))
		return err_set(err, errno, "hygiene: working directory");
	if (cwd[0] != '/')
		return err_set(err, 0, "hygiene: working directory is outside the root");
	if (stat(".", &here) < 0 || stat(cwd, &named) < 0)
		return err_set(err, errno, "hygiene: working directory %s", cwd);
	if (here.st_dev != named.st_dev || here.st_ino != named.st_ino)
		return err_set(err, 0, "hygiene: working directory is not what %s names", cwd);
	return 0;
}

int hygiene_close_fds(struct cai_err *err)
{
	if (fd_close_from(3, err) < 0)
		return err_prefix(err, "hygiene");
	return 0;
}
