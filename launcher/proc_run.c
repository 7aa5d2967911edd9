/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "proc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "fd.h"
#include "log.h"
#include "macro.h"
#include "pathtrust.h"

#define PROC_DEFAULT_TIMEOUT_MS 10000
/* How often a job whose pipes are closed is checked for having exited. */
#define PROC_REAP_TICK_MS 5

/* In the child: never returns.  Reports an exec failure's errno through
 * the close-on-exec pipe, so the parent can tell "not found" from "ran
 * and failed". */
static void proc_child(struct proc_job *j, pid_t parent, int out_w, int err_w, int exec_w)
{
	int in = j->stdin_fd > 0 ? j->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* Own process group: the deadline kills the program and everything
	 * it started, and a terminal's Ctrl-C does not reach probes. */
	setpgid(0, 0);
	/* A job started now and waited for later must not outlive a
	 * launcher that died in between. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	signal(SIGPIPE, SIG_DFL);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0 ||
	    (j->pass_fd > 0 && fcntl(j->pass_fd, F_SETFD, 0) < 0) || (j->cwd && chdir(j->cwd) < 0)) {
		int e = errno;
		(void)!write(exec_w, &e, sizeof(e));
		_exit(127);
	}
	execv(j->exec_path, j->argv);
	int e = errno;
	(void)!write(exec_w, &e, sizeof(e));
	_exit(127);
}

/* pipe2() is Linux-only; the launcher is single-threaded, so setting
 * close-on-exec right after pipe() leaves no window for another fork. */
static int proc_pipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		fd_closep(&p[0]);
		fd_closep(&p[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static void proc_close_pipes(int po[2], int pe[2], int px[2])
{
	for (int i = 0; i < 2; i++) {
		fd_closep(&po[i]);
		fd_closep(&pe[i]);
		fd_closep(&px[i]);
	}
}

static int proc_start(struct proc_job *j, struct cai_err *err)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, px[2] = { -1, -1 };

	j->fd_out = j->fd_err = j->fd_exec = -1;
	j->pid = -1;
	/* Looked up here, not in the child: a refusal keeps its reason. */
	if (pathtrust_find(j->argv[0], j->exec_path, sizeof(j->exec_path), j->refused,
			   sizeof(j->refused)) < 0) {
		j->spawn_errno = errno;
		if (errno != EACCES)
			j->refused[0] = '\0';
		j->reaped = 1;
		return 0;
	}
	if (proc_pipe(po) < 0 || proc_pipe(pe) < 0 || proc_pipe(px) < 0) {
		int e = errno;
		proc_close_pipes(po, pe, px);
		return err_set(err, e, "pipe");
	}
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		int e = errno;
		proc_close_pipes(po, pe, px);
		return err_set(err, e, "fork");
	}
	if (pid == 0)
		proc_child(j, parent, po[1], pe[1], px[1]);
	/* Also from the parent, so a kill at the deadline cannot race the
	 * child's own setpgid. */
	setpgid(pid, pid);
	fd_closep(&po[1]);
	fd_closep(&pe[1]);
	fd_closep(&px[1]);
	j->pid = pid;
	j->fd_out = po[0];
	j->fd_err = pe[0];
	j->fd_exec = px[0];
	j->deadline_ms = clock_now_ms() + (j->timeout_ms ? j->timeout_ms : PROC_DEFAULT_TIMEOUT_MS);
	return 0;
}

/* Append what is readable on *fd to the job's buffer; EOF closes *fd. */
static int proc_drain(int *fd, char *buf, size_t *len, size_t max, int *truncated)
{
	char tmp[4096];
	ssize_t n = read(*fd, tmp, sizeof(tmp));

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		fd_closep(fd);
		return 0;
	}
	if (n == 0) {
		fd_closep(fd);
		return 0;
	}
	size_t keep = (size_t)n;
	if (*len + keep > max) {
		keep = max - *len;
		*truncated = 1;
	}
	memcpy(buf + *len, tmp, keep);
	*len += keep;
	buf[*len] = '\0';
	return 0;
}

/* A signal that would end the launcher while jobs run: the jobs sit in
 * their own process groups, out of reach of the terminal's Ctrl-C, so
 * they are killed here before the launcher goes. */
static volatile sig_atomic_t proc_signal;
static const int proc_stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define PROC_NSIG ARRAY_SIZE(proc_stop_signals)

static void proc_on_signal(int sig)
{
	proc_signal = sig;
}

static void proc_catch(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = proc_on_signal;
	sigemptyset(&sa.sa_mask);
	proc_signal = 0;
	for (size_t i = 0; i < PROC_NSIG; i++)
		sigaction(proc_stop_signals[i], &sa, &old[i]);
}

static void proc_uncatch(const struct sigaction *old)
{
	for (size_t i = 0; i < PROC_NSIG; i++)
		sigaction(proc_stop_signals[i], &old[i], NULL);
}

static void proc_reap(struct proc_job *j, int block)
{
	int status;
	pid_t r;

	if (j->reaped || j->pid < 0)
		return;
	do
		r = waitpid(j->pid, &status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != j->pid)
		return;
	j->reaped = 1;
	if (WIFEXITED(status)) {
		j->exited = 1;
		j->exit_code = WEXITSTATUS(status);
	}
}

static void proc_read_exec_status(struct proc_job *j)
{
	int e = 0;
	ssize_t n;

	do
		n = read(j->fd_exec, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	fd_closep(&j->fd_exec);
	if (n == (ssize_t)sizeof(e)) {
		j->started = 0;
		j->spawn_errno = e;
	} else {
		j->started = 1;
	}
}

static int proc_wait(struct proc_job *jobs, size_t n, unsigned *set, int any, struct cai_err *err);

/* Kill and reap every job still running.  The group is killed before the
 * leader is reaped: while it is unreaped its pid cannot be reused. */
static void proc_kill_all(struct proc_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].reaped || jobs[i].pid < 0)
			continue;
		kill(-jobs[i].pid, SIGKILL);
		kill(jobs[i].pid, SIGKILL);
		proc_reap(&jobs[i], 1);
	}
}

int proc_run_start(struct proc_job *jobs, size_t n, struct cai_err *err)
{
	size_t i;

	if (n > PROC_MAX_JOBS)
		return err_set(err, E2BIG, "more than %d concurrent jobs", PROC_MAX_JOBS);

	for (i = 0; i < n; i++) {
		struct proc_job *j = &jobs[i];
		size_t max = j->out_max ? j->out_max : PROC_OUT_MAX;

		j->out_max = max;
		j->out = calloc(1, max + 1);
		j->errout = calloc(1, max + 1);
		j->out_len = j->err_len = 0;
		j->started = j->timed_out = j->exited = j->reaped = 0;
		j->exit_code = -1;
		j->spawn_errno = 0;
		j->refused[0] = '\0';
		j->fd_out = j->fd_err = j->fd_exec = -1;
		j->pid = -1;
		if (!j->out || !j->errout)
			return err_set(err, ENOMEM, "output buffer");
	}
	for (i = 0; i < n; i++) {
		if (proc_start(&jobs[i], err) < 0) {
			/* Do not leave the ones already started running. */
			proc_kill_all(jobs, i);
			return -1;
		}
	}
	return 0;
}

/* Waits for the jobs in *set (bit i: jobs[i]) - all of them, or with any
 * until at least one has ended - and takes those that ended out of *set. */
static int proc_wait_set(struct proc_job *jobs, size_t n, unsigned *set, int any, struct cai_err *err)
{
	struct sigaction old[PROC_NSIG];

	proc_catch(old);
	int rc = proc_wait(jobs, n, set, any, err);
	proc_uncatch(old);
	if (proc_signal) {
		/* The jobs are gone; now let the signal do what it would have. */
		raise(proc_signal);
		return err_set(err, EINTR, "interrupted");
	}
	return rc;
}

int proc_run_wait(struct proc_job *jobs, size_t n, struct cai_err *err)
{
	unsigned set = n >= CHAR_BIT * sizeof(set) ? ~0u : (1u << n) - 1;

	return proc_wait_set(jobs, n, &set, 0, err);
}

int proc_run_wait_any(struct proc_job *jobs, size_t n, unsigned *running, struct cai_err *err)
{
	return proc_wait_set(jobs, n, running, 1, err);
}

int proc_run_all(struct proc_job *jobs, size_t n, struct cai_err *err)
{
	return proc_run_start(jobs, n, err) < 0 ? -1 : proc_run_wait(jobs, n, err);
}

/* Ends a job's part in a wait: its pipes closed, and out of the set. */
static void proc_finish(struct proc_job *j, unsigned bit, unsigned *set)
{
	if (j->fd_exec >= 0)
		proc_read_exec_status(j);
	fd_closep(&j->fd_out);
	fd_closep(&j->fd_err);
	*set &= ~bit;
}

static int proc_wait(struct proc_job *jobs, size_t n, unsigned *set, int any, struct cai_err *err)
{
	int ended = 0;

	/* On a signal every job in the set goes, any or not. */
	while (*set && !(any && ended && !proc_signal)) {
		struct pollfd pfd[3 * PROC_MAX_JOBS];
		struct proc_job *owner[3 * PROC_MAX_JOBS];
		int *which[3 * PROC_MAX_JOBS];
		size_t np = 0;
		long long now = clock_now_ms(), wait = -1;

		for (size_t i = 0; i < n; i++) {
			struct proc_job *j = &jobs[i];
			unsigned bit = 1u << i;
			if (!(*set & bit))
				continue;
			if (!j->reaped && (now >= j->deadline_ms || proc_signal)) {
				j->timed_out = !proc_signal;
				proc_kill_all(j, 1);
			}
			if (j->reaped) {
				proc_finish(j, bit, set);
				ended = 1;
				continue;
			}
			long long left = j->deadline_ms - now;
			int *fds[3] = { &j->fd_out, &j->fd_err, &j->fd_exec };
			int open_pipes = 0;
			for (int k = 0; k < 3; k++) {
				if (*fds[k] < 0)
					continue;
				pfd[np].fd = *fds[k];
				pfd[np].events = POLLIN;
				owner[np] = j;
				which[np] = fds[k];
				np++;
				open_pipes = 1;
			}
			if (!open_pipes) {
				proc_reap(j, 0);
				if (j->reaped) {
					proc_finish(j, bit, set);
					ended = 1;
					continue;
				}
				if (left > PROC_REAP_TICK_MS)
					left = PROC_REAP_TICK_MS;
			}
			if (wait < 0 || left < wait)
				wait = left;
		}
		if (!*set || (any && ended) || proc_signal)
			continue; /* the loop's test decides */
		if (poll(pfd, np, (int)(wait < 0 ? 0 : wait)) < 0 && errno != EINTR) {
			int e = errno;
			for (size_t i = 0; i < n; i++)
				if (*set & (1u << i))
					proc_kill_all(&jobs[i], 1);
			return err_set(err, e, "poll");
		}
		for (size_t k = 0; k < np; k++) {
			struct proc_job *j = owner[k];
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (which[k] == &j->fd_exec)
				proc_read_exec_status(j);
			else if (which[k] == &j->fd_out)
				proc_drain(&j->fd_out, j->out, &j->out_len, j->out_max, &j->out_truncated);
			else
				proc_drain(&j->fd_err, j->errout, &j->err_len, j->out_max, &j->err_truncated);
		}
	}
	return 0;
}

int proc_ok(const struct proc_job *j)
{
	return j->started && !j->timed_out && j->exited && j->exit_code == 0;
}

void proc_label(char *const *argv, char *out, size_t outsz)
{
	size_t o = (size_t)snprintf(out, outsz, "%s", argv[0]);
	int words = 0;

	for (size_t i = 1; argv[i] && words < 2 && o < outsz; i++) {
		if (!strcmp(argv[i], "--context") || !strcmp(argv[i], "-H") || !strcmp(argv[i], "-C") ||
		    !strcmp(argv[i], "--format")) {
			if (argv[i + 1])
				i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		o += (size_t)snprintf(out + o, outsz - o, " %s", argv[i]);
		words++;
	}
}

void proc_describe_failure(const struct proc_job *j, char *out, size_t outsz)
{
	char line[200] = "", what[128];
	const char *src = j->err_len ? j->errout : j->out;
	size_t k = 0;

	/* First non-empty line of what the program said, as printable text. */
	while (*src == '\n' || *src == '\r' || *src == ' ')
		src++;
	for (; *src && *src != '\n' && k + 1 < sizeof(line); src++)
		line[k++] = *src;
	line[k] = '\0';
	log_sanitize(line, k);
	proc_label(j->argv, what, sizeof(what));

	if (!j->started && j->spawn_errno == ENOENT)
		snprintf(out, outsz, "%s: not found on PATH", j->argv[0]);
	else if (!j->started && j->refused[0])
		snprintf(out, outsz, "%s: refused: %s", j->argv[0], j->refused);
	else if (!j->started)
		snprintf(out, outsz, "%s: cannot execute: %s", j->argv[0], strerror(j->spawn_errno));
	else if (j->timed_out)
		snprintf(out, outsz, "%s: no answer within %u ms (killed)", what,
			 j->timeout_ms ? j->timeout_ms : PROC_DEFAULT_TIMEOUT_MS);
	else if (!j->exited)
		snprintf(out, outsz, "%s: killed by a signal", what);
	else if (j->out_truncated)
		snprintf(out, outsz, "%s: output larger than %zu bytes", what, j->out_max);
	else
		snprintf(out, outsz, "%s: exit status %d%s%s", what, j->exit_code,
			 line[0] ? ": " : "", line);
}

void proc_job_release(struct proc_job *j)
{
	free(j->out);
	free(j->errout);
	j->out = j->errout = NULL;
	fd_closep(&j->fd_out);
	fd_closep(&j->fd_err);
	fd_closep(&j->fd_exec);
}

int proc_exec(char *const *argv, int pass_fd, struct cai_err *err)
{
	char path[PATH_MAX], why[200];

	if (pathtrust_find(argv[0], path, sizeof(path), why, sizeof(why)) < 0)
		return err_set(err, errno == EACCES ? 0 : errno, "%s: %s", argv[0], why);
	if (pass_fd > 0 && fcntl(pass_fd, F_SETFD, 0) < 0)
		return err_set(err, errno, "%s: descriptor %d", argv[0], pass_fd);
	execv(path, argv);
	int e = errno;
	if (pass_fd > 0)
		(void)fcntl(pass_fd, F_SETFD, FD_CLOEXEC);
	return err_set(err, e, "%s", argv[0]);
}
