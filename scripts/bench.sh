#!/usr/bin/env bash
# bench.sh - the dpfetch benchmark (not part of scripts/test.sh).
#
#   scripts/bench.sh                 full run: every case, 3 runs per
#                                    contender, 5 s each (about 10 minutes);
#                                    writes bench/results.json and
#                                    bench/results.md
#   scripts/bench.sh --quick         smoke test: every case once for 1 s;
#                                    asserts nothing about speed, only that
#                                    every contender produced a number; ends
#                                    with "N passed, N failed"; results go
#                                    to a temporary directory
#   scripts/bench.sh [options]       anything else goes to tests/bench/bench.py
#                                    (--cases keepalive,close --runs 5 ...;
#                                    see tests/bench/bench.py --help)
#
# Installs what is missing (scripts/setup.sh: wrk, httperf, ...), builds
# build/ with scripts/build.sh, brings the testbed up if it is not (and
# down again at the end; a testbed that was up is left up), and always
# restores dpf0: the kernel contenders get a kernel address on it
# (198.18.0.3/24) only while they run.  See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

IFACE=dpf0
KERNEL_IP=198.18.0.3
BIG=/run/dpf-testbed/www/1G.bin

msg() { echo "bench: $*" >&2; }
die() { msg "ERROR: $*"; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"

scripts/setup.sh || die "setup failed"
scripts/build.sh || die "build failed"

testbed_was_up=0
if scripts/testbed.sh status >/dev/null 2>&1; then
	testbed_was_up=1
fi
big_existed=0
[ -e "$BIG" ] && big_existed=1

cleanup() {
	# bench.py restores all this itself; this is for when it was killed.
	if ip -4 addr show dev "$IFACE" 2>/dev/null | grep -q " $KERNEL_IP/"; then
		ip addr del "$KERNEL_IP/24" dev "$IFACE" 2>/dev/null || true
		sysctl -qw "net.ipv4.conf.$IFACE.arp_ignore=8" 2>/dev/null || true
		ip neigh flush dev "$IFACE" 2>/dev/null || true
	fi
	# A killed AF_XDP dpfetch leaves its XDP program on the veth.
	ip link set dev "$IFACE" xdp off 2>/dev/null || true
	if [ "$big_existed" -eq 0 ]; then
		rm -f "$BIG"
	fi
	rm -f /run/dpf-bench-*.ctl /run/dpf-bench-*.memif
	rm -rf /var/run/dpdk/dpf-bench-*
	if [ "$testbed_was_up" -eq 0 ]; then
		scripts/testbed.sh down >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$testbed_was_up" -eq 0 ]; then
	scripts/testbed.sh up || die "testbed did not come up"
fi

/usr/bin/python3 tests/bench/bench.py --build build \
	--kernel-ip "$KERNEL_IP" "$@"
