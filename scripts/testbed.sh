#!/usr/bin/env bash
# testbed.sh - the dpfetch test network.
#
#   scripts/testbed.sh up                 create / repair the testbed (idempotent)
#   scripts/testbed.sh down [--keep-files] tear everything down (idempotent)
#   scripts/testbed.sh status             report; exit 0 only if all is up
#
# Layout:
#   root netns:  dpf0   veth end used by the appliance (DPDK af_packet/AF_XDP);
#                       no kernel IP address, IPv6 disabled, no ARP replies,
#                       no forwarding - the kernel stays silent on it.
#   netns dpf-peer:
#                dpf0p  198.18.0.1/24 (IPv6 disabled), lo up
#                nginx        198.18.0.1:80    web root /run/dpf-testbed/www
#                             /limited/...: the same, at most 2000 requests/s
#                             (limit_req without nodelay: the rest wait)
#                peer_server  198.18.0.1:8080  (scripts/peer_server.py)
#   state dir:   /run/dpf-testbed   nginx.conf, nginx.pid, nginx-error.log,
#                access.log, peer_server.pid, peer_server.log, www/
#   web root:    index.html 1M.bin 10M.bin 100M.bin (random bytes), SHA256SUMS
#
# Only 198.18.0.0/15 (benchmarking range) and loopback are used; no routes
# are added anywhere, so nothing can leak off the machine.
#
# Environment:
#   DPF_TESTBED_FILES  files to generate, default "index 1M 10M 100M"
#                      (a name "<n>M" means <n> MiB of random bytes)
#   DPF_TESTBED_WAIT   seconds `up` waits for the servers, default 15
set -euo pipefail

NS=dpf-peer
IF_HOST=dpf0
IF_PEER=dpf0p
PEER_IP=198.18.0.1
PEER_PREFIX=24
# IPv6 (issue 17): the peer's address in 2001:2::/48 (RFC 5180, the
# benchmarking range); dpfetch takes 2001:2::2/64 in the tests.
PEER_IP6=2001:2::1
PEER_PREFIX6=64
HTTP_PORT=80
PEER_PORT=8080
STATE=/run/dpf-testbed
WWW=$STATE/www
NGINX=/usr/sbin/nginx
NGINX_CONF=$STATE/nginx.conf
NGINX_PID=$STATE/nginx.pid
PY_PID=$STATE/peer_server.pid
PY_LOG=$STATE/peer_server.log
PYTHON=/usr/bin/python3
FILES=${DPF_TESTBED_FILES:-index 1M 10M 100M}
WAIT=${DPF_TESTBED_WAIT:-15}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER_SERVER=$SCRIPT_DIR/peer_server.py

msg() { echo "testbed: $*" >&2; }
die() { echo "testbed: ERROR: $*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root"
}

need_cmds() {
	local c
	for c in ip ethtool sysctl curl sha256sum "$NGINX" "$PYTHON"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "missing command '$c' (run scripts/setup.sh)"
	done
	[ -f "$PEER_SERVER" ] || die "missing $PEER_SERVER"
}

nsx() { ip netns exec "$NS" "$@"; }

ns_exists() { [ -e "/var/run/netns/$NS" ] || ip netns list 2>/dev/null | grep -qw "^$NS"; }

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

peer_link_exists() { ns_exists && ip -n "$NS" link show dev "$IF_PEER" >/dev/null 2>&1; }

# read_pid FILE -> prints the pid if FILE holds a live pid, else nothing
read_pid() {
	local f=$1 pid
	[ -s "$f" ] || return 0
	pid=$(head -n1 "$f" 2>/dev/null | tr -dc '0-9') || true
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	echo "$pid"
}

# pid_is PID PATTERN -> true if the process' command line matches PATTERN
pid_is() {
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	[[ "$cmd" == *$2* ]]
}

# pid_in_ns PID -> true if the process lives in our namespace
pid_in_ns() {
	[ "$(ip netns identify "$1" 2>/dev/null || true)" = "$NS" ]
}

nginx_pid() {
	local pid
	pid=$(read_pid "$NGINX_PID")
	if [ -n "$pid" ] && pid_is "$pid" nginx; then echo "$pid"; fi
}

py_pid() {
	local pid
	pid=$(read_pid "$PY_PID")
	if [ -n "$pid" ] && pid_is "$pid" peer_server.py; then echo "$pid"; fi
}

# stop_pid PID NAME: SIGTERM, wait up to 5 s, then SIGKILL
stop_pid() {
	local pid=$1 name=$2
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	msg "$name (pid $pid) did not stop on SIGTERM, killing"
	kill -KILL "$pid" 2>/dev/null || true
}

peer_curl() {
	# --noproxy: never let an http_proxy from the environment get involved.
	nsx curl -sf --noproxy '*' -m 3 -o /dev/null "$1" 2>/dev/null
}

# --------------------------------------------------------------------------
# up
# --------------------------------------------------------------------------

gen_files() {
	local f name size changed=0 list=()
	mkdir -p "$WWW"
	for f in $FILES; do
		case "$f" in
		index|index.html)
			name=index.html
			if [ ! -s "$WWW/$name" ]; then
				cat >"$WWW/$name.tmp" <<-'EOF'
				<!DOCTYPE html>
				<html>
				<head><title>dpf-testbed</title></head>
				<body>
				<h1>dpf-testbed</h1>
				<p>Test page served by nginx in network namespace dpf-peer.</p>
				</body>
				</html>
				EOF
				mv "$WWW/$name.tmp" "$WWW/$name"
				changed=1
			fi
			;;
		*[0-9]M)
			size=${f%M}
			name=$f.bin
			if [ ! -f "$WWW/$name" ] ||
			   [ "$(stat -c %s "$WWW/$name")" -ne $((size * 1048576)) ]; then
				msg "generating $name (${size} MiB random)"
				head -c "${size}M" /dev/urandom >"$WWW/$name.tmp"
				mv "$WWW/$name.tmp" "$WWW/$name"
				changed=1
			fi
			;;
		*)
			die "DPF_TESTBED_FILES: don't know how to make '$f' (use index or <n>M)"
			;;
		esac
		list+=("$name")
	done
	if [ "$changed" -eq 1 ] || [ ! -s "$WWW/SHA256SUMS" ] ||
	   [ "$(awk '{print $2}' "$WWW/SHA256SUMS" | tr '\n' ' ')" != "${list[*]} " ]; then
		(cd "$WWW" && sha256sum "${list[@]}" >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS) ||
			die "could not write $WWW/SHA256SUMS"
	fi
}

# Checksum offload, TSO, GSO, GRO (and LRO, scatter-gather) off on both ends.
# Why: the DPDK af_packet / AF_XDP PMD on dpf0 reads frames exactly as the
# kernel hands them to the socket.  With offloads on, the veth passes
# CHECKSUM_PARTIAL skbs (checksum field not filled in - DPDK would see bad
# checksums) and 64 KiB GSO/GRO super-frames (which do not fit in an mbuf and
# are not real wire frames).  With everything off, each frame is a complete,
# MTU-sized, correctly checksummed Ethernet frame, like on a real wire.
# Individual features may be fixed on some drivers: ignore those failures.
offloads_off() {
	local f
	for f in rx tx tso gso gro lro sg rx-gro-list rx-udp-gro-forwarding; do
		"$@" ethtool -K "$IF_CUR" "$f" off >/dev/null 2>&1 || true
	done
}

net_up() {
	if ! ns_exists; then
		ip netns add "$NS" || die "cannot create namespace $NS"
	fi
	nsx ip link set lo up

	# A dpf0 without its peer in the namespace (or a lone peer) is stale.
	if link_exists "$IF_HOST" && ! peer_link_exists; then
		msg "removing stale $IF_HOST"
		ip link del "$IF_HOST"
	fi
	if peer_link_exists && ! link_exists "$IF_HOST"; then
		ip -n "$NS" link del "$IF_PEER"
	fi
	if ! link_exists "$IF_HOST"; then
		ip link add "$IF_HOST" type veth peer name "$IF_PEER" netns "$NS" ||
			die "cannot create veth pair $IF_HOST/$IF_PEER"
	fi

	# Appliance end: the kernel must not speak on it.
	sysctl -qw "net.ipv6.conf.$IF_HOST.disable_ipv6=1" ||
		die "cannot disable IPv6 on $IF_HOST"
	sysctl -qw "net.ipv4.conf.$IF_HOST.arp_ignore=8" >/dev/null 2>&1 || true
	sysctl -qw "net.ipv4.conf.$IF_HOST.forwarding=0" >/dev/null 2>&1 || true
	ip -4 addr flush dev "$IF_HOST"
	# Peer end: IPv6 on, with only the address given here (no
	# link-local, no router solicitations: a quiet wire).
	nsx sysctl -qw "net.ipv6.conf.$IF_PEER.addr_gen_mode=1" >/dev/null 2>&1 || true
	nsx sysctl -qw "net.ipv6.conf.$IF_PEER.accept_ra=0" >/dev/null 2>&1 || true
	nsx sysctl -qw "net.ipv6.conf.$IF_PEER.router_solicitations=0" >/dev/null 2>&1 || true
	nsx sysctl -qw "net.ipv6.conf.$IF_PEER.disable_ipv6=0" ||
		die "cannot enable IPv6 on $IF_PEER"

	IF_CUR=$IF_HOST offloads_off
	IF_CUR=$IF_PEER offloads_off nsx

	ip link set "$IF_HOST" up
	ip -n "$NS" addr replace "$PEER_IP/$PEER_PREFIX" dev "$IF_PEER"
	# nodad: tests need not wait for the kernel's duplicate address
	# detection.
	ip -n "$NS" -6 addr replace "$PEER_IP6/$PEER_PREFIX6" dev "$IF_PEER" nodad ||
		die "cannot give $IF_PEER $PEER_IP6/$PEER_PREFIX6"
	ip -n "$NS" link set "$IF_PEER" up
}

write_nginx_conf() {
	local v temps="" m
	v=$("$NGINX" -V 2>&1 || true)
	# Keep nginx's temp dirs in the state dir (not /var/lib/nginx); only for
	# modules this build has, or the directive would be unknown.
	temps+="    client_body_temp_path $STATE/tmp/body;"$'\n'
	for m in proxy fastcgi uwsgi scgi; do
		case "$v" in
		*"--without-http_${m}_module"*) ;;
		*) temps+="    ${m}_temp_path $STATE/tmp/$m;"$'\n' ;;
		esac
	done
	mkdir -p "$STATE/tmp"
	cat >"$NGINX_CONF.tmp" <<EOF
# Generated by scripts/testbed.sh - do not edit.
user root;
worker_processes 1;
daemon on;
pid $NGINX_PID;
error_log $STATE/nginx-error.log warn;

events {
    worker_connections 1024;
}

http {
    types {
        text/html                html htm;
        text/plain               txt;
        application/octet-stream bin;
    }
    default_type application/octet-stream;
    access_log $STATE/access.log;
$temps
    sendfile on;
    keepalive_requests 100000;
    keepalive_timeout 65;
    # /limited/: at most 2000 requests/s; the rest wait in line (no
    # nodelay), so latency explodes above that rate (capacity search).
    limit_req_zone \$binary_remote_addr zone=dpf_limited:1m rate=2000r/s;

    server {
        listen $PEER_IP:$HTTP_PORT;
        listen [$PEER_IP6]:$HTTP_PORT;
        server_name _;
        root $WWW;
        location / {
        }
        location /limited/ {
            limit_req zone=dpf_limited burst=100000;
            alias $WWW/;
        }
    }
}
EOF
	mv "$NGINX_CONF.tmp" "$NGINX_CONF"
	local out
	if ! out=$(nsx "$NGINX" -t -q -c "$NGINX_CONF" -p "$STATE" 2>&1); then
		echo "$out" >&2
		die "nginx config $NGINX_CONF is invalid"
	fi
}

nginx_up() {
	local pid
	write_nginx_conf
	pid=$(nginx_pid)
	if [ -n "$pid" ] && ! pid_in_ns "$pid"; then
		msg "nginx (pid $pid) is not in namespace $NS, restarting"
		stop_pid "$pid" nginx
		pid=""
	fi
	if [ -n "$pid" ]; then
		nsx "$NGINX" -c "$NGINX_CONF" -p "$STATE" -s reload 2>/dev/null ||
			msg "warning: nginx reload failed"
	else
		rm -f "$NGINX_PID"
		nsx "$NGINX" -c "$NGINX_CONF" -p "$STATE" ||
			die "nginx failed to start (see $STATE/nginx-error.log)"
	fi
}

py_up() {
	local pid
	pid=$(py_pid)
	if [ -n "$pid" ] && ! pid_in_ns "$pid"; then
		msg "peer_server (pid $pid) is not in namespace $NS, restarting"
		stop_pid "$pid" peer_server
		pid=""
	fi
	[ -z "$pid" ] || return 0
	rm -f "$PY_PID"
	# The server writes its own pid file once it is bound.
	setsid ip netns exec "$NS" "$PYTHON" "$PEER_SERVER" \
		--bind "$PEER_IP" --port "$PEER_PORT" --root "$WWW" \
		--pidfile "$PY_PID" </dev/null >>"$PY_LOG" 2>&1 &
	for _ in $(seq 50); do
		[ -s "$PY_PID" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$PY_LOG" >&2 || true
	die "peer_server failed to start (see $PY_LOG)"
}

wait_ready() {
	local deadline=$((SECONDS + WAIT)) ok_n=0 ok_p=0
	while :; do
		[ "$ok_n" -eq 1 ] || { peer_curl "http://$PEER_IP:$HTTP_PORT/index.html" && ok_n=1; } || true
		[ "$ok_p" -eq 1 ] || { peer_curl "http://$PEER_IP:$PEER_PORT/status/200" && ok_p=1; } || true
		[ "$ok_n" -eq 1 ] && [ "$ok_p" -eq 1 ] && return 0
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.2
	done
	[ "$ok_n" -eq 1 ] || die "nginx does not answer on http://$PEER_IP:$HTTP_PORT/index.html after ${WAIT}s (see $STATE/nginx-error.log)"
	die "peer_server does not answer on http://$PEER_IP:$PEER_PORT/status/200 after ${WAIT}s (see $PY_LOG)"
}

cmd_up() {
	need_root
	need_cmds
	case "$FILES" in *index*) ;; *) FILES="index $FILES" ;; esac  # readiness probe
	mkdir -p "$STATE"
	gen_files
	net_up
	nginx_up
	py_up
	wait_ready
	msg "up: $IF_HOST <-> $NS/$IF_PEER ($PEER_IP/$PEER_PREFIX), nginx :$HTTP_PORT, peer_server :$PEER_PORT, files in $WWW"
}

# --------------------------------------------------------------------------
# down
# --------------------------------------------------------------------------

cmd_down() {
	local keep=0 pid
	need_root
	case "${1:-}" in
	"") ;;
	--keep-files) keep=1 ;;
	*) die "down: unknown option '$1'" ;;
	esac

	pid=$(nginx_pid)
	if [ -n "$pid" ]; then stop_pid "$pid" nginx; fi
	pid=$(py_pid)
	if [ -n "$pid" ]; then stop_pid "$pid" peer_server; fi

	if ns_exists; then
		# Anything still running in the namespace was started for the
		# testbed (nginx workers, servers started by tests): stop it by pid.
		for pid in $(ip netns pids "$NS" 2>/dev/null || true); do
			stop_pid "$pid" "process in $NS"
		done
		# nftables tables created by tests (they go with the namespace anyway).
		nsx nft flush ruleset >/dev/null 2>&1 || true
		ip netns del "$NS" || die "cannot delete namespace $NS"
	fi
	# Deleting the namespace takes the veth pair with it (asynchronously);
	# delete dpf0 explicitly in case it lingers or lost its peer.
	for _ in $(seq 50); do
		link_exists "$IF_HOST" || break
		ip link del "$IF_HOST" >/dev/null 2>&1 || true
		sleep 0.1
	done
	if link_exists "$IF_HOST"; then die "cannot delete $IF_HOST"; fi

	if [ -d "$STATE" ]; then
		if [ "$keep" -eq 1 ]; then
			find "$STATE" -mindepth 1 -maxdepth 1 ! -name www -exec rm -rf {} +
		else
			rm -rf "$STATE"
		fi
	fi
	msg "down"
}

# --------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------

cmd_status() {
	local all=0 pid
	if ns_exists; then
		echo "namespace $NS: up"
	else
		echo "namespace $NS: down"; all=1
	fi
	if link_exists "$IF_HOST"; then
		echo "link $IF_HOST: $(cat "/sys/class/net/$IF_HOST/operstate" 2>/dev/null || echo '?')"
	else
		echo "link $IF_HOST: absent"; all=1
	fi
	if peer_link_exists; then
		echo "link $NS/$IF_PEER: $(ip -n "$NS" -br -4 addr show dev "$IF_PEER" | awk '{print $2, $3}')"
		if ip -n "$NS" -6 addr show dev "$IF_PEER" | grep -q "inet6 $PEER_IP6/$PEER_PREFIX6"; then
			echo "link $NS/$IF_PEER: $PEER_IP6/$PEER_PREFIX6"
		else
			echo "link $NS/$IF_PEER: no $PEER_IP6/$PEER_PREFIX6"; all=1
		fi
	else
		echo "link $NS/$IF_PEER: absent"; all=1
	fi
	if link_exists "$IF_HOST" &&
	   [ "$(cat "/proc/sys/net/ipv6/conf/$IF_HOST/disable_ipv6" 2>/dev/null)" != 1 ]; then
		echo "link $IF_HOST: IPv6 enabled (the kernel must stay silent there)"; all=1
	fi
	pid=$(nginx_pid)
	if [ -n "$pid" ] && ns_exists && peer_curl "http://$PEER_IP:$HTTP_PORT/index.html"; then
		echo "nginx: up (pid $pid, http://$PEER_IP:$HTTP_PORT/)"
	elif [ -n "$pid" ]; then
		echo "nginx: running (pid $pid) but not answering"; all=1
	else
		echo "nginx: down"; all=1
	fi
	pid=$(py_pid)
	if [ -n "$pid" ] && ns_exists && peer_curl "http://$PEER_IP:$PEER_PORT/status/200"; then
		echo "peer_server: up (pid $pid, http://$PEER_IP:$PEER_PORT/)"
	elif [ -n "$pid" ]; then
		echo "peer_server: running (pid $pid) but not answering"; all=1
	else
		echo "peer_server: down"; all=1
	fi
	if [ -s "$WWW/SHA256SUMS" ]; then
		echo "files: $WWW ($(awk '{print $2}' "$WWW/SHA256SUMS" | tr '\n' ' '))"
	else
		echo "files: none"
	fi
	return "$all"
}

usage() {
	echo "usage: $0 up | down [--keep-files] | status" >&2
	exit 2
}

case "${1:-}" in
up) shift; [ $# -eq 0 ] || usage; cmd_up ;;
down) shift; [ $# -le 1 ] || usage; cmd_down "$@" ;;
status) shift; [ $# -eq 0 ] || usage; cmd_status ;;
-h|--help|help) usage ;;
*) usage ;;
esac
