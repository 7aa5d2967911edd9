/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "supervise.h"

#include <dirent.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "fd.h"
#include "log.h"

extern char **environ;

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* The final SIGKILL: rounds of kill-then-reap, each up to this long. */
#define KILL_ROUNDS 100
#define KILL_ROUND_MS 20
/* While shutting down as PID 1: how often to look whether the processes
 * that are not our children (entered with `docker exec`) are gone. */
#define NONCHILD_POLL_MS 50
/* How long the supervision loop waits without a signal before it sheds
 * the start-up text (well below the time a person notices). */
#define SHED_IDLE_MS 100

int exit_status_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_INIT_FAILED;
}

static const char *env_path(char **envp)
{
	for (char **e = envp; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return DEFAULT_PATH;
}

int exec_command(char **argv, char **envp)
{
	const char *cmd = argv[0];
	int saw_eacces = 0;
	int last = ENOENT;

	if (!cmd[0]) {
		log_error("command '': not found");
		return EXIT_NOT_FOUND;
	}
	if (strchr(cmd, '/')) {
		execve(cmd, argv, envp);
		last = errno;
	} else {
		const char *p = env_path(envp);
		char full[PATH_MAX];

		for (;;) {
			const char *colon = strchrnul(p, ':');
			size_t dlen = (size_t)(colon - p);
			int n;

			/* An empty PATH entry means the current directory. */
			if (dlen == 0)
				n = snprintf(full, sizeof(full), "%s", cmd);
			else
				n = snprintf(full, sizeof(full), "%.*s/%s", (int)dlen, p, cmd);
			if (n > 0 && (size_t)n < sizeof(full)) {
				execve(full, argv, envp);
				last = errno;
				if (last == EACCES)
					saw_eacces = 1;
				else if (last != ENOENT && last != ENOTDIR && last != ELOOP &&
					 last != ENAMETOOLONG)
					break;
			}
			if (!*colon)
				break;
			p = colon + 1;
		}
		if (saw_eacces && (last == ENOENT || last == ENOTDIR))
			last = EACCES;
	}
	if (last == ENOENT || last == ENOTDIR) {
		log_error("command '%s': not found", cmd);
		return EXIT_NOT_FOUND;
	}
	log_error("command '%s': cannot execute: %s", cmd, strerror(last));
	return EXIT_CANNOT_EXEC;
}

/* Wait until PID 1 has shed its own privileges (harden_self), so the
 * command never runs beside a still-privileged init.  Anything but the
 * one "go" byte - PID 1 failed or died - means the command must not start. */
static void child_wait_for_go(int gate)
{
	char go = 0;
	ssize_t n;

	do
		n = read(gate, &go, 1);
	while (n < 0 && errno == EINTR);
	close(gate);
	/* PID 1 has already said why: one line, not two. */
	if (n != 1 || go != 'g')
		_exit(EXIT_INIT_FAILED);
}

/* The preparation hooks, then the signal mask the command gets, then
 * exec: the child's part of a start, and all of a --join.  Returns the
 * exit status when there is nothing to exec (sandbox mode: 0 once
 * prepared) or exec failed. */
static int prepare_and_exec(const struct supervise_spec *spec, const sigset_t *mask)
{
	struct cai_err err = { 0 };
	char **envp = environ;

	if (spec->prepare && spec->prepare(spec->ctx, &envp, &err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	if (!spec->argv)
		return 0;
	if (spec->finalize && spec->finalize(spec->ctx, &err) < 0) {
		log_error_err(&err);
		return EXIT_INIT_FAILED;
	}
	/* Restored last: signals forwarded during preparation stay pending
	 * and are delivered to the command, not lost (dumb-init's gap). */
	sigprocmask(SIG_SETMASK, mask, NULL);
	return exec_command(spec->argv, envp);
}

/* The child: the go from PID 1, its own process group, the terminal's
 * foreground, then the preparation and the command. */
static void child_run(const struct supervise_spec *spec, const sigset_t *orig_mask, int gate)
{
	child_wait_for_go(gate);

	/* Its own group, so `-g` can reach its whole job and a terminal's
	 * Ctrl-C goes to it and not to PID 1. */
	if (setpgid(0, 0) < 0)
		log_warn("setpgid: %s", strerror(errno));
	/* Job control under `docker run -it`: the command must own the
	 * terminal.  SIGTTOU is still blocked here, so tcsetpgrp() from a
	 * background group cannot stop us.  Not fatal: stdin may be a
	 * terminal we do not control. */
	if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		log_debug("tcsetpgrp: %s", strerror(errno));
	_exit(prepare_and_exec(spec, orig_mask));
}

int supervise_join(const struct supervise_spec *spec)
{
	sigset_t mask;

	/* The engine's exec made this process the leader of its session and
	 * the owner of its terminal: it stays so, nothing is forked, and the
	 * command inherits the mask as it is. */
	sigprocmask(SIG_SETMASK, NULL, &mask);
	return prepare_and_exec(spec, &mask);
}

struct supervisor {
	const struct supervise_spec *spec;
	pid_t child;
	int is_pid1;
	int child_done;
	int child_status;
	int sfd;
	int text_shed;                  /* shed_startup_text has run */
};

/* Children reaped per turn of a loop.  Between batches each loop looks at
 * its deadline and its pending signals: a process that parks thousands of
 * children on PID 1 (each wait walks past them all) and keeps making new
 * ones that exit at once would otherwise hold PID 1 in waitpid() for as
 * long as it likes - no signal forwarded, no grace period ending. */
#define REAP_BATCH 64

enum reap_result {
	REAP_NONE_LEFT,         /* nothing left */
	REAP_IDLE,              /* something left, no child exited */
	REAP_MORE,              /* the batch is done; more may have exited */
};

/* Reap up to REAP_BATCH exited children. */
static enum reap_result reap(struct supervisor *s)
{
	for (int reaped = 0; reaped < REAP_BATCH;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			/* Checked for every reaped pid: SIGCHLDs coalesce, so the
			 * main child may be reaped in a batch of orphans. */
			if (pid == s->child) {
				s->child_done = 1;
				s->child_status = st;
			}
			reaped++;
			continue;
		}
		if (pid == 0)
			return REAP_IDLE;
		if (errno != EINTR)
			return errno == ECHILD ? REAP_NONE_LEFT : REAP_IDLE;
	}
	return REAP_MORE;
}

struct proc_link {
	pid_t pid, ppid;
};

static int proc_link_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct proc_link *)a)->pid, y = ((const struct proc_link *)b)->pid;
	return (x > y) - (x < y);
}

/* As a subreaper (not PID 1), kill(-1) would reach processes that are not
 * ours: walk /proc for processes whose parent chain reaches us.  Parents
 * are found by binary search, so a fork bomb's thousands of processes do
 * not make the scan quadratic. */
static int signal_descendants(pid_t self, int sig)
{
	enum { MAXP = 65536 };
	static struct proc_link procs[MAXP];
	size_t n = 0;
	int sent = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAXP) {
		char path[64], buf[512];
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		/* The command name may hold ')' and spaces: parse after the last ')'. */
		char *rp = strrchr(buf, ')');
		long ppid;
		char state;
		if (!rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		procs[n].pid = (pid_t)pid;
		procs[n].ppid = (pid_t)ppid;
		n++;
	}
	closedir(d);
	qsort(procs, n, sizeof(procs[0]), proc_link_cmp);
	for (size_t i = 0; i < n; i++) {
		pid_t p = procs[i].ppid;
		/* Bounded walk up the recorded parents. */
		for (size_t depth = 0; depth < n && p > 1; depth++) {
			if (p == self) {
				if (kill(procs[i].pid, sig) == 0)
					sent++;
				break;
			}
			struct proc_link key = { .pid = p };
			const struct proc_link *up = bsearch(&key, procs, n, sizeof(procs[0]), proc_link_cmp);
			if (!up)
				break;
			p = up->ppid;
		}
	}
	return sent;
}

static void signal_everyone(struct supervisor *s, int sig)
{
	if (s->is_pid1)
		kill(-1, sig);  /* every process in the namespace but us, setsid() or not */
	else
		signal_descendants(getpid(), sig);
}

/* A batch of reaping, REAP_NONE_LEFT only when nothing is left but us: no
 * child and, as PID 1, no other process in the namespace - a process
 * entered with `docker exec` is not our child, so only kill(-1, 0) failing
 * with ESRCH says it is gone. */
static enum reap_result reap_leftovers(struct supervisor *s)
{
	enum reap_result r = reap(s);

	if (r == REAP_NONE_LEFT && s->is_pid1 && !(kill(-1, 0) < 0 && errno == ESRCH))
		return REAP_IDLE;
	return r;
}

static void forward(struct supervisor *s, int sig)
{
	pid_t target = s->spec->target == SIGNAL_TARGET_GROUP ? -s->child : s->child;

	if (kill(target, sig) < 0 && errno != ESRCH)
		log_warn("forwarding signal %d: %s", sig, strerror(errno));
}

/* Signals read at once: every standard one can be pending together, so
 * one read takes them all, and a SIGCHLD raised again and again by a
 * stream of exiting children never starves the ones after it. */
#define SIGNAL_BATCH 32

/* Wait up to timeout_ms (-1: for ever, 0: not at all) for signals on the
 * non-blocking signalfd and read those pending.  Returns how many, 0 when
 * none came, -1 when the signalfd fails. */
static int read_signals(int sfd, int timeout_ms, struct signalfd_siginfo si[SIGNAL_BATCH])
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	ssize_t n = read(sfd, si, SIGNAL_BATCH * sizeof(*si));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	return (int)((size_t)n / sizeof(*si));
}

/* A signal the init raised on itself (SIGPIPE from a log line to a closed
 * stderr) is nobody's to receive: passing it on would kill processes no
 * one meant to signal. */
static int raised_by_us(const struct signalfd_siginfo *si)
{
	return si->ssi_pid == (uint32_t)getpid();
}

/* Reap until nothing is left (1) or `ms` pass without that (0). */
static int reap_for(struct supervisor *s, int ms)
{
	long long end = clock_now_ms() + ms;

	for (;;) {
		enum reap_result r = reap_leftovers(s);
		if (r == REAP_NONE_LEFT)
			return 1;
		long long left = end - clock_now_ms();
		if (left <= 0)
			return 0;
		/* SIGCHLD (or anything else, dropped: the end is decided) wakes
		 * us; a process that is not our child ends without one; after a
		 * full batch there is no waiting. */
		struct signalfd_siginfo si[SIGNAL_BATCH];
		if (left > NONCHILD_POLL_MS)
			left = NONCHILD_POLL_MS;
		read_signals(s->sfd, r == REAP_MORE ? 0 : (int)left, si);
	}
}

/* The grace period: reap, and pass every signal on to everyone left,
 * until nothing is left (1) or the period is over (0).  `r` is the last
 * reap's result: after a full batch the next turn does not wait. */
static int grace_period(struct supervisor *s, enum reap_result r)
{
	_cleanup_close_ int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { .it_value = { .tv_sec = s->spec->grace } };

	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0)
		return 0;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = s->sfd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
		int wait = r == REAP_MORE ? 0 : s->is_pid1 ? NONCHILD_POLL_MS : -1;
		if (poll(pfd, 2, wait) < 0 && errno != EINTR)
			return 0;
		if (pfd[1].revents)
			return 0;
		struct signalfd_siginfo si[SIGNAL_BATCH];
		int n = read_signals(s->sfd, 0, si);
		for (int i = 0; i < n; i++)
			if (si[i].ssi_signo != SIGCHLD && !raised_by_us(&si[i]))
				signal_everyone(s, (int)si[i].ssi_signo);
		r = reap_leftovers(s);
		if (r == REAP_NONE_LEFT)
			return 1;
	}
}

/* The command is gone, or the sandbox asked to stop: TERM everyone left,
 * keep reaping for the grace period, then KILL what is still there.  Each
 * signal goes before the log line that tells of it: a line that cannot be
 * written must never delay what it reports. */
static void shutdown_leftovers(struct supervisor *s)
{
	enum reap_result r = reap_leftovers(s);

	if (r == REAP_NONE_LEFT)
		return;
	if (s->spec->grace > 0) {
		signal_everyone(s, SIGTERM);
		log_debug("sent SIGTERM to the processes left");
		if (grace_period(s, r))
			return;
	}
	/* Repeat: as a subreaper, a process may fork between our scan of
	 * /proc and its death; the child it leaves is then ours and alive.
	 * Never a blocking wait: that child would hold the init forever.  A
	 * bounded number of rounds, each waiting briefly for the killed to
	 * become zombies; as PID 1 the first round normally ends it. */
	for (int round = 0; round < KILL_ROUNDS; round++) {
		signal_everyone(s, SIGKILL);
		if (round == 0 && s->spec->grace > 0)
			log_warn("leftover processes still running after %u s; sending SIGKILL", s->spec->grace);
		if (reap_for(s, KILL_ROUND_MS))
			return;
	}
	log_warn("processes still left after %d rounds of SIGKILL", KILL_ROUNDS);
}

/* The init cannot go on: end the command (it has not started, or cannot
 * be supervised), reap everything and report our own failure. */
static int abort_child(struct supervisor *s)
{
	kill(s->child, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return EXIT_INIT_FAILED;
}

static int shed_text_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	long page = sysconf(_SC_PAGESIZE);
	(void)size;
	(void)data;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || (ph->p_flags & PF_W))
			continue;
		uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(page - 1);
		uintptr_t hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + (uintptr_t)page - 1) &
			       ~(uintptr_t)(page - 1);
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	return 0;
}

/* PID 1 lives as long as the container and runs only the small loop below
 * from now on.  Start-up (libc set-up, config parsing, fork) mapped much
 * more of the text than that; unmap it so that only what the loop touches
 * comes back.  Only the executable, never-written segment is dropped: its
 * pages are re-read from the binary on demand - as the kernel may do
 * under memory pressure anyway - so no state is lost. */
static void shed_startup_text(void)
{
	dl_iterate_phdr(shed_text_segment, NULL);
}

/* read_signals, the start-up text shed first once no signal has come
 * for SHED_IDLE_MS: a command that ends at once (a probe, a script's
 * one-liner) would only have PID 1 fault the shed pages back in to exit,
 * while one that keeps running is shed as soon as it settles. */
static int next_signals(struct supervisor *s, int timeout_ms, struct signalfd_siginfo si[SIGNAL_BATCH])
{
	if (!s->text_shed && timeout_ms != 0) {
		struct pollfd pfd = { .fd = s->sfd, .events = POLLIN };
		int r = poll(&pfd, 1, SHED_IDLE_MS);
		if (r == 0 || (r < 0 && errno != EINTR)) {
			shed_startup_text();
			s->text_shed = 1;
		}
	}
	return read_signals(s->sfd, timeout_ms, si);
}

/* Signals that end a sandbox: docker stop's SIGTERM and their kin. */
static int is_stop_signal(uint32_t sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
}

/* Sandbox mode: the child prepares and exits; PID 1 publishes that it
 * did, then reaps what joined processes leave behind until it is asked to
 * stop.  Other signals have no one to go to: there is no command. */
static int sandbox_loop(struct supervisor *s)
{
	const struct supervise_spec *spec = s->spec;
	struct cai_err err = { 0 };
	int prepared = 0, status = EXIT_INIT_FAILED;
	enum reap_result r = REAP_IDLE;

	for (;;) {
		struct signalfd_siginfo si[SIGNAL_BATCH];
		uint32_t stop = 0;
		int n = next_signals(s, r == REAP_MORE ? 0 : -1, si);

		if (n < 0) {
			log_error("signalfd read: %s", strerror(errno));
			break;
		}
		int exited = r == REAP_MORE;
		for (int i = 0; i < n; i++) {
			if (si[i].ssi_signo == SIGCHLD)
				exited = 1;
			else if (!stop && !raised_by_us(&si[i]) && is_stop_signal(si[i].ssi_signo))
				stop = si[i].ssi_signo;
		}
		if (stop) {
			log_info("signal %u: stopping the sandbox", stop);
			status = 0;
			break;
		}
		if (!exited)
			continue;
		r = reap(s);
		if (!s->child_done || prepared)
			continue;
		/* The child has said why already. */
		if (!WIFEXITED(s->child_status) || WEXITSTATUS(s->child_status) != 0) {
			log_error("the sandbox's preparation failed: stopping");
			break;
		}
		if (spec->prepared && spec->prepared(spec->ctx, &err) < 0) {
			log_error_err(&err);
			break;
		}
		prepared = 1;
		log_info("sandbox prepared: processes may join");
	}
	if (prepared && spec->stopping)
		spec->stopping(spec->ctx);
	shutdown_leftovers(s);
	return status;
}

int supervise_run(const struct supervise_spec *spec)
{
	struct supervisor s = { .spec = spec, .sfd = -1 };
	struct cai_err err = { 0 };
	sigset_t all, orig;

	s.is_pid1 = getpid() == 1;
	/* Joined processes are not our children: only as the namespace's
	 * init do their orphans come to us, and does kill(-1) reach them. */
	if (!spec->argv && !s.is_pid1) {
		log_error("--sandbox: containai-init must be PID 1 (the container's init)");
		return EXIT_INIT_FAILED;
	}
	/* A mark left by an earlier start that was killed (never asked to
	 * stop) must not let a join in while this start prepares: PID 1's
	 * start time alone does not tell the starts apart where every start
	 * boots a kernel of its own (gVisor: PID 1 starts a few ticks after
	 * its boot each time). */
	if (!spec->argv && spec->stopping)
		spec->stopping(spec->ctx);
	if (!s.is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		log_error("cannot become a child subreaper: %s", strerror(errno));
		return EXIT_INIT_FAILED;
	}
	/* Block everything before fork: nothing can arrive between fork and
	 * the signalfd, and the child starts with all signals blocked until
	 * it restores the mask we inherited. */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &orig) < 0) {
		log_error("sigprocmask: %s", strerror(errno));
		return EXIT_INIT_FAILED;
	}
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0) {
		log_error("pipe: %s", strerror(errno));
		return EXIT_INIT_FAILED;
	}
	s.child = fork();
	if (s.child < 0) {
		log_error("fork: %s", strerror(errno));
		return EXIT_INIT_FAILED;
	}
	if (s.child == 0) {
		close(gate[1]);
		child_run(spec, &orig, gate[0]);
	}
	close(gate[0]);
	/* From here PID 1 never waits on its stderr, which the command shares
	 * and can stop; done while still privileged, for the reopening.  The
	 * child keeps the description it inherited. */
	log_never_wait();

	/* Both sides set the group so that neither order of scheduling leaves
	 * a window where forwarding with -g reaches the wrong group. */
	setpgid(s.child, s.child);
	/* Hold nothing open that the command could inherit or pin: no
	 * directory, no descriptor beyond stdio. */
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));
	if (spec->harden_self && spec->harden_self(spec->ctx, &err) < 0) {
		log_error_err(&err);
		close(gate[1]);
		return abort_child(&s);
	}
	if (write(gate[1], "g", 1) != 1) {
		log_error("starting the command: %s", strerror(errno));
		close(gate[1]);
		return abort_child(&s);
	}
	if (fd_close_from(3, &err) < 0)
		log_warn("%s", err.msg);
	s.sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return abort_child(&s);
	}
	if (!spec->argv)
		return sandbox_loop(&s);
	enum reap_result r = REAP_IDLE;
	while (!s.child_done) {
		struct signalfd_siginfo si[SIGNAL_BATCH];
		/* After a full batch of reaping, look at the signals without
		 * waiting, then reap the next batch. */
		int n = next_signals(&s, r == REAP_MORE ? 0 : -1, si);

		if (n < 0) {
			/* Cannot supervise any more: end the command rather than
			 * leave it running without an init that forwards signals. */
			log_error("signalfd read: %s", strerror(errno));
			kill(s.child, SIGKILL);
			for (;;) {
				int st;
				pid_t pid = waitpid(-1, &st, 0);
				if (pid == s.child) {
					s.child_done = 1;
					s.child_status = st;
				} else if (pid < 0 && errno != EINTR) {
					break;
				}
			}
			break;
		}
		int exited = r == REAP_MORE;
		for (int i = 0; i < n; i++) {
			if (si[i].ssi_signo == SIGCHLD)
				exited = 1;
			else if (!raised_by_us(&si[i]))
				forward(&s, (int)si[i].ssi_signo);
		}
		if (exited)
			r = reap(&s);
	}
	shutdown_leftovers(&s);
	return exit_status_from_wait(s.child_status);
}
