#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang
# and run each for a bounded time, starting from its seed corpus in
# tests/fuzz/corpus/<target>/.  Ends with one line "N passed, N failed";
# a target passes if it ran its time without a crash, a sanitizer report
# or a leak.  Exit status is non-zero if any target failed.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default 20 s per target, all
#
# Everything it makes goes to build-fuzz/: the binaries, the corpus each
# run grows (the seeds are only read), crash artifacts and logs.  The
# targets that need DPDK link against build-fuzz/libdpf.a, every lib/*/*.c
# compiled with the same sanitizers (-fsanitize=fuzzer-no-link); a
# target with a tests/fuzz/<target>.dict gets it as its dictionary.
# Environment: CC (default clang).
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:-20}
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
fi
shift $(($# > 0 ? 1 : 0))
out=build-fuzz
cc=${CC:-clang}
lib_incs=(-Ilib/core -Ilib/net -Ilib/tcp -Ilib/http -Ilib/job -Ilib/ctl -Ilib/loop -Ilib/ctlclient)
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-Wall -Wextra "${lib_incs[@]}")

# as meson.build has them
version=$(sed -n "s/^[[:space:]]*version: '\\(.*\\)',$/\\1/p" meson.build | head -n 1)
read -ra dpdk_cflags <<<"$(pkg-config --cflags libdpdk 2>/dev/null)"
dpdk_cflags+=(-DALLOW_EXPERIMENTAL_API "-DDPF_VERSION=\"${version:-fuzz}\""
	-Wno-address-of-packed-member)
dpdk_libs=$(pkg-config --libs libdpdk 2>/dev/null)
all_targets=(fuzz_rpc fuzz_http_parse fuzz_http_req_parse fuzz_tcp_opt
	fuzz_tcp_sack fuzz_url fuzz_config fuzz_packet_input fuzz_tcp_reass
	fuzz_tcp_syncookie)
targets=("${@:-${all_targets[@]}}")

# target: the library sources it needs ("@dpf": build-fuzz/libdpf.a),
# its link flags, and whether it needs DPDK's headers
declare -A srcs=(
	[fuzz_rpc]="lib/ctl/rpc.c"
	[fuzz_http_parse]="lib/http/http_parse.c lib/http/http_msg.c"
	[fuzz_http_req_parse]="lib/http/http_req_parse.c lib/http/http_msg.c"
	[fuzz_tcp_opt]="lib/tcp/tcp_opt.c"
	[fuzz_tcp_sack]="lib/tcp/tcp_sack.c"
	[fuzz_url]="lib/core/url.c"
	[fuzz_config]="lib/core/config.c lib/core/url.c lib/core/ctl_token.c lib/core/job_params.c"
	[fuzz_packet_input]="@dpf"
	[fuzz_tcp_reass]="lib/tcp/tcp_reass.c"
	[fuzz_tcp_syncookie]="lib/tcp/tcp_syncookie.c"
)
declare -A libs=(
	[fuzz_rpc]="-ljansson -lm"
	[fuzz_http_parse]=""
	[fuzz_http_req_parse]=""
	[fuzz_tcp_opt]=""
	[fuzz_tcp_sack]=""
	[fuzz_url]=""
	[fuzz_config]="-ljansson -lm"
	[fuzz_packet_input]="$dpdk_libs -ljansson -lm -lpthread"
	[fuzz_tcp_reass]="$dpdk_libs"
	[fuzz_tcp_syncookie]=""
)
declare -A need_dpdk=([fuzz_config]=1 [fuzz_packet_input]=1
	[fuzz_tcp_reass]=1)

# The whole library, instrumented, for the targets that run the stack.
build_dpf() {
	local f o objs=() log="$out/libdpf.log"

	mkdir -p "$out/obj"
	: >"$log"
	for f in lib/*/*.c; do
		o="$out/obj/$(basename "${f%.c}").o"
		"$cc" -std=gnu11 -g -O1 -fno-omit-frame-pointer \
			-fsanitize=fuzzer-no-link,address,undefined \
			-fno-sanitize-recover=all -Wall -Wextra "${lib_incs[@]}" \
			"${dpdk_cflags[@]}" -c -o "$o" "$f" >>"$log" 2>&1 ||
			return 1
		objs+=("$o")
	done
	rm -f "$out/libdpf.a"
	ar rcs "$out/libdpf.a" "${objs[@]}" >>"$log" 2>&1
}
dpf_built=
passed=0
failed=0
mkdir -p "$out"
for t in "${targets[@]}"; do
	log="$out/$t.log"
	if [ -z "${srcs[$t]+x}" ]; then
		echo "$t: no such target (${all_targets[*]})"
		failed=$((failed + 1))
		continue
	fi
	s=${srcs[$t]}
	extra=()
	[ -n "${need_dpdk[$t]:-}" ] && extra=("${dpdk_cflags[@]}")
	if [ "$s" = "@dpf" ]; then
		if [ -z "$dpf_built" ] && ! build_dpf; then
			dpf_built=failed
		elif [ -z "$dpf_built" ]; then
			dpf_built=yes
		fi
		if [ "$dpf_built" != yes ]; then
			tail -n 20 "$out/libdpf.log"
			echo "$t: building the library failed (log: $out/libdpf.log)"
			failed=$((failed + 1))
			continue
		fi
		s="$out/libdpf.a"
	fi
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	# shellcheck disable=SC2086  # the lists are meant to split
	if ! "$cc" "${cflags[@]}" "${extra[@]}" -o "$out/$t" \
		"tests/fuzz/$t.c" $s ${libs[$t]} >"$log" 2>&1; then
		tail -n 20 "$log"
		echo "$t: build failed (log: $log)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$out/corpus/$t" "$out/artifacts"
	# detect_leaks: every run is also a leak check of the code fuzzed.
	if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
		"$out/$t" -max_total_time="$secs" -timeout=10 \
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
