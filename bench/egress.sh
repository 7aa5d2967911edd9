#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The egress proxy's cost, side by side on the local engine: a 100 MB
# download through the sandbox's proxy against the same download straight
# from a container on the outside network, over plain HTTP and over TLS
# through a CONNECT tunnel as package managers fetch (target: at least 0.8x
# the throughput); a small request's time through the proxy against direct
# (target: under 5 ms added); `containai run --force --detach` with egress
# against --egress off (target: at most 1.3x).
set -u
cd "$(dirname "$0")/.." || exit 1
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh
LAUNCHER=$PWD/build/containai
P=bench-egress
TOOLS=$P-tools:latest
PROXY_IMAGE=containai-egress:latest
RUNS=${BENCH_RUNS:-5}
T=$(mktemp -d)
mkdir -p "$T/ws" "$T/xdg/containai"
cleanup() {
	docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
	docker network ls -q --filter "name=^$P-" | xargs -r docker network rm >/dev/null 2>&1
	docker volume rm "$P-vol" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
cleanup 2>/dev/null; mkdir -p "$T/ws" "$T/xdg/containai"
timeout 10 docker info >/dev/null 2>&1 || { echo "egress: no engine answers"; exit 1; }
build_egress_image "$PROXY_IMAGE" || { echo "egress: proxy image failed"; exit 1; }
cp "$CAI_BUILD/containai-init" "$T/containai-init"
cp -r "$CAI_ROOT/policy" "$T/policy"
printf 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl python3 && rm -rf /var/lib/apt/lists/* && useradd -u 1000 -m agent && mkdir -p /mnt/agent-data\nCOPY containai-init /usr/sbin/containai-init\nCOPY policy/ /etc/containai/\n' >"$T/Dockerfile"
docker build --pull=false -q -t "$TOOLS" "$T" >/dev/null || exit 1
docker network create "$P-out" >/dev/null
docker run -d --name "$P-up" --network "$P-out" -v "$CAI_ROOT/tests/e2e/egress:/srv:ro" "$TOOLS" \
	python3 /srv/upstream.py 80 >/dev/null
UP=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$P-out\").IPAddress}}" "$P-up")
# The same upstream over TLS on 443, the one port a tunnel may reach.
mkdir -p "$T/tls"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls/key.pem" -out "$T/tls/cert.pem" -days 1 \
	-subj /CN=bench.test 2>/dev/null || { echo "egress: no certificate"; exit 1; }
chmod 0644 "$T/tls/key.pem"
docker run -d --name "$P-tls" --network "$P-out" -v "$CAI_ROOT/tests/e2e/egress:/srv:ro" -v "$T/tls:/tls:ro" \
	"$TOOLS" python3 /srv/upstream.py 443 /tls/cert.pem /tls/key.pem >/dev/null
UPS=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$P-out\").IPAddress}}" "$P-tls")
docker run -d --name "$P-client" --network "$P-out" "$TOOLS" sleep 3600 >/dev/null
cat >"$T/xdg/containai/config.ini" <<CFG
[default]
egress = open
egress_network = $P-out
egress_allow_cidr = $(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$P-out")
CFG
cai() { (cd "$T/ws" && XDG_CONFIG_HOME=$T/xdg "$LAUNCHER" "$@" >/dev/null 2>&1); }
ms() { date +%s%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Start: fresh each time, sandbox (and proxy and network) removed between.
on=0 off=0
for _ in $(seq 1 "$RUNS"); do
	s=$(ms); cai run --force --detach --image "$TOOLS" --name "$P-sb" --data-volume "$P-vol"; e=$(ms)
	on=$((on + e - s))
	cai rm --name "$P-sb"
	s=$(ms); cai run --force --detach --egress off --image "$TOOLS" --name "$P-off" --data-volume "$P-vol"; e=$(ms)
	off=$((off + e - s))
	cai rm --name "$P-off"
done
printf 'egress: sandbox start with egress %.3f s, without %.3f s (%sx; target <= 1.3x)\n' \
	"$(awk -v n=$on -v r="$RUNS" 'BEGIN{print n/r/1e9}')" "$(awk -v n=$off -v r="$RUNS" 'BEGIN{print n/r/1e9}')" \
	"$(ratio $on $off)"

cai run --force --detach --image "$TOOLS" --name "$P-sb" --data-volume "$P-vol"
# NAME-HASH: the name the launcher gave it; curl told the proxy's address
# as a join would tell it.
SB=$(docker ps --filter "name=^$P-sb-" --filter label=containai.egress=open --format '{{.Names}}')
PROXY=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$SB-egress\").IPAddress}}" "$SB-egress")
# download WHAT URL [CURL-OPTION...]: the 100 MB through the proxy and direct.
# Squid 5 copies a plain-HTTP answer to its client 4 KB at a time (a size
# fixed when it is built, whatever squid.conf says), so HTTP through it is
# bounded near a gigabit link's pace however fast this machine's bridge is;
# a CONNECT tunnel relays bytes without that copy.
download() {
	local t_proxy t_direct
	t_proxy=$(docker exec "$SB" curl -s "${@:3}" -x "http://$PROXY:3128" -o /dev/null -w '%{time_total}' "$2")
	t_direct=$(docker exec "$P-client" curl -s "${@:3}" -o /dev/null -w '%{time_total}' "$2")
	printf 'egress: 100 MB %s through the proxy %.0f MB/s, direct %.0f MB/s (%sx; target >= 0.8x)\n' "$1" \
		"$(awk -v t="$t_proxy" 'BEGIN{print 100/t}')" "$(awk -v t="$t_direct" 'BEGIN{print 100/t}')" \
		"$(ratio "$t_direct" "$t_proxy")"
}
download "over HTTP" "http://$UP/bytes/104857600"
# -k: the upstream's certificate is this run's own; the proxy sees only the tunnel.
download "over TLS (CONNECT)" "https://$UPS/bytes/104857600" -k
# The median of ten small requests, each on a connection of its own.
small() { docker exec "$1" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -s '"$2"' -o /dev/null -w "%{time_total}\n" '"http://$UP/x"'; done' | sort -n | sed -n 5p; }
lp=$(small "$SB" "-x http://$PROXY:3128"); ld=$(small "$P-client" "")
printf 'egress: a first request through the proxy %.1f ms, direct %.1f ms (+%.1f ms; target < 5 ms)\n' \
	"$(awk -v t="$lp" 'BEGIN{print t*1000}')" "$(awk -v t="$ld" 'BEGIN{print t*1000}')" \
	"$(awk -v a="$lp" -v b="$ld" 'BEGIN{print (a-b)*1000}')"
