#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_prog = "containai";
static enum log_level log_level = LOG_LVL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

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
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
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
	/* Replace control characters: a hostile file name must not forge a
	 * second log line or drive the terminal. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; a failure to log must never stop the init. */
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	errno = saved;
}

void log_error_err(const struct cai_err *err)
{
	log_msg(LOG_LVL_ERROR, "%s", err->msg[0] ? err->msg : "unknown error");
}
