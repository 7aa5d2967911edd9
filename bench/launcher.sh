#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wall time and docker CLI calls of `containai doctor` and
# `containai run --dry-run` on the local engine.  The reference is the
# original shell launcher's doctor on a plain Linux engine: about 0.1 s.
#   launcher doctor: 0.042 s (0.42 of 0.1 s), 3 docker calls
set -u
cd "$(dirname "$0")/.." || exit 1
LAUNCHER=$PWD/build/containai
REF=0.1
RUNS=${BENCH_RUNS:-10}
real_docker=$(command -v docker) || { echo "launcher: docker CLI missing"; exit 1; }
timeout 10 docker info >/dev/null 2>&1 || { echo "launcher: no engine answers"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/ws"
# A counting wrapper first on PATH: one line per docker call.
cat >"$T/bin/docker" <<WRAP
#!/bin/sh
echo x >>"$T/calls"
exec "$real_docker" "\$@"
WRAP
chmod +x "$T/bin/docker"

# measure NAME ARGS...: mean wall time over RUNS and calls per run.
measure() {
	local name=$1 start end
	shift
	: >"$T/calls"
	start=$(date +%s%N)
	for _ in $(seq 1 "$RUNS"); do
		(cd "$T/ws" && PATH="$T/bin:$PATH" XDG_CONFIG_HOME="$T/xdg" "$LAUNCHER" "$@" >/dev/null 2>&1)
	done
	end=$(date +%s%N)
	local calls secs
	calls=$(($(wc -l <"$T/calls") / RUNS))
	secs=$(awk -v ns=$((end - start)) -v n="$RUNS" 'BEGIN { printf "%.3f", ns / n / 1e9 }')
	printf '%s: %s s (%s of %s s), %d docker calls\n' "$name" "$secs" \
		"$(awk -v a="$secs" -v b="$REF" 'BEGIN { printf "%.2f", a / b }')" "$REF" "$calls"
}

measure "launcher doctor" doctor
measure "launcher doctor --json" doctor --json
measure "launcher run --dry-run (refused: no isolation)" run --dry-run
measure "launcher run --dry-run --force" run --dry-run --force --name launcher-bench
