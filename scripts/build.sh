#!/usr/bin/env bash
# build.sh - configure (once) and build dpfetch with meson and ninja.
#
#   scripts/build.sh            optimised build (-O3 -g, LTO) in build/
#   scripts/build.sh --san      AddressSanitizer + UndefinedBehaviorSanitizer
#                               build in build-san/
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
opts=()		# meson.build's defaults: -O3 -g, link-time optimisation
if [ "${1:-}" = "--san" ]; then
	dir=build-san
	# No recovery: any undefined behaviour aborts the run and fails a test.
	# Without LTO: the sanitizers need no cross-unit inlining, and the
	# build stays quick.
	opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false
	       -Dc_args=-fno-sanitize-recover=all)
fi
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir" >/dev/null
