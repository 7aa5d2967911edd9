#!/usr/bin/env bash
# make fuzz: each libFuzzer target for a bounded time (FUZZ_SECONDS, default
# 30) from its seed corpus tests/fuzz/corpus/NAME (fuzz_NAME), which is only
# read: new inputs go to a scratch directory.
set -u
cd "$(dirname "$0")/../.."
rc=0
for f in "$@"; do
	name=$(basename "$f")
	name=${name#fuzz_}
	work=$(mktemp -d)
	echo "=== fuzz $name"
	"$f" -max_total_time="${FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		"$work" "tests/fuzz/corpus/$name" 2>&1 | tail -n 15 || rc=1
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	rm -rf "$work"
done
exit $rc
