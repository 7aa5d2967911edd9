/* SPDX-License-Identifier: MIT */
#include "sandbox_rm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"
#include "fd.h"
#include "log.h"
#include "plan.h"
#include "sandbox_run.h"

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
	_cleanup_free_ char *users_ps = NULL;
	char filter[320], users[512];

	snprintf(filter, sizeof(filter), "volume=%s", volume);
	if (docker_ps(&s->docker, filter, "{{.ID}} {{.Names}}", &users_ps, err) < 0)
		return err_prefix(err, "cannot tell which containers use volume %s", volume);
	if (sandbox_rm_other_users(users_ps, self, users, sizeof(users)))
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

/* --volume: unused elsewhere and confirmed, before anything is removed. */
static int volume_check(const struct plan_input *in, int *exit_code, struct cai_err *err)
{
	const struct reentry *ex = in->existing;

	if (!in->o->volume || !ex->id[0])
		return 0;
	if (volume_unused(in->s, ex->data_volume, ex->id, err) < 0)
		return -1;
	if (!confirmed(in->o, in->name, ex->data_volume)) {
		*exit_code = EXIT_REFUSED;
		return err_set(err, 0, "not removed: --volume deletes %s with everything in it; "
				       "confirm on a terminal or give --yes", ex->data_volume);
	}
	return 0;
}

int sandbox_rm(const struct session *s, const struct cli *o, int *exit_code, struct cai_err *err)
{
	const struct sandbox_act act = { plan_rm, volume_check, s->cfg.timeout_s * 1000, 0, 1 };

	return sandbox_act_on(s, o, &act, exit_code, err);
}
