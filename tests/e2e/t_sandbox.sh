#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox model and the day-to-day commands on the local engine (mode
# none, so every command carries --force where it starts something): a
# sandbox is containai-init --sandbox as PID 1, kept between runs; every
# command enters it through containai-init --join.  Each sandbox, volume
# and container created carries the prefix "sandbox-e2e" and is removed
# again.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=${CAI_SANDBOX_E2E_PREFIX:-sandbox-e2e}
# The sandbox model alone, on the engine's network: its egress proxy and
# network, with it, are e2e/t_egress's.
export CONTAINAI_EGRESS=off
: "${CAI_TEST_IMAGE:=$P-test:scratch}"
SCRATCH_IMAGE=$CAI_TEST_IMAGE
IMAGE=$P-test:hardened
T=$(scratch_dir)
WS=$T/workspace
mkdir -p "$WS"
chmod 0777 "$WS"
NAME=$P-main
VOL=$P-vol

cleanup() {
	docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
	docker volume ls -q --filter "name=^$P-" | xargs -r docker volume rm >/dev/null 2>&1
	docker image rm "$IMAGE" "$CAI_TEST_IMAGE" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# cai ARGS...: the launcher in the workspace, against the hardened test
# image and its volume; sets OUT, ERR, RC.
cai() {
	(cd "$WS" && CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE CONTAINAI_IMAGE=$IMAGE CONTAINAI_DATA_VOLUME=$VOL \
		timeout 120 "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# in_sandbox CMD...: a look from outside, as root (not through containai).
in_sandbox() { docker exec "$CNAME" "$@" 2>/dev/null; }

status_lines() { grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):'; }

if ! ensure_scratch_image || ! ensure_hardened_image "$IMAGE"; then
	fail "test images" "could not build $CAI_TEST_IMAGE and $IMAGE"
	exit 1
fi
docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null

# cname NAME: the container `--name NAME` stands for in this workspace,
# NAME-HASH (HASH from the workspace's path), as the launcher would create it.
cname() {
	cai run --force --dry-run --name "$1"
	sed -n 's/.* run -d --name \([^ ]*\) .*/\1/p' <<<"$OUT"
}
CNAME=$(cname "$NAME")
SMALL=$(cname "$P-small")
WEB=$(cname "$P-web")
WIDE=$(cname "$P-wide")
OWN=$(cname "$P-own")
FORGED=$(cname "$P-forged")

# ---- the model -----------------------------------------------------------------
cai run --force --detach --name "$NAME"
expect_eq "run --detach: the sandbox is created" "$RC" 0
expect_eq "the sandbox's PID 1 is containai-init --sandbox" "$(in_sandbox cat /proc/1/cmdline | tr '\0' ' ')" \
	"/usr/sbin/containai-init --sandbox "
expect_eq "nothing but PID 1 keeps it up" "$(in_sandbox ps -o pid,args | awk 'NR > 1 && $2 != "ps" { print $1 }')" 1

START=$(docker run --rm --security-opt no-new-privileges --mount "type=volume,source=$VOL,target=/mnt/agent-data" \
	--mount "type=bind,source=$WS,target=/home/agent/workspace" "$IMAGE" cat /proc/self/status 2>/dev/null | status_lines)
cai exec --force --name "$NAME" -- cat /proc/self/status
expect_eq "exec: a joined process runs" "$RC" 0
expect_eq "a joined process has the status lines of a started one" "$(printf '%s\n' "$OUT" | status_lines)" "$START"
expect_match "a joined process is the agent, unprivileged, filtered" "$(printf '%s\n' "$OUT" | status_lines | tr -s '\t' ' ')" \
	$'Uid: 1000 1000 1000 1000\n.*CapEff: 0000000000000000\n.*NoNewPrivs: 1\nSeccomp: 2'
# Calls the engine's own profile lets through and containai-init's denies.
cai exec --force --name "$NAME" -- seccomp_probe deny
probe() { printf '%s\n' "$OUT" | awk -v c="$1" '$1 == c { print $2 }'; }
expect_eq "a joined process gets the filter's errno" "$(probe ioctl_tiocsti) $(probe personality_linux32)" "1 1"
cai exec --force --name "$NAME" -- pwd
expect_eq "a joined process starts in the workspace" "$OUT" /home/agent/workspace
# docker exec as someone else than root: --join gives nothing.
expect_eq "a join not started as root is refused" \
	"$(docker exec -u 1000 "$CNAME" /usr/sbin/containai-init --join -- id -u >/dev/null 2>&1; echo $?)" 125

cai exec --force --name "$NAME" -- sh -c 'exit 42'
expect_eq "exec: the status passes through" "$RC" 42

# Two joined shells at once: each waits for the other's mark.
# shellcheck disable=SC2016 # the scripts are the sandbox's shell's to expand
(cd "$WS" && printf 'touch /tmp/shell-a; i=0; while [ ! -e /tmp/shell-b ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; test -e /tmp/shell-b && echo A\n' |
	CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE CONTAINAI_IMAGE=$IMAGE CONTAINAI_DATA_VOLUME=$VOL \
	timeout 60 "$LAUNCHER" shell --force --name "$NAME" >"$T/a" 2>/dev/null) &
ja=$!
(cd "$WS" && printf 'touch /tmp/shell-b; i=0; while [ ! -e /tmp/shell-a ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; test -e /tmp/shell-a && echo B\n' |
	CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE CONTAINAI_IMAGE=$IMAGE CONTAINAI_DATA_VOLUME=$VOL \
	timeout 60 "$LAUNCHER" shell --force --name "$NAME" >"$T/b" 2>/dev/null) &
jb=$!
wait "$ja" "$jb"
expect_eq "two joined shells at once" "$(cat "$T/a" "$T/b" | tr -d '\r' | tr '\n' ' ')" "A B "

# A shell on a terminal: docker exec -it, a login shell in the workspace.
# shellcheck disable=SC2016
(cd "$WS" && printf 'echo "tty=$(tty) uid=$(id -u) pwd=$(pwd)"; exit 3\n' |
	CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE CONTAINAI_IMAGE=$IMAGE CONTAINAI_DATA_VOLUME=$VOL \
	timeout 60 script -qec "$LAUNCHER shell --force --name $NAME" /dev/null >"$T/pty" 2>&1)
RC=$?
OUT=$(tr -d '\r' <"$T/pty")
expect_match "shell via a pty: a terminal, the agent, the workspace" "$OUT" \
	'tty=/dev/pts/[0-9]+ uid=1000 pwd=/home/agent/workspace'
expect_eq "shell via a pty: its status passes through" "$RC" 3

# Ctrl-C in a joined process reaches it only: not PID 1, not another
# joined process.
cai run --force --detach --name "$NAME" -- sh -c 'trap "touch /tmp/other-got-int" INT; while :; do sleep 0.2; done'
OUT=$(cd "$WS" && CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE CONTAINAI_IMAGE=$IMAGE CONTAINAI_DATA_VOLUME=$VOL \
	timeout 60 "$HELPERS/ptyctl" "$LAUNCHER" exec --force --name "$NAME" -- \
	sh -c 'trap "exit 130" INT; echo ready; while :; do sleep 0.2; done' 2>&1 | tr -d '\r')
expect_eq "Ctrl-C: the joined process ended with 130" "$(printf '%s\n' "$OUT" | tail -n 1)" 130
sleep 0.5
expect_eq "Ctrl-C: another joined process did not get it" "$(in_sandbox ls /tmp/other-got-int)" ""
expect_match "Ctrl-C: the other joined process still runs" "$(in_sandbox ps -o args)" 'touch /tmp/other-got-int'
expect_eq "Ctrl-C: PID 1 still runs" "$(docker inspect -f '{{.State.Running}}' "$CNAME")" true

# A stopped sandbox re-entered with a command: started (prepared again),
# the command runs once and its status comes back.
cai stop --name "$NAME"
expect_eq "stop" "$RC" 0
expect_eq "stopped" "$(docker inspect -f '{{.State.Running}}' "$CNAME")" false
cai run --force --name "$NAME" -- sh -c 'echo ran >>/home/agent/workspace/runs; exit 7'
expect_eq "stopped sandbox re-entered with a command: its status" "$RC" 7
expect_eq "stopped sandbox re-entered with a command: it ran once" "$(cat "$WS/runs" 2>/dev/null)" ran
expect_eq "re-entered: the same container, running again" "$(docker inspect -f '{{.State.Running}}' "$CNAME")" true
expect_eq "re-entered: prepared again (a second mark of preparation)" \
	"$(docker logs "$CNAME" 2>&1 | grep -c 'sandbox prepared')" 2

# ---- the commands ----------------------------------------------------------------
cai ls
expect_match "ls: the sandbox, ours and shaped" "$OUT" "^$CNAME +$WS +none +off +running +$IMAGE +[0-9T:.Z-]+ +ok\$"
cai ls --json
expect_eq "ls --json" "$(python3 -c 'import json,sys; d=[r for r in json.load(sys.stdin) if r["name"] == sys.argv[1]]; print(d[0]["state"], d[0]["shape"])' "$CNAME" <<<"$OUT")" "running ok"
cai logs --name "$NAME" --tail 5
expect_match "logs: what PID 1 said" "$OUT$ERR" 'sandbox prepared: processes may join'

# The memory limit is the sandbox's own; the defaults are there without flags.
expect_match "default limits: memory, CPUs and processes" \
	"$(docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' "$CNAME")" '^[1-9][0-9]+ [1-9][0-9]+ 4096$'
cai run --force --detach --name "$P-small" --memory 256m --pids-limit 64
cai exec --force --name "$P-small" -- sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
expect_eq "the memory limit is visible in the sandbox" "$OUT" 268435456

# A fork bomb inside ends at the sandbox's own pids limit; the host still
# forks.  (forkloop forks without end and never gives up on a failed fork,
# each child staying: a shell's bomb burns itself out at the limit.)
cai run --force --detach --name "$P-small" --memory 256m --pids-limit 64 -- forkloop 100000 100
pid1=$(docker inspect -f '{{.State.Pid}}' "$SMALL")
pids_file=/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid1/cgroup")/pids.current
[ -r "$pids_file" ] || pids_file=/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid1/cgroup")/pids.current
peak=0
for _ in $(seq 1 30); do
	n=$(cat "$pids_file" 2>/dev/null || echo 0)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.1
done
expect_eq "fork bomb: it reached the sandbox's limit and no further" "$peak" 64
forked=0
for _ in $(seq 1 50); do /bin/true && forked=$((forked + 1)); done
expect_eq "fork bomb: the host still forks" "$forked" 50
cai stop --name "$P-small"
expect_eq "fork bomb: the sandbox stops" "$(docker inspect -f '{{.State.Running}}' "$SMALL")" false

# Published ports: 127.0.0.1 unless an address is asked for, with a warning.
port=$((20000 + $$ % 20000))
echo "served" >"$WS/index.html"
cai run --force --detach --name "$P-web" --publish "$port:8000" -- httpd -f -p 8000 -h /home/agent/workspace
expect_eq "publish: run" "$RC" 0
get() { python3 -c 'import sys, urllib.request
try: print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip())
except Exception as e: print("unreachable")' "$1"; }
for _ in $(seq 1 20); do [ "$(get "http://127.0.0.1:$port/index.html")" = served ] && break; sleep 0.2; done
expect_eq "publish: reachable on 127.0.0.1" "$(get "http://127.0.0.1:$port/index.html")" served
other=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
if [ -n "$other" ]; then
	expect_eq "publish: not reachable on another address of this machine" "$(get "http://$other:$port/index.html")" unreachable
else
	fail "publish: not reachable elsewhere" "this machine has no non-loopback IPv4 address to try"
fi
expect_eq "publish: bound to 127.0.0.1" \
	"$(docker inspect -f '{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}{{.HostIp}}{{end}}{{end}}' "$WEB")" 127.0.0.1
cai run --force --name "$P-web" -- true
expect_match "publish: run without the port is not what created it" "$ERR" 'published ports are not the ones asked for'
cai run --force --detach --name "$P-wide" --publish "0.0.0.0:$((port + 1)):8000"
expect_match "publish on another interface: a warning" "$ERR" 'reachable from other machines'

# rm: the container alone, or with its volume after --yes, never a volume
# another container uses.
cai rm --name "$P-web"
expect_eq "rm: removed" "$RC:$(docker ps -aq --filter "name=^$WEB\$")" "0:"
expect_eq "rm: the volume is kept" "$(docker volume ls -q --filter "name=^$VOL\$")" "$VOL"
cai rm --name "$P-wide" --volume --yes
expect_eq "rm --volume: a volume another sandbox uses is refused" "$RC" 3
expect_match "rm --volume: says who uses it" "$ERR" "still used by"
expect_eq "rm --volume refused: nothing removed" "$(docker ps -aq --filter "name=^$WIDE\$" | wc -l)" 1
cai run --force --detach --name "$P-own" --data-volume "$P-ownvol"
cai rm --name "$P-own" --volume
expect_eq "rm --volume without --yes or a terminal: refused" "$RC" 1
cai rm --name "$P-own" --volume --yes
expect_eq "rm --volume --yes: removed" "$RC" 0
expect_eq "rm --volume --yes: the container is gone" "$(docker ps -aq --filter "name=^$OWN\$")" ""
expect_eq "rm --volume --yes: the volume is gone" "$(docker volume ls -q --filter "name=^$P-ownvol\$")" ""

# ---- our labels on a container shaped otherwise -------------------------------------
docker run -d --name "$FORGED" --cap-add SYS_ADMIN --label containai.managed=true --label "containai.workspace=$WS" \
	--label containai.mode=none --security-opt no-new-privileges --memory 256m --cpus 1 --pids-limit 64 \
	--mount "type=volume,source=$VOL,target=/mnt/agent-data" --mount "type=bind,source=$WS,target=/home/agent/workspace" \
	--entrypoint /usr/sbin/containai-init "$IMAGE" --sandbox >/dev/null
cai ls
expect_match "forged: ls lists it as refused" "$OUT" "^$FORGED .* refused: it has added capabilities or devices\$"
for cmd in shell exec run; do
	args=()
	[ "$cmd" = exec ] && args=(true)
	cai "$cmd" --force --name "$P-forged" "${args[@]}"
	expect_eq "forged: $cmd refused" "$RC" 3
	expect_match "forged: $cmd says why" "$ERR" 'added capabilities'
done
expect_eq "forged: never entered" "$(docker inspect -f '{{len .ExecIDs}}' "$FORGED")" 0
cai logs --name "$P-forged"
expect_eq "forged: logs read" "$RC" 0
cai rm --name "$P-forged" --volume --yes
expect_match "forged: rm --volume refused" "$ERR" 'the volume it names is not removed'
cai stop --name "$P-forged"
expect_eq "forged: stopped" "$RC" 0
cai rm --name "$P-forged"
expect_eq "forged: rm removes the container" "$RC:$(docker ps -aq --filter "name=^$FORGED\$")" "0:"
expect_eq "forged: the volume stays" "$(docker volume ls -q --filter "name=^$VOL\$")" "$VOL"

# ---- import -------------------------------------------------------------------------
# A fake home: symlinks pointing outside the list, a credential, a
# gitconfig with a credential helper and an [include].
FH=$T/home
mkdir -p "$FH/.claude/skills/one" "$FH/.codex" "$T/secrets"
echo '{"from":"host"}' >"$FH/.claude/settings.json"
echo "a skill" >"$FH/.claude/skills/one/SKILL.md"
echo "PRIVATE KEY" >"$T/secrets/id_rsa"
ln -s "$T/secrets/id_rsa" "$FH/.claude/skills/one/key"
ln -s "$T/secrets" "$FH/.claude/skills/secrets"
ln -s /etc/shadow "$FH/.claude/CLAUDE.md"
echo '{"token":"t0ken"}' >"$FH/.codex/auth.json"
printf '[user]\n\tname = Host User\n\temail = host@example.org\n[credential]\n\thelper = store\n[include]\n\tpath = %s/secrets/more\n' "$T" >"$FH/.gitconfig"
printf '[user]\n\tname = Included\n[core]\n\tsshCommand = ssh -i /x\n' >"$T/secrets/more"
IVOL=$P-importvol
(cd "$WS" && HOME=$FH CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE timeout 120 "$LAUNCHER" import --image "$IMAGE" \
	--data-volume "$IVOL" </dev/null >"$T/out" 2>"$T/err")
expect_eq "import: status" "$?" 0
vol_look() { docker run --rm --network none -v "$IVOL:/d:ro" --entrypoint /bin/sh "$CAI_TEST_IMAGE" -c "cd /d && $1" 2>&1; }
expect_eq "import: the settings and the skill" "$(vol_look 'cat claude/settings.json claude/skills/one/SKILL.md')" \
	'{"from":"host"}
a skill'
expect_eq "import: owned by the agent" "$(vol_look 'stat -c %u:%g claude/settings.json claude/skills/one/SKILL.md' | sort -u)" 1000:1000
expect_eq "import: no symlink out of the list followed" \
	"$(vol_look 'ls claude/skills/one; ls claude/skills; grep -rl "PRIVATE KEY" . ; test -s claude/CLAUDE.md && echo CLAUDE.md')" \
	"SKILL.md
one"
expect_eq "import: git identity only, no helper, no include" "$(vol_look 'cat git/config')" '[user]
	name = "Host User"
	email = "host@example.org"'
expect_eq "import: no credential without --with-credentials" "$(vol_look 'cat codex/auth.json 2>/dev/null')" ""
(cd "$WS" && HOME=$FH CONTAINAI_PROBE_IMAGE=$CAI_TEST_IMAGE timeout 120 "$LAUNCHER" import --image "$IMAGE" \
	--data-volume "$IVOL" --with-credentials </dev/null >"$T/out" 2>"$T/err")
expect_match "import --with-credentials: each credential named first" "$(cat "$T/err")" "copying the credential $FH/.codex/auth.json"
expect_eq "import --with-credentials: the credential, the agent's alone" "$(vol_look 'stat -c "%a %u" codex/auth.json; cat codex/auth.json')" \
	'600 1000
{"token":"t0ken"}'
docker volume rm "$IVOL" >/dev/null

cai rm --name "$P-small"
cai rm --name "$P-wide"
cai rm --name "$NAME" --volume --yes
expect_eq "the last sandbox takes its volume" "$RC:$(docker volume ls -q --filter "name=^$VOL\$")" "0:"
