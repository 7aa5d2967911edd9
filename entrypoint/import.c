/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "beneath.h"
#include "fd.h"
#include "inifile.h"
#include "log.h"
#include "volume.h"

#define IMPORT_TMP_SUFFIX ".containai-import"

/* buf[0..len) as the new content of `dest`: a new file beside it, renamed
 * over it. */
static int replace_file(const struct beneath *vol, const char *dest, const char *buf, size_t len,
			mode_t mode, uid_t uid, gid_t gid, struct cai_err *err)
{
	char tmp[NAME_MAX + 1];
	const char *name;

	if (volume_make_parents(vol, dest, uid, gid, err) < 0)
		return -1;
	_cleanup_close_ int dir = beneath_open_parent(vol, dest, &name, err);
	if (dir < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), ".%.*s" IMPORT_TMP_SUFFIX, NAME_MAX - 20, name) < 0)
		return err_set(err, EINVAL, "%s", dest);
	/* Left by an import that died between creating and renaming it. */
	if (unlinkat(dir, tmp, 0) < 0 && errno != ENOENT)
		return err_set(err, errno, "%s", dest);
	_cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, errno, "%s", dest);
	if (fd_write_all(fd, buf, len) < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 ||
	    close(fd_take(&fd)) < 0 || renameat(dir, tmp, dir, name) < 0) {
		int e = errno;
		unlinkat(dir, tmp, 0);
		return err_set(err, e, "%s", dest);
	}
	return 0;
}

/* One line "SRC<TAB>DEST<TAB>MODE". */
static int import_line(const struct beneath *vol, const struct volume_owner *owner, char *line,
		       struct cai_err *err)
{
	char *dest = strchr(line, '\t');
	char *mode_text = dest ? strchr(dest + 1, '\t') : NULL;
	_cleanup_free_ char *buf = NULL;
	unsigned mode;
	size_t len;

	if (!mode_text)
		return err_set(err, 0, "expected SRC<TAB>DEST<TAB>MODE");
	*dest++ = '\0';
	*mode_text++ = '\0';
	if (line[0] != '/')
		return err_set(err, 0, "'%s' is not an absolute path", line);
	if (inifile_mode(mode_text, &mode, err) < 0)
		return -1;
	if (fd_read_file(line, IMPORT_READ_MAX, &buf, &len, err) < 0 ||
	    replace_file(vol, dest, buf, len, mode, owner->uid, owner->gid, err) < 0)
		return err_prefix(err, "%s", dest);
	log_info("import: %s", dest);
	return 0;
}

int import_run(const struct cai_config *cfg, const char *list, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct beneath vol = { .root_fd = -1 };
	unsigned lineno = 0;
	size_t len;
	int rc = 0;

	if (!cfg->volume_enabled || !cfg->volume_manifest[0])
		return err_set(err, 0, "import: the config has no [volume] with a manifest to import into");
	if (fd_read_file(list, IMPORT_LIST_MAX, &text, &len, err) < 0)
		return err_prefix(err, "import");
	if (memchr(text, '\0', len) || (len && text[len - 1] != '\n'))
		return err_set(err, 0, "import: %s: not lines of text", list);
	/* Prepared as a start prepares it: the layout is there, owned right -
	 * by the host user's ids where the start moves the account to them. */
	struct volume_owner owner;
	if (account_setup(cfg, &owner.uid, &owner.gid, err) < 0 || volume_setup(cfg, &owner, &vol, err) < 0)
		return -1;
	for (char *line = text, *nl; rc == 0 && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		lineno++;
		if (import_line(&vol, &owner, line, err) < 0)
			rc = err_prefix(err, "import: %s:%u", list, lineno);
	}
	if (rc == 0 && beneath_verify_root(&vol, err) < 0)
		rc = err_prefix(err, "import");
	beneath_close(&vol);
	return rc;
}
