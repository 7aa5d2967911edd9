#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo`: the main job on this machine, end to end.
#   engine up -> sandbox image -> `containai doctor` -> a sandbox started with
#   `containai run --force` whose command prints what the agent sees -> an
#   agent's --version -> a login that survives `containai run --restart` ->
#   a file the agent makes, owned on the host by the user who ran containai.
# Everything it creates (container, volume, workspace, an engine it started)
# is removed again on exit.
#   IMAGE        image to build and run (default containai:latest)
#   DEMO_PREFIX  prefix of the container and volume names (default containai-demo)
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
# The sandbox on the engine's network: the egress proxy is not part of
# this walk-through (docs/egress.md; tests/e2e/t_egress.sh).
export CONTAINAI_EGRESS=off
WORKSPACE=

say() { printf '\n== %s\n' "$*"; }

cleanup() {
	docker rm -f "$NAME" >/dev/null 2>&1 || true
	# The launcher's sandboxes are NAME-HASH (HASH from the workspace's path).
	local ws
	for ws in "$WORKSPACE" "${HOST_WS:-}"; do
		[ -z "$ws" ] || docker ps -aq --filter "label=containai.workspace=$ws" |
			xargs -r docker rm -f >/dev/null 2>&1 || true
	done
	[ -z "${HOST_WS:-}" ] || rm -rf "$HOST_WS" "$HOST_HOME"
	docker volume rm -f "$VOLUME" >/dev/null 2>&1 || true
	[ -z "$WORKSPACE" ] || rm -rf "$WORKSPACE"
	engine_down
}
trap cleanup EXIT

say "Docker engine"
engine_up
docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'

say "sandbox image $IMAGE"
IMAGE=$IMAGE bash tests/e2e/image.sh

say "containai doctor"
if launcher_is_stub; then
	# Only until the launcher lands: the demo then stands in for `containai run`.
	stand_in=1
	"$LAUNCHER" doctor || true
else
	stand_in=0
	"$LAUNCHER" doctor ||
		echo "demo: no isolation mode on this engine; the sandbox starts with --force (no protection from the engine's kernel and runtime)"
fi

# A workspace to mount and a .env in the data volume, so that the agent's
# view shows both steps.
WORKSPACE=$(mktemp -d "${TMPDIR:-/tmp}/containai-demo-ws.XXXXXX")
echo "a file of the project the agent works on" >"$WORKSPACE/README"
chmod 0755 "$WORKSPACE"
docker volume create "$VOLUME" >/dev/null
docker run --rm --pull=never -v "$VOLUME:/data" --entrypoint /bin/sh "$IMAGE" \
	-c 'printf "DEMO_GREETING=hello from .env\n" >/data/.env'

# What the agent sees: the sandbox's command, a script in the workspace.
cat >"$WORKSPACE/agent-view.sh" <<'VIEW'
show() { printf "%-13s %s\n" "$1" "$2"; }
show "PID 1:" "$(tr "\0" " " </proc/1/cmdline)"
show "identity:" "$(id)"
for k in CapEff CapPrm CapInh CapBnd CapAmb NoNewPrivs Seccomp; do
	show "$k:" "$(sed -n "s/^$k:[[:space:]]*//p" /proc/self/status)"
done
show "workdir:" "$(pwd)"
show "workspace:" "$(ls -ld /home/agent/workspace)"
show ".env:" "DEMO_GREETING=${DEMO_GREETING:-<not set>}"
echo "data volume /mnt/agent-data:"
ls -la /mnt/agent-data
VIEW

if [ "$stand_in" -eq 0 ]; then
	say "containai run --force (what the agent sees)"
	"$LAUNCHER" run --force --image "$IMAGE" --name "$NAME" --data-volume "$VOLUME" \
		--workspace "$WORKSPACE" -- /bin/sh /home/agent/workspace/agent-view.sh
else
	say "docker run (what the agent sees)"
	echo "demo: this build's launcher has no 'run' yet; starting the sandbox with the equivalent docker run"
	echo "demo: WARNING: no isolation mode is checked: the sandbox shares this engine's kernel and runtime"
	docker run --rm --pull=never --name "$NAME" \
		-v "$VOLUME:/mnt/agent-data" -v "$WORKSPACE:/home/agent/workspace" \
		-w /home/agent/workspace "$IMAGE" /bin/sh /home/agent/workspace/agent-view.sh
fi
# ---- the session a person works in -------------------------------------
# On the same sandbox: the launcher joins it again.
cai_run() {
	"$LAUNCHER" run --force --image "$IMAGE" --name "$NAME" --data-volume "$VOLUME" \
		--workspace "$WORKSPACE" "$@"
}

if [ "$stand_in" -eq 0 ]; then
	say "an agent answers (--version, as the agent, hardened)"
	cai_run -- sh -c 'found=; for a in claude codex gemini copilot opencode; do
		command -v "$a" >/dev/null || continue; found=1; printf "%-9s %s\n" "$a:" "$("$a" --version 2>&1 | head -n 1)"; done
		[ -n "$found" ] || echo "no agent in this image (AGENTS=none)"'

	say "a login survives the sandbox (written, then containai run --restart)"
	cai_run -- sh -c 'printf "{\"claudeAiOauth\":\"demo\"}\n" >~/.claude/.credentials.json
		echo "~/.claude -> $(readlink ~/.claude)"; ls -l ~/.claude/.credentials.json'
	cai_run --restart -- sh -c 'echo "a new container, the same volume:"; echo "login: $(cat ~/.claude/.credentials.json)"'

	say "the host user's files (containai run by uid ${DEMO_HOST_USER:=${SUDO_UID:-1234}:${SUDO_GID:-1234}})"
	# The engine's socket group lets that user reach the engine, as the
	# docker group would.
	HOST_WS=$(mktemp -d "${TMPDIR:-/tmp}/containai-demo-host-ws.XXXXXX")
	HOST_HOME=$(mktemp -d "${TMPDIR:-/tmp}/containai-demo-host-home.XXXXXX")
	echo "written by the host user" >"$HOST_WS/notes"
	chown -R "$DEMO_HOST_USER" "$HOST_WS" "$HOST_HOME"
	sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
	(cd "$HOST_WS" && setpriv --reuid "${DEMO_HOST_USER%:*}" --regid "${DEMO_HOST_USER#*:}" \
		--groups "$(stat -c %g "${sock#unix://}")" env HOME="$HOST_HOME" XDG_CONFIG_HOME="$HOST_HOME/.config" \
		"$LAUNCHER" run --force --image "$IMAGE" --name "$NAME-host" --data-volume "$VOLUME" \
		-- sh -c 'echo "the agent: $(id)"; echo "edited by the agent" >>notes; echo "made by the agent" >made-by-the-agent')
	echo "on the host:"
	ls -ln "$HOST_WS"
	echo "host-files: made-by-the-agent is $(stat -c '%u:%g' "$HOST_WS/made-by-the-agent"), the host user is $DEMO_HOST_USER"
fi
say "done: container, volume and workspace are removed"
