#!/bin/sh
# make check: builds, then runs every suite -- unit tests, fuzz targets
# (replay + bounded mutation), end-to-end tests against the real circd --
# first in the normal build, then again under ASan+UBSan; then each fuzz
# target for a few seconds under libFuzzer when clang is installed. Each
# suite's log is kept in build/check/; the last line is the sum over all
# suites.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p build/check
# shellcheck source=scripts/suite-lib.sh
. scripts/suite-lib.sh
total_passed=0
total_failed=0

suite() {
	name=$1
	shift
	log=build/check/$name.log
	timeout 900 "$@" >"$log" 2>&1
	count "$name" "$log" $?
}

run_pass() {
	tag=$1 build=$2
	shift 2
	if ! make --no-print-directory "$@" tests >"build/check/build-$tag.log" 2>&1; then
		count "build-$tag" "build/check/build-$tag.log" 1
		return
	fi
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] && suite "$tag-unit-$(basename "$t")" "$t"
	done
	for f in "$build"/fuzz/fuzz_*; do
		[ -x "$f" ] && suite "$tag-fuzz-$(basename "$f")" "$f"
	done
	CIRCD="$build/circd" CIRCCTL="$build/circctl" CIRCD_SAN=$([ "$tag" = asan ] && echo 1 || echo 0) \
		suite "$tag-e2e" python3 tests/e2e/run.py
}

# libFuzzer, briefly, when clang is there (scripts/deps.sh does not install
# it: some 230 MB of LLVM): coverage-guided inputs the replay driver's
# mutation loop does not reach. Each target is a suite of its own. A fixed
# seed and number of inputs, not a time: the same verdict on every run and
# machine (make fuzz is the open-ended search).
libfuzzer_pass() {
	if ! command -v clang >/dev/null; then
		echo "skip libfuzzer: no clang (make fuzz needs it)"
		return
	fi
	if ! scripts/fuzz.sh --build >build/check/build-libfuzzer.log 2>&1; then
		count build-libfuzzer build/check/build-libfuzzer.log 1
		return
	fi
	for f in build/clang-fuzz/libfuzzer/fuzz_*; do
		[ -x "$f" ] && suite "libfuzzer-$(basename "$f")" scripts/fuzz.sh --check "$f" \
			"${FUZZ_CHECK_RUNS:-300000}"
	done
}

# The architecture's boundaries (lib/, hal/, the ILS files, the backends' libraries).
suite boundaries python3 tests/boundaries.py
# The test ACS checks itself first: the end-to-end tests rely on it.
suite acs-selftest python3 tests/acs/test_acs.py
# So do the RFID reader emulators (against the frames the public material captured).
suite feig-emu-selftest python3 tests/rfid/feig_emu.py --selftest
suite m3-emu-selftest python3 tests/rfid/m3_emu.py --selftest
run_pass plain build
run_pass asan build/asan SAN=1
libfuzzer_pass

echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
