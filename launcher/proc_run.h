/* SPDX-License-Identifier: MIT */
/* proc_run: run external programs (docker, sbx, git) for the launcher.
 *
 * Owns: spawning a program by argv with a PATH lookup and no shell, its
 * stdin on /dev/null (or a descriptor the caller gives), one descriptor
 * the caller names for it left open (every other the launcher holds is
 * close-on-exec: what one step reads, the others never get), its working
 * directory when the caller names one, its stdout and stderr captured up
 * to a bound, and a hard deadline after which its whole process group
 * gets SIGKILL.  Several jobs run concurrently and are waited for
 * together, so independent probes cost the time of the slowest one, not
 * the sum; jobs may also be started now and waited for later, behind
 * other rounds (a job dies with the launcher: PR_SET_PDEATHSIG).
 * Refuses: to wait forever (every job has a deadline) and to keep more
 * output than asked (the rest is read and dropped, and the job says it was
 * truncated, so a caller never parses half a document as if it were whole).
 * SIGINT, SIGTERM or SIGHUP while jobs run kills every job's group first,
 * then takes its usual effect on the launcher: no probe outlives it.
 * Also refuses to run a program from anywhere pathtrust does not trust
 * (the workspace, a directory others can write): the job is then not
 * started, and says why.
 */
#ifndef CAI_PROC_RUN_H
#define CAI_PROC_RUN_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define PROC_OUT_MAX (1u << 20)
#define PROC_MAX_JOBS 16

struct proc_job {
	/* in */
	char *const *argv;      /* argv[0] is looked up on PATH (pathtrust_find) */
	unsigned timeout_ms;    /* 0 means the default of 10 s */
	size_t out_max;         /* 0 means PROC_OUT_MAX; applies to stdout and stderr each */
	int stdin_fd;           /* > 0: the program's stdin (the caller's to close); else /dev/null */
	int pass_fd;            /* > 0: a close-on-exec descriptor this program alone inherits
				 * (its command line names it as /dev/fd/N; the caller's to close) */
	const char *cwd;        /* NULL: the launcher's */

	/* out */
	int started;            /* the program was executed */
	int spawn_errno;        /* why it could not be executed (ENOENT: not on PATH) */
	char refused[200];      /* EACCES from pathtrust: where it resolved, and why not there */
	int timed_out;          /* killed at the deadline */
	int exit_code;          /* valid when exited */
	int exited;             /* ended with exit(); otherwise killed by a signal */
	char *out, *errout;     /* NUL-terminated, never NULL after proc_run_all */
	size_t out_len, err_len;
	int out_truncated, err_truncated;

	/* private */
	char exec_path[PATH_MAX]; /* the file argv[0] resolved to */
	pid_t pid;
	int fd_out, fd_err, fd_exec;
	long long deadline_ms;
	int reaped;
};

/* Run every job to completion or to its deadline.  Fails (-1) only when
 * the launcher itself cannot spawn (no pipes, no memory); a job that could
 * not be executed, failed or timed out is reported in its own fields. */
int proc_run_all(struct proc_job *jobs, size_t n, struct cai_err *err);

/* proc_run_all in two halves: start the jobs, and wait for them later
 * (every job started must be waited for, before the launcher execs). */
int proc_run_start(struct proc_job *jobs, size_t n, struct cai_err *err);
int proc_run_wait(struct proc_job *jobs, size_t n, struct cai_err *err);
/* Of the started jobs in *running (bit i: jobs[i]; n at most the bits of
 * an unsigned), waits until at least one has ended and takes those that
 * have out of *running. */
int proc_run_wait_any(struct proc_job *jobs, size_t n, unsigned *running, struct cai_err *err);

/* True when the job ran and exited 0. */
int proc_ok(const struct proc_job *job);

/* One printable line saying why a job failed ("timed out after 10 s",
 * "exit status 1: <first line of stderr>", "not found on PATH"). */
void proc_describe_failure(const struct proc_job *job, char *out, size_t outsz);

/* "docker version": the program and its first two words that are not
 * options or their values, enough to tell the calls apart in a message. */
void proc_label(char *const *argv, char *out, size_t outsz);

void proc_job_release(struct proc_job *job);

/* Replace the launcher with argv (looked up through pathtrust_find, no
 * shell), pass_fd (> 0) inherited as in a job.  Returns only on failure. */
int proc_exec(char *const *argv, int pass_fd, struct cai_err *err);

#endif
