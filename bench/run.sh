#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: every benchmark in bench/, one after the other.  Each prints
# `name: value (ratio)` lines; a failing one is reported and the others run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
status=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "=== $(basename "$b" .sh)"
	if ! timeout --kill-after=10 600 bash "$b"; then
		echo "bench: $b failed"
		status=1
	fi
done
exit $status
