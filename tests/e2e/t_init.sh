#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai-init as the ENTRYPOINT of a real container on a real engine:
# once as root, once as uid 1000 with no capability at all (docker run
# --user --cap-drop ALL), where it is a plain init just the same.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/images.sh"

IMG=${CAI_TEST_IMAGE:-containai-test:scratch}
NAME=cai-e2e-init-$$
cleanup() {
	docker rm -f "$NAME" "$NAME-usr1" "$NAME-nr" "$NAME-nr-usr1" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT

if ! ensure_scratch_image; then
	fail "test image builds" "docker build of the FROM-scratch image failed"
	exit 1
fi
pass "FROM-scratch test image builds offline"

# plain_init WHO SFX DOCKER-ARGS...: every case, the container started with
# DOCKER-ARGS; each case name starts "as WHO:", each container name ends SFX.
plain_init() {
	local WHO=$1 SFX=$2 out rc ms start i
	shift 2
	local AS=("$@")
	out=$(docker run --rm "${AS[@]}" "$IMG" cat /proc/1/cmdline | tr '\0' ' ')
	expect_match "as $WHO: PID 1 is containai-init" "$out" "^/usr/sbin/containai-init -- cat /proc/1/cmdline"

	docker run --rm "${AS[@]}" "$IMG" sh -c 'exit 42'
	expect_eq "as $WHO: exit code passes through docker run" "$?" 42
	docker run --rm "${AS[@]}" "$IMG" sh -c 'kill -s TERM $$'
	expect_eq "as $WHO: death by signal gives 128+N through docker run" "$?" 143
	docker run --rm "${AS[@]}" "$IMG" no-such-command 2>/dev/null
	expect_eq "as $WHO: command not found gives 127 through docker run" "$?" 127

	# docker stop: TERM reaches the shell, its trap runs, and the container is
	# gone well before docker's own 10 s SIGKILL.
	docker run -d --name "$NAME$SFX" "${AS[@]}" "$IMG" sh -c 'trap "echo trapped; exit 0" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
	for i in $(seq 1 50); do docker logs "$NAME$SFX" 2>&1 | grep -q started && break; sleep 0.1; done
	start=$(date +%s%N)
	docker stop -t 10 "$NAME$SFX" >/dev/null
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -lt 3000 ] && pass "as $WHO: docker stop returns well inside the grace period (${ms} ms)" \
		|| fail "as $WHO: docker stop returns well inside the grace period" "${ms} ms"
	expect_match "as $WHO: docker stop: the TERM trap ran" "$(docker logs "$NAME$SFX" 2>&1)" "trapped"
	expect_eq "as $WHO: docker stop: exit status of the trap" "$(docker inspect -f '{{.State.ExitCode}}' "$NAME$SFX")" 0

	docker run -d --name "$NAME$SFX-usr1" "${AS[@]}" "$IMG" sh -c 'trap "echo got-usr1; exit 0" USR1; echo started; while :; do sleep 0.1; done' >/dev/null
	for i in $(seq 1 50); do docker logs "$NAME$SFX-usr1" 2>&1 | grep -q started && break; sleep 0.1; done
	docker kill -s USR1 "$NAME$SFX-usr1" >/dev/null
	docker wait "$NAME$SFX-usr1" >/dev/null
	expect_match "as $WHO: docker kill -s USR1 reaches the command" "$(docker logs "$NAME$SFX-usr1" 2>&1)" "got-usr1"

	# A leftover that ignores TERM does not hold the container past the grace.
	start=$(date +%s%N)
	docker run --rm "${AS[@]}" --entrypoint /usr/sbin/containai-init "$IMG" --grace 1 -- sh -c '(trap "" TERM; exec sleep 60) & sleep 0.2; exit 5' 2>/dev/null
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "as $WHO: leftover ignoring TERM: main status kept" "$rc" 5
	[ "$ms" -lt 5000 ] && pass "as $WHO: leftover ignoring TERM: killed after the grace period (${ms} ms)" \
		|| fail "as $WHO: leftover ignoring TERM: killed after the grace period" "${ms} ms"

	out=$(docker run --rm "${AS[@]}" "$IMG" sh -c "$(printf '%s' 'orphans 300; sleep 0.5; n=0; for f in /proc/[0-9]*/stat; do read -r l <"$f"; s=${l##*) }; [ "${s%% *}" = Z ] && n=$((n+1)); done; echo $n')")
	expect_eq "as $WHO: orphans reaped inside a container" "$out" 0
}

plain_init root ""
plain_init uid-1000-without-capabilities -nr --user 1000:1000 --cap-drop ALL
