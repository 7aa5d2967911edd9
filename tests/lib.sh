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

# json_field A.B.C: that field of the JSON object in OUT, as JSON text
# ("true", "\"gvisor\"", "null").
json_field() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[k]
print(json.dumps(d))' "$1" <<<"$OUT"
}

# line KEY: the rest of OUT's first line whose first word is KEY
# (seccomp_probe's "uid 1000 1000 1000", /proc's "CapEff: 0000...").
line() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^[ \t]+/, ""); print; exit }'; }

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

# The directory of a new pids cgroup, made beside the caller's, allowing at
# most MAX processes: the cgroup v1 pids hierarchy when the controller is
# bound there, else cgroup v2 (enabled for the children of its root when it
# is not yet).  Prints nothing and fails when neither has the controller.
pids_cgroup_make() {
	local max=$1 mnt rel dir
	mnt=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/self/mounts)
	if [ -n "$mnt" ]; then
		rel=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ { print $3; exit }' /proc/self/cgroup)
	else
		mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		[ -n "$mnt" ] && grep -qw pids "$mnt/cgroup.controllers" 2>/dev/null || return 1
		# A v2 cgroup with processes cannot enable controllers for its
		# children, except the root: the new cgroup goes beneath it.
		rel=/
		grep -qw pids "$mnt/cgroup.subtree_control" ||
			echo +pids >"$mnt/cgroup.subtree_control" || return 1
	fi
	dir=$(mktemp -d "$mnt${rel%/}/cai-test.XXXXXX") || return 1
	echo "$max" >"$dir/pids.max" || { rmdir "$dir"; return 1; }
	printf '%s' "$dir"
}

# in_pids_cgroup MAX CMD...: run CMD in a pids cgroup of its own that
# allows at most MAX processes, so a fork-heavy test never exhausts the
# machine's PIDs; the cgroup is removed once the last of its processes is
# gone (CMD's own, or what it left behind, up to a minute later).  Status
# 125 and one line when no pids controller can be had.
in_pids_cgroup() {
	local max=$1 dir rc i
	shift
	dir=$(pids_cgroup_make "$max") || {
		echo "in_pids_cgroup: no cgroup with the pids controller" >&2
		return 125
	}
	(echo "$BASHPID" >"$dir/cgroup.procs" && exec "$@")
	rc=$?
	# A process's PID is released a little after its parent saw it exit.
	for i in $(seq 1 1200); do
		rmdir "$dir" 2>/dev/null && break
		sleep 0.05
	done
	[ -d "$dir" ] && echo "in_pids_cgroup: $dir still holds processes" >&2
	return "$rc"
}

# churn_ready FILE PID: wait up to a minute for tests/helpers/churn to
# write FILE (its children parked), giving up early once PID, the job
# running it, is gone; fails unless FILE was written.
churn_ready() {
	local i
	for i in $(seq 1 1200); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$1" ]
}

# A suite that asserts on the mount table builds all of it: its script
# starts with
#     if [ -z "${CAI_PRIVATE_ROOT:-}" ]; then run_in_private_root "$0" "$@"; exit; fi
#     enter_private_root
# and then sees only the mounts it makes itself - none of the host's (a
# second engine's data-root bound on itself, say), whatever the machine.

# run_in_private_root SCRIPT ARGS...: run SCRIPT again in a mount namespace
# of its own, with a directory for enter_private_root.
run_in_private_root() {
	local dir rc
	dir=$(mktemp -d "${TMPDIR:-/tmp}/cai-root.XXXXXX") || return 1
	CAI_PRIVATE_ROOT=$dir unshare -m --propagation private bash "$@"
	rc=$?
	rmdir "$dir"
	return "$rc"
}

# enter_private_root: make a fresh tmpfs the root of this mount namespace:
# the host's root file system alone (no mount on it) at /host for the
# programs, /usr, /bin, /lib*, /sbin and /etc linked there; a /proc of its
# own, a /dev of a few nodes, an empty /tmp and /run; the binaries under
# test copied to /cai/build.  Results still reach $CAI_RESULTS, through a
# descriptor.  Every mount the suite then sees is its own.
enter_private_root() {
	local new=$CAI_PRIVATE_ROOT d
	mount -t tmpfs -o mode=0755 cai-root "$new" &&
		mkdir -p "$new/host" "$new/proc" "$new/dev" "$new/tmp" "$new/run" "$new/cai/build" \
			"$new/oldroot" &&
		chmod 1777 "$new/tmp" &&
		mount --bind / "$new/host" &&
		mount -t proc proc "$new/proc" &&
		cp -a "$INIT" "$HELPERS" "$new/cai/build/" || return 1
	for d in bin sbin lib lib32 lib64 libx32 usr etc; do
		if [ -e "/$d" ] || [ -L "/$d" ]; then ln -s "/host/$d" "$new/$d" || return 1; fi
	done
	mknod -m 666 "$new/dev/null" c 1 3 && mknod -m 666 "$new/dev/zero" c 1 5 &&
		mknod -m 666 "$new/dev/urandom" c 1 9 && mknod -m 666 "$new/dev/random" c 1 8 &&
		ln -s /proc/self/fd "$new/dev/fd" || return 1
	exec {CAI_RESULTS_FD}>>"$CAI_RESULTS"
	rm -f "$CAI_SCRATCH_LIST"
	cd "$new" && pivot_root . oldroot && umount -l /oldroot && rmdir /oldroot && cd / || return 1
	export TMPDIR=/tmp CAI_ROOT=/cai CAI_BUILD=/cai/build CAI_RESULTS=/proc/self/fd/$CAI_RESULTS_FD
	INIT=$CAI_BUILD/containai-init
	HELPERS=$CAI_BUILD/helpers
	CAI_SCRATCH_LIST=$(mktemp /tmp/cai-scratch.XXXXXX)
}
