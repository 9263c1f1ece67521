#!/usr/bin/env bash
# setup.sh - install the build/test dependencies of dpfetch from Debian
# packages only.  Idempotent and quiet: packages that are already installed
# are not touched, and `apt-get update` runs only when something is missing.
# Meant to run as root, without stdin (CI).
#
# Usage: scripts/setup.sh
set -euo pipefail

PACKAGES=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev
	libjansson-dev libcmocka-dev
	nginx-light python3-scapy
	iproute2 ethtool nftables curl iputils-ping tcpdump
	libbpf-dev libxdp-dev
	jq netcat-openbsd
	tshark
	clang libclang-rt-14-dev valgrind
	wrk httperf
	chromium python3-html5lib
	libedit-dev scdoc python3-pexpect man-db prometheus
)

msg() { echo "setup: $*" >&2; }
die() { msg "ERROR: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	die "must run as root"
fi

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [ "$st" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -gt 0 ]; then
	msg "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp /tmp/dpf-setup.XXXXXX.log)
	if ! apt-get update -q </dev/null >"$log" 2>&1; then
		tail -n 20 "$log" >&2 || true
		die "apt-get update failed (full log: $log)"
	fi
	if ! apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null >>"$log" 2>&1; then
		tail -n 20 "$log" >&2 || true
		die "apt-get install failed for: ${missing[*]} (full log: $log)"
	fi
	# verify
	still=()
	for p in "${missing[@]}"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || still+=("$p")
	done
	if [ "${#still[@]}" -gt 0 ]; then
		die "packages still not installed after apt-get: ${still[*]} (log: $log)"
	fi
	rm -f "$log"
	msg "packages installed"
fi

# AF_XDP (libxdp) wants a bpf filesystem for pinning; best effort only.
if [ -d /sys/fs/bpf ] && ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
	if mount -t bpf bpf /sys/fs/bpf 2>/dev/null; then
		msg "mounted bpffs on /sys/fs/bpf"
	else
		msg "note: could not mount bpffs on /sys/fs/bpf (ignored)"
	fi
fi

exit 0
