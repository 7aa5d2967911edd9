#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Data-volume preparation, next to the shell implementation's equivalent:
#   start.*   mean wall time per start of `containai-init -c CFG -- /bin/true`
#             with the shipped manifest on an already prepared volume (every
#             start checks it again), on an empty volume, and without a volume
#   shell     the shell equivalent for the same layout: `realpath -m` check,
#             mkdir -p or a write, chown and chmod per entry, then
#             `chown -R --no-dereference`
#   scale.*   preparing 1,000 and 10,000 entries into an empty volume: linear
#             time reads 10x
# Each line reads `volume.METRIC: VALUE ms (RATIO)`.  Volumes live on a
# tmpfs (in a private mount namespace), so the numbers measure the
# preparation, not this machine's disk.
#   BENCH_RUNS (default 300)
set -euo pipefail
if [ -z "${CAI_BENCH_NS:-}" ]; then
	CAI_BENCH_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
cd "$(dirname "$0")/.."
B=${CAI_BUILD:-$PWD/build}
RUNS=${BENCH_RUNS:-300}
POLICY=$PWD/policy/volume.ini
tmp=$(mktemp -d)
trap 'umount "$tmp"; rm -rf "$tmp"' EXIT
mount -t tmpfs -o size=512m tmpfs "$tmp"

# config NAME ROOT MANIFEST: an init.ini preparing ROOT (a plain directory).
config() {
	mkdir -p "$2"
	cat >"$tmp/$1.ini" <<-EOF
		[volume]
		root = $2
		manifest = $3
		owner = 1000:1000
		require_mount = false
	EOF
}

# The shell equivalent, as a script: ROOT MANIFEST.
cat >"$tmp/shell-prepare.sh" <<'SH'
root=$1
type="" path="" mode="" init=""
flush() {
	[ -n "$path" ] || return 0
	local target
	target=$(realpath -m "$root/$path")
	case $target in "$root"/*) ;; *) echo "escapes: $path" >&2; exit 1 ;; esac
	[ -L "$target" ] && { echo "symlink: $path" >&2; exit 1; }
	if [ "$type" = dir ]; then
		mkdir -p "$target"
	else
		mkdir -p "$(dirname "$target")"
		[ -s "$target" ] || printf '%s' "$init" >"$target"
	fi
	chown 1000:1000 "$target"
	chmod "$mode" "$target"
}
while IFS= read -r line; do
	case $line in
	"[dir "*) flush; type=dir; path=${line#"[dir "}; path=${path%]}; mode=0755; init="" ;;
	"[file "*) flush; type=file; path=${line#"[file "}; path=${path%]}; mode=0644; init="" ;;
	"mode = "*) mode=${line#"mode = "} ;;
	"init = "*) init=${line#"init = "} ;;
	esac
done <"$2"
flush
chown -R --no-dereference 1000:1000 "$root"
SH
# shellcheck disable=SC2016 # a script of its own
printf '#!/bin/sh\nrm -rf "$1"\nmkdir "$1"\n' >"$tmp/reset.sh"

# mean_ms [HYPERFINE ARGS...] -- CMD...: the mean of each command in ms.
mean_ms() {
	local args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	hyperfine -N --style none "${args[@]}" --export-json "$tmp/out.json" "$@" >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.3f" % (r["mean"] * 1e3))' "$tmp/out.json"
}

ratio() {
	python3 -c 'import sys; a, b = map(float, sys.argv[1:]); print(f"{a / b:.1f}x" if b > 0 else "n/a")' "$1" "$2"
}

config steady "$tmp/steady" "$POLICY"
config fresh "$tmp/fresh" "$POLICY"
config shell "$tmp/shell" "$POLICY"
: >"$tmp/plain.ini"
"$B/containai-init" -q -c "$tmp/steady.ini" -- /bin/true

read -r steady plain < <(mean_ms --warmup 20 --runs "$RUNS" -- \
	"$B/containai-init -c $tmp/steady.ini -- /bin/true" \
	"$B/containai-init -c $tmp/plain.ini -- /bin/true" | paste -sd' ')
fresh=$(mean_ms --runs "$((RUNS / 3))" --prepare "sh $tmp/reset.sh $tmp/fresh" -- \
	"$B/containai-init -c $tmp/fresh.ini -- /bin/true")
shell=$(mean_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/shell" -- \
	"bash $tmp/shell-prepare.sh $tmp/shell $POLICY")

echo "volume.start.prepared: $steady ms ($(ratio "$shell" "$steady") faster than the shell equivalent)"
echo "volume.start.empty-volume: $fresh ms ($(ratio "$shell" "$fresh") faster than the shell equivalent)"
echo "volume.start.no-volume: $plain ms (the init alone, for reference)"
echo "volume.shell-equivalent: $shell ms (1.0x)"

# --- linearity: 1,000 vs 10,000 entries -----------------------------------
for n in 1000 10000; do
	awk -v n="$n" 'BEGIN { for (i = 0; i < n / 100; i++) { printf "[dir d%d]\n", i;
		for (j = 0; j < 99; j++) printf "[file d%d/f%d]\ninit = {}\n", i, j } }' >"$tmp/m$n.ini"
	config "scale$n" "$tmp/scale$n" "$tmp/m$n.ini"
done
read -r s1 s10 < <(mean_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/scale1000" -- \
	"$B/containai-init -c $tmp/scale1000.ini -- /bin/true" | paste -sd' ')
s10=$(mean_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/scale10000" -- \
	"$B/containai-init -c $tmp/scale10000.ini -- /bin/true")
echo "volume.scale.1000-entries: $s1 ms (1.0x)"
echo "volume.scale.10000-entries: $s10 ms ($(ratio "$s10" "$s1") of 1,000 entries; linear is 10x)"
