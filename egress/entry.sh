#!/bin/sh
# SPDX-License-Identifier: MIT
# containai-egress: the proxy container's command, under containai-init as
# PID 1, as the proxy user with no capability.  Squid starts only once
# egress-load has put the launcher's configuration into the tmpfs: until
# then nothing listens, and the sandbox, whose only network is the internal
# one, reaches nothing at all.
set -eu
d=/run/containai-egress
mkfifo -m 0600 "$d/go"
read -r _ <"$d/go"
rm -f "$d/go"
# The sandbox's published ports: nothing is published from its internal
# network, so the proxy publishes them and forwards each to the sandbox
# (by its name there).  Lines "PORT HOST SANDBOX_PORT", from egress-load.
while read -r port host to; do
	/usr/bin/socat "TCP-LISTEN:$port,fork,reuseaddr" "TCP:$host:$to" &
done <"$d/forward"
exec /usr/sbin/squid -N -f "$d/squid.conf"
