#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Data-volume preparation, links into the home included, side by side with
# a bare init and with the shell implementation's equivalent:
#   start.*   median wall time per start of `containai-init -c CFG -- /bin/true`
#             with the shipped manifest and its links, on a prepared volume
#             and home (every start checks them again), on an empty volume
#             and home, and without a volume - each against
#             `tini-static -s -- /bin/true` run in the same hyperfine run
#             (with the same reset before each run, for the empty volume)
#   syscalls.* system calls per start beyond the bare init's, and per entry
#             of the manifest (entries and links)
#   shell     the shell equivalent for the same layout: `realpath -m` check,
#             mkdir -p or a write, chown and chmod per entry, then
#             `chown -R --no-dereference`
#   scale.*   preparing 1,000 and 10,000 entries into an empty volume: linear
#             time reads 10x
# Each line reads `volume.METRIC: VALUE (RATIO)`.  Volumes live on a tmpfs
# (in a private mount namespace), so the numbers measure the preparation,
# not this machine's disk.
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

# config NAME ROOT MANIFEST [HOME]: an init.ini preparing ROOT (a plain
# directory), and making the manifest's links in HOME when given.
config() {
	mkdir -p "$2" ${4:+"$4"}
	cat >"$tmp/$1.ini" <<-EOF
		[volume]
		root = $2
		manifest = $3
		owner = 1000:1000
		require_mount = false
		home = ${4:-}
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
printf '#!/bin/sh\nfor d; do rm -rf "$d"; mkdir "$d"; done\n' >"$tmp/reset.sh"

# median_ms [HYPERFINE ARGS...] -- CMD...: the median of each command in ms
# (on a busy machine the mean measures its other work too).
median_ms() {
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
    print("%.3f" % (r["median"] * 1e3))' "$tmp/out.json"
}

# ratio A B [DIGITS]
ratio() {
	python3 -c 'import sys; a, b, d = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]); print(f"{a / b:.{d}f}x" if b > 0 else "n/a")' "$1" "$2" "${3:-1}"
}

# syscalls CFG: how many system calls one start of containai-init with CFG
# makes, its command's included.
syscalls() {
	strace -f -c -o "$tmp/strace" "$B/containai-init" -q -c "$1" -- /bin/true >/dev/null 2>&1
	awk '$NF == "total" { print $4 }' "$tmp/strace"
}

config steady "$tmp/steady" "$POLICY" "$tmp/steady-home"
config fresh "$tmp/fresh" "$POLICY" "$tmp/fresh-home"
config shell "$tmp/shell" "$POLICY"
: >"$tmp/plain.ini"
"$B/containai-init" -q -c "$tmp/steady.ini" -- /bin/true
TINI="tini-static -s -- /bin/true"

read -r tini plain steady < <(median_ms --warmup 20 --runs "$RUNS" -- "$TINI" \
	"$B/containai-init -c $tmp/plain.ini -- /bin/true" \
	"$B/containai-init -c $tmp/steady.ini -- /bin/true" | paste -sd' ')
read -r tini_fresh fresh < <(median_ms --runs "$RUNS" --prepare "sh $tmp/reset.sh $tmp/fresh $tmp/fresh-home" -- \
	"$TINI" "$B/containai-init -c $tmp/fresh.ini -- /bin/true" | paste -sd' ')
shell=$(median_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/shell" -- \
	"bash $tmp/shell-prepare.sh $tmp/shell $POLICY")

echo "volume.start.tini-static: $tini ms (1.00x)"
echo "volume.start.no-volume: $plain ms ($(ratio "$plain" "$tini" 2) tini-static; the init alone)"
echo "volume.start.prepared: $steady ms ($(ratio "$steady" "$tini" 2) tini-static; target 1.15x)"
echo "volume.start.empty-volume: $fresh ms ($(ratio "$fresh" "$tini_fresh" 2) tini-static, reset alike; target 1.25x)"
echo "volume.shell-equivalent: $shell ms ($(ratio "$shell" "$steady") the prepared start, $(ratio "$shell" "$fresh") the empty one)"

entries=$(grep -cE '^\[(dir|file|link) ' "$POLICY")
base=$(syscalls "$tmp/plain.ini")
ready=$(syscalls "$tmp/steady.ini")
sh "$tmp/reset.sh" "$tmp/fresh" "$tmp/fresh-home"
empty=$(syscalls "$tmp/fresh.ini")
echo "volume.syscalls.prepared: $((ready - base)) ($(ratio "$((ready - base))" "$entries") per entry of $entries)" | sed 's/x per/ per/'
echo "volume.syscalls.empty-volume: $((empty - base)) ($(ratio "$((empty - base))" "$entries") per entry of $entries)" | sed 's/x per/ per/'

# --- linearity: 1,000 vs 10,000 entries -----------------------------------
for n in 1000 10000; do
	awk -v n="$n" 'BEGIN { for (i = 0; i < n / 100; i++) { printf "[dir d%d]\n", i;
		for (j = 0; j < 99; j++) printf "[file d%d/f%d]\ninit = {}\n", i, j } }' >"$tmp/m$n.ini"
	config "scale$n" "$tmp/scale$n" "$tmp/m$n.ini"
done
read -r s1 s10 < <(median_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/scale1000" -- \
	"$B/containai-init -c $tmp/scale1000.ini -- /bin/true" | paste -sd' ')
s10=$(median_ms --runs 10 --prepare "sh $tmp/reset.sh $tmp/scale10000" -- \
	"$B/containai-init -c $tmp/scale10000.ini -- /bin/true")
echo "volume.scale.1000-entries: $s1 ms (1.0x)"
echo "volume.scale.10000-entries: $s10 ms ($(ratio "$s10" "$s1") of 1,000 entries; linear is 10x)"
