/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "envname.h"
#include "macro.h"

const char cli_usage[] =
	"Usage: containai doctor [--json]\n"
	"       containai run [--force] [--dry-run] [--workspace DIR] [--image IMG] [--name NAME]\n"
	"                     [--data-volume VOL] [--context CTX] [--detach] [--restart] [--env KEY=VAL]...\n"
	"                     [--allow-host-credentials --i-understand-this-exposes-host-credentials]\n"
	"                     [--allow-host-docker-socket --i-understand-this-grants-root-access]\n"
	"                     [-- COMMAND [ARG...]]\n"
	"       containai stop [--name NAME] [--workspace DIR] [--context CTX]\n"
	"       containai logs --egress [--follow] [--name NAME] [--workspace DIR] [--context CTX]\n"
	"       containai version\n"
	"See containai(1).\n";

static int env_word_ok(const char *w)
{
	const char *eq = strchr(w, '=');

	/* Values reach docker as lines of an env file: a line break would
	 * end the value early or start another variable. */
	return eq && envname_valid(w, (size_t)(eq - w)) && !strpbrk(eq, "\r\n");
}

/* Options that take a value, and which subcommands accept them. */
struct valopt {
	const char *name;
	unsigned cmds;          /* bit per enum cli_cmd */
	size_t off;             /* offset of the const char * in struct cli */
};

#define C(x) (1u << (x))
static const struct valopt valopts[] = {
	{ "--workspace", C(CMD_RUN) | C(CMD_STOP) | C(CMD_LOGS), offsetof(struct cli, workspace) },
	{ "--name", C(CMD_RUN) | C(CMD_STOP) | C(CMD_LOGS), offsetof(struct cli, name) },
	{ "--context", C(CMD_RUN) | C(CMD_STOP) | C(CMD_DOCTOR) | C(CMD_LOGS), offsetof(struct cli, context) },
	{ "--egress", C(CMD_RUN), offsetof(struct cli, egress) },
	{ "--image", C(CMD_RUN), offsetof(struct cli, image) },
	{ "--data-volume", C(CMD_RUN), offsetof(struct cli, data_volume) },
};

struct flagopt {
	const char *name;
	unsigned cmds;
	size_t off;             /* offset of the int in struct cli */
};

static const struct flagopt flagopts[] = {
	{ "--json", C(CMD_DOCTOR), offsetof(struct cli, json) },
	{ "--egress", C(CMD_LOGS), offsetof(struct cli, egress_log) },
	{ "--follow", C(CMD_LOGS), offsetof(struct cli, follow) },
	{ "--force", C(CMD_RUN), offsetof(struct cli, force) },
	{ "--dry-run", C(CMD_RUN), offsetof(struct cli, dry_run) },
	{ "--detach", C(CMD_RUN), offsetof(struct cli, detach) },
	{ "--restart", C(CMD_RUN), offsetof(struct cli, restart) },
	{ "--allow-host-credentials", C(CMD_RUN), offsetof(struct cli, allow_creds) },
	{ "--i-understand-this-exposes-host-credentials", C(CMD_RUN), offsetof(struct cli, ack_creds) },
	{ "--allow-host-docker-socket", C(CMD_RUN), offsetof(struct cli, allow_sock) },
	{ "--i-understand-this-grants-root-access", C(CMD_RUN), offsetof(struct cli, ack_sock) },
};
#undef C

static int cli_option(struct cli *o, int argc, char **argv, int *i, struct cai_err *err)
{
	const char *a = argv[*i];
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);

	for (size_t k = 0; k < ARRAY_SIZE(flagopts); k++) {
		if (strlen(flagopts[k].name) != n || strncmp(a, flagopts[k].name, n))
			continue;
		if (!(flagopts[k].cmds & (1u << o->cmd)))
			break;
		if (eq)
			return err_set(err, 0, "%s takes no value", flagopts[k].name);
		*(int *)((char *)o + flagopts[k].off) = 1;
		return 0;
	}
	for (size_t k = 0; k < ARRAY_SIZE(valopts); k++) {
		if (strlen(valopts[k].name) != n || strncmp(a, valopts[k].name, n))
			continue;
		if (!(valopts[k].cmds & (1u << o->cmd)))
			break;
		const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
		if (!v || !v[0])
			return err_set(err, 0, "%s needs a value", valopts[k].name);
		*(const char **)((char *)o + valopts[k].off) = v;
		return 0;
	}
	if (o->cmd == CMD_RUN && n == 14 && !strncmp(a, "--egress-allow", n)) {
		const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
		if (!v || !v[0])
			return err_set(err, 0, "--egress-allow needs a domain");
		const char **grown = realloc(o->egress_allow, (o->negress_allow + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, ENOMEM, "--egress-allow");
		o->egress_allow = grown;
		o->egress_allow[o->negress_allow++] = v;
		return 0;
	}
	if (o->cmd == CMD_RUN && (!strncmp(a, "--env", n) && n == 5)) {
		const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
		if (!v || !env_word_ok(v))
			return err_set(err, 0, "--env needs KEY=VALUE with KEY made of letters, digits and '_' and a VALUE on one line");
		const char **grown = realloc(o->env, (o->nenv + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, ENOMEM, "--env");
		o->env = grown;
		o->env[o->nenv++] = v;
		return 0;
	}
	return err_set(err, 0, "unknown option '%s' for this command", a);
}

int cli_parse(int argc, char **argv, struct cli *o, struct cai_err *err)
{
	static const char *const names[] = { "help", "doctor", "run", "stop", "version", "logs" };

	memset(o, 0, sizeof(*o));
	if (argc < 2)
		return err_set(err, 0, "a command is needed");
	for (unsigned k = 0; k < ARRAY_SIZE(names); k++)
		if (!strcmp(argv[1], names[k]))
			o->cmd = (enum cli_cmd)k;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		o->cmd = CMD_HELP;
	else if (!strcmp(argv[1], "--version"))
		o->cmd = CMD_VERSION;
	else if (o->cmd == CMD_HELP && strcmp(argv[1], "help"))
		return err_set(err, 0, "unknown command '%s'", argv[1]);

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (o->cmd != CMD_RUN)
				return err_set(err, 0, "'--' is only for run");
			o->command = argv + i + 1;
			o->ncommand = (size_t)(argc - i - 1);
			break;
		}
		if (strncmp(argv[i], "--", 2))
			return err_set(err, 0, "unexpected argument '%s' (the command goes after --)", argv[i]);
		if (cli_option(o, argc, argv, &i, err) < 0)
			return -1;
	}
	if (o->cmd == CMD_LOGS && !o->egress_log)
		return err_set(err, 0, "logs: only the egress proxy's log exists yet; use logs --egress");
	return 0;
}

void cli_free(struct cli *o)
{
	free(o->env);
	o->env = NULL;
	free(o->egress_allow);
	o->egress_allow = NULL;
}
