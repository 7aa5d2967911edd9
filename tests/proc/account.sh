#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# The agent's account moved to the host user's ids, and starts as another
# uid than root, with the real containai-init in a small root of its own
# (chroot: its /etc is the test's, never this machine's), inside a private
# mount namespace: the volume and a bind-mounted workspace are tmpfs mounts
# nothing outside sees.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ -z "${ACCOUNT_PRIVATE_NS:-}" ]; then
	ACCOUNT_PRIVATE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

mount_scratch

PASSWD='root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
agent:x:1000:1000:agent:/home/agent:/bin/sh
other:x:1001:1001::/home/other:/bin/sh
'
GROUP='root:x:0:
daemon:x:1:
users:x:100:agent
agent:x:1000:
other:x:1001:
'

# new_root [INIT.INI-EXTRA]: $R, a root with containai-init, busybox, an
# /etc of its own, the agent's home (a file, a subdirectory, a symlink, a
# hard-linked file and a root-owned file in it) with the workspace
# bind-mounted at ~/workspace, and a tmpfs volume at /mnt/agent-data.
new_root() {
	R=$(mktemp -d "$BASE/root.XXXXXX")
	chmod 0755 "$R"
	mkdir -p "$R/sbin" "$R/bin" "$R/etc/containai" "$R/home/agent/sub" "$R/home/agent/workspace" \
		"$R/mnt/agent-data" "$R/tmp" "$R/proc" "$R/ws"
	cp "$INIT" "$R/sbin/containai-init"
	cp /bin/busybox "$R/bin/busybox"
	local a
	for a in sh id cat echo; do ln -s busybox "$R/bin/$a"; done
	printf '%s' "$PASSWD" >"$R/etc/passwd"
	printf '%s' "$GROUP" >"$R/etc/group"
	chmod 0644 "$R/etc/passwd" "$R/etc/group"
	cp "$CAI_ROOT/policy/volume.ini" "$R/etc/containai/volume.ini"
	cat >"$R/etc/containai/init.ini" <<-EOF
		[volume]
		root = /mnt/agent-data
		manifest = /etc/containai/volume.ini
		owner = 1000:1000
		home = /home/agent
		[user]
		name = agent
		follow_host = true
		[security]
		seccomp =
		${1:-}
	EOF
	echo profile >"$R/home/agent/.profile"
	echo deep >"$R/home/agent/sub/file"
	ln -s /etc/passwd "$R/home/agent/link"
	echo twice >"$R/home/agent/hard"
	ln "$R/home/agent/hard" "$R/home/agent/sub/hard2"
	echo root >"$R/home/agent/rootfile"
	chown -R 1000:1000 "$R/home/agent"
	chown -h 1000:1000 "$R/home/agent/link"
	chown 0:0 "$R/home/agent/rootfile"
	# The host user's workspace (1234:1235), with a file of uid 1000 in it
	# that moving the agent's home must not reach.
	mount -t tmpfs -o size=8m,mode=0755 tmpfs "$R/ws"
	echo project >"$R/ws/README"
	echo old >"$R/ws/old"
	chown -R 1234:1235 "$R/ws"
	chown 1000:1000 "$R/ws/old"
	mount --bind "$R/ws" "$R/home/agent/workspace"
	mount -t tmpfs -o size=16m,mode=0755 tmpfs "$R/mnt/agent-data"
	mount -t proc proc "$R/proc"
	ETC_BEFORE=$(cat "$R/etc/passwd" "$R/etc/group")
}

# run_root [ENV=VALUE...] -- CMD...: containai-init in the root, as root;
# sets OUT, ERR, RC.
run_root() {
	local env=()
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	OUT=$(env -i PATH=/bin "${env[@]}" "$TIMEOUT" 20 "$CHROOT" "$R" /sbin/containai-init \
		-c /etc/containai/init.ini -- /bin/busybox "$@" 2>"$BASE/stderr")
	RC=$?
	ERR=$(cat "$BASE/stderr")
}

TIMEOUT=$(command -v timeout)
CHROOT=$(command -v chroot)

# --- the move ---------------------------------------------------------
new_root
run_root CONTAINAI_HOST_USER=1234:1235 -- sh -c 'id -u; id -g; echo new >/home/agent/workspace/made; echo edit >>/home/agent/workspace/README'
expect_eq move_runs "$RC" 0
expect_eq move_command_uid "$(echo "$OUT" | sed -n 1p)" 1234
expect_eq move_command_gid "$(echo "$OUT" | sed -n 2p)" 1235
expect_eq move_passwd_line "$(grep '^agent:' "$R/etc/passwd")" "agent:x:1234:1235:agent:/home/agent:/bin/sh"
expect_eq move_group_line "$(grep '^agent:' "$R/etc/group")" "agent:x:1235:"
expect_eq move_other_lines_kept "$(cat "$R/etc/passwd" "$R/etc/group" | grep -v '^agent:')" \
	"$(printf '%s' "$ETC_BEFORE" | grep -v '^agent:')"
expect_eq move_etc_modes_kept "$(stat -c '%a %u:%g' "$R/etc/passwd" "$R/etc/group" | sort -u)" "644 0:0"
expect_eq move_no_temporary_left "$(find "$R/etc" -maxdepth 1 -name '.*containai*')" ""
expect_eq move_home_reowned "$(stat -c '%u:%g' "$R/home/agent" "$R/home/agent/.profile" "$R/home/agent/sub" \
	"$R/home/agent/sub/file" | sort -u)" 1234:1235
expect_eq move_home_symlink_left_alone "$(stat -c '%u:%g' "$R/home/agent/link")" 1000:1000
expect_eq move_home_hard_link_left_alone "$(stat -c '%u:%g %h' "$R/home/agent/hard")" "1000:1000 2"
expect_eq move_home_other_owner_kept "$(stat -c '%u:%g' "$R/home/agent/rootfile")" 0:0
expect_eq move_workspace_mount_not_entered "$(stat -c '%u:%g' "$R/ws/old")" 1000:1000
expect_eq move_workspace_new_file_is_the_hosts "$(stat -c '%u:%g' "$R/ws/made")" 1234:1235
expect_eq move_workspace_hosts_file_edited "$(tail -n1 "$R/ws/README")" edit
expect_eq move_volume_owned "$(find "$R/mnt/agent-data" \( ! -user 1234 -o ! -group 1235 \) -print)" ""
expect_eq move_links_made "$(readlink "$R/home/agent/.claude")" /mnt/agent-data/claude

# A second start with the same ids changes nothing.
before=$(stat -c '%i %Y' "$R/etc/passwd" "$R/etc/group")
run_root CONTAINAI_HOST_USER=1234:1235 -- id -u
expect_eq move_again_runs "$RC:$OUT" 0:1234
expect_eq move_again_rewrites_nothing "$(stat -c '%i %Y' "$R/etc/passwd" "$R/etc/group")" "$before"
expect_no_match move_again_says_nothing "$ERR" "moved from"

# Without the variable nothing moves; the account keeps what it has.
run_root -- id -u
expect_eq move_without_variable "$RC:$OUT" 0:1234

# A start stopped between the two renames: /etc/group already gives the
# account's group the host's gid, /etc/passwd still has the old ids.  The
# next start takes that group for the account's own and moves the rest.
new_root
sed -i 's/^agent:x:1000:$/agent:x:1235:/' "$R/etc/group"
run_root CONTAINAI_HOST_USER=1234:1235 -- sh -c 'id -u; id -g'
expect_eq half_moved_runs "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:1234 1235 "
expect_eq half_moved_passwd_line "$(grep '^agent:' "$R/etc/passwd")" "agent:x:1234:1235:agent:/home/agent:/bin/sh"
expect_eq half_moved_group_line "$(grep '^agent:' "$R/etc/group")" "agent:x:1235:"
expect_no_match half_moved_no_warning "$ERR" "the agent keeps gid"
expect_eq half_moved_home_reowned "$(stat -c '%u:%g' "$R/home/agent" "$R/home/agent/.profile" "$R/home/agent/sub" \
	"$R/home/agent/sub/file" | sort -u)" 1234:1235
expect_eq half_moved_volume_owned "$(find "$R/mnt/agent-data" \( ! -user 1234 -o ! -group 1235 \) -print)" ""

# A group at the host's gid under another name stays another's, even with
# no line for the account's gid.
new_root
sed -i '/^agent:x:1000:$/d' "$R/etc/group"
run_root CONTAINAI_HOST_USER=2000:100 -- sh -c 'id -u; id -g'
expect_eq half_moved_other_name_keeps_group "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:2000 1000 "

# --- what is never taken ----------------------------------------------
new_root
run_root CONTAINAI_HOST_USER=0:0 -- sh -c 'id -u; id -g'
expect_eq root_host_keeps_default_ids "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:1000 1000 "
expect_eq root_host_passwd_unchanged "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"

new_root
run_root CONTAINAI_HOST_USER=1:1 -- id -u
expect_eq taken_uid_refused "$RC" 125
expect_match taken_uid_says_whose "$ERR" "account: uid 1 is the account 'daemon' in /etc/passwd: 'agent' cannot take it \(refused\)"
expect_eq taken_uid_one_line "$(printf '%s\n' "$ERR" | wc -l)" 1
expect_eq taken_uid_passwd_unchanged "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"
expect_eq taken_uid_home_unchanged "$(stat -c '%u' "$R/home/agent/.profile")" 1000

new_root
run_root CONTAINAI_HOST_USER=2000:100 -- sh -c 'id -u; id -g'
expect_eq taken_gid_keeps_group "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:2000 1000 "
expect_match taken_gid_warned "$ERR" "gid 100 is the group 'users' in /etc/group: the agent keeps gid 1000"
expect_eq taken_gid_group_file_unchanged "$(cat "$R/etc/group")" "$(printf '%s' "$GROUP")"

new_root
run_root CONTAINAI_HOST_USER=2000:0 -- id -g
expect_eq root_group_keeps_group "$RC:$OUT" 0:1000

# Another account's primary gid is its files' group even where
# /etc/group has no line for it: never the agent's.
new_root
sed -i '/^other:x:1001:$/d' "$R/etc/group"
ETC_BEFORE=$(cat "$R/etc/passwd" "$R/etc/group")
run_root CONTAINAI_HOST_USER=2000:1001 -- sh -c 'id -u; id -g'
expect_eq account_gid_keeps_group "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:2000 1000 "
expect_match account_gid_warned "$ERR" \
	"gid 1001 is the primary group of the account 'other' in /etc/passwd: the agent keeps gid 1000"
expect_eq account_gid_group_file_unchanged "$(grep -c 1001 "$R/etc/group")" 0

# The overflow ids are no one's own: whatever the kernel cannot map
# shows as 65534, 65535 is "unchanged" to the 16-bit calls, (uid_t)-2 is
# NFS's nobody.  Refused as uid or gid, in one line, nothing moved.
for bad in 65534:1235 1234:65534 65535:1235 1234:65535 4294967294:1235; do
	new_root
	run_root "CONTAINAI_HOST_USER=$bad" -- id -u
	what=uid
	[ "${bad%%:*}" = 1234 ] && what=gid
	expect_eq "overflow_${bad//[^0-9]/_}_refused" "$RC" 125
	expect_match "overflow_${bad//[^0-9]/_}_named" "$ERR" \
		"account: CONTAINAI_HOST_USER: $what [0-9]+ is .*, no one's own: refused"
	expect_eq "overflow_${bad//[^0-9]/_}_one_line" "$(printf '%s\n' "$ERR" | wc -l)" 1
	expect_eq "overflow_${bad//[^0-9]/_}_nothing_moved" "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"
	expect_eq "overflow_${bad//[^0-9]/_}_home_unchanged" "$(stat -c '%u:%g' "$R/home/agent/.profile")" 1000:1000
done

for bad in 12a:1 1000 -1:5 4294967295:1 01000:1000 1000:; do
	new_root
	run_root "CONTAINAI_HOST_USER=$bad" -- id -u
	expect_eq "malformed_${bad//[^0-9a-z]/_}_refused" "$RC" 125
	expect_match "malformed_${bad//[^0-9a-z]/_}_named" "$ERR" "account: CONTAINAI_HOST_USER: '$bad' is not UID:GID"
	expect_eq "malformed_${bad//[^0-9a-z]/_}_nothing_moved" "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"
done

# The volume's .env reaches the command, never the move.
new_root '[env]
file = .env'
run_root -- id -u
printf 'CONTAINAI_HOST_USER=4321:4321\n' >"$R/mnt/agent-data/.env"
run_root -- sh -c 'id -u; echo "$CONTAINAI_HOST_USER"'
expect_eq env_file_cannot_move "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:1000 4321:4321 "
expect_eq env_file_passwd_unchanged "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"

# /etc that cannot be written: refused whole, in one line, nothing moved.
new_root
mount --bind -o ro "$R/etc" "$R/etc"
mount -o remount,bind,ro "$R/etc"
run_root CONTAINAI_HOST_USER=1234:1234 -- id -u
expect_eq read_only_etc_refused "$RC" 125
expect_match read_only_etc_named "$ERR" "account: /etc/\.group\.containai-new: Read-only file system"
expect_eq read_only_etc_one_line "$(printf '%s\n' "$ERR" | wc -l)" 1
umount "$R/etc"
expect_eq read_only_etc_unchanged "$(cat "$R/etc/passwd" "$R/etc/group")" "$ETC_BEFORE"
expect_eq read_only_etc_home_unchanged "$(stat -c '%u' "$R/home/agent/.profile" "$R/home/agent/sub/file" | sort -u)" 1000
run_root CONTAINAI_HOST_USER=1234:1234 -- id -u
expect_eq read_only_etc_writable_again_moves "$RC:$OUT" 0:1234

# A symlinked passwd or /etc is never followed.
new_root
mv "$R/etc/passwd" "$R/etc/passwd.real"
ln -s passwd.real "$R/etc/passwd"
run_root CONTAINAI_HOST_USER=1234:1234 -- id -u
expect_eq symlinked_passwd_refused "$RC" 125
expect_match symlinked_passwd_named "$ERR" "account: /etc/passwd: Too many levels of symbolic links"
