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
