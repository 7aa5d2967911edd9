#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai-init against tini-static, dumb-init and catatonit, side by side:
#   start   wall time of `INIT -- /bin/true` (hyperfine median)
#   rss     VmRSS of PID 1 while it supervises a sleeping child
#   reap    time for PID 1 to reap ORPHANS orphans released at once, and
#           how many were left
# Each line reads `init.METRIC.INIT: VALUE (RATIO x tini-static)`.
#   BENCH_RUNS (default 300)  BENCH_ORPHANS (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${CAI_BUILD:-$PWD/build}
RUNS=${BENCH_RUNS:-300}
ORPHANS=${BENCH_ORPHANS:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# An empty config: containai-init as a plain init, whatever /etc holds.
: >"$tmp/empty.ini"
NAMES=(containai-init tini-static dumb-init catatonit)
declare -A CMD=(
	[containai-init]="$B/containai-init -c $tmp/empty.ini --"
	[tini-static]="tini-static -s --"
	[dumb-init]="dumb-init --"
	[catatonit]="catatonit --"
)
REF=tini-static

for n in "${NAMES[@]}"; do
	command -v "${CMD[$n]%% *}" >/dev/null || { echo "bench/init: $n missing (tests/deps.sh installs it)" >&2; exit 1; }
done

# report METRIC UNIT NAME=VALUE...: one line per init with its ratio to
# the reference; a lower value is better for every metric here.
report() {
	local metric=$1 unit=$2
	shift 2
	python3 - "$metric" "$unit" "$REF" "$@" <<'PY'
import sys
metric, unit, ref, *pairs = sys.argv[1:]
vals = dict(p.split("=", 1) for p in pairs)
r = float(vals[ref])
for name, v in vals.items():
    ratio = f"{float(v) / r:.2f}x {ref}" if r > 0 else "n/a"
    shown = f"{float(v):.0f}" if unit == "kB" else f"{float(v):.3f}"
    print(f"init.{metric}.{name}: {shown} {unit} ({ratio})")
PY
}

# --- start-up: INIT -- /bin/true ------------------------------------------
args=()
for n in "${NAMES[@]}"; do args+=("${CMD[$n]} /bin/true"); done
hyperfine -N --style none --warmup 20 --runs "$RUNS" --export-json "$tmp/start.json" "${args[@]}" >/dev/null 2>"$tmp/start.err" ||
	{ cat "$tmp/start.err" >&2; exit 1; }
mapfile -t medians < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["median"] * 1e3)' "$tmp/start.json")
pairs=()
for i in "${!NAMES[@]}"; do pairs+=("${NAMES[$i]}=${medians[$i]}"); done
report start ms "${pairs[@]}"

# --- resident memory of PID 1 supervising `sleep` -------------------------
pairs=()
for n in "${NAMES[@]}"; do
	# shellcheck disable=SC2086
	unshare --pid --fork --mount-proc --kill-child ${CMD[$n]} sleep 600 &
	outer=$!
	init=
	for _ in $(seq 1 100); do
		init=$(awk '{print $1}' "/proc/$outer/task/$outer/children" 2>/dev/null)
		[ -n "$init" ] && [ -n "$(cat "/proc/$init/task/$init/children" 2>/dev/null)" ] && break
		sleep 0.05
	done
	sleep 0.3
	kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$init/status")
	kill -TERM "$init" 2>/dev/null || true
	wait "$outer" 2>/dev/null || true
	pairs+=("$n=$kb")
done
report rss kB "${pairs[@]}"

# --- reaping a burst of orphans as PID 1 -----------------------------------
pairs=()
left_all=()
for n in "${NAMES[@]}"; do
	# shellcheck disable=SC2086
	out=$(unshare --pid --fork --mount-proc ${CMD[$n]} "$B/helpers/orphan_burst" "$ORPHANS" 60 || true)
	ms=$(sed -n 's/.*reap_ms=\([0-9.]*\).*/\1/p' <<<"$out")
	left=$(sed -n 's/.*left=\([0-9]*\).*/\1/p' <<<"$out")
	pairs+=("$n=${ms:-0}")
	left_all+=("init.reap.$n.left: ${left:-unknown} of $ORPHANS")
done
report reap ms "${pairs[@]}"
printf '%s\n' "${left_all[@]}"
