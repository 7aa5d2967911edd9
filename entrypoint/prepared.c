/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "prepared.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "decimal.h"
#include "fd.h"

#define PREPARED_TMP PREPARED_NAME ".new"
#define PID1_STAT "/proc/1/stat"
#define PROC_STAT "/proc/stat"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define START_MAX 96
/* How often --join looks for the mark while it waits. */
#define PREPARED_POLL_MS 20

int prepared_parse_starttime(const char *stat, unsigned long long *out)
{
	const char *p = strrchr(stat, ')');

	if (!p)
		return -1;
	p++;
	/* Field 3 (state) is the first after ')'; the start time is field 22. */
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
		if (!*p)
			return -1;
	}
	p += strspn(p, " ");
	struct cai_err err;
	uint64_t v;
	if (decimal_parse(p, strcspn(p, " \n"), UINT64_MAX, &v, &err) < 0)
		return -1;
	*out = v;
	return 0;
}

static int pid1_starttime(unsigned long long *out, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (fd_read_file(PID1_STAT, 4096, &text, &len, err) < 0)
		return -1;
	if (prepared_parse_starttime(text, out) < 0)
		return err_set(err, 0, PID1_STAT ": no start time in it");
	return 0;
}

int prepared_parse_btime(const char *stat, unsigned long long *out)
{
	const char *p = stat;

	while (strncmp(p, "btime ", 6)) {
		p = strchr(p, '\n');
		if (!p)
			return -1;
		p++;
	}
	p += 6;
	struct cai_err err;
	uint64_t v;
	if (decimal_parse(p, strcspn(p, "\n"), UINT64_MAX, &v, &err) < 0)
		return -1;
	*out = v;
	return 0;
}

static int boot_time(char *out, size_t size, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	unsigned long long btime;
	size_t len;

	if (fd_read_file(PROC_STAT, 1 << 20, &text, &len, err) < 0)
		return -1;
	if (prepared_parse_btime(text, &btime) < 0)
		return err_set(err, 0, PROC_STAT ": no boot time in it");
	snprintf(out, size, "btime-%llu", btime);
	return 0;
}

/* The kernel's boot: its boot_id, or - where the kernel has none - its boot
 * time.  Under runc (user namespace or not) the kernel is the host's and
 * lives across container starts: boot_id names it exactly, and PID 1's
 * ticks since that boot grow from start to start.  gVisor boots a kernel
 * per start, PID 1 always a few ticks into it, and runsc (20221219) has no
 * boot_id: its btime, the wall-clock second that kernel booted, fixed for
 * its life, tells the starts apart.  btime is not used where boot_id
 * exists: the host kernel derives it from the wall clock, which a clock
 * step moves under a running sandbox. */
static int kernel_boot(char *out, size_t size, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (fd_read_file(BOOT_ID, 64, &text, &len, err) < 0)
		return err->errnum == ENOENT ? boot_time(out, size, err) : -1;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0 || len >= size || strspn(text, "0123456789abcdef-") != len)
		return err_set(err, 0, BOOT_ID ": not a boot id");
	memcpy(out, text, len);
	out[len] = '\0';
	return 0;
}

/* This start: "BOOT TICKS", the kernel's boot and PID 1's start time in
 * clock ticks after it.  Neither alone tells starts apart (see
 * kernel_boot); together no other start of the container has them. */
static int this_start(char *out, size_t size, struct cai_err *err)
{
	char boot[64];
	unsigned long long ticks;

	if (kernel_boot(boot, sizeof(boot), err) < 0 || pid1_starttime(&ticks, err) < 0)
		return -1;
	int n = snprintf(out, size, "%s %llu", boot, ticks);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, ENAMETOOLONG, "this start");
	return 0;
}

int prepared_match(char *mark, size_t len, const char *start, const char **config)
{
	size_t n = strlen(start);

	if (len < 2 || mark[len - 1] != '\n' || memchr(mark, '\0', len))
		return -1;
	mark[len - 1] = '\0';
	if (len - 1 <= n || strncmp(mark, start, n) || mark[n] != ' ')
		return 0;
	*config = mark + n + 1;
	return 1;
}

/* An O_PATH descriptor of PREPARED_DIR reached without a symlink, after
 * checking that only root may enter it. */
static int open_dir(struct cai_err *err)
{
	_cleanup_close_ int parent = open(PREPARED_PARENT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (parent < 0)
		return err_set(err, errno, PREPARED_PARENT);
	_cleanup_close_ int dir = openat(parent, "containai", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return err_set(err, errno, PREPARED_DIR);
	if (fstat(dir, &st) < 0)
		return err_set(err, errno, PREPARED_DIR);
	if (st.st_uid != 0 || (st.st_mode & 077))
		return err_refuse(err, 0, PREPARED_DIR, "not owned by root or open to others");
	return fd_take(&dir);
}

int prepared_make_dir(struct cai_err *err)
{
	if (mkdir(PREPARED_PARENT, 0755) < 0 && errno != EEXIST)
		return err_set(err, errno, "prepared: " PREPARED_PARENT);
	if (mkdir(PREPARED_DIR, 0700) < 0 && errno != EEXIST)
		return err_set(err, errno, "prepared: " PREPARED_DIR);
	_cleanup_close_ int dir = open_dir(err);
	return dir < 0 ? err_prefix(err, "prepared") : 0;
}

int prepared_publish(const char *config, struct cai_err *err)
{
	char start[START_MAX], text[PATH_MAX + START_MAX];

	if (this_start(start, sizeof(start), err) < 0)
		return err_prefix(err, "prepared");
	int n = snprintf(text, sizeof(text), "%s %s\n", start, config);
	if (n < 0 || (size_t)n >= sizeof(text))
		return err_set(err, ENAMETOOLONG, "prepared: config path");
	_cleanup_close_ int dir = open_dir(err);
	if (dir < 0)
		return err_prefix(err, "prepared");
	/* Left by a start that died between creating and renaming it. */
	if (unlinkat(dir, PREPARED_TMP, 0) < 0 && errno != ENOENT)
		return err_set(err, errno, "prepared: " PREPARED_TMP);
	_cleanup_close_ int fd = openat(dir, PREPARED_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fd_write_all(fd, text, (size_t)n) < 0)
		return err_set(err, errno, "prepared: " PREPARED_TMP);
	if (close(fd_take(&fd)) < 0 || renameat(dir, PREPARED_TMP, dir, PREPARED_NAME) < 0)
		return err_set(err, errno, "prepared: " PREPARED_NAME);
	return 0;
}

void prepared_withdraw(void)
{
	unlink(PREPARED_DIR "/" PREPARED_NAME);
}

/* 1: this start's mark for `config`; 0: not (yet) there, or another
 * start's; -1: refused. */
static int read_mark(const char *config, struct cai_err *err)
{
	_cleanup_free_ char *text = NULL;
	char start[START_MAX];
	const char *marked;
	struct stat st;
	size_t len;

	_cleanup_close_ int dir = open_dir(err);
	if (dir < 0)
		return err->errnum == ENOENT ? 0 : -1;
	_cleanup_close_ int fd = openat(dir, PREPARED_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(err, errno, PREPARED_DIR "/" PREPARED_NAME);
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, PREPARED_DIR "/" PREPARED_NAME);
	if (st.st_uid != 0 || (st.st_mode & 022))
		return err_refuse(err, 0, PREPARED_DIR "/" PREPARED_NAME, "not owned by root or writable by others");
	if (fd_read_regular(fd, PREPARED_DIR "/" PREPARED_NAME, PATH_MAX + START_MAX, &text, &len, err) < 0 ||
	    this_start(start, sizeof(start), err) < 0)
		return -1;
	int r = prepared_match(text, len, start, &marked);
	if (r < 0)
		return err_set(err, 0, PREPARED_DIR "/" PREPARED_NAME ": malformed");
	if (r == 0)
		return 0;
	if (strcmp(marked, config))
		return err_set(err, 0, "the sandbox was prepared with config '%s', not '%s'", marked, config);
	return 1;
}

int prepared_check(const char *config, unsigned wait_s, struct cai_err *err)
{
	long long deadline = clock_now_ms() + (long long)wait_s * 1000;

	for (;;) {
		int r = read_mark(config, err);
		if (r < 0)
			return err_prefix(err, "join");
		if (r > 0)
			return 0;
		if (clock_now_ms() >= deadline)
			return err_set(err, 0, "join: the sandbox's preparation has not completed in this start "
					       "(not started with --sandbox, still preparing, failed, or stopping)");
		struct timespec ts = { 0, PREPARED_POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
	}
}
