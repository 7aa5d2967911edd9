#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo` runs to completion: it sets up gVisor on a demo engine with
# `containai setup gvisor`, doctor reports mode gvisor there, and a sandbox
# started through `containai run` (no --force) shows gVisor's kernel and the
# agent's hardened view, then the working session in that sandbox (an
# agent's --version, a login surviving `containai run --restart`, the host
# user's files); it leaves no container, volume, engine process or network
# namespace behind.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$CAI_ROOT/tests/e2e/images.sh"

PREFIX=image-demo-$$
TAG=image-containai:demo-$$
LOG=$(scratch_dir)/demo.log
trap 'docker rmi -f "$TAG" >/dev/null 2>&1; cleanup_scratch' EXIT

(cd "$CAI_ROOT" && IMAGE=$TAG DEMO_PREFIX=$PREFIX DEMO_HOST_USER=1234:1234 bash tests/demo.sh) >"$LOG" 2>&1
rc=$?
out=$(cat "$LOG")
# shows NAME REGEX: a line of the demo's output matches; on failure name
# the line that was there instead (the key before the colon).
shows() {
	if grep -Eq -- "$2" "$LOG"; then pass "$1"; else
		fail "$1" "no line matches /$2/; got: $(grep -E -- "^${2%%:*}:" "$LOG" | head -n 1)"; fi
}
if [ "$rc" -eq 0 ]; then pass "make demo runs to completion"; else
	fail "make demo runs to completion" "status $rc: $(tail -n 15 "$LOG")"; fi
shows "demo runs containai doctor" '== containai doctor'
shows "demo sets up gVisor with containai setup gvisor" 'setup gvisor: .*daemon\.json: runtime runsc registered'
shows "demo says why runsc gets --network=host here, or that it does not" \
	'(hides its PID 1.s namespaces .*network stack|gVisor keeps its own network stack)'
shows "demo's engine: doctor reports mode gvisor" '^\[OK\] isolation: mode gvisor'
shows "demo's engine: proven by a probe on gVisor's kernel" "^\\[OK\\] gvisor: runtime runsc \\(/usr/bin/runsc\\): gVisor's kernel"
shows "demo shows gVisor's kernel inside (/proc/version)" 'kernel: +Linux version 4\.4\.0 '
shows "demo shows gVisor's kernel inside (its log)" 'kernel log: +.*Starting gVisor\.\.\.'
shows "demo says the sandbox ran under runsc" 'the sandbox ran under runtime runsc'
shows "demo shows a denied call's errno" 'unshare -U: +unshare: unshare failed: Operation not permitted'
shows "demo shows PID 1 is containai-init" 'PID 1: +/usr/sbin/containai-init --sandbox'
shows "demo shows the agent's identity" 'identity: +uid=1000\(agent\) gid=1000\(agent\)'
shows "demo shows no effective capability" 'CapEff: +0000000000000000'
shows "demo shows NoNewPrivs" 'NoNewPrivs: +1'
shows "demo shows the seccomp filter" 'Seccomp: +2'
shows "demo shows the prepared volume" 'data volume /mnt/agent-data:'
shows "demo shows the workspace" 'workspace: .*/home/agent/workspace'
shows "demo shows .env reaching the agent" '\.env: +DEMO_GREETING=hello from \.env'
shows "demo shows an agent's version" '^(claude|codex|gemini|copilot|opencode): +[^ ]*[0-9]+\.[0-9]+'
shows "demo shows the agent's directory linked into the volume" '^~/\.claude -> /mnt/agent-data/claude$'
shows "demo shows a login surviving containai run --restart" '^login: \{"claudeAiOauth":"demo"\}$'
shows "demo shows the agent running as the host user" '^the agent: uid=1234\(agent\) gid=1234\(agent\)'
shows "demo shows the agent's file owned by the host user" '^host-files: made-by-the-agent is 1234:1234, the host user is 1234:1234$'
expect_no_match "demo never runs without isolation" "$out" 'WITHOUT isolation'
expect_eq "demo leaves no container" "$(docker ps -aq --filter "name=$PREFIX")" ""
expect_eq "demo leaves no volume" "$(docker volume ls -q --filter "name=$PREFIX")" ""
expect_eq "demo leaves no network namespace" "$(ip netns list | grep -c "^$PREFIX")" 0
expect_eq "demo leaves no engine process" "$(pgrep -f -- "/$PREFIX\." | wc -l)" 0
