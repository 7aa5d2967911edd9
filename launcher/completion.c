/* SPDX-License-Identifier: MIT */
#include "completion.h"

#include <string.h>

#include "cli.h"

/* The commands offered (help and version need no options). */
static const enum cli_cmd offered[] = {
	CMD_DOCTOR, CMD_RUN, CMD_SHELL, CMD_EXEC, CMD_LS, CMD_LOGS, CMD_STOP, CMD_RM, CMD_IMPORT,
	CMD_COMPLETION, CMD_SETUP, CMD_VERSION,
};

/* The words a command takes besides its options. */
static const char *words_of(enum cli_cmd c)
{
	return c == CMD_COMPLETION ? "bash zsh fish" : c == CMD_SETUP ? "gvisor" : NULL;
}
#define NOFFERED (sizeof(offered) / sizeof(offered[0]))

/* The offered commands, separated by spaces. */
static void print_commands(FILE *out)
{
	for (size_t i = 0; i < NOFFERED; i++)
		fprintf(out, "%s%s", i ? " " : "", cli_cmd_name(offered[i]));
}

/* One case per command: NAME) PRE WORDS POST, with the words it takes. */
static void print_each(FILE *out, const char *pre, const char *post)
{
	char opts[1100];

	for (size_t i = 0; i < NOFFERED; i++) {
		const char *words = words_of(offered[i]);
		char own[1024] = "";

		if (offered[i] != CMD_COMPLETION)
			cli_cmd_options(offered[i], own, sizeof(own));
		snprintf(opts, sizeof(opts), "%s%s%s", words ? words : "", words && own[0] ? " " : "", own);
		fprintf(out, "\t%s) %s%s%s\n", cli_cmd_name(offered[i]), pre, opts, post);
	}
}

static void print_bash(FILE *out)
{
	fputs("# bash completion for containai (containai completion bash)\n"
	      "_containai() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} i\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do [ \"${COMP_WORDS[i]}\" = -- ] && return 0; done\n"
	      "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W '", out);
	print_commands(out);
	fputs("' -- \"$cur\"))\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tcase $cmd in\n", out);
	print_each(out, "COMPREPLY=($(compgen -W '", "' -- \"$cur\")) ;;");
	fputs("\tesac\n"
	      "\tcase ${COMP_WORDS[COMP_CWORD-1]} in\n"
	      "\t--workspace) COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
	      "\tesac\n"
	      "}\n"
	      "complete -F _containai containai cai\n", out);
}

static void print_zsh(FILE *out)
{
	fputs("#compdef containai cai\n"
	      "# zsh completion for containai (containai completion zsh)\n"
	      "_containai() {\n"
	      "\tlocal -a cmds opts\n"
	      "\tcmds=(", out);
	print_commands(out);
	fputs(")\n"
	      "\tif (( CURRENT == 2 )); then\n"
	      "\t\t_describe command cmds\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t(( ${words[(I)--]} && ${words[(I)--]} < CURRENT )) && return\n"
	      "\tcase ${words[2]} in\n", out);
	print_each(out, "opts=(", ") ;;");
	fputs("\tesac\n"
	      "\tif [[ ${words[CURRENT-1]} == --workspace ]]; then\n"
	      "\t\t_files -/\n"
	      "\telse\n"
	      "\t\tcompadd -a opts\n"
	      "\tfi\n"
	      "}\n"
	      "compdef _containai containai cai\n", out);
}

static void print_fish(FILE *out)
{
	char opts[1024];

	fputs("# fish completion for containai (containai completion fish)\n", out);
	for (const char *const *prog = (const char *const[]){ "containai", "cai", NULL }; *prog; prog++) {
		fprintf(out, "complete -c %s -f\n", *prog);
		for (size_t i = 0; i < NOFFERED; i++)
			fprintf(out, "complete -c %s -n __fish_use_subcommand -a %s\n", *prog, cli_cmd_name(offered[i]));
		for (size_t i = 0; i < NOFFERED; i++) {
			const char *name = cli_cmd_name(offered[i]);
			if (words_of(offered[i]))
				fprintf(out, "complete -c %s -n '__fish_seen_subcommand_from %s' -a '%s'\n",
					*prog, name, words_of(offered[i]));
			if (offered[i] == CMD_COMPLETION)
				continue;
			cli_cmd_options(offered[i], opts, sizeof(opts));
			for (char *w = strtok(opts, " "); w; w = strtok(NULL, " ")) {
				if (!strncmp(w, "--", 2))
					fprintf(out, "complete -c %s -n '__fish_seen_subcommand_from %s' -l %s%s\n",
						*prog, name, w + 2, !strcmp(w, "--workspace") ? " -r -a '(__fish_complete_directories)'" : "");
				else
					fprintf(out, "complete -c %s -n '__fish_seen_subcommand_from %s' -s %s\n",
						*prog, name, w + 1);
			}
		}
	}
}

int completion_print(const char *shell, FILE *out, struct cai_err *err)
{
	if (!strcmp(shell, "bash"))
		print_bash(out);
	else if (!strcmp(shell, "zsh"))
		print_zsh(out);
	else if (!strcmp(shell, "fish"))
		print_fish(out);
	else
		return err_set(err, 0, "completion: '%s' is not bash, zsh or fish", shell);
	return fflush(out) == 0 ? 0 : err_set(err, 0, "completion: writing the script failed");
}
