#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo`: the main job on this machine, end to end.
#   engine up -> sandbox image -> `containai doctor` -> a sandbox started with
#   `containai run --force` whose command prints what the agent sees.
# Everything it creates (container, volume, workspace, an engine it started)
# is removed again on exit.
#   IMAGE        image to build and run (default containai:latest)
#   DEMO_PREFIX  prefix of the container and volume names (default containai-demo)
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
WORKSPACE=

say() { printf '\n== %s\n' "$*"; }

cleanup() {
	docker rm -f "$NAME" >/dev/null 2>&1 || true
	# The launcher's sandbox is NAME-HASH (HASH from the workspace's path).
	[ -z "$WORKSPACE" ] || docker ps -aq --filter "label=containai.workspace=$WORKSPACE" |
		xargs -r docker rm -f >/dev/null 2>&1 || true
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
say "done: container, volume and workspace are removed"
