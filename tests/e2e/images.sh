# Test images, built offline (sourced by e2e suites).
# ensure_scratch_image: containai-test:scratch - FROM scratch with the
#   static init, Debian's busybox-static and the static test helpers.
# ensure_debian_base: debian:bookworm and debian:bookworm-slim made with
#   mmdebstrap + docker import when not present; nothing is pulled.
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

ensure_debian_base() {
	local tag
	for tag in bookworm bookworm-slim; do
		docker image inspect "debian:$tag" >/dev/null 2>&1 && continue
		local tar
		tar=$(mktemp --suffix=.tar)
		mmdebstrap --quiet --variant=minbase bookworm "$tar" || { rm -f "$tar"; return 1; }
		docker import "$tar" "debian:$tag" >/dev/null || { rm -f "$tar"; return 1; }
		rm -f "$tar"
	done
}
