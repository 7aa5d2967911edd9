#!/usr/bin/env bash
# How much the hardening sequence adds to start-up.  Prints
# `name: value (ratio)` lines.  Target: at most 500 us added.
#  - harden.sequence_us: what containai-init itself measures from the first
#    hardening step to the loaded filter (its debug line), median of RUNS
#    starts; the part spent compiling the policy says whether compiling it
#    ahead of time (--compile-policy) would be worth having.
#  - harden.start_*_us: whole starts of `containai-init -- true` with and
#    without [user] + [security], median wall time; noisy on a shared machine.
set -eu
cd "$(dirname "$0")/.."
INIT=$PWD/build/containai-init
RUNS=${BENCH_RUNS:-300}
TRUE=$(command -v true)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

printf '[init]\ngrace = 0\n' >"$D/plain.ini"
printf '[init]\ngrace = 0\n[user]\nuid = 1000\ngid = 1000\n[security]\nseccomp = %s\n' \
	"$PWD/policy/seccomp.policy" >"$D/hardened.ini"
"$INIT" -c "$D/hardened.ini" --check

for ((i = 0; i < RUNS; i++)); do
	"$INIT" -v -c "$D/hardened.ini" -- "$TRUE" 2>&1 | grep 'debug: hardening:'
done >"$D/sequence.txt"

hyperfine -N --style none -w 20 -r "$RUNS" --export-json "$D/start.json" \
	"$INIT -c $D/plain.ini -- $TRUE" "$INIT -c $D/hardened.ini -- $TRUE" >/dev/null 2>&1

python3 - "$D/sequence.txt" "$D/start.json" <<'PY'
import json, re, statistics, sys
seq, comp = [], []
for line in open(sys.argv[1]):
    m = re.search(r"hardening: (\d+) us, of which (\d+) us", line)
    if m:
        seq.append(int(m.group(1)))
        comp.append(int(m.group(2)))
total, compile_ = statistics.median(seq), statistics.median(comp)
print(f"harden.sequence_us: {total:.0f} ({total / 500:.2f} of the 500 us budget)")
print(f"harden.policy_compile_us: {compile_:.0f} ({compile_ / total:.2f} of the sequence)")
plain, hard = (x["median"] * 1e6 for x in json.load(open(sys.argv[2]))["results"])
print(f"harden.start_plain_us: {plain:.0f} (1.00)")
print(f"harden.start_hardened_us: {hard:.0f} ({hard / plain:.2f})")
PY
