/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pty.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

/* What one log_warn("%s", msg) writes to stderr. */
static void logged(const char *msg, char *out, size_t size)
{
	int p[2], saved = dup(STDERR_FILENO);

	out[0] = '\0';
	if (saved < 0 || pipe(p) < 0)
		return;
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	log_warn("%s", msg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t n = read(p[0], out, size - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
}

TEST(log_c0_controls_replaced)
{
	char out[256];

	log_init("t");
	logged("a\nt: error: forged\x1b[2Jb\x7f", out, sizeof(out));
	CHECK_STR(out, "t: warn: a?t: error: forged?[2Jb?\n");
}

TEST(log_c1_controls_replaced)
{
	char out[256];

	log_init("t");
	/* CSI and OSC in their UTF-8 form, then as bare 8-bit bytes. */
	logged("a\xc2\x9b" "2J\xc2\x9d" "52;c;x\x07|\x9b" "2J\x9d", out, sizeof(out));
	CHECK_STR(out, "t: warn: a??2J??52;c;x?|?2J?\n");
}

TEST(log_utf8_text_kept)
{
	char out[256];

	log_init("t");
	logged("caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x82", out, sizeof(out));
	CHECK_STR(out, "t: warn: caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80 ??\n");
}

/* Fill the pipe whose write end is `w` without touching w's own flags. */
static void fill_pipe(int w)
{
	char buf[4096] = { 0 };
	int fl = fcntl(w, F_GETFL);

	fcntl(w, F_SETFL, fl | O_NONBLOCK);
	while (write(w, buf, sizeof(buf)) > 0)
		;
	fcntl(w, F_SETFL, fl);
}

static size_t drain(int r, char *out, size_t size)
{
	size_t have = 0;
	ssize_t n;
	int fl = fcntl(r, F_GETFL);

	fcntl(r, F_SETFL, fl | O_NONBLOCK);
	while ((n = read(r, out + have, size - 1 - have)) > 0) {
		have += (size_t)n;
		if (have == size - 1)
			have = 0;       /* only the tail matters */
	}
	fcntl(r, F_SETFL, fl);
	out[have] = '\0';
	return have;
}

/* A full pipe: the line is dropped at once (the alarm would end a test
 * that waits), the shared description stays blocking, and the next line
 * that fits says one was lost. */
TEST(log_never_wait_full_pipe)
{
	int p[2];
	char out[8192];

	CHECK(pipe(p) == 0);
	CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
	fill_pipe(p[1]);
	log_init("t");
	log_never_wait();
	alarm(5);
	log_warn("dropped");
	alarm(0);
	CHECK((fcntl(p[1], F_GETFL) & O_NONBLOCK) == 0);
	CHECK(fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK);
	drain(p[0], out, sizeof(out));
	log_warn("next");
	CHECK(drain(p[0], out, sizeof(out)) > 0);
	CHECK_STR(out, "t: warn: 1 log line lost: stderr would block\nt: warn: next\n");
}

/* A terminal whose output is stopped (Ctrl-S, tcflow(TCOOFF)). */
TEST(log_never_wait_stopped_terminal)
{
	int m, s;
	char out[8192];

	CHECK(openpty(&m, &s, NULL, NULL, NULL) == 0);
	CHECK(dup2(s, STDERR_FILENO) == STDERR_FILENO);
	CHECK(tcflow(s, TCOOFF) == 0);
	log_init("t");
	log_never_wait();
	alarm(5);
	log_warn("one");
	log_warn("two");
	alarm(0);
	CHECK((fcntl(s, F_GETFL) & O_NONBLOCK) == 0);
	CHECK(fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK);
	CHECK(tcflow(s, TCOON) == 0);
	log_warn("three");
	usleep(100000);
	drain(m, out, sizeof(out));
	CHECK_STR(out, "t: warn: 2 log lines lost: stderr would block\r\nt: warn: three\r\n");
}

/* A socket is written with MSG_DONTWAIT. */
TEST(log_never_wait_full_socket)
{
	int sv[2];
	char out[8192];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(dup2(sv[1], STDERR_FILENO) == STDERR_FILENO);
	fill_pipe(sv[1]);
	log_init("t");
	log_never_wait();
	alarm(5);
	log_warn("dropped");
	alarm(0);
	CHECK((fcntl(sv[1], F_GETFL) & O_NONBLOCK) == 0);
	drain(sv[0], out, sizeof(out));
	log_warn("next");
	usleep(100000);
	CHECK(drain(sv[0], out, sizeof(out)) > 0);
	CHECK_STR(out, "t: warn: 1 log line lost: stderr would block\nt: warn: next\n");
}

/* Where the pipe cannot be opened again (here: another file-system uid),
 * a line goes out only when poll() finds room. */
TEST(log_never_wait_without_reopening)
{
	int p[2];
	char out[8192];

	CHECK(geteuid() == 0);
	CHECK(pipe(p) == 0);
	CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
	fill_pipe(p[1]);
	setfsuid(65534);
	CHECK(setfsuid((uid_t)-1) == 65534);
	log_init("t");
	log_never_wait();
	/* Still the shared, blocking description: poll() alone keeps it. */
	CHECK((fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK) == 0);
	alarm(5);
	log_warn("dropped");
	alarm(0);
	drain(p[0], out, sizeof(out));
	log_warn("next");
	CHECK(drain(p[0], out, sizeof(out)) > 0);
	CHECK_STR(out, "t: warn: 1 log line lost: stderr would block\nt: warn: next\n");
}

/* Without log_never_wait (the launcher) a line waits for room: written
 * whole once the reader drains the pipe, with no count of lost lines. */
TEST(log_waits_by_default)
{
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
	fill_pipe(p[1]);
	pid_t reader = fork();
	if (reader == 0) {
		static char out[1 << 20];
		const char want[] = "t: warn: waited\n";
		size_t have = 0;
		ssize_t n;
		close(p[1]);
		close(STDERR_FILENO);
		usleep(200000);
		while ((n = read(p[0], out + have, sizeof(out) - have)) > 0)
			have += (size_t)n;
		_exit(have >= sizeof(want) - 1 &&
		      !memcmp(out + have - (sizeof(want) - 1), want, sizeof(want) - 1) ? 0 : 1);
	}
	close(p[0]);
	log_init("t");
	log_warn("waited");
	close(STDERR_FILENO);
	close(p[1]);
	int st;
	CHECK(waitpid(reader, &st, 0) == reader);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* What a JSON writer refuses is not text either: overlong forms, UTF-16
 * surrogates and code points past U+10FFFF become '?' byte by byte. */
TEST(log_malformed_utf8_replaced)
{
	char out[256];

	log_init("t");
	logged("a\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x80\x80\xaf|\xc0\xaf|\xed\x9f\xbf", out,
	       sizeof(out));
	CHECK_STR(out, "t: warn: a???|???|????|????|??|\xed\x9f\xbf\n");
}
