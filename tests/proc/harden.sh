#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hardening before exec, on the real binary as root: identity, capabilities,
# no_new_privs, the seccomp policy, Landlock, descriptors - and what PID 1
# keeps for itself.
. "$(dirname "$0")/../lib.sh"

D=$(scratch_dir)
chmod 755 "$D"
PROBE=$D/seccomp_probe
cp "$HELPERS/seccomp_probe" "$PROBE"
SHIPPED=$CAI_ROOT/policy/seccomp.policy

# config FILE [EXTRA-SECURITY-LINES...]: [user] 1000:1000 and [security]
# with the shipped policy, plus extra [security] lines.
config() {
	local f=$1
	shift
	{
		printf '[user]\nuid = 1000\ngid = 1000\n[security]\n'
		printf '%s\n' "$@"
	} >"$f"
	grep -q '^seccomp' "$f" || printf 'seccomp = %s\n' "$SHIPPED" >>"$f"
}

# run CFG CMD...: stdout in OUT, stderr in ERR, status in RC.
run() {
	local cfg=$1
	shift
	OUT=$("$INIT" -c "$cfg" -- "$@" 2>"$D/err")
	RC=$?
	ERR=$(cat "$D/err")
}

# words TEXT: TEXT on one line, words separated by single spaces.
words() { echo $1; }

# PID 1 sheds its privileges before the command may start: its status is
# read at once, with no waiting.
PID1_STATUS='cat /proc/1/status'

status_field() { printf '%s\n' "$OUT" | awk -v k="$1:" '$1 == k { print $2 }'; }

config "$D/base.ini"

# --- the command's own view -------------------------------------------------
run "$D/base.ini" cat /proc/self/status
expect_eq "command exits 0" "$RC" 0
expect_match "uid is 1000 (real, effective, saved, fs)" "$OUT" $'Uid:\t1000\t1000\t1000\t1000'
expect_match "gid is 1000 (real, effective, saved, fs)" "$OUT" $'Gid:\t1000\t1000\t1000\t1000'
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	expect_eq "$f is zero" "$(status_field "$f")" 0000000000000000
done
expect_eq "NoNewPrivs is 1" "$(status_field NoNewPrivs)" 1
expect_eq "Seccomp is 2 (filter)" "$(status_field Seccomp)" 2

# NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE with their locks, and
# KEEP_CAPS locked off (exec clears KEEP_CAPS itself, never its lock).
run "$D/base.ini" "$PROBE" secbits
expect_eq "securebits locked" "$OUT" 0xef

# Descriptors 5 and 7 are open in containai-init; the command sees 0-2 only.
OUT=$("$INIT" -c "$D/base.ini" -- "$PROBE" fds 5</dev/null 7>"$D/leak" 2>"$D/err")
expect_eq "only descriptors 0-2 reach the command" "$(words "$OUT")" "0 1 2"

run "$D/base.ini" sh -c 'umask; ulimit -c'
expect_eq "umask 022 and no core dumps by default" "$(words "$OUT")" "0022 0"
config "$D/umask.ini" "umask = 077" "core_dumps = true"
OUT=$(ulimit -c unlimited; "$INIT" -c "$D/umask.ini" -- sh -c 'umask; ulimit -c' 2>&1)
expect_eq "umask and core_dumps from the config" "$(words "$OUT")" "0077 unlimited"

# --- PID 1 after spawning -----------------------------------------------------
OUT=$(run_pid1 "$INIT" -c "$D/base.ini" -- sh -c "$PID1_STATUS" 2>"$D/err")
expect_eq "PID 1 CapEff is CAP_KILL only" "$(status_field CapEff)" 0000000000000020
expect_eq "PID 1 CapPrm is CAP_KILL only" "$(status_field CapPrm)" 0000000000000020
expect_eq "PID 1 CapBnd is CAP_KILL only" "$(status_field CapBnd)" 0000000000000020
expect_eq "PID 1 CapInh is empty" "$(status_field CapInh)" 0000000000000000
expect_eq "PID 1 NoNewPrivs is 1" "$(status_field NoNewPrivs)" 1
# ... and CAP_KILL is enough to end the agent's leftovers: without it the
# shutdown would wait for the sleep forever.
RC=$(timeout 20 unshare --pid --fork --mount-proc "$INIT" -c "$D/base.ini" --grace 1 -- \
	sh -c 'sleep 60 & exit 3' >/dev/null 2>&1; echo $?)
expect_eq "PID 1 still ends the agent's leftover processes" "$RC" 3

# --- refusals -------------------------------------------------------------------
printf '[user]\nuid = 0\ngid = 0\n[security]\nseccomp = %s\n' "$SHIPPED" >"$D/root.ini"
run "$D/root.ini" true
expect_eq "uid 0 refused: exit 125" "$RC" 125
expect_match "uid 0 refused: says why" "$ERR" "identity: uid 0 \(root\) refused"
# allow_root: uid 0 owns the image's files even without a capability, so
# only where they cannot change - every mount read-only, as `docker run
# --read-only` makes the image's.  as_readonly [-w DIR] CMD...: CMD in a
# mount namespace of its own where every mount is read-only (but DIR).
as_readonly() {
	local rw=""
	[ "$1" = -w ] && { rw=$2; shift 2; }
	unshare -m --propagation private bash -c '
		while read -r _ _ _ _ mp _; do
			mount -o remount,bind,ro "$(printf "%b" "$mp")" 2>/dev/null
		done </proc/self/mountinfo
		if [ -n "$0" ]; then mount --bind "$0" "$0" && mount -o remount,bind,rw "$0" || exit 99; fi
		exec "$@"' "$rw" "$@"
}
printf '[user]\nuid = 0\ngid = 0\nallow_root = true\n[security]\nseccomp = %s\n' "$SHIPPED" >"$D/root-ok.ini"
run "$D/root-ok.ini" true
expect_eq "allow_root on a writable file system: exit 125" "$RC" 125
expect_match "allow_root on a writable file system: says what uid 0 could rewrite" "$ERR" \
	"allow_root: uid 0 could rewrite $INIT, which the next start trusts: / is on a writable file system"
OUT=$(as_readonly "$INIT" -c "$D/root-ok.ini" -- sh -c 'grep -E "^(Uid|CapEff|CapBnd)" /proc/self/status' 2>"$D/err")
expect_match "allow_root runs as root without capabilities" "$OUT" $'Uid:\t0\t0\t0\t0\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000'
OUT=$(as_readonly -w "$D" "$INIT" -c "$D/root-ok.ini" -- true 2>&1)
expect_eq "allow_root with a writable directory on the config's way: exit 125" "$?" 125
expect_match "allow_root with a writable directory on the config's way: names it" "$OUT" \
	"uid 0 could rewrite $D/root-ok.ini, which the next start trusts: $D is on a writable file system"

cp "$SHIPPED" "$D/bad.policy"
printf 'ioctl errno(EPERM) if arg1 == TIOCSTII\n' >>"$D/bad.policy"
badline=$(wc -l <"$D/bad.policy")
config "$D/bad.ini" "seccomp = $D/bad.policy"
run "$D/bad.ini" true
expect_eq "bad policy line: exit 125" "$RC" 125
expect_match "bad policy line: FILE:LINE" "$ERR" "$D/bad.policy:$badline: unknown constant 'TIOCSTII'"
"$INIT" -c "$D/bad.ini" --check 2>"$D/err"
RC=$?
expect_eq "--check refuses the bad policy: exit 125" "$RC" 125
expect_match "--check names FILE:LINE" "$(cat "$D/err")" "$D/bad.policy:$badline: "

config "$D/nnp.ini" "no_new_privs = false"
run "$D/nnp.ini" true
expect_eq "no_new_privs off with a filter: exit 125" "$RC" 125
config "$D/cap.ini" "capabilities = cap_bogus"
run "$D/cap.ini" true
expect_match "unknown capability refused" "$RC $ERR" "^125 .*unknown capability 'cap_bogus'"

check "--check passes the shipped policy" "$INIT" -c "$D/base.ini" --check
OUT=$("$INIT" -c "$D/base.ini" --print-policy 2>&1)
expect_match "--print-policy prints the filter" "$OUT" 'syscall "clone3".*'
expect_match "--print-policy: clone3 gets ENOSYS" "$OUT" 'ERRNO\(38\)'
expect_match "--print-policy: bad arch killed" "$OUT" 'invalid architecture action.*'

# --- the filter, call by call ---------------------------------------------------
DENIED=$SECCOMP_EPERM_CALLS

# probe_errno NAME: the errno the probe reported for NAME.
probe_errno() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { print $2 }'; }

run "$D/base.ini" "$PROBE" deny
for c in $DENIED; do
	expect_eq "shipped policy: $c gets EPERM" "$(probe_errno "$c")" 1
done
expect_eq "shipped policy: clone3 gets ENOSYS" "$(probe_errno clone3)" 38
expect_eq "shipped policy: personality(0) allowed" "$(probe_errno personality_0)" 0
expect_eq "shipped policy: ioctl TIOCGWINSZ reaches the kernel (EBADF)" "$(probe_errno ioctl_tiocgwinsz)" 9

# The same policy answering 123 instead of EPERM: every denied call is
# caught by its rule, not refused by the kernel for lack of privilege.
sed 's/errno(EPERM)/errno(123)/' "$SHIPPED" >"$D/marked.policy"
config "$D/marked.ini" "seccomp = $D/marked.policy"
run "$D/marked.ini" "$PROBE" deny
missed=""
for c in $DENIED; do
	[ "$(probe_errno "$c")" = 123 ] || missed="$missed $c=$(probe_errno "$c")"
done
expect_eq "every denied call is caught by its rule" "$missed" ""

run "$D/base.ini" "$PROBE" x32
expect_eq "an x32 system call kills the command (SIGSYS)" "$RC" 159
expect_no_match "the x32 call never returned" "$OUT" survived
run "$D/base.ini" "$PROBE" i386
expect_eq "an i386 system call kills the command (SIGSYS)" "$RC" 159
run "$D/base.ini" "$PROBE" work
expect_eq "ordinary work still works (threads, fork, exec, files, sockets)" "$OUT" "work ok"
run "$D/base.ini" sh -c 'echo shell works'
expect_eq "a shell still works" "$OUT" "shell works"

# --- identity by name, from the image's passwd and group -----------------------
printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:Agent:/home/agent:/bin/sh\n' >"$D/passwd"
printf 'root:x:0:\nagent:x:1000:\ntools:x:2000:other,agent\nnope:x:3000:other\n' >"$D/group"
printf '[user]\nname = agent\n[security]\nseccomp = %s\n' "$SHIPPED" >"$D/name.ini"
OUT=$(env -u HOME -u USER -u LOGNAME unshare -m --propagation private sh -c '
	mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group &&
	"$2" -c "$1/name.ini" -- sh -c "grep -E \"^(Uid|Gid|Groups)\" /proc/self/status; echo HOME=\$HOME USER=\$USER LOGNAME=\$LOGNAME"
' sh "$D" "$INIT" 2>&1)
expect_match "name resolves to uid 1000" "$OUT" $'Uid:\t1000\t1000\t1000\t1000'
expect_match "supplementary groups from /etc/group" "$OUT" $'Groups:\t1000 2000 ?\n'
expect_match "HOME, USER and LOGNAME from passwd" "$OUT" "HOME=/home/agent USER=agent LOGNAME=agent"
OUT=$(HOME=/keep unshare -m --propagation private sh -c '
	mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group &&
	"$2" -c "$1/name.ini" -- sh -c "echo HOME=\$HOME"
' sh "$D" "$INIT" 2>&1)
expect_eq "a HOME already set is kept" "$OUT" "HOME=/keep"
printf 'root:x:0:agent\nagent:x:1000:\n' >"$D/group-root"
OUT=$(unshare -m --propagation private sh -c '
	mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group-root" /etc/group &&
	"$2" -c "$1/name.ini" -- true
' sh "$D" "$INIT" 2>&1)
RC=$?
expect_match "supplementary group 0 refused" "$RC $OUT" "^125 .*identity: group 0 \(root\) refused"
printf '[user]\nname = ghost\n' >"$D/ghost.ini"
OUT=$(unshare -m --propagation private sh -c '
	mount --bind "$1/passwd" /etc/passwd && "$2" -c "$1/ghost.ini" -- true
' sh "$D" "$INIT" 2>&1)
RC=$?
expect_match "unknown user refused" "$RC $OUT" "^125 .*user 'ghost' is not in /etc/passwd"

# --- capabilities kept on purpose -----------------------------------------------
config "$D/keep.ini" "capabilities = cap_net_bind_service"
run "$D/keep.ini" cat /proc/self/status
for f in CapPrm CapEff CapBnd CapAmb; do
	expect_eq "kept capability: $f is CAP_NET_BIND_SERVICE" "$(status_field "$f")" 0000000000000400
done

# --- Landlock -------------------------------------------------------------------
mkdir -p "$D/rw" "$D/ro"
chown 1000:1000 "$D/rw" "$D/ro"
config "$D/ll.ini" "landlock = required" "landlock_read = /" "landlock_write = $D/rw"
run "$D/ll.ini" sh -c "echo x > $D/rw/f && echo wrote; echo x > $D/ro/f || echo refused"
expect_eq "landlock: write allowed below landlock_write only" "$(words "$OUT")" "wrote refused"
config "$D/ll-empty.ini" "landlock = best-effort"
run "$D/ll-empty.ini" true
expect_match "landlock with no paths refused" "$RC $ERR" "^125 .*landlock_read and landlock_write are both empty"
config "$D/ll-missing.ini" "landlock = best-effort" "landlock_read = /nonexistent-$$"
run "$D/ll-missing.ini" true
expect_match "landlock path that cannot be opened refused" "$RC $ERR" "^125 .*landlock: /nonexistent"

# A kernel without Landlock, simulated by an outer containai-init whose
# filter answers ENOSYS to landlock_create_ruleset: best-effort warns and
# runs, required refuses.
printf 'default allow\nlandlock_create_ruleset errno(ENOSYS)\n' >"$D/nolandlock.policy"
printf '[security]\nseccomp = %s\ncapabilities = cap_setpcap, cap_kill\n' "$D/nolandlock.policy" >"$D/outer.ini"
printf '[security]\nseccomp =\nlandlock = best-effort\nlandlock_read = /\n' >"$D/ll-best.ini"
printf '[security]\nseccomp =\nlandlock = required\nlandlock_read = /\n' >"$D/ll-req.ini"
OUT=$("$INIT" -c "$D/outer.ini" -- "$INIT" -c "$D/ll-best.ini" -- echo ran 2>&1)
RC=$?
expect_eq "landlock best-effort without kernel support: runs" "$RC" 0
expect_match "landlock best-effort without kernel support: warns" "$OUT" "warn: landlock: not available .*best-effort"
OUT=$("$INIT" -c "$D/outer.ini" -- "$INIT" -c "$D/ll-req.ini" -- echo ran 2>&1)
RC=$?
expect_eq "landlock required without kernel support: exit 125" "$RC" 125
expect_no_match "landlock required without kernel support: command never ran" "$OUT" "^ran"

# A working directory that no longer has a name is refused (the class of
# runc CVE-2024-21626: a directory leaked in from outside the root).
mkdir "$D/gone"
OUT=$(cd "$D/gone" && rmdir "$D/gone" && "$INIT" -c "$D/base.ini" -- true 2>&1)
RC=$?
expect_match "an unreachable working directory is refused" "$RC $OUT" "^125 .*hygiene: working directory"
# ... while one the command's uid cannot search is fine (checked as root).
mkdir -p "$D/private/inner"
chmod 700 "$D/private"
OUT=$(cd "$D/private/inner" && "$INIT" -c "$D/base.ini" -- true 2>&1)
expect_eq "a working directory closed to the command's uid is not refused" "$?" 0

# --- the policy compiled ahead of time -----------------------------------------
cp "$SHIPPED" "$D/pre.policy"
config "$D/pre.ini" "seccomp = $D/pre.policy"
"$INIT" -c "$D/pre.ini" --compile-policy 2>"$D/err"
expect_eq "--compile-policy saves POLICY.bpf" "$? $(test -f "$D/pre.policy.bpf" && echo saved)" "0 saved"
OUT=$("$INIT" -v -c "$D/pre.ini" -- "$PROBE" deny 2>"$D/err")
expect_eq "the saved program is in force (mount gets EPERM)" "$(probe_errno mount) $(probe_errno clone3)" "1 38"
expect_no_match "the saved program is used without a warning" "$(cat "$D/err")" "warn"
run "$D/pre.ini" "$PROBE" x32
expect_eq "the saved program kills x32 system calls" "$RC" 159
printf '# changed\n' >>"$D/pre.policy"
run "$D/pre.ini" "$PROBE" deny
expect_match "a stale saved program: warned, policy compiled instead" "$RC $(probe_errno mount) $ERR" \
	"^0 1 .*pre.policy.bpf: stale.*compiling the policy instead"
"$INIT" -c "$D/pre.ini" --check 2>"$D/err"
expect_match "--check refuses a stale saved program" "$? $(cat "$D/err")" "^125 .*pre.policy.bpf: stale"

# --- the start gate: no command beside a PID 1 that kept its privileges -----

# Without CAP_SETPCAP PID 1 cannot drop its own bounding set: it must refuse,
# and the command (which would otherwise be ready to run) must never start.
rm -f "$D/gate-ran"
OUT=$(setpriv --bounding-set -setpcap --inh-caps -setpcap "$INIT" -c "$D/base.ini" -- sh -c "touch $D/gate-ran" 2>&1)
RC=$?
expect_eq "start gate: PID 1 unable to shed its privileges exits 125" "$RC" 125
check "start gate: the command never ran" test ! -e "$D/gate-ran"
expect_match "start gate: the line says why" "$OUT" "^containai-init: error: PID 1: "
expect_eq "start gate: one line, not two" "$(printf '%s\n' "$OUT" | wc -l)" 1
