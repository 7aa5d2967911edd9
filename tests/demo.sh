#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# `make demo`: the main job on this machine, end to end, as root on a fresh
# Debian 12 machine:
#   the Docker engine up -> the sandbox image -> `containai doctor` on it
#   (no isolation there) -> a demo engine beside it, given gVisor by
#   `containai setup gvisor` -> `containai doctor` there (mode gvisor) -> a
#   sandbox started through `containai run` (no --force) whose command
#   prints the kernel it runs on and what the agent sees -> in that sandbox
#   an agent's --version -> a login that survives `containai run --restart`
#   -> a file the agent makes, owned on the host by the user who ran
#   containai.
# Each step is a function; STEPS lists them in order (a new step goes
# there).  Everything the demo creates (the demo engine with its sandbox,
# volume and network namespace, the workspace, an engine it started) is
# removed again on exit.
#   IMAGE        image to build and run (default containai:latest)
#   DEMO_PREFIX  prefix of the names it creates (default containai-demo)
#   DEMO_HOST_USER  UID:GID that runs containai for the host user's files
#                (default: sudo's caller, else 1234:1234)
set -euo pipefail
cd "$(dirname "$0")/.."
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
# shellcheck source=tests/e2e/engine.sh
. tests/e2e/engine.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

IMAGE=${IMAGE:-containai:latest}
DEMO_PREFIX=${DEMO_PREFIX:-containai-demo}
NAME=$DEMO_PREFIX-$$
VOLUME=$DEMO_PREFIX-data-$$
LAUNCHER=$CAI_BUILD/containai
STATE=$(mktemp -d "${TMPDIR:-/tmp}/$DEMO_PREFIX.XXXXXX")
chmod 0711 "$STATE"
DEMO_ENGINE=$STATE/engine
WORKSPACE=$STATE/workspace
# The launcher's config and probe cache are the demo's own.
export XDG_CONFIG_HOME=$STATE/config XDG_CACHE_HOME=$STATE/cache
# The sandbox on the engine's network: the demo engine has no egress proxy
# image (docs/egress.md; tests/e2e/t_egress.sh walks egress).
export CONTAINAI_EGRESS=off

say() { printf '\n== %s\n' "$*"; }
note() { printf 'demo: %s\n' "$*"; }

# containai against the demo engine, with the demo's image (also for its
# probes).
cai_demo() {
	DOCKER_HOST=$(side_engine_host "$DEMO_ENGINE") CONTAINAI_IMAGE=$IMAGE "$LAUNCHER" "$@"
}

cleanup() {
	side_engine_stop "$DEMO_ENGINE" || true
	umount -R "$STATE" 2>/dev/null || true
	rm -rf "$STATE"
	engine_down
}
trap cleanup EXIT

step_engine() {
	say "Docker engine"
	engine_up
	docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'
}

step_image() {
	say "sandbox image $IMAGE"
	IMAGE=$IMAGE bash tests/e2e/image.sh
}

step_doctor_here() {
	say "containai doctor (this machine's engine)"
	"$LAUNCHER" doctor ||
		note "no isolation on this engine: runc shares the host's kernel, and containai run refuses it"
}

# gVisor's own network stack needs to tell the container's network
# namespace from the root one; where the machine hides its PID 1's
# namespaces it cannot, and runsc refuses "cannot run with network enabled
# in root network namespace".  There runsc gets --network=host: the host
# kernel's network stack inside each container's network namespace.
# Sets RUNTIME_ARGS, and says why.
runtime_args() {
	local why
	RUNTIME_ARGS=()
	if why=$(stat -L /proc/1/ns/net 2>&1 >/dev/null); then
		note "gVisor keeps its own network stack on this machine"
		return
	fi
	note "this machine hides its PID 1's namespaces (${why##*: }), so gVisor's own network stack"
	note "cannot start here; the demo engine's runsc gets --network=host: it uses the host kernel's"
	note "network stack inside each container's network namespace, while every system call still"
	note "goes to gVisor's kernel. A normal host runs \`sudo containai setup gvisor\` without it."
	RUNTIME_ARGS=(--runtime-arg=--network=host)
}

step_gvisor_engine() {
	say "a demo engine, set up with gVisor by containai setup gvisor"
	mkdir -p "$DEMO_ENGINE"
	runtime_args
	"$LAUNCHER" setup gvisor --daemon-json "$DEMO_ENGINE/daemon.json" "${RUNTIME_ARGS[@]}"
	note "starting the demo engine (its own socket and network namespace) with that daemon.json"
	side_engine_start "$DEMO_ENGINE" "$DEMO_PREFIX-$$" "$(cat "$DEMO_ENGINE/daemon.json")"
	note "copying $IMAGE into it"
	docker save "$IMAGE" | side_engine_docker "$DEMO_ENGINE" load >/dev/null
}

step_doctor_gvisor() {
	say "containai doctor (the demo engine)"
	cai_demo doctor
}

# A workspace to mount and a .env in the data volume, so that the agent's
# view shows both steps.
step_workspace() {
	mkdir -p "$WORKSPACE"
	echo "a file of the project the agent works on" >"$WORKSPACE/README"
	chmod 0755 "$WORKSPACE"
	side_engine_docker "$DEMO_ENGINE" volume create "$VOLUME" >/dev/null
	side_engine_docker "$DEMO_ENGINE" run --rm --pull=never -v "$VOLUME:/data" --entrypoint /bin/sh \
		"$IMAGE" -c 'printf "DEMO_GREETING=hello from .env\n" >/data/.env'
	# What the agent sees: the sandbox's command, a script in the
	# workspace.  States come from the kernel's own calls where gVisor's
	# /proc/self/status has no line for them (NoNewPrivs, CapAmb), and
	# files are listed with find: this gVisor refuses the statx flags of
	# coreutils' ls and stat.
	cat >"$WORKSPACE/agent-view.sh" <<'VIEW'
show() { printf "%-13s %s\n" "$1" "$2"; }
prctl() { python3 -c 'import ctypes, sys; print(ctypes.CDLL(None).prctl(int(sys.argv[1]), 0, 0, 0, 0))' "$1"; }
status() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }
show "kernel:" "$(head -n 1 /proc/version)"
show "kernel log:" "$(dmesg 2>/dev/null | head -n 1)"
show "PID 1:" "$(tr "\0" " " </proc/1/cmdline)"
show "identity:" "$(id)"
for k in CapEff CapPrm CapInh CapBnd; do
	show "$k:" "$(status "$k")"
done
show "CapAmb:" "$(status CapAmb | grep . || echo "none (this kernel has no ambient set)")"
show "NoNewPrivs:" "$(prctl 39)"
show "Seccomp:" "$(prctl 21)"
show "unshare -U:" "$(unshare -U true 2>&1 || true)"
show "workdir:" "$(pwd)"
show "workspace:" "$(find /home/agent/workspace -maxdepth 0 -printf "%M %u:%g %p")"
show ".env:" "DEMO_GREETING=${DEMO_GREETING:-<not set>}"
echo "data volume /mnt/agent-data:"
find /mnt/agent-data -maxdepth 1 -printf "  %M %u:%g %P\n" | sort -k 3
VIEW
}

step_run() {
	say "containai run, under gVisor (what the agent sees)"
	cai_demo run --name "$NAME" --data-volume "$VOLUME" --workspace "$WORKSPACE" \
		-- /bin/sh /home/agent/workspace/agent-view.sh
	note "the sandbox ran under runtime $(side_engine_docker "$DEMO_ENGINE" inspect \
		--format '{{.HostConfig.Runtime}}' "$(side_engine_sandbox "$DEMO_ENGINE" "$NAME")"): gVisor's kernel above, not this host's $(uname -r)"
}

# ---- the session a person works in, on the same gVisor sandbox ----------------

# containai run on the demo's sandbox again: the launcher joins it.
cai_run() {
	cai_demo run --name "$NAME" --data-volume "$VOLUME" --workspace "$WORKSPACE" "$@"
}

step_agent_version() {
	say "an agent answers (--version, as the agent, hardened, under gVisor)"
	cai_run -- sh -c 'found=; for a in claude codex gemini copilot opencode; do
		command -v "$a" >/dev/null || continue; found=1; printf "%-9s %s\n" "$a:" "$("$a" --version 2>&1 | head -n 1)"; done
		[ -n "$found" ] || echo "no agent in this image (AGENTS=none)"'
}

step_login() {
	say "a login survives the sandbox (written, then containai run --restart)"
	cai_run -- sh -c 'printf "{\"claudeAiOauth\":\"demo\"}\n" >~/.claude/.credentials.json
		echo "~/.claude -> $(readlink ~/.claude)"; find ~/.claude/.credentials.json -printf "%M %u:%g %p\n"'
	cai_run --restart -- sh -c 'echo "a new container, the same volume:"; echo "login: $(cat ~/.claude/.credentials.json)"'
}

# containai run by another user than root: the agent's account is moved to
# that user's ids, since gVisor's kernel maps none.  The demo engine's
# socket group lets that user reach it, as the docker group would.
step_host_files() {
	: "${DEMO_HOST_USER:=${SUDO_UID:-1234}:${SUDO_GID:-1234}}"
	say "the host user's files (containai run by uid $DEMO_HOST_USER, under gVisor)"
	local ws=$STATE/host-workspace home=$STATE/host-home sock
	mkdir -p "$ws" "$home"
	echo "written by the host user" >"$ws/notes"
	chown -R "$DEMO_HOST_USER" "$ws" "$home"
	sock=$(side_engine_host "$DEMO_ENGINE")
	(cd "$ws" && setpriv --reuid "${DEMO_HOST_USER%:*}" --regid "${DEMO_HOST_USER#*:}" \
		--groups "$(stat -c %g "${sock#unix://}")" env HOME="$home" XDG_CONFIG_HOME="$home/.config" \
		XDG_CACHE_HOME="$home/.cache" DOCKER_HOST="$sock" CONTAINAI_IMAGE="$IMAGE" \
		"$LAUNCHER" run --name "$NAME-host" --data-volume "$VOLUME" \
		-- sh -c 'echo "the agent: $(id)"; echo "edited by the agent" >>notes; echo "made by the agent" >made-by-the-agent')
	echo "on the host:"
	ls -ln "$ws"
	echo "host-files: made-by-the-agent is $(stat -c '%u:%g' "$ws/made-by-the-agent"), the host user is $DEMO_HOST_USER"
}

STEPS=(step_engine step_image step_doctor_here step_gvisor_engine step_doctor_gvisor step_workspace step_run
	step_agent_version step_login step_host_files)
for step in "${STEPS[@]}"; do
	"$step"
done
say "done: the demo engine with its sandboxes and volume, and the workspaces, are removed"
