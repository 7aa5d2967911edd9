/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "daemon_json.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "file_replace.h"

int daemon_json_read(int dirfd, const char *name, const char *label, char **text, size_t *len,
		     struct stat *st, struct cai_err *err)
{
	*text = NULL;
	*len = 0;
	memset(st, 0, sizeof(*st));
	/* O_NONBLOCK: a FIFO planted there must not hang us. */
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno == ELOOP)
		return err_refuse(err, EPERM, label, "is a symbolic link; name the file it points to");
	if (fd < 0)
		return err_set(err, errno, "%s", label);
	if (fstat(fd, st) < 0)
		return err_set(err, errno, "%s", label);
	if (!S_ISREG(st->st_mode))
		return err_refuse(err, EPERM, label, "is not a regular file");
	if (st->st_nlink != 1)
		return err_refuse(err, EPERM, label,
				  "has other hard links, which would keep the old text");
	return fd_read_regular(fd, label, DAEMON_JSON_MAX, text, len, err);
}

static json_t *runtime_entry(const struct daemon_runtime *rt)
{
	json_t *args = NULL;

	if (rt->nargs) {
		if (!(args = json_array()))
			return NULL;
		for (size_t i = 0; i < rt->nargs; i++)
			if (json_array_append_new(args, json_string(rt->args[i])) < 0) {
				json_decref(args);
				return NULL;
			}
	}
	return args ? json_pack("{s:s, s:o}", "path", rt->path, "runtimeArgs", args)
		    : json_pack("{s:s}", "path", rt->path);
}

int daemon_json_merge(const char *label, const char *text, size_t len,
		      const struct daemon_runtime *rt, char **out, struct cai_err *err)
{
	json_auto_t *root = NULL;
	json_auto_t *want = runtime_entry(rt);
	json_error_t jerr;

	*out = NULL;
	if (!want)
		return err_set(err, ENOMEM, "%s", label);
	if (!text || strspn(text, " \t\r\n") == len) {
		root = json_object();
	} else {
		/* By length: bytes after a NUL are refused, not ignored. */
		root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!root)
			return err_set(err, 0, "%s:%d:%d: not valid JSON: %s", label, jerr.line,
				       jerr.column, jerr.text);
	}
	if (!json_is_object(root))
		return err_set(err, 0, "%s: not a JSON object", label);
	json_t *runtimes = json_object_get(root, "runtimes");
	if (!runtimes) {
		if (json_object_set_new(root, "runtimes", json_object()) < 0)
			return err_set(err, ENOMEM, "%s", label);
		runtimes = json_object_get(root, "runtimes");
	}
	if (!json_is_object(runtimes))
		return err_set(err, 0, "%s: \"runtimes\" is not a JSON object", label);
	json_t *have = json_object_get(runtimes, rt->name);
	if (have && json_equal(have, want))
		return 0;
	if (have) {
		_cleanup_free_ char *shown = json_dumps(have, JSON_COMPACT);
		char why[600];
		snprintf(why, sizeof(why), "already registers a runtime named %s as %.400s; not "
			 "replacing it (remove it first, or keep it)", rt->name, shown ? shown : "?");
		return err_refuse(err, EEXIST, label, why);
	}
	if (json_object_set(runtimes, rt->name, want) < 0)
		return err_set(err, ENOMEM, "%s", label);
	/* Insertion order is kept: every key where it was, ours last. */
	char *dumped = json_dumps(root, JSON_INDENT(4));
	if (!dumped)
		return err_set(err, ENOMEM, "%s", label);
	if (asprintf(out, "%s\n", dumped) < 0) {
		*out = NULL;
		free(dumped);
		return err_set(err, ENOMEM, "%s", label);
	}
	free(dumped);
	return 1;
}

/* A backup name of its own: the file's name, the time, and a number when
 * that name is taken (an earlier backup is never replaced). */
static int write_backup(int dirfd, const char *name, const char *old, size_t oldlen,
			const struct stat *st, char *backup, size_t backupsz, struct cai_err *err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
		return err_set(err, 0, "%s: backup: no time stamp", name);
	for (int n = 1; n <= 100; n++) {
		int len = n == 1 ? snprintf(backup, backupsz, "%s.containai-backup-%s", name, stamp)
				 : snprintf(backup, backupsz, "%s.containai-backup-%s-%d", name, stamp, n);
		if (len < 0 || (size_t)len >= backupsz)
			return err_set(err, ENAMETOOLONG, "%s: backup", name);
		if (file_create_at(dirfd, backup, old, oldlen, st->st_mode, st->st_uid, st->st_gid, err) == 0)
			return 0;
		if (err->errnum != EEXIST)
			return err_prefix(err, "backup");
	}
	return err_prefix(err, "backup");
}

/* The file at the name is still the one read (or still missing): a change
 * made meanwhile is never overwritten unseen - its text (size, mtime), and
 * through the change time its mode, owner and links as well: the new file
 * takes the mode read, which must not undo a chmod made since, and a link
 * made since would keep the old text. */
static int unchanged(int dirfd, const char *name, const char *old, const struct stat *st,
		     struct cai_err *err)
{
	struct stat now;

	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT && !old)
			return 0;
		return err_set(err, errno, "%s", name);
	}
	if (!old || now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st->st_mtim.tv_nsec || now.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != st->st_ctim.tv_nsec)
		return err_refuse(err, EAGAIN, name, "changed while setup read it; run it again");
	return 0;
}

int daemon_json_write(int dirfd, const char *name, const char *old, size_t oldlen,
		      const struct stat *st, const char *text, char *backup, size_t backupsz,
		      struct cai_err *err)
{
	backup[0] = '\0';
	if (unchanged(dirfd, name, old, st, err) < 0)
		return -1;
	if (old) {
		if (write_backup(dirfd, name, old, oldlen, st, backup, backupsz, err) < 0)
			return -1;
		return file_replace_at(dirfd, name, text, strlen(text), st->st_mode, st->st_uid,
				       st->st_gid, err);
	}
	return file_replace_at(dirfd, name, text, strlen(text), 0644, geteuid(), getegid(), err);
}
