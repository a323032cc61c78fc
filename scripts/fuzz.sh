#!/bin/sh
# make fuzz: builds every tests/fuzz/fuzz_*.c with clang's libFuzzer (plus
# ASan+UBSan) and runs each for FUZZ_SECONDS (default 60). Crashes are left
# as crash-* files in build/fuzz-libfuzzer/.
set -eu
cd "$(dirname "$0")/.."
command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)" >&2; exit 1; }
out=build/fuzz-libfuzzer
mkdir -p "$out"
flags="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined $(pkg-config --cflags sqlite3 inih)"
libs="$(pkg-config --libs sqlite3 inih)"
srcs=$(ls firmware/*.c hal/*.c | grep -v -e firmware/main.c -e firmware/circctl.c)
for target in tests/fuzz/fuzz_*.c; do
	name=$(basename "$target" .c)
	# shellcheck disable=SC2086
	clang $flags -o "$out/$name" "$target" $srcs $libs
	(cd "$out" && "./$name" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1)
done
