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
# Each suite counts as failed if it exits non-zero, or runs fewer cases
# than it has (unit: the test programs meson lists and the cases each
# registers with cmocka; integration and conformance: their --list; fuzz:
# tests/fuzz/fuzz_*.c), so a runner that stops early cannot pass.
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
	"dpdk-testpmd dpdk-dev" "chromium chromium"
	"scdoc scdoc" "man man-db" "prometheus prometheus" "promtool prometheus"
	"valgrind valgrind" "callgrind_control valgrind"
)
missing_tools=()
for t in "${TOOLS[@]}"; do
	set -- $t
	command -v "$1" >/dev/null 2>&1 || missing_tools+=("$1 (Debian package $2)")
done
if ! /usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1; then
	missing_tools+=("scapy for /usr/bin/python3 (Debian package python3-scapy)")
fi
if ! /usr/bin/python3 -c 'import html5lib' >/dev/null 2>&1; then
	missing_tools+=("html5lib for /usr/bin/python3 (Debian package python3-html5lib)")
fi
if ! /usr/bin/python3 -c 'import pexpect' >/dev/null 2>&1; then
	missing_tools+=("pexpect for /usr/bin/python3 (Debian package python3-pexpect)")
fi
if ! pkg-config --exists libedit; then
	missing_tools+=("libedit for pkg-config (Debian package libedit-dev)")
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

# A suite's verdict from its exit status, its tally and how many cases it
# has: a runner that stops early (a crash, an import error, a program that
# never ran) must not read as "0 passed, 0 failed".
verdict() {	# label status passed failed expected
	local label=$1 rc=$2 p=$3 f=$4 want=$5 ran=$(($3 + $4))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$label: exit status $rc with no failure counted"
		f=1
	fi
	if ! [[ "$want" =~ ^[0-9]+$ ]] || [ "$want" -eq 0 ]; then
		echo "$label: cannot tell how many cases it has"
		f=$((f + 1))
	elif [ "$ran" -lt "$want" ]; then
		echo "$label: ran $ran of its $want cases"
		f=$((want - p))		# those that did not run failed
	elif [ "$ran" -gt "$want" ]; then
		echo "$label: counted $ran cases, it has $want"
		f=$((f + 1))
	fi
	echo "$label: $p passed, $f failed"
	count "$p" "$f"
}

unit_tests() {	# build dir
	local dir=$1 log rc p f want progs ran tlog=$1/meson-logs/testlog.txt
	log=$(mktemp)
	rm -f "$tlog"		# never read an earlier run's tallies
	meson test -C "$dir" --suite unit --print-errorlogs >"$log" 2>&1
	rc=$?
	[ -f "$tlog" ] || : >"$tlog"
	# cmocka's own tallies, one set per test program: what each program
	# registered ("Running N test(s)") and what passed and failed.
	want=$(grep -ho 'Running [0-9]* test' "$tlog" |
		awk '{s += $2} END {print s + 0}')
	p=$(grep -ho 'PASSED  \] [0-9]* test' "$tlog" |
		awk '{s += $3} END {print s + 0}')
	f=$(grep -ho 'FAILED  \] [0-9]* test' "$tlog" |
		awk '{s += $3} END {print s + 0}')
	# Every program meson has must have run and registered its cases.
	progs=$(meson test -C "$dir" --suite unit --list --no-rebuild 2>/dev/null |
		grep -c .)
	ran=$(grep -c 'Running [0-9]* test' "$tlog")
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" | sed "s/^/  [$dir] /"
	[ "$rc" -eq 0 ] && [ "$f" -eq 0 ] || cat "$log"
	verdict "unit ($dir)" "$rc" "$p" "$f" "$want"
	if [ "$progs" -eq 0 ] || [ "$ran" -ne "$progs" ]; then
		echo "unit ($dir): $ran of the $progs test programs ran"
		count 0 1
	fi
	rm -f "$log"
}

# A runner that prints "N passed, N failed" as its tally line; it must
# exit 0 and count as many cases as it has (expected).
runner_tests() {	# label expected runner args...
	local label=$1 want=$2 out tally p f rc
	shift 2
	out=$(mktemp)
	"$@" | tee "$out"
	rc=${PIPESTATUS[0]}
	tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [[ "$tally" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
	else
		p=0		# no tally: verdict counts every case as failed
		f=0
		echo "$label: the runner did not finish"
	fi
	verdict "$label" "$rc" "$p" "$f" "$want"
	rm -f "$out"
}

# How many cases a runner has: the length of its --list.
listed() {	# runner args...
	"$@" --list 2>/dev/null | grep -c .
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
			"$(listed tests/integration/run.py)" \
			tests/integration/run.py --build "$dir"
		echo "== TCP conformance tests ($dir)"
		runner_tests "conformance ($dir)" \
			"$(listed /usr/bin/python3 tests/conformance/run.py)" \
			/usr/bin/python3 tests/conformance/run.py --build "$dir"
	else
		echo "testbed did not come up"
		count 0 1
	fi
	scripts/testbed.sh down --keep-files >/dev/null 2>&1 || true
done

echo "== layers of lib/ (includes)"
# one check per module (x.c with x.h) in lib/*/
runner_tests "layers" \
	"$(find lib -mindepth 2 -maxdepth 2 -name '*.[ch]' | sed 's/\.[ch]$//' | sort -u | grep -c .)" \
	tests/tools/check_layers.py

# The libFuzzer targets (parsers, the control channel, the packet input
# path on a real worker), for a bounded time each.
echo "== fuzzing (${DPF_FUZZ_SECONDS:-20} s per target)"
# one case per target, tests/fuzz/fuzz_*.c
runner_tests "fuzz" "$(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | grep -c .)" \
	scripts/fuzz.sh "${DPF_FUZZ_SECONDS:-20}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
