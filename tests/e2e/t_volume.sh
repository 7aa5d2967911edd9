#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A named Docker volume at /mnt/agent-data in the FROM-scratch image,
# prepared by containai-init: the shipped layout with its owners and modes
# seen from inside, the same result as on a host directory, kept across
# restarts, and a symlink left in the volume refused with exit 125.
CAI_TEST_IMAGE=${CAI_TEST_IMAGE:-volume-test:scratch}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/engine.sh
. "$(dirname "$0")/engine.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"
# Our own tag even where images.sh does not read CAI_TEST_IMAGE: the
# cleanup below removes it.
SCRATCH_IMAGE=$CAI_TEST_IMAGE

VOL=volume-e2e-$$-data
DIR=$(mktemp -d)
host=$(mktemp -d)

cleanup() {
	docker volume rm -f "$VOL" >/dev/null 2>&1
	docker image rm -f "$CAI_TEST_IMAGE" >/dev/null 2>&1
	rm -rf "$DIR" "$host"
	cleanup_scratch
}
trap cleanup EXIT

# The .env lookup is the confined lookup the probe below decides on (the
# layout itself is walked on held descriptors, never through openat2).
cat >"$DIR/init.ini" <<EOF
[volume]
root = /mnt/agent-data
manifest = /etc/containai-shipped/volume.ini
owner = 1000:1000

[env]
file = .env
EOF

# in_sandbox MODE [INIT-OPTION...] -- CMD...: one container on the volume;
# prints the command's output, returns its status.  MODE walk starts
# containai-init under the test image's seccomp_no_openat2, so its own
# probe finds openat2 missing (ENOSYS) and it walks component by component.
in_sandbox() {
	local entry=/usr/sbin/containai-init args=()
	if [ "$1" = walk ]; then
		entry=/usr/lib/containai-test/seccomp_no_openat2
		args=(ENOSYS /usr/sbin/containai-init)
	fi
	shift
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	docker run --rm --pull=never --network none \
		-v "$VOL:/mnt/agent-data" -v "$DIR:/cfg:ro" \
		--entrypoint "$entry" "$CAI_TEST_IMAGE" "${args[@]}" -c /cfg/init.ini "$@"
}

# shellcheck disable=SC2016 # expanded by the container's shell
LIST='cd /mnt/agent-data && find . | sort | while read -r p; do stat -c "%a %u:%g %F %n" "$p"; done'

if ! ensure_scratch_image; then
	fail image_builds "docker build of $CAI_TEST_IMAGE failed"
	exit 0
fi

# The oracle: the same binary and manifest on a plain host directory.
mkdir "$host/vol"
cat >"$host/init.ini" <<EOF
[volume]
root = $host/vol
manifest = $CAI_ROOT/policy/volume.ini
owner = 1000:1000
require_mount = false
EOF
"$INIT" -c "$host/init.ini" -- /bin/true
want=$(cd "$host/vol" && find . | sort | while read -r p; do stat -c "%a %u:%g %F %n" "$p"; done)

for mode in openat2 walk; do
	docker volume rm -f "$VOL" >/dev/null 2>&1
	docker volume create "$VOL" >/dev/null

	# containai-init's own probe chose the lookup.
	err=$(in_sandbox "$mode" -v -- /bin/true 2>&1)
	if [ "$mode" = walk ]; then
		expect_match walk_probe_falls_back "$err" "openat2 unusable \(Function not implemented\): confined lookups walk"
	else
		expect_no_match openat2_probe_succeeds "$err" "openat2 unusable"
	fi
	got=$(in_sandbox "$mode" -- /bin/sh -c "$LIST")
	expect_eq "${mode}_layout_matches_host_preparation" "$got" "$want"
	expect_match "${mode}_gh_private" "$got" "^700 1000:1000 directory ./config/gh$"
	expect_match "${mode}_credentials_private" "$got" "^600 1000:1000 regular file ./claude/.credentials.json$"
	expect_match "${mode}_root_owned" "$got" "^755 1000:1000 directory \.$"
	expect_eq "${mode}_init_content" "$(in_sandbox "$mode" -- /bin/cat /mnt/agent-data/claude/settings.json)" "{}"

	in_sandbox "$mode" -- /bin/sh -c 'printf token-1 > /mnt/agent-data/claude/.credentials.json'
	got2=$(in_sandbox "$mode" -- /bin/sh -c "$LIST")
	expect_eq "${mode}_restart_changes_nothing" "$(echo "$got2" | grep -v credentials.json)" \
		"$(echo "$got" | grep -v credentials.json)"
	expect_eq "${mode}_user_data_kept" "$(in_sandbox "$mode" -- /bin/cat /mnt/agent-data/claude/.credentials.json)" token-1

	# Something that shared the volume left a symlink at a layout entry.
	in_sandbox "$mode" -- /bin/sh -c 'rm -r /mnt/agent-data/config/tmux && ln -s /etc /mnt/agent-data/config/tmux'
	err=$(in_sandbox "$mode" -- /bin/sh -c 'echo ran; stat -c "%u:%g %a" /etc' 2>&1)
	rc=$?
	expect_eq "${mode}_symlink_refused_125" "$rc" 125
	expect_match "${mode}_symlink_refusal_named" "$err" "config/tmux: a symlink is in the path"
	expect_no_match "${mode}_symlink_command_not_run" "$err" "^ran$"
done
