/* SPDX-License-Identifier: MIT */
#include "sandbox_rm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"
#include "log.h"
#include "plan.h"
#include "plan_exec.h"
#include "sandbox_run.h"
#include "wsname.h"

size_t sandbox_rm_other_users(const char *ps_out, const char *self, char *out, size_t outsz)
{
	size_t n = 0, o = 0;

	out[0] = '\0';
	for (const char *line = ps_out; *line;) {
		size_t len = strcspn(line, "\n");
		size_t idlen = strcspn(line, " \n");
		if (len && (idlen != strlen(self) || strncmp(line, self, idlen))) {
			const char *nm = line + idlen + (idlen < len);
			int w = snprintf(out + o, outsz - o, "%s%.*s", n ? ", " : "", (int)(line + len - nm), nm);
			if (w > 0 && o + (size_t)w < outsz)
				o += (size_t)w;
			n++;
		}
		line += len + (line[len] == '\n');
	}
	log_sanitize(out, o);
	return n;
}

/* No container but the sandbox's own uses `volume`. */
static int volume_unused(const struct session *s, const char *volume, const char *self, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	_cleanup_argv_ struct argv a = { 0 };
	struct proc_job *j;
	char users[512];

	docker_argv(&s->docker, &a);
	argv_push(&a, "ps");
	argv_push(&a, "-a");
	argv_push(&a, "--no-trunc");
	argv_push(&a, "--filter");
	argv_pushf(&a, "volume=%s", volume);
	argv_push(&a, "--format");
	argv_push(&a, "{{.ID}} {{.Names}}");
	if (!(j = batch_add(&b, &a, err)))
		return -1;
	j->timeout_ms = s->cfg.timeout_s * 1000;
	if (batch_run(&b, err) < 0)
		return -1;
	if (!proc_ok(j) || j->out_truncated) {
		char why[512];
		proc_describe_failure(j, why, sizeof(why));
		return err_set(err, 0, "cannot tell which containers use volume %s: %s", volume, why);
	}
	if (sandbox_rm_other_users(j->out, self, users, sizeof(users)))
		return err_set(err, 0, "volume %s is still used by %s: not removing it (nothing was removed)",
			       volume, users);
	return 0;
}

/* --yes, or "y" on the terminal: 1; no: 0. */
static int confirmed(const struct cli *o, const char *name, const char *volume)
{
	char line[16];

	if (o->yes)
		return 1;
	if (!isatty(0))
		return 0;
	fprintf(stderr, "Remove sandbox %s and its data volume %s, with everything stored in it? [y/N] ",
		name, volume);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\n")] = '\0';
	return !strcmp(line, "y") || !strcmp(line, "Y") || !strcmp(line, "yes");
}

int sandbox_rm(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	_cleanup_batch_ struct batch b = { 0 };
	struct reentry ex;
	char name[WSNAME_MAX + 1];

	*exit_code = EXIT_USAGE;
	if (sandbox_name(s, o, name, err) < 0)
		return -1;
	*exit_code = EXIT_FAILED;
	struct plan_input in = { .s = s, .o = o, .name = name, .existing = &ex, .env_fd = -1 };
	if (sandbox_look_up(s, name, 0, &ex, err) < 0 || plan_rm(&in, &b, err) < 0)
		return -1;
	if (o->volume && ex.id[0]) {
		if (volume_unused(s, ex.data_volume, ex.id, err) < 0)
			return -1;
		if (!confirmed(o, name, ex.data_volume)) {
			*exit_code = EXIT_REFUSED;
			return err_set(err, 0, "not removed: --volume deletes %s with everything in it; "
					       "confirm on a terminal or give --yes", ex.data_volume);
		}
	}
	return plan_exec_run(&b, s->cfg.timeout_s * 1000, 0, err);
}
