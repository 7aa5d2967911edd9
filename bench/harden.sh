#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How much the hardening sequence adds to start-up.  Prints
# `name: value (ratio)` lines.  Target: at most 500 us added.
#  - harden.sequence_*_us: what containai-init itself measures from the first
#    hardening step to the loaded filter (its -v debug line), median of RUNS
#    starts: compiling the policy at start-up, and loading the program saved
#    by --compile-policy.
#  - harden.start_*_us: whole starts of `containai-init -- true` with and
#    without [user] + [security], median wall time; noisy on a shared machine.
set -eu
cd "$(dirname "$0")/.."
INIT=$PWD/build/containai-init
RUNS=${BENCH_RUNS:-300}
TRUE=$(command -v true)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

cp policy/seccomp.policy "$D/compiled.policy"
cp policy/seccomp.policy "$D/saved.policy"
printf '[init]\ngrace = 0\n' >"$D/plain.ini"
for p in compiled saved; do
	printf '[init]\ngrace = 0\n[user]\nuid = 1000\ngid = 1000\n[security]\nseccomp = %s\n' \
		"$D/$p.policy" >"$D/$p.ini"
	"$INIT" -c "$D/$p.ini" --check
done
"$INIT" -q -c "$D/saved.ini" --compile-policy

for p in compiled saved; do
	for ((i = 0; i < RUNS; i++)); do
		"$INIT" -v -c "$D/$p.ini" -- "$TRUE" 2>&1 | grep 'debug: hardening:'
	done >"$D/$p.txt"
done

hyperfine -N --style none -w 20 -r "$RUNS" --export-json "$D/start.json" \
	"$INIT -c $D/plain.ini -- $TRUE" "$INIT -c $D/saved.ini -- $TRUE" >/dev/null 2>&1

python3 - "$D" <<'PY'
import json, re, statistics, sys
d = sys.argv[1]
def medians(name):
    seq, comp = [], []
    for line in open(f"{d}/{name}.txt"):
        m = re.search(r"hardening: (\d+) us, of which (\d+) us", line)
        seq.append(int(m.group(1)))
        comp.append(int(m.group(2)))
    return statistics.median(seq), statistics.median(comp)
for name in ("compiled", "saved"):
    total, policy = medians(name)
    print(f"harden.sequence_{name}_us: {total:.0f} ({total / 500:.2f} of the 500 us budget)")
    print(f"harden.policy_{name}_us: {policy:.0f} ({policy / total:.2f} of the sequence)")
plain, hard = (x["median"] * 1e6 for x in json.load(open(f"{d}/start.json"))["results"])
print(f"harden.start_plain_us: {plain:.0f} (1.00)")
print(f"harden.start_hardened_us: {hard:.0f} ({hard / plain:.2f})")
PY
