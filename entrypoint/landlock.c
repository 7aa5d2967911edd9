/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd.h"
#include "log.h"

/* Access rights by the ABI that introduced them; numbers are kernel ABI,
 * spelled out so that older headers cannot silently narrow the set. */
#define LL_FS_EXECUTE     (1ULL << 0)
#define LL_FS_WRITE_FILE  (1ULL << 1)
#define LL_FS_READ_FILE   (1ULL << 2)
#define LL_FS_READ_DIR    (1ULL << 3)
#define LL_FS_V1          ((1ULL << 13) - 1)
#define LL_FS_REFER       (1ULL << 13)   /* ABI 2 */
#define LL_FS_TRUNCATE    (1ULL << 14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ULL << 15)   /* ABI 5 */
#define LL_FS_READ        (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
/* The rights that make sense on a file rather than a directory. */
#define LL_FS_FILE        (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | \
			   LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

/* Only the file-system field: the kernel accepts a shorter struct and
 * leaves network and scope rules alone (the runtime's network is ours). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
};

int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? -1 : (int)v;
}

static uint64_t ll_handled(int abi)
{
	uint64_t h = LL_FS_V1;

	if (abi >= 2)
		h |= LL_FS_REFER;
	if (abi >= 3)
		h |= LL_FS_TRUNCATE;
	if (abi >= 5)
		h |= LL_FS_IOCTL_DEV;
	return h;
}

int landlock_check_config(const struct cai_config *cfg, struct cai_err *err)
{
	if (cfg->landlock != LANDLOCK_OFF && !cfg->landlock_ro[0] && !cfg->landlock_rw[0])
		return err_set(err, 0, "landlock: enabled, but landlock_read and landlock_write are both empty");
	return 0;
}

static int ll_add_paths(int ruleset, const char *list, uint64_t access, struct cai_err *err)
{
	const char *p = list;

	while (*p) {
		char path[PATH_MAX];
		size_t n = strcspn(p, ":");
		struct stat st;

		if (n >= sizeof(path))
			return err_set(err, ENAMETOOLONG, "landlock: '%.40s...'", p);
		memcpy(path, p, n);
		path[n] = '\0';
		p += n + (p[n] == ':');
		if (!n)
			continue;
		_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return err_set(err, errno, "landlock: %s", path);
		struct landlock_path_beneath_attr attr = {
			.allowed_access = S_ISDIR(st.st_mode) ? access : access & LL_FS_FILE,
			.parent_fd = fd,
		};
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
			return err_set(err, errno, "landlock: adding a rule for %s", path);
	}
	return 0;
}

int landlock_apply(const struct cai_config *cfg, struct cai_err *err)
{
	if (cfg->landlock == LANDLOCK_OFF)
		return 0;
	if (landlock_check_config(cfg, err) < 0)
		return -1;
	int abi = landlock_abi();
	if (abi < 0) {
		int e = errno;
		/* ENOSYS: not built in; EOPNOTSUPP: disabled at boot; EPERM: the
		 * runtime's seccomp profile predates Landlock (the version query
		 * itself needs no privilege). */
		if (cfg->landlock == LANDLOCK_REQUIRED || (e != ENOSYS && e != EOPNOTSUPP && e != EPERM))
			return err_set(err, e, "landlock: not available");
		log_warn("landlock: not available (%s); running without it (best-effort)", strerror(e));
		return 0;
	}
	uint64_t handled = ll_handled(abi);
	struct ll_ruleset_attr attr = { .handled_access_fs = handled };
	_cleanup_close_ int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return err_set(err, errno, "landlock: creating the ruleset");
	if (ll_add_paths(ruleset, cfg->landlock_ro, handled & LL_FS_READ, err) < 0 ||
	    ll_add_paths(ruleset, cfg->landlock_rw, handled, err) < 0)
		return -1;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		return err_set(err, errno, "landlock: restricting the process");
	log_debug("landlock: ABI %d, ruleset in force", abi);
	return 0;
}
