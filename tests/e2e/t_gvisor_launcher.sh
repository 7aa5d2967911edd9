#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# containai's gVisor mode on real engines started here:
#  - an engine without gVisor: doctor says so and names `containai setup
#    gvisor`; setup writes the engine's own daemon.json (keeping its keys,
#    with a backup, runsc registered with the test machine's
#    --network=host); the engine reloads it (SIGHUP) and doctor reports
#    mode gvisor, proven by a probe container, then remembered;
#  - the real sandbox image, built from this checkout, started through
#    `containai run` without --force: under runsc, containai-init PID 1,
#    gVisor's kernel, the agent's uid, no capabilities, no_new_privs, the
#    seccomp filter (every denied call gets its errno), the workspace
#    writable; re-entry by docker exec; the unsafe opt-ins refused;
#  - the same run by another user: the agent's account moved to that
#    user's ids, its workspace files that user's on the host;
#  - the Kubernetes pod of docs/kubernetes.md as docker runs it under runsc:
#    the capabilities the page names suffice, across two starts; none at
#    all is refused;
#  - an engine whose runtime is at .../runsc but is runc: doctor finds no
#    gVisor, run is refused and creates nothing; setup refuses that runsc.
# Both engines are stopped at the end with their containers removed, and
# no process of theirs may be left.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/engine.sh
. "$(dirname "$0")/engine.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=gvlaunch-e2e
IMG=$P-containai:$$
gvisor_suite_dirs gvisor-engine
# The launcher's own config and probe cache are the suite's.
export XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache
# The sandbox alone on the engine's network: the engines here have no egress
# proxy image.  The proxy is tests/e2e/t_egress.sh's; gVisor mode's egress
# commands are tests/proc/gvisor.sh's.
export CONTAINAI_EGRESS=off

cleanup() {
	side_engine_stop "$E"
	side_engine_stop "$FAKE"
	docker rmi -f "$IMG" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT
# A suite timeout must still stop the engines and remove their netns.
trap 'exit 143' TERM INT

gvisor_suite_image "$IMG" "$T/image.tar" || exit 1
cp "$HELPERS/seccomp_probe" "$WS/seccomp_probe"

# cai ENGINE ARGS...: the launcher against that engine, in the workspace,
# with the suite's image and data volume; OUT, ERR, RC.
cai() {
	local engine=$1
	shift
	(cd "$WS" && DOCKER_HOST=$(side_engine_host "$engine") CONTAINAI_IMAGE=$IMG \
		CONTAINAI_DATA_VOLUME=$P-vol timeout 120 "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# ---- an engine without gVisor, then set up ------------------------------------

if ! side_engine_start "$E" "$P-ns" '{"log-level": "warn", "storage-driver": "overlay2"}'; then
	fail "engine" "did not start"
	exit 1
fi
side_engine_docker "$E" load -i "$T/image.tar" >/dev/null

cai "$E" doctor --json
expect_eq "plain engine: no isolation (doctor exits 1)" "$RC" 1
expect_eq "plain engine: no gVisor runtime" "$(json_field gvisor.runtime) $(json_field gvisor.available)" '"" false'
expect_match "plain engine: the remedy is setup gvisor" "$(json_field recommended_action)" 'sudo containai setup gvisor'

# The network argument is this machine's: gVisor's own network stack cannot
# start here (tests/e2e/engine.sh, GVISOR_TEST_RUNTIME).
cp "$E/daemon.json" "$T/daemon.json.before"
"$LAUNCHER" setup gvisor --daemon-json "$E/daemon.json" --runtime-arg=--network=host >"$T/out" 2>"$T/err"
RC=$?
OUT=$(cat "$T/out")
expect_eq "setup gvisor on the engine's daemon.json" "$RC" 0
expect_match "setup: the engine is left to its operator" "$OUT" 'never restarts or signals a running engine'
expect_eq "setup: the engine's keys kept, runsc added" \
	"$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$E/daemon.json")" \
	'{"log-level": "warn", "runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=host"]}}, "storage-driver": "overlay2"}'
backup=$(ls "$E"/daemon.json.containai-backup-* 2>/dev/null)
expect_eq "setup: the previous file kept beside it" "$(cat "$backup" 2>/dev/null)" "$(cat "$T/daemon.json.before")"

# What setup says to do: the engine reloads its configuration on SIGHUP.
kill -HUP "$(cat "$E/started.pid")"
for _ in $(seq 1 40); do
	side_engine_docker "$E" info --format '{{json .Runtimes.runsc}}' 2>/dev/null | grep -q runsc && break
	sleep 0.25
done
expect_match "the engine lists runsc after its reload" \
	"$(side_engine_docker "$E" info --format '{{json .Runtimes.runsc}}')" '"path":"/usr/bin/runsc"'

cai "$E" doctor --json
expect_eq "gvisor engine: doctor exits 0" "$RC" 0
expect_eq "gvisor engine: mode gvisor" "$(json_field isolation.mode)" '"gvisor"'
expect_eq "gvisor engine: gvisor.available" "$(json_field gvisor.available)" true
expect_eq "gvisor engine: the runtime" "$(json_field gvisor.runtime)" '"runsc"'
expect_match "gvisor engine: proven by gVisor's kernel in a probe" "$(json_field gvisor.reason)" "gVisor's kernel \\(release 4\\.4\\.0"
expect_eq "gvisor engine: proven now, not remembered" "$(json_field gvisor.cached)" false
cai "$E" doctor
expect_match "gvisor engine: then remembered" "$OUT" '\[OK\] gvisor: runtime runsc .* - proven by a probe container [0-9]+s ago'
expect_match "gvisor engine: the text report's mode" "$OUT" '\[OK\] isolation: mode gvisor'
expect_eq "gvisor engine: no probe container left" \
	"$(side_engine_docker "$E" ps -aq --filter label=containai.probe=true)" ""

# ---- the real sandbox image through containai run --------------------------------

cai "$E" run --name "$P-1" -- sh -c 'cat /proc/1/comm; id -u; head -n 1 /proc/version; dmesg | head -n 1; pwd'
expect_eq "run: starts without --force" "$RC" 0
expect_no_match "run: no warning of running without isolation" "$ERR" 'WITHOUT isolation'
expect_eq "run: under runsc" "$(side_engine_docker "$E" inspect --format '{{.HostConfig.Runtime}}' "$(side_engine_sandbox "$E" "$P-1")")" runsc
expect_eq "run: labelled gvisor" \
	"$(side_engine_docker "$E" inspect --format '{{index .Config.Labels "containai.mode"}}' "$(side_engine_sandbox "$E" "$P-1")")" gvisor
expect_eq "run: containai-init is PID 1, the agent's uid" "$(printf '%s\n' "$OUT" | sed -n '1,2p' | tr '\n' ' ')" "containai-init 1000 "
expect_match "run: gVisor's kernel inside (/proc/version)" "$(printf '%s\n' "$OUT" | sed -n 3p)" '^Linux version 4\.4\.0 '
expect_match "run: gVisor's kernel inside (its log)" "$(printf '%s\n' "$OUT" | sed -n 4p)" 'Starting gVisor\.\.\.$'
expect_eq "run: in the workspace" "$(printf '%s\n' "$OUT" | sed -n 5p)" /home/agent/workspace

cai "$E" run --name "$P-2" -- /home/agent/workspace/seccomp_probe state
expect_eq "run: the agent's ids (getresuid)" "$(line uid)" "1000 1000 1000"
expect_eq "run: no effective capabilities (capget)" "$(line eff)" 0000000000000000
expect_eq "run: no permitted capabilities (capget)" "$(line prm)" 0000000000000000
expect_eq "run: an empty bounding set (PR_CAPBSET_READ)" "$(line bnd)" 0000000000000000
expect_eq "run: no_new_privs (PR_GET_NO_NEW_PRIVS)" "$(line nnp)" 1
expect_eq "run: the seccomp filter (PR_GET_SECCOMP)" "$(line seccomp)" 2
cai "$E" run --name "$P-3" -- /home/agent/workspace/seccomp_probe deny
expect_eq "run: every denied call gets EPERM" "$(seccomp_not_eperm "$OUT")" ""
expect_eq "run: clone3 gets ENOSYS" "$(printf '%s\n' "$OUT" | awk '$1 == "clone3" { print $2 }')" 38
cai "$E" run --name "$P-4" -- sh -c 'echo written >/home/agent/workspace/from-gvisor'
expect_eq "run: the workspace is writable by the agent" "$RC $(cat "$WS/from-gvisor" 2>/dev/null)" "0 written"
expect_eq "run: its file is the agent's on the host" "$(stat -c %u "$WS/from-gvisor" 2>/dev/null)" 1000

# Re-entry: a running sandbox is entered with docker exec, under runsc.
cai "$E" run --detach --name "$P-keep" -- sleep 300
expect_eq "detached sandbox started" "$RC" 0
cai "$E" run --name "$P-keep" -- sh -c 'id -u; head -n 1 /proc/version'
expect_eq "re-entry: the agent in the same gVisor sandbox" "$(printf '%s\n' "$OUT" | tr '\n' ' ')" \
	"1000 Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016 "
cai "$E" stop --name "$P-keep"
expect_eq "stop" "$RC $(side_engine_docker "$E" inspect --format '{{.State.Running}}' "$(side_engine_sandbox "$E" "$P-keep")")" "0 false"

cai "$E" run --dry-run --name "$P-dry" -- true
expect_match "dry run: the sandbox created under runsc" "$OUT" " run -d --name $P-dry-[0-9a-f]{8} --runtime=runsc --pull=never "
before=$(side_engine_docker "$E" ps -aq | sort | tr '\n' ' ')
cai "$E" run --name "$P-sock" --allow-host-docker-socket --i-understand-this-grants-root-access -- true
expect_eq "the host socket: refused in gvisor mode" "$RC" 1
expect_match "the host socket: ECI only" "$ERR" 'only available in ECI mode \(the mode here is gvisor\)'
cai "$E" run --name "$P-cred" --allow-host-credentials --i-understand-this-exposes-host-credentials -- true
expect_eq "host credentials: refused in gvisor mode" "$RC" 1
expect_eq "refused opt-ins created nothing" "$(side_engine_docker "$E" ps -aq | sort | tr '\n' ' ')" "$before"

# ---- the host user's files under gVisor ------------------------------------------
# gVisor's kernel maps no ids: the agent's account is moved to the ids of
# whoever runs containai, as in mode none.  (The launcher is run as uid
# 1234 with the engine socket's group, as a member of the docker group
# would run it; its config and probe cache are that user's.)
host_user_dirs
(cd "$HWS" && setpriv --reuid 1234 --regid 1235 --groups "$(stat -c %g "$E/docker.sock")" env HOME="$HHOME" \
	XDG_CONFIG_HOME="$HHOME/.config" XDG_CACHE_HOME="$HHOME/.cache" DOCKER_HOST="$(side_engine_host "$E")" \
	CONTAINAI_IMAGE="$IMG" CONTAINAI_DATA_VOLUME="$P-hostvol" timeout 180 "$LAUNCHER" run --name "$P-host" \
	-- sh -c 'id -u; id -g; echo theirs >>notes; echo new >made; head -n 1 /proc/version' </dev/null >"$T/out" 2>"$T/err")
RC=$?
OUT=$(cat "$T/out")
expect_eq "host user: run under runsc by uid 1234, without --force" "$RC" 0
[ "$RC" -eq 0 ] || sed 's/^/    /' "$T/err"
expect_eq "host user: the agent runs as the host user under runsc" "$(sed -n 1,2p <<<"$OUT" | tr '\n' ' ')" "1234 1235 "
expect_match "host user: on gVisor's kernel" "$(sed -n 3p <<<"$OUT")" '^Linux version 4\.4\.0 '
expect_eq "host user: a file the host user owns is edited" "$(cat "$HWS/notes")" "$(printf 'mine\ntheirs')"
expect_eq "host user: the agent's workspace file is the host user's" "$(stat -c '%u:%g' "$HWS/made" 2>&1)" 1234:1235
expect_eq "host user: the sandbox was made for 1234:1235" \
	"$(side_engine_docker "$E" inspect -f '{{range .Config.Env}}{{println .}}{{end}}' \
		"$(side_engine_sandbox "$E" "$P-host")" | grep '^CONTAINAI_HOST_USER=')" CONTAINAI_HOST_USER=1234:1235

# ---- the Kubernetes pod of docs/kubernetes.md, as docker runs it ---------------

# Its capabilities as the page writes them, everything else as the pod
# spec says: all others dropped, no_new_privs, root for containai-init,
# the two volumes, the sandbox as PID 1, processes entering by --join.
caps=$(sed -n 's/^ *add: \[\(.*\)\]$/\1/p' "$CAI_ROOT/docs/kubernetes.md" | tr -d ' ' | tr ',' ' ')
expect_match "kubernetes.md names the pod's capabilities" "$caps" '^[A-Z_]+( [A-Z_]+)+$'
pod() {
	local name=$1 args=() c
	shift
	for c in "$@"; do args+=(--cap-add "$c"); done
	side_engine_docker "$E" run -d --name "$name" --runtime=runsc --cap-drop ALL "${args[@]}" \
		--security-opt no-new-privileges -u 0:0 -v "$P-podvol-$name:/mnt/agent-data" \
		-v "$WS:/home/agent/workspace" --entrypoint /usr/sbin/containai-init "$IMG" --sandbox >/dev/null
}
join() {
	side_engine_docker "$E" exec -u 0:0 "$1" /usr/sbin/containai-init --join --wait 60 -- sh -c "$2" 2>&1
}
# shellcheck disable=SC2086 # one capability a word
pod "$P-pod" $caps
expect_eq "kubernetes pod: the agent, without capabilities, on gVisor's kernel" \
	"$(join "$P-pod" 'id -u; grep CapEff /proc/self/status; head -c 20 /proc/version' | tr -s '\t\n' '  ')" \
	"1000 CapEff: 0000000000000000 Linux version 4.4.0 "
# A mode the manifest does not want, on a file the agent owns: the next
# start puts it right (FOWNER), as every start after the first does.
join "$P-pod" 'echo {} >/mnt/agent-data/claude/settings.json; chmod 0600 /mnt/agent-data/claude/settings.json' >/dev/null
side_engine_docker "$E" restart -t 10 "$P-pod" >/dev/null
expect_eq "kubernetes pod: started again on the same volume" \
	"$(join "$P-pod" 'id -u; find /mnt/agent-data/claude/settings.json -printf %m' | tr '\n' ' ')" "1000 644"
pod "$P-nocaps"
for _ in $(seq 1 60); do
	[ "$(side_engine_docker "$E" inspect --format '{{.State.Status}}' "$P-nocaps")" = exited ] && break
	sleep 0.5
done
expect_eq "no capability at all: containai-init refuses (125)" \
	"$(side_engine_docker "$E" inspect --format '{{.State.ExitCode}}' "$P-nocaps")" 125
expect_match "no capability at all: says which one it lacks" "$(side_engine_docker "$E" logs "$P-nocaps" 2>&1)" \
	'containai-init: error: .*(CAP_|cap_|bounding set)'

if side_engine_stop "$E"; then
	pass "gvisor engine: stopped, no runsc-sandbox or runsc-gofer left"
else
	fail "gvisor engine: stopped, no runsc-sandbox or runsc-gofer left" "processes were left behind"
fi

# ---- a runtime at .../runsc that is runc ---------------------------------------------

mkdir -p "$T/fakebin"
ln -s "$(command -v runc)" "$T/fakebin/runsc"
"$LAUNCHER" setup gvisor --dry-run --daemon-json "$T/fake.json" --runsc "$T/fakebin/runsc" >"$T/out" 2>"$T/err"
expect_eq "setup: a runc named runsc is refused" "$?" 1
expect_match "setup: says why" "$(cat "$T/err")" 'does not answer as runsc'

if ! side_engine_start "$FAKE" "$P-fake-ns" "{\"runtimes\": {\"runsc\": {\"path\": \"$T/fakebin/runsc\"}}}"; then
	fail "fake engine" "did not start"
	exit 1
fi
side_engine_docker "$FAKE" load -i "$T/image.tar" >/dev/null
cai "$FAKE" doctor --json
expect_eq "runc at .../runsc: doctor exits 1" "$RC" 1
expect_eq "runc at .../runsc: mode none" "$(json_field isolation.mode)" '"none"'
expect_eq "runc at .../runsc: a candidate, probed and refused" \
	"$(json_field gvisor.runtime) $(json_field gvisor.state) $(json_field gvisor.available)" '"runsc" "no" false'
expect_match "runc at .../runsc: the probe saw the host's kernel" "$(json_field gvisor.reason)" "the container runs the host's kernel"
cai "$FAKE" run --name "$P-fake" -- true
expect_eq "runc at .../runsc: run refused" "$RC" 1
expect_eq "runc at .../runsc: nothing created" "$(side_engine_docker "$FAKE" ps -aq)" ""
# Nothing about the other engine's proof carries over.
expect_eq "runc at .../runsc: no verdict remembered for it" "$(cai "$FAKE" doctor --json; json_field gvisor.cached)" false
if side_engine_stop "$FAKE"; then
	pass "fake engine: stopped, nothing left"
else
	fail "fake engine: stopped, nothing left" "processes were left behind"
fi
