/* SPDX-License-Identifier: MIT */
/* sigtool: signal fixtures for the supervisor tests.
 *   sigtool status              print SigBlk and SigIgn of this process
 *   sigtool raise N             die of signal N (default action, unblocked)
 *   sigtool record              print "ready", then catch every catchable
 *                               signal and print each number as it
 *                               arrives; exit 0 once SIGUSR2 came
 *   sigtool setup BLK IGN CMD.. block the signals in BLK, ignore those in
 *                               IGN (comma lists, "-" for none), exec CMD
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int status(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

static int die_of(int sig)
{
	sigset_t none;
	struct sigaction sa = { .sa_handler = SIG_DFL };

	sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	raise(sig);
	/* Signals whose default action is to ignore or stop land here. */
	return 99;
}

static volatile sig_atomic_t got[65];

static void on_signal(int sig)
{
	got[sig] = 1;
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%d\n", sig);
	ssize_t w = write(STDOUT_FILENO, buf, (size_t)n);
	(void)w;
}

/* Print "ready", then report each signal; the test sends SIGUSR2 last
 * (after every other) and we exit then. */
static int record(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < 65; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!got[SIGUSR2])
		pause();
	return 0;
}

static void parse_set(const char *list, sigset_t *set)
{
	sigemptyset(set);
	if (!strcmp(list, "-"))
		return;
	char *copy = strdup(list), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		sigaddset(set, atoi(t));
	free(copy);
}

static int setup(char **argv)
{
	sigset_t blk, ign;

	parse_set(argv[0], &blk);
	parse_set(argv[1], &ign);
	sigprocmask(SIG_SETMASK, &blk, NULL);
	for (int s = 1; s < 65; s++)
		if (sigismember(&ign, s))
			signal(s, SIG_IGN);
	execvp(argv[2], argv + 2);
	perror("exec");
	return 127;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "status"))
		return status();
	if (argc >= 3 && !strcmp(argv[1], "raise"))
		return die_of(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "record"))
		return record();
	if (argc >= 5 && !strcmp(argv[1], "setup"))
		return setup(argv + 2);
	fprintf(stderr, "usage: sigtool status|raise N|record|setup BLK IGN CMD...\n");
	return 2;
}
