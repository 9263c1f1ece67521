#!/usr/bin/env bash
# demo.sh - from a fresh machine to a web page fetched through dpfetch.
#
# Installs what is missing (Debian packages), builds, brings up the testbed
# (nginx in the dpf-peer namespace behind the dpf0 veth), fetches a page and
# a 100 MiB file through dpfetch's own ARP, IPv4 and TCP on net_af_packet,
# prints what it fetched and the counters, and tears the testbed down.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
trap 'scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT
scripts/testbed.sh up

EAL=(-l 0 --no-huge -m 512 --no-pci --file-prefix dpf-demo
     --vdev=net_af_packet0,iface=dpf0 --log-level=warning)

echo
echo "== dpfetch $ build/app/dpfetch ${EAL[*]} -- --ip 198.18.0.2/24 --fetch http://198.18.0.1/index.html --stats"
echo
build/app/dpfetch "${EAL[@]}" -- --ip 198.18.0.2/24 \
	--fetch http://198.18.0.1/index.html --stats

echo
echo "== 100 MiB from nginx, checked against the file's sha256"
out=$(mktemp /tmp/dpf-demo.XXXXXX)
build/app/dpfetch "${EAL[@]}" -- --ip 198.18.0.2/24 \
	--fetch http://198.18.0.1/100M.bin -o "$out"
got=$(sha256sum "$out" | cut -d' ' -f1)
want=$(grep ' 100M.bin$' /run/dpf-testbed/www/SHA256SUMS | cut -d' ' -f1)
rm -f "$out"
if [ "$got" = "$want" ]; then
	echo "sha256 $got matches"
else
	echo "sha256 MISMATCH: got $got, want $want"
	exit 1
fi
