# SPDX-License-Identifier: MIT
# Docker engine bootstrap for the e2e suites (sourced).
# engine_up: make sure `docker info` answers, starting dockerd if needed.
# engine_down: stop the engine again if engine_up started it.
# shellcheck shell=bash

ENGINE_STATE=${CAI_BUILD:-build}/engine
ENGINE_STARTED_PID=

engine_answers() {
	timeout 10 docker info >/dev/null 2>&1
}

engine_up() {
	engine_answers && return 0
	command -v dockerd >/dev/null 2>&1 || {
		echo "dockerd missing: installing docker.io"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || return 1
	}
	mkdir -p "$ENGINE_STATE"
	# A killed engine leaves its pid file behind and a new dockerd refuses
	# to start; remove it only when no dockerd owns it.
	local pidfile=/var/run/docker.pid
	if [ -f "$pidfile" ]; then
		local old
		old=$(cat "$pidfile" 2>/dev/null)
		if [ -z "$old" ] || ! grep -qs dockerd "/proc/$old/comm"; then
			rm -f "$pidfile"
		fi
	fi
	dockerd >"$ENGINE_STATE/dockerd.log" 2>&1 &
	ENGINE_STARTED_PID=$!
	echo "$ENGINE_STARTED_PID" >"$ENGINE_STATE/started.pid"
	local i
	for i in $(seq 1 120); do
		engine_answers && return 0
		kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || break
		sleep 0.5
	done
	echo "dockerd did not answer; its log:"
	tail -n 30 "$ENGINE_STATE/dockerd.log"
	return 1
}

engine_down() {
	[ -n "$ENGINE_STARTED_PID" ] || return 0
	kill "$ENGINE_STARTED_PID" 2>/dev/null || return 0
	local i
	for i in $(seq 1 60); do
		kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -9 "$ENGINE_STARTED_PID" 2>/dev/null || true
}

# ---- side engines: a second dockerd beside the first -----------------------
#
# side_engine_start DIR NETNS CONFIG: a dockerd whose daemon.json is CONFIG
#   (JSON text), with its own socket (DIR/docker.sock), --data-root,
#   --exec-root and --pidfile under DIR, started inside the network
#   namespace NETNS (created when missing; in the main namespace it would
#   take over the first engine's docker0 bridge).  `nsenter --net`, not
#   `ip netns exec`, which remounts /sys and hides the cgroup mounts.
#   Returns once the engine answers; its log is DIR/dockerd.log.  While it
#   runs, dockerd has its data root mounted on itself in the host's mount
#   table (a "mirrored" mount to anything reading that table): a suite
#   stops its engines before it ends.
# side_engine_host DIR: the engine's address for docker -H / DOCKER_HOST.
# side_engine_docker DIR ARGS...: the docker CLI against that engine.
# side_engine_stop DIR: every container on the engine removed first (a
#   runsc container left behind keeps its runsc-sandbox and runsc-gofer
#   processes), dockerd stopped (SIGKILL after 30 s), what it mounted under
#   DIR unmounted, its network namespace deleted.  Fails when a process of
#   the engine (one whose command line names DIR) is still there after
#   10 s; such processes are then killed by their pids.
#   Idempotent: safe in an EXIT trap after a partial start.
# The state lives in files under DIR, so a subshell's start is stopped by
# its parent.

side_engine_host() {
	printf 'unix://%s/docker.sock' "$1"
}

side_engine_docker() {
	local dir=$1
	shift
	docker -H "$(side_engine_host "$dir")" "$@"
}

# side_engine_sandbox DIR NAME: the id of the sandbox `--name NAME` made on
# that engine (NAME-HASH, HASH from the workspace's path).
side_engine_sandbox() {
	side_engine_docker "$1" ps -aq --filter "name=^$2-[0-9a-f]{8}\$"
}

side_engine_start() {
	local dir=$1 netns=$2 config=$3
	mkdir -p "$dir"
	# A remapped engine's root (uid 100000) must be able to traverse it.
	chmod 0711 "$dir"
	printf '%s\n' "$config" >"$dir/daemon.json"
	printf '%s\n' "$netns" >"$dir/netns"
	if ! ip netns list | grep -qw "$netns"; then
		ip netns add "$netns" && ip -n "$netns" link set lo up || return 1
	fi
	nsenter --net="/run/netns/$netns" dockerd --config-file "$dir/daemon.json" \
		--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "$(side_engine_host "$dir")" >"$dir/dockerd.log" 2>&1 &
	local pid=$! _
	echo "$pid" >"$dir/started.pid"
	for _ in $(seq 1 120); do
		timeout 10 docker -H "$(side_engine_host "$dir")" info >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	tail -n 20 "$dir/dockerd.log"
	return 1
}

# The processes whose command line names DIR (dockerd, its containerd,
# shims, runsc's sandbox and gofer), one pid a line.
side_engine_pids() {
	local dir=$1 p
	for p in /proc/[0-9]*; do
		grep -qsF -- "$dir/" "$p/cmdline" 2>/dev/null && printf '%s\n' "${p#/proc/}"
	done
	return 0
}

side_engine_stop() {
	local dir=$1 pid netns _ ids
	[ -f "$dir/started.pid" ] || return 0
	pid=$(cat "$dir/started.pid")
	if kill -0 "$pid" 2>/dev/null; then
		ids=$(timeout 30 docker -H "$(side_engine_host "$dir")" ps -aq 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$ids" ] || timeout 60 docker -H "$(side_engine_host "$dir")" rm -f $ids >/dev/null 2>&1
		kill "$pid" 2>/dev/null
		for _ in $(seq 1 60); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rm -f "$dir/started.pid"
	local left
	for _ in $(seq 1 20); do
		left=$(side_engine_pids "$dir")
		[ -z "$left" ] && break
		sleep 0.5
	done
	# Still failing the stop, but not left running: each is a process of
	# this engine, ended by its pid.
	if [ -n "$left" ]; then
		echo "side engine $dir: processes left behind: $(tr '\n' ' ' <<<"$left")" >&2
		local p
		for p in $left; do kill -9 "$p" 2>/dev/null; done
		sleep 1
	fi
	umount -R "$dir/exec" "$dir/data" 2>/dev/null
	netns=$(cat "$dir/netns" 2>/dev/null)
	[ -z "$netns" ] || ip netns del "$netns" 2>/dev/null
	[ -z "$left" ]
}

# The runtime entry that registers gVisor in a test engine's daemon.json.
# On these test machines gVisor's own network stack cannot start (the
# machine hides its PID 1's namespaces, and runsc then refuses "cannot run
# with network enabled in root network namespace"), so the test runtime
# uses the host kernel's network stack inside the container's network
# namespace (--network=host).  A real host registers plain
# {"path": "/usr/bin/runsc"} and keeps gVisor's netstack.
# shellcheck disable=SC2034 # used by the suites that source this file
GVISOR_TEST_RUNTIME='"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=host"]}'
