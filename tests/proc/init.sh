#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The supervisor, as a subreaper and as PID 1 of a new PID namespace.
. "$(dirname "$0")/../lib.sh"

T=$(scratch_dir)
SIGTOOL=$HELPERS/sigtool

# --- exit status -----------------------------------------------------------

bad=""
for code in $(seq 0 255); do
	"$INIT" -- sh -c "exit $code"
	rc=$?
	[ "$rc" -eq "$code" ] || bad="$bad $code->$rc"
done
expect_eq "exit codes 0..255 pass through" "$bad" ""

bad=""
# Signals whose default action ends the process (not ignore, not stop).
TERMSIGS="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 24 25 26 27 29 30 31 $(seq 34 64)"
for s in $TERMSIGS; do
	"$INIT" -- "$SIGTOOL" raise "$s" 2>/dev/null
	rc=$?
	[ "$rc" -eq $((128 + s)) ] || bad="$bad $s->$rc"
done
expect_eq "death by signal N gives 128+N" "$bad" ""

out=$("$INIT" -- no-such-command-xyz 2>&1)
rc=$?
expect_eq "command not found gives 127" "$rc" 127
expect_match "not found names the command" "$out" "^containai-init: error: command 'no-such-command-xyz': not found$"

printf 'data' >"$T/noexec"
chmod 0644 "$T/noexec"
out=$("$INIT" -- "$T/noexec" 2>&1)
expect_eq "not executable gives 126" "$?" 126
expect_match "not executable names the command" "$out" "command '$T/noexec': cannot execute"
mkdir -p "$T/bin"
printf '#!/bin/sh\n' >"$T/bin/onlyread"
chmod 0644 "$T/bin/onlyread"
PATH="$T/bin:$PATH" "$INIT" -- onlyread 2>/dev/null
expect_eq "found on PATH but not executable gives 126" "$?" 126

# --- bad input -------------------------------------------------------------

out=$("$INIT" --bogus true 2>&1)
expect_eq "unknown option gives 125" "$?" 125
expect_eq "unknown option is one line" "$(printf '%s\n' "$out" | wc -l)" 1
out=$("$INIT" 2>&1)
expect_eq "missing command gives 125" "$?" 125
out=$("$INIT" -c "$T/missing.ini" -- touch "$T/started" 2>&1)
expect_eq "missing config gives 125" "$?" 125
expect_match "missing config is named" "$out" "missing.ini"
printf '[init]\ngrace = 1\nbogus = 2\n' >"$T/bad.ini"
out=$("$INIT" -c "$T/bad.ini" -- touch "$T/started" 2>&1)
expect_eq "malformed config gives 125" "$?" 125
expect_eq "malformed config reported as FILE:LINE" "$out" \
	"containai-init: error: $T/bad.ini:3: unknown key 'bogus' in [init]"
check "nothing started on bad config" test ! -e "$T/started"
out=$("$INIT" --check -c "$T/bad.ini" 2>&1)
expect_eq "--check refuses a malformed config" "$?" 125
printf '[init]\ngrace = 1\n' >"$T/good.ini"
"$INIT" --check -c "$T/good.ini"
expect_eq "--check accepts a good config" "$?" 0
mkfifo "$T/fifo.ini"
timeout 5 "$INIT" -c "$T/fifo.ini" -- true 2>/dev/null
expect_eq "a FIFO as config is refused without hanging" "$?" 125
ln -s "$T/good.ini" "$T/link.ini"
"$INIT" -c "$T/link.ini" -- true 2>/dev/null
expect_eq "a symlinked config is refused" "$?" 125

out=$("$INIT" -- sh -c 'echo "$@"' sh -v --grace -c x)
expect_eq "options after the command belong to the command" "$out" "-v --grace -c x"
out=$("$INIT" -v -- true 2>/dev/null)
expect_eq "nothing of the init on stdout" "$out" ""
"$INIT" --version | grep -q '^containai-init ' && "$INIT" --help | grep -q '^Usage:'
expect_eq "--version and --help" "$?" 0

# --- signal state of the child ----------------------------------------------

want=$("$SIGTOOL" setup 10,12,34 13,1 "$SIGTOOL" status)
got=$("$SIGTOOL" setup 10,12,34 13,1 "$INIT" -- "$SIGTOOL" status)
expect_eq "child gets the inherited signal mask and ignored set" "$got" "$want"
want=$("$SIGTOOL" setup - - "$SIGTOOL" status)
got=$("$SIGTOOL" setup - - "$INIT" -- "$SIGTOOL" status)
expect_eq "child gets an empty mask when the init had one" "$got" "$want"

# --- signal forwarding -------------------------------------------------------

# FORWARDABLE: every catchable signal but SIGCHLD (17) and the two glibc
# keeps for itself (32, 33), which a glibc test program cannot catch.
FORWARDABLE="$(seq 1 8) 10 11 $(seq 13 16) $(seq 18 18) $(seq 20 31) $(seq 34 64)"

# forward_test NAME PID_OF_INIT OUTFILE
forward_test() {
	local name=$1 pid=$2 out=$3 s n want i
	for i in $(seq 1 100); do grep -q ready "$out" 2>/dev/null && break; sleep 0.05; done
	n=0
	for s in $FORWARDABLE; do
		kill -s "$s" "$pid"
		n=$((n + 1))
		# One at a time: signalfd hands out lower numbers first, so a
		# burst would reorder them; the test wants each one seen.
		for i in $(seq 1 200); do
			[ "$(grep -cx "$s" "$out")" -ge 1 ] && break
			sleep 0.01
		done
	done
	kill -s USR2 "$pid"
	want=$(printf '%s\n' $FORWARDABLE 12 | sort -n | uniq | tr '\n' ' ')
	got=$(grep -x '[0-9]*' "$out" | sort -n | uniq | tr '\n' ' ')
	expect_eq "$name" "$got" "$want"
}

"$INIT" -- "$SIGTOOL" record >"$T/rec1" 2>&1 &
ipid=$!
forward_test "every forwardable signal reaches the child (subreaper)" "$ipid" "$T/rec1"
wait "$ipid"
expect_eq "init exits with the child's status after forwarding" "$?" 0

unshare --pid --fork --mount-proc "$INIT" -- "$SIGTOOL" record >"$T/rec2" 2>&1 &
upid=$!
for i in $(seq 1 100); do ipid=$(pgrep -P "$upid" | head -n 1); [ -n "$ipid" ] && break; sleep 0.05; done
forward_test "every forwardable signal reaches the child (PID 1)" "$ipid" "$T/rec2"
wait "$upid"

# -g: the whole process group of the command gets the signal.
"$INIT" -g -- sh -c "trap '' USR1 USR2; \"$SIGTOOL\" record >\"$T/rec3\" & wait" &
ipid=$!
for i in $(seq 1 100); do grep -q ready "$T/rec3" 2>/dev/null && break; sleep 0.05; done
kill -s USR1 "$ipid"
sleep 0.3
kill -s USR2 "$ipid"
wait "$ipid"
expect_eq "-g forwards to the process group" "$(grep -cx 10 "$T/rec3")" 1

"$INIT" -- sh -c "trap '' USR1 USR2; \"$SIGTOOL\" record >\"$T/rec4\" & echo \$! >\"$T/rec4.pid\"; wait" &
ipid=$!
for i in $(seq 1 100); do grep -q ready "$T/rec4" 2>/dev/null && break; sleep 0.05; done
kill -s USR1 "$ipid"
sleep 0.3
kill -s USR2 "$(cat "$T/rec4.pid")"
wait "$ipid"
expect_eq "without -g only the child gets the signal" "$(grep -cx 10 "$T/rec4")" 0

# --- reaping ----------------------------------------------------------------

count_zombies='n=0; for f in /proc/[0-9]*/stat; do read -r l <"$f" 2>/dev/null || continue; s=${l##*) }; [ "${s%% *}" = Z ] && n=$((n+1)); done; echo $n'
out=$(in_pids_cgroup 1100 unshare --pid --fork --mount-proc "$INIT" -- sh -c "\"$HELPERS/orphans\" 1000 && sleep 0.5 && $count_zombies")
expect_eq "1000 orphans reaped as PID 1, no zombie left" "$out" 0
out=$("$INIT" -- sh -c "\"$HELPERS/orphans\" 200; sleep 0.5; echo done")
expect_eq "orphans reaped as subreaper" "$out" done
zombies=$(ps -eo stat=,ppid= | awk -v p=$$ '$1 ~ /^Z/ && $2 == p' | wc -l)
expect_eq "subreaper leaves no zombie behind" "$zombies" 0

# --- graceful shutdown --------------------------------------------------------

for mode in subreaper pid1; do
	rm -f "$T/trapped"
	runner=""
	[ $mode = pid1 ] && runner="unshare --pid --fork --mount-proc"
	start=$(date +%s%N)
	$runner "$INIT" --grace 5 -- sh -c "setsid sh -c 'trap \"echo yes >$T/trapped; exit 0\" TERM; while :; do sleep 0.05; done' & sleep 0.3; exit 3"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "grace ($mode): main child's status kept" "$rc" 3
	check "grace ($mode): a leftover's TERM handler ran before the init exited" test -s "$T/trapped"
	[ "$ms" -lt 4000 ] && pass "grace ($mode): exits as soon as leftovers are gone (${ms} ms)" \
		|| fail "grace ($mode): exits as soon as leftovers are gone" "${ms} ms"

	start=$(date +%s%N)
	$runner "$INIT" --grace 1 -- sh -c "sh -c 'trap \"\" TERM; echo \$\$ >$T/stubborn; exec sleep 60' & sleep 0.3; exit 0" 2>"$T/grace.err"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "grace ($mode): status with a TERM-ignoring leftover" "$rc" 0
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 3500 ] && pass "grace ($mode): TERM-ignoring leftover killed after the grace period (${ms} ms)" \
		|| fail "grace ($mode): TERM-ignoring leftover killed after the grace period" "${ms} ms"
	if [ $mode = subreaper ]; then
		p=$(cat "$T/stubborn")
		check "grace ($mode): the leftover is gone" test ! -e "/proc/$p"
	fi
	expect_match "grace ($mode): the KILL is logged" "$(cat "$T/grace.err")" "sending SIGKILL"
done

# The init's own log lines to a closed stderr raise SIGPIPE on itself; it
# must not pass that on to the leftovers during the grace period (it would
# end a TERM-ignoring one at once, not after the grace period).
for mode in subreaper pid1; do
	runner=""
	[ $mode = pid1 ] && runner="unshare --pid --fork --mount-proc"
	start=$(date +%s%N)
	$runner "$INIT" -v --grace 2 -- sh -c 'sh -c "trap \"\" TERM; exec sleep 30" & sleep 0.3; exit 0' 2> >(exit 0)
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -ge 2000 ] && pass "grace ($mode): the init's own SIGPIPE is not passed on to leftovers (${ms} ms)" \
		|| fail "grace ($mode): the init's own SIGPIPE is not passed on to leftovers" "${ms} ms"
done

# A leftover that keeps forking: as a subreaper the init finds processes by
# scanning /proc, so children forked after a scan become its own and are
# still alive; the KILL must go round again, never wait on them.  In a PID
# namespace of its own (the init is not its PID 1) so nothing escapes.
out=$(in_pids_cgroup 1000 unshare --pid --fork --mount-proc bash -c '
	timeout -s KILL 20 "$1" --grace 0 -- sh -c "\"$2\" 500 100 & sleep 0.05; exit 0"
	echo "rc=$? left=$(ps -eo stat=,comm= | grep -v "^Z" | grep -c forkloop)"' \
	sh "$INIT" "$HELPERS/forkloop")
expect_eq "grace (subreaper): a leftover forking during the KILL is killed, no hang" "$out" "rc=0 left=0"

# --- under churn ---------------------------------------------------------------
# A leftover that parks thousands of children on the init (each wait walks
# past them all) and keeps making ones that exit at once: PID 1 always has
# a zombie to reap, and must still forward signals and keep its grace
# period.  The parked ones and the zombies stay under a pids cgroup limit
# of their own.
CHURN_PARKED=8000

# churn_start MODE FLAGS CMD: the init, PID 1 of a new PID namespace (pid1)
# or a subreaper under a shell that is (subreaper), runs `sh -c CMD` with
# `churn FLAGS` beside it.  Sets BG (the job), NSINIT (the namespace's PID
# 1) and IPID (the init); fails unless the churner got ready.
churn_start() {
	local mode=$1 flags=$2 cmd=$3 u ready
	local run=("$INIT" --grace 1 -- sh -c "\"$HELPERS/churn\" $flags $CHURN_PARKED \"$T/churn.ready\" & $cmd")
	rm -f "$T/churn.ready"
	[ "$mode" = subreaper ] && run=(sh -c '"$@" & wait $!' sh "${run[@]}")
	in_pids_cgroup $((CHURN_PARKED + 1000)) unshare --pid --fork --mount-proc "${run[@]}" \
		>"$T/churn.out" 2>"$T/churn.err" &
	BG=$!
	churn_ready "$T/churn.ready" "$BG"
	ready=$?
	u=$(pgrep -x unshare -P "$BG")
	NSINIT=$(pgrep -P "${u:-0}")
	IPID=$NSINIT
	[ "$mode" = subreaper ] && IPID=$(pgrep -x containai-init -P "${NSINIT:-0}")
	[ "$ready" = 0 ] && [ -n "$IPID" ]
}

# churn_end SECONDS: wait up to SECONDS for the job, RC its status; a job
# still running then is killed (RC 124).
churn_end() {
	local i
	for i in $(seq 1 $(($1 * 20))); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$BG" 2>/dev/null; then
		[ -n "$NSINIT" ] && kill -KILL "$NSINIT"
		wait "$BG"
		RC=124
	else
		wait "$BG"
		RC=$?
	fi
}

# A signal to PID 1 reaches the command, though PID 1 is never out of
# zombies; and the command's end still ends it.
if churn_start pid1 "" "exec \"$SIGTOOL\" record"; then
	kill -s USR1 "$IPID"
	for i in $(seq 1 100); do grep -qx 10 "$T/churn.out" && break; sleep 0.05; done
	check "churn (pid1): a signal to PID 1 reaches the command within 5 s" grep -qx 10 "$T/churn.out"
	kill -s USR2 "$IPID"
	churn_end 11
	expect_eq "churn (pid1): the command's end ends the init within the grace period and 10 s" "$RC" 0
else
	for c in "a signal to PID 1 reaches the command within 5 s" \
		"the command's end ends the init within the grace period and 10 s"; do
		fail "churn (pid1): $c" "the churner never got ready: $(cat "$T/churn.err")"
	done
	churn_end 1
fi

# docker stop: SIGTERM to the init ends the command; a leftover ignoring
# TERM keeps making children all through the grace period; the init still
# kills it when the period is over.
for mode in pid1 subreaper; do
	if churn_start $mode -i "exec sleep 600"; then
		kill -s TERM "$IPID"
		churn_end 11
		expect_eq "churn ($mode): SIGTERM ends the init within the grace period and 10 s, the command's status kept" "$RC" 143
	else
		fail "churn ($mode): SIGTERM ends the init within the grace period and 10 s, the command's status kept" \
			"the churner never got ready: $(cat "$T/churn.err")"
		churn_end 1
	fi
done

# SIGTERM to the init: forwarded, then the same sequence.
"$INIT" --grace 5 -- sh -c "trap 'exit 0' TERM; sh -c 'trap \"echo yes >$T/trapped2; exit 0\" TERM; while :; do sleep 0.05; done' & while :; do sleep 0.05; done" &
ipid=$!
sleep 0.5
kill -TERM "$ipid"
wait "$ipid"
expect_eq "SIGTERM: forwarded, child's status returned" "$?" 0
check "SIGTERM: leftovers got TERM too" test -s "$T/trapped2"

# --- hygiene -------------------------------------------------------------------

"$INIT" -- sh -c 'sleep 2' 7</dev/null &
ipid=$!
sleep 0.5
fds=$(ls "/proc/$ipid/fd" | sort -n | tr '\n' ' ')
expect_eq "the init keeps only stdio and its signalfd" "$fds" "0 1 2 3 "
expect_eq "the init moved to /" "$(readlink "/proc/$ipid/cwd")" /
sw1=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$ipid/status")
sleep 1
sw2=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$ipid/status")
expect_eq "no periodic wake-ups while idle" "$sw2" "$sw1"
wait "$ipid"

# Started with stdio closed, the init must not let its own descriptors
# (config, pipes, signalfd) become the command's stdin, stdout or stderr.
out=$("$INIT" -- readlink /proc/self/fd/0 <&-)
expect_eq "closed stdin: the command's stdin is /dev/null" "$out" /dev/null
out=$("$INIT" -- sh -c 'readlink /proc/self/fd/2' 2>&-)
expect_eq "closed stderr: the command's stderr is /dev/null" "$out" /dev/null
"$INIT" -- sh -c 'sleep 1' <&- &
ipid=$!
sleep 0.5
expect_eq "closed stdin: the init's signalfd is not on descriptor 0" \
	"$(readlink "/proc/$ipid/fd/0")" /dev/null
wait "$ipid"

# --- terminal --------------------------------------------------------------------

out=$("$HELPERS/ptyctl" "$INIT" -- sh -c 'echo ready; exec sleep 10')
expect_eq "Ctrl-C under a pty gives 130" "$(printf '%s' "$out" | tail -n 1)" 130
out=$("$HELPERS/ptyctl" "$INIT" -- sh -c 'set -- $(ps -o pgid=,tpgid= -p $$); [ "$1" = "$2" ] && echo fg=yes || echo fg=no; echo ready; exec sleep 10')
expect_match "the command owns the terminal's foreground" "$out" "fg=yes"

# The terminal's output stopped (Ctrl-S, or tcflow(TCOOFF) by the agent)
# when the command exits with a leftover ignoring TERM: the init's log
# lines cannot go out, and it must neither wait for them nor leave the
# leftover alive.
for mode in pid1 subreaper; do
	runner=""
	[ $mode = pid1 ] && runner="unshare --pid --fork --mount-proc"
	rm -f "$T/stopped.pid"
	out=$(timeout 20 "$HELPERS/ptyctl" -s $runner "$INIT" -v --grace 1 -- sh -c "sh -c 'trap \"\" TERM HUP; echo \$\$ >$T/stopped.pid; exec sleep 60' & sleep 0.3; echo ready; sleep 0.5; exit 7")
	expect_eq "output stopped ($mode): the init ends with the command's status" "$(printf '%s' "$out" | tail -n 1)" 7
done
p=$(cat "$T/stopped.pid" 2>/dev/null)
check "output stopped (subreaper): the leftover was killed" test -n "$p" -a ! -e "/proc/$p"
