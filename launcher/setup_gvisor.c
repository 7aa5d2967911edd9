/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "setup_gvisor.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "batch.h"
#include "daemon_json.h"
#include "fd.h"
#include "file_replace.h"
#include "log.h"
#include "pathtrust.h"
#include "proc_run.h"

/* Where Debian's runsc package puts it, for a dry run that would install it. */
#define DEBIAN_RUNSC "/usr/bin/runsc"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("setup gvisor: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* One command, waited for, inheriting pass_fd (> 0); the job stays in *b
 * for its output. */
static struct proc_job *run1(struct batch *b, const char *const *words, unsigned timeout_ms,
			     int pass_fd, struct cai_err *err)
{
	struct proc_job *j = batch_add_words(b, words, err);

	if (!j)
		return NULL;
	j->timeout_ms = timeout_ms;
	j->pass_fd = pass_fd;
	return batch_run(b, err) < 0 ? NULL : j;
}

/* A failed job as an error: its program, status and first line. */
static int job_failed(const struct proc_job *j, struct cai_err *err)
{
	char why[512];

	proc_describe_failure(j, why, sizeof(why));
	return err_set(err, 0, "%s", why);
}

/* A program setup runs, found as pathtrust finds every program: 1 found
 * (its resolved path in out), 0 none on PATH, -1 (err set) when the one
 * found breaks the rule - then it is refused, never passed over. */
static int find_program(const char *name, char *out, size_t outsz, struct cai_err *err)
{
	char why[PATHTRUST_WHY_MAX];

	if (pathtrust_find(name, out, outsz, why, sizeof(why)) == 0)
		return 1;
	if (errno == EACCES)
		return err_set(err, 0, "%s: %s", name, why);
	return 0;
}

/* runsc found on PATH: the file it resolves to, which pathtrust checked,
 * is what the engine gets - and it must be named runsc, as detection
 * looks for exactly that name.  1 found, 0 none, -1 refused. */
static int find_runsc(char *out, size_t outsz, struct cai_err *err)
{
	int found = find_program("runsc", out, outsz, err);
	const char *slash = strrchr(out, '/');

	if (found == 1 && (!slash || strcmp(slash + 1, "runsc")))
		return err_set(err, 0, "runsc on PATH resolves to %s, not a file named runsc: name the "
				       "one to register with --runsc", out);
	return found;
}

/* --runsc as given: an absolute path to an executable regular file named
 * runsc (detection looks for exactly that name) in a directory, and
 * resolving to a file, that pathtrust lets programs come from - the engine
 * runs it as root for every sandbox.  *code: usage or refused. */
static int check_given_runsc(const char *path, int *code, struct cai_err *err)
{
	const char *slash = strrchr(path, '/');
	char real[PATH_MAX], why[PATHTRUST_WHY_MAX];
	struct stat st;

	*code = EXIT_USAGE;
	if (path[0] != '/' || !slash || strcmp(slash + 1, "runsc"))
		return err_set(err, 0, "--runsc %s: not an absolute path to a file named runsc", path);
	if (stat(path, &st) < 0)
		return err_set(err, errno, "--runsc %s", path);
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return err_set(err, 0, "--runsc %s: not an executable file", path);
	*code = EXIT_REFUSED;
	if (pathtrust_find(path, real, sizeof(real), why, sizeof(why)) < 0)
		return err_set(err, 0, "--runsc %s: %s", path, why);
	return 0;
}

/* `apt-get install -y runsc`; when apt knows no such package, its lists
 * are refreshed once and the install tried again. */
static int install_runsc(int *code, struct cai_err *err)
{
	static const char *const install[] = { "apt-get", "install", "-y", "runsc", NULL };
	static const char *const update[] = { "apt-get", "update", NULL };
	char apt[PATH_MAX];

	*code = EXIT_REFUSED;
	int found = find_program("apt-get", apt, sizeof(apt), err);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(err, 0, "runsc is not installed and apt-get is not available: install "
				       "gVisor's runsc and pass its path with --runsc");
	*code = EXIT_FAILED;
	if (setenv("DEBIAN_FRONTEND", "noninteractive", 1) < 0)
		return err_set(err, errno, "DEBIAN_FRONTEND");
	say("runsc is not installed: installing it with `apt-get install -y runsc`");
	for (int attempt = 0; attempt < 2; attempt++) {
		_cleanup_batch_ struct batch b = { 0 };
		struct proc_job *j = run1(&b, install, SETUP_APT_TIMEOUT_MS, 0, err);
		if (!j)
			return -1;
		if (proc_ok(j))
			return 0;
		if (attempt || !strstr(j->errout, "Unable to locate package")) {
			job_failed(j, err);
			return err_prefix(err, "installing runsc");
		}
		say("apt-get does not know runsc yet: running `apt-get update` first");
		_cleanup_batch_ struct batch u = { 0 };
		struct proc_job *ju = run1(&u, update, SETUP_APT_TIMEOUT_MS, 0, err);
		if (!ju)
			return -1;
		if (!proc_ok(ju)) {
			job_failed(ju, err);
			return err_prefix(err, "installing runsc");
		}
	}
	return 0;
}

/* runsc answers --version as runsc: a renamed runc would not. */
static int check_runsc_answers(const char *runsc, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	const char *const words[] = { runsc, "--version", NULL };
	struct proc_job *j = run1(&b, words, 10000, 0, err);

	if (!j)
		return -1;
	if (!proc_ok(j))
		return job_failed(j, err);
	if (strncmp(j->out, "runsc version ", 14))
		return err_set(err, 0, "%s --version does not answer as runsc", runsc);
	/* Its words reach the terminal as text, never as control sequences. */
	size_t n = strcspn(j->out, "\n");
	log_sanitize(j->out, n);
	say("runsc: %s (%.*s)", runsc, (int)n, j->out);
	return 0;
}

/* `dockerd --validate` on the new text, given as a memory file: nothing
 * reaches the disk before it passes.  A dockerd without --validate (before
 * 23.0) leaves the JSON checks of daemon_json alone. */
static int validate(const char *text, int *code, struct cai_err *err)
{
	char dockerd[PATH_MAX], cfg[64];

	int found = find_program("dockerd", dockerd, sizeof(dockerd), err);
	if (found < 0) {
		*code = EXIT_REFUSED;
		return -1;
	}
	if (!found) {
		say("dockerd is not on PATH here: the new file is checked as JSON only");
		return 0;
	}
	/* dockerd alone inherits it, and reads it as /dev/fd/N. */
	_cleanup_close_ int mfd = memfd_create("daemon.json", MFD_CLOEXEC);
	if (mfd < 0 || fd_write_all(mfd, text, strlen(text)) < 0)
		return err_set(err, errno, "validating: memory file");
	snprintf(cfg, sizeof(cfg), "/dev/fd/%d", mfd);
	_cleanup_batch_ struct batch b = { 0 };
	const char *const words[] = { dockerd, "--validate", "--config-file", cfg, NULL };
	struct proc_job *j = run1(&b, words, 30000, mfd, err);
	if (!j)
		return -1;
	if (proc_ok(j)) {
		say("dockerd --validate accepts the new configuration");
		return 0;
	}
	if (j->started && strstr(j->errout, "unknown flag: --validate")) {
		say("this dockerd has no --validate: the new file is checked as JSON only");
		return 0;
	}
	*code = EXIT_REFUSED;
	job_failed(j, err);
	return err_prefix(err, "dockerd rejects the new configuration");
}

static void how_to_reload(void)
{
	say("the engine reads its runtimes when it starts or reloads its configuration; containai "
	    "never restarts or signals a running engine. Reload it with `systemctl reload docker` "
	    "(or `kill -HUP` to dockerd's pid), or restart it (`systemctl restart docker`); then "
	    "`containai doctor` reports mode gvisor");
}

int setup_gvisor(const struct cli *o, int *code, struct cai_err *err)
{
	const char *file = o->daemon_json ? o->daemon_json : DAEMON_JSON_DEFAULT;
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *old = NULL, *text = NULL;
	char runsc[PATH_MAX], backup[512];
	struct pathtrust_report skipped;
	const char *name;
	size_t oldlen;
	struct stat st;

	*code = EXIT_REFUSED;
	if (!o->dry_run && geteuid() != 0)
		return err_set(err, 0, "setup gvisor needs root: it installs a package and changes the "
				       "engine's configuration (--dry-run does not)");
	/* Before the first program runs: apt-get, dockerd and runsc come
	 * from the directories pathtrust trusts, and so does what they run. */
	*code = EXIT_FAILED;
	if (pathtrust_filter_path(NULL, &skipped, err) < 0)
		return -1;
	if (o->runsc && check_given_runsc(o->runsc, code, err) < 0)
		return -1;
	*code = EXIT_FAILED;
	if (file_open_parent(file, &dirfd, &name, err) < 0)
		return -1;
	if (daemon_json_read(dirfd, name, file, &old, &oldlen, &st, err) < 0) {
		*code = err->errnum == EPERM ? EXIT_REFUSED : EXIT_FAILED;
		return -1;
	}

	*code = EXIT_REFUSED;
	int installed = o->runsc ? 1 : find_runsc(runsc, sizeof(runsc), err);
	if (installed < 0)
		return -1;
	if (o->runsc)
		snprintf(runsc, sizeof(runsc), "%s", o->runsc);
	else if (!installed)
		snprintf(runsc, sizeof(runsc), "%s", DEBIAN_RUNSC);
	struct daemon_runtime rt = {
		.name = SETUP_GVISOR_RUNTIME, .path = runsc,
		.args = o->runtime_args.v, .nargs = o->runtime_args.n,
	};
	/* Merged first with the path runsc will have: a file that cannot
	 * take the entry stops setup before anything is installed. */
	int added = daemon_json_merge(file, old, oldlen, &rt, &text, err);
	if (added < 0) {
		*code = err->errnum == EEXIST ? EXIT_REFUSED : EXIT_USAGE;
		return -1;
	}
	if (o->dry_run)
		say("dry run: nothing is installed or written");
	if (!installed && o->dry_run) {
		say("runsc is not installed: would install it with `apt-get install -y runsc` (as %s)", runsc);
	} else if (!installed) {
		if (install_runsc(code, err) < 0)
			return -1;
		*code = EXIT_REFUSED;
		if ((installed = find_runsc(runsc, sizeof(runsc), err)) < 0)
			return -1;
		if (!installed)
			return err_set(err, 0, "apt-get installed runsc, but it is not on PATH");
		free(text);
		text = NULL;
		if ((added = daemon_json_merge(file, old, oldlen, &rt, &text, err)) < 0) {
			*code = err->errnum == EEXIST ? EXIT_REFUSED : EXIT_USAGE;
			return -1;
		}
	}
	*code = EXIT_REFUSED;
	if (installed && check_runsc_answers(runsc, err) < 0)
		return -1;
	if (!added) {
		say("%s already registers runsc as %s: nothing to change", file, runsc);
		how_to_reload();
		return 0;
	}
	*code = EXIT_FAILED;
	if (validate(text, code, err) < 0)
		return -1;
	if (o->dry_run) {
		say("would %s %s with the runtime runsc added:", old ? "back up and rewrite" : "create", file);
		fputs(text, stdout);
		return 0;
	}
	if (daemon_json_write(dirfd, name, old, oldlen, &st, text, backup, sizeof(backup), err) < 0)
		return -1;
	if (backup[0])
		say("%s: the previous file is kept as %.*s%s", file, (int)(name - file), file, backup);
	say("%s: runtime runsc registered: path %s%s", file, runsc,
	    o->runtime_args.n ? ", runtimeArgs as given" : "");
	how_to_reload();
	return 0;
}
