/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

static const char *log_prog = "containai";
static enum log_level log_level = LOG_LVL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

/* How a line goes to stderr: a plain write that waits for room (until
 * log_never_wait), or one that never waits - on a description of our own
 * opened non-blocking, as a socket's MSG_DONTWAIT, or only when poll()
 * says there is room. */
static enum { LOG_OUT_WAIT, LOG_OUT_OWN, LOG_OUT_SOCKET, LOG_OUT_POLL } log_out = LOG_OUT_WAIT;
static unsigned long log_lost;  /* lines not written since the last one that was */
static int log_cut;             /* the last line went out in part */

void log_init(const char *prog)
{
	log_prog = prog;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The UTF-8 sequence length a lead byte announces; 0 for a byte that
 * cannot start one. */
static size_t utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Whether the second byte of a sequence led by c keeps it well-formed and
 * not a C1 control: no C1 (C2 80..9F), no overlong form (E0 80..9F, F0
 * 80..8F), no UTF-16 surrogate (ED A0..BF), nothing past U+10FFFF (F4
 * 90..).  What passes is text a JSON writer accepts as it is. */
static int utf8_second_ok(unsigned char c, unsigned char next)
{
	switch (c) {
	case 0xc2:
		return next >= 0xa0;
	case 0xe0:
		return next >= 0xa0;
	case 0xed:
		return next <= 0x9f;
	case 0xf0:
		return next >= 0x90;
	case 0xf4:
		return next <= 0x8f;
	}
	return 1;
}

/* Replace control characters with '?': a hostile file name must not forge
 * a second log line or drive the terminal.  That covers the C1 controls
 * too (CSI, OSC: screen, title, clipboard), which terminals read both in
 * their UTF-8 form (C2 80..9F) and, in 8-bit mode, as single bytes - so
 * any byte outside a well-formed UTF-8 sequence goes as well. */
void log_sanitize(char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = utf8_len(c), k = 1;

		while (k < len && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k++;
		if (len == 0 || k < len || (len > 1 && !utf8_second_ok(c, (unsigned char)s[i + 1])) ||
		    (len == 1 && (c < 0x20 || c == 0x7f))) {
			s[i++] = '?';   /* a C1's second byte is then a lone one: '?' too */
			continue;
		}
		i += len;
	}
}

void log_never_wait(void)
{
	struct stat st, own;

	/* A file's writes wait for no reader, and O_NONBLOCK does not apply. */
	if (fstat(STDERR_FILENO, &st) < 0 || S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return;
	if (S_ISSOCK(st.st_mode)) {
		log_out = LOG_OUT_SOCKET;
		return;
	}
	/* Never O_NONBLOCK on the description stderr shares with others: the
	 * command's own writes would fail with EAGAIN.  Opened again, the pipe
	 * or terminal gets a description of its own. */
	int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &own) == 0 && own.st_dev == st.st_dev && own.st_ino == st.st_ino &&
	    dup2(fd, STDERR_FILENO) == STDERR_FILENO)
		log_out = LOG_OUT_OWN;
	else
		log_out = LOG_OUT_POLL;
	if (fd >= 0)
		close(fd);
}

/* Write all of s[0..n) at once or count it lost; 0 when it all went out. */
static int log_put(const char *s, size_t n)
{
	struct pollfd p = { .fd = STDERR_FILENO, .events = POLLOUT };
	ssize_t w;

	if (log_out == LOG_OUT_SOCKET)
		w = send(STDERR_FILENO, s, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	else if (log_out == LOG_OUT_POLL && (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT)))
		w = -1;
	else
		w = write(STDERR_FILENO, s, n);
	if (w > 0)
		log_cut = (size_t)w < n;
	return w == (ssize_t)n ? 0 : -1;
}

/* One line; when lines were lost, first one that says how many (starting
 * on a line of its own if the last went out in part). */
static void log_emit(const char *line, size_t n)
{
	if (log_lost) {
		char note[160];
		int k = snprintf(note, sizeof(note), "%s%s: warn: %lu log line%s lost: stderr would block\n",
				 log_cut ? "\n" : "", log_prog, log_lost, log_lost == 1 ? "" : "s");
		if (k <= 0 || (size_t)k >= sizeof(note) || log_put(note, (size_t)k) < 0) {
			log_lost++;
			return;
		}
		log_lost = 0;
	}
	if (log_put(line, n) < 0 && log_out != LOG_OUT_WAIT)
		log_lost++;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	int saved = errno;
	size_t n;
	va_list ap;

	if (level > log_level)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%s: %s: ", log_prog, level_names[level]);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (m > 0)
		n += (size_t)m < sizeof(line) - n ? (size_t)m : sizeof(line) - n - 1;
	log_sanitize(line, n);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; a failure to log must never stop the init. */
	log_emit(line, n);
	errno = saved;
}

void log_error_err(const struct cai_err *err)
{
	log_msg(LOG_LVL_ERROR, "%s", err->msg[0] ? err->msg : "unknown error");
}
