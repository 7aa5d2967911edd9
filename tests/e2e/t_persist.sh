#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# The sandbox image as a person uses it, on the local engine (mode none,
# so every run carries --force): what each agent keeps under its home -
# logins, settings, skills, histories - survives `containai run --restart`
# (a new container on the same data volume); hostile entries left at the
# link paths in the container's own layer are replaced at the next start
# without touching what they point at; and the files the agent makes in
# the workspace are the host user's, moved there by the host user's ids.
# Everything it creates carries the prefix "persist-e2e" and is removed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=persist-e2e
TAG=image-containai:persist-$$
VOL=$P-vol
launcher_suite

# cai [ENV=VALUE...] -- ARGS...: the launcher in the workspace on this
# suite's image and volume; sets OUT, ERR, RC.
cai() {
	local vars=()
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	# The sandbox alone, on the engine's network: egress is e2e/t_egress's.
	(cd "$WS" && env CONTAINAI_EGRESS=off "${vars[@]}" CONTAINAI_IMAGE="$TAG" CONTAINAI_PROBE_IMAGE="$TAG" \
		CONTAINAI_DATA_VOLUME="$VOL" timeout 180 "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

if ! build_sandbox_image "$TAG" none >"$T/build.log" 2>&1; then
	fail "the sandbox image builds" "$(tail -n 20 "$T/build.log")"
	exit 1
fi
remove_prefixed "$P"

# ---- logins that persist ------------------------------------------------------
# Each agent's login, settings and history written as the agents write
# them: in their own directories by renaming a new file over the old one
# (as Claude Code does), the files linked one by one (~/.claude.json, the
# shell's) in place, through the link.
FILES=".claude/.credentials.json .claude.json .claude/settings.json .claude/skills/review/SKILL.md
.codex/auth.json .codex/config.toml .gemini/oauth_creds.json .gemini/google_accounts.json
.copilot/config.json .config/opencode/opencode.json .local/share/opencode/auth.json
.local/state/opencode/prompt-history.jsonl .config/gh/hosts.yml .config/tmux/tmux.conf
.vscode-server/data/User/settings.json .bash_history .bash_aliases"
LOGIN='set -e; cd ~
for f in '$(echo $FILES)'; do
	case $f in
	*/*) mkdir -p "$(dirname "$f")"; printf "%s of the agent\n" "$f" >"$f.new"; mv "$f.new" "$f" ;;
	*) printf "%s of the agent\n" "$f" >"$f" ;;
	esac
done
chmod 0600 .claude/.credentials.json'
READ='cd ~; for f in '$(echo $FILES)'; do printf "%s=%s\n" "$f" "$(cat "$f" 2>&1)"; done'
WANT=$(for f in $FILES; do printf '%s=%s of the agent\n' "$f" "$f"; done)

# cname: the container `--name` stands for, NAME-HASH (HASH from the
# workspace's path), as the launcher's dry run of the last command shows it.
cname() { sed -n 's/.* run -d --name \([^ ]*\) .*/\1/p' <<<"$OUT"; }
cai -- run --force --dry-run --name "$P-box"
BOX=$(cname)
cai -- run --force --name "$P-box" -- sh -c "$LOGIN"
expect_eq "logged in: every file written as the agent" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
first=$(docker inspect -f '{{.Id}}' "$BOX" 2>/dev/null)
cai -- run --force --restart --name "$P-box" -- sh -c "$READ"
expect_eq "--restart: a new container" "$([ -n "$first" ] && [ "$(docker inspect -f '{{.Id}}' "$BOX")" != "$first" ] && echo new)" new
expect_eq "--restart: every login, setting, skill and history found again" "$OUT" "$WANT"
vol_owner=$(docker run --rm --pull=never --entrypoint /bin/sh -v "$VOL:/v" "$TAG" -c \
	'stat -c "%u:%g %a" /v/claude/.credentials.json; cat /v/claude/.credentials.json')
expect_eq "the credential is in the volume, the agent's, private" "$vol_owner" \
	"$(printf '1000:1000 600\n.claude/.credentials.json of the agent')"

# ---- hostile entries at the link paths, between two starts --------------------
# Left in the container's own layer (planted here as root, as a process of
# the agent could plant most of them): each replaced when the sandbox
# starts again, nothing followed.
in_box() { docker exec -u 0 "$BOX" sh -c "$1" 2>&1; }
in_box 'cd /home/agent && rm .claude .codex .gemini .claude.json .bash_history .config/gh .config/opencode &&
	ln -s /etc/shadow .claude && mkfifo .codex && mkdir .gemini && echo kept >.gemini/notes &&
	ln /etc/shadow .claude.json && echo history >.bash_history &&
	rm -r .config && ln -s /etc .config'
shadow=$(in_box 'stat -c "%a %U %G %s" /etc/shadow; md5sum </etc/shadow')
docker restart -t 5 "$BOX" >/dev/null
# A join waits for the start's preparation to complete.
cai -- exec --force --name "$P-box" -- true
expect_eq "hostile entries: the sandbox starts again" "$RC" 0
links=$(in_box 'cd /home/agent; for l in .claude .codex .gemini .claude.json .bash_history .config/gh .config/opencode; do printf "%s->%s\n" "$l" "$(readlink "$l")"; done')
expect_eq "hostile entries: each link made again" "$links" \
	"$(printf '%s\n' .claude-\>/mnt/agent-data/claude .codex-\>/mnt/agent-data/codex .gemini-\>/mnt/agent-data/gemini \
		.claude.json-\>/mnt/agent-data/claude/claude.json .bash_history-\>/mnt/agent-data/shell/bash_history \
		.config/gh-\>/mnt/agent-data/config/gh .config/opencode-\>/mnt/agent-data/config/opencode)"
expect_eq "hostile entries: /etc/shadow untouched" "$(in_box 'stat -c "%a %U %G %s" /etc/shadow; md5sum </etc/shadow')" "$shadow"
expect_eq "hostile entries: nothing made in /etc through the symlinked parent" \
	"$(in_box 'ls -d /etc/gh /etc/opencode /etc/tmux 2>/dev/null')" ""
expect_eq "hostile entries: a directory with content moved aside, kept" \
	"$(in_box 'cat /home/agent/.gemini.bak.*/notes')" kept
expect_eq "hostile entries: a history with content moved aside, kept" \
	"$(in_box 'cat /home/agent/.bash_history.bak.*')" history
cai -- exec --force --name "$P-box" -- sh -c "$READ"
expect_eq "hostile entries: the logins are still there" "$OUT" "$WANT"

# ---- the host user's files ------------------------------------------------------
# In mode none the agent's account is moved to the ids of whoever runs
# containai: the agent writes the host user's files, and makes files the
# host user owns.  (The launcher is run as uid 1234 with the engine's
# socket group, as a member of the docker group would run it.)
host_user_dirs
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
sock_gid=$(stat -c %g "${sock#unix://}" 2>/dev/null)
as_host_user() {
	(cd "$HWS" && setpriv --reuid 1234 --regid 1235 --groups "$sock_gid" env HOME="$HHOME" \
		XDG_CONFIG_HOME="$HHOME/.config" CONTAINAI_EGRESS=off CONTAINAI_IMAGE="$TAG" CONTAINAI_PROBE_IMAGE="$TAG" \
		CONTAINAI_DATA_VOLUME="$VOL" timeout 180 "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
as_host_user run --force --dry-run --name "$P-host"
HOST_BOX=$(cname)
as_host_user run --force --name "$P-host" -- sh -c 'id -u; id -g; echo theirs >>notes; echo new >made; cat ~/.claude/.credentials.json'
expect_eq "host user: the agent runs as the host user's ids" "$(sed -n 1,2p <<<"$OUT" | tr '\n' ' ')" "1234 1235 "
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
expect_eq "host user: a file the host user owns is edited" "$(cat "$HWS/notes")" "$(printf 'mine\ntheirs')"
expect_eq "host user: a new file is the host user's" "$(stat -c '%u:%g' "$HWS/made" 2>&1)" 1234:1235
expect_eq "host user: the volume prepared for 1000 is re-owned, the login readable" "$(sed -n 3p <<<"$OUT")" \
	".claude/.credentials.json of the agent"
expect_eq "host user: nothing in the volume is left another uid's" \
	"$(docker run --rm --pull=never --entrypoint /bin/sh -v "$VOL:/v" "$TAG" -c 'find /v ! -user 1234 -print' 2>&1)" ""
expect_eq "host user: the sandbox was made for 1234:1235" \
	"$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$HOST_BOX" | grep '^CONTAINAI_HOST_USER=')" \
	CONTAINAI_HOST_USER=1234:1235
# The same sandbox, run by root: not entered as made for someone else.
(cd "$HWS" && CONTAINAI_EGRESS=off CONTAINAI_IMAGE="$TAG" CONTAINAI_PROBE_IMAGE="$TAG" CONTAINAI_DATA_VOLUME="$VOL" \
	timeout 180 "$LAUNCHER" run --force --name "$P-host" -- true </dev/null >/dev/null 2>"$T/err")
expect_eq "host user: root's run does not enter it" "$?" 3
expect_match "host user: says for whom it was made" "$(cat "$T/err")" "made for host user '1234:1235', not '0:0'.*--restart"
# A root host user: the agent keeps the image's uid.
(cd "$HWS" && CONTAINAI_EGRESS=off CONTAINAI_IMAGE="$TAG" CONTAINAI_PROBE_IMAGE="$TAG" CONTAINAI_DATA_VOLUME="$P-rootvol" \
	timeout 180 "$LAUNCHER" run --force --name "$P-root" -- id -u </dev/null >"$T/out" 2>"$T/err")
expect_eq "root host user: the agent keeps uid 1000" "$(cat "$T/out")" 1000
