#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# .env from a named volume and the workspace layouts, on a real engine with
# the FROM-scratch test image.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
export CAI_TEST_IMAGE=envws-test:scratch
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

IMG=$CAI_TEST_IMAGE
PFX=envws-e2e-$$
VOL=$PFX-data
cleanup() {
	docker rm -f "$PFX-logs" >/dev/null 2>&1
	docker volume rm -f "$VOL" >/dev/null 2>&1
	docker rmi -f "$IMG" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT

if ! ensure_scratch_image; then
	fail "test image builds" "docker build of the FROM-scratch image failed"
	exit 1
fi
docker volume create "$VOL" >/dev/null

CFG=$(scratch_dir)
printf '[volume]\nroot = /mnt/agent-data\nmanifest =\n[env]\nfile = .env\n' >"$CFG/env.ini"
printf '[volume]\nroot = /mnt/agent-data\nmanifest =\n[env]\nfile = .env\n[workspace]\nlink = /home/agent/workspace\nrequired = true\n' >"$CFG/ws.ini"

# init CONFIG [docker options...] -- COMMAND...: containai-init with -c.
init() {
	local cfg=$1
	shift
	local opts=()
	while [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	timeout 60 docker run --rm --pull=never -v "$CFG:/cfg:ro" -v "$VOL:/mnt/agent-data" "${opts[@]}" \
		--entrypoint /usr/sbin/containai-init "$IMG" -c "/cfg/$cfg" -- "$@"
}

# in_volume SCRIPT: run a shell script with the volume mounted (no init steps).
in_volume() {
	docker run --rm --pull=never -v "$VOL:/mnt/agent-data" --entrypoint /bin/sh "$IMG" -c "$1"
}

# --- .env -------------------------------------------------------------
in_volume 'printf "FROM_FILE=from the volume\r\nexport KEY=from-file\n" >/mnt/agent-data/.env'
out=$(init env.ini -- sh -c 'printf "%s|%s" "$FROM_FILE" "$KEY"' 2>/dev/null)
expect_eq ".env in a named volume reaches the command" "$out" "from the volume|from-file"
out=$(init env.ini -e KEY=x -- sh -c 'printf "%s" "$KEY"' 2>/dev/null)
expect_eq "docker run -e KEY=x beats the .env file" "$out" "x"

in_volume 'rm -f /mnt/agent-data/.env && mkfifo /mnt/agent-data/.env'
start=$(date +%s)
out=$(init env.ini -- echo started 2>"$CFG/fifo.err")
rc=$?
expect_eq "a FIFO .env does not hang start-up" "$rc:$out" "0:started"
if [ $(($(date +%s) - start)) -lt 30 ]; then pass "a FIFO .env: start-up is quick"; else fail "a FIFO .env: start-up is quick" "too slow"; fi
expect_match "a FIFO .env is warned about" "$(cat "$CFG/fifo.err")" "not a regular file, skipped"

in_volume 'rm -f /mnt/agent-data/.env && printf "OK=1\nsk-live-SECRETONE\nBAD-KEY=SECRETTWO\n NAME=SECRETTHREE\nTOKEN: SECRETFOUR==\n" >/mnt/agent-data/.env'
docker run --name "$PFX-logs" --pull=never -v "$CFG:/cfg:ro" -v "$VOL:/mnt/agent-data" \
	--entrypoint /usr/sbin/containai-init "$IMG" -c /cfg/env.ini -- sh -c 'echo "ok=$OK"' >/dev/null 2>&1
logs=$(docker logs "$PFX-logs" 2>&1)
expect_match "a line without = is warned with its line number" "$logs" "\\.env:2: no '=' on the line"
expect_match "a bad name is warned with its line number" "$logs" "\\.env:3: what precedes the first '=' is not a valid"
expect_no_match "a secret on a malformed line never appears in the logs" "$logs" 'SECRET'
expect_match "the good line still counts" "$logs" 'ok=1'
in_volume 'rm -f /mnt/agent-data/.env'

# --- workspace --------------------------------------------------------
W=$(scratch_dir)
echo mirrored >"$W/marker"
out=$(init ws.ini -v "$W:$W" -- sh -c 'pwd -P; readlink /home/agent/workspace; cat marker' 2>/dev/null)
expect_eq "-v DIR:DIR makes ~/workspace a link to DIR and the command runs there" \
	"$(printf '%s' "$out" | tr '\n' '|')" "$W|$W|mirrored"

B=$(scratch_dir)
echo bound >"$B/marker"
out=$(init ws.ini -v "$B:/home/agent/workspace" -- sh -c 'pwd -P; [ -L /home/agent/workspace ] || echo not-a-link; cat marker' 2>/dev/null)
expect_eq "-v DIR:/home/agent/workspace is accepted unchanged" \
	"$(printf '%s' "$out" | tr '\n' '|')" "/home/agent/workspace|not-a-link|bound"

out=$(init ws.ini -v /etc/ssl:/etc/ssl:ro -- true 2>&1)
rc=$?
expect_eq "a workspace candidate under /etc is refused with exit 125" "$rc" 125
expect_match "the refusal names it" "$out" 'refused: /etc/ssl'

out=$(init ws.ini -- true 2>&1)
expect_eq "no workspace at all: exit 125 when required" "$?" 125
