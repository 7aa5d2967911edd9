#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# The sandbox image started as another uid than root, its shipped config
# read as always: `docker run --user 1000:1000` with the engine's default
# capabilities, a Kubernetes-style start (non-root uid, read-only root file
# system with a writable home and /tmp, --cap-drop ALL), and an OpenShift
# arbitrary uid with no passwd entry in group 0.  Each works: the volume
# prepared, the links made, the command unprivileged and filtered; and
# what would need root is refused with one line naming it.  The engine's
# own seccomp profile is off, so Seccomp: 2 is containai-init's filter.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=nonroot-e2e
TAG=image-containai:nonroot-$$
launcher_suite

if ! build_sandbox_image "$TAG" none >"$T/build.log" 2>&1; then
	fail "the sandbox image builds" "$(tail -n 20 "$T/build.log")"
	exit 1
fi

# start NAME DOCKER-ARGS... -- CMD...: the image with its own entrypoint
# and config, the workspace bound; sets OUT, ERR, RC.
start() {
	local name=$1 args=()
	shift
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	OUT=$(timeout 120 docker run --rm --pull=never --name "$P-$name" --network none \
		--security-opt seccomp=unconfined -v "$WS:/home/agent/workspace" "${args[@]}" "$TAG" "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

VIEW='id -u; id -g; echo "$HOME"; readlink ~/.claude; readlink ~/.config/gh; stat -c %u /mnt/agent-data/claude
for k in CapInh CapPrm CapEff CapAmb NoNewPrivs Seccomp; do grep "^$k:" /proc/self/status; done
grep -E "^(CapEff|NoNewPrivs):" /proc/1/status | sed "s/^/pid1 /"'
# field TEXT KEY: the value of "KEY:" in TEXT, blanks squeezed.
field() { printf '%s\n' "$1" | sed -n "s/^$2:[[:space:]]*//p" | head -n 1; }
unprivileged() {
	local name=$1
	expect_eq "$name: no capability left (inheritable, permitted, effective, ambient)" \
		"$(field "$OUT" CapInh) $(field "$OUT" CapPrm) $(field "$OUT" CapEff) $(field "$OUT" CapAmb)" \
		"0000000000000000 0000000000000000 0000000000000000 0000000000000000"
	expect_eq "$name: no_new_privs" "$(field "$OUT" NoNewPrivs)" 1
	expect_eq "$name: under the seccomp filter" "$(field "$OUT" Seccomp)" 2
	expect_eq "$name: PID 1 has no capability and no_new_privs" \
		"$(field "$OUT" "pid1 CapEff") $(field "$OUT" "pid1 NoNewPrivs")" "0000000000000000 1"
}

# ---- docker run --user 1000:1000, the engine's default capabilities ----------
start user --user 1000:1000 -v "$P-vol:/mnt/agent-data" -- sh -c "$VIEW"
expect_eq "--user=1000:1000: starts" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
expect_eq "--user=1000:1000: the agent is uid 1000 at home" "$(sed -n 1,3p <<<"$OUT" | tr '\n' ' ')" "1000 1000 /home/agent "
expect_eq "--user=1000:1000: the links made" "$(sed -n 4,5p <<<"$OUT" | tr '\n' ' ')" \
	"/mnt/agent-data/claude /mnt/agent-data/config/gh "
expect_eq "--user=1000:1000: a fresh volume prepared, the agent's" "$(sed -n 6p <<<"$OUT")" 1000
unprivileged "--user=1000:1000"

# ---- Kubernetes: runAsNonRoot, readOnlyRootFilesystem, drop ALL ---------------
start k8s --user 1000:1000 --read-only --cap-drop ALL \
	--tmpfs /home/agent:uid=1000,gid=1000,mode=0755 --tmpfs /tmp:mode=1777 \
	--tmpfs /mnt/agent-data:uid=1000,gid=1000,mode=0755 -- sh -c "$VIEW; echo written >~/workspace/k8s"
expect_eq "kubernetes-style: starts on a read-only root" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
expect_eq "kubernetes-style: the links made in the writable home" "$(sed -n 4,5p <<<"$OUT" | tr '\n' ' ')" \
	"/mnt/agent-data/claude /mnt/agent-data/config/gh "
unprivileged "kubernetes-style"
expect_eq "kubernetes-style: the workspace written" "$(cat "$WS/k8s" 2>&1)" written

# ---- OpenShift: an arbitrary uid, no passwd entry, group 0 --------------------
start openshift --user 1000650000:0 --cap-drop ALL \
	--tmpfs /home/agent:uid=1000650000,gid=0,mode=0775 --tmpfs /mnt/agent-data:uid=1000650000,gid=0,mode=0775 \
	-- sh -c "$VIEW"
expect_eq "arbitrary-uid: starts" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
expect_eq "arbitrary-uid: that uid, in the account's home" "$(sed -n 1,3p <<<"$OUT" | tr '\n' ' ')" "1000650000 0 /home/agent "
expect_eq "arbitrary-uid: the links made" "$(sed -n 4p <<<"$OUT")" /mnt/agent-data/claude
expect_eq "arbitrary-uid: the volume its" "$(sed -n 6p <<<"$OUT")" 1000650000
unprivileged "arbitrary-uid"
expect_match "arbitrary-uid: the group 0 it cannot leave is said" "$ERR" "started in group 0 \(root's\), which only root could leave: kept"

# ---- what needs root: refused, one line, nothing half done ----------------------
docker run --rm --pull=never --entrypoint /bin/sh -v "$P-other:/v" "$TAG" -c 'mkdir /v/claude && touch /v/claude/x && chown -R 1234:1234 /v' >/dev/null 2>&1
start other --user 1000:1000 -v "$P-other:/mnt/agent-data" -- true
expect_eq "a volume prepared for another uid: refused (125)" "$RC" 125
expect_match "a volume prepared for another uid: says why" "$ERR" \
	"volume: /mnt/agent-data: owned by uid 1234, not by uid 1000 that containai-init runs as; only root can give it to that uid \(refused\)"
expect_eq "a volume prepared for another uid: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_eq "a volume prepared for another uid: nothing changed" \
	"$(docker run --rm --pull=never --entrypoint /bin/sh -v "$P-other:/v" "$TAG" -c 'find /v -printf "%u %p\n" | sort' 2>&1)" \
	"$(printf '1234 /v\n1234 /v/claude\n1234 /v/claude/x')"

start move --user 1000:1000 -e CONTAINAI_HOST_USER=1234:1235 -v "$P-vol:/mnt/agent-data" -- true
expect_eq "moving the account to the host user as uid 1000: refused (125)" "$RC" 125
expect_match "moving the account as uid 1000: says it needs root" "$ERR" \
	"account: moving 'agent' to uid 1234 needs root \(containai-init runs as uid 1000\)"
start same --user 1234:1235 -e CONTAINAI_HOST_USER=1234:1235 --tmpfs /home/agent:uid=1234,gid=1235 \
	--tmpfs /mnt/agent-data:uid=1234,gid=1235 -- id -u
expect_eq "started as the host user's uid: nothing to move" "$RC:$OUT" 0:1234
