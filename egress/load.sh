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
# The proxy's only clients (squid.conf's cai_clients): the ranges of the
# sandbox's network, every interface but lo and the one its way out - the
# default route - is on, less their gateways (cai_gateways).  Other
# containers on the way out, and the host's processes, must not use the
# proxy, nor its credentials.
rm -f "$d/clients" "$d/gateways"
awk 'function hex(s,  i, n) {
	n = 0
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789ABCDEF", toupper(substr(s, i, 1))) - 1
	return n
}
NR > 1 && $2 == "00000000" { out[$1] = 1 }
NR > 1 && $2 != "00000000" && $3 == "00000000" && $1 != "lo" { n++; dev[n] = $1; dst[n] = $2; mask[n] = $8 }
END {
	for (k = 1; k <= n; k++) {
		if (dev[k] in out)
			continue
		for (m = hex(mask[k]); m; m = int(m / 2))
			bits[k] += m % 2
		printf "%d.%d.%d.%d/%d\n", hex(substr(dst[k], 7, 2)), hex(substr(dst[k], 5, 2)),
			hex(substr(dst[k], 3, 2)), hex(substr(dst[k], 1, 2)), bits[k] >clients
		# The range'"'"'s first address is the gateway Docker gives the host
		# on that bridge (the launcher accepts no network whose gateway
		# is another): host processes, other users'"'"' included, come
		# from there.
		printf "%d.%d.%d.%d\n", hex(substr(dst[k], 7, 2)), hex(substr(dst[k], 5, 2)),
			hex(substr(dst[k], 3, 2)), hex(substr(dst[k], 1, 2)) + 1 >gateways
	}
}' clients="$d/clients" gateways="$d/gateways" /proc/net/route
: >>"$d/gateways"
if [ ! -s "$d/clients" ]; then
	echo "containai-egress-load: the proxy is not on its sandbox's network" >&2
	exit 1
fi
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
