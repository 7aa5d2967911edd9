#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Egress through the per-sandbox proxy, on the local engine (mode none,
# --force), with the world built here: an outside network holding a plain
# HTTP upstream, a TLS upstream whose certificate a test CA made now signs,
# one with a self-signed certificate, and a DNS server (dnsmasq) that
# answers the test names - rebind.test with the metadata address.  The
# proxy resolves through that server (egress_dns); the upstreams' range is
# exempt from the private rule (egress_allow_cidr), the link-local one is
# not.  Everything created carries the prefix and is removed again.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/e2e/images.sh
. "$(dirname "$0")/images.sh"

P=${CAI_EGRESS_E2E_PREFIX:-egress-e2e}
TOOLS=$P-tools:latest
PROXY_IMAGE=${CAI_EGRESS_IMAGE:-containai-egress:latest}
SB=$P-sb
ONET=$P-out
T=$(scratch_dir)
chmod 0755 "$T"
WS=$T/workspace
mkdir -p "$WS" "$T/xdg/containai" "$T/srv"
SECRET=sk-e2e-$$-$RANDOM-injected
export DOCKER_CONFIG=$T/docker-config
mkdir -p "$DOCKER_CONFIG"

remove_all() {
	docker ps -aq --filter "name=^$SB-" | xargs -r docker rm -f >/dev/null 2>&1
	docker rm -f "$P-http" "$P-tls" "$P-badtls" "$P-dns" >/dev/null 2>&1
	docker network ls -q --filter "name=^$SB-" | xargs -r docker network rm >/dev/null 2>&1
	docker network rm "$ONET" >/dev/null 2>&1
	docker volume rm "$P-vol" >/dev/null 2>&1
}
cleanup() {
	remove_all
	docker image rm "$TOOLS" >/dev/null 2>&1
	cleanup_scratch
}
trap cleanup EXIT
trap 'exit 143' TERM INT
remove_all

cai() {
	(cd "$WS" && XDG_CONFIG_HOME=$T/xdg timeout 120 "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
# inside CMD...: a command in the sandbox, as root, beside what runs there
# (to search it); through CMD...: one joined the way `containai exec` joins
# - as the agent, with the proxy's variables and the credentials'
# endpoints.
inside() { docker exec "$SBN" "$@" 2>&1; }
through() {
	(cd "$WS" && XDG_CONFIG_HOME=$T/xdg timeout 60 "$LAUNCHER" exec --force --name "$SB" -- "$@" \
		</dev/null 2>/dev/null)
}
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }

# ---- the world ------------------------------------------------------------

if ! build_egress_image "$PROXY_IMAGE"; then
	fail "proxy image" "could not build $PROXY_IMAGE"
	exit 1
fi
# A sandbox image with the tools the checks run: containai-init as PID 1
# with the shipped policy, as in the sandbox image.
cp "$CAI_BUILD/containai-init" "$T/containai-init"
cp -r "$CAI_ROOT/policy" "$T/policy"
cat >"$T/Dockerfile" <<'DF'
FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	curl python3 dnsmasq-base openssl ca-certificates procps && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home agent && mkdir -p /mnt/agent-data
COPY containai-init /usr/sbin/containai-init
COPY policy/ /etc/containai/
DF
if ! docker build --pull=false -q -t "$TOOLS" "$T" >/dev/null; then
	fail "tools image" "could not build $TOOLS"
	exit 1
fi

# The test CA, and certificates for tls.test (signed) and badtls.test (not).
S=$T/srv
cp "$CAI_ROOT/tests/e2e/egress/upstream.py" "$S/"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$S/ca.key" -out "$S/ca.pem" -days 1 \
	-subj /CN=containai-egress-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$S/tls.key" -out "$S/tls.csr" -subj /CN=tls.test 2>/dev/null
printf 'subjectAltName=DNS:tls.test\n' >"$S/ext"
openssl x509 -req -in "$S/tls.csr" -CA "$S/ca.pem" -CAkey "$S/ca.key" -CAcreateserial \
	-out "$S/tls.pem" -days 1 -extfile "$S/ext" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$S/bad.key" -out "$S/bad.pem" -days 1 \
	-subj /CN=badtls.test -addext subjectAltName=DNS:badtls.test 2>/dev/null
chmod 0644 "$S"/*

docker network create "$ONET" >/dev/null
run_on_out() { docker run -d --name "$1" --network "$ONET" -v "$S:/srv:ro" "$TOOLS" "${@:2}" >/dev/null; }
run_on_out "$P-http" python3 /srv/upstream.py 80
run_on_out "$P-tls" python3 /srv/upstream.py 443 /srv/tls.pem /srv/tls.key
run_on_out "$P-badtls" python3 /srv/upstream.py 443 /srv/bad.pem /srv/bad.key
HTTP=$(ip_of "$P-http" "$ONET")
cat >"$S/dnsmasq.conf" <<EOF
no-resolv
no-hosts
address=/allowed.test/$HTTP
address=/denied.test/$HTTP
address=/tls.test/$(ip_of "$P-tls" "$ONET")
address=/badtls.test/$(ip_of "$P-badtls" "$ONET")
address=/rebind.test/169.254.169.254
EOF
chmod 0644 "$S/dnsmasq.conf"
run_on_out "$P-dns" dnsmasq -k -C /srv/dnsmasq.conf --user=root
DNS=$(ip_of "$P-dns" "$ONET")
SUBNET=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$ONET")

umask 077
printf '%s\n' "$SECRET" >"$T/key"
umask 022
cat >"$T/xdg/containai/config.ini" <<EOF
[default]
egress = locked
egress_network = $ONET
egress_image = $PROXY_IMAGE
egress_dns = $DNS
egress_allow = allowed.test rebind.test
egress_allow_cidr = $SUBNET
egress_ca_file = $S/ca.pem

[credential test]
upstream = tls.test
header = x-api-key
value_file = $T/key
endpoint_env = TEST_BASE_URL
placeholder_env = TEST_API_KEY

[credential unverified]
upstream = badtls.test
header = Authorization: Bearer
value_file = $T/key
endpoint_env = BAD_BASE_URL
EOF

# ---- start ---------------------------------------------------------------

cai run --force --dry-run --image "$TOOLS" --name "$SB" --data-volume "$P-vol" -- sleep 600
# The name the launcher gives --name SB in this workspace: SB-HASH.
SBN=$(sed -n 's/.* --label containai.egress-for=\([^ ]*\) .*/\1/p' <<<"$OUT" | head -n 1)
expect_match "dry run: the sandbox's name carries the workspace's hash" "$SBN" "^$SB-[0-9a-f]{8}\$"
expect_match "dry run: an internal network" "$OUT" "network create --internal .* $SBN-egress"
expect_match "dry run: the sandbox on it alone, with a dead resolver" "$OUT" \
	"run -d --name $SBN .*--network $SBN-egress --dns 192.0.2.1 "
expect_no_match "dry run: no key in the commands" "$OUT" "$SECRET"
expect_eq "dry run: nothing created" "$(docker ps -aq --filter "name=^$SB-")" ""

cai run --force --detach --image "$TOOLS" --name "$SB" --data-volume "$P-vol" -- sleep 600
expect_eq "run with egress starts" "$RC" 0
[ "$RC" = 0 ] || { echo "$ERR"; exit 1; }
PROXY=$(ip_of "$SBN-egress" "$SBN-egress")
expect_eq "the network is internal" "$(docker network inspect -f '{{.Internal}}' "$SBN-egress")" true
expect_eq "the sandbox's only network" \
	"$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$SBN")" "$SBN-egress "
expect_match "the sandbox gets the proxy variables" "$(through env)" "HTTPS_PROXY=http://$PROXY:3128"
expect_match "lower case too" "$(through env)" "https_proxy=http://$PROXY:3128"

# ---- the policy ----------------------------------------------------------

expect_match "an allowed host answers through the proxy" "$(through curl -sS -m 10 http://allowed.test/hello)" \
	'^path=/hello'
body=$(through curl -sS -m 10 -w '\n%{http_code}' http://denied.test/)
expect_match "an unlisted host gets 403" "$body" '403$'
expect_match "the 403 names its rule" "$body" 'refused by rule "domain"'
expect_match "the 403 says how to allow it" "$body" 'containai run --egress-allow denied.test'
expect_match "a name resolving to the metadata address is refused" \
	"$(through curl -sS -m 10 http://rebind.test/latest/meta-data/)" 'refused by rule "private"'
expect_match "the metadata address itself is refused" \
	"$(through curl -sS -m 10 http://169.254.169.254/)" 'refused by rule'
expect_match "an IPv6 address in the URL is refused" \
	"$(through curl -gsS -m 10 'http://[2606:4700::1111]/')" 'refused by rule "ipv6"'
expect_match "an IPv6 address in a tunnel is refused" \
	"$(through sh -c "curl -gsS -m 10 'https://[2606:4700::1111]/' 2>&1")" 'CONNECT tunnel failed, response 403'
expect_match "the proxy still answers after an IPv6 address" \
	"$(through curl -sS -m 10 http://allowed.test/hello)" 'hello'
expect_match "a port other than 80 and 443 is refused" \
	"$(through curl -sS -m 10 http://allowed.test:8080/)" 'refused by rule "port"'
connect22=$(inside python3 -c "
import socket; s = socket.create_connection(('$PROXY', 3128), 10)
s.sendall(b'CONNECT allowed.test:22 HTTP/1.1\r\nHost: allowed.test:22\r\n\r\n')
print(s.recv(4096).decode(errors='replace').splitlines()[0])")
expect_match "CONNECT to port 22 is refused" "$connect22" ' 403 '
expect_match "a direct connection to an upstream's address fails" \
	"$(inside curl -sS -m 5 --noproxy '*' "http://$HTTP/" || echo FAILED)" 'FAILED'
expect_match "an outside name does not resolve inside" \
	"$(inside getent hosts allowed.test || echo UNRESOLVED)" 'UNRESOLVED'
dns=$(inside python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
q = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07allowed\x04test\x00\x00\x01\x00\x01'
try:
    s.sendto(q, ('$DNS', 53)); s.recv(512); print('ANSWERED')
except OSError as e:
    print('NO ANSWER', e)")
expect_match "DNS to a server outside carries nothing" "$dns" 'NO ANSWER'

# ---- credentials ----------------------------------------------------------

seen=$(through sh -c 'curl -sS -m 10 -H "x-api-key: $TEST_API_KEY" "$TEST_BASE_URL/v1/messages"')
expect_match "the credential endpoint reaches its upstream over TLS" "$seen" '^path=/v1/messages'
expect_match "the upstream receives the injected header" "$seen" "x-api-key: $SECRET"
expect_no_match "the placeholder does not reach the upstream" "$seen" 'placeholder'
expect_match "an upstream whose certificate does not verify is not sent the key" \
	"$(through sh -c 'curl -sS -m 10 "$BAD_BASE_URL/x"')" 'ERR_SECURE_CONNECT_FAIL'
expect_match "the sandbox sees a placeholder" "$(through printenv TEST_API_KEY)" 'placeholder'
trace=$(through sh -c 'curl -sS -m 10 -X TRACE "$TEST_BASE_URL/v1/messages"')
expect_no_match "TRACE on the credential endpoint does not send the key back" "$trace" "$SECRET"
expect_match "TRACE on the credential endpoint is refused" "$trace" 'refused by rule "credential"'
# The proxy is on its way out too: a container there is neither sent the
# key nor let through.
POUT=$(ip_of "$SBN-egress" "$ONET")
from_out=$(docker run --rm --network "$ONET" "$TOOLS" curl -sS -m 10 "http://$POUT:8081/v1/messages" 2>&1)
expect_no_match "a container on the proxy's way out is not sent the key" "$from_out" "$SECRET"
expect_match "the credential endpoint refuses it by rule client" "$from_out" 'refused by rule "client"'
expect_match "a container on the proxy's way out cannot use it as a proxy" \
	"$(docker run --rm --network "$ONET" "$TOOLS" curl -sS -m 10 -x "http://$POUT:3128" http://allowed.test/ 2>&1)" \
	'refused by rule "client"'
# The host reaches the internal network from its gateway: no process of
# the host (another user's) is sent the key or let through either.
from_host=$(curl -sS -m 10 --noproxy "*" "http://$PROXY:8081/v1/messages" 2>&1)
expect_no_match "a host process is not sent the key" "$from_host" "$SECRET"
expect_match "the credential endpoint refuses a host process by rule client" "$from_host" 'refused by rule "client"'
expect_match "a host process cannot use the proxy" \
	"$(curl -sS -m 10 --noproxy "" -x "http://$PROXY:3128" http://allowed.test/ 2>&1)" 'refused by rule "client"'
expect_no_match "the key is in no environment of the sandbox's processes" \
	"$(inside sh -c 'cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" "\n"')" "$SECRET"
expect_no_match "the key is in no file of the sandbox" \
	"$(inside sh -c "grep -rlsF '$SECRET' / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | head -n 3")" '.'
expect_no_match "the key is not in the sandbox's docker inspect" "$(docker inspect "$SBN")" "$SECRET"
expect_no_match "the key is not in the proxy's docker inspect" "$(docker inspect "$SBN-egress")" "$SECRET"
expect_no_match "the key is in no volume of the sandbox" \
	"$(docker run --rm -v "$P-vol:/v:ro" "$TOOLS" grep -rlsF "$SECRET" /v)" '.'

# ---- the log ----------------------------------------------------------------

cai logs --egress --name "$SB"
expect_match "logs --egress: an allowed request" "$OUT" 'GET http://allowed.test/hello 200 TCP_MISS'
expect_match "logs --egress: the domain refusal" "$OUT" 'http://denied.test/ 403 TCP_DENIED ERR_CAI_DOMAIN'
expect_match "logs --egress: the rebinding refusal" "$OUT" 'http://rebind.test/.* 403 TCP_DENIED ERR_CAI_PRIVATE'
expect_match "logs --egress: the port refusal" "$OUT" 'CONNECT allowed.test:22 403 TCP_DENIED ERR_CAI_PORT'
expect_match "logs --egress: the IPv6 refusal" "$OUT" 'GET http://\[2606:4700::1111\]/ 403 TCP_DENIED ERR_CAI_IPV6'
expect_match "logs --egress: the client refusal" "$OUT" 'GET http://tls.test/v1/messages 403 TCP_DENIED ERR_CAI_CLIENT'
expect_match "logs --egress: the credential's request" "$OUT" 'GET http://tls.test/v1/messages 200'
expect_no_match "logs --egress: no key" "$OUT" "$SECRET"

# ---- fail closed, and back ---------------------------------------------------

docker kill "$SBN-egress" >/dev/null
expect_match "with the proxy dead the sandbox has no network" \
	"$(inside curl -sS -m 5 -x "http://$PROXY:3128" http://allowed.test/ || echo FAILED)" 'FAILED'
expect_match "with the proxy dead no direct connection either" \
	"$(inside curl -sS -m 5 --noproxy '*' "http://$HTTP/" || echo FAILED)" 'FAILED'
cai run --force --image "$TOOLS" --name "$SB" --data-volume "$P-vol" -- true
expect_eq "run again brings the proxy back" "$RC" 0
expect_match "and the sandbox reaches its allowed host again" \
	"$(through curl -sS -m 10 http://allowed.test/again)" '^path=/again'
docker kill "$SBN-egress" >/dev/null
expect_match "exec starts a dead proxy again before it joins" \
	"$(through curl -sS -m 10 http://allowed.test/exec)" '^path=/exec'

cai run --force --egress off --image "$TOOLS" --name "$SB" --data-volume "$P-vol" -- true
expect_match "egress off: an egress sandbox is not entered without it" "$ERR" 'egress policy is locked, not off.*--restart'

cai stop --name "$SB"
expect_eq "stop" "$RC" 0
expect_eq "stop: the sandbox stopped" "$(docker inspect -f '{{.State.Running}}' "$SBN")" false
expect_eq "stop: the proxy stopped" "$(docker inspect -f '{{.State.Running}}' "$SBN-egress")" false
cai run --force --detach --image "$TOOLS" --name "$SB" --data-volume "$P-vol"
expect_eq "a stopped sandbox starts again with its proxy" "$RC" 0
expect_match "and reaches its allowed host" "$(through curl -sS -m 10 http://allowed.test/later)" '^path=/later'

old=$(docker inspect -f '{{.Id}}' "$SBN-egress")
cai run --force --detach --restart --egress open --image "$TOOLS" --name "$SB" --data-volume "$P-vol" -- sleep 600
expect_eq "--restart recreates sandbox, proxy and network" "$RC" 0
expect_eq "--restart: one proxy, a new one" \
	"$(docker ps -a --filter "name=^$SBN-egress\$" -q | wc -l) $([ "$(docker inspect -f '{{.Id}}' "$SBN-egress")" != "$old" ] && echo new)" "1 new"
expect_eq "--restart: one network" "$(docker network ls -q --filter "name=^$SBN-egress\$" | wc -l)" 1
expect_match "open: a host not on the list answers" "$(through curl -sS -m 10 http://denied.test/open)" '^path=/open'
# A join restarts a dead proxy: the same start, still running, says it
# never died.
started=$(docker inspect -f '{{.State.StartedAt}}' "$SBN-egress")
expect_match "open: an IPv6 address in the URL is refused" \
	"$(inside curl -gsS -m 10 -x "http://$(ip_of "$SBN-egress" "$SBN-egress"):3128" 'http://[2606:4700::1111]/')" \
	'refused by rule "ipv6"'
sleep 1
expect_eq "open: the proxy still runs after an IPv6 address" \
	"$(docker inspect -f '{{.State.Running}} {{.State.StartedAt}}' "$SBN-egress")" "true $started"
expect_match "open: non-public addresses are still refused" \
	"$(through curl -sS -m 10 http://rebind.test/)" 'refused by rule "private"'

# ---- rm: nothing left behind --------------------------------------------------

cai rm --name "$SB"
expect_eq "rm" "$RC" 0
expect_eq "rm: no sandbox or proxy left" "$(docker ps -aq --filter "name=^$SBN")" ""
expect_eq "rm: no network left" "$(docker network ls -q --filter "name=^$SBN")" ""
