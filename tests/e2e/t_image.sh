#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox image: built offline the way `make image` builds it, its
# --check step guards the build, and a container from it runs the command
# hardened, as the agent user, under containai-init.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$CAI_ROOT/tests/e2e/images.sh"

PREFIX=image-t-image-$$
TAG=image-containai:test-$$
MINIMAL=image-containai:minimal-$$
NONE=image-containai:none-$$
BAD=image-containai:badpolicy-$$
VOLUME=$PREFIX-data
WS=$(scratch_dir)
LOGS=$(scratch_dir)

cleanup_image_suite() {
	docker rm -f "$PREFIX" "$PREFIX-run" >/dev/null 2>&1
	docker volume rm -f "$VOLUME" >/dev/null 2>&1
	docker rmi -f "$TAG" "$MINIMAL" "$NONE" "$BAD" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup_image_suite EXIT

# A copy of what the Dockerfile reads, for variants of the build context.
copy_context() {
	local dst=$1
	mkdir -p "$dst/build/agents"
	cp -r "$CAI_ROOT/Dockerfile" "$CAI_ROOT/.dockerignore" "$CAI_ROOT/Makefile" "$CAI_ROOT/VERSION" \
		"$CAI_ROOT/lib" "$CAI_ROOT/entrypoint" "$CAI_ROOT/policy" "$CAI_ROOT/egress" "$dst/"
}

# --- the image builds, with the --check step in it -------------------------
# The default image, every agent in it (tests/e2e/t_agents.sh runs them).
if build_sandbox_image "$TAG" all >"$LOGS/build" 2>&1; then
	pass "image builds offline"
else
	fail "image builds offline" "$(tail -n 20 "$LOGS/build")"
	exit 1
fi
expect_match "build ran containai-init --check" "$(cat "$LOGS/build")" 'containai-init", "--check", "-c", "/etc/containai/init.ini"'

bad=$(scratch_dir)
copy_context "$bad"
printf '\n[init]\nbogus = 1\n' >>"$bad/policy/init.ini"
if docker build --pull=false --force-rm -t "$BAD" "$bad" >"$LOGS/bad" 2>&1; then
	fail "a broken init.ini fails the build" "the build succeeded"
else
	expect_match "a broken init.ini fails the build" "$(cat "$LOGS/bad")" 'init\.ini:[0-9]+: '
fi

# --- what the image holds ---------------------------------------------------
entry=$(docker image inspect -f '{{json .Config.Entrypoint}}' "$TAG")
expect_eq "entrypoint is containai-init with the shipped config" "$entry" \
	'["/usr/sbin/containai-init","-c","/etc/containai/init.ini","--"]'
inside() { docker run --rm --pull=never --entrypoint /bin/sh "$TAG" -c "$1" 2>&1; }
expect_eq "agent user is uid/gid 1000 with home /home/agent" \
	"$(inside 'getent passwd agent | cut -d: -f3,4,6; getent group agent | cut -d: -f3')" \
	"$(printf '1000:1000:/home/agent\n1000')"
expect_eq "no sudo in the image" "$(inside 'command -v sudo || echo none')" "none"
expect_eq "no set-id program in the image" "$(inside 'find / -xdev -type f -perm /6000 | head -n 5')" ""
expect_eq "policy installed under /etc/containai" \
	"$(inside 'cat /etc/containai/init.ini' | md5sum)" "$(md5sum <"$CAI_ROOT/policy/init.ini")"
expect_eq "the data volume mount point exists" "$(inside 'test -d /mnt/agent-data && echo yes')" "yes"

# --- a sandbox from it --------------------------------------------------------
# The engine's own seccomp profile is switched off so that Seccomp: 2 can
# only come from the filter containai-init installs.
docker volume create "$VOLUME" >/dev/null
chmod 0755 "$WS"
out=$(docker run --rm --pull=never --name "$PREFIX" --security-opt seccomp=unconfined \
	-v "$VOLUME:/mnt/agent-data" -v "$WS:/home/agent/workspace" -w /home/agent/workspace \
	"$TAG" /bin/sh -c 'tr "\0" " " </proc/1/cmdline; echo; cat /proc/self/status; exit 7' 2>"$LOGS/run")
rc=$?
expect_eq "sandbox command's exit status passes through" "$rc" 7
field() { printf '%s\n' "$out" | sed -n "s/^$1:[[:space:]]*//p" | tr -s '\t ' ' '; }
expect_match "PID 1 is containai-init" "$(printf '%s\n' "$out" | head -n 1)" '^/usr/sbin/containai-init -c /etc/containai/init.ini -- '
expect_eq "command runs as uid 1000" "$(field Uid)" "1000 1000 1000 1000"
expect_eq "command runs as gid 1000" "$(field Gid)" "1000 1000 1000 1000"
expect_eq "command has no effective capability" "$(field CapEff)" 0000000000000000
expect_eq "command has an empty bounding set" "$(field CapBnd)" 0000000000000000
expect_eq "command has NoNewPrivs" "$(field NoNewPrivs)" 1
expect_eq "command runs under a seccomp filter" "$(field Seccomp)" 2
[ "$rc" -eq 7 ] || sed 's/^/    /' "$LOGS/run"

# --- the same sandbox started the way users start it -----------------------
# Through the contract's `containai run --force` (this engine has no
# isolation mode).  Fails until the launcher has `run`.
if launcher_is_stub; then
	fail "sandbox starts through containai run --force" "this build's launcher has no run command yet"
else
	# The image alone, on the engine's network: egress is e2e/t_egress's.
	out=$(CONTAINAI_EGRESS=off "$CAI_BUILD/containai" run --force --image "$TAG" --name "$PREFIX-run" --data-volume "$VOLUME" \
		--workspace "$WS" -- /bin/sh -c 'tr "\0" " " </proc/1/cmdline; echo; cat /proc/self/status' 2>"$LOGS/launch")
	rc=$?
	expect_eq "sandbox starts through containai run --force" "$rc" 0
	[ "$rc" -eq 0 ] || sed 's/^/    /' "$LOGS/launch"
	expect_match "containai run: PID 1 is containai-init" "$(printf '%s\n' "$out" | head -n 1)" '^/usr/sbin/containai-init '
	expect_eq "containai run: command runs as uid 1000" "$(field Uid)" "1000 1000 1000 1000"
	expect_eq "containai run: command has no effective capability" "$(field CapEff)" 0000000000000000
	docker rm -f "$PREFIX-run" >/dev/null 2>&1
fi

# --- the minimal target: the init alone in an author's image ----------------
plain=$(scratch_dir)
copy_context "$plain"
if docker build --pull=false --force-rm --target minimal -t "$MINIMAL" "$plain" >"$LOGS/minimal" 2>&1; then
	pass "minimal target builds"
	docker run --rm --pull=never "$MINIMAL" /bin/sh -c 'read -r c </proc/1/cmdline; exit 3' 2>/dev/null
	expect_eq "minimal image runs the command under the init" "$?" 3
	expect_match "minimal image's PID 1 is containai-init" \
		"$(docker run --rm --pull=never "$MINIMAL" /bin/sh -c 'tr "\0" " " </proc/1/cmdline')" \
		'^/usr/sbin/containai-init -- /bin/sh'
else
	fail "minimal target builds" "$(tail -n 20 "$LOGS/minimal")"
fi

# --- AGENTS=none: no agent and no Node, the tools still there ----------------
if build_sandbox_image "$NONE" none >"$LOGS/none" 2>&1; then
	pass "image builds with no agent"
	expect_eq "no agent: no node and no agent command" \
		"$(docker run --rm --pull=never --entrypoint /bin/sh "$NONE" -c \
			'for c in node nodejs claude codex gemini copilot opencode; do command -v "$c"; done; ls -A /opt' 2>&1)" ""
	expect_eq "no agent: the tools agents call are still there" \
		"$(docker run --rm --pull=never --entrypoint /bin/sh "$NONE" -c 'for t in git rg python3 gcc; do command -v "$t"; done' 2>&1 | tr '\n' ' ')" \
		"/usr/bin/git /usr/bin/rg /usr/bin/python3 /usr/bin/gcc "
	expect_eq "no agent: the label says none" \
		"$(docker image inspect -f '{{index .Config.Labels "org.containai.agents"}}' "$NONE")" ""
else
	fail "image builds with no agent" "$(tail -n 20 "$LOGS/none")"
fi
