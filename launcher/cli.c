/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envname.h"
#include "macro.h"
#include "reentry.h"

const char cli_usage[] =
	"Usage: containai doctor [--json] [--context CTX] [--prefer MODE]\n"
	"       containai run [--force] [--dry-run] [--prefer MODE] [--workspace DIR] [--image IMG] [--name NAME]\n"
	"                     [--data-volume VOL] [--context CTX] [--detach] [--restart] [--env KEY=VAL]...\n"
	"                     [--publish [ADDR:]PORT[:SANDBOX_PORT]]... [--memory BYTES] [--cpus N]\n"
	"                     [--pids-limit N] [--egress balanced|locked|open|off] [--egress-allow DOMAIN]...\n"
	"                     [--allow-host-credentials --i-understand-this-exposes-host-credentials]\n"
	"                     [--allow-host-docker-socket --i-understand-this-grants-root-access]\n"
	"                     [-- COMMAND [ARG...]]\n"
	"       containai shell [--workspace DIR] [--name NAME] [--context CTX] [--force] [--env KEY=VAL]...\n"
	"       containai exec [--workspace DIR] [--name NAME] [--context CTX] [--force] [--env KEY=VAL]...\n"
	"                      [--] COMMAND [ARG...]\n"
	"       containai ls [--json] [--context CTX]\n"
	"       containai logs [--workspace DIR] [--name NAME] [--context CTX] [--follow|-f] [--tail N]\n"
	"                      [--egress]\n"
	"       containai stop [--workspace DIR] [--name NAME] [--context CTX]\n"
	"                      [--allow-host-credentials] [--allow-host-docker-socket]\n"
	"       containai rm [--workspace DIR] [--name NAME] [--context CTX] [--volume] [--yes]\n"
	"                    [--allow-host-credentials] [--allow-host-docker-socket]\n"
	"       containai import [--dry-run] [--with-credentials] [--workspace DIR] [--image IMG]\n"
	"                        [--data-volume VOL] [--context CTX]\n"
	"       containai completion bash|zsh|fish\n"
	"       containai setup gvisor [--dry-run] [--daemon-json PATH] [--runsc PATH]\n"
	"                              [--runtime-arg ARG]...\n"
	"       containai version\n"
	"See containai(1).\n";

static const char *const cmd_names[] = {
	[CMD_HELP] = "help", [CMD_DOCTOR] = "doctor", [CMD_RUN] = "run", [CMD_STOP] = "stop",
	[CMD_VERSION] = "version", [CMD_LS] = "ls", [CMD_SHELL] = "shell", [CMD_EXEC] = "exec",
	[CMD_LOGS] = "logs", [CMD_RM] = "rm", [CMD_IMPORT] = "import", [CMD_COMPLETION] = "completion",
	[CMD_SETUP] = "setup",
};

const char *cli_cmd_name(enum cli_cmd c)
{
	return cmd_names[c];
}

static int env_word_ok(const char *w)
{
	const char *eq = strchr(w, '=');

	/* Values reach docker as lines of an env file: a line break would
	 * end the value early or start another variable.  The host user's
	 * ids are run's own to give. */
	return eq && envname_valid(w, (size_t)(eq - w)) && !strpbrk(eq, "\r\n") &&
	       strncmp(w, SANDBOX_HOST_USER_ENV "=", sizeof(SANDBOX_HOST_USER_ENV));
}

/* One option of the runtime's own, as daemon.json's runtimeArgs holds it. */
static int runtime_arg_ok(const char *w)
{
	size_t n = strlen(w);

	if (n < 3 || n > 200 || strncmp(w, "--", 2))
		return 0;
	for (const char *c = w; *c; c++)
		if (*c <= ' ' || *c > '~')
			return 0;
	return 1;
}

#define C(x) (1u << (x))
/* The commands that name one sandbox, and those that reach an engine. */
#define ONE_SANDBOX (C(CMD_RUN) | C(CMD_STOP) | C(CMD_SHELL) | C(CMD_EXEC) | C(CMD_LOGS) | C(CMD_RM))
#define ENGINE (ONE_SANDBOX | C(CMD_DOCTOR) | C(CMD_LS) | C(CMD_IMPORT))
#define JOINING (C(CMD_RUN) | C(CMD_SHELL) | C(CMD_EXEC))

/* Options that take a value, and which commands accept them. */
struct valopt {
	const char *name;
	unsigned cmds;          /* bit per enum cli_cmd */
	size_t off;             /* offset of the const char * in struct cli */
};

static const struct valopt valopts[] = {
	{ "--workspace", ONE_SANDBOX | C(CMD_IMPORT), offsetof(struct cli, workspace) },
	{ "--name", ONE_SANDBOX, offsetof(struct cli, name) },
	{ "--context", ENGINE, offsetof(struct cli, context) },
	{ "--prefer", ENGINE, offsetof(struct cli, prefer) },
	{ "--daemon-json", C(CMD_SETUP), offsetof(struct cli, daemon_json) },
	{ "--runsc", C(CMD_SETUP), offsetof(struct cli, runsc) },
	{ "--image", C(CMD_RUN) | C(CMD_IMPORT), offsetof(struct cli, image) },
	{ "--data-volume", C(CMD_RUN) | C(CMD_IMPORT), offsetof(struct cli, data_volume) },
	{ "--memory", C(CMD_RUN), offsetof(struct cli, memory) },
	{ "--cpus", C(CMD_RUN), offsetof(struct cli, cpus) },
	{ "--pids-limit", C(CMD_RUN), offsetof(struct cli, pids_limit) },
	{ "--tail", C(CMD_LOGS), offsetof(struct cli, tail) },
	{ "--egress", C(CMD_RUN), offsetof(struct cli, egress) },
};

/* Repeatable options that take a value. */
struct listopt {
	const char *name;
	unsigned cmds;
	size_t off;             /* offset of the struct cli_list */
	int (*ok)(const char *value);
	const char *what;       /* the error when ok() says no */
};

static const struct listopt listopts[] = {
	{ "--env", JOINING, offsetof(struct cli, env), env_word_ok,
	  "--env needs KEY=VALUE with KEY made of letters, digits and '_' (not " SANDBOX_HOST_USER_ENV ", which run sets itself) and a VALUE on one line" },
	{ "--publish", C(CMD_RUN), offsetof(struct cli, publish), NULL, NULL },
	{ "--egress-allow", C(CMD_RUN), offsetof(struct cli, egress_allow), NULL, NULL },
	{ "--runtime-arg", C(CMD_SETUP), offsetof(struct cli, runtime_args), runtime_arg_ok,
	  "--runtime-arg needs one option of runsc, as --NAME or --NAME=VALUE, printable and "
	  "without spaces" },
};

struct flagopt {
	const char *name;
	unsigned cmds;
	size_t off;             /* offset of the int in struct cli */
};

static const struct flagopt flagopts[] = {
	{ "--json", C(CMD_DOCTOR) | C(CMD_LS), offsetof(struct cli, json) },
	{ "--force", JOINING, offsetof(struct cli, force) },
	{ "--dry-run", C(CMD_RUN) | C(CMD_IMPORT) | C(CMD_SETUP), offsetof(struct cli, dry_run) },
	{ "--detach", C(CMD_RUN), offsetof(struct cli, detach) },
	{ "--restart", C(CMD_RUN), offsetof(struct cli, restart) },
	{ "--follow", C(CMD_LOGS), offsetof(struct cli, follow) },
	{ "-f", C(CMD_LOGS), offsetof(struct cli, follow) },
	{ "--egress", C(CMD_LOGS), offsetof(struct cli, egress_log) },
	{ "--volume", C(CMD_RM), offsetof(struct cli, volume) },
	{ "--yes", C(CMD_RM), offsetof(struct cli, yes) },
	{ "--with-credentials", C(CMD_IMPORT), offsetof(struct cli, with_credentials) },
	/* stop and rm: which of the workspace's sandboxes (the one made with
	 * them); stopping or removing it grants nothing, so no acknowledgement. */
	{ "--allow-host-credentials", C(CMD_RUN) | C(CMD_STOP) | C(CMD_RM), offsetof(struct cli, allow_creds) },
	{ "--i-understand-this-exposes-host-credentials", C(CMD_RUN), offsetof(struct cli, ack_creds) },
	{ "--allow-host-docker-socket", C(CMD_RUN) | C(CMD_STOP) | C(CMD_RM), offsetof(struct cli, allow_sock) },
	{ "--i-understand-this-grants-root-access", C(CMD_RUN), offsetof(struct cli, ack_sock) },
};
#undef C

static void add_word(char *out, size_t outsz, size_t *o, const char *w)
{
	int n = snprintf(out + *o, outsz - *o, "%s%s", *o ? " " : "", w);

	if (n > 0 && *o + (size_t)n < outsz)
		*o += (size_t)n;
}

void cli_cmd_options(enum cli_cmd c, char *out, size_t outsz)
{
	unsigned bit = 1u << c;
	size_t o = 0;

	out[0] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(flagopts); k++)
		if (flagopts[k].cmds & bit)
			add_word(out, outsz, &o, flagopts[k].name);
	for (size_t k = 0; k < ARRAY_SIZE(valopts); k++)
		if (valopts[k].cmds & bit)
			add_word(out, outsz, &o, valopts[k].name);
	for (size_t k = 0; k < ARRAY_SIZE(listopts); k++)
		if (listopts[k].cmds & bit)
			add_word(out, outsz, &o, listopts[k].name);
}

static int list_add(struct cli_list *l, const char *v, struct cai_err *err)
{
	const char **grown = realloc(l->v, (l->n + 1) * sizeof(*grown));

	if (!grown)
		return err_set(err, ENOMEM, "options");
	l->v = grown;
	l->v[l->n++] = v;
	return 0;
}

static int matches(const char *a, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(a, name, n);
}

static int cli_option(struct cli *o, int argc, char **argv, int *i, struct cai_err *err)
{
	const char *a = argv[*i];
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	unsigned bit = 1u << o->cmd;

	for (size_t k = 0; k < ARRAY_SIZE(flagopts); k++) {
		if (!matches(a, n, flagopts[k].name) || !(flagopts[k].cmds & bit))
			continue;
		if (eq)
			return err_set(err, 0, "%s takes no value", flagopts[k].name);
		*(int *)((char *)o + flagopts[k].off) = 1;
		return 0;
	}
	const char *name = NULL;
	for (size_t k = 0; k < ARRAY_SIZE(valopts); k++)
		if (matches(a, n, valopts[k].name) && (valopts[k].cmds & bit))
			name = valopts[k].name;
	for (size_t k = 0; k < ARRAY_SIZE(listopts); k++)
		if (matches(a, n, listopts[k].name) && (listopts[k].cmds & bit))
			name = listopts[k].name;
	if (!name)
		return err_set(err, 0, "unknown option '%s' for %s", a, cli_cmd_name(o->cmd));
	const char *v = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
	for (size_t k = 0; k < ARRAY_SIZE(listopts); k++) {
		const struct listopt *l = &listopts[k];
		if (strcmp(l->name, name))
			continue;
		if (!v || !v[0] || (l->ok && !l->ok(v)))
			return l->ok ? err_set(err, 0, "%s", l->what) : err_set(err, 0, "%s needs a value", name);
		return list_add((struct cli_list *)((char *)o + l->off), v, err);
	}
	for (size_t k = 0; k < ARRAY_SIZE(valopts); k++) {
		if (strcmp(valopts[k].name, name))
			continue;
		if (!v || !v[0])
			return err_set(err, 0, "%s needs a value", name);
		*(const char **)((char *)o + valopts[k].off) = v;
	}
	return 0;
}

static int cli_command_name(const char *w, struct cli *o, struct cai_err *err)
{
	if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
		o->cmd = CMD_HELP;
		return 0;
	}
	if (!strcmp(w, "--version")) {
		o->cmd = CMD_VERSION;
		return 0;
	}
	for (unsigned k = 0; k < ARRAY_SIZE(cmd_names); k++) {
		if (cmd_names[k] && !strcmp(w, cmd_names[k])) {
			o->cmd = (enum cli_cmd)k;
			return 0;
		}
	}
	return err_set(err, 0, "unknown command '%s'", w);
}

/* A word that is not an option: exec's command starts there, completion
 * takes it as the shell's name; to anyone else it is a mistake. */
static int cli_word(struct cli *o, int argc, char **argv, int i, int *stop, struct cai_err *err)
{
	if (o->cmd == CMD_EXEC) {
		o->command = argv + i;
		o->ncommand = (size_t)(argc - i);
		*stop = 1;
		return 0;
	}
	if (o->cmd == CMD_COMPLETION && !o->shell) {
		o->shell = argv[i];
		return 0;
	}
	if (o->cmd == CMD_SETUP && !o->setup_target) {
		if (strcmp(argv[i], "gvisor"))
			return err_set(err, 0, "setup: '%s' is not something it sets up (gvisor)", argv[i]);
		o->setup_target = argv[i];
		return 0;
	}
	return err_set(err, 0, "unexpected argument '%s'%s", argv[i],
		       o->cmd == CMD_RUN ? " (the command goes after --)" : "");
}

int cli_parse(int argc, char **argv, struct cli *o, struct cai_err *err)
{
	memset(o, 0, sizeof(*o));
	if (argc < 2)
		return err_set(err, 0, "a command is needed");
	if (cli_command_name(argv[1], o, err) < 0)
		return -1;

	for (int i = 2; i < argc; i++) {
		int stop = 0;
		if (!strcmp(argv[i], "--")) {
			if (o->cmd != CMD_RUN && o->cmd != CMD_EXEC)
				return err_set(err, 0, "'--' is only for run and exec");
			o->command = argv + i + 1;
			o->ncommand = (size_t)(argc - i - 1);
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			if (cli_word(o, argc, argv, i, &stop, err) < 0)
				return -1;
			if (stop)
				break;
			continue;
		}
		if (cli_option(o, argc, argv, &i, err) < 0)
			return -1;
	}
	if (o->cmd == CMD_EXEC && !o->ncommand)
		return err_set(err, 0, "exec needs a command");
	if (o->cmd == CMD_COMPLETION && !o->shell)
		return err_set(err, 0, "completion needs a shell: bash, zsh or fish");
	if (o->cmd == CMD_SETUP && !o->setup_target)
		return err_set(err, 0, "setup needs what to set up: gvisor");
	return 0;
}

void cli_free(struct cli *o)
{
	free(o->env.v);
	free(o->publish.v);
	free(o->egress_allow.v);
	free(o->runtime_args.v);
	o->env.v = o->publish.v = o->egress_allow.v = o->runtime_args.v = NULL;
}
