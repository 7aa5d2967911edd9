#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the test suites and prints `N passed, N failed` as its last line.
#   tests/run.sh                 every suite
#   tests/run.sh unit proc/init  only suites whose name starts with these
set -u
# No test reads the terminal.  And with stdin closed, the pipe of a
# $(...) would take descriptor 0 and become the stdin of what runs inside
# it (docker -i would then read back its own output).
exec </dev/null
cd "$(dirname "$0")/.."
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
mkdir -p build/test-logs
export CAI_RESULTS=$PWD/build/test-logs/results.txt
: >"$CAI_RESULTS"

wanted() {
	[ ${#FILTER[@]} -eq 0 ] && return 0
	local s
	for s in "${FILTER[@]}"; do
		case "$1" in "$s"*) return 0 ;; esac
	done
	return 1
}
FILTER=("$@")

# run_suite NAME TIMEOUT CMD...: a suite that exits non-zero without having
# reported a failure still counts as one failure.
run_suite() {
	local name=$1 limit=$2
	shift 2
	wanted "$name" || return 0
	echo "=== $name"
	local before after rc
	before=$(grep -c '^not ok' "$CAI_RESULTS")
	SUITE=$name timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "build/test-logs/${name//\//_}.log"
	rc=${PIPESTATUS[0]}
	after=$(grep -c '^not ok' "$CAI_RESULTS")
	if [ "$rc" -ne 0 ] && [ "$after" -eq "$before" ]; then
		echo "not ok $name: suite exited with status $rc" | tee -a "$CAI_RESULTS"
	fi
}

# The unit runner prints ok/not ok lines itself; record them.  (timeout
# cannot run a shell function, hence bash -c.)
for u in lib containai-init containai; do
	run_suite "unit/$u" 600 bash -c 'build/unit/'"$u"'_unittest | tee -a "$CAI_RESULTS"; exit "${PIPESTATUS[0]}"'
done

for f in tests/proc/*.sh; do
	[ -e "$f" ] || continue
	n=proc/$(basename "$f" .sh)
	run_suite "$n" 900 bash "$f"
done

e2e=(tests/e2e/t_*.sh)
e2e_wanted() {
	[ ${#FILTER[@]} -eq 0 ] && return 0
	local s
	for s in "${FILTER[@]}"; do
		case "$s" in e2e*) return 0 ;; esac
	done
	return 1
}

if [ -e "${e2e[0]}" ] && e2e_wanted; then
	# One engine for every e2e suite; started here when none answers and
	# stopped again at the end.
	# shellcheck source=tests/e2e/engine.sh
	. tests/e2e/engine.sh
	if engine_up >build/test-logs/engine.log 2>&1; then
		trap engine_down EXIT
		for f in "${e2e[@]}"; do
			n=e2e/$(basename "$f" .sh)
			run_suite "$n" 1200 bash "$f"
		done
	else
		cat build/test-logs/engine.log
		echo "not ok e2e: no Docker engine could be started (see build/test-logs/engine.log)" | tee -a "$CAI_RESULTS"
	fi
fi

passed=$(grep -c '^ok ' "$CAI_RESULTS")
failed=$(grep -c '^not ok ' "$CAI_RESULTS")
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failures:"
	grep '^not ok ' "$CAI_RESULTS"
fi
if [ $((passed + failed)) -eq 0 ]; then
	echo "no test ran"
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
