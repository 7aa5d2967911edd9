#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hardening on the real engine: the FROM-scratch test image, [user] by name
# from the image's own passwd, the shipped policy, and the engine's own
# seccomp profile switched off so that only our filter is seen.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/engine.sh"
. "$(dirname "$0")/images.sh"

export CAI_TEST_IMAGE=harden-test:scratch
SCRATCH_IMAGE=$CAI_TEST_IMAGE
NAME=harden-e2e-$$

cleanup() {
	docker rm -f "$NAME" >/dev/null 2>&1
	docker rmi -f "$CAI_TEST_IMAGE" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT

if ! ensure_scratch_image; then
	fail "test image" "ensure_scratch_image failed"
	exit 1
fi

D=$(scratch_dir)
chmod 755 "$D"
cat >"$D/init.ini" <<'INI'
[user]
name = agent
[security]
seccomp = /etc/containai-shipped/seccomp.policy
INI
printf '[user]\nuid = 0\ngid = 0\n[security]\nseccomp = /etc/containai-shipped/seccomp.policy\n' >"$D/root.ini"

# run CFG CMD...: in a fresh container; stdout in OUT, stderr in ERR, status in RC.
run() {
	local cfg=$1
	shift
	OUT=$(docker run --rm --pull=never --name "$NAME" --security-opt seccomp=unconfined \
		-v "$D/$cfg:/etc/containai-test/init.ini:ro" \
		--entrypoint /usr/sbin/containai-init "$CAI_TEST_IMAGE" \
		-c /etc/containai-test/init.ini "$@" 2>"$D/err")
	RC=$?
	ERR=$(cat "$D/err")
}

# PID 1 sheds its privileges before the command may start: its status is
# read at once, with no waiting.
PID1_STATUS='cat /proc/1/status'

field() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { print $2 }'; }

run init.ini --check
expect_eq "--check passes in the image" "$RC $ERR" "0 "

run init.ini -- cat /proc/self/status
expect_eq "command exits 0" "$RC" 0
expect_match "uid is the image's agent (1000)" "$OUT" $'Uid:\t1000\t1000\t1000\t1000'
expect_match "gid is the image's agent (1000)" "$OUT" $'Gid:\t1000\t1000\t1000\t1000'
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	expect_eq "$f is zero" "$(field "$f:")" 0000000000000000
done
expect_eq "NoNewPrivs is 1" "$(field NoNewPrivs:)" 1
expect_eq "Seccomp is 2" "$(field Seccomp:)" 2
expect_eq "only our filter is loaded" "$(field Seccomp_filters:)" 1

run init.ini -- sh -c 'echo "$HOME $USER $LOGNAME"; seccomp_probe fds'
expect_eq "HOME (not the engine's /root), USER, LOGNAME; descriptors 0-2 only" "$(echo $OUT)" "/home/agent agent agent 0 1 2"

run init.ini -- sh -c "$PID1_STATUS"
expect_eq "PID 1 keeps CAP_KILL only (effective)" "$(field CapEff:)" 0000000000000020
expect_eq "PID 1 keeps CAP_KILL only (bounding)" "$(field CapBnd:)" 0000000000000020
expect_eq "PID 1 sets no_new_privs on itself" "$(field NoNewPrivs:)" 1

run init.ini -- seccomp_probe deny
expect_eq "every denied call gets EPERM" "$(seccomp_not_eperm "$OUT")" ""
expect_eq "clone3 gets ENOSYS" "$(field clone3)" 38
expect_eq "personality(0) is allowed" "$(field personality_0)" 0

run init.ini -- seccomp_probe x32
expect_eq "an x32 system call kills the command (SIGSYS)" "$RC" 159
run init.ini -- seccomp_probe i386
expect_eq "an i386 system call kills the command (SIGSYS)" "$RC" 159
run init.ini -- seccomp_probe work
expect_eq "ordinary work (threads, fork, exec, files, sockets)" "$OUT" "work ok"

run root.ini -- true
expect_eq "uid 0 refused: exit 125" "$RC" 125
expect_match "uid 0 refused: one line saying why" "$ERR" "^containai-init: .*identity: uid 0 \(root\) refused"
