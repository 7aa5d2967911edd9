#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai-init as the ENTRYPOINT of a real container on a real engine.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/images.sh"

IMG=${CAI_TEST_IMAGE:-containai-test:scratch}
NAME=cai-e2e-init-$$
cleanup() {
	docker rm -f "$NAME" "$NAME-usr1" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT

if ! ensure_scratch_image; then
	fail "test image builds" "docker build of the FROM-scratch image failed"
	exit 1
fi
pass "FROM-scratch test image builds offline"

out=$(docker run --rm "$IMG" cat /proc/1/cmdline | tr '\0' ' ')
expect_match "PID 1 is containai-init" "$out" "^/usr/sbin/containai-init -- cat /proc/1/cmdline"

docker run --rm "$IMG" sh -c 'exit 42'
expect_eq "exit code passes through docker run" "$?" 42
docker run --rm "$IMG" sh -c 'kill -s TERM $$'
expect_eq "death by signal gives 128+N through docker run" "$?" 143
docker run --rm "$IMG" no-such-command 2>/dev/null
expect_eq "command not found gives 127 through docker run" "$?" 127

# docker stop: TERM reaches the shell, its trap runs, and the container is
# gone well before docker's own 10 s SIGKILL.
docker run -d --name "$NAME" "$IMG" sh -c 'trap "echo trapped; exit 0" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
for i in $(seq 1 50); do docker logs "$NAME" 2>&1 | grep -q started && break; sleep 0.1; done
start=$(date +%s%N)
docker stop -t 10 "$NAME" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] && pass "docker stop returns well inside the grace period (${ms} ms)" \
	|| fail "docker stop returns well inside the grace period" "${ms} ms"
expect_match "docker stop: the TERM trap ran" "$(docker logs "$NAME" 2>&1)" "trapped"
expect_eq "docker stop: exit status of the trap" "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" 0

docker run -d --name "$NAME-usr1" "$IMG" sh -c 'trap "echo got-usr1; exit 0" USR1; echo started; while :; do sleep 0.1; done' >/dev/null
for i in $(seq 1 50); do docker logs "$NAME-usr1" 2>&1 | grep -q started && break; sleep 0.1; done
docker kill -s USR1 "$NAME-usr1" >/dev/null
docker wait "$NAME-usr1" >/dev/null
expect_match "docker kill -s USR1 reaches the command" "$(docker logs "$NAME-usr1" 2>&1)" "got-usr1"

# A leftover that ignores TERM does not hold the container past the grace.
start=$(date +%s%N)
docker run --rm --entrypoint /usr/sbin/containai-init "$IMG" --grace 1 -- sh -c '(trap "" TERM; exec sleep 60) & sleep 0.2; exit 5' 2>/dev/null
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "leftover ignoring TERM: main status kept" "$rc" 5
[ "$ms" -lt 5000 ] && pass "leftover ignoring TERM: killed after the grace period (${ms} ms)" \
	|| fail "leftover ignoring TERM: killed after the grace period" "${ms} ms"

out=$(docker run --rm "$IMG" sh -c "$(printf '%s' 'orphans 300; sleep 0.5; n=0; for f in /proc/[0-9]*/stat; do read -r l <"$f"; s=${l##*) }; [ "${s%% *}" = Z ] && n=$((n+1)); done; echo $n')")
expect_eq "orphans reaped inside a container" "$out" 0
