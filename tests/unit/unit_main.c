/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static struct unit_test *tests;

void unit_register(struct unit_test *t)
{
	/* Keep registration order stable: append. */
	struct unit_test **p = &tests;
	while (*p)
		p = &(*p)->next;
	*p = t;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	_exit(1);
}

/* "tests/unit/launcher/test_cli.c" -> "launcher/test_cli.c": both sides
 * have a cli module, so the folder is part of a test's name. */
static const char *base(const char *path)
{
	const char *s = strstr(path, "tests/unit/");
	return s ? s + strlen("tests/unit/") : path;
}

int main(int argc, char **argv)
{
	int failed = 0, passed = 0;

	for (struct unit_test *t = tests; t; t = t->next) {
		if (argc > 1 && !strstr(t->file, argv[1]) && !strstr(t->name, argv[1]))
			continue;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			t->fn();
			fflush(stdout);
			_exit(0);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("ok unit/%s: %s\n", base(t->file), t->name);
			passed++;
		} else {
			printf("not ok unit/%s: %s%s\n", base(t->file), t->name,
			       WIFSIGNALED(st) ? " (crashed)" : "");
			failed++;
		}
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
