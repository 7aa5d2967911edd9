/* SPDX-License-Identifier: MIT */
/* log: every diagnostic line, on stderr only.
 *
 * Owns: the program prefix ("containai-init:" or "containai:") and the level.
 * Each line is written with a single write(2) so lines from PID 1 and from
 * the child preparing the sandbox never interleave mid-line.  After
 * log_never_wait, no line waits for room on stderr: one that cannot go out
 * at once is dropped and counted.
 * Refuses: secret values - callers pass keys and line numbers, never values.
 */
#ifndef CAI_LOG_H
#define CAI_LOG_H

#include "err.h"

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *prog);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error|warn|info|debug"; -1 when unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* From now on, never wait on stderr: a line that cannot be written whole
 * at once is dropped, and the next line that can is preceded by one
 * saying how many were lost.  For PID 1, whose stderr the agent can stop
 * (a terminal's output stopped with Ctrl-S or tcflow(TCOOFF), a pipe kept
 * full).  A pipe or terminal is opened again for a non-blocking
 * description of this process's own, put on descriptor 2: the
 * description shared with other processes keeps its flags.  A socket is
 * written with MSG_DONTWAIT; a file as before.  Where the reopening is
 * refused, a line is written only when poll() finds room. */
void log_never_wait(void);
/* One line for a failed step: "PROG: error: MSG". */
void log_error_err(const struct cai_err *err);

/* Control characters (C0, DEL, C1) and bytes outside well-formed UTF-8
 * (overlong forms and surrogates included) in s[0..n) become '?', in
 * place: for other text bound for a terminal or a JSON document too. */
void log_sanitize(char *s, size_t n);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
