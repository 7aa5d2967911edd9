#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The agent CLIs of the sandbox image: pinned, installed and staged on the
# host, since no registry is reachable from a container build.
#
#   agents/agents.sh lock [NAME=VERSION...]   (`make agents-lock`)
#       Moves every pin of agents/agents.list to its TRACK (the newest
#       release, Node's newest 22.x), or to VERSION for each NAME given, and
#       rewrites agents/package.json and agents/package-lock.json - only
#       after the new lock has installed and passed the checks below.
#   agents/agents.sh stage DIR [all | none | NAME...]   (`make image`)
#       Makes DIR the overlay the Dockerfile copies onto the image's root:
#       opt/containai/agents/node_modules/ with the packages of the named
#       agents, of Node and of their dependencies (nothing else of the lock),
#       usr/local/bin/NAME links to their commands, and
#       opt/containai/agents/VERSIONS.  `all` names every agent; `none`, or
#       no NAME, leaves DIR empty: no agent and no Node.
#
# Installing is `npm ci` of the committed lock, so what goes in is exactly
# what was locked, with the integrity hashes the lock holds.  It runs once
# per lock, into $CAI_BUILD/agents-cache/HASH, and later stages link from
# there.  Install scripts never run (--ignore-scripts): they would run as
# root on this host, may fetch what the lock does not pin, and probe this
# host instead of the image.  The lock names no registry: npm fetches from
# the one it is configured with.
#
# Exit status: 0 done; 1 npm or a check failed (one line says which);
# 2 bad usage or an unknown agent name.
set -euo pipefail
umask 022
AGENTS_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$AGENTS_DIR")
CACHE_ROOT=${CAI_BUILD:-$ROOT/build}/agents-cache
# Where the overlay puts the packages; the command links point into it.
IMAGE_PREFIX=/opt/containai/agents

die() {
	echo "agents: $*" >&2
	exit 1
}
usage() {
	echo "usage: agents.sh lock [NAME=VERSION...] | agents.sh stage DIR [all | none | NAME...]" >&2
	exit 2
}

# The table: ROW_KIND, ROW_TRACK, ROW_PACKAGE, ROW_ENTRY, ROW_NATIVE by NAME,
# and AGENT_NAMES in the table's order.
declare -A ROW_KIND ROW_TRACK ROW_PACKAGE ROW_ENTRY ROW_NATIVE
AGENT_NAMES=()
RUNTIME=
while read -r kind name track pkg entry native extra; do
	case "$kind" in '' | '#'*) continue ;; esac
	if [ -z "$native" ] || [ -n "$extra" ]; then die "agents.list: malformed line for '$name'"; fi
	ROW_KIND[$name]=$kind ROW_TRACK[$name]=$track ROW_PACKAGE[$name]=$pkg
	ROW_ENTRY[$name]=$entry ROW_NATIVE[$name]=$native
	case "$kind" in
	agent) AGENT_NAMES+=("$name") ;;
	runtime) RUNTIME=$name ;;
	*) die "agents.list: unknown kind '$kind' for '$name'" ;;
	esac
done <"$AGENTS_DIR/agents.list"
[ -n "$RUNTIME" ] || die "agents.list: no runtime line"

# elf_x86_64 FILE: an ELF file for x86-64 (class 64, machine 0x3e).
elf_x86_64() {
	local h
	h=$(od -An -tx1 -N20 "$1" 2>/dev/null | tr -d ' \n')
	[ "${h:0:10}" = 7f454c4602 ] && [ "${h:36:4}" = 3e00 ]
}

# check_tree DIR NAME...: what each named command needs is in DIR's
# node_modules: its entry file, executable, and its linux-x64 binary.
check_tree() {
	local dir=$1 name
	shift
	for name in "$@"; do
		local entry=$dir/node_modules/${ROW_PACKAGE[$name]}/${ROW_ENTRY[$name]}
		local native=$dir/node_modules/${ROW_NATIVE[$name]}
		if [ ! -f "$entry" ] || [ ! -x "$entry" ]; then
			die "$name: ${ROW_PACKAGE[$name]}/${ROW_ENTRY[$name]} is missing or not executable after npm ci"
		fi
		elf_x86_64 "$native" || die "$name: ${ROW_NATIVE[$name]} is missing or not an x86-64 ELF file after npm ci (its platform package was not installed)"
	done
}

# need_npm: npm 7 or later, the first to read lockfileVersion 3.
need_npm() {
	local v
	v=$(npm --version 2>/dev/null) || die "npm is missing (tests/deps.sh installs it)"
	[ "${v%%.*}" -ge 7 ] 2>/dev/null || die "npm $v is too old: the lock needs npm 7 or later"
}

# install SRC DEST: `npm ci` of SRC's package.json and lock into DEST,
# checked for every command, modes made plain (readable by all, writable
# by the owner only, no set-id bit).  DEST appears only when all passed.
install() {
	local src=$1 dest=$2 tmp=$2.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	cp "$src/package.json" "$src/package-lock.json" "$tmp/"
	echo "agents: npm ci into ${dest#"$ROOT"/}"
	(cd "$tmp" && npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error) ||
		{ rm -rf "$tmp"; die "npm ci failed"; }
	(check_tree "$tmp" "$RUNTIME" "${AGENT_NAMES[@]}") || { rm -rf "$tmp"; exit 1; }
	chmod -R a+rX,go-w,ug-s "$tmp"
	mv "$tmp" "$dest"
}

lock_key() {
	cat "$AGENTS_DIR/package.json" "$AGENTS_DIR/package-lock.json" | sha256sum | cut -c1-16
}

# installed_tree: the cache of the committed lock, installed when missing;
# caches of other locks are removed.  Prints its path.
installed_tree() {
	local key dir
	key=$(lock_key)
	dir=$CACHE_ROOT/$key
	mkdir -p "$CACHE_ROOT"
	(
		flock -w 1800 9 || die "timed out waiting for ${CACHE_ROOT#"$ROOT"/}/.lock"
		if [ ! -d "$dir" ]; then
			need_npm
			install "$AGENTS_DIR" "$dir" >&2
		fi
		# Other locks' trees, and installs cut short (every install here
		# holds the lock, so none is running).
		local hex16
		hex16=$(printf '[0-9a-f]%.0s' {1..16})
		find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d ! -name "$key" \
			\( -name "$hex16" -o -name '*.tmp.*' \) -exec rm -rf {} +
	) 9>"$CACHE_ROOT/.lock" || exit 1
	printf '%s' "$dir"
}

# closure TREE PACKAGE...: the node_modules paths of the packages and of
# everything they depend on, as npm ci installed them (its hidden lockfile);
# a package built for a libc other than glibc is left out, whatever npm's
# version made of the lock's libc field.
closure() {
	python3 - "$@" <<'PY'
import json, sys
tree, wanted = sys.argv[1], sys.argv[2:]
with open(tree + "/node_modules/.package-lock.json") as f:
    pkgs = json.load(f)["packages"]

def usable(path):
    meta = pkgs.get(path)
    return meta is not None and "glibc" in meta.get("libc", ["glibc"])

def resolve(frm, name):
    """Node's lookup: FROM/node_modules/NAME, then each ancestor's."""
    base = frm
    while True:
        cand = (base + "/" if base else "") + "node_modules/" + name
        if usable(cand):
            return cand
        if not base:
            return None
        cut = base.rfind("/node_modules/")
        base = base[:cut] if cut >= 0 else ""

seen, todo = set(), []
for name in wanted:
    path = resolve("", name)
    if path is None:
        sys.exit(f"agents: {name} is not in the installed tree")
    todo.append(path)
while todo:
    path = todo.pop()
    if path in seen:
        continue
    seen.add(path)
    meta = pkgs[path]
    for field in ("dependencies", "optionalDependencies", "peerDependencies"):
        for dep in meta.get(field, {}):
            found = resolve(path, dep)
            if found is not None:
                todo.append(found)
            elif field == "dependencies":
                sys.exit(f"agents: {path} needs {dep}, which is not installed")
print("\n".join(sorted(seen)))
PY
}

# copy_package TREE PATH DEST: one package's files (not the packages nested
# in its node_modules, which the closure lists on their own), hard-linked
# from the cache.  Of Node only the binary and its licence: the headers and
# docs (some 65 MB) serve native builds, which the image does not do.
copy_package() {
	local tree=$1 path=$2 dest=$3/$2
	mkdir -p "$dest"
	if [ "$path" = "node_modules/${ROW_PACKAGE[$RUNTIME]}" ]; then
		mkdir -p "$dest/$(dirname "${ROW_ENTRY[$RUNTIME]}")"
		cp -al "$tree/$path/${ROW_ENTRY[$RUNTIME]}" "$dest/${ROW_ENTRY[$RUNTIME]}"
		cp -al "$tree/$path/package.json" "$tree/$path/LICENSE" "$dest/"
		return
	fi
	find "$tree/$path" -mindepth 1 -maxdepth 1 ! -name node_modules -exec cp -al {} "$dest/" \;
}

stage() {
	[ $# -ge 1 ] || usage
	local dir=$1 name
	shift
	local names=()
	for name in "$@"; do
		case "$name" in
		all) names+=("${AGENT_NAMES[@]}") ;;
		none) ;;
		*)
			[ "${ROW_KIND[$name]:-}" = agent ] ||
				{ echo "agents: unknown agent '$name' (known: ${AGENT_NAMES[*]}, all, none)" >&2; exit 2; }
			names+=("$name")
			;;
		esac
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 0755 "$dir"
	[ ${#names[@]} -gt 0 ] || return 0
	# Each name once, Node first.
	mapfile -t names < <(printf '%s\n' "$RUNTIME" "${names[@]}" | awk '!seen[$0]++')

	local tree
	tree=$(installed_tree)
	check_tree "$tree" "${names[@]}"
	local pkgs=() paths path
	for name in "${names[@]}"; do pkgs+=("${ROW_PACKAGE[$name]}"); done
	paths=$(closure "$tree" "${pkgs[@]}") || exit 1
	local opt=$dir$IMAGE_PREFIX
	while IFS= read -r path; do
		copy_package "$tree" "$path" "$opt"
	done <<<"$paths"
	mkdir -p "$dir/usr/local/bin"
	: >"$opt/VERSIONS"
	for name in "${names[@]}"; do
		local pkg=${ROW_PACKAGE[$name]}
		ln -s "$IMAGE_PREFIX/node_modules/$pkg/${ROW_ENTRY[$name]}" "$dir/usr/local/bin/$name"
		printf '%s %s %s\n' "$name" "$pkg" \
			"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$opt/node_modules/$pkg/package.json")" \
			>>"$opt/VERSIONS"
	done
	# Directories the overlay shares with the image keep the image's modes.
	find "$dir" -type d -exec chmod 0755 {} +
}

lock() {
	local -A pin=()
	local arg name
	for arg in "$@"; do
		name=${arg%%=*}
		if [ "$arg" = "$name" ] || [ -z "${arg#*=}" ]; then usage; fi
		[ -n "${ROW_KIND[$name]:-}" ] ||
			{ echo "agents: unknown name '$name' (known: $RUNTIME ${AGENT_NAMES[*]})" >&2; exit 2; }
		pin[$name]=${arg#*=}
	done
	need_npm
	local specs=()
	for name in "$RUNTIME" "${AGENT_NAMES[@]}"; do
		specs+=("${ROW_PACKAGE[$name]}@${pin[$name]:-${ROW_TRACK[$name]}}")
	done
	# Beside the cache, so that the checked tree moves into it by a rename.
	mkdir -p "$CACHE_ROOT"
	LOCK_WORK=$(mktemp -d "$CACHE_ROOT/lock.XXXXXX")
	trap 'rm -rf "$LOCK_WORK"' EXIT
	local work=$LOCK_WORK
	cat >"$work/package.json" <<'JSON'
{
  "name": "containai-agents",
  "private": true,
  "description": "The agent CLIs of the ContainAI sandbox image: written by `make agents-lock`, installed by `make image` (agents/agents.sh)."
}
JSON
	echo "agents: resolving ${specs[*]}"
	(cd "$work" && npm install --package-lock-only --save-exact --ignore-scripts \
		--omit-lockfile-registry-resolved --no-audit --no-fund --loglevel=error "${specs[@]}") ||
		die "npm could not resolve the pins; agents/ is unchanged"
	install "$work" "$work/tree"
	# The tree just checked becomes the cache of the new lock.
	(
		flock -w 1800 9 || die "timed out waiting for ${CACHE_ROOT#"$ROOT"/}/.lock"
		cp "$work/package.json" "$work/package-lock.json" "$AGENTS_DIR/"
		local dest
		dest=$CACHE_ROOT/$(lock_key)
		rm -rf "$dest"
		mv "$work/tree" "$dest"
	) 9>"$CACHE_ROOT/.lock" || exit 1
	echo "agents: locked"
	for name in "$RUNTIME" "${AGENT_NAMES[@]}"; do
		printf '  %-9s %s@%s\n' "$name" "${ROW_PACKAGE[$name]}" \
			"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"][sys.argv[2]])' \
				"$AGENTS_DIR/package.json" "${ROW_PACKAGE[$name]}")"
	done
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
lock) lock "$@" ;;
stage) stage "$@" ;;
*) usage ;;
esac
