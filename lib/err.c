/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct cai_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
	else if ((size_t)n >= sizeof(err->msg))
		n = (int)sizeof(err->msg) - 1;
	if (errnum && n >= 0)
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", strerror(errnum));
	err->errnum = errnum;
	return -1;
}

/* A message is one bounded line: what does not fit is cut here, on
 * purpose, never by a silently failing format. */
static void msg_append(struct cai_err *err, size_t *len, const char *s)
{
	size_t n = strnlen(s, sizeof(err->msg) - 1 - *len);

	memcpy(err->msg + *len, s, n);
	*len += n;
	err->msg[*len] = '\0';
}

int err_prefix(struct cai_err *err, const char *fmt, ...)
{
	char head[CAI_ERR_MAX];
	char old[CAI_ERR_MAX];
	size_t len = 0;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	msg_append(err, &len, head);
	msg_append(err, &len, ": ");
	msg_append(err, &len, old);
	return -1;
}

int err_refuse(struct cai_err *err, int errnum, const char *what, const char *why)
{
	err_set(err, 0, "%s: %s (refused)", what, why);
	if (err)
		err->errnum = errnum;
	return -1;
}

void err_clear(struct cai_err *err)
{
	err->errnum = 0;
	err->msg[0] = '\0';
}
