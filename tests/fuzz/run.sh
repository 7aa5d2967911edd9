#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: each libFuzzer target given on the command line, for a
# bounded time, seeded with the files SEEDS names for it and with
# tests/fuzz/corpus/NAME/ when present (NAME is the target without its
# fuzz_ prefix).  New inputs go to a scratch copy, never into the
# checked-in files.  Crashes are kept in build/fuzz/crashes/NAME/.
#   FUZZ_SECONDS  time per target (default 30)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
SECONDS_PER=${FUZZ_SECONDS:-30}
[ $# -gt 0 ] || { echo "usage: tests/fuzz/run.sh build/fuzz/fuzz_NAME..." >&2; exit 2; }

# The fixtures and shipped files a target parses, used as they are: a seed
# never drifts from what it stands for.  tests/fuzz/corpus/NAME/ holds only
# inputs that exist nowhere else.
declare -A SEEDS=(
	[config]="policy/init.ini"
	[manifest]="policy/volume.ini"
	[seccomp_policy]="policy/seccomp.policy"
	[dotenv]="tests/fixtures/dotenv/*.env"
	[mountinfo]="tests/fixtures/mountinfo/*"
)

status=0
for target in "$@"; do
	name=$(basename "$target")
	name=${name#fuzz_}
	work=$(mktemp -d)
	crashes=build/fuzz/crashes/$name
	mkdir -p "$work/corpus" "$crashes"
	seeds=()
	# shellcheck disable=SC2206 # the globs are meant to expand
	[ -n "${SEEDS[$name]:-}" ] && seeds=(${SEEDS[$name]})
	[ -d "tests/fuzz/corpus/$name" ] && seeds+=("tests/fuzz/corpus/$name"/*)
	for f in "${seeds[@]}"; do
		[ -f "$f" ] || { echo "fuzz: $name: seed $f is missing" >&2; rm -rf "$work"; exit 2; }
		cp "$f" "$work/corpus/"
	done
	echo "=== fuzz $name (${SECONDS_PER}s, ${#seeds[@]} seeds)"
	if "$target" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|Done [0-9]+ runs)' "$work/log" | sed "s/^/$name: /"
	else
		tail -n 40 "$work/log"
		echo "fuzz: $name failed; inputs in $crashes/"
		status=1
	fi
	rm -rf "$work"
done
exit $status
