/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_json.h"
#include "fd.h"
#include "file_replace.h"
#include "scratch.h"
#include "unit.h"

static const char *const host_args[] = { "--network=host" };
static const struct daemon_runtime plain = { .name = "runsc", .path = "/usr/bin/runsc" };
static const struct daemon_runtime hostnet = {
	.name = "runsc", .path = "/usr/bin/runsc", .args = host_args, .nargs = 1,
};

/* merge(text) with rt: its status, the new text in *out. */
static int merge(const char *text, const struct daemon_runtime *rt, char **out, struct cai_err *err)
{
	return daemon_json_merge("daemon.json", text, text ? strlen(text) : 0, rt, out, err);
}

TEST(daemon_json_merge_keeps_every_key_and_value)
{
	struct cai_err err;
	char *out = NULL;
	const char *text = "{\"storage-driver\": \"overlay2\", \"log-opts\": {\"max-size\": \"10m\"},\n"
			   " \"runtimes\": {\"other\": {\"path\": \"runc\"}}, \"debug\": true,\n"
			   " \"default-runtime\": \"runc\", \"max-concurrent-downloads\": 3}";

	CHECK_INT(merge(text, &hostnet, &out, &err), 1);
	json_error_t jerr;
	json_auto_t *got = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
	json_auto_t *want = json_loads(
		"{\"storage-driver\": \"overlay2\", \"log-opts\": {\"max-size\": \"10m\"}, \"runtimes\": "
		"{\"other\": {\"path\": \"runc\"}, \"runsc\": {\"path\": \"/usr/bin/runsc\", \"runtimeArgs\": "
		"[\"--network=host\"]}}, \"debug\": true, \"default-runtime\": \"runc\", "
		"\"max-concurrent-downloads\": 3}", 0, &jerr);
	CHECK(got && want && json_equal(got, want));
	/* In their order, ours last among the runtimes; one newline at the end. */
	CHECK(strstr(out, "storage-driver") < strstr(out, "log-opts"));
	CHECK(strstr(out, "\"other\"") < strstr(out, "\"runsc\""));
	CHECK(strstr(out, "debug") < strstr(out, "max-concurrent-downloads"));
	CHECK_INT(out[strlen(out) - 1], '\n');
	CHECK(out[strlen(out) - 2] != '\n');
	free(out);
}

TEST(daemon_json_merge_creates_what_is_missing)
{
	struct cai_err err;
	char *out = NULL;

	CHECK_INT(merge(NULL, &plain, &out, &err), 1);
	CHECK_STR(out, "{\n    \"runtimes\": {\n        \"runsc\": {\n            \"path\": \"/usr/bin/runsc\"\n"
		       "        }\n    }\n}\n");
	free(out);
	CHECK_INT(merge(" \n\t", &plain, &out, &err), 1);
	free(out);
	CHECK_INT(merge("{\"debug\": false}", &plain, &out, &err), 1);
	CHECK_CONTAINS(out, "\"runtimes\"");
	free(out);
}

/* An identical entry is done; a different one is someone's choice. */
TEST(daemon_json_merge_identical_is_done_different_is_refused)
{
	struct cai_err err;
	char *out = (char *)"untouched";

	CHECK_INT(merge("{\"runtimes\": {\"runsc\": {\"runtimeArgs\": [\"--network=host\"], "
			"\"path\": \"/usr/bin/runsc\"}}}", &hostnet, &out, &err), 0);
	CHECK(out == NULL);
	CHECK_INT(merge("{\"runtimes\": {\"runsc\": {\"path\": \"/usr/bin/runsc\"}}}", &hostnet, &out, &err), -1);
	CHECK_INT(err.errnum, EEXIST);
	CHECK_CONTAINS(err.msg, "daemon.json: already registers a runtime named runsc as {\"path\":\"/usr/bin/runsc\"}");
	CHECK(out == NULL);
	CHECK_INT(merge("{\"runtimes\": {\"runsc\": {\"path\": \"runc\"}}}", &plain, &out, &err), -1);
	CHECK_INT(err.errnum, EEXIST);
}

TEST(daemon_json_merge_refuses_malformed_text)
{
	static const char *const bad[] = {
		"{\"a\": 1,}", "[]", "\"text\"", "{\"runtimes\": []}", "{\"runtimes\": \"runsc\"}",
		"{\"a\": 1, \"a\": 2}", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1e999}", "{", NULL,
	};
	struct cai_err err;
	char *out = NULL;

	for (const char *const *b = bad; *b; b++) {
		CHECK_INT(merge(*b, &plain, &out, &err), -1);
		CHECK_INT(err.errnum, 0);
		CHECK_CONTAINS(err.msg, "daemon.json");
		CHECK(out == NULL);
	}
	CHECK_INT(merge("{\n  \"a\": 1,\n}", &plain, &out, &err), -1);
	CHECK_CONTAINS(err.msg, "daemon.json:3:1: not valid JSON");
	const char nul[] = "{\"a\": 1}\0{\"b\": 2}";
	CHECK_INT(daemon_json_merge("d", nul, sizeof(nul) - 1, &plain, &out, &err), -1);
}

static int read_it(int dirfd, char **text, size_t *len, struct stat *st, struct cai_err *err)
{
	return daemon_json_read(dirfd, "daemon.json", "daemon.json", text, len, st, err);
}

TEST(daemon_json_read_refuses_what_is_not_one_plain_file)
{
	_cleanup_scratch_ struct scratch d;
	char p[128], q[128];

	if (scratch_make(&d, "daemon") < 0)
		return;
	struct cai_err err;
	struct stat st;
	char *text;
	size_t len;

	CHECK_INT(read_it(d.fd, &text, &len, &st, &err), 0);
	CHECK(text == NULL);
	snprintf(p, sizeof(p), "%s/real.json", d.path);
	snprintf(q, sizeof(q), "%s/daemon.json", d.path);
	CHECK_INT(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
	CHECK_INT(symlink(p, q), 0);
	CHECK_INT(read_it(d.fd, &text, &len, &st, &err), -1);
	CHECK_INT(err.errnum, EPERM);
	CHECK_CONTAINS(err.msg, "symbolic link");
	CHECK_INT(unlink(q), 0);
	CHECK_INT(link(p, q), 0);
	CHECK_INT(read_it(d.fd, &text, &len, &st, &err), -1);
	CHECK_INT(err.errnum, EPERM);
	CHECK_CONTAINS(err.msg, "hard links");
	CHECK_INT(unlink(q), 0);
	/* A FIFO: refused at once, not waited on. */
	CHECK_INT(mkfifo(q, 0644), 0);
	CHECK_INT(read_it(d.fd, &text, &len, &st, &err), -1);
	CHECK_INT(err.errnum, EPERM);
	CHECK_INT(unlink(q), 0);
	CHECK_INT(rename(p, q), 0);
	CHECK_INT(read_it(d.fd, &text, &len, &st, &err), 0);
	CHECK(text != NULL);
	CHECK_INT(len, 0);
	free(text);
}

TEST(daemon_json_write_backs_up_and_keeps_owner_and_mode)
{
	_cleanup_scratch_ struct scratch d;
	char p[400], b1[256], b2[256];

	if (scratch_make(&d, "daemon") < 0)
		return;
	struct cai_err err;
	struct stat st, now;
	char *old, *back;
	size_t len, blen;

	snprintf(p, sizeof(p), "%s/daemon.json", d.path);
	CHECK_INT(file_create_at(d.fd, "daemon.json", "{\"debug\": true}", 15, 0640, 1000, 1001, &err), 0);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", b1, sizeof(b1), &err), 0);
	CHECK_INT(stat(p, &now), 0);
	CHECK_INT(now.st_mode & 07777, 0640);
	CHECK_INT(now.st_uid, 1000);
	CHECK_INT(now.st_gid, 1001);
	CHECK(now.st_ino != st.st_ino);
	/* The backup: the old bytes, owner and mode, beside it. */
	CHECK(!strncmp(b1, "daemon.json.containai-backup-", 29));
	snprintf(p, sizeof(p), "%s/%s", d.path, b1);
	CHECK_INT(fd_read_file(p, 1024, &back, &blen, &err), 0);
	CHECK_STR(back, "{\"debug\": true}");
	free(back);
	CHECK_INT(stat(p, &now), 0);
	CHECK_INT(now.st_mode & 07777, 0640);
	CHECK_INT(now.st_uid, 1000);
	/* A second change in the same second never replaces the first backup. */
	free(old);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", b2, sizeof(b2), &err), 0);
	CHECK(strcmp(b1, b2));
	free(old);
}

TEST(daemon_json_write_creates_a_missing_file)
{
	_cleanup_scratch_ struct scratch d;
	char p[128];

	if (scratch_make(&d, "daemon") < 0)
		return;
	struct cai_err err;
	struct stat st, now;
	char backup[256];

	memset(&st, 0, sizeof(st));
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", NULL, 0, &st, "{}\n", backup, sizeof(backup), &err), 0);
	CHECK_STR(backup, "");
	snprintf(p, sizeof(p), "%s/daemon.json", d.path);
	CHECK_INT(stat(p, &now), 0);
	CHECK_INT(now.st_mode & 07777, 0644);
	CHECK_INT(now.st_uid, geteuid());
}

/* A change made between reading and replacing is never overwritten unseen. */
TEST(daemon_json_write_refuses_a_file_changed_meanwhile)
{
	_cleanup_scratch_ struct scratch d;
	struct cai_err err;
	struct stat st;
	char backup[256], p[128], *old, *now;
	size_t len;

	if (scratch_make(&d, "daemon") < 0)
		return;
	snprintf(p, sizeof(p), "%s/daemon.json", d.path);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(file_create_at(d.fd, "daemon.json", "{\"a\": 1}", 8, 0644, 0, 0, &err), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", backup, sizeof(backup), &err), -1);
	CHECK_INT(err.errnum, EAGAIN);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(file_replace_at(d.fd, "daemon.json", "{\"a\": 22}", 9, 0644, 0, 0, &err), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", backup, sizeof(backup), &err), -1);
	CHECK_INT(err.errnum, EAGAIN);
	CHECK_INT(fd_read_file(p, 1024, &now, &len, &err), 0);
	CHECK_STR(now, "{\"a\": 22}");
	free(now);
	free(old);
}

/* A chmod, chown or new hard link made meanwhile is a change too: the
 * new file would otherwise get the mode read before it - an operator's
 * tightened mode undone - or leave the new link with the old text. */
TEST(daemon_json_write_refuses_a_mode_or_link_changed_meanwhile)
{
	_cleanup_scratch_ struct scratch d;
	struct cai_err err;
	struct stat st, now;
	char backup[256], p[128], l[140], *old;
	size_t len;

	if (scratch_make(&d, "daemon") < 0)
		return;
	snprintf(p, sizeof(p), "%s/daemon.json", d.path);
	snprintf(l, sizeof(l), "%s/other-name", d.path);
	CHECK_INT(file_create_at(d.fd, "daemon.json", "{\"a\": 1}", 8, 0644, geteuid(), getegid(), &err), 0);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(chmod(p, 0600), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", backup, sizeof(backup), &err), -1);
	CHECK_INT(err.errnum, EAGAIN);
	CHECK_INT(stat(p, &now), 0);
	CHECK_INT(now.st_mode & 07777, 0600);
	CHECK_INT(now.st_ino, st.st_ino);
	free(old);
	CHECK_INT(read_it(d.fd, &old, &len, &st, &err), 0);
	CHECK_INT(link(p, l), 0);
	CHECK_INT(daemon_json_write(d.fd, "daemon.json", old, len, &st, "{}\n", backup, sizeof(backup), &err), -1);
	CHECK_INT(err.errnum, EAGAIN);
	CHECK_INT(stat(p, &now), 0);
	CHECK_INT(now.st_ino, st.st_ino);
	CHECK_INT(unlink(l), 0);
	free(old);
}
