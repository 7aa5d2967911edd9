#!/usr/bin/env bash
# How much the hardening sequence adds to start-up: containai-init -- true
# with [user] + [security] (shipped policy) against the same without them.
# Prints `name: value (ratio)` lines.  Target: at most 0.5 ms added.
set -eu
cd "$(dirname "$0")/.."
INIT=build/containai-init
RUNS=${BENCH_RUNS:-300}
TRUE=$(command -v true)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

printf '[init]\ngrace = 0\n' >"$D/plain.ini"
printf '[init]\ngrace = 0\n[user]\nuid = 1000\ngid = 1000\n[security]\nseccomp = %s\n' \
	"$PWD/policy/seccomp.policy" >"$D/hard.ini"
"$INIT" -c "$D/hard.ini" --check

# per_run_us CONFIG: mean wall time of one start, in microseconds.
per_run_us() {
	local start end i
	start=$(date +%s%N)
	for ((i = 0; i < RUNS; i++)); do
		"$INIT" -c "$1" -- "$TRUE"
	done
	end=$(date +%s%N)
	echo $(((end - start) / RUNS / 1000))
}

# Interleaved rounds, best of three each: the machine is shared.
best_plain=999999999 best_hard=999999999
for round in 1 2 3; do
	p=$(per_run_us "$D/plain.ini")
	h=$(per_run_us "$D/hard.ini")
	[ "$p" -lt "$best_plain" ] && best_plain=$p
	[ "$h" -lt "$best_hard" ] && best_hard=$h
done
added=$((best_hard - best_plain))
printf 'harden.start_plain_us: %d (1.00)\n' "$best_plain"
printf 'harden.start_hardened_us: %d (%s)\n' "$best_hard" \
	"$(awk -v a="$best_hard" -v b="$best_plain" 'BEGIN { printf "%.2f", a / b }')"
printf 'harden.added_us: %d (%s of the 500 us budget)\n' "$added" \
	"$(awk -v a="$added" 'BEGIN { printf "%.2f", a / 500 }')"
