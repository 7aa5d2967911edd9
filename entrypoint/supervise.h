/* SPDX-License-Identifier: MIT */
/* supervise: the init proper - spawn the command, reap, forward, shut down.
 *
 * Owns: the fork of the command, its signal state and process group, the
 * signalfd event loop of PID 1, the grace-period shutdown and the mapping
 * of the command's fate to our exit status.
 * Also the sandbox mode (no command): the child prepares and exits, PID 1
 * says so (the `prepared` hook) and from then on only reaps - the orphans
 * of processes that joined with `docker exec` come to it - until a stop
 * signal (SIGTERM, SIGINT, SIGHUP, SIGQUIT).  No process is kept to hold
 * the sandbox up: PID 1 is root with CAP_KILL only, and the kernel drops
 * the signals the namespace sends its init, which handles none.  And the
 * joining process (supervise_join): the same preparation and exec, in
 * that process, without a fork.
 * Refuses: to leave anything running - when the command is gone, or the
 * sandbox is stopped, every process left (as PID 1 also those entered
 * with `docker exec`) gets SIGTERM, then SIGKILL once the grace period is
 * over; sandbox mode anywhere but as PID 1.
 *
 * The child does all heavy, privileged preparation (volume, environment,
 * hardening) between fork and exec, so that PID 1 stays small and never
 * holds what the agent's sandbox is built from.
 */
#ifndef CAI_SUPERVISE_H
#define CAI_SUPERVISE_H

#include "config.h"
#include "err.h"

#define EXIT_INIT_FAILED 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND   127

struct supervise_spec {
	char **argv;                    /* the command; NULL: sandbox mode */
	unsigned grace;                 /* seconds between TERM and KILL */
	enum signal_target target;
	/* In the child, as root, before exec: prepare the sandbox and return the
	 * command's environment in *envp (start: the init's own environ). */
	int (*prepare)(void *ctx, char ***envp, struct cai_err *err);
	/* In the child, the last step before execve (the seccomp filter). */
	int (*finalize)(void *ctx, struct cai_err *err);
	/* In PID 1 once the command is spawned: shed what supervision does not need. */
	int (*harden_self)(void *ctx, struct cai_err *err);
	/* Sandbox mode, in PID 1: the preparation child exited 0 / the
	 * sandbox is stopping - and, before anything is prepared, starting. */
	int (*prepared)(void *ctx, struct cai_err *err);
	void (*stopping)(void *ctx);
	void *ctx;
};

/* Run the command to its end, or the sandbox until it is stopped (0; 125
 * when its preparation failed); returns containai-init's exit status. */
int supervise_run(const struct supervise_spec *spec);

/* --join: spec->prepare, spec->finalize and exec in this process; returns
 * only when one of them failed, with the exit status. */
int supervise_join(const struct supervise_spec *spec);

/* The exit status for a waitpid() status: the code, or 128+N for signal N. */
int exit_status_from_wait(int wstatus);

/* execvp semantics with an explicit environment: search PATH from envp,
 * remember EACCES, stop on other errors.  Returns only on failure, with
 * 126 (found, not executable) or 127 (not found), after logging why. */
int exec_command(char **argv, char **envp);

#endif
