#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# the messages checked quote commands in backticks
# containai's gVisor mode against fake docker, runsc, apt-get and dockerd
# CLIs (tests/fakes) answering from recorded outputs:
#  - detection: a runtime whose binary is runsc AND a probe showing gVisor's
#    kernel; a runtime at .../runsc that is runc, one named runsc calling
#    runc, and a failing probe are not isolation; the order after sysbox and
#    the preference; the probe cache (kept for exactly that engine, never
#    from inside the workspace, never past its time); run's command and
#    its refusals;
#  - `containai setup gvisor` on daemon.json files of its own: every key
#    kept, the backup, dry run, refusals that change nothing.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

FAKES=$CAI_ROOT/tests/fakes
FX=$CAI_ROOT/tests/fixtures/launcher
T=$(scratch_dir)
HOMEDIR=$T/home
WS=$T/work/project
CACHE=$T/cache
mkdir -p "$HOMEDIR" "$WS"
LOG=$T/calls.log

# A PATH of fakes: docker and git always, runsc/apt-get/dockerd as asked.
# APTBIN is where the fake apt-get "installs" runsc.
APTBIN=$T/apt-bin
bin_with() {
	local d t
	d=$T/bin-$(IFS=-; echo "$*")
	if [ ! -d "$d" ]; then
		mkdir -p "$d"
		ln -s "$(command -v git)" "$d/git"
		for t in docker "$@"; do ln -s "$FAKES/$t" "$d/$t"; done
	fi
	printf '%s:%s' "$d" "$APTBIN"
}

# cai SCENARIO [VAR=VALUE...] -- ARGS...: the launcher against the fakes in
# a clean environment (the probe cache in $CACHE); OUT, ERR, RC.
# CONTAINAI_EGRESS=off unless a test says otherwise: the fake CLI answers the
# sandbox's own calls; "run: with egress" below has the proxy's, and the
# proxy itself is tested on a real engine (tests/e2e/t_egress.sh).
cai() {
	local sc=$1 vars=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	: >"$LOG"
	(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$(bin_with)" XDG_CONFIG_HOME="$T/xdg" \
		XDG_CACHE_HOME="$CACHE" CAI_FAKE_FIXTURES="$FX" CAI_FAKE_SCENARIO="$sc" \
		CAI_FAKE_LOG="$LOG" CAI_FAKE_WS="$WS" CAI_FAKE_APT_BIN="$APTBIN" CONTAINAI_EGRESS=off "${vars[@]}" \
		"$LAUNCHER" "$@" >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# How many gVisor probes the last call ran.
probes() { grep -c -- '--label containai\.probe=true --entrypoint sh ' "$LOG"; }
# The docker calls of the last call that are not probes.
sandbox_calls() { grep -v -e 'containai.probe=true' "$LOG"; }

# ---- detection ----------------------------------------------------------------

# mode NAME SCENARIO MODE DOCTOR_RC [VAR=VALUE...]: doctor's verdict on a
# fresh cache, and a plain run refused with nothing created when MODE is none.
mode() {
	local name=$1 sc=$2 want=$3 want_rc=$4
	shift 4
	rm -rf "$CACHE"
	cai "$sc" "$@" -- doctor --json
	expect_eq "$name: doctor exit status" "$RC" "$want_rc"
	expect_eq "$name: isolation.mode" "$(json_field isolation.mode)" "\"$want\""
	if [ "$want" = none ]; then
		cai "$sc" "$@" -- run -- true
		expect_eq "$name: run refused" "$RC" 1
		expect_no_match "$name: no sandbox created" "$(sandbox_calls)" ' (run|start|exec|create) '
	fi
}

mode "gvisor" gvisor gvisor 0
mode "gvisor and sysbox: sysbox first" gvisor-sysbox sysbox 0
mode "gvisor and sysbox, gvisor preferred (environment)" gvisor-sysbox gvisor 0 CONTAINAI_PREFER=gvisor
mode "a runtime at .../runsc that is runc" gvisor-runc none 1
mode "a runtime named runsc calling runc" gvisor-named none 1
mode "gvisor probe fails" gvisor-probe-fails none 1
mode "gvisor preferred where it is not usable" gvisor-runc none 1 CONTAINAI_PREFER=gvisor

rm -rf "$CACHE"
cai gvisor -- doctor --json
expect_eq "gvisor: gvisor.available" "$(json_field gvisor.available)" true
expect_eq "gvisor: gvisor.runtime" "$(json_field gvisor.runtime)" '"runsc"'
expect_eq "gvisor: gvisor.state" "$(json_field gvisor.state)" '"yes"'
expect_eq "gvisor: proven by its own probe" "$(json_field gvisor.cached)" false
expect_match "gvisor: the reason names gVisor's kernel" "$(json_field gvisor.reason)" "gVisor's kernel \\(release 4\\.4\\.0"
expect_eq "gvisor: one probe" "$(probes)" 1
expect_match "gvisor: the probe runs under runsc with no network, never pulling" "$(grep -- '--runtime=runsc' "$LOG")" \
	'run --rm --pull=never --network=none --runtime=runsc --label containai\.probe=true --entrypoint sh containai:latest -c '

# The proof is remembered for this engine, runtime entry and kernel.
cai gvisor -- doctor
expect_eq "cache: a second doctor starts no probe" "$(probes)" 0
expect_match "cache: doctor says the verdict is remembered" "$OUT" '\[OK\] gvisor: runtime runsc \(/usr/bin/runsc\): .* - proven by a probe container [0-9]+s ago'
cai gvisor -- run --dry-run -- true
expect_eq "cache: run starts no probe" "$(probes)" 0
cai gvisor CAI_FAKE_KERNEL=6.19.0 -- doctor --json
expect_eq "cache: another engine kernel probes again" "$(probes)" 1
cai gvisor-sysbox CONTAINAI_PREFER=gvisor -- doctor --json
expect_eq "cache: another runtime entry probes again" "$(probes)" 1
cai gvisor -- doctor --json
expect_eq "cache: the entry is for one engine state at a time" "$(probes)" 1
sed -i "s/^at .*/at $(( $(date +%s) - 601 ))/" "$CACHE/containai/gvisor-verdict"
cai gvisor -- doctor --json
expect_eq "cache: older than ten minutes probes again" "$(probes)" 1
chmod 0666 "$CACHE/containai/gvisor-verdict"
cai gvisor -- doctor --json
expect_eq "cache: a file others can write is not believed" "$(probes)" 1
rm -rf "$CACHE"
cai gvisor-probe-fails -- doctor --json
expect_eq "cache: a failed probe is not remembered" "$(ls "$CACHE/containai" 2>/dev/null)" ""
# Where the sandbox could write the cache, there is none.
for _ in 1 2; do
	cai gvisor "XDG_CACHE_HOME=$WS/.cache" -- doctor --json
done
expect_eq "cache: never kept inside the workspace" "$(probes) $(ls -A "$WS")" "1 "

# What doctor says when gVisor is not there, and the remedy.
rm -rf "$CACHE"
cai gvisor-runc -- doctor
expect_match "runc named runsc: reported as not gVisor" "$OUT" \
	"\\[ERROR\\] gvisor: runtime runsc \\(/opt/fake/runsc\\) is not gVisor: the container runs the host's kernel"
expect_match "runc named runsc: the remedy" "$OUT" 'register the real runsc'
cai gvisor-named -- doctor --json
expect_eq "named-only runsc: no probe" "$(probes)" 0
expect_match "named-only runsc: says which binary the name calls" "$(json_field gvisor.reason)" "the one named runsc calls 'runc'"
cai linux -- doctor --json
expect_match "no runsc anywhere: the remedy is setup gvisor" "$(json_field recommended_action)" 'sudo containai setup gvisor.*installs runsc'
expect_eq "no runsc anywhere: runsc_installed" "$(json_field gvisor.runsc_installed)" false
cai linux PATH="$(bin_with runsc)" -- doctor --json
expect_match "runsc installed, not registered: the remedy" "$(json_field recommended_action)" 'installed but not registered.*sudo containai setup gvisor'
cai gvisor-probe-fails -- doctor
expect_match "failing probe: cannot tell, with docker's reason" "$OUT" '\[ERROR\] gvisor: cannot tell: .*OCI runtime create failed'

# ---- run ------------------------------------------------------------------------

rm -rf "$CACHE"
cai gvisor -- run --dry-run -- true
expect_match "run: creates the sandbox under the proven runtime, labelled gvisor, the workspace bound, named by its path alone" "$OUT" \
	"^docker --context default run -d --name containai-project-[0-9a-f]+ --runtime=runsc --pull=never .*--label containai\\.mode=gvisor --label containai\\.egress=off --security-opt no-new-privileges .*type=bind,source=$WS,target=/home/agent/workspace -w /home/agent/workspace -e CONTAINAI_WORKSPACE=$WS -e CONTAINAI_HOST_USER=$(id -u):$(id -g) --entrypoint .*--sandbox\$"
expect_no_match "run: the join is not told the host user's ids" "$(sed -n 2p <<<"$OUT")" 'CONTAINAI_HOST_USER'
cai gvisor CAI_FAKE_EXISTING=ours-running CAI_FAKE_HOST_USER=4321:4321 -- run --dry-run
expect_match "run: a sandbox made for another host user is not re-entered" "$ERR" \
	"made for host user '4321:4321', not '$(id -u):$(id -g)'.*--restart"
cai gvisor CAI_FAKE_EXISTING=ours-stopped CAI_FAKE_STATE="$T" -- run -- id -u
expect_eq "run: starts without --force" "$RC" 0
expect_eq "run: starts the stopped sandbox, then joins it" \
	"$(sandbox_calls | grep -Eo ' (start|exec -i -u 0:0) [0-9a-f]{64}|--join' | tr '\n' ' ')" \
	" start 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef --join "
cai gvisor CAI_FAKE_EXISTING=ours-running -- run -- id -u
expect_match "run: joins a running sandbox under runsc" "$(sandbox_calls)" ' exec -i -u 0:0 -w /home/agent/workspace [0-9a-f]{64} /usr/sbin/containai-init --join '
cai gvisor CAI_FAKE_EXISTING=ours-runc -- run -- id -u
expect_eq "run: a sandbox under runc is not re-entered" "$RC" 3
expect_match "run: says which runtime it has" "$ERR" "runtime 'runc', not runsc"
# With egress, as in the other docker modes: the internal network and the
# proxy, the sandbox under runsc on that network alone, the proxy joining it;
# a kept sandbox is entered through the proxy's address.
cai gvisor CONTAINAI_EGRESS=balanced -- run --dry-run -- true
expect_eq "run: with egress, status" "$RC" 0
expect_match "run: with egress, the internal network first" "$(sed -n 1p <<<"$OUT")" \
	'^docker --context default network create --internal .* (containai-project-[0-9a-f]+)-egress$'
expect_match "run: with egress, the proxy on its way out" "$(sed -n 2p <<<"$OUT")" \
	'^docker --context default run -d --name containai-project-[0-9a-f]+-egress .*--network bridge --user proxy --cap-drop ALL '
expect_match "run: with egress, the sandbox under runsc on the egress network with the dead resolver" "$(sed -n 3p <<<"$OUT")" \
	"^docker --context default run -d --name (containai-project-[0-9a-f]+) --runtime=runsc .*--label containai\\.mode=gvisor --label containai\\.egress=balanced .*--network \\1-egress --dns 192\\.0\\.2\\.1 -e CONTAINAI_WORKSPACE=$WS "
expect_match "run: with egress, the proxy joins the network" "$(sed -n 4p <<<"$OUT")" \
	'^docker --context default network connect (containai-project-[0-9a-f]+-egress) \1$'
cai gvisor CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced CAI_FAKE_EGRESS=ours-running \
	CAI_FAKE_NETWORK=ours CONTAINAI_EGRESS=balanced -- run -- id -u
expect_eq "run: with egress, a kept gVisor sandbox is re-entered" "$RC" 0
expect_match "run: with egress, joined through the proxy's address" "$(sandbox_calls)" \
	' exec -i -u 0:0 -w /home/agent/workspace -e HTTP_PROXY=http://172\.30\.0\.2:3128 .* [0-9a-f]{64} /usr/sbin/containai-init --join '
cai gvisor CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=off CONTAINAI_EGRESS=balanced -- run -- id -u
expect_eq "run: a gVisor sandbox made without egress is not re-entered with it" "$RC" 3
expect_match "run: says its policy" "$ERR" 'egress policy is off, not balanced; use --restart'
cai gvisor -- run --allow-host-docker-socket --i-understand-this-grants-root-access -- true
expect_eq "run: host socket refused in gvisor mode" "$RC" 1
expect_match "run: says it is ECI only" "$ERR" 'only available in ECI mode \(the mode here is gvisor\)'
cai gvisor -- run --allow-host-credentials --i-understand-this-exposes-host-credentials -- true
expect_eq "run: host credentials refused in gvisor mode" "$RC" 1
expect_no_match "run: a refused opt-in created nothing" "$(sandbox_calls)" ' (run|start|exec) '
mkdir -p "$T/xdg/containai"
printf '[default]\nprefer = gvisor\n' >"$T/xdg/containai/config.ini"
cai gvisor-sysbox -- run --dry-run -- true
expect_match "prefer from the config: run uses gVisor" "$OUT" ' --runtime=runsc '
cai gvisor-sysbox -- run --dry-run --prefer sysbox -- true
expect_match "--prefer beats the config" "$OUT" ' --runtime=sysbox-runc '
printf '[default]\nprefer = fast\n' >"$T/xdg/containai/config.ini"
cai gvisor -- doctor
expect_eq "prefer: a bad value is a config error" "$RC" 2
expect_match "prefer: FILE:LINE" "$ERR" 'config\.ini:2: prefer'
rm -f "$T/xdg/containai/config.ini"

# ---- setup gvisor ---------------------------------------------------------------

D=$T/etc-docker
mkdir -p "$D" "$APTBIN"
ORIG='{
  "log-level": "warn",
  "runtimes": {"other": {"path": "/usr/local/bin/other-runc"}},
  "storage-driver": "overlay2",
  "default-runtime": "runc"
}'

# setup [VAR=VALUE...] -- ARGS...: `containai setup gvisor ARGS` with the
# fakes of $SETUP_BIN first on PATH; OUT, ERR, RC.
setup() {
	local vars=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	: >"$LOG"
	env -i HOME="$HOMEDIR" PATH="$SETUP_BIN:$APTBIN" CAI_FAKE_LOG="$LOG" \
		CAI_FAKE_APT_BIN="$APTBIN" CAI_FAKE_VALIDATED="$T/validated" "${vars[@]}" \
		"$LAUNCHER" setup gvisor "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
fresh_daemon_json() {
	rm -rf "$D" "$APTBIN" "$T/validated"
	mkdir -p "$D" "$APTBIN"
	printf '%s\n' "$ORIG" >"$D/daemon.json"
	chmod 0640 "$D/daemon.json"
	chown 0:1234 "$D/daemon.json"
}
# The daemon.json as a key-sorted JSON document, for comparisons.
canon() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$1"; }
listing() { find "$D" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '; }
SETUP_BIN=${APTBIN%/*}/setup-bin
# What a runsc found on PATH is registered as: the file it resolves to.
RUNSC_REAL=$(readlink -f "$FAKES/runsc")
mkdir -p "$SETUP_BIN"
ln -sf "$FAKES/runsc" "$SETUP_BIN/runsc"
ln -sf "$FAKES/dockerd" "$SETUP_BIN/dockerd"

fresh_daemon_json
setup -- --daemon-json "$D/daemon.json" --runtime-arg=--network=host
expect_eq "setup: done" "$RC" 0
expect_eq "setup: every key and value kept, runsc added" "$(canon "$D/daemon.json")" \
	"$(python3 -c 'import json; print(json.dumps({"default-runtime": "runc", "log-level": "warn",
 "runtimes": {"other": {"path": "/usr/local/bin/other-runc"}, "runsc": {"path": "'"$RUNSC_REAL"'",
 "runtimeArgs": ["--network=host"]}}, "storage-driver": "overlay2"}, sort_keys=True))')"
expect_eq "setup: owner and mode kept" "$(stat -c '%u:%g %a' "$D/daemon.json")" "0:1234 640"
backup=$(cd "$D" && ls daemon.json.containai-backup-*)
expect_eq "setup: the old file kept byte for byte beside it" "$(cat "$D/$backup" 2>/dev/null)" "$ORIG"
expect_eq "setup: the backup's owner and mode" "$(stat -c '%u:%g %a' "$D/$backup")" "0:1234 640"
expect_eq "setup: nothing else left in the directory" "$(listing)" "daemon.json $backup "
expect_eq "setup: dockerd validated exactly the new text" "$(cat "$T/validated")" "$(cat "$D/daemon.json")"
expect_match "setup: says how to reload, and that it does not" "$OUT" 'never restarts or signals a running engine.*systemctl reload docker'
expect_no_match "setup: installs nothing when runsc is there" "$(cat "$LOG")" 'apt-get'

setup -- --daemon-json "$D/daemon.json" --runtime-arg=--network=host
expect_eq "setup again: nothing to change" "$RC $(listing)" "0 daemon.json $backup "
expect_match "setup again: says so" "$OUT" 'already registers runsc'

before=$(cat "$D/daemon.json")
setup -- --daemon-json "$D/daemon.json"
expect_eq "setup: a different runsc entry is refused" "$RC" 1
expect_match "setup: says what is there" "$ERR" 'already registers a runtime named runsc as .*--network=host.*not replacing it'
expect_eq "setup: the refused file is unchanged" "$(cat "$D/daemon.json") $(listing)" "$before daemon.json $backup "

fresh_daemon_json
setup -- --dry-run --daemon-json "$D/daemon.json"
expect_eq "dry run: exit 0" "$RC" 0
setup CAI_FAKE_RUNSC=escapes -- --dry-run --daemon-json "$D/daemon.json"
expect_eq "runsc's version with control bytes: accepted" "$RC" 0
expect_match "runsc's version with control bytes: shown" "$OUT" 'runsc: .*runsc version 1'
expect_eq "runsc's version with control bytes: none reaches the terminal" \
	"$(printf '%s' "$OUT" | tr -d -c '\033\007\233' | wc -c)" 0
expect_eq "dry run: nothing written" "$(cat "$D/daemon.json") $(listing)" "$ORIG daemon.json "
expect_match "dry run: prints the new file" "$OUT" '"runsc": \{'
expect_match "dry run: says so" "$OUT" 'dry run: nothing is installed or written'

for bad in '{"log-level": "warn",}' '["runsc"]' '{"runtimes": []}' '{"a": 1, "a": 2}'; do
	fresh_daemon_json
	printf '%s\n' "$bad" >"$D/daemon.json"
	setup -- --daemon-json "$D/daemon.json"
	expect_eq "malformed ($bad): refused as a config error" "$RC" 2
	expect_eq "malformed ($bad): one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
	expect_eq "malformed ($bad): nothing changed" "$(cat "$D/daemon.json") $(listing)" "$bad daemon.json "
done
expect_match "malformed: names FILE:LINE:COLUMN" "$(fresh_daemon_json; printf '{\n "a": 1,\n}\n' >"$D/daemon.json"; setup -- --daemon-json "$D/daemon.json"; echo "$ERR")" \
	"daemon\\.json:3:1: not valid JSON"

fresh_daemon_json
mv "$D/daemon.json" "$D/real.json"
ln -s real.json "$D/daemon.json"
setup -- --daemon-json "$D/daemon.json"
expect_eq "symlinked daemon.json: refused" "$RC" 1
expect_match "symlinked daemon.json: says why" "$ERR" 'is a symbolic link'
expect_eq "symlinked daemon.json: neither changed" "$(cat "$D/real.json") $(listing)" "$ORIG daemon.json real.json "
fresh_daemon_json
ln "$D/daemon.json" "$D/other-name.json"
setup -- --daemon-json "$D/daemon.json"
expect_eq "hard-linked daemon.json: refused" "$RC $(cat "$D/daemon.json")" "1 $ORIG"

# Not root: refused before anything is read; a dry run is allowed.
fresh_daemon_json
chmod 0644 "$D/daemon.json"
chmod 0755 "$T" "$D"
nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups env -i PATH="$SETUP_BIN" \
		"$LAUNCHER" setup gvisor "$@" 2>&1
}
out=$(nobody --daemon-json "$D/daemon.json")
expect_eq "not root: refused" "$?" 1
expect_match "not root: says why" "$out" 'needs root'
expect_eq "not root: nothing changed" "$(cat "$D/daemon.json") $(listing)" "$ORIG daemon.json "
out=$(nobody --dry-run --daemon-json "$D/daemon.json")
expect_eq "not root: --dry-run is allowed" "$?" 0
expect_match "not root: --dry-run prints the change" "$out" '"runsc": \{'

rm -rf "$D"
mkdir -p "$D"
setup -- --daemon-json "$D/daemon.json"
expect_eq "no daemon.json yet: created" "$RC $(stat -c '%u %a' "$D/daemon.json")" "0 0 644"
expect_eq "no daemon.json yet: runsc only, no backup" "$(canon "$D/daemon.json") $(listing)" \
	"{\"runtimes\": {\"runsc\": {\"path\": \"$RUNSC_REAL\"}}} daemon.json "
setup -- --daemon-json "$T/no-such-dir/daemon.json"
expect_eq "a missing directory: fails" "$RC" 3

# runsc missing: apt-get installs it, the runtime names where it went.
SETUP_BIN=$T/setup-apt
mkdir -p "$SETUP_BIN"
ln -sf "$FAKES/apt-get" "$SETUP_BIN/apt-get"
ln -sf "$FAKES/dockerd" "$SETUP_BIN/dockerd"
fresh_daemon_json
setup -- --daemon-json "$D/daemon.json"
expect_eq "runsc missing: installed with apt-get, then registered" "$RC" 0
expect_match "runsc missing: apt-get install -y runsc" "$(cat "$LOG")" '^apt-get install -y runsc$'
expect_match "runsc missing: said so" "$OUT" 'installing it with `apt-get install -y runsc`'
expect_match "runsc missing: the installed one is registered, resolved" "$(canon "$D/daemon.json")" "\"path\": \"$RUNSC_REAL\""
fresh_daemon_json
setup CAI_FAKE_APT=unknown-first -- --daemon-json "$D/daemon.json"
expect_eq "apt-get without lists: update, then install" "$RC $(grep -c '^apt-get' "$LOG")" "0 3"
fresh_daemon_json
setup CAI_FAKE_APT=fail -- --daemon-json "$D/daemon.json"
expect_eq "apt-get fails: fails" "$RC" 3
expect_eq "apt-get fails: daemon.json unchanged" "$(cat "$D/daemon.json") $(listing)" "$ORIG daemon.json "
fresh_daemon_json
setup -- --dry-run --daemon-json "$D/daemon.json"
expect_eq "runsc missing, dry run: nothing installed or written" \
	"$RC $(grep -c '^apt-get' "$LOG") $(ls -A "$APTBIN") $(listing)" "0 0  daemon.json "
expect_match "runsc missing, dry run: says what it would install" "$OUT" 'would install it with `apt-get install -y runsc`'
fresh_daemon_json
printf '{"a": ' >"$D/daemon.json"
setup -- --daemon-json "$D/daemon.json"
expect_eq "malformed daemon.json: refused before anything is installed" "$RC $(grep -c '^apt-get' "$LOG")" "2 0"
SETUP_BIN=$T/setup-bare
mkdir -p "$SETUP_BIN"
fresh_daemon_json
setup -- --daemon-json "$D/daemon.json"
expect_eq "no runsc and no apt-get: refused" "$RC" 1
expect_match "no runsc and no apt-get: says what to do" "$ERR" 'apt-get is not available.*--runsc'

# --runsc: an absolute path to a file named runsc that answers as runsc.
fresh_daemon_json
mkdir -p "$T/opt"
ln -sf "$FAKES/runsc" "$T/opt/runsc"
setup -- --daemon-json "$D/daemon.json" --runsc "$T/opt/runsc"
expect_match "--runsc: that path registered" "$RC $(canon "$D/daemon.json")" "^0 .*\"path\": \"$T/opt/runsc\""
fresh_daemon_json
setup -- --daemon-json "$D/daemon.json" --runsc "$FAKES/dockerd"
expect_eq "--runsc: a file not named runsc is refused" "$RC $(listing)" "2 daemon.json "
setup -- --daemon-json "$D/daemon.json" --runsc runsc
expect_eq "--runsc: a relative path is refused" "$RC" 2
setup CAI_FAKE_RUNSC=runc -- --daemon-json "$D/daemon.json" --runsc "$T/opt/runsc"
expect_eq "--runsc: a runc by that name is refused" "$RC $(listing)" "1 daemon.json "
expect_match "--runsc: says why" "$ERR" 'does not answer as runsc'
# The engine runs it as root: never from a directory others can write.
mkdir -p "$T/open"
chmod 0777 "$T/open"
cp "$FAKES/runsc" "$T/open/runsc"
setup -- --daemon-json "$D/daemon.json" --runsc "$T/open/runsc"
expect_eq "--runsc in a directory others can write: refused" "$RC $(listing)" "1 daemon.json "
expect_match "--runsc in a directory others can write: says why" "$ERR" 'is writable by others'
ln -sf "$T/open/runsc" "$T/opt/runsc"
setup -- --daemon-json "$D/daemon.json" --runsc "$T/opt/runsc"
expect_eq "--runsc resolving into a directory others can write: refused" "$RC $(listing)" "1 daemon.json "
SETUP_BIN=$T/setup-open
mkdir -p "$SETUP_BIN"
ln -sf "$T/open/runsc" "$SETUP_BIN/runsc"
ln -sf "$FAKES/apt-get" "$SETUP_BIN/apt-get"
setup -- --daemon-json "$D/daemon.json"
expect_eq "runsc on PATH resolving into a directory others can write: refused" \
	"$RC $(grep -c '^apt-get' "$LOG") $(listing)" "1 0 daemon.json "
expect_match "runsc on PATH resolving into a directory others can write: says why" "$ERR" 'resolves to .*writable by others'

# dockerd's own check, when it has one.
SETUP_BIN=$T/setup-bin
fresh_daemon_json
setup CAI_FAKE_DOCKERD=reject -- --daemon-json "$D/daemon.json"
expect_eq "dockerd rejects: refused" "$RC" 1
expect_match "dockerd rejects: its reason" "$ERR" "dockerd rejects the new configuration: .*don't match any configuration option"
expect_eq "dockerd rejects: nothing written" "$(cat "$D/daemon.json") $(listing)" "$ORIG daemon.json "
fresh_daemon_json
setup CAI_FAKE_DOCKERD=old -- --daemon-json "$D/daemon.json"
expect_eq "dockerd without --validate: JSON checks only" "$RC" 0
expect_match "dockerd without --validate: says so" "$OUT" 'no --validate'
