#!/bin/sh
# Fuzzing with clang's libFuzzer (plus ASan+UBSan). The library is built once
# (make SAN=fuzz libfuzzer: build/clang-fuzz/, the same flags and pkg-config
# packages as every other build) and each tests/fuzz/fuzz_*.c is linked with
# libFuzzer's main().
#
#   scripts/fuzz.sh               make fuzz: builds, then runs each target for
#                                 FUZZ_SECONDS (default 60)
#   scripts/fuzz.sh --build       builds only
#   scripts/fuzz.sh --run BIN S   runs one built target for S seconds
#   scripts/fuzz.sh --check BIN N make check: N inputs from a fixed seed and a
#                                 fresh corpus, so a run gives the same verdict
#                                 on every machine (a failure is a bug found,
#                                 reproducible, never a flake)
#
# A target's corpus grows in build/clang-fuzz/corpus/<target>/, seeded from
# tests/fuzz/corpus/<target>/ when there is one; a crash is left there as
# crash-*, and a non-zero exit status says so.
set -eu
cd "$(dirname "$0")/.."
out=build/clang-fuzz

need_clang() {
	command -v clang >/dev/null && return 0
	echo "fuzzing needs clang (apt-get install clang)" >&2
	exit 1
}

build() {
	need_clang
	make --no-print-directory SAN=fuzz -j"$(nproc 2>/dev/null || echo 1)" libfuzzer
}

run_target() {
	bin=$1 seconds=$2
	name=$(basename "$bin")
	work=$out/corpus/$name
	mkdir -p "$work"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work" $seeds
}

check_target() {
	bin=$1 runs=$2
	name=$(basename "$bin")
	mkdir -p "$out/artifacts"
	work=$(mktemp -d)
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	rc=0
	# shellcheck disable=SC2086
	"$bin" -seed=1 -runs="$runs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" "$work" $seeds || rc=$?
	rm -rf "$work"
	return "$rc"
}

case "${1:-}" in
--build)
	build
	;;
--run)
	[ $# -eq 3 ] || { echo "usage: $0 --run BIN SECONDS" >&2; exit 2; }
	run_target "$2" "$3"
	;;
--check)
	[ $# -eq 3 ] || { echo "usage: $0 --check BIN RUNS" >&2; exit 2; }
	check_target "$2" "$3"
	;;
"")
	build
	for bin in "$out"/libfuzzer/fuzz_*; do
		run_target "$bin" "${FUZZ_SECONDS:-60}"
	done
	;;
*)
	echo "usage: $0 [--build | --run BIN SECONDS | --check BIN RUNS]" >&2
	exit 2
	;;
esac
