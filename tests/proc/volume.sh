#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Data-volume preparation by the real containai-init against tmpfs volumes:
# the shipped layout, idempotence, user data kept, every attack refused
# with exit 125 and nothing outside the volume touched, and a rename race.
# The whole suite runs three times: through openat2, and through the
# component walk containai-init falls back to when its own probe finds
# openat2 missing (ENOSYS, an old kernel) or filtered (EPERM, an old
# runtime profile) - here because tests/helpers/seccomp_no_openat2 filters
# it before exec'ing the init.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# The volume must be a mount point: mount in a private namespace so
# nothing reaches the host's mount table.
if [ -z "${CAI_VOLUME_NS:-}" ]; then
	CAI_VOLUME_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

mount_scratch

# How this run reaches containai-init: directly, or with openat2 filtered.
WRAP=()
case ${CAI_VOLUME_MODE:-} in
walk) WRAP=("$HELPERS/seccomp_no_openat2" ENOSYS) WHY="Function not implemented" ;;
walk-eperm) WRAP=("$HELPERS/seccomp_no_openat2" EPERM) WHY="Operation not permitted" ;;
esac

POLICY=$CAI_ROOT/policy/volume.ini
OWNER=1000:1000
: "${RACE_BATCHES:=20}"
: "${RACE_RUNS:=75}"

# new_volume: a tmpfs ($S/fs) holding the volume and, beside it,
# $OUT; the volume is bind-mounted at $V, so it is a mount point that
# shares a filesystem with $OUT (hard links and renames between them work).
new_volume() {
	S=$(mktemp -d "$BASE/v.XXXXXX")
	mkdir "$S/fs" "$S/vol"
	mount -t tmpfs -o size=64m,mode=0755 tmpfs "$S/fs"
	mkdir -p "$S/fs/vol" "$S/fs/outside/sub" "$S/fs/home"
	chown "$OWNER" "$S/fs/home"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$S/fs/outside/passwd"
	mount --bind "$S/fs/vol" "$S/vol"
	V=$S/vol
	H=$S/fs/home
	OUT=$S/fs/outside
	write_config "$POLICY" true
}

# write_config MANIFEST REQUIRE_MOUNT [ROOT]
write_config() {
	cat >"$S/init.ini" <<-EOF
		[volume]
		root = ${3:-$V}
		manifest = $1
		owner = $OWNER
		require_mount = $2
		home = $S/fs/home
	EOF
}

# Everything about a tree that preparation could change: names, types,
# modes, owners, sizes, times (ctime catches even a chown to the same
# owner) and contents.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %n %T@ %C@\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}

# What a tree holds, without link counts and ctimes.
snapshot_data() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}

# run_init [ARGS...]: sets RC and ERR; the command leaves $S/ran behind.
run_init() {
	ERR=$(timeout 20 "${WRAP[@]}" "$INIT" -c "$S/init.ini" "$@" -- /bin/touch "$S/ran" 2>&1 >/dev/null)
	RC=$?
}

run_check() {
	ERR=$(timeout 20 "${WRAP[@]}" "$INIT" -c "$S/init.ini" --check 2>&1 >/dev/null)
	RC=$?
}

# plant: the attack is in place; remember what the outside looks like.
plant_done() {
	OUT_BEFORE=$(snapshot "$OUT")
}

# expect_refused NAME REGEX: exit 125, the command never ran, the reason
# on stderr, the outside unchanged.
expect_refused() {
	local why=""
	[ "$RC" = 125 ] || why="exit $RC"
	[ -e "$S/ran" ] && why="$why; the command ran"
	printf '%s' "$ERR" | grep -Eq -- "$2" || why="$why; stderr lacks /$2/"
	[ "$(snapshot "$OUT")" = "$OUT_BEFORE" ] || why="$why; outside changed"
	if [ -z "$why" ]; then pass "$1"; else fail "$1" "$why: $ERR"; fi
}

expect_ok() {
	if [ "$RC" = 0 ] && [ -e "$S/ran" ]; then pass "$1"; else fail "$1" "exit $RC: $ERR"; fi
}

# The manifest as lines "TYPE PATH MODE INIT" (d|f, octal mode without
# the leading 0, init or "-").
manifest_lines() {
	awk '
	function flush() { if (p != "") print t, p, m, (i == "" ? "-" : i) }
	/^\[dir /  { flush(); t = "d"; p = substr($0, 6, length($0) - 6); m = "755"; i = "" }
	/^\[file / { flush(); t = "f"; p = substr($0, 7, length($0) - 7); m = "644"; i = "" }
	/^mode *=/ { m = $3; sub(/^0/, "", m) }
	/^init *=/ { i = $0; sub(/^init *= */, "", i) }
	END { flush() }' "$1"
}

check_layout() {
	local name=$1 bad="" t p m i got
	while read -r t p m i; do
		if [ "$t" = d ]; then
			if [ ! -d "$V/$p" ] || [ -L "$V/$p" ]; then bad="$bad $p(not a dir)"; continue; fi
		else
			if [ ! -f "$V/$p" ] || [ -L "$V/$p" ]; then bad="$bad $p(not a file)"; continue; fi
			if [ "$i" != - ] && [ "$(cat "$V/$p")" != "$i" ]; then bad="$bad $p(init)"; fi
		fi
		got=$(stat -c '%a %u:%g' "$V/$p")
		[ "$got" = "$m $OWNER" ] || bad="$bad $p($got)"
	done < <(manifest_lines "$POLICY")
	# Implicit parents and the root itself belong to the owner as well.
	got=$(find "$V" \( ! -user "${OWNER%:*}" -o ! -group "${OWNER#*:}" \) -print)
	[ -z "$got" ] || bad="$bad not-owned:$got"
	if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
}

case_layout() {
	new_volume
	run_init
	expect_ok layout_runs
	check_layout layout_types_modes_owners
	run_check
	expect_eq check_accepts_policy "$RC" 0
}

case_idempotent() {
	new_volume
	run_init
	local before
	before=$(snapshot "$V")
	rm -f "$S/ran"
	run_init
	expect_ok second_run_ok
	expect_eq second_run_changes_nothing "$(snapshot "$V")" "$before"
}

case_user_data() {
	new_volume
	mkdir -p "$V/claude"
	printf '{"theme":"dark"}\n' >"$V/claude/settings.json"
	: >"$V/vscode-server-insiders.keep"
	run_init
	expect_ok user_data_run
	expect_eq existing_file_not_rewritten "$(cat "$V/claude/settings.json")" '{"theme":"dark"}'
	printf 'token-123' >"$V/claude/.credentials.json"
	chmod 0666 "$V/claude/.credentials.json"
	local sum
	sum=$(md5sum <"$V/claude/.credentials.json")
	run_init
	expect_eq nonempty_file_byte_identical "$(md5sum <"$V/claude/.credentials.json")" "$sum"
	expect_eq nonempty_file_mode_restored "$(stat -c %a "$V/claude/.credentials.json")" 600
	: >"$V/gemini/settings.json"
	chmod 0700 "$V/config"
	chmod 0755 "$V/config/gh"
	run_init
	expect_eq init_into_empty_file "$(cat "$V/gemini/settings.json")" '{}'
	expect_eq unnamed_parent_keeps_user_mode "$(stat -c %a "$V/config")" 700
	expect_eq named_dir_mode_restored "$(stat -c %a "$V/config/gh")" 700
}

# A symlink at each component of one deep entry, to an outside directory,
# to an outside file and dangling.
case_symlinks() {
	local comp target kind
	for comp in vscode-server vscode-server/data vscode-server/data/User vscode-server/data/User/mcp.json; do
		for kind in dir file dangling; do
			new_volume
			case $kind in
			dir) target=$OUT ;;
			file) target=$OUT/passwd ;;
			dangling) target=$OUT/missing ;;
			esac
			mkdir -p "$V/$(dirname "$comp")"
			ln -s "$target" "$V/$comp"
			plant_done
			run_init
			expect_refused "symlink_${comp//\//_}_to_$kind" "$comp: a symlink is in the path \(refused\)"
		done
	done
	new_volume
	mkdir -p "$V/claude"
	ln -s ../../fs/outside "$V/claude/plugins"
	plant_done
	run_init
	expect_refused symlink_relative_escape "claude/plugins: a symlink"
}

case_root_symlink() {
	new_volume
	ln -s "$V" "$S/link"
	write_config "$POLICY" true "$S/link"
	plant_done
	run_init
	expect_refused root_is_symlink "a symlink is in the path at 'link' \\(refused\\)"
	ln -s "$OUT" "$S/link2"
	write_config "$POLICY" false "$S/link2"
	run_init
	expect_refused root_symlink_to_outside "a symlink is in the path at 'link2' \\(refused\\)"
	write_config "$POLICY" false "$S/link/claude"
	run_init
	expect_refused root_symlink_component "a symlink is in the path at 'link' \\(refused\\)"
}

case_hardlink() {
	new_volume
	mkdir -p "$S/fs/vol/claude"
	ln "$OUT/passwd" "$S/fs/vol/claude/.credentials.json"
	plant_done
	run_init
	expect_refused hardlink_at_file_entry "claude/.credentials.json: has more than one hard link"
}

case_special_files() {
	local kind
	for kind in fifo socket device; do
		new_volume
		mkdir -p "$V/claude"
		case $kind in
		fifo) mkfifo "$V/claude/.credentials.json" ;;
		socket) python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
			"$V/claude/.credentials.json" ;;
		device) mknod "$V/claude/.credentials.json" c 1 3 ;;
		esac
		plant_done
		run_init
		expect_refused "${kind}_at_file_entry_no_hang" "claude/.credentials.json: not a regular file"
	done
}

case_type_swaps() {
	new_volume
	mkdir -p "$V/claude/claude.json"
	printf 'keep' >"$V/claude/claude.json/inner"
	plant_done
	run_init
	expect_refused dir_at_file_entry "claude/claude.json: a file is expected, a directory is there"
	expect_eq dir_at_file_entry_kept "$(cat "$V/claude/claude.json/inner")" keep

	new_volume
	mkdir -p "$V/claude"
	printf 'keep' >"$V/claude/plugins"
	plant_done
	run_init
	expect_refused file_at_dir_entry "claude/plugins: a directory is expected"
	expect_eq file_at_dir_entry_kept "$(cat "$V/claude/plugins")" keep
}

case_inner_mounts() {
	new_volume
	mkdir -p "$V/claude"
	mount -t tmpfs -o size=1m tmpfs "$V/claude"
	plant_done
	run_init
	expect_refused mount_at_entry "claude: leaves the volume or crosses a mount"
	expect_eq mount_at_entry_untouched "$(stat -c '%u:%g' "$V/claude")" 0:0

	new_volume
	mkdir -p "$V/userdata"
	mount -t tmpfs -o size=1m tmpfs "$V/userdata"
	touch "$V/userdata/x"
	plant_done
	run_init
	expect_refused mount_elsewhere_in_volume "userdata: a mount inside the volume"
	expect_eq mount_elsewhere_untouched "$(stat -c '%u:%g' "$V/userdata/x")" 0:0

	# A bind mount of the volume's own file system: the same device
	# number, so only a mount id (or, where statx has none, the mount
	# table: tests/e2e/t_gvisor.sh) tells it apart.
	new_volume
	mkdir -p "$V/userdata" "$OUT/bound"
	touch "$OUT/bound/x"
	mount --bind "$OUT/bound" "$V/userdata"
	plant_done
	run_init
	expect_refused same_fs_bind_in_volume "userdata: a mount inside the volume"
	expect_eq same_fs_bind_untouched "$(stat -c '%u:%g' "$OUT/bound/x")" 0:0
}

case_bad_manifest() {
	local text
	for text in '[dir ../outside/x]' '[dir /tmp/x]' '[file claude/../../x]'; do
		new_volume
		printf '[dir claude]\n%s\n' "$text" >"$S/bad.ini"
		write_config "$S/bad.ini" true
		plant_done
		run_init
		expect_refused "manifest_refused_${text//[^a-z]/_}" "$S/bad.ini:2: "
		run_check
		expect_refused "check_refuses_${text//[^a-z]/_}" "$S/bad.ini:2: "
		expect_eq "manifest_refused_nothing_created_${text//[^a-z]/_}" "$(ls -A "$V")" ""
	done
}

case_mount_required() {
	new_volume
	mkdir -p "$S/fs/vol/plain"
	write_config "$POLICY" true "$S/fs/vol/plain"
	plant_done
	run_init
	expect_refused not_a_mount_point "is not a mount point"
	write_config "$POLICY" false "$S/fs/vol/plain"
	run_init
	expect_ok plain_dir_when_allowed
}

case_no_manifest() {
	new_volume
	mkdir "$V/data"
	write_config "" true
	run_init
	expect_ok no_manifest_runs
	expect_eq no_manifest_changes_nothing "$(stat -c '%u:%g' "$V" "$V/data" | sort -u)" 0:0
	write_config "" true "$V/data"
	rm -f "$S/ran"
	plant_done
	run_init
	expect_refused no_manifest_still_needs_mount "is not a mount point"
}

# The ownership fix: root-owned user data becomes the owner's; symlinks,
# FIFOs and hard-linked files keep theirs, and nothing is followed.
case_owner_fix() {
	new_volume
	mkdir -p "$V/claude/projects/a/b"
	printf 'x' >"$V/claude/projects/a/b/f"
	ln -s "$OUT/passwd" "$V/claude/projects/link"
	mkfifo "$V/claude/projects/fifo"
	printf 'y' >"$V/claude/projects/h1"
	ln "$V/claude/projects/h1" "$V/claude/projects/h2"
	plant_done
	run_init
	expect_ok owner_fix_runs
	expect_eq owner_fix_deep_file "$(stat -c '%u:%g' "$V/claude/projects/a/b/f")" "$OWNER"
	expect_eq owner_fix_deep_dir "$(stat -c '%u:%g' "$V/claude/projects/a")" "$OWNER"
	expect_eq owner_fix_symlink_left_alone "$(stat -c '%u:%g' "$V/claude/projects/link")" 0:0
	expect_eq owner_fix_fifo_left_alone "$(stat -c '%u:%g' "$V/claude/projects/fifo")" 0:0
	expect_eq owner_fix_hardlink_left_alone "$(stat -c '%u:%g' "$V/claude/projects/h1")" 0:0
	expect_eq owner_fix_symlink_target_untouched "$(snapshot "$OUT")" "$OUT_BEFORE"
}

# A tree deeper than PATH_MAX can name (twenty names of 250 bytes, far
# above the depth limit): what is below the limit is left alone with a
# warning, the rest still gets its owner, and the start goes on - not
# refused at every start for a tree the agent grew.
case_owner_fix_long_path() {
	new_volume
	mkdir -p "$V/claude/projects/long"
	printf 'x' >"$V/claude/projects/short"
	local name i
	name=$(printf 'd%.0s' $(seq 1 250))
	(cd "$V/claude/projects/long" && for i in $(seq 1 20); do mkdir "$name" && cd "$name" || exit 1; done &&
		printf 'z' >deepest)
	plant_done
	run_init
	expect_ok owner_fix_long_path_runs
	expect_match owner_fix_long_path_warned "$ERR" 'left alone'
	expect_eq owner_fix_long_path_rest_owned "$(stat -c '%u:%g' "$V/claude/projects/short" "$V/claude/projects/long" | sort -u)" "$OWNER"
	expect_eq owner_fix_long_path_deepest_left "$(cd "$V/claude/projects/long" && for i in $(seq 1 20); do cd "$name" || exit 1; done && stat -c '%u:%g' deepest)" 0:0
}

# The init's own probe decides, and says why: the volume is prepared on
# descriptors it holds, one name at a time, whatever openat2 does; the
# .env after it is looked up beneath the root, through openat2 or the walk.
case_lookup_mode() {
	new_volume
	printf '[env]\nfile = .env\n' >>"$S/init.ini"
	run_init
	printf 'LOOKUP=%s\n' "${CAI_VOLUME_MODE}" >"$V/.env"
	ERR=$(timeout 20 "${WRAP[@]}" "$INIT" -v -c "$S/init.ini" -- /bin/sh -c 'echo "$LOOKUP" >"$0"' "$S/ran" 2>&1 >/dev/null)
	expect_eq lookup_env_read "$(cat "$S/ran")" "$CAI_VOLUME_MODE"
	if [ ${#WRAP[@]} -gt 0 ]; then
		expect_match lookup_uses_walk "$ERR" "openat2 unusable \($WHY\): confined lookups walk component by component"
	else
		expect_no_match lookup_uses_openat2 "$ERR" "walk component by component"
	fi
}

# containai-init's own filter stacks on one it was started under (as on a
# runtime's): the command runs under both, the volume prepared all the same.
case_filter_stacks() {
	new_volume
	cat >>"$S/init.ini" <<-EOF
		[user]
		uid = ${OWNER%:*}
		gid = ${OWNER#*:}
		[security]
		seccomp = $CAI_ROOT/policy/seccomp.policy
	EOF
	local out want=1
	[ ${#WRAP[@]} -gt 0 ] && want=2
	out=$(timeout 20 "${WRAP[@]}" "$INIT" -c "$S/init.ini" -- /bin/cat /proc/self/status 2>"$S/err")
	RC=$?
	expect_eq filter_stacks_runs "$RC" 0
	expect_match filter_stacks_filters "$out" "Seccomp_filters:[[:space:]]+$want\b"
	expect_match filter_stacks_no_new_privs "$out" "NoNewPrivs:[[:space:]]+1\b"
	check_layout filter_stacks_layout
}

# The links: each [link] of the shipped manifest in the home, pointing at
# its target in the volume, and a second start changes nothing.
link_lines() {
	awk '/^\[link / { p = substr($0, 7, length($0) - 7) } /^target *=/ { print p, $3 }' "$POLICY"
}

check_links() {
	local name=$1 bad="" p t got
	while read -r p t; do
		got=$(readlink "$H/$p" 2>/dev/null)
		[ "$got" = "$V/$t" ] || bad="$bad $p(->$got)"
	done < <(link_lines)
	if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
}

case_links() {
	new_volume
	run_init
	expect_ok links_run
	check_links links_point_into_the_volume
	# Made after the volume, whose entries were made with the owner's
	# file system ids: those are root's again by then.
	expect_eq links_made_with_roots_ids "$(stat -c '%u:%g' "$H/.claude" "$H/.config/gh" | sort -u)" 0:0
	expect_eq links_parents_are_the_agents "$(stat -c '%u:%g %a' "$H/.config" "$H/.local/share" | sort -u)" \
		"$OWNER 755"
	local before
	before=$(snapshot "$H")
	rm -f "$S/ran"
	run_init
	expect_eq links_second_run_changes_nothing "$(snapshot "$H")" "$before"
	# What the agent writes through a link lands in the volume.
	printf 'token' >"$H/.claude/.credentials.json"
	expect_eq links_write_reaches_volume "$(cat "$V/claude/.credentials.json")" token
}

# Hostile entries at the link paths and their parents, planted between two
# starts: each replaced, nothing followed, nothing outside touched, what
# held data moved aside.
case_links_hostile() {
	new_volume
	run_init
	printf 'secret\n' >"$OUT/shadow"
	chmod 0640 "$OUT/shadow"
	rm "$H/.claude" "$H/.codex" "$H/.gemini" "$H/.claude.json" "$H/.copilot" "$H/.vscode-server" \
		"$H/.bash_history" "$H/.local/share/opencode"
	ln -s "$OUT/shadow" "$H/.claude"
	mkfifo "$H/.codex"
	mkdir "$H/.gemini"
	printf 'kept' >"$H/.gemini/notes"
	ln "$OUT/shadow" "$H/.claude.json"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$H/.copilot"
	mknod "$H/.vscode-server" c 1 3
	printf 'history' >"$H/.bash_history"
	mkdir "$H/.local/share/opencode"
	rm -r "$H/.config"
	ln -s "$OUT" "$H/.config"
	# The hard link's removal changes its inode's link count and ctime,
	# nothing else.
	local out_data
	out_data=$(snapshot_data "$OUT")
	rm -f "$S/ran"
	run_init
	expect_ok links_hostile_run
	check_links links_hostile_all_replaced
	expect_eq links_hostile_outside_untouched "$(snapshot_data "$OUT")" "$out_data"
	expect_eq links_hostile_hard_link_target_kept "$(stat -c '%h %U %a' "$OUT/shadow")" "1 root 640"
	expect_eq links_hostile_parent_symlink_now_a_dir "$(stat -c %F "$H/.config")" directory
	local aside
	aside=$(find "$H" -maxdepth 1 -name '.gemini.bak.*')
	expect_eq links_hostile_directory_moved_aside "$(cat "$aside/notes" 2>/dev/null)" kept
	aside=$(find "$H" -maxdepth 1 -name '.bash_history.bak.*')
	expect_eq links_hostile_file_moved_aside "$(cat "$aside" 2>/dev/null)" history
	expect_match links_hostile_move_warned "$ERR" 'links: .*/\.gemini was not empty: moved aside to \.gemini\.bak\.'

	# A mount point at a link path is never replaced.
	new_volume
	run_init
	rm "$H/.gemini"
	mkdir "$H/.gemini"
	mount -t tmpfs -o size=1m tmpfs "$H/.gemini"
	touch "$H/.gemini/x"
	plant_done
	rm -f "$S/ran"
	run_init
	expect_refused links_mount_point_refused "links: .*/\.gemini: a mount point is there, never replaced"
	expect_eq links_mount_point_untouched "$(ls "$H/.gemini")" x
	umount "$H/.gemini"

	# Nor is one where a parent of links must be: they would be made in
	# whatever is mounted there - first start or later, at any depth.
	local parent
	for parent in .config .local/share; do
		new_volume
		mkdir -p "$H/$parent"
		mount -t tmpfs -o size=1m tmpfs "$H/$parent"
		touch "$H/$parent/x"
		plant_done
		run_init
		expect_refused "links_parent_mount_refused_${parent//[^a-z]/_}" \
			"links: .*/${parent//./\\.}: a mount point is there, never replaced"
		expect_eq "links_parent_mount_untouched_${parent//[^a-z]/_}" "$(ls -A "$H/$parent")" x
		umount "$H/$parent"
	done
}

# A volume prepared for another uid is re-owned whole, its root last: a
# start refused halfway leaves the root as it was, so the next start walks
# it all again.  A volume already the owner's is not walked: data added
# since by another uid keeps its owner.
case_reown() {
	new_volume
	run_init
	mkdir -p "$V/userdata/deep"
	touch "$V/userdata/deep/f"
	chown -R 2000:2000 "$V"
	mkdir "$V/mnt"
	mount -t tmpfs -o size=1m tmpfs "$V/mnt"
	plant_done
	rm -f "$S/ran"
	run_init
	expect_refused reown_refused_halfway "mnt: a mount inside the volume"
	expect_eq reown_root_keeps_old_owner "$(stat -c '%u:%g' "$V")" 2000:2000
	umount "$V/mnt"
	run_init
	expect_ok reown_completes
	expect_eq reown_every_entry_the_owners "$(find "$V" ! -user "${OWNER%:*}" -print)" ""
	touch "$V/userdata/late"
	chown 2000:2000 "$V/userdata/late"
	rm -f "$S/ran"
	run_init
	expect_ok reown_prepared_volume_runs
	expect_eq reown_prepared_volume_not_walked "$(stat -c '%u:%g' "$V/userdata/late")" 2000:2000
}

# The race: a swapper exchanges a layout directory with a symlink to an
# outside directory in a tight loop while containai-init prepares - the
# layout alone, or (root not yet the owner's) the whole volume.
case_race() {
	new_volume
	local target=$S/fs/race-target before after batch run n=0 refused=0 odd=0 idle=0 swaps dir pid rc why=
	mkdir -m 0755 "$target"
	before=$(find "$target" -maxdepth 0 -printf '%m %U:%G %n %C@')
	for ((batch = 0; batch < RACE_BATCHES; batch++)); do
		rm -rf "${V:?}"/* "$V"/.[!.]*
		if ((batch % 2)); then dir=claude; else dir=vscode-server/data; fi
		mkdir -p "$V/$dir"
		ln -s "$target" "$V/$dir.swap"
		"$HELPERS/swapper" "$V/$dir" "$V/$dir.swap" >"$S/swaps" &
		pid=$!
		for ((run = 0; run < RACE_RUNS; run++)); do
			# Every other batch, the volume's root not the owner's: the
			# whole volume is walked under the race, not only the layout.
			((batch % 2)) && chown 0:0 "$V"
			timeout 10 "${WRAP[@]}" "$INIT" -q -c "$S/init.ini" -- /bin/true 2>"$S/race.err"
			rc=$?
			case $rc in
			0) ;;
			125) refused=$((refused + 1)) ;;
			*) odd=$((odd + 1)) why="$why [status $rc: $(head -c 200 "$S/race.err")]" ;;
			esac
			n=$((n + 1))
		done
		kill -TERM "$pid"
		wait "$pid"
		swaps=$(cat "$S/swaps")
		# A batch whose swapper never ran tested nothing; whether the
		# race was run at all is race_swaps_hit_preparation's to say.
		[ "${swaps:-0}" -gt 0 ] || idle=$((idle + 1))
	done
	after=$(find "$target" -maxdepth 0 -printf '%m %U:%G %n %C@')
	expect_eq "race_${n}_runs_target_gains_no_entry" "$(ls -A "$target")" ""
	expect_eq "race_target_mode_owner_unchanged" "$after" "$before"
	expect_eq "race_every_run_ok_or_refused" "$odd$why" 0
	# Without refusals the swapper never won a window: the race was not run.
	if [ "$refused" -gt 0 ]; then pass "race_swaps_hit_preparation ($refused of $n refused, $idle of $RACE_BATCHES batches without a swap)"; else fail race_swaps_hit_preparation "no run saw a swap"; fi
}

# A directory of the manifest its owner may not write (0500): what it
# holds is made all the same, the owner's - root's permission checks, the
# owner's ids on what is made.
case_owner_cannot_write() {
	new_volume
	printf '[dir ro]\nmode = 0500\n[file ro/f]\ninit = x\n[file ro/g]\n[dir ro/d]\n' >"$S/ro.ini"
	write_config "$S/ro.ini" true
	run_init
	expect_ok owner_cannot_write_runs
	expect_eq owner_cannot_write_entries "$(cd "$V" && stat -c '%n %a %u:%g' ro ro/f ro/g ro/d | tr '\n' ' ')" \
		"ro 500 $OWNER ro/f 644 $OWNER ro/g 644 $OWNER ro/d 755 $OWNER "
	expect_eq owner_cannot_write_init "$(cat "$V/ro/f")" x
}

# A setgid volume root hands its group and the bit to what is made in it:
# the entries made there still get the owner and exactly their modes.
case_setgid_root() {
	new_volume
	chown 0:2000 "$V"
	chmod 2775 "$V"
	run_init
	expect_ok setgid_root_runs
	check_layout setgid_root_layout
}

# Started as the owner itself (not root): a fresh volume's entries are
# its own from their creation.
case_not_root_fresh() {
	new_volume
	chown "$OWNER" "$V"
	chmod 0755 "$BASE" "$S"
	ERR=$(timeout 20 setpriv --reuid "${OWNER%:*}" --regid "${OWNER#*:}" --clear-groups \
		"${WRAP[@]}" "$INIT" -c "$S/init.ini" -- /bin/true 2>&1 >/dev/null)
	RC=$?
	expect_eq not_root_fresh_runs "$RC" 0
	check_layout not_root_fresh_layout
}

# The ownership fix stops 128 levels down: deeper directories keep their
# owner (with a warning), not one descriptor per level beyond that.
case_owner_fix_depth() {
	new_volume
	local deep=$V/deep i
	for ((i = 0; i < 130; i++)); do deep=$deep/d; done
	mkdir -p "$deep"
	local at128=$V/deep at129
	for ((i = 1; i < 128; i++)); do at128=$at128/d; done
	at129=$at128/d
	run_init
	expect_ok owner_fix_depth_runs
	expect_match owner_fix_depth_warned "$ERR" 'deep(/d)+: deeper than 128 levels, owner not fixed below'
	expect_eq owner_fix_depth_128_owned "$(stat -c '%u:%g' "$at128")" "$OWNER"
	expect_eq owner_fix_depth_129_kept "$(stat -c '%u:%g' "$at129" "$deep" | sort -u)" 0:0
}

run_all() {
	case_layout
	case_idempotent
	case_user_data
	case_symlinks
	case_root_symlink
	case_hardlink
	case_special_files
	case_type_swaps
	case_inner_mounts
	case_bad_manifest
	case_mount_required
	case_owner_fix
	case_owner_fix_long_path
	case_owner_fix_depth
	case_owner_cannot_write
	case_setgid_root
	case_not_root_fresh
	case_no_manifest
	case_lookup_mode
	case_links
	case_links_hostile
	case_reown
	case_filter_stacks
	case_race
}

if [ -z "${CAI_VOLUME_MODE:-}" ]; then
	CAI_VOLUME_MODE=openat2 SUITE="${SUITE}[openat2]" bash "$0"
	CAI_VOLUME_MODE=walk SUITE="${SUITE}[walk]" bash "$0"
	CAI_VOLUME_MODE=walk-eperm SUITE="${SUITE}[walk-eperm]" bash "$0"
	exit 0
fi
run_all
