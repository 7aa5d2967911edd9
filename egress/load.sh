#!/bin/sh
# SPDX-License-Identifier: MIT
# containai-egress-load: takes the proxy's configuration on stdin (the
# launcher runs `docker exec -i`, so the credentials it holds are on no
# command line and in no `docker inspect`), checks it with squid itself,
# puts it in place in the tmpfs and starts squid - or, when squid already
# runs, makes it read the new one.  Lines "#ca TEXT" carry the certificate
# authorities trusted for credential upstreams, when the launcher names any;
# lines "#forward PORT HOST SANDBOX_PORT" the sandbox's published ports.
set -eu
d=/run/containai-egress
umask 077
cat >"$d/squid.conf.new"
sed -n 's/^#ca //p' "$d/squid.conf.new" >"$d/ca.pem"
sed -n 's/^#forward //p' "$d/squid.conf.new" >"$d/forward"
if ! /usr/sbin/squid -k parse -f "$d/squid.conf.new" >"$d/parse.log" 2>&1; then
	grep -E 'FATAL|ERROR' "$d/parse.log" >&2 || cat "$d/parse.log" >&2
	exit 1
fi
mv -f "$d/squid.conf.new" "$d/squid.conf"
# The entry script's FIFO exists until squid starts: at most 10 s to see it.
i=0
while [ ! -p "$d/go" ] && [ ! -s "$d/squid.pid" ]; do
	i=$((i + 1))
	[ "$i" -le 500 ] || { echo "containai-egress-load: the proxy never got ready" >&2; exit 1; }
	sleep 0.02
done
if [ -p "$d/go" ]; then
	echo go >"$d/go"
	# Ready means listening: the launcher starts the sandbox next.
	i=0
	until grep -q '^ *[0-9]*: [0-9A-F]*:0C38 [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 500 ] || { echo "containai-egress-load: squid did not start listening" >&2; exit 1; }
		sleep 0.02
	done
else
	/usr/sbin/squid -k reconfigure -f "$d/squid.conf"
fi
