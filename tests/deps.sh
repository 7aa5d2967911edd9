#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages the build and the tests need, when missing.
# Idempotent and quick when everything is there.
set -eu
PKGS="gcc make clang libc6-dev libseccomp-dev libcap-dev libinih-dev libjansson-dev
 docker.io busybox-static mmdebstrap tini dumb-init catatonit scdoc man-db
 util-linux iproute2 procps hyperfine runsc openssl strace curl"
# Tools that may come from outside Debian (a machine's own Node.js, say):
# a working command is enough, and installing Debian's over it can conflict.
# npm installs the sandbox image's agent CLIs on this host (agents/agents.sh
# needs npm 7 or later; Debian 12's is 9).
CMDS="python3 npm"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
for c in $CMDS; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
