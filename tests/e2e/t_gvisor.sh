#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# containai-init under gVisor, on real engines started here:
#  - an engine with runsc registered (tests/e2e/engine.sh): the real
#    sandbox image, built from this checkout, runs under --runtime=runsc
#    with the shipped config - volume, .env, workspace, identity,
#    capabilities, no_new_privs, seccomp - and every step is checked from
#    inside with the kernel's own calls (gVisor's /proc lacks NoNewPrivs
#    and CapAmb), next to what its /proc does report;
#  - the guest-kernel rule (launcher/guest_kernel.c) on the live probe:
#    gVisor's kernel there, the host's kernel on an engine whose runtime
#    named runsc is really runc;
#  - the configs gVisor cannot honour are refused: a capability kept for
#    the command, Landlock required, a mount inside the volume.
# Both engines are stopped at the end with their containers removed, and
# no runsc process of theirs may be left.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/engine.sh
. "$(dirname "$0")/engine.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=gvisor-e2e
IMG=$P-containai:$$
gvisor_suite_dirs runsc-engine
CLASSIFY=$HELPERS/guest_kernel_classify

cleanup() {
	side_engine_stop "$E"
	side_engine_stop "$FAKE"
	docker rmi -f "$IMG" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT
# A suite timeout must still stop the engines and remove their netns.
trap 'exit 143' TERM INT

# The sandbox image from this checkout (no agent CLI needed here).
gvisor_suite_image "$IMG" "$T/image.tar" || exit 1

# under_runsc [DOCKER-RUN-ARGS...] IMAGE [CMD...]: a container under runsc;
# OUT, ERR, RC.
under_runsc() {
	side_engine_docker "$E" run --rm --runtime=runsc "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# gv [DOCKER-RUN-ARGS...] IMAGE [CMD...]: a sandbox under runsc with the
# volume, the workspace (the bind layout) and the test helpers.
gv() {
	under_runsc -v "$HELPERS:/usr/lib/containai-test:ro" \
		-v "$P-vol:/mnt/agent-data" -v "$WS:/home/agent/workspace" "$@"
}
PROBE=/usr/lib/containai-test/seccomp_probe

# ---- the engine with runsc -------------------------------------------------

if ! side_engine_start "$E" "$P-ns" "{\"runtimes\": {$GVISOR_TEST_RUNTIME}}"; then
	fail "runsc engine" "did not start"
	exit 1
fi
expect_match "runsc engine: runsc registered, with the test machine's --network=host" \
	"$(side_engine_docker "$E" info --format '{{json .Runtimes.runsc}}')" \
	'"path":"/usr/bin/runsc".*"--network=host"'
side_engine_docker "$E" load -i "$T/image.tar" >/dev/null

# probe ENGINE: the guest-kernel probe as the launcher runs its probes (no
# network, the entrypoint replaced); RC its status, VERDICT the rule's.
probe() {
	side_engine_docker "$1" run --rm --pull=never --network=none --runtime=runsc \
		--entrypoint sh "$IMG" -c "$("$CLASSIFY" --command)" >"$T/probe" 2>&1
	RC=$?
	VERDICT=$("$CLASSIFY" "$(side_engine_docker "$1" info --format '{{.KernelVersion}}')" <"$T/probe")
}
RELEASE=$(side_engine_docker "$E" info --format '{{.KernelVersion}}')
probe "$E"
expect_eq "probe runs" "$RC" 0
expect_match "guest kernel: gVisor's, not the host's" "$VERDICT" '^gvisor: '

# ---- every step of the shipped config ----------------------------------------

gv "$IMG" sh -c 'cat /proc/1/comm; pwd; id -u; id -g; id -G; echo "HOME=$HOME"'
expect_eq "starts under the shipped config" "$RC" 0
expect_eq "PID 1 is containai-init; the command in the workspace as the agent" \
	"$(printf '%s\n' "$OUT" | tr '\n' ' ')" "containai-init /home/agent/workspace 1000 1000 1000 HOME=/home/agent "
expect_match "the workspace: the bind layout is seen as a mount" "$ERR" 'workspace: /home/agent/workspace is a mount'

gv "$IMG" $PROBE state
expect_eq "identity (getresuid)" "$(line uid)" "1000 1000 1000"
expect_eq "no effective capabilities (capget)" "$(line eff)" 0000000000000000
expect_eq "no permitted capabilities (capget)" "$(line prm)" 0000000000000000
expect_eq "no inheritable capabilities (capget)" "$(line inh)" 0000000000000000
expect_eq "an empty bounding set (PR_CAPBSET_READ)" "$(line bnd)" 0000000000000000
# gVisor 20221219 has no ambient set at all (PR_CAP_AMBIENT is EINVAL);
# one that has it must show it empty.
expect_match "no ambient capabilities (PR_CAP_AMBIENT_IS_SET)" "$(line amb)" '^(none|0{16})$'
expect_eq "no_new_privs (PR_GET_NO_NEW_PRIVS)" "$(line nnp)" 1
expect_eq "seccomp filter mode (PR_GET_SECCOMP)" "$(line seccomp)" 2

gv "$IMG" cat /proc/self/status
for f in CapInh CapPrm CapEff CapBnd; do
	expect_eq "/proc/self/status $f is zero" "$(line "$f:")" 0000000000000000
done
expect_eq "/proc/self/status Seccomp is 2" "$(line Seccomp:)" 2
expect_eq "/proc/self/status Uid is the agent's" "$(line Uid:)" "1000 1000 1000 1000"

gv "$IMG" cat /proc/1/status
expect_eq "PID 1 keeps CAP_KILL only (effective)" "$(line CapEff:)" 0000000000000020
expect_eq "PID 1 keeps CAP_KILL only (bounding)" "$(line CapBnd:)" 0000000000000020
expect_eq "PID 1 keeps nothing inheritable" "$(line CapInh:)" 0000000000000000

# The filter: every call the policy denies gets its errno.  Without it
# (runsc ignores the engine's seccomp profile) unshare(0) and a new user
# namespace succeed, and the others fail with other errnos.
gv "$IMG" $PROBE deny
expect_eq "every denied call gets EPERM" "$(seccomp_not_eperm "$OUT")" ""
expect_eq "clone3 gets ENOSYS" "$(line clone3)" 38
gv "$IMG" $PROBE x32
expect_eq "an x32 system call kills the command (SIGSYS)" "$RC" 159
# gVisor runs int 0x80 as the x86_64 call of that number: the filter must
# judge it as that call (unshare: EPERM, where unfiltered it succeeds).
gv "$IMG" $PROBE int80
expect_eq "int 0x80 is judged as the x86_64 call gVisor runs" "$OUT" "int80 -1"
gv "$IMG" $PROBE work
expect_eq "ordinary work (threads, fork, exec, files, sockets)" "$OUT" "work ok"
gv "$IMG" $PROBE fds
expect_eq "descriptors 0-2 only" "$(printf '%s\n' "$OUT" | tr '\n' ' ')" "0 1 2 "

# The volume, prepared through the walk (no openat2) and the mount table
# (no statx mount ids); find(1) because coreutils' statx calls fail there.
gv "$IMG" sh -c 'find /mnt/agent-data /mnt/agent-data/claude/.credentials.json -maxdepth 0 -printf "%U:%G %m\n"; cat /mnt/agent-data/claude/.credentials.json'
expect_eq "volume: root and a 0600 file owned by the agent, initialised" \
	"$(printf '%s\n' "$OUT" | tr '\n' ' ')" "1000:1000 755 1000:1000 600 {} "

# .env from the volume (written by a runc container of the same engine).
side_engine_docker "$E" run --rm -v "$P-vol:/v" --entrypoint sh "$IMG" \
	-c 'printf "GVISOR_E2E=from the volume\n" >/v/.env'
gv "$IMG" sh -c 'echo "$GVISOR_E2E"'
expect_eq ".env loaded from the volume" "$OUT" "from the volume"

gv "$IMG" sh -c 'echo written >/home/agent/workspace/from-gvisor'
expect_eq "workspace writable by the agent" "$RC $(cat "$WS/from-gvisor" 2>/dev/null)" "0 written"
expect_eq "workspace file owned by the agent on the host" "$(stat -c %u "$WS/from-gvisor" 2>/dev/null)" 1000

gv "$IMG" sh -c 'exit 7'
expect_eq "exit status passes through" "$RC" 7
gv "$IMG" sh -c 'kill -TERM $$'
expect_eq "death by a signal is 128+N" "$RC" 143
gv "$IMG" no-such-command
expect_eq "command not found is 127" "$RC" 127

side_engine_docker "$E" run -d --name "$P-stop" --runtime=runsc -v "$P-vol:/mnt/agent-data" \
	-v "$WS:/home/agent/workspace" "$IMG" sleep 300 >/dev/null
side_engine_docker "$E" stop -t 20 "$P-stop" >/dev/null
expect_eq "docker stop: SIGTERM reaches the command (not SIGKILL after the timeout)" \
	"$(side_engine_docker "$E" inspect --format '{{.State.ExitCode}}' "$P-stop")" 143
side_engine_docker "$E" rm -f "$P-stop" >/dev/null

# ---- what gVisor cannot honour is refused --------------------------------------

# variant NAME SED: the shipped init.ini changed by SED, as $T/NAME.ini.
variant() {
	sed "$2" "$CAI_ROOT/policy/init.ini" >"$T/$1.ini"
	chmod 0644 "$T/$1.ini"
}

variant keepcap 's/^capabilities =.*/capabilities = cap_net_bind_service/'
gv -v "$T/keepcap.ini:/etc/containai/init.ini:ro" "$IMG" sh -c 'echo ran'
expect_eq "a capability kept for the command: refused (125)" "$RC" 125
expect_match "says the kernel has no ambient set" "$ERR" 'needs the ambient set, which this kernel does not implement'
expect_eq "the refused command never ran" "$OUT" ""

variant llbest 's/^landlock = .*/landlock = best-effort\nlandlock_read = \/usr:\/etc\nlandlock_write = \/tmp/'
gv -v "$T/llbest.ini:/etc/containai/init.ini:ro" "$IMG" sh -c 'echo ran'
expect_eq "landlock = best-effort: runs without it" "$RC $OUT" "0 ran"
expect_match "landlock = best-effort: says so" "$ERR" 'landlock: not available .*best-effort'
variant llreq 's/^landlock = .*/landlock = required\nlandlock_read = \/usr:\/etc\nlandlock_write = \/tmp/'
gv -v "$T/llreq.ini:/etc/containai/init.ini:ro" "$IMG" sh -c 'echo ran'
expect_eq "landlock = required: refused (125)" "$RC $OUT" "125 "
expect_match "landlock = required: says why" "$ERR" 'landlock: not available'

mkdir -p "$T/inner"
gv -v "$T/inner:/mnt/agent-data/claude/skills" "$IMG" sh -c 'echo ran'
expect_eq "a mount inside the volume: refused (125)" "$RC $OUT" "125 "
expect_match "names the mount" "$ERR" 'claude/skills is a mount inside it'

# Mounts made inside the sandbox before containai-init starts (root with
# CAP_SYS_ADMIN, then the init): a bind of a file system onto itself keeps
# its device number, so only the mount table tells these apart.
under_runsc --cap-add SYS_ADMIN -v "$P-bindvol:/mnt/agent-data" -v "$WS:/home/agent/workspace" \
	--entrypoint sh "$IMG" -c '
	mkdir -p /mnt/agent-data/userdata /mnt/agent-data/bound && : >/mnt/agent-data/bound/x &&
	mount --bind /mnt/agent-data/bound /mnt/agent-data/userdata || exit 99
	exec /usr/sbin/containai-init -c /etc/containai/init.ini -- echo ran'
expect_eq "a bind of the volume's own file system inside it: refused (125)" "$RC $OUT" "125 "
expect_match "names the bind mount" "$ERR" '/mnt/agent-data/userdata is a mount inside it'
under_runsc -v "$P-bindvol:/mnt/agent-data" --entrypoint find "$IMG" /mnt/agent-data/bound/x -printf '%U:%G'
expect_eq "the bind mount's file kept its owner" "$OUT" "0:0"

# gVisor has no child subreapers (PR_SET_CHILD_SUBREAPER: EINVAL): started
# other than as PID 1, containai-init cannot keep the command's orphans and
# refuses.
under_runsc -v "$P-vol:/mnt/agent-data" -v "$WS:/home/agent/workspace" --entrypoint sh "$IMG" \
	-c '/usr/sbin/containai-init -c /etc/containai/init.ini -- echo ran; echo "rc=$?"'
expect_eq "not PID 1: refused (125), the command never ran" "$OUT" "rc=125"
expect_match "not PID 1: says why" "$ERR" 'cannot become a child subreaper'

under_runsc --cap-add SYS_ADMIN -v "$P-vol:/mnt/agent-data" --entrypoint sh "$IMG" -c '
	mkdir -p /home/agent/real /home/agent/workspace && echo inside >/home/agent/real/marker &&
	chown -R 1000:1000 /home/agent/real &&
	mount --bind /home/agent/real /home/agent/workspace || exit 99
	exec /usr/sbin/containai-init -c /etc/containai/init.ini -- sh -c "pwd; cat marker"'
expect_eq "a bind of the home's own file system at the link: used as the workspace" \
	"$RC $(printf '%s\n' "$OUT" | tr '\n' ' ')" "0 /home/agent/workspace inside "

if side_engine_stop "$E"; then
	pass "runsc engine: stopped, no runsc-sandbox or runsc-gofer left"
else
	fail "runsc engine: stopped, no runsc-sandbox or runsc-gofer left" "processes were left behind"
fi

# ---- a runtime named runsc that is runc ------------------------------------------

if ! side_engine_start "$FAKE" "$P-fake-ns" '{"runtimes": {"runsc": {"path": "runc"}}}'; then
	fail "fake runsc engine" "did not start"
	exit 1
fi
expect_match "named-only runsc: listed under that name" \
	"$(side_engine_docker "$FAKE" info --format '{{json .Runtimes.runsc}}')" '"path":"runc"'
side_engine_docker "$FAKE" load -i "$T/image.tar" >/dev/null
probe "$FAKE"
expect_eq "named-only runsc: probe runs" "$RC" 0
expect_match "named-only runsc: the probe sees the host's kernel" \
	"$VERDICT" "^host: the container runs the host's kernel \\($RELEASE\\)"
if side_engine_stop "$FAKE"; then
	pass "fake runsc engine: stopped, nothing left"
else
	fail "fake runsc engine: stopped, nothing left" "processes were left behind"
fi
