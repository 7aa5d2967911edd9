#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# commands run in the sandbox expand their own $VARS
# .env loading, workspace linking and the volume root, with the real
# containai-init as root, on tmpfs volume roots and bind mounts inside a
# private mount namespace whose whole table the suite builds (nothing leaks
# to the host's mount table, and no mount of the host's is a workspace
# candidate).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ -z "${CAI_PRIVATE_ROOT:-}" ]; then
	run_in_private_root "$0" "$@"
	exit
fi
if ! enter_private_root; then
	fail "private root" "could not build the suite's own mount table"
	exit 1
fi

S=$(scratch_dir)
LINK=$S/home/agent/workspace

# new_volume: a fresh tmpfs volume root at $S/vol.
new_volume() {
	umount "$S/vol" 2>/dev/null
	mkdir -p "$S/vol"
	mount -t tmpfs -o mode=0755 envws-vol "$S/vol"
}

# write_config FILE [workspace-required]: volume + env; workspace when asked.
write_config() {
	{
		printf '[volume]\nroot = %s\nmanifest =\n' "$S/vol"
		printf '[env]\nfile = .env\n'
		if [ -n "${2:-}" ]; then
			printf '[workspace]\nlink = %s\nrequired = %s\n' "$LINK" "$2"
		fi
	} >"$1"
}

# run_init CONFIG CMD...: stdout in $OUT, stderr in $ERR, status in $RC;
# containai-init started under "${WRAP[@]}" when set.
WRAP=()
run_init() {
	local cfg=$1
	shift
	OUT=$(timeout 20 "${WRAP[@]}" "$INIT" -c "$cfg" -- "$@" 2>"$S/stderr")
	RC=$?
	ERR=$(cat "$S/stderr")
}

write_config "$S/env.ini"

# --- .env ---------------------------------------------------------------
new_volume
printf 'FROM_FILE=hello world\r\nexport SECOND=two\nPRESET=from-file\n' >"$S/vol/.env"
run_init "$S/env.ini" sh -c 'printf "%s|%s|%s" "$FROM_FILE" "$SECOND" "$PRESET"'
expect_eq "env_values_reach_command" "$OUT" "hello world|two|from-file"
PRESET=from-docker run_init "$S/env.ini" sh -c 'printf "%s" "$PRESET"'
expect_eq "env_init_environment_wins" "$OUT" "from-docker"
PRESET='' run_init "$S/env.ini" sh -c 'printf "[%s]" "${PRESET-unset}"'
expect_eq "env_empty_init_variable_still_wins" "$OUT" "[]"

# env_file_refusals [SUFFIX]: a .env that is no plain file of its own is
# skipped; case names end in SUFFIX.
env_file_refusals() {
	local sfx=${1:-} start
	new_volume
	mkfifo "$S/vol/.env"
	start=$(date +%s)
	run_init "$S/env.ini" sh -c 'echo ran'
	expect_eq "env_fifo_does_not_hang$sfx" "$RC:$OUT" "0:ran"
	expect_match "env_fifo_warned$sfx" "$ERR" 'not a regular file, skipped'
	if [ $(($(date +%s) - start)) -lt 10 ]; then pass "env_fifo_fast$sfx"; else fail "env_fifo_fast$sfx" "took too long"; fi

	new_volume
	printf 'LINKED=secret-from-target\n' >"$S/vol/real.env"
	ln -s real.env "$S/vol/.env"
	run_init "$S/env.ini" sh -c 'printf "[%s]" "${LINKED-unset}"'
	expect_eq "env_symlink_skipped$sfx" "$RC:$OUT" "0:[unset]"
	expect_match "env_symlink_warned$sfx" "$ERR" 'symlink'

	new_volume
	printf 'LINKED=1\n' >"$S/vol/other"
	ln "$S/vol/other" "$S/vol/.env"
	run_init "$S/env.ini" sh -c 'printf "[%s]" "${LINKED-unset}"'
	expect_eq "env_hard_link_skipped$sfx" "$RC:$OUT" "0:[unset]"
	expect_match "env_hard_link_warned$sfx" "$ERR" 'more than one hard link'

	new_volume
	mkdir "$S/vol/.env"
	run_init "$S/env.ini" true
	expect_eq "env_directory_skipped$sfx" "$RC" 0
}
env_file_refusals
# The same through the component walk: openat2 filtered away, the init's
# own probe falls back.
WRAP=("$HELPERS/seccomp_no_openat2" ENOSYS)
env_file_refusals _walk
WRAP=()

new_volume
printf 'OK=1\nsk-live-SECRET1\nBAD-KEY=SECRET2\nexport SECRET3\n SPACED=SECRET4\nNULVAL=SECRET5\000x\nOK=SECRET6\nQ="SECRET7 #"\nTOKEN: SECRET8==\n' >"$S/vol/.env"
run_init "$S/env.ini" sh -c 'printf "%s" "$OK"'
expect_eq "env_malformed_lines_skipped" "$RC:$OUT" "0:1"
expect_no_match "env_secret_never_in_stderr" "$ERR" 'SECRET[0-9]'
expect_match "env_malformed_line_numbers" "$ERR" '\.env:2: no .=. on the line'
expect_match "env_bad_key_line_numbered" "$ERR" "\\.env:3: what precedes the first '=' is not a valid variable name"

# Loader and interpreter hooks: one session must not plant code in .env
# that the next one runs.  Refused by name, never showing the value;
# [env] allow_hooks keeps the ones it names.
new_volume
printf 'LD_PRELOAD=/SECRET9.so\nexport NODE_OPTIONS=--require /SECRET9\nBASH_ENV=/SECRET9\nKEEP=1\n' >"$S/vol/.env"
run_init "$S/env.ini" sh -c 'printf "%s|%s|%s|%s" "${LD_PRELOAD-unset}" "${NODE_OPTIONS-unset}" "${BASH_ENV-unset}" "$KEEP"'
expect_eq "env_hooks_refused" "$RC:$OUT" "0:unset|unset|unset|1"
expect_match "env_hook_warned_by_line_and_name" "$ERR" "\\.env:2: 'NODE_OPTIONS' makes programs load or run code"
expect_no_match "env_hook_value_never_in_stderr" "$ERR" 'SECRET9'
{ cat "$S/env.ini"; printf 'allow_hooks = NODE_OPTIONS\n'; } >"$S/hooks.ini"
run_init "$S/hooks.ini" sh -c 'printf "%s|%s" "${LD_PRELOAD-unset}" "${NODE_OPTIONS-unset}"'
expect_eq "env_allowed_hook_kept" "$RC:$OUT" "0:unset|--require /SECRET9"
{ cat "$S/env.ini"; printf 'allow_hooks = NODE_OPTION\n'; } >"$S/hooks-typo.ini"
run_init "$S/hooks-typo.ini" true
expect_eq "env_allow_hooks_typo_exit_125" "$RC" 125
expect_match "env_allow_hooks_typo_names_file_and_line" "$ERR" "hooks-typo.ini:[0-9]+: \\[env\\] allow_hooks: 'NODE_OPTION' is not"

new_volume
head -c 200000 /dev/zero | tr '\0' x | sed 's/^/BIG=/' >"$S/vol/.env"
run_init "$S/env.ini" true
expect_eq "env_over_execve_limit_exit_125" "$RC" 125
expect_match "env_over_execve_limit_named" "$ERR" "variable BIG is 200005 bytes"

new_volume
printf 'X=1\n' >"$S/vol/.env"
chmod 000 "$S/vol/.env"
run_init "$S/env.ini" sh -c 'printf "%s" "${X-unset}"'
expect_eq "env_root_reads_mode_000" "$OUT" "1"

# --- workspace ----------------------------------------------------------
new_volume
: >"$S/vol/.env"
write_config "$S/ws.ini" true
write_config "$S/ws-optional.ini" false

reset_home() {
	# umount would follow a symlink at the link path to the workspace.
	[ -L "$LINK" ] || umount "$LINK" 2>/dev/null
	rm -rf "${S:?}/home"
	mkdir -p "$LINK"
	chown 1000:1000 "$S/home/agent"
}

reset_home
mkdir -p "$S/host/proj"
mount --bind "$S/host/proj" "$S/host/proj"
run_init "$S/ws.ini" sh -c 'pwd -P'
expect_eq "ws_mirrored_linked" "$RC:$(readlink "$LINK")" "0:$S/host/proj"
expect_eq "ws_command_runs_in_workspace" "$OUT" "$S/host/proj"
expect_eq "ws_link_owned_like_home" "$(stat -c %u:%g "$LINK")" "1000:1000"
check "ws_empty_dir_removed_not_moved" test -z "$(find "$S/home/agent" -maxdepth 1 -name 'workspace.bak*')"

# A host file mounted at its own path, deeper than the directory, is passed over.
mkdir -p "$S/host/proj/deeper/still"
: >"$S/host/proj/deeper/still/.gitconfig"
mount --bind "$S/host/proj/deeper/still/.gitconfig" "$S/host/proj/deeper/still/.gitconfig"
run_init "$S/ws.ini" true
expect_eq "ws_mirrored_file_passed_over" "$RC:$(readlink "$LINK")" "0:$S/host/proj"
umount "$S/host/proj/deeper/still/.gitconfig"

# A second start replaces the old link in place.
run_init "$S/ws.ini" true
expect_eq "ws_restart_relinks" "$RC:$(readlink "$LINK")" "0:$S/host/proj"

reset_home
echo keep >"$LINK/notes.txt"
run_init "$S/ws.ini" true
expect_eq "ws_nonempty_linked" "$RC:$(readlink "$LINK")" "0:$S/host/proj"
aside=$(find "$S/home/agent" -maxdepth 1 -name 'workspace.bak.*' | head -n1)
expect_eq "ws_nonempty_moved_aside" "$(cat "$aside/notes.txt" 2>/dev/null)" "keep"
expect_match "ws_move_aside_warned" "$ERR" 'moved aside to workspace\.bak\.'

# A file bind-mounted at the link path: not a directory mount, so not the
# bind layout, and a mount point is never replaced.
reset_home
rmdir "$LINK"
: >"$LINK"
: >"$S/host/file"
mount --bind "$S/host/file" "$LINK"
run_init "$S/ws.ini" true
expect_eq "ws_mount_point_refused" "$RC" 125
expect_match "ws_mount_point_refused_why" "$ERR" 'is a mount point: refusing to replace it'
check "ws_mount_point_untouched" mountpoint -q "$LINK"
umount "$LINK"

# Bind layout: a directory mounted at the link path is used as it is.
reset_home
mkdir -p "$S/host/bound"
echo inside >"$S/host/bound/marker"
mount --bind "$S/host/bound" "$LINK"
run_init "$S/ws.ini" sh -c 'cat marker'
expect_eq "ws_bind_layout_accepted" "$RC:$OUT" "0:inside"
check "ws_bind_layout_unchanged" test -d "$LINK" -a ! -L "$LINK"
umount "$LINK"

# What the launcher checked (CONTAINAI_WORKSPACE: device, inode and host
# path): the directory mounted must be that one, or nothing starts - also
# when the workspace is optional; the path picks the mirrored mount.
ident() { stat -c '%Hd:%Ld:%i' "$1"; }
reset_home
mkdir -p "$S/host/other"
mount --bind "$S/host/bound" "$LINK"
CONTAINAI_WORKSPACE="$(ident "$S/host/bound"):$S/host/bound" run_init "$S/ws.ini" sh -c 'cat marker'
expect_eq "ws_checked_identity_bind_accepted" "$RC:$OUT" "0:inside"
for cfg in ws.ini ws-optional.ini; do
	CONTAINAI_WORKSPACE="$(ident "$S/host/other"):$S/host/bound" run_init "$S/$cfg" sh -c 'echo ran'
	expect_eq "ws_swapped_bind_refused_${cfg%.ini}" "$RC:$OUT" "125:"
done
expect_match "ws_swapped_bind_why" "$ERR" "is not the directory the launcher checked"
CONTAINAI_WORKSPACE="8:1:x:/w" run_init "$S/ws-optional.ini" sh -c 'echo ran'
expect_eq "ws_malformed_identity_refused" "$RC:$OUT" "125:"
expect_match "ws_malformed_identity_why" "$ERR" 'CONTAINAI_WORKSPACE: expected MAJOR:MINOR:INODE:/PATH'
umount "$LINK"
# Mirrored: two host directories at their own paths, the launcher names
# the shallower one - it is linked, not the deepest guess.
reset_home
mkdir -p "$S/host/named" "$S/host/deep/er/dir"
mount --bind "$S/host/named" "$S/host/named"
mount --bind "$S/host/deep/er/dir" "$S/host/deep/er/dir"
CONTAINAI_WORKSPACE="$S/host/named" run_init "$S/ws.ini" sh -c 'pwd -P'
expect_eq "ws_named_path_linked_not_guessed" "$RC:$(readlink "$LINK")" "0:$S/host/named"
CONTAINAI_WORKSPACE="$(ident "$S/host/named"):$S/host/named" run_init "$S/ws.ini" true
expect_eq "ws_named_path_with_identity_accepted" "$RC" 0
CONTAINAI_WORKSPACE="$(ident "$S/host/other"):$S/host/named" run_init "$S/ws-optional.ini" sh -c 'echo ran'
expect_eq "ws_named_path_swapped_refused" "$RC:$OUT" "125:"
CONTAINAI_WORKSPACE="$S/host/missing" run_init "$S/ws.ini" true
expect_eq "ws_named_path_not_mounted_refused" "$RC" 125
expect_match "ws_named_path_not_mounted_why" "$ERR" "nor the host directory $S/host/missing at its own path"
umount "$S/host/deep/er/dir"
umount "$S/host/named"

# The link's parent is reached without following symlinks.
reset_home
mv "$S/home" "$S/home-real"
ln -s home-real "$S/home"
run_init "$S/ws.ini" true
expect_eq "ws_symlinked_parent_refused" "$RC" 125
expect_match "ws_symlinked_parent_why" "$ERR" "a symlink is in the path at 'home' \(refused\)"
rm "$S/home"
mv "$S/home-real" "$S/home"

# A hard link renamed over the temporary symlink between its creation and
# its owner change: root must never change the owner of the linked file
# (any file on the home's file system).  The init is PID 1 of its own PID
# namespace, so the child making the link is PID 2 and the racer knows the
# temporary name.  A race, so bounded in runs and time; without the check
# on the descriptor it is usually lost within a few thousand runs.
reset_home
rmdir "$LINK"
: >"$S/home/victim"
"$HELPERS/linkracer" "$S/home/agent" .workspace.tmp.2 "$S/home/victim" &
racer=$!
end=$(($(date +%s) + 10))
runs=0
while [ "$runs" -lt 4000 ] && [ "$(date +%s)" -lt "$end" ] && [ "$(stat -c %u "$S/home/victim")" = 0 ]; do
	rm -f "$LINK"
	timeout 20 unshare --pid --fork "$INIT" -q -c "$S/ws.ini" -- true 2>/dev/null
	runs=$((runs + 1))
done
kill "$racer"
wait "$racer"
expect_eq "ws_link_owner_never_changes_a_hard_link_swapped_in" "$(stat -c %u:%g "$S/home/victim")" "0:0"
rm -f "$S/home/victim"

# Neither layout.
umount "$S/host/proj"
reset_home
run_init "$S/ws.ini" true
expect_eq "ws_none_required_exit_125" "$RC" 125
expect_match "ws_none_required_why" "$ERR" 'nothing is mounted at'
run_init "$S/ws-optional.ini" sh -c 'echo ran'
expect_eq "ws_none_optional_runs" "$RC:$OUT" "0:ran"
expect_match "ws_none_optional_warned" "$ERR" 'required = false'

# A candidate under /run (a system directory) is refused.
sysdir=$(mktemp -d -p /run cai-envws.XXXXXX)
mount --bind "$sysdir" "$sysdir"
run_init "$S/ws.ini" true
expect_eq "ws_system_candidate_refused" "$RC" 125
expect_match "ws_system_candidate_why" "$ERR" "refused: $sysdir\\)"
umount "$sysdir"
rmdir "$sysdir"

# --- volume identity ----------------------------------------------------
# The volume root must be a mount point unless the config allows a plain
# directory.  (Its identity check after the steps is tested on descriptors
# in tests/unit/entrypoint/test_beneath.c.)
rm -f "$S/vol/.env"
umount "$S/vol"
rm -rf "$S/plainvol"
mkdir -p "$S/plainvol"
printf '[volume]\nroot = %s\nmanifest =\nrequire_mount = false\n[env]\nfile = .env\n' "$S/plainvol" >"$S/plain.ini"
run_init "$S/plain.ini" sh -c 'echo ran'
expect_eq "volume_plain_directory_allowed_when_configured" "$RC:$OUT" "0:ran"
printf '[volume]\nroot = %s\nmanifest =\n' "$S/plainvol" >"$S/mustmount.ini"
run_init "$S/mustmount.ini" true
expect_eq "volume_must_be_a_mount_by_default" "$RC" 125
expect_match "volume_must_be_a_mount_why" "$ERR" 'is not a mount point'
