#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai against real engines:
#  - the plain local engine (runc): mode none, run refused and nothing
#    created, run --force starts a real sandbox with containai-init as PID 1;
#  - a second engine started here with userns-remap and a runtime named
#    sysbox-runc (really runc), registered as a docker context: mode
#    sysbox, and a sandbox starts under it with root remapped - the test
#    image, and the real sandbox image with its agent's hardened view;
#  - the same runtime name without userns-remap: refused.
# Everything created carries the prefix "launcher-" and is removed again.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/engine.sh
. "$(dirname "$0")/engine.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

# Overridable so that two checkouts can run the suite on one engine.
P=${CAI_LAUNCHER_E2E_PREFIX:-launcher-e2e}
# The launcher on each engine with the sandbox alone on its network: the
# egress proxy and network, with it, are e2e/t_egress's.
export CONTAINAI_EGRESS=off
: "${CAI_TEST_IMAGE:=launcher-test:scratch}"
SCRATCH_IMAGE=$CAI_TEST_IMAGE
# The test image with the shipped policy: joined processes are the agent.
HARD=$P-hard:latest
T=$(scratch_dir)
# The remapped engine's root (uid 100000) must be able to traverse it.
chmod 0711 "$T"
WS=$T/workspace
mkdir -p "$WS"
echo "from the host" >"$WS/hello.txt"
NS=$P-ns
E2=$T/engine2
E2SOCK=$(side_engine_host "$E2")
export DOCKER_CONFIG=$T/docker-config
mkdir -p "$DOCKER_CONFIG"

# ctr NAME [DOCKER-ARGS...]: the container of the sandbox `--name NAME`
# made for this workspace (NAME-HASH, HASH from the workspace's path).
ctr() {
	local n=$1
	shift
	docker "$@" ps -aq --filter "name=^$n-[0-9a-f]{8}\$"
}

cleanup() {
	docker ps -aq --filter "name=^$P-(none|force|foreign)-" | xargs -r docker rm -f >/dev/null 2>&1
	docker volume rm "$P-vol" >/dev/null 2>&1
	engine2_stop
	docker image rm "$CAI_TEST_IMAGE" "$HARD" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT
# A suite timeout must still stop the second engine and remove its netns.
trap 'exit 143' TERM INT

# cai ARGS...: the launcher, against the test image; sets OUT, ERR, RC.
cai() {
	(cd "$WS" && CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE timeout 120 "$LAUNCHER" "$@" \
		</dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# ---- the second engine ------------------------------------------------------

# engine2_start REMAP: a second dockerd (tests/e2e/engine.sh), with or
# without userns-remap, always with a runtime named sysbox-runc that is
# really runc.
engine2_start() {
	local runtimes='"runtimes": {"sysbox-runc": {"path": "runc"}}'
	if [ "$1" = yes ]; then
		side_engine_start "$E2" "$NS" "{\"userns-remap\": \"default\", $runtimes}"
	else
		side_engine_start "$E2" "$NS" "{$runtimes}"
	fi
}

engine2_stop() {
	side_engine_stop "$E2" || fail "engine 2 stopped" "processes of the engine were left behind"
}

engine2_load_image() {
	docker save "$CAI_TEST_IMAGE" | docker -H "$E2SOCK" load >/dev/null
}

# ---- the plain local engine --------------------------------------------------

if ! ensure_scratch_image || ! ensure_hardened_image "$HARD"; then
	fail "test image" "could not build $CAI_TEST_IMAGE and $HARD"
	exit 1
fi
docker ps -aq --filter "name=^$P-(none|force|foreign)-" | xargs -r docker rm -f >/dev/null 2>&1

cai doctor --json
expect_eq "local engine: doctor exits 1" "$RC" 1
expect_eq "local engine: mode none" "$(json_field isolation.mode)" '"none"'
expect_eq "local engine: daemon answers" "$(json_field docker.daemon)" true
expect_eq "local engine: no sysbox runtime" "$(json_field sysbox.available)" false

cai run --image "$HARD" --name "$P-none" --data-volume "$P-vol" -- true
expect_eq "local engine: run refused" "$RC" 1
expect_match "local engine: refusal names doctor and --force" "$ERR" 'containai doctor.*--force'
expect_eq "local engine: refused run created no container" \
	"$(ctr "$P-none")" ""

CONTAINAI_REQUIRE_ISOLATION=1 cai run --force --image "$HARD" --name "$P-none" \
	--data-volume "$P-vol" -- true
expect_eq "local engine: strict mode ignores --force" "$RC" 1
expect_eq "local engine: strict refusal created no container" \
	"$(ctr "$P-none")" ""

cai run --force --detach --image "$HARD" --name "$P-force" --data-volume "$P-vol" \
	-- sleep 300
expect_eq "local engine: run --force starts" "$RC" 0
expect_match "local engine: --force warns" "$ERR" 'WITHOUT isolation'
FORCE=$(ctr "$P-force")
pid1=$(docker exec "$FORCE" cat /proc/1/comm 2>/dev/null)
expect_eq "local engine: containai-init is PID 1" "$pid1" containai-init
expect_eq "local engine: workspace mounted" \
	"$(docker exec "$FORCE" cat /home/agent/workspace/hello.txt 2>/dev/null)" "from the host"
expect_eq "local engine: working directory" \
	"$(docker inspect --format '{{.Config.WorkingDir}}' "$FORCE")" /home/agent/workspace
expect_eq "local engine: data volume" \
	"$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/mnt/agent-data"}}{{.Name}}{{end}}{{end}}' "$FORCE")" \
	"$P-vol"
expect_eq "local engine: labelled as ours" \
	"$(docker inspect --format '{{index .Config.Labels "containai.workspace"}}' "$FORCE")" "$WS"
expect_eq "local engine: no docker socket mounted" \
	"$(docker inspect --format '{{range .Mounts}}{{.Source}} {{end}}' "$FORCE" | grep -c 'docker.sock')" 0

# The workspace is the directory the launcher checked: containai-init
# compares the device and inode it was given with the bind mount it finds
# (the same superblock, so the same numbers inside the container).
expect_eq "local engine: the workspace's identity is passed on" \
	"$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$FORCE" | grep '^CONTAINAI_WORKSPACE=')" \
	"CONTAINAI_WORKSPACE=$(stat -c '%Hd:%Ld:%i' "$WS"):$WS"
printf '[workspace]\nlink = /home/agent/workspace\nrequired = true\n' >"$T/ws.ini"
# ws_init ID [DOCKER-ARGS...]: containai-init told ID for $WS, bound at
# the link; prints hello.txt as seen there.
ws_init() {
	local id=$1
	shift
	docker "$@" run --rm --pull=never -v "$T/ws.ini:/etc/ws.ini:ro" -v "$WS:/home/agent/workspace" \
		-e "CONTAINAI_WORKSPACE=$id:$WS" --entrypoint /usr/sbin/containai-init "$CAI_TEST_IMAGE" \
		-c /etc/ws.ini -- cat hello.txt 2>"$T/ws-err"
}
expect_eq "local engine: the checked workspace is accepted inside" "$(ws_init "$(stat -c '%Hd:%Ld:%i' "$WS")")" \
	"from the host"
mkdir -p "$T/other-dir"
ws_init "$(stat -c '%Hd:%Ld:%i' "$T/other-dir")" >/dev/null
expect_eq "local engine: another directory at the workspace's place is refused (125)" "$?" 125
expect_match "local engine: containai-init says why" "$(cat "$T/ws-err")" 'is not the directory the launcher checked'

cai run --force --image "$HARD" --name "$P-force" --data-volume "$P-vol" -- id -u
expect_eq "local engine: re-entering a running sandbox joins as the agent" "$OUT" 1000
cai run --force --image "$HARD" --name "$P-force" --data-volume "$P-vol" -- grep NoNewPrivs /proc/self/status
expect_match "local engine: a re-entered process cannot gain privileges" "$OUT" 'NoNewPrivs:[[:space:]]+1'
cai run --force --image other:none --name "$P-force" --data-volume "$P-vol" -- true
expect_match "local engine: re-entry with another image refused" "$ERR" 'runs image .*--restart'

# --env values reach the sandbox, and never the process list (where
# every user of the host could read them): docker gets them on a pipe.
SECRET=envsecret-$$-value
cai run --force --image "$HARD" --name "$P-force" --data-volume "$P-vol" \
	--env "CAI_SECRET=$SECRET" -- sh -c 'echo "$CAI_SECRET" >/tmp/seen; sleep 3' &
envpid=$!
sleep 1.5
# (The test's own `timeout` wrapper carries it, as the user's shell would:
# what must not is the docker CLI the launcher became.)
dockers=$(pgrep -x docker | tr '\n' ' ')
leaked=
for pid in $dockers; do
	grep -q -a -- "$SECRET" "/proc/$pid/cmdline" 2>/dev/null && leaked="$leaked $pid"
done
wait "$envpid"
expect_match "local engine: the launcher became a docker CLI process" "$dockers" '[0-9]'
expect_eq "local engine: an --env value is in no docker command line" "$leaked" ""
expect_eq "local engine: an --env value reaches the sandbox" \
	"$(docker exec "$FORCE" cat /tmp/seen 2>/dev/null)" "$SECRET"

cai stop --name "$P-force"
expect_eq "local engine: stop" "$RC" 0
expect_eq "local engine: stopped" "$(docker inspect --format '{{.State.Running}}' "$FORCE")" false
cai run --force --detach --image "$HARD" --name "$P-force" --data-volume "$P-vol"
expect_eq "local engine: a stopped sandbox is started again" \
	"$(docker inspect --format '{{.State.Running}}' "$FORCE")" true
docker rm -f "$FORCE" >/dev/null

# The name this workspace's `--name $P-foreign` stands for, held by a
# container someone else created.
cai run --force --dry-run --image "$HARD" --name "$P-foreign" -- true
FOREIGN=$(sed -n 's/.* run -d --name \([^ ]*\) .*/\1/p' <<<"$OUT")
docker create --name "$FOREIGN" "$CAI_TEST_IMAGE" true >/dev/null
cai run --force --image "$HARD" --name "$P-foreign" --data-volume "$P-vol" -- true
expect_eq "local engine: a foreign container's name is an error" "$RC" 3
expect_match "local engine: says whose name it is" "$ERR" 'not create'
cai stop --name "$P-foreign"
expect_match "local engine: stop refuses a foreign container" "$ERR" 'not a container containai created'
docker rm -f "$FOREIGN" >/dev/null

# ---- a second engine: userns-remap + a runtime named sysbox-runc -------------

if ! engine2_start yes; then
	fail "engine 2" "the userns-remapped engine did not start"
	exit 1
fi
docker context create "$P-sysbox" --docker "host=$E2SOCK" >/dev/null 2>&1
engine2_load_image

cai doctor --json --context "$P-sysbox"
expect_eq "remapped engine: doctor exits 0" "$RC" 0
expect_eq "remapped engine: mode sysbox" "$(json_field isolation.mode)" '"sysbox"'
expect_eq "remapped engine: uid remap seen" "$(json_field sysbox.uid_remap)" true
DOCKER_CONTEXT=$P-sysbox cai doctor --json
expect_eq "remapped engine: DOCKER_CONTEXT honoured" "$(json_field isolation.mode)" '"sysbox"'
DOCKER_HOST=$E2SOCK cai doctor --json
expect_eq "remapped engine: DOCKER_HOST honoured" "$(json_field isolation.mode)" '"sysbox"'

cai run --dry-run --context "$P-sysbox" --image "$CAI_TEST_IMAGE" --name "$P-sysbox" \
	--data-volume "$P-vol" -- sleep 300
expect_match "remapped engine: dry run prints the sysbox command" "$OUT" \
	"^docker --context $P-sysbox run -d --name $P-sysbox-[0-9a-f]{8} --runtime=sysbox-runc "
expect_eq "remapped engine: dry run created nothing" "$(ctr "$P-sysbox" -H "$E2SOCK")" ""

cai run --detach --context "$P-sysbox" --image "$CAI_TEST_IMAGE" --name "$P-sysbox" \
	--data-volume "$P-vol" -- sleep 300
expect_eq "remapped engine: run starts without --force" "$RC" 0
SYSBOX=$(ctr "$P-sysbox" -H "$E2SOCK")
expect_eq "remapped engine: runtime" \
	"$(docker -H "$E2SOCK" inspect --format '{{.HostConfig.Runtime}}' "$SYSBOX")" sysbox-runc
expect_eq "remapped engine: containai-init is PID 1" \
	"$(docker -H "$E2SOCK" exec "$SYSBOX" cat /proc/1/comm 2>/dev/null)" containai-init
expect_match "remapped engine: root inside is uid 100000 outside" \
	"$(docker -H "$E2SOCK" exec "$SYSBOX" cat /proc/self/uid_map 2>/dev/null)" '^ *0 +100000 +65536'
hostpid=$(docker -H "$E2SOCK" inspect --format '{{.State.Pid}}' "$SYSBOX")
expect_eq "remapped engine: PID 1 runs as host uid 100000" \
	"$(ps -o uid= -p "$hostpid" 2>/dev/null | tr -d ' ')" 100000
# In a user namespace too, a bind mount keeps its device and inode.
expect_eq "remapped engine: the checked workspace is accepted inside" \
	"$(ws_init "$(stat -c '%Hd:%Ld:%i' "$WS")" -H "$E2SOCK")" "from the host"
ws_init "$(stat -c '%Hd:%Ld:%i' "$T/other-dir")" -H "$E2SOCK" >/dev/null
expect_eq "remapped engine: another directory at the workspace's place is refused (125)" "$?" 125
expect_eq "remapped engine: the local engine got nothing" \
	"$(ctr "$P-sysbox")" ""

# The real sandbox image, started through the launcher on the remapped
# engine: containai-init prepares the volume and hardens the agent inside a
# user namespace too.
REAL=$P-real:latest
# Built from this source every time (the build cache keeps it quick): an
# image left by an older build would test an older containai-init.
if build_sandbox_image containai:latest all >"$T/real-build.log" 2>&1; then
	docker tag containai:latest "$REAL"
	docker save "$REAL" | docker -H "$E2SOCK" load >/dev/null
	docker rmi "$REAL" >/dev/null
	cai run --context "$P-sysbox" --image "$REAL" --name "$P-real" --data-volume "$P-realvol" -- \
		sh -c 'id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; stat -c "%u %a" /mnt/agent-data/claude/.credentials.json'
	expect_eq "remapped engine, real image: runs through the launcher" "$RC" 0
	expect_eq "remapped engine, real image: the agent's view" "$(printf '%s\n' "$OUT" | tr -s ' \t' ' ')" \
		"$(printf '1000\nCapEff: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2\n1000 600')"
	ctr "$P-real" -H "$E2SOCK" | xargs -r docker -H "$E2SOCK" rm -f >/dev/null 2>&1
else
	fail "remapped engine, real image" "containai:latest could not be built: $(tail -n 3 "$T/real-build.log")"
fi
engine2_stop

# ---- the same runtime name without userns-remap -------------------------------

if ! engine2_start no; then
	fail "engine 3" "the engine without userns-remap did not start"
	exit 1
fi
engine2_load_image
cai doctor --json --context "$P-sysbox"
expect_eq "named-only runtime: doctor exits 1" "$RC" 1
expect_eq "named-only runtime: mode none" "$(json_field isolation.mode)" '"none"'
expect_eq "named-only runtime: runtime listed" "$(json_field sysbox.available)" true
expect_eq "named-only runtime: no uid remap" "$(json_field sysbox.uid_remap)" false
cai run --context "$P-sysbox" --image "$CAI_TEST_IMAGE" --name "$P-sysbox2" --data-volume "$P-vol" -- true
expect_eq "named-only runtime: run refused" "$RC" 1
expect_eq "named-only runtime: nothing created" \
	"$(ctr "$P-sysbox2" -H "$E2SOCK")" ""
engine2_stop
docker context rm -f "$P-sysbox" >/dev/null 2>&1
