/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "completion.h"
#include "unit.h"

static char *script(const char *shell, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	struct cai_err err;
	FILE *f = open_memstream(&buf, &len);

	*rc = completion_print(shell, f, &err);
	fclose(f);
	return buf;
}

/* Every command and its options, from the parser's own tables. */
TEST(completion_offers_commands_and_their_options)
{
	int rc;
	char *bash = script("bash", &rc);

	CHECK_INT(rc, 0);
	CHECK_CONTAINS(bash, "complete -F _containai containai cai");
	CHECK_CONTAINS(bash, "doctor run shell exec ls logs stop rm");
	CHECK_CONTAINS(bash, "--publish");
	CHECK_CONTAINS(bash, "logs) COMPREPLY=($(compgen -W '--follow -f --egress --workspace --name --context --prefer --tail'");
	CHECK_CONTAINS(bash, "completion) COMPREPLY=($(compgen -W 'bash zsh fish'");
	CHECK_CONTAINS(bash, "setup) COMPREPLY=($(compgen -W 'gvisor --dry-run --daemon-json --runsc --runtime-arg'");
	free(bash);
	char *zsh = script("zsh", &rc);
	CHECK_INT(rc, 0);
	CHECK_CONTAINS(zsh, "#compdef containai cai");
	CHECK_CONTAINS(zsh, "rm) opts=(--volume --yes --allow-host-credentials --allow-host-docker-socket --workspace --name "
				   "--context --prefer)");
	free(zsh);
	char *fish = script("fish", &rc);
	CHECK_INT(rc, 0);
	CHECK_CONTAINS(fish, "complete -c cai -n '__fish_seen_subcommand_from logs' -s f");
	CHECK_CONTAINS(fish, "complete -c containai -n '__fish_seen_subcommand_from run' -l pids-limit");
	CHECK_CONTAINS(fish, "complete -c containai -n '__fish_seen_subcommand_from setup' -a 'gvisor'");
	CHECK_CONTAINS(fish, "complete -c containai -n '__fish_seen_subcommand_from setup' -l runtime-arg");
	free(fish);
	free(script("tcsh", &rc));
	CHECK_INT(rc, -1);
}
