#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make install` honours PREFIX and DESTDIR and installs the binaries, the
# `cai` alias, the shipped policy and the man pages - and nothing outside
# DESTDIR.
. "$(dirname "$0")/../lib.sh"

D=$(scratch_dir)
out=$(make -s -C "$CAI_ROOT" install DESTDIR="$D" PREFIX=/opt/cai 2>&1)
expect_eq "make install succeeds" "$?" 0
for f in opt/cai/sbin/containai-init opt/cai/bin/containai etc/containai/init.ini \
	etc/containai/volume.ini etc/containai/seccomp.policy \
	opt/cai/share/man/man8/containai-init.8 opt/cai/share/man/man1/containai.1; do
	check "installed: /$f" test -s "$D/$f"
done
expect_eq "cai is an alias of containai" "$(readlink "$D/opt/cai/bin/cai")" containai
expect_eq "the installed init runs" "$("$D/opt/cai/sbin/containai-init" -- echo ok)" ok
expect_eq "nothing outside DESTDIR changed: no /opt/cai" "$(ls -d /opt/cai 2>/dev/null)" ""
