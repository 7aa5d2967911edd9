#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox model on the real binary, as root: `containai-init --sandbox`
# as PID 1 of a new PID namespace (prepare, mark, stay up, reap, stop) and
# `containai-init --join` entering it through nsenter as `docker exec`
# enters a container.  The suite runs in a mount namespace of its own with
# a tmpfs on /run, where the sandbox keeps its mark.
. "$(dirname "$0")/../lib.sh"

if [ -z "${CAI_SANDBOX_NS:-}" ]; then
	CAI_SANDBOX_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755 tmpfs /run || { fail "setup" "cannot mount a tmpfs on /run"; exit 1; }

D=$(scratch_dir)
chmod 755 "$D"
PROBE=$D/seccomp_probe
cp "$HELPERS/seccomp_probe" "$PROBE"
MARK=/run/containai/prepared
mkdir -p "$D/vol" "$D/ws" "$D/home/workspace" "$D/out"
chmod 1777 "$D/out"
echo "JOINED_FROM_ENV=yes" >"$D/vol/.env"
echo "from the workspace" >"$D/ws/hello"
mount --bind "$D/ws" "$D/home/workspace"
trap 'umount "$D/home/workspace"; cleanup_scratch' EXIT

# The shipped policy and an unprivileged identity, a data volume with a
# .env and a workspace bound at its link: every step a join repeats.
cat >"$D/cfg.ini" <<EOF
[init]
grace = 2
[volume]
root = $D/vol
manifest =
owner = 1000:1000
require_mount = false
[env]
file = .env
[workspace]
link = $D/home/workspace
required = true
[user]
uid = 1000
gid = 1000
[security]
seccomp = $CAI_ROOT/policy/seccomp.policy
EOF
printf '[workspace]\nlink = %s/nowhere/workspace\nrequired = true\n' "$D" >"$D/broken.ini"

SBX_UNSHARE= SBX_PID=
# sandbox_start CFG [INIT-OPTIONS...]: the sandbox as PID 1 of a new PID
# namespace, its log in $D/sandbox.log; SBX_PID is PID 1 as the host sees it.
sandbox_start() {
	local cfg=$1 _
	shift
	rm -f "$MARK"
	unshare --pid --fork --mount-proc "$INIT" -c "$cfg" "$@" --sandbox 2>"$D/sandbox.log" &
	SBX_UNSHARE=$!
	SBX_PID=
	for _ in $(seq 1 100); do
		SBX_PID=$(pgrep -P "$SBX_UNSHARE" | head -n 1)
		[ -n "$SBX_PID" ] && [ -e "$MARK" ] && return 0
		kill -0 "$SBX_UNSHARE" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# sandbox_stop: SIGTERM to PID 1 (docker stop); its status in SBX_RC.
sandbox_stop() {
	kill -TERM "$SBX_PID" 2>/dev/null
	wait "$SBX_UNSHARE"
	SBX_RC=$?
}

# join [JOIN-OPTIONS...] -- CMD...: like `docker exec`, from outside into
# the sandbox's namespaces; stdout in OUT, stderr in ERR, status in RC.
join() {
	OUT=$(nsenter -t "$SBX_PID" -p -m "$INIT" -c "$D/cfg.ini" --join "$@" 2>"$D/err")
	RC=$?
	ERR=$(cat "$D/err")
}

status_lines() {
	grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):'
}

# --- the sandbox comes up and says so ---------------------------------------
if ! sandbox_start "$D/cfg.ini"; then
	fail "sandbox starts" "no mark: $(cat "$D/sandbox.log")"
	exit 1
fi
pass "sandbox starts"
expect_eq "the mark is root's alone" "$(stat -c '%u %a' /run/containai "$MARK" | tr '\n' ' ')" "0 700 0 600 "
expect_eq "the mark names the kernel's boot, PID 1's start and the config" \
	"$(cut -d' ' -f1,3- "$MARK")" "$(cat /proc/sys/kernel/random/boot_id) $D/cfg.ini"
# Nothing but PID 1 holds the sandbox up: no keeper for the agent to kill.
# (ps itself is in the namespace too: it is left out.)
expect_eq "a sandbox with nothing joined is PID 1 alone" \
	"$(nsenter -t "$SBX_PID" -p -m ps -e -o pid=,comm= | awk '$2 != "ps" { print $1, $2 }')" "1 containai-init"

# --- a joined process is hardened exactly as a started one ------------------
START=$("$INIT" -c "$D/cfg.ini" -- cat /proc/self/status 2>/dev/null | status_lines)
join -- cat /proc/self/status
expect_eq "join: exit 0" "$RC" 0
expect_eq "join: same status lines as a start" "$(printf '%s\n' "$OUT" | status_lines)" "$START"
expect_match "join: runs as uid 1000" "$OUT" $'Uid:\t1000\t1000\t1000\t1000'
expect_match "join: under the seccomp filter" "$OUT" $'Seccomp:\t2'
join -- "$PROBE" deny
probe_errno() { printf '%s\n' "$OUT" | awk -v c="$1" '$1 == c { print $2 }'; }
expect_eq "join: the filter's errno (mount gets EPERM, clone3 ENOSYS)" \
	"$(probe_errno mount) $(probe_errno clone3)" "1 38"
OUT=$(nsenter -t "$SBX_PID" -p -m "$INIT" -c "$D/cfg.ini" --join -- "$PROBE" fds 5</dev/null 7>"$D/leak" 2>/dev/null)
expect_eq "join: only descriptors 0-2 reach the command" "$(echo $OUT)" "0 1 2"
join -- sh -c 'echo "$JOINED_FROM_ENV $(pwd) $(cat hello)"'
expect_eq "join: the .env environment, in the workspace" "$OUT" "yes $D/home/workspace from the workspace"
JOINED_FROM_ENV=engine join -- sh -c 'echo "$JOINED_FROM_ENV"'
expect_eq "join: the exec's own variables win over .env" "$OUT" engine

# --- status and refusals -------------------------------------------------------
join -- sh -c 'exit 7'
expect_eq "join: exit status passes through" "$RC" 7
join -- sh -c 'kill -USR1 $$'
expect_eq "join: death by signal N gives 128+N" "$RC" 138
PATH=/usr/bin:/bin join -- no-such-command-here
expect_eq "join: command not found gives 127" "$RC" 127
OUT=$(nsenter -t "$SBX_PID" -p -m setpriv --reuid 1000 --regid 1000 --clear-groups \
	"$INIT" -c "$D/cfg.ini" --join -- id -u 2>"$D/err")
RC=$?
expect_eq "join: a caller that is not root is refused" "$RC:$OUT" "125:"
expect_match "join: says it must be root" "$(cat "$D/err")" 'must be started as root'
printf '[init]\ngrace = 2\n' >"$D/other.ini"
OUT=$(nsenter -t "$SBX_PID" -p -m "$INIT" -c "$D/other.ini" --join -- true 2>&1)
expect_match "join: another config than the start's is refused" "$OUT" "prepared with config '$D/cfg.ini'"

# The agent cannot take the sandbox down: PID 1 is root (EPERM for uid
# 1000), and the kernel drops what the namespace sends its init.
join -- sh -c 'kill -TERM 1; kill -KILL 1; echo $?'
expect_eq "join: the agent cannot signal PID 1" "$RC:$OUT" "0:1"
expect_eq "the sandbox is still up" "$(kill -0 "$SBX_PID" 2>/dev/null && echo up)" up

# Orphans of joined processes come to PID 1, which reaps them.
join -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 0.2 &); done'
sleep 1
expect_eq "orphans of joined processes are reaped (no zombie)" \
	"$(nsenter -t "$SBX_PID" -p -m ps -e -o stat= | grep -c '^Z')" 0

# Two joined processes at once, neither waiting for the other.
join -- sleep 3 &
ja=$!
join -- true
expect_eq "a second join while the first runs" "$RC" 0
wait "$ja"

# --- stop -------------------------------------------------------------------------
nsenter -t "$SBX_PID" -p -m "$INIT" -c "$D/cfg.ini" --join -- \
	sh -c "trap 'echo termed >$D/out/termed; exit 0' TERM; echo ready; while :; do sleep 0.1; done" \
	>"$D/joined.out" 2>&1 &
for _ in $(seq 1 50); do grep -q ready "$D/joined.out" && break; sleep 0.1; done
sandbox_stop
expect_eq "stop: PID 1 exits 0" "$SBX_RC" 0
expect_eq "stop: a joined process got SIGTERM first" "$(cat "$D/out/termed" 2>/dev/null)" termed
expect_eq "stop: the mark is withdrawn" "$(test -e "$MARK" && echo there)" ""

# --- under churn ------------------------------------------------------------------
# A joined process that parks thousands of children on PID 1 and keeps
# making ones that exit at once (tests/helpers/churn.c, under a pids cgroup
# limit of its own): PID 1 is never out of zombies, and docker stop's
# SIGTERM must still stop the sandbox within the grace period and 10 s.
if sandbox_start "$D/cfg.ini"; then
	rm -f "$D/out/churn.ready"
	in_pids_cgroup 9000 nsenter -t "$SBX_PID" -p -m "$HELPERS/churn" -i 8000 "$D/out/churn.ready" &
	churner=$!
	if churn_ready "$D/out/churn.ready" "$churner"; then
		kill -TERM "$SBX_PID"
		for _ in $(seq 1 240); do kill -0 "$SBX_UNSHARE" 2>/dev/null || break; sleep 0.05; done
		stopped=yes
		kill -0 "$SBX_UNSHARE" 2>/dev/null && { stopped=no; kill -KILL "$SBX_PID"; }
		wait "$SBX_UNSHARE"
		expect_eq "churn: SIGTERM stops the sandbox within the grace period and 10 s" "$stopped:$?" "yes:0"
	else
		fail "churn: SIGTERM stops the sandbox within the grace period and 10 s" "the churner never got ready"
		kill -KILL "$SBX_PID"
		wait "$SBX_UNSHARE"
	fi
	wait "$churner"
else
	fail "churn: SIGTERM stops the sandbox within the grace period and 10 s" "$(cat "$D/sandbox.log")"
fi

# --- never half-entered -------------------------------------------------------------
# A mark left by an earlier start: PID 1's start time differs.
if sandbox_start "$D/cfg.ini"; then
	boot=$(cut -d' ' -f1 "$MARK")
	start=$(cut -d' ' -f2 "$MARK")
	printf '%s %s %s\n' "$boot" "$((start - 1))" "$D/cfg.ini" >"$MARK"
	join -- true
	expect_eq "join: a mark of an earlier start is refused" "$RC" 125
	expect_match "join: says the preparation has not completed" "$ERR" 'has not completed'
	# An earlier start of another boot at this start's ticks - gVisor boots
	# a kernel per start and starts PID 1 a few ticks into it every time -
	# is not this start's either, nor a mark that names no boot: a join
	# waiting for the preparation keeps waiting, then gives up.
	printf '%s %s %s\n' 00000000-0000-0000-0000-000000000000 "$start" "$D/cfg.ini" >"$MARK"
	join --wait 1 -- true
	expect_match "join --wait: a mark of another boot at this start's ticks is refused" "$RC $ERR" '^125 .*has not completed'
	printf '%s %s %s\n' btime-1 "$start" "$D/cfg.ini" >"$MARK"
	join -- true
	expect_eq "join: a mark of another boot time at this start's ticks is refused" "$RC" 125
	printf '%s %s\n' "$start" "$D/cfg.ini" >"$MARK"
	join -- true
	expect_eq "join: a mark that names no boot is refused" "$RC" 125
	chmod 0755 /run/containai
	printf '%s %s %s\n' "$boot" "$start" "$D/cfg.ini" >"$MARK"
	join -- true
	expect_match "join: a mark directory open to others is refused" "$RC $ERR" '^125 .*open to others'
	chmod 0700 /run/containai
	mv "$MARK" "$D/mark"
	ln -s "$D/mark" "$MARK"
	join -- true
	expect_eq "join: a symlinked mark is refused" "$RC" 125
	rm -f "$MARK"
	join -- true
	expect_eq "join: no mark, no entry" "$RC" 125
	# --wait: a join arriving before the mark enters once it appears.
	(sleep 1; mv "$D/mark" "$MARK") &
	join --wait 10 -- echo entered
	expect_eq "join --wait: enters once the preparation completed" "$RC:$OUT" "0:entered"
	sandbox_stop
else
	fail "second sandbox starts" "$(cat "$D/sandbox.log")"
fi

# A preparation that fails stops the sandbox: no mark, status 125 - not
# even the mark of an earlier start that was killed, which a PID 1 started
# at the same tick (gVisor boots a kernel per start) would take as its own.
mkdir -p -m 0700 /run/containai
printf '%s %s %s\n' "$(cat /proc/sys/kernel/random/boot_id)" "$(cut -d' ' -f22 /proc/1/stat)" "$D/broken.ini" >"$MARK"
unshare --pid --fork --mount-proc "$INIT" -c "$D/broken.ini" --sandbox 2>"$D/broken.log"
expect_eq "sandbox: a failed preparation exits 125" "$?" 125
expect_eq "sandbox: a failed preparation leaves no mark, not even an earlier start's" "$(test -e "$MARK" && echo there)" ""
expect_match "sandbox: says the preparation failed" "$(cat "$D/broken.log")" 'preparation failed'

"$INIT" --sandbox 2>"$D/err"
expect_eq "sandbox: refused unless PID 1" "$?" 125
expect_match "sandbox: says it must be PID 1" "$(cat "$D/err")" 'must be PID 1'
