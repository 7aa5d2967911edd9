# SPDX-License-Identifier: MIT
# Shared by every shell test suite.  A suite reports each case with
# `pass NAME` or `fail NAME REASON`; tests/run.sh counts them.
# shellcheck shell=bash

: "${CAI_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${CAI_BUILD:=$CAI_ROOT/build}"
: "${CAI_RESULTS:=/dev/null}"
INIT="$CAI_BUILD/containai-init"
LAUNCHER="$CAI_BUILD/containai"
HELPERS="$CAI_BUILD/helpers"
SUITE="${SUITE:-$(basename "$0" .sh)}"

pass() {
	printf 'ok %s: %s\n' "$SUITE" "$1"
	printf 'ok %s: %s\n' "$SUITE" "$1" >>"$CAI_RESULTS"
}

fail() {
	local name=$1
	shift
	printf 'not ok %s: %s: %s\n' "$SUITE" "$name" "$*"
	printf 'not ok %s: %s: %s\n' "$SUITE" "$name" "$*" >>"$CAI_RESULTS"
}

# check NAME CMD...: pass when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# expect_match NAME TEXT REGEX
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "'$2' does not match /$3/"; fi
}

# expect_no_match NAME TEXT REGEX
expect_no_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then fail "$1" "'$2' matches /$3/"; else pass "$1"; fi
}

# The calls `seccomp_probe deny` makes that the shipped policy answers with
# EPERM (clone3 gets ENOSYS; personality(0) and TIOCGWINSZ are allowed).
SECCOMP_EPERM_CALLS="unshare setns clone_newuser mount umount2 pivot_root open_tree move_mount
 fsopen fsconfig fsmount fspick mount_setattr keyctl add_key request_key bpf perf_event_open
 userfaultfd io_uring_setup io_uring_enter io_uring_register ptrace process_vm_readv
 process_vm_writev kexec_load kexec_file_load init_module finit_module delete_module reboot
 swapon swapoff acct open_by_handle_at ioctl_tiocsti ioctl_tiocsti_high ioctl_tioclinux
 personality_linux32 socket_vsock socket_vsock_high socket_alg"

# seccomp_not_eperm OUTPUT: the calls of SECCOMP_EPERM_CALLS that OUTPUT
# (of `seccomp_probe deny`) does not show failing with EPERM, as
# " NAME=ERRNO"; empty when every one did.
seccomp_not_eperm() {
	local c e bad=""
	for c in $SECCOMP_EPERM_CALLS; do
		e=$(printf '%s\n' "$1" | awk -v k="$c" '$1 == k { print $2 }')
		[ "$e" = 1 ] || bad="$bad $c=$e"
	done
	printf '%s' "$bad"
}

# A scratch directory removed when the suite ends.  Called as
# `d=$(scratch_dir)`, i.e. in a subshell: the list lives in a file.
CAI_SCRATCH_LIST=$(mktemp "${TMPDIR:-/tmp}/cai-scratch.XXXXXX")
scratch_dir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/cai-test.XXXXXX")
	printf '%s\n' "$d" >>"$CAI_SCRATCH_LIST"
	printf '%s' "$d"
}

cleanup_scratch() {
	local d
	while IFS= read -r d; do
		[ -n "$d" ] || continue
		umount -R "$d" 2>/dev/null || true
		rm -rf "$d"
	done <"$CAI_SCRATCH_LIST"
	rm -f "$CAI_SCRATCH_LIST"
}
trap cleanup_scratch EXIT

# mount_scratch: BASE, one scratch directory for a suite that mounts beneath
# it (in a mount namespace of its own), registered in this shell (a
# $(scratch_dir) subshell cannot register it); on exit the mounts go first,
# innermost first, then the directory.
mount_scratch() {
	BASE=$(scratch_dir)
	CAI_SCRATCH_DIRS="${CAI_SCRATCH_DIRS:-} $BASE"
	trap cleanup_mounts EXIT
}
cleanup_mounts() {
	findmnt -rn -o TARGET | grep "^$BASE/" | sort -r | xargs -r -n1 umount -l
	cleanup_scratch
}

# run_pid1 CMD...: run CMD as PID 1 of a new PID namespace.
run_pid1() {
	unshare --pid --fork --mount-proc "$@"
}
