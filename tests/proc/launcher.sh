#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# containai against fake docker and sbx CLIs (tests/fakes) that answer from
# recorded outputs: every host kind this machine cannot have is classified
# right, every uncertain one fails closed, and the run gates hold.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# A sleep of a length no other process on the machine has, so the checks
# below see only the fake CLI's own leftovers.
export CAI_FAKE_SLEEP=1000$$

FAKES=$CAI_ROOT/tests/fakes
export CAI_FAKE_FIXTURES=$CAI_ROOT/tests/fixtures/launcher
T=$(scratch_dir)
HOMEDIR=$T/home
WS=$T/work/my-project
mkdir -p "$HOMEDIR" "$WS"
LOG=$T/calls.log

# bin_for SCENARIO: a PATH with the fakes the scenario needs and nothing
# else (the real docker must never be reached).
bin_for() {
	local d=$T/bin-$1
	if [ ! -d "$d" ]; then
		mkdir -p "$d"
		[ "$1" = no-docker ] || ln -s "$FAKES/docker" "$d/docker"
		case $1 in sbx-*) ln -s "$FAKES/sbx" "$d/sbx" ;; esac
		ln -s "$(command -v git)" "$d/git"
	fi
	printf '%s' "$d"
}

# cai SCENARIO [VAR=VALUE...] -- ARGS...: run the launcher in a clean
# environment; sets OUT, ERR, RC.
# CONTAINAI_EGRESS=off: the fake CLI answers the sandbox's own calls; the
# egress proxy and its network are tested on a real engine (tests/e2e/t_egress.sh).
cai() {
	local sc=$1 vars=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	: >"$LOG"
	(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$(bin_for "$sc")" XDG_CONFIG_HOME="$T/xdg" \
		CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO="$sc" CAI_FAKE_LOG="$LOG" \
		CAI_FAKE_WS="$WS" CONTAINAI_EGRESS=off "${vars[@]}" "$LAUNCHER" "$@" >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# The calls in the log that are not probes.
sandbox_calls() { grep -v -e 'containai.probe=true' -e 'containai-probe-' -e ' --help' "$LOG"; }

# classify NAME SCENARIO MODE ECI_STATUS DOCTOR_RC [VAR=VALUE...]
classify() {
	local name=$1 sc=$2 mode=$3 eci=$4 want_rc=$5
	shift 5
	cai "$sc" "$@" -- doctor --json
	expect_eq "$name: doctor exit status" "$RC" "$want_rc"
	expect_eq "$name: isolation.mode" "$(json_field isolation.mode)" "\"$mode\""
	expect_eq "$name: eci.status" "$(json_field eci.status)" "\"$eci\""
	expect_eq "$name: isolation.available" "$(json_field isolation.available)" \
		"$([ "$mode" = none ] && echo false || echo true)"
	# A plain `run` must be refused exactly when no mode is usable, and
	# then it must create nothing (only probes ran).
	cai "$sc" "$@" -- run
	if [ "$mode" = none ]; then
		expect_eq "$name: run refused" "$RC" 1
		expect_match "$name: refusal points at doctor and --force" "$ERR" 'containai doctor.*--force'
		expect_no_match "$name: no sandbox created" "$(sandbox_calls)" \
			' (run|start|exec|create|sandbox run) '
	fi
}

classify linux linux none not_available 1
classify sysbox sysbox sysbox not_available 0
classify "sysbox runtime that maps root to root" sysbox-named none not_available 1
classify "probe image missing" probe-missing none not_available 1
classify "probe output unreadable" probe-garbage none not_available 1
classify "desktop with eci" desktop-eci eci enabled 0
classify "desktop without eci" desktop-noeci none available_not_enabled 1
classify "desktop older than 4.50" desktop-old sysbox enabled 0
classify "desktop without sandbox plugin" desktop-noplugin sysbox enabled 0
classify "desktop on macos" macos eci enabled 0
classify "daemon down" down none not_available 1
classify "permission denied" denied none not_available 1
classify "garbage json" garbage none not_available 1
classify "garbage docker info" info-garbage none not_available 1
classify "sbx present" sbx-ok sbx not_available 0
classify "sbx present but failing" sbx-failing none not_available 1
classify "no docker cli" no-docker none not_available 1

cai desktop-old -- doctor --json
expect_eq "desktop older than 4.50: the eci probe passed" "$(json_field eci.probe)" '"yes"'
cai hang CONTAINAI_TIMEOUT=1 -- doctor --json
expect_eq "hang: daemon state unknown" "$(json_field docker.daemon_state)" '"unknown"'
expect_eq "hang: contract field stays boolean" "$(json_field docker.daemon)" false
cai desktop-noplugin -- doctor
expect_match "desktop without plugin: doctor says so" "$OUT" '\[ERROR\] docker sandbox plugin'
cai no-docker -- doctor --json
expect_eq "no docker cli: docker.cli false" "$(json_field docker.cli)" false
cai sbx-failing -- doctor --json
expect_eq "sbx failing: sbx.available false" "$(json_field sbx.available)" false
expect_match "sbx failing: reason given" "$(json_field sbx.reason)" 'sandbox daemon'
cai denied -- doctor
expect_match "permission denied: remedy names the docker group" "$OUT" 'docker group'
cai down -- doctor --json
expect_eq "daemon down: docker.daemon false" "$(json_field docker.daemon)" false
cai sysbox-named -- doctor
expect_match "named-only sysbox: reported as an error" "$OUT" '\[ERROR\] sysbox: a runtime is named sysbox-runc but root in a probe'
cai probe-missing -- doctor
expect_match "probe image missing: said so" "$OUT" 'probe image containai:latest is not present'
# shellcheck disable=SC2016 # backquotes of the message, not a command
expect_match "probe image missing: the remedy says how" "$OUT" \
	'remedy: build the probe image \(`make image`.*builds containai:latest\) or name one .* as probe_image in the config or CONTAINAI_PROBE_IMAGE'
cai probe-missing -- doctor --json
expect_match "probe image missing: the recommended action says how" "$(json_field recommended_action)" \
	'make image.*probe_image.*CONTAINAI_PROBE_IMAGE'

# An engine's names reach the terminal only as printable text: no escape
# sequence, no line break that forges an [OK] line of its own.
cai hostile-names -- doctor
expect_eq "hostile engine names: still mode none" "$RC" 1
expect_no_match "hostile engine names: no forged line" "$OUT" '^\[OK\] isolation'
check "hostile engine names: no control characters" test -z "$(printf '%s' "$OUT" | LC_ALL=C tr -d '\n' | LC_ALL=C tr -d '\040-\176')"

# Bytes that are not UTF-8, C1 controls (raw and as \u009b), names cut in
# the middle of a character - in versions, names, error lines and
# DOCKER_HOST: every output path stays valid UTF-8 without a control.
# clean_text FILE [json]: the file is such text (and one JSON document).
clean_text() { python3 -c 'import json, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = [c for c in t if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]
if len(sys.argv) > 2:
    def walk(v):
        if isinstance(v, str): bad.extend(c for c in v if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0)
        elif isinstance(v, dict): [walk(x) for x in v.values()]
        elif isinstance(v, list): [walk(x) for x in v]
    walk(json.loads(t))
sys.exit(1 if bad else 0)' "$@" 2>/dev/null; }
cai hostile-bytes DOCKER_HOST=$'tcp://\377\376\233[2J\342\202:1' -- doctor --json
expect_eq "engine bytes that are not UTF-8: doctor --json exit status" "$RC" 1
check "engine bytes that are not UTF-8: doctor --json is valid JSON without controls" clean_text "$T/out" json
expect_match "engine bytes that are not UTF-8: the probe's error line is reported" "$(json_field sysbox.reason)" 'boom'
cai hostile-bytes DOCKER_HOST=$'tcp://\377\376\233[2J\342\202:1' -- doctor
check "engine bytes that are not UTF-8: doctor's text is clean" clean_text "$T/out"
check "engine bytes that are not UTF-8: so are its errors" clean_text "$T/err"
# docker rm -f under --restart prints what the engine gives back.
cai hostile-bytes CAI_FAKE_EXISTING=ours-other-image -- run --force --restart -- true
expect_match "engine bytes that are not UTF-8: rm -f ran under --restart" "$(cat "$LOG")" ' rm -f [0-9a-f]{64}'
check "engine bytes that are not UTF-8: rm -f's output passed on clean" clean_text "$T/out"

# A docker CLI whose context cannot be inspected is an engine that failed
# (no usable engine, exit 3 where one is needed), not a usage error; sbx
# does not need it.
cai sbx-ok CAI_FAKE_CONTEXT_ANSWER=hang CONTAINAI_TIMEOUT=1 -- doctor --json
expect_eq "context inspect hangs: doctor still finds sbx" "$RC" 0
expect_eq "context inspect hangs: mode sbx" "$(json_field isolation.mode)" '"sbx"'
expect_match "context inspect hangs: reported as the engine's failure" "$(json_field docker.reason)" \
	'docker context inspect: no answer within 1000 ms'
cai sbx-ok CAI_FAKE_CONTEXT_ANSWER=fail -- run --dry-run
expect_eq "context inspect fails: run in sbx mode goes on" "$RC" 0
expect_match "context inspect fails: the sbx sandbox" "$OUT" '^sbx run '
cai linux CAI_FAKE_CONTEXT_ANSWER=fail -- doctor
expect_eq "context inspect fails: doctor says no isolation (1), not usage" "$RC" 1
expect_match "context inspect fails: doctor says why" "$OUT" '\[ERROR\] docker: .*context not found'
cai linux CAI_FAKE_CONTEXT_ANSWER=fail -- run --force --dry-run
expect_eq "context inspect fails: a forced run has no engine (3)" "$RC" 3
expect_match "context inspect fails: run says why" "$ERR" 'no docker engine to run on: .*context not found'
expect_no_match "context inspect fails: no other docker call" "$(cat "$LOG")" '^docker (-H|--context) '
# Options the sandbox tool cannot carry out: usage errors, nothing run.
for opt in "--env A=1" --detach --restart "--data-volume vol"; do
	# shellcheck disable=SC2086 # the option and its value are two words
	cai sbx-ok -- run $opt
	expect_eq "sbx mode: $opt is a usage error" "$RC" 2
	expect_no_match "sbx mode: $opt runs nothing" "$(cat "$LOG")" '^sbx run '
done
for opt in --restart "--data-volume vol"; do
	# shellcheck disable=SC2086
	cai desktop-eci -- run $opt
	expect_eq "eci mode: $opt is a usage error" "$RC" 2
done

# Platform: WSL from its environment.
cai desktop-eci WSL_DISTRO_NAME=Ubuntu -- doctor --json
expect_eq "wsl: platform" "$(json_field platform)" '"wsl"'
expect_eq "wsl: mode eci" "$(json_field isolation.mode)" '"eci"'

# Every docker call is pinned to the one context resolved at start.
cai sysbox CAI_FAKE_CONTEXT=ctx-a -- run --dry-run
expect_eq "pinned: every call names the context" \
	"$(grep '^docker' "$LOG" | grep -vc '^docker context\|^docker --context ctx-a ')" 0
cai sysbox DOCKER_HOST=tcp://127.0.0.1:1 -- run --dry-run
expect_eq "pinned: DOCKER_HOST becomes -H" "$(grep '^docker' "$LOG" | grep -vc '^docker -H tcp://127.0.0.1:1 ')" 0
expect_match "pinned: run command uses -H" "$OUT" '^docker -H tcp://127.0.0.1:1 run -d '
cai sysbox DOCKER_CONTEXT=from-env -- run --dry-run --context from-flag
expect_match "pinned: --context beats DOCKER_CONTEXT" "$OUT" '^docker --context from-flag run -d '

# PATH with a trailing ':' (the current directory - here the workspace):
# the workspace's own sbx, docker or git never runs.
for prog in sbx docker git; do
	printf '#!/bin/sh\n: >"%s/ran-%s"\necho "0 100000 65536"\n' "$T" "$prog" >"$WS/$prog"
	chmod +x "$WS/$prog"
done
(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$(bin_for linux):" XDG_CONFIG_HOME="$T/xdg" \
	CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" \
	"$LAUNCHER" run --dry-run --force >/dev/null 2>&1)
check "PATH's empty entry: the workspace's programs never ran" test -z "$(compgen -G "$T/ran-*" || true)"
rm -f "$WS/sbx" "$WS/docker" "$WS/git" "$T"/ran-*

# Absolute PATH entries the agent can write (inside the workspace: an
# activated virtualenv, node_modules/.bin, direnv's PATH_add), or others
# can (world-writable, under a directory others can write, another user's):
# a docker, sbx or git planted there never runs, and doctor says which
# entries it skipped and why.
plant() {
	mkdir -p "$1"
	for prog in sbx docker git; do
		printf '#!/bin/sh\n: >"%s/ran-%s"\necho "0 100000 65536"\n' "$T" "$prog" >"$1/$prog"
		chmod 755 "$1/$prog"
	done
}
plant "$WS/.venv/bin"
plant "$T/world"
chmod 777 "$T/world"
mkdir -p "$T/open"
plant "$T/open/bin"
chmod 777 "$T/open"
bad_path="$WS/.venv/bin:$T/world:$T/open/bin"
if [ "$(id -u)" = 0 ]; then
	plant "$T/theirs"
	chown -R 65534:65534 "$T/theirs"
	bad_path="$bad_path:$T/theirs"
fi
for args in "doctor --json" "run --dry-run --force"; do
	# shellcheck disable=SC2086 # the command and its options
	(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$bad_path:$(bin_for linux)" XDG_CONFIG_HOME="$T/xdg" \
		CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" \
		"$LAUNCHER" $args >"$T/out" 2>"$T/err")
	check "PATH entries others or the agent can write: nothing planted there ran (${args%% *})" \
		test -z "$(compgen -G "$T/ran-*" || true)"
done
(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$bad_path:$(bin_for linux)" XDG_CONFIG_HOME="$T/xdg" \
	CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" \
	"$LAUNCHER" doctor --json >"$T/out" 2>"$T/err")
OUT=$(cat "$T/out")
skipped=$(python3 -c 'import json,sys
for s in json.load(sys.stdin)["path"]["skipped"]: print(s["entry"] + " | " + s["reason"])' <<<"$OUT")
expect_match "doctor --json: the workspace's .venv/bin skipped" "$skipped" "^$WS/.venv/bin \| inside the workspace"
expect_match "doctor --json: a world-writable entry skipped" "$skipped" "^$T/world \| .* is writable by others\$"
expect_match "doctor --json: an entry under a writable directory skipped" "$skipped" \
	"^$T/open/bin \| $T/open is writable by others and not sticky"
if [ "$(id -u)" = 0 ]; then
	expect_match "doctor --json: another user's entry skipped" "$skipped" "^$T/theirs \| .*owned by uid 65534"
fi
expect_eq "doctor --json: the fakes' entry is kept" "$(grep -c "bin-linux" <<<"$skipped")" 0
(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$bad_path:$(bin_for linux)" XDG_CONFIG_HOME="$T/xdg" \
	CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" \
	"$LAUNCHER" doctor >"$T/out" 2>"$T/err")
expect_match "doctor: says which PATH entries it skipped" "$(cat "$T/out")" \
	"\\[WARN\\] PATH entry '$WS/.venv/bin' skipped: inside the workspace"
# A trusted entry whose docker is a link into the workspace: refused, not run.
mkdir -p "$T/trusted"
ln -sf "$WS/.venv/bin/docker" "$T/trusted/docker"
(cd "$WS" && env -i HOME="$HOMEDIR" PATH="$T/trusted:$(bin_for linux)" XDG_CONFIG_HOME="$T/xdg" \
	CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" \
	"$LAUNCHER" doctor --json >"$T/out" 2>"$T/err")
OUT=$(cat "$T/out")
check "a program linked into the workspace never ran" test -z "$(compgen -G "$T/ran-*" || true)"
expect_match "a program linked into the workspace: refused, and why" "$(json_field docker.reason)" \
	"docker: refused: $T/trusted/docker resolves to $WS/.venv/bin/docker: inside the workspace"
rm -rf "$WS/.venv" "$T/world" "$T/open" "$T/theirs" "$T/trusted" "$T"/ran-*

# A hanging CLI: the deadline holds and kills it; the verdict is "none".
start=$(date +%s%N)
cai hang CONTAINAI_TIMEOUT=1 -- doctor --json
el=$((($(date +%s%N) - start) / 1000000))
expect_eq "hang: mode none" "$(json_field isolation.mode)" '"none"'
expect_match "hang: reason says no answer" "$(json_field docker.reason)" 'no answer within 1000 ms'
check "hang: doctor finished within 3 s (took ${el} ms)" test "$el" -lt 3000
cai hang-child CONTAINAI_TIMEOUT=1 -- doctor --json
expect_eq "hang with leftover child: mode none" "$(json_field isolation.mode)" '"none"'
check "hang: the CLI's leftover child was killed with its group" test -z "$(pgrep -f "^/bin/sleep $CAI_FAKE_SLEEP$" || true)"
# Ctrl-C while a probe hangs: the probe's group dies with the launcher.
(cd "$WS" && exec env -i HOME="$HOMEDIR" PATH="$(bin_for hang)" CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" \
	CAI_FAKE_SCENARIO=hang CONTAINAI_TIMEOUT=60 "$LAUNCHER" doctor >/dev/null 2>&1) &
lpid=$!
for _ in $(seq 1 50); do pgrep -f "^/bin/sleep $CAI_FAKE_SLEEP$" >/dev/null && break; sleep 0.1; done
kill -INT "$lpid"
for _ in $(seq 1 50); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
check "interrupted: the launcher ended" test -z "$(kill -0 "$lpid" 2>/dev/null && echo alive)"
wait "$lpid"
expect_eq "interrupted: it died of SIGINT" "$?" 130
check "interrupted: no probe left running" test -z "$(pgrep -f "^/bin/sleep $CAI_FAKE_SLEEP$" || true)"

cai flood CONTAINAI_TIMEOUT=2 -- doctor --json
expect_eq "endless output: mode none" "$(json_field isolation.mode)" '"none"'

# Dry runs print the state-changing commands, shell-quoted, and run none:
# the sandbox created as containai-init --sandbox with its limits, then the
# command joining it through containai-init --join.
# shellcheck disable=SC2016 # the $HOME is for the sandbox's shell
cai sysbox -- run --dry-run --env 'GREETING=it'"'"'s here' -- sh -c 'echo "$HOME"'
expect_eq "sysbox dry run: status" "$RC" 0
CREATE=$(sed -n 1p <<<"$OUT")
JOIN=$(sed -n 2p <<<"$OUT")
expect_match "sysbox dry run: runtime, labels, limits, volume, workspace, sandbox mode" "$CREATE" \
	"^docker --context default run -d --name containai-my-project-[0-9a-f]{8} --runtime=sysbox-runc --pull=never --label containai.managed=true --label containai.workspace=$WS --label containai.mode=sysbox --label containai.egress=off --security-opt no-new-privileges --cgroupns=private --memory 6252658688 --memory-swap 6252658688 --cpus 3.00 --pids-limit 4096 --mount type=volume,source=containai-data,target=/mnt/agent-data --mount type=bind,source=$WS,target=/home/agent/workspace -w /home/agent/workspace -e CONTAINAI_WORKSPACE=$(stat -c '%Hd:%Ld:%i' "$WS"):$WS --entrypoint /usr/sbin/containai-init containai:latest --sandbox\$"
expect_match "sysbox dry run: the command joins through containai-init" "$JOIN" \
	"^docker --context default exec -i -u 0:0 -w /home/agent/workspace -e 'GREETING=it'\\\\''s here' containai-my-project-[0-9a-f]{8} /usr/sbin/containai-init --join --wait 120 -- sh -c 'echo \"\\\$HOME\"'\$"
expect_eq "sysbox dry run: two commands" "$(printf '%s\n' "$OUT" | wc -l)" 2
expect_no_match "sysbox dry run: nothing ran" "$(sandbox_calls)" ' run -d '
expect_no_match "no socket and no credentials by default" "$OUT" 'docker.sock|\.ssh|\.gitconfig|\.config/gh'
# The printed line is a real shell command: it splits back into the same words.
words=$(eval "set -- $JOIN"; for w in "$@"; do printf '<%s>' "$w"; done)
expect_match "dry run: quoting round-trips" "$words" "<-e><GREETING=it's here>.*<sh><-c><echo \"\\\$HOME\">\$"
cai sysbox -- run --dry-run --memory 1g --cpus 0.5 --pids-limit 64 --publish 8080:3000 --publish 0.0.0.0:9000:9000
expect_match "resource limits and ports from flags" "$OUT" \
	' --memory 1073741824 --memory-swap 1073741824 --cpus 0.50 --pids-limit 64 --publish 127.0.0.1:8080:3000 --publish 0.0.0.0:9000:9000 '
cai sysbox -- run --dry-run --publish 80:80:80
expect_eq "a bad --publish is a usage error" "$RC" 2
cai sysbox -- run --dry-run --pids-limit 0
expect_eq "a bad --pids-limit is a usage error" "$RC" 2
cai sysbox CONTAINAI_MEMORY=2g -- run --dry-run
expect_match "resource limits from the environment" "$OUT" ' --memory 2147483648 '
cai sbx-ok -- run --dry-run --publish 8080
expect_match "sbx mode: no --publish" "$ERR" 'not available in sbx mode'

cai desktop-eci -- run --dry-run -- --continue
expect_match "eci dry run: docker sandbox run with template" "$OUT" \
	"^docker --context default sandbox run --name containai-my-project-[0-9a-f]{8} --template containai:latest --pull-template=never --env CONTAINAI_WORKSPACE=$WS claude $WS -- --continue\$"
# The --env values' pipe is inherited by the step that reads it (the join,
# --env-file /dev/fd/N) and by no other: the sandbox's creation and the
# look-ups before the join never hold the values.
mkdir -p "$T/state-envfd"
rm -f "$T/fds"
cai sysbox CAI_FAKE_STATE="$T/state-envfd" CAI_FAKE_FDS="$T/fds" -- run --env TOKEN=hunter2 -- true
expect_eq "--env pipe: run status" "$RC" 0
expect_eq "--env pipe: the sandbox was created, then joined" "$(grep -E '^(run -d|exec -i):' "$T/fds" | cut -d: -f1 | tr '\n' ,)" "run -d,exec -i,"
# Beyond what every call holds (what the launcher was given, as in its
# first call, before the pipe existed).
expect_eq "--env pipe: only the join holds it" \
	"$(awk -F: -v given="$(head -n 1 "$T/fds" | cut -d: -f2)" '$2 != given { print $1 }' "$T/fds")" "exec -i"
# ECI: the --env values go through a pipe where the plugin lists
# --env-file, never on its command line; without it, said out loud.
mkdir -p "$T/state-eci"
cai desktop-eci CAI_FAKE_SANDBOX_ENV_FILE=1 CAI_FAKE_STATE="$T/state-eci" -- run --env TOKEN=hunter2 -- true
expect_eq "eci with --env-file: status" "$RC" 0
expect_match "eci with --env-file: docker sandbox run reads a pipe" "$(cat "$LOG")" \
	' sandbox run .* --env-file /dev/fd/[0-9]+ '
expect_no_match "eci with --env-file: the value is in no command line" "$(cat "$LOG")" 'hunter2'
expect_eq "eci with --env-file: the value reached docker sandbox run" "$(cat "$T/state-eci/sandbox-env")" \
	TOKEN=hunter2
expect_no_match "eci with --env-file: no warning" "$ERR" 'process list'
cai desktop-eci -- run --dry-run --env TOKEN=hunter2
expect_match "eci without --env-file: the value is a word of the command" "$OUT" ' --env TOKEN=hunter2 '
expect_match "eci without --env-file: said out loud" "$ERR" \
	'has no --env-file: the --env values are words of its command line, readable in the host.s process list'
cai desktop-minimal -- run --dry-run
expect_match "eci plugin without --template: refused" "$ERR" 'has no --template'
cai sbx-ok -- run --dry-run -- --resume
expect_match "sbx dry run" "$OUT" "^sbx run --name containai-my-project-[0-9a-f]{8} --template containai:latest claude $WS -- --resume\$"
cai sbx-ok CONTAINAI_AGENT=codex -- run --dry-run --image my/img:2
expect_match "sbx dry run: agent and image from env and flag" "$OUT" "--template my/img:2 codex "

# Re-entry and names held by others: a running sandbox is joined by id, a
# stopped one started (its preparation runs again) and then joined.
cai sysbox CAI_FAKE_EXISTING=ours-running -- run --dry-run
expect_match "re-enter running: join the agent by id" "$OUT" \
	'^docker --context default exec -i -u 0:0 -w /home/agent/workspace 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef /usr/sbin/containai-init --join --wait 120 -- claude$'
cai sysbox CAI_FAKE_EXISTING=ours-stopped -- run --dry-run -- bash
expect_match "re-enter stopped with a command: start, then join" "$OUT" \
	$'^docker --context default start [0-9a-f]{64}\ndocker --context default exec -i -u 0:0 -w /home/agent/workspace [0-9a-f]{64} /usr/sbin/containai-init --join --wait 120 -- bash$'
cai sysbox CAI_FAKE_EXISTING=ours-stopped -- run --dry-run --detach
expect_eq "re-enter stopped, detached: only the start" "$OUT" "docker --context default start 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
mkdir -p "$T/state"
cai sysbox CAI_FAKE_EXISTING=ours-stopped CAI_FAKE_STATE="$T/state" CAI_FAKE_EXEC_STATUS=7 -- run -- sh -c 'exit 7'
expect_eq "re-enter stopped: the command's status" "$RC" 7
expect_match "re-enter stopped: started, judged again, then joined" "$(sandbox_calls | cut -d' ' -f4-5)" \
	$'container inspect\nstart [0-9a-f]{64}\ncontainer inspect\nexec -i'
rm -f "$T/state/started"
cai sysbox CAI_FAKE_EXISTING=foreign -- run --dry-run
expect_eq "foreign name: refused" "$RC" 3
expect_match "foreign name: said so" "$ERR" 'held by a container that containai did not create'
cai sysbox CAI_FAKE_EXISTING=ours-other-image -- run --dry-run
expect_match "other image: refused with --restart hint" "$ERR" 'runs image other:1.*--restart'
cai sysbox CAI_FAKE_EXISTING=ours-other-image -- run --dry-run --restart
expect_match "--restart: rm then run" "$OUT" $'^docker --context default rm -f [0-9a-f]{64}\ndocker --context default run '
cai sysbox CAI_FAKE_EXISTING=ours-runc -- run --dry-run
expect_match "sysbox mode: our container under runc is not re-entered" "$ERR" "runtime 'runc', not sysbox-runc"
cai linux CAI_FAKE_EXISTING=ours-running -- run --dry-run --force
expect_match "forced re-entry of a runc container" "$OUT" ' exec '
# Where the engine maps no ids the sandbox is made for whoever runs
# containai, and re-entered only as made for them.
cai linux -- run --dry-run --force
expect_match "mode none: PID 1 is told the host user's ids" "$(sed -n 1p <<<"$OUT")" \
	" -e CONTAINAI_HOST_USER=$(id -u):$(id -g) --entrypoint /usr/sbin/containai-init "
expect_no_match "mode none: the join is not told them" "$(sed -n 2p <<<"$OUT")" 'CONTAINAI_HOST_USER'
cai sysbox -- run --dry-run
expect_no_match "sysbox: no host user's ids (Sysbox maps them)" "$OUT" 'CONTAINAI_HOST_USER'
cai linux CAI_FAKE_EXISTING=ours-running CAI_FAKE_HOST_USER=4321:4321 -- run --dry-run --force
expect_match "made for another host user: refused with --restart hint" "$ERR" \
	"made for host user '4321:4321', not '$(id -u):$(id -g)'.*--restart"
cai linux -- run --dry-run --force --env CONTAINAI_HOST_USER=0:0
expect_eq "--env cannot set the host user's ids" "$RC" 2
# Run by another user, for that user.
chmod 0755 "$T" "$T/bin-linux" 2>/dev/null
OUT=$(cd "$WS" && setpriv --reuid 1234 --regid 1235 --clear-groups env -i HOME="$T/home-1234" \
	PATH="$(bin_for linux)" XDG_CONFIG_HOME="$T/xdg-1234" CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" \
	CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" CONTAINAI_EGRESS=off "$LAUNCHER" run --dry-run --force 2>"$T/err-1234")
expect_match "run by uid 1234: PID 1 is told 1234:1235" "$(sed -n 1p <<<"$OUT")" \
	' -e CONTAINAI_HOST_USER=1234:1235 --entrypoint ' 
# Labels can be set by anyone who can create containers: a container that
# carries ours but is shaped otherwise is never entered.
for ex in not-sandbox no-limits privileged hostpid unconfined home-bind socket shell pid-container \
	unmasked replaced bind-volume; do
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- run --dry-run
	expect_eq "re-entry of our labels on a $ex container: refused" "$RC" 3
	expect_no_match "re-entry of our labels on a $ex container: no exec" "$OUT" ' exec '
done
expect_match "re-entry refusal says what is wrong" "$ERR" "mounts volume '/var/lib/docker/volumes/homevol/_data' at /mnt/home"
# The directory at the workspace's path is no longer the one the sandbox
# was made for (deleted and cloned again, or swapped): containai-init
# would refuse it, the launcher says so first.
cai sysbox CAI_FAKE_EXISTING=ours-replaced -- run --dry-run
expect_match "re-entry refusal: another directory at the workspace's path" "$ERR" \
	"made for another directory at $WS \\(CONTAINAI_WORKSPACE=0:0:1:$WS"
cai sysbox CAI_FAKE_EXISTING=ours-home-bind -- run --dry-run
expect_match "re-entry refusal: a workspace bound from elsewhere" "$ERR" "mounts bind '$HOMEDIR' at /home/agent/workspace"
cai sysbox CAI_FAKE_EXISTING=ours-not-sandbox -- run --dry-run
expect_match "re-entry refusal: not started as a sandbox" "$ERR" 'not started as a sandbox'
cai sysbox CAI_FAKE_EXISTING=ours-running -- stop
expect_eq "stop: ours is stopped" "$RC" 0
expect_match "stop: docker stop NAME" "$(cat "$LOG")" 'docker --context default stop [0-9a-f]{64}'
cai sbx-ok -- stop
expect_match "stop in sbx mode: sbx stop NAME" "$(cat "$LOG")" $'\nsbx stop containai-my-project-[0-9a-f]{8}$'
cai desktop-eci -- stop
expect_match "stop in eci mode: docker sandbox stop NAME" "$(cat "$LOG")" \
	'docker --context default sandbox stop containai-my-project-[0-9a-f]{8}'
# ECI: stop and rm reach the sandbox a run with opt-ins made (a name of
# its own) without the flags when it is the workspace's only one; a plain
# run's sandbox comes first; two with opt-ins are the user's to choose.
eci_acted() { grep -E "sandbox ($1) " "$LOG" | sed 's/.* sandbox //'; }
cai desktop-eci CAI_FAKE_ECI_SANDBOXES=host-socket -- stop
expect_match "eci stop: the only sandbox, made with the socket" "$(eci_acted stop)" \
	'^stop containai-my-project-[0-9a-f]{8}-host-socket$'
expect_match "eci stop: says which" "$ERR" 'sandbox containai-my-project-[0-9a-f]{8}-host-socket: the workspace.s only one, made with --allow-host-docker-socket'
cai desktop-eci CAI_FAKE_ECI_SANDBOXES=host-credentials -- rm
expect_match "eci rm: the only sandbox, made with the credentials" "$(eci_acted rm)" \
	'^rm containai-my-project-[0-9a-f]{8}-host-credentials$'
cai desktop-eci "CAI_FAKE_ECI_SANDBOXES=plain host-socket" -- stop
expect_match "eci stop: a plain run's sandbox first" "$(eci_acted stop)" '^stop containai-my-project-[0-9a-f]{8}$'
cai desktop-eci "CAI_FAKE_ECI_SANDBOXES=host-socket host-socket-credentials" -- rm
expect_eq "eci rm: two made with opt-ins: a usage error" "$RC" 2
expect_match "eci rm: two made with opt-ins: names both and the flags" "$ERR" \
	'but 2 made with opt-ins: containai-my-project-[0-9a-f]{8}-host-socket, containai-my-project-[0-9a-f]{8}-host-socket-credentials; name one with the --allow-host-docker-socket and --allow-host-credentials it was run with$'
expect_eq "eci rm: two made with opt-ins: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_eq "eci rm: two made with opt-ins: nothing removed" "$(eci_acted 'rm|stop')" ""
cai desktop-eci "CAI_FAKE_ECI_SANDBOXES=host-socket host-socket-credentials" -- rm --allow-host-docker-socket --allow-host-credentials
expect_match "eci rm with the flags: that one" "$(eci_acted rm)" '^rm containai-my-project-[0-9a-f]{8}-host-socket-credentials$'
expect_no_match "eci rm with the flags: nothing asked" "$(cat "$LOG")" 'sandbox inspect'
cai desktop-eci -- stop
expect_match "eci stop: none found, the plain name" "$(eci_acted stop)" '^stop containai-my-project-[0-9a-f]{8}$'
cai sysbox -- stop --allow-host-docker-socket
expect_eq "sysbox stop --allow-host-docker-socket: a usage error" "$RC" 2
expect_match "sysbox stop --allow-host-docker-socket: says why" "$ERR" 'only ECI mode makes sandboxes with it \(the mode is sysbox\)'
cai sysbox CAI_FAKE_EXISTING=foreign -- stop
expect_match "stop: refuses a foreign container" "$ERR" 'not a container containai created'

# The workspace swapped after the check (here: while docker inspects the
# name, the last call before the sandbox starts): refused, nothing started.
cai linux CAI_FAKE_SWAP_WS=1 -- run --force -- true
expect_eq "workspace swapped after the check: refused" "$RC" 3
expect_match "workspace swapped after the check: says so" "$ERR" "workspace $WS was moved or replaced after it was checked"
expect_no_match "workspace swapped after the check: no sandbox started" "$(sandbox_calls)" ' run -d '
[ -d "$WS.moved" ] && rm -rf "$WS" && mv "$WS.moved" "$WS"

# Names: repository and branch in a git work tree, from any subdirectory.
REPO=$T/work/Repo_X
mkdir -p "$REPO/sub"
git -C "$REPO" init -q -b 'feature/Cool_Thing' 2>/dev/null || {
	git -C "$REPO" init -q && git -C "$REPO" checkout -q -b 'feature/Cool_Thing'
}
cai sysbox -- run --dry-run --workspace "$REPO/sub"
expect_match "git work tree: name from repository and branch" "$OUT" ' run -d --name containai-repo-x-feature-cool-thing-[0-9a-f]{8} '
expect_match "git work tree: the given directory is mounted" "$OUT" "source=$REPO/sub,target="
# A repository the agent wrote names programs for git to run: an
# fsmonitor, hooks, pagers, one more through an included file.  The
# launcher runs git on the host as the user: none of them runs, and git
# still names the sandbox.  Every git call carries the overrides (git
# logged by a wrapper in front of the real one).
HOSTILE=$T/work/hostile
mkdir -p "$HOSTILE" "$T/evil-hooks" "$T/bin-gitlog"
git -C "$HOSTILE" init -q -b main 2>/dev/null || { git -C "$HOSTILE" init -q && git -C "$HOSTILE" checkout -q -b main; }
# shellcheck disable=SC2016 # the script expands its own $0 and $*
printf '#!/bin/sh\necho "$0 $*" >>%s\ncat >/dev/null\n' "$T/git-ran" >"$T/evil"
chmod 0755 "$T/evil"
for h in pre-commit post-checkout post-index-change reference-transaction fsmonitor-watchman; do
	ln -s "$T/evil" "$T/evil-hooks/$h"
done
printf '[core]\n\tfsmonitor = %s\n' "$T/evil" >"$T/evil.inc"
printf '[core]\n\tfsmonitor = %s\n\thooksPath = %s\n\tpager = %s\n[pager]\n\trev-parse = %s\n\tsymbolic-ref = %s\n\tconfig = %s\n[include]\n\tpath = %s\n' \
	"$T/evil" "$T/evil-hooks" "$T/evil" "$T/evil" "$T/evil" "$T/evil" "$T/evil.inc" >>"$HOSTILE/.git/config"
echo x >"$HOSTILE/f"
git -C "$HOSTILE" add f 2>/dev/null && git -C "$HOSTILE" status >/dev/null 2>&1
check "hostile repository: armed (git status runs its fsmonitor)" test -s "$T/git-ran"
rm -f "$T/git-ran"
ln -s "$FAKES/docker" "$T/bin-gitlog/docker"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%s\nexec %s "$@"\n' "$T/git-calls" "$(command -v git)" >"$T/bin-gitlog/git"
chmod 0755 "$T/bin-gitlog/git"
cai sysbox PATH="$T/bin-gitlog" -- run --dry-run --workspace "$HOSTILE"
expect_match "hostile repository: git still names the sandbox" "$OUT" ' run -d --name containai-hostile-main-[0-9a-f]{8} '
check "hostile repository: nothing it names ran" test ! -e "$T/git-ran"
cai sysbox PATH="$T/bin-gitlog" -- stop --workspace "$HOSTILE"
WS=$HOSTILE cai sysbox PATH="$T/bin-gitlog" -- import --dry-run
check "hostile repository: nothing it names ran (stop, import)" test ! -e "$T/git-ran"
expect_eq "every git call: no pager, no optional locks, no fsmonitor, no hooks" \
	"$(grep -vc '^--no-pager --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null ' "$T/git-calls")" 0
expect_eq "git ran for the name (run, stop) and the identity (import)" \
	"$(cut -d' ' -f7- "$T/git-calls" | sed "s|^-C $HOSTILE ||" | sort | uniq -c | awk '{$1=$1};1')" \
	"1 config --global --no-includes --get user.email
1 config --global --no-includes --get user.name
2 rev-parse --show-toplevel
2 symbolic-ref --short -q HEAD"

# Two repositories called app, both on main: two sandboxes in every mode,
# and stop from one never stops the other's.
for r in one two; do
	mkdir -p "$T/$r/app"
	git -C "$T/$r/app" init -q -b main 2>/dev/null || { git -C "$T/$r/app" init -q && git -C "$T/$r/app" checkout -q -b main; }
done
for sc in sbx-ok desktop-eci sysbox; do
	cai "$sc" -- run --dry-run --workspace "$T/one/app"
	n1=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
	cai "$sc" -- run --dry-run --workspace "$T/two/app"
	n2=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
	check "$sc: two repositories called app on main get two names ($n1, $n2)" \
		test -n "$n1" -a -n "$n2" -a "$n1" != "$n2"
done
cai sbx-ok -- stop --workspace "$T/two/app"
expect_match "stop from one app stops its own sandbox" "$(cat "$LOG")" "sbx stop containai-app-main-[0-9a-f]{8}\$"
expect_no_match "stop from one app never names the other's" "$(cat "$LOG")" "sbx stop $n1\$"
cai sbx-ok -- run --dry-run --workspace "$T/one/app" --name work
w1=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
cai sbx-ok -- run --dry-run --workspace "$T/two/app" --name work
w2=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
check "--name work from two workspaces: two sandboxes ($w1, $w2)" test "${w1%-*}" = work -a "$w1" != "$w2"

# Workspaces that would expose credentials are never mounted.
for bad in / "$HOMEDIR" "$HOMEDIR/.ssh"; do
	mkdir -p "$bad"
	cai sysbox -- run --dry-run --workspace "$bad"
	expect_eq "workspace $bad refused" "$RC" 1
done

# A workspace reached through a symlink is judged where it really is.
ln -s "$HOMEDIR" "$T/work/home-link"
mkdir -p "$HOMEDIR/.aws"
ln -s "$HOMEDIR/.aws" "$T/work/aws-link"
for bad in "$T/work/home-link" "$T/work/aws-link"; do
	cai sysbox -- run --dry-run --workspace "$bad"
	expect_eq "workspace symlink ${bad##*/} refused" "$RC" 1
done
# The host's own state, the config in use and the pinned engine's socket
# are never in a workspace, nor a workspace in them.
for bad in /etc /var/lib /run /home; do
	[ -d "$bad" ] || continue
	cai sysbox -- run --dry-run --workspace "$bad"
	expect_eq "workspace $bad refused" "$RC" 1
done
cai sysbox XDG_CONFIG_HOME="$WS/.config" -- run --dry-run
expect_eq "workspace holding the config in use (XDG_CONFIG_HOME): refused" "$RC" 1
expect_match "workspace holding the config in use: says which" "$ERR" "would expose $WS/.config/containai"
cai sysbox DOCKER_HOST="unix://$WS/docker.sock" -- run --dry-run
expect_eq "workspace holding the engine's socket (DOCKER_HOST): refused" "$RC" 1
cai sysbox CAI_FAKE_ENDPOINT="unix://$WS/run/docker.sock" -- run --dry-run
expect_eq "workspace holding the engine's socket (the context's endpoint): refused" "$RC" 1
expect_match "workspace holding the engine's socket: says which" "$ERR" "would expose $WS/run/docker.sock"
cai sysbox DOCKER_CONFIG="$WS/.docker" -- run --dry-run
expect_eq "workspace holding the docker CLI's config (DOCKER_CONFIG): refused" "$RC" 1
cai sysbox CAI_FAKE_ENDPOINT="unix://$T/elsewhere/docker.sock" -- run --dry-run
expect_eq "an engine socket elsewhere: accepted" "$RC" 0

# Hostile directory names: one word each, never an option, never a second
# mount option; '"' and ',' (CSV in --mount) are refused.
HOSTILE="$T/work/--privileged \$(id) ;x=y 'q'"
mkdir -p "$HOSTILE"
cai sysbox -- run --dry-run --workspace "$HOSTILE"
expect_eq "hostile directory name: accepted" "$RC" 0
words=$(eval "set -- $(sed -n 1p <<<"$OUT")"; for w in "$@"; do printf '<%s>\n' "$w"; done)
expect_match "hostile directory name: the mount is one word" "$words" \
	"^<type=bind,source=$T/work/--privileged \\\$\\(id\\) ;x=y 'q',target=/home/agent/workspace>\$"
expect_no_match "hostile directory name: no option of its own" "$words" '^<--privileged'
expect_match "hostile directory name: a sanitised name" "$OUT" ' --name containai-privileged-id-x-y-q-[0-9a-f]{8} '
for bad in "$T/work/a,readonly=false" "$T/work/a\"b"; do
	mkdir -p "$bad"
	cai sysbox -- run --dry-run --workspace "$bad"
	expect_eq "workspace ${bad##*/}: refused" "$RC" 1
done

# Gates: every combination of unsafe flags and acknowledgements in each mode.
flags=(--allow-host-credentials --i-understand-this-exposes-host-credentials
	--allow-host-docker-socket --i-understand-this-grants-root-access)
for sc in sbx-ok desktop-eci sysbox linux; do
	for bits in $(seq 0 15); do
		args=()
		for k in 0 1 2 3; do (((bits >> k) & 1)) && args+=("${flags[$k]}"); done
		[ "$sc" = linux ] && args+=(--force)
		cai "$sc" -- run --dry-run "${args[@]}"
		c=$((bits & 1)) ca=$(((bits >> 1) & 1)) s=$(((bits >> 2) & 1)) sa=$(((bits >> 3) & 1))
		label="gate $sc ${args[*]:-(none)}"
		if [ $c != $ca ] || [ $s != $sa ]; then
			expect_eq "$label: refused (ack mismatch)" "$RC" 1
			expect_match "$label: names the missing half" "$ERR" 'needs --i-understand|without --allow'
		elif [ $c = 0 ] && [ $s = 0 ]; then
			expect_eq "$label: allowed" "$RC" 0
		elif [ "$sc" = desktop-eci ]; then
			expect_eq "$label: allowed in eci" "$RC" 0
			[ $s = 1 ] && expect_match "$label: socket only when asked" "$OUT" '--mount-docker-socket'
			[ $c = 1 ] && expect_match "$label: credentials only when asked" "$OUT" '--credentials=host'
		else
			expect_eq "$label: refused outside eci" "$RC" 1
			expect_match "$label: says eci only" "$ERR" 'only available in ECI mode'
		fi
	done
done
cai desktop-eci -- run --dry-run
expect_no_match "eci without opt-ins: no socket, no host credentials" "$OUT" 'docker-socket|credentials'
# docker sandbox run re-enters a same-named sandbox as it was created: the
# one with the host's socket or credentials has a name of its own.
plain=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
cai desktop-eci -- run --dry-run --allow-host-docker-socket --i-understand-this-grants-root-access
expect_match "eci with the socket: a sandbox name of its own" "$OUT" " --name $plain-host-socket "
cai desktop-eci -- run --dry-run --allow-host-credentials --i-understand-this-exposes-host-credentials
expect_match "eci with credentials: a sandbox name of its own" "$OUT" " --name $plain-host-credentials "
# --name as well: `--name work` with the socket and a later plain
# `--name work` are two sandboxes.
cai desktop-eci -- run --dry-run --name work
wplain=$(sed -n 's/.* --name \([^ ]*\) .*/\1/p' <<<"$OUT")
cai desktop-eci -- run --dry-run --name work --allow-host-docker-socket --i-understand-this-grants-root-access
expect_match "eci --name with the socket: a sandbox name of its own" "$OUT" " --name $wplain-host-socket "
cai desktop-noname -- run --dry-run --allow-host-docker-socket --i-understand-this-grants-root-access
expect_eq "eci plugin without --name: the socket is refused" "$RC" 3
expect_match "eci plugin without --name: says why" "$ERR" 'has no --name'
cai desktop-noname -- run --dry-run
expect_eq "eci plugin without --name: a plain run still works" "$RC" 0

# Strict mode: --force is ineffective; isolation still works.
cai linux CONTAINAI_REQUIRE_ISOLATION=1 -- run --force --dry-run
expect_eq "strict: --force refused" "$RC" 1
expect_match "strict: says why" "$ERR" 'CONTAINAI_REQUIRE_ISOLATION=1 makes --force ineffective'
expect_no_match "strict: nothing created" "$(sandbox_calls)" ' run '
cai sysbox CONTAINAI_REQUIRE_ISOLATION=1 -- run --force --dry-run
expect_eq "strict with isolation: runs" "$RC" 0
cai linux -- run --force --dry-run
expect_eq "--force without strict: proceeds" "$RC" 0
expect_match "--force warns" "$ERR" 'WITHOUT isolation'

# Config: per-workspace sections, precedence and refused opt-ins.
mkdir -p "$T/xdg/containai"
cfg=$T/xdg/containai/config.ini
printf '[default]\nimage = from-default:1\ndata_volume = vol-default\n[workspace %s]\nimage = from-ws:1\n[workspace /elsewhere]\nimage = other:1\n' "$WS" >"$cfg"
cai sysbox -- run --dry-run
expect_match "config: workspace section beats [default]" "$OUT" ' from-ws:1 --sandbox$'
expect_match "config: [default] applies" "$OUT" 'source=vol-default,'
cai sysbox CONTAINAI_IMAGE=from-env:1 -- run --dry-run
expect_match "config: environment beats config" "$OUT" ' from-env:1 --sandbox$'
cai sysbox CONTAINAI_IMAGE=from-env:1 -- run --dry-run --image from-flag:1
expect_match "config: flag beats environment" "$OUT" ' from-flag:1 --sandbox$'
for key in allow_host_credentials allow_host_docker_socket i_understand_this_grants_root_access force; do
	printf '[default]\nimage = x:1\n%s = true\n' "$key" >"$cfg"
	cai desktop-eci -- run --dry-run
	expect_eq "config opt-in $key: refused" "$RC" 2
	expect_match "config opt-in $key: FILE:LINE" "$ERR" "config.ini:3: '$key' cannot be set in a config file"
done
printf '[default]\nrequire_isolation = true\n' >"$cfg"
cai linux -- run --force --dry-run
expect_eq "config: require_isolation from file" "$RC" 1
cai linux CONTAINAI_REQUIRE_ISOLATION=0 -- run --force --dry-run
expect_eq "config: strict mode from file survives CONTAINAI_REQUIRE_ISOLATION=0" "$RC" 1
# HOME unset or relative: strict mode in the config of the passwd entry's
# home still holds (the test's own passwd file, bound over /etc/passwd in
# a mount namespace of its own, gives the user a home in the scratch dir).
PWHOME=$T/pwhome
mkdir -p "$PWHOME/.config/containai"
printf '[default]\nrequire_isolation = true\n' >"$PWHOME/.config/containai/config.ini"
awk -F: -v OFS=: -v u="$(id -u)" -v h="$PWHOME" '$3 == u { $6 = h } { print }' /etc/passwd >"$T/passwd"
for home in unset HOME=relative; do
	vars=()
	[ "$home" = unset ] || vars=("$home")
	# shellcheck disable=SC2016 # for the inner shell
	(cd "$WS" && unshare -m sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' "$T/passwd" \
		env -i "${vars[@]}" PATH="$(bin_for linux)" CAI_FAKE_FIXTURES="$CAI_FAKE_FIXTURES" \
		CAI_FAKE_SCENARIO=linux CAI_FAKE_WS="$WS" "$LAUNCHER" run --force --dry-run >"$T/out" 2>"$T/err")
	expect_eq "config: strict mode from the passwd home's config with HOME ${home#HOME=}" "$?" 1
	expect_match "config: HOME ${home#HOME=}: says why" "$(cat "$T/err")" 'makes --force ineffective'
done
printf '[default]\nimage = -evil\n' >"$cfg"
cai linux -- doctor
expect_match "config: option-like value refused" "$ERR" "config.ini:2: image: '-evil' starts with '-'"
printf '[sandbox]\nimage = x\n' >"$cfg"
cai linux -- doctor
expect_match "config: unknown section" "$ERR" 'config.ini:1: unknown section \[sandbox\]'
rm -f "$cfg"

# Command line.
cai linux -- run --bogus
expect_eq "usage: unknown option" "$RC" 2
cai linux -- run --env NOTKEYVALUE
expect_eq "usage: --env needs KEY=VALUE" "$RC" 2
cai linux -- run --name 'bad name' --force --dry-run
expect_eq "usage: bad --name" "$RC" 2
cai linux -- version
expect_match "version" "$OUT" '^containai [0-9]+\.[0-9]+'
check "cai alias exists" test -L "$CAI_BUILD/cai"

# ---- day-to-day commands (the fake's container as the engine lists it) ----
cai sysbox CAI_FAKE_EXISTING=ours-running -- ls
expect_eq "ls: status" "$RC" 0
expect_match "ls: a table of sandboxes" "$OUT" $'^NAME +WORKSPACE +MODE +EGRESS +STATE +IMAGE +CREATED +SHAPE\ncontainai-listed +'"$WS"' +sysbox +off +running +containai:latest +2026-12-01T20:29:15Z +ok$'
cai sysbox CAI_FAKE_EXISTING=ours-running -- ls --json
expect_eq "ls --json: one array" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["shape"], d[0]["workspace"])' <<<"$OUT")" "1 ok $WS"
cai sysbox -- ls --json
expect_eq "ls --json: none" "$OUT" "[]"
cai sbx-ok -- ls
expect_match "ls in sbx mode: sbx ls" "$(cat "$LOG")" $'\nsbx ls$'
cai sbx-ok -- ls --json
expect_match "ls --json in sbx mode: refused" "$ERR" 'not available in sbx mode'

cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_EXEC_STATUS=5 -- exec -- false
expect_eq "exec: the command's status" "$RC" 5
expect_match "exec: joins by id as root through containai-init" "$(sandbox_calls)" \
	' exec -i -u 0:0 -w /home/agent/workspace 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef /usr/sbin/containai-init --join --wait 120 -- false$'
cai sysbox CAI_FAKE_EXISTING=ours-running -- shell
expect_match "shell: a login shell joins" "$(sandbox_calls)" \
	' /usr/sbin/containai-init --join --wait 120 -- /bin/sh -c command.*exec\\ bash\\ -l.*exec\\ sh\\ -l$'
cai sysbox -- exec -- true
expect_match "exec without a sandbox: says run creates it" "$ERR" 'containai run creates it'
expect_no_match "exec without a sandbox: nothing created" "$(sandbox_calls)" ' (run|start|exec) '
cai linux CAI_FAKE_EXISTING=ours-running -- shell
expect_eq "shell without isolation: refused like run" "$RC" 1
cai linux CAI_FAKE_EXISTING=ours-running -- shell --force
expect_eq "shell --force without isolation: entered" "$RC" 0
cai sbx-ok -- shell
expect_match "shell in sbx mode: not ours to enter" "$ERR" 'use sbx exec'

cai sysbox CAI_FAKE_EXISTING=ours-running -- logs -f --tail 3
expect_eq "logs: status" "$RC" 0
expect_match "logs: docker logs by id" "$(sandbox_calls)" ' logs --follow --tail 3 [0-9a-f]{64}$'

cai sysbox CAI_FAKE_EXISTING=ours-running -- rm
expect_eq "rm: status" "$RC" 0
expect_match "rm: the container by id, not the volume" "$(sandbox_calls | cut -d' ' -f4-)" $'rm -f [0-9a-f]{64}$'
expect_no_match "rm: the volume is kept" "$(sandbox_calls)" 'volume rm'
cai sysbox CAI_FAKE_EXISTING=ours-running -- rm --volume
expect_eq "rm --volume without a terminal or --yes: refused" "$RC" 1
expect_no_match "rm --volume unconfirmed: nothing removed" "$(sandbox_calls)" ' rm '
cai sysbox CAI_FAKE_EXISTING=ours-running -- rm --volume --yes
expect_match "rm --volume --yes: container, then volume" "$(sandbox_calls | cut -d' ' -f4-)" \
	$'rm -f [0-9a-f]{64}\nvolume rm containai-data$'
cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_VOLUME_USERS=someone-else -- rm --volume --yes
expect_eq "rm: a volume in use elsewhere is refused" "$RC" 3
expect_match "rm: names who uses it" "$ERR" 'volume containai-data is still used by someone-else'
expect_no_match "rm: a volume in use: nothing removed" "$(sandbox_calls)" ' rm '

# Our labels on a container shaped otherwise: listed as such, never
# entered; stopped, read and removed (that is how to get rid of it), but
# the volume it names is not removed.
for ex in not-sandbox privileged; do
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- ls
	expect_match "ours-$ex: ls says refused" "$OUT" ' refused: '
	for cmd in shell "exec true"; do
		# shellcheck disable=SC2086
		cai sysbox CAI_FAKE_EXISTING=ours-$ex -- $cmd
		expect_eq "ours-$ex: $cmd refused" "$RC" 3
		expect_no_match "ours-$ex: $cmd never entered" "$(sandbox_calls)" ' exec '
	done
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- run --dry-run
	expect_eq "ours-$ex: run refused" "$RC" 3
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- logs
	expect_eq "ours-$ex: logs read" "$RC" 0
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- stop
	expect_eq "ours-$ex: stopped" "$RC" 0
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- rm --volume --yes
	expect_match "ours-$ex: rm --volume refused" "$ERR" 'the volume it names is not removed'
	expect_no_match "ours-$ex: rm --volume removed nothing" "$(sandbox_calls)" ' rm '
	cai sysbox CAI_FAKE_EXISTING=ours-$ex -- rm
	expect_eq "ours-$ex: rm removes the container" "$RC" 0
done
for cmd in shell "exec true" logs stop rm; do
	# shellcheck disable=SC2086
	cai sysbox CAI_FAKE_EXISTING=foreign -- $cmd
	expect_eq "foreign: $cmd refused" "$RC" 3
	expect_no_match "foreign: $cmd touched nothing" "$(sandbox_calls)" ' (exec|logs|stop|rm) '
done

# With egress (the default; off above): run brings up the internal
# network, then the proxy beside it, then the sandbox on that network
# alone with a resolver that cannot answer; the policy and the key reach
# the proxy on its stdin, never in a word of any command.  The proxy and
# the network then live with the sandbox: shell and exec join it through
# the proxy, stop stops both, logs --egress reads the proxy's, rm removes
# all three.
ES=$T/egress-state
rm -rf "$ES" && mkdir -p "$ES"
KEY=sk-ant-proc0123456789abcdef
cai sysbox CONTAINAI_EGRESS=balanced CAI_FAKE_STATE="$ES" ANTHROPIC_API_KEY=$KEY -- run --detach
expect_eq "egress run: status" "$RC" 0
calls=$(sandbox_calls)
order=$(grep -n -e ' network create --internal ' -e ' run -d --name [^ ]*-egress ' \
	-e ' run -d --name containai-my-project-[0-9a-f]\{8\} ' -e ' exec -i --user proxy ' <<<"$calls" |
	sed -E 's/^([0-9]+):.* (network create|run -d --name [^ ]*-egress|run -d --name [^ ]*|exec -i --user proxy) .*/\2/;s/--name [^ ]*-egress/proxy/;s/--name [^ ]*/sandbox/')
# The network and the proxy are created side by side: in either order.
order=$(sed -n 1,2p <<<"$order" | sort; sed -n '3,$p' <<<"$order")
expect_eq "egress run: network and proxy, the sandbox, then the policy loaded" "$order" \
	$'network create\nrun -d proxy\nrun -d sandbox\nexec -i --user proxy'
expect_match "egress run: the proxy created on its way out" "$calls" \
	' run -d --name (containai-my-project-[0-9a-f]{8})-egress .*--network bridge '
expect_match "egress run: the proxy joins the internal network" "$calls" \
	' network connect (containai-my-project-[0-9a-f]{8}-egress) \1$'
expect_match "egress run: the proxy labelled for its sandbox" "$calls" \
	' run -d --name (containai-my-project-[0-9a-f]{8})-egress .*--label containai.egress-for=\1 '
expect_match "egress run: the sandbox on its network alone, with the dead resolver" "$calls" \
	' run -d --name containai-my-project-[0-9a-f]{8} .*--label containai.egress=balanced .*--network containai-my-project-[0-9a-f]{8}-egress --dns 192.0.2.1 '
expect_no_match "egress run: the sandbox publishes nothing itself" "$(grep ' run -d --name containai-my-project-[0-9a-f]\{8\} ' <<<"$calls")" ' --publish '
expect_no_match "egress run: the key is in no command" "$(cat "$LOG")" "$KEY"
expect_match "egress run: the proxy was given the key on its stdin" "$(cat "$ES/egress.conf")" "x-api-key \"$KEY\""
cai sysbox CAI_FAKE_STATE="$ES" -- exec -- true
expect_eq "egress exec: status" "$RC" 0
expect_match "egress exec: joined through the proxy's address" "$(sandbox_calls)" \
	' exec -i -u 0:0 .*-e HTTPS_PROXY=http://172\.30\.0\.2:3128 .*-e https_proxy=http://172\.30\.0\.2:3128 '
expect_no_match "egress exec: a running proxy is not reloaded" "$(sandbox_calls)" ' exec -i --user proxy '
cai sysbox CAI_FAKE_STATE="$ES" -- logs --egress
expect_match "egress logs --egress: the proxy's log" "$(sandbox_calls)" ' logs abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789$'
cai sysbox CAI_FAKE_STATE="$ES" -- stop
expect_match "egress stop: the sandbox" "$(sandbox_calls)" ' stop 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
expect_match "egress stop: and its proxy" "$(sandbox_calls)" ' stop abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789'
cai sysbox CAI_FAKE_STATE="$ES" -- rm
expect_eq "egress rm: status" "$RC" 0
expect_match "egress rm: the proxy, the sandbox and the network" "$(sandbox_calls)" \
	$' rm -f abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n.* rm -f 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n.* network rm 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff$'
# A sandbox with egress whose proxy was stopped: exec starts it and loads
# the policy again before anything joins.
rm -rf "$ES" && mkdir -p "$ES"
cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced CAI_FAKE_EGRESS=ours-stopped \
	CAI_FAKE_NETWORK=ours CAI_FAKE_STATE="$ES" -- exec -- true
expect_eq "egress proxy stopped: exec status" "$RC" 0
order=$(grep -o -e ' start abcdef[0-9a-f]*' -e ' exec -i --user proxy' -e ' exec -i -u 0:0' <<<"$(sandbox_calls)" | tr -d ' ' | cut -c1-10)
expect_eq "egress proxy stopped: started, loaded, then joined" "$order" $'startabcde\nexec-i--us\nexec-i-u0:'
# A proxy an older containai made (before it served only its sandbox's
# network) is never loaded or entered through: run and exec say to
# recreate it, and --restart does.
older_proxy() {
	rm -rf "$ES" && mkdir -p "$ES"
	cai sysbox CONTAINAI_EGRESS=balanced CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced \
		CAI_FAKE_EGRESS=ours-format-1 CAI_FAKE_NETWORK=ours CAI_FAKE_STATE="$ES" -- "$@"
}
older_proxy run --detach
expect_match "older proxy: run says to recreate it" "$ERR" 'made by another version of containai .*use --restart'
expect_no_match "older proxy: run loads nothing" "$(sandbox_calls)" ' exec '
older_proxy exec -- true
expect_match "older proxy: exec says to recreate it" "$ERR" 'made by another version of containai .*use --restart'
expect_no_match "older proxy: exec loads and enters nothing" "$(sandbox_calls)" ' exec '
older_proxy run --detach --restart
expect_match "older proxy: --restart removes it" "$(sandbox_calls)" ' rm -f abcdef0123456789abcdef'
expect_match "older proxy: --restart makes one of this format" "$(sandbox_calls)" \
	' run -d --name [^ ]*-egress .*--label containai.egress-format=2 '
# What holds the proxy's or the network's name must be ours: never used,
# stopped or removed otherwise, and run creates nothing beside it.
for what in "CAI_FAKE_EGRESS=foreign" "CAI_FAKE_NETWORK=foreign"; do
	rm -rf "$ES" && mkdir -p "$ES"
	cai sysbox CONTAINAI_EGRESS=balanced "$what" -- run --detach
	expect_eq "egress $what: run refused" "$RC" 3
	expect_no_match "egress $what: run created nothing" "$(sandbox_calls)" ' (run -d|network create|rm|network rm) '
done
cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced CAI_FAKE_EGRESS=foreign CAI_FAKE_NETWORK=ours -- rm
expect_no_match "egress: rm never removes a proxy not ours" "$(sandbox_calls)" ' rm -f abcdef'
cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced CAI_FAKE_EGRESS=foreign CAI_FAKE_NETWORK=ours -- logs --egress
expect_no_match "egress: logs --egress never reads a proxy not ours" "$(sandbox_calls)" ' logs '
cai sysbox CAI_FAKE_EXISTING=ours-running CAI_FAKE_SANDBOX_EGRESS=balanced CAI_FAKE_EGRESS=none CAI_FAKE_NETWORK=ours -- exec -- true
expect_no_match "egress: a proxy that never comes up: the sandbox is not entered" "$(sandbox_calls)" ' exec -i -u 0:0 '

cai linux -- completion bash
expect_match "completion: bash" "$OUT" 'complete -F _containai containai cai'
bash -n <<<"$OUT"
expect_eq "completion: the bash script parses" "$?" 0
cai linux -- completion fish
expect_match "completion: fish" "$OUT" '^complete -c containai'
cai linux -- completion csh
expect_eq "completion: another shell is a usage error" "$RC" 2

# import: the allow-list under a fake home, through one throwaway
# container with no network and each file bound read-only by itself.
mkdir -p "$HOMEDIR/.claude/skills/one" "$T/elsewhere"
echo '{}' >"$HOMEDIR/.claude/settings.json"
echo skill >"$HOMEDIR/.claude/skills/one/SKILL.md"
echo key >"$T/elsewhere/id_rsa"
ln -s "$T/elsewhere/id_rsa" "$HOMEDIR/.claude/skills/one/leak"
echo '{"t":1}' >"$HOMEDIR/.claude/.credentials.json"
printf '[user]\n\tname = Dev\n\temail = dev@example.org\n[credential]\n\thelper = store\n' >"$HOMEDIR/.gitconfig"
cai sysbox -- import --dry-run
expect_eq "import --dry-run: what would go where" "$OUT" "$HOMEDIR/.claude/settings.json -> claude/settings.json
$HOMEDIR/.claude/skills/one/SKILL.md -> claude/skills/one/SKILL.md
git identity (user.name, user.email) -> git/config"
expect_match "import: a symlink out of the list is skipped, and said" "$ERR" "leak: skipped: a symlink to $T/elsewhere/id_rsa"
expect_match "import: a credential waits for --with-credentials" "$ERR" 'credentials.json: a credential, copied only with --with-credentials'
expect_no_match "import --dry-run: nothing ran" "$(sandbox_calls)" ' run '
cai sysbox -- import --with-credentials
expect_eq "import: status" "$RC" 0
RUN=$(sandbox_calls | grep ' run ' | sed 's/\\,/,/g')
expect_match "import: one container, no network, removed after" "$RUN" '^docker --context default run --rm --network none --pull=never -u 0:0 --security-opt no-new-privileges '
expect_match "import: the data volume" "$RUN" ' --mount type=volume,source=containai-data,target=/mnt/agent-data '
expect_match "import: each file bound read-only by itself" "$RUN" \
	"type=bind,source=$HOMEDIR/.claude/settings.json,target=/run/containai-import/0,readonly .*type=bind,source=$HOMEDIR/.claude/skills/one/SKILL.md,target=/run/containai-import/1,readonly "
expect_match "import: containai-init writes" "$RUN" ' --entrypoint /usr/sbin/containai-init containai:latest --import /run/containai-import/list$'
expect_no_match "import: nothing outside the list is bound" "$RUN" 'elsewhere|\.ssh|\.gitconfig'
expect_match "import: the credential is named before it is copied" "$ERR" 'copying the credential .*\.credentials\.json'
expect_eq "import: the private directory is gone" "$(compgen -G "/tmp/containai-import.*" | while read -r d; do [ -O "$d" ] && grep -l "$HOMEDIR" "$d"/list 2>/dev/null; done)" ""
cai sbx-ok -- import
expect_match "import in sbx mode: refused" "$ERR" 'not available in sbx mode'
