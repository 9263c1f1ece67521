#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang
# and run each for a bounded time, starting from its seed corpus in
# tests/fuzz/corpus/<target>/.  Ends with one line "N passed, N failed";
# a target passes if it ran its time without a crash, a sanitizer report
# or a leak.  Exit status is non-zero if any target failed.
#
#   scripts/fuzz.sh [SECONDS]     default 30 s per target
#
# Everything it makes goes to build-fuzz/: the binaries, the corpus each
# run grows (the seeds are only read), crash artifacts and logs.
# Environment: CC (default clang).
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:-30}
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
	echo "usage: $0 [SECONDS]" >&2
	exit 2
fi
out=build-fuzz
cc=${CC:-clang}
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Ilib)

# target: the library sources it needs and its link flags
declare -A srcs=(
	[fuzz_rpc]="lib/rpc.c"
	[fuzz_http_parse]="lib/http_parse.c lib/http_msg.c"
	[fuzz_http_req_parse]="lib/http_req_parse.c lib/http_msg.c"
	[fuzz_tcp_reass]="lib/tcp_reass.c"
	[fuzz_tcp_syncookie]="lib/tcp_syncookie.c"
)
declare -A libs=(
	[fuzz_rpc]="-ljansson -lm"
	[fuzz_http_parse]=""
	[fuzz_http_req_parse]=""
	[fuzz_tcp_reass]="$(pkg-config --libs libdpdk)"
	[fuzz_tcp_syncookie]=""
)
# extra compile flags
declare -A cfl=(
	[fuzz_tcp_reass]="$(pkg-config --cflags libdpdk)"
)

passed=0
failed=0
mkdir -p "$out"
for t in fuzz_rpc fuzz_http_parse fuzz_http_req_parse fuzz_tcp_reass fuzz_tcp_syncookie; do
	log="$out/$t.log"
	# shellcheck disable=SC2086  # the lists are meant to split
	if ! "$cc" "${cflags[@]}" ${cfl[$t]:-} -o "$out/$t" "tests/fuzz/$t.c" \
		${srcs[$t]} ${libs[$t]} >"$log" 2>&1; then
		tail -n 20 "$log"
		echo "$t: build failed (log: $log)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$out/corpus/$t" "$out/artifacts"
	# detect_leaks: every run is also a leak check of the code fuzzed.
	if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
		"$out/$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" \
		"$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		echo "$t: passed ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
			awk '{print $2}') runs in ${secs} s)"
		passed=$((passed + 1))
	else
		tail -n 40 "$log"
		echo "$t: FAILED (log: $log, reproducer in $out/artifacts/)"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
