# SPDX-License-Identifier: MIT
# Test images, built offline (sourced by e2e suites).
# ensure_scratch_image: containai-test:scratch - FROM scratch with the
#   static init, Debian's busybox-static and the static test helpers.
# ensure_hardened_image TAG: $SCRATCH_IMAGE with the shipped policy at
#   /etc/containai, the config containai-init reads by default - every
#   step on, as in the sandbox image, for a few kilobytes.
# ensure_debian_base: debian:bookworm and debian:bookworm-slim made with
#   mmdebstrap + docker import when not present; nothing is pulled.
# build_sandbox_image: the repository's Dockerfile with the agents staged.
# gvisor_suite_image: that image without agents, for engines with runsc.
# shellcheck shell=bash

SCRATCH_IMAGE=${CAI_TEST_IMAGE:-containai-test:scratch}

ensure_scratch_image() {
	local ctx
	ctx=$(mktemp -d)
	mkdir -p "$ctx/bin" "$ctx/etc/containai" "$ctx/helpers"
	cp "$CAI_BUILD/containai-init" "$ctx/containai-init"
	cp /bin/busybox "$ctx/bin/busybox"
	cp "$CAI_BUILD"/helpers/* "$ctx/helpers/" 2>/dev/null || true
	cp -r "$CAI_ROOT/policy/." "$ctx/etc/containai/"
	printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/home/agent:/bin/sh\n' >"$ctx/passwd"
	printf 'root:x:0:\nagent:x:1000:\n' >"$ctx/group"
	cat >"$ctx/Dockerfile" <<'DF'
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY passwd group /etc/
COPY containai-init /usr/sbin/containai-init
COPY helpers/ /usr/lib/containai-test/
COPY etc/containai/ /etc/containai-shipped/
RUN mkdir -p /home/agent /mnt/agent-data /tmp && chown 1000:1000 /home/agent && chmod 1777 /tmp
ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/containai-test
ENTRYPOINT ["/usr/sbin/containai-init", "--"]
CMD ["/bin/sh"]
DF
	docker build -q -t "$SCRATCH_IMAGE" "$ctx" >"$ctx.log" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || cat "$ctx.log"
	rm -f "$ctx.log"
	rm -rf "$ctx"
	return $rc
}

ensure_hardened_image() {
	printf 'FROM %s\nRUN ["/bin/cp", "-r", "/etc/containai-shipped/.", "/etc/containai/"]\nRUN ["/usr/sbin/containai-init", "--check"]\nRUN ["/usr/sbin/containai-init", "--compile-policy"]\n' \
		"$SCRATCH_IMAGE" | docker build -q -t "$1" - >/dev/null
}

# One mmdebstrap run serves both tags: the builder stage only needs apt
# and the final stage trims nothing a minbase system carries.  A lock keeps
# suites and `make image` running side by side from bootstrapping twice.
ensure_debian_base() {
	(
		flock -w 900 9 || { echo "ensure_debian_base: lock timeout" >&2; exit 1; }
		local missing=() tag
		for tag in bookworm bookworm-slim; do
			docker image inspect "debian:$tag" >/dev/null 2>&1 || missing+=("$tag")
		done
		[ ${#missing[@]} -eq 0 ] && exit 0
		local src
		for tag in bookworm bookworm-slim; do
			if docker image inspect "debian:$tag" >/dev/null 2>&1; then
				src=debian:$tag
				break
			fi
		done
		if [ -z "${src:-}" ]; then
			local tar
			tar=$(mktemp --suffix=.tar)
			echo "ensure_debian_base: bootstrapping bookworm with mmdebstrap" >&2
			if ! mmdebstrap --quiet --variant=minbase bookworm "$tar" ||
				! docker import "$tar" "debian:${missing[0]}" >/dev/null; then
				rm -f "$tar"
				exit 1
			fi
			rm -f "$tar"
			src=debian:${missing[0]}
		fi
		for tag in "${missing[@]}"; do
			[ "debian:$tag" = "$src" ] || docker tag "$src" "debian:$tag" || exit 1
		done
	) 9>"${TMPDIR:-/tmp}/containai-debian-base.lock"
}

# stage_agents DIR [all | none | NAME...]: the agent CLIs the sandbox image
# copies in, installed on the host at the locked versions (agents/agents.sh).
stage_agents() {
	bash "$CAI_ROOT/agents/agents.sh" stage "$@"
}

# build_sandbox_image TAG AGENTS [docker build args...]: the Dockerfile at the
# repository root with the agents of AGENTS ("all", "none" or names, as
# agents/agents.sh takes them), offline.  The classic builder and BuildKit
# both take a FROM image from the local store when it is there and contact
# a registry only with --pull; --pull=false says so explicitly.
build_sandbox_image() {
	local tag=$1 agents=$2 label
	shift 2
	ensure_debian_base || return 1
	# shellcheck disable=SC2086 # AGENTS is a list of names
	stage_agents "$CAI_BUILD/agents" $agents || return
	label=$(awk '{printf "%s%s@%s", sep, $1, $3; sep=" "}' "$CAI_BUILD/agents/opt/containai/agents/VERSIONS" 2>/dev/null)
	docker build --pull=false --force-rm -t "$tag" --build-arg AGENTS="$label" "$@" "$CAI_ROOT"
}

# gvisor_suite_image TAG TAR: the sandbox image without agents as TAG,
# saved to TAR for the suites' engines with runsc; reports the failure and
# fails when runsc is missing or the image cannot be built.
gvisor_suite_image() {
	if ! command -v runsc >/dev/null 2>&1; then
		fail "runsc installed" "runsc is missing (tests/deps.sh installs Debian's package)"
		return 1
	fi
	if ! build_sandbox_image "$1" none >"$2.log" 2>&1; then
		fail "sandbox image" "could not be built: $(tail -n 5 "$2.log")"
		return 1
	fi
	docker save "$1" -o "$2"
}

# gvisor_suite_dirs ENGINE: the scratch directory T of a suite with a
# runsc engine at $T/ENGINE (E) and a fake one (FAKE), and WS, a workspace
# the image's agent (1000:1000) owns.
gvisor_suite_dirs() {
	T=$(scratch_dir)
	chmod 0711 "$T"
	E=$T/$1
	FAKE=$T/fake-engine
	WS=$T/workspace
	mkdir -p "$WS"
	chown 1000:1000 "$WS"
}

# remove_prefixed PREFIX: every container and volume named PREFIX-..., as a
# suite that owns that prefix cleans up.
remove_prefixed() {
	docker ps -aq --filter "name=^$1-" | xargs -r docker rm -f >/dev/null 2>&1
	docker volume ls -q --filter "name=^$1-" | xargs -r docker volume rm >/dev/null 2>&1
}

# launcher_suite: the scratch directory T of a suite that runs the launcher
# on images tagged TAG and on containers and volumes named P-...: WS, a
# workspace in it anyone may write; all of them removed on exit.
launcher_suite() {
	T=$(scratch_dir)
	chmod 0755 "$T"
	WS=$T/workspace
	mkdir -p "$WS"
	chmod 0777 "$WS"
	trap launcher_suite_cleanup EXIT
	trap 'exit 143' TERM INT
}
launcher_suite_cleanup() {
	remove_prefixed "$P"
	docker rmi -f "$TAG" >/dev/null 2>&1
	cleanup_scratch
}

# host_user_dirs: HWS and HHOME under T, the workspace and home of uid
# 1234:1235 that runs the launcher in a suite's host-user cases; HWS holds
# notes ("mine", mode 0600), that user's own file.
host_user_dirs() {
	HWS=$T/host-ws
	HHOME=$T/host-home
	mkdir -p "$HWS" "$HHOME"
	printf 'mine\n' >"$HWS/notes"
	chmod 0600 "$HWS/notes"
	chown -R 1234:1235 "$HWS" "$HHOME"
}

# launcher_is_stub: the build's `containai` is still the skeleton that
# answers every command but `version` with its usage line (no doctor, no run).
launcher_is_stub() {
	local out rc
	out=$("$CAI_BUILD/containai" doctor 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q 'usage: containai '
}

# build_egress_image TAG: the egress proxy's image (the Dockerfile's
# egress stage), offline like the sandbox image.
build_egress_image() {
	ensure_debian_base || return 1
	docker build --pull=false --force-rm -q --target egress -t "$1" "$CAI_ROOT" >/dev/null
}
