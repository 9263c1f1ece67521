#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (tests/fuzz/fuzz_*.c) and run each
# for a bounded time, starting from its seed corpus in
# tests/fuzz/corpus/<target>/.  Ends with one line "N passed, N failed";
# a target passes if it ran its time without a crash, a sanitizer report
# or a leak.  Exit status is non-zero if any target failed.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default 20 s per target, all
#
# The targets are built by meson (tests/fuzz/meson.build, -Dfuzz=true:
# clang, the whole tree with -fsanitize=fuzzer-no-link, ASan and UBSan
# without recovery) in build-fuzz/; the corpus each run grows, crash
# artifacts and logs go to build-fuzz/fuzz/.  A target with a
# tests/fuzz/<target>.dict gets it as its dictionary.
# Environment: CC (default clang).
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:-20}
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
fi
shift $(($# > 0 ? 1 : 0))
dir=build-fuzz
out=$dir/fuzz
all_targets=()
for f in tests/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	all_targets+=("$t")
done
targets=("${@:-${all_targets[@]}}")

mkdir -p "$out"
# A build-fuzz/ from before meson built the targets is not a meson
# build directory: start it afresh.
if [ -d "$dir" ] && [ ! -f "$dir/build.ninja" ]; then
	rm -rf "$dir"
	mkdir -p "$out"
fi
if [ ! -f "$dir/build.ninja" ] &&
	! CC=${CC:-clang} meson setup "$dir" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false \
		-Dc_args=-fno-sanitize-recover=all >"$out/setup.log" 2>&1; then
	tail -n 20 "$out/setup.log"
	echo "meson setup of $dir failed (log: $out/setup.log)"
	echo "0 passed, ${#targets[@]} failed"
	exit 1
fi

passed=0
failed=0
for t in "${targets[@]}"; do
	log="$out/$t.log"
	if [ ! -f "tests/fuzz/$t.c" ]; then
		echo "$t: no such target (${all_targets[*]})"
		failed=$((failed + 1))
		continue
	fi
	if ! ninja -C "$dir" "tests/fuzz/$t" >"$log" 2>&1; then
		tail -n 20 "$log"
		echo "$t: build failed (log: $log)"
		failed=$((failed + 1))
		continue
	fi
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$out/corpus/$t" "$out/artifacts"
	# detect_leaks: every run is also a leak check of the code fuzzed.
	if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
		"$dir/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
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
