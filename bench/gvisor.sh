#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gVisor mode against a plain engine, side by side, on two engines started
# here alike (their own sockets and network namespaces; one with runsc
# registered as tests/e2e/engine.sh's GVISOR_TEST_RUNTIME), with the
# sandbox image without agents:
#   gvisor.run.first_instruction: `containai run -- CMD` until CMD's first
#     instruction (it writes the time), in gVisor mode on the one, with
#     --force (runc) on the other; a sandbox of its own each time
#   gvisor.run.whole: the same `containai run` until it returned
#   gvisor.docker_run: a bare `docker run --rm IMAGE true`, runsc against
#     runc: what runsc itself costs, whatever the launcher does
#   gvisor.doctor: `containai doctor` on the gVisor engine (its proof
#     remembered) against the plain engine; and the first doctor there,
#     which runs the probe container
# Each line reads `name: gvisor SECONDS, runc SECONDS (RATIO)`; the
# targets are at most 1.4 for run and 1.2 for doctor, and a line past its
# target says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
# shellcheck source=tests/e2e/engine.sh
. tests/e2e/engine.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

RUNS=${BENCH_RUNS:-5}
IMG=containai-bench:gvisor-$$
LAUNCHER=$CAI_BUILD/containai
T=$(mktemp -d)
chmod 0711 "$T"
GV=$T/gvisor-engine
PLAIN=$T/plain-engine
WS=$T/workspace
export XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache
finish() {
	side_engine_stop "$GV" || true
	side_engine_stop "$PLAIN" || true
	docker rmi -f "$IMG" >/dev/null 2>&1 || true
	rm -rf "$T"
	engine_down
}
trap finish EXIT
engine_up >/dev/null
command -v runsc >/dev/null || { echo "gvisor: runsc is missing"; exit 1; }
build_sandbox_image "$IMG" none >"$T/build.log" 2>&1 || { tail -n 20 "$T/build.log"; exit 1; }
side_engine_start "$GV" "bench-gv-$$" "{\"runtimes\": {$GVISOR_TEST_RUNTIME}}" >/dev/null
side_engine_start "$PLAIN" "bench-plain-$$" '{}' >/dev/null
docker save "$IMG" -o "$T/image.tar"
side_engine_docker "$GV" load -i "$T/image.tar" >/dev/null
side_engine_docker "$PLAIN" load -i "$T/image.tar" >/dev/null
mkdir -p "$WS"
chown 1000:1000 "$WS"

now() { date +%s%N; }
# cai ENGINE ARGS...: the launcher against ENGINE, quiet.  Egress off on
# both sides: what the proxy costs is bench/egress.sh's to measure, and the
# side engines hold no proxy image.
cai() {
	local engine=$1
	shift
	(cd "$WS" && DOCKER_HOST=$(side_engine_host "$engine") CONTAINAI_IMAGE=$IMG CONTAINAI_EGRESS=off \
		"$LAUNCHER" "$@" </dev/null >/dev/null 2>"$T/err") || { cat "$T/err" >&2; return 1; }
}

# line NAME GV_NS RUNC_NS TARGET: the two means of RUNS, their ratio, and
# whether the ratio is within TARGET.
line() {
	awk -v n="$1" -v g="$2" -v r="$3" -v k="$RUNS" -v t="$4" 'BEGIN {
		ratio = g / r
		printf "%s: gvisor %.3f s, runc %.3f s (%.2f)%s\n", n, g / k / 1e9, r / k / 1e9, ratio,
			t == "" ? "" : (ratio <= t ? " within the target " t : " over the target " t)
	}'
}

# run_once ENGINE N [--force]: adds to FIRST and WHOLE the ns from the
# launcher's start to the command's first instruction and to its return.
run_once() {
	local engine=$1 n=$2 start end mark
	shift 2
	rm -f "$WS/mark"
	start=$(now)
	cai "$engine" run "$@" --name "bench-$n" -- /bin/sh -c 'date +%s%N >/home/agent/workspace/mark'
	end=$(now)
	mark=$(cat "$WS/mark")
	FIRST=$((FIRST + mark - start))
	WHOLE=$((WHOLE + end - start))
	side_engine_docker "$engine" rm -f "$(side_engine_sandbox "$engine" "bench-$n")" >/dev/null
}

# The proof is made once, outside the measured runs; the first doctor
# on the gVisor engine is timed on its own below.
start=$(now); cai "$GV" doctor; doctor_cold=$(($(now) - start))
start=$(now); cai "$PLAIN" doctor || true; plain_once=$(($(now) - start))

gv_first=0 gv_whole=0 rc_first=0 rc_whole=0
for i in $(seq 1 "$RUNS"); do
	FIRST=0 WHOLE=0
	run_once "$GV" "gv-$i"
	gv_first=$((gv_first + FIRST)) gv_whole=$((gv_whole + WHOLE))
	FIRST=0 WHOLE=0
	run_once "$PLAIN" "rc-$i" --force
	rc_first=$((rc_first + FIRST)) rc_whole=$((rc_whole + WHOLE))
done
line gvisor.run.first_instruction "$gv_first" "$rc_first" 1.4
line gvisor.run.whole "$gv_whole" "$rc_whole" 1.4

gv=0 rc=0
for _ in $(seq 1 "$RUNS"); do
	start=$(now); side_engine_docker "$GV" run --rm --runtime=runsc --entrypoint true "$IMG"; gv=$((gv + $(now) - start))
	start=$(now); side_engine_docker "$PLAIN" run --rm --entrypoint true "$IMG"; rc=$((rc + $(now) - start))
done
line gvisor.docker_run "$gv" "$rc" ""

gv=0 rc=0
for _ in $(seq 1 "$RUNS"); do
	start=$(now); cai "$GV" doctor; gv=$((gv + $(now) - start))
	start=$(now); cai "$PLAIN" doctor || true; rc=$((rc + $(now) - start))
done
line gvisor.doctor "$gv" "$rc" 1.2
RUNS=1 line gvisor.doctor.first_with_probe "$doctor_cold" "$plain_once" ""
