#!/usr/bin/env bash
# test.sh - install what is missing, build, run every test, and end with
# one line "N passed, N failed".  Exit status is non-zero if anything failed.
#
# Runs, for a normal build and again for an ASan+UBSan build:
#   - the unit tests (cmocka, meson test --suite unit), counted per case;
#   - the integration tests (tests/integration/run.py) against the kernel,
#     nginx and peer_server.py in the dpf-peer testbed;
#   - the TCP conformance tests (tests/conformance/run.py), scapy playing
#     the peer;
# then, once, the libFuzzer targets for DPF_FUZZ_SECONDS (default 20) each.
# The testbed is brought up here and always torn down.
#
# Environment: DPF_LOSS_RUNS (default 20) fetches of 100 MiB under loss.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0

count() {	# count PASSED FAILED
	passed=$((passed + $1))
	failed=$((failed + $2))
}

scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

# Every tool the suite calls, with the Debian package that brings it: a
# machine that happens to have one hides a gap in setup.sh, so check here
# and name the package instead of failing a test later.
TOOLS=(
	"meson meson" "ninja ninja-build" "pkg-config pkg-config" "cc gcc"
	"clang clang" "/usr/bin/python3 python3" "nginx nginx-light"
	"ip iproute2" "ethtool ethtool" "nft nftables" "curl curl"
	"ping iputils-ping" "tcpdump tcpdump" "tshark tshark" "nc netcat-openbsd"
	"jq jq" "wrk wrk" "httperf httperf" "sha256sum coreutils"
	"dpdk-dumpcap dpdk-dev" "dpdk-telemetry.py dpdk-dev"
	"dpdk-testpmd dpdk-dev"
)
missing_tools=()
for t in "${TOOLS[@]}"; do
	set -- $t
	command -v "$1" >/dev/null 2>&1 || missing_tools+=("$1 (Debian package $2)")
done
if ! /usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1; then
	missing_tools+=("scapy for /usr/bin/python3 (Debian package python3-scapy)")
fi
if [ "${#missing_tools[@]}" -gt 0 ]; then
	printf 'test.sh: missing after scripts/setup.sh: %s\n' "${missing_tools[@]}" >&2
	echo "0 passed, ${#missing_tools[@]} failed"
	exit 1
fi

cleanup() {
	scripts/testbed.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sanitizers: any report fails the process in a way no test mistakes for
# dpfetch's own exit statuses (1 and 2).
export ASAN_OPTIONS="exitcode=86:abort_on_error=0:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

unit_tests() {	# build dir
	local dir=$1 log p f
	log=$(mktemp)
	meson test -C "$dir" --suite unit --print-errorlogs >"$log" 2>&1
	# cmocka's own tallies, one pair per test program.
	p=$(grep -ho 'PASSED  \] [0-9]* test' "$dir/meson-logs/testlog.txt" |
		awk '{s += $3} END {print s + 0}')
	f=$(grep -ho 'FAILED  \] [0-9]* test' "$dir/meson-logs/testlog.txt" |
		awk '{s += $3} END {print s + 0}')
	# A program that crashed or never ran prints no tally of its own.
	if grep -q '^Fail: *[1-9]\|^Timeout: *[1-9]' "$log" && [ "$f" -eq 0 ]; then
		f=1
	fi
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" | sed "s/^/  [$dir] /"
	[ "$f" -eq 0 ] || cat "$log"
	echo "unit ($dir): $p passed, $f failed"
	count "$p" "$f"
	rm -f "$log"
}

# A runner that prints "N passed, N failed" as its tally line.
runner_tests() {	# label runner args...
	local label=$1 out tally p f
	shift
	out=$(mktemp)
	"$@" | tee "$out"
	tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [[ "$tally" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
	else
		p=0
		f=1
		echo "$label: the runner did not finish"
	fi
	echo "$label: $p passed, $f failed"
	count "$p" "$f"
	rm -f "$out"
}

for variant in "" --san; do
	dir=build
	[ "$variant" = --san ] && dir=build-san
	echo "== build $dir"
	if ! scripts/build.sh $variant; then
		echo "build $dir failed"
		count 0 1
		continue
	fi
	echo "== unit tests ($dir)"
	unit_tests "$dir"
	if scripts/testbed.sh up; then
		echo "== integration tests ($dir)"
		runner_tests "integration ($dir)" \
			tests/integration/run.py --build "$dir"
		echo "== TCP conformance tests ($dir)"
		runner_tests "conformance ($dir)" \
			/usr/bin/python3 tests/conformance/run.py --build "$dir"
	else
		echo "testbed did not come up"
		count 0 1
	fi
	scripts/testbed.sh down --keep-files >/dev/null 2>&1 || true
done

# The libFuzzer targets (parsers, the control channel, the packet input
# path on a real worker), for a bounded time each.
echo "== fuzzing (${DPF_FUZZ_SECONDS:-20} s per target)"
runner_tests "fuzz" scripts/fuzz.sh "${DPF_FUZZ_SECONDS:-20}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
