#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/board/run.sh [BUILD]: `make check-board`. Prepares the emulated board
# (scripts/board/setup.sh, cached in build/board/), boots it once and runs
# tests/board/guest.sh there against BUILD/circd and BUILD/circctl (default
# BUILD: build), which must be built already: this script builds nothing.
#
# Prints one "PASS name" / "FAIL name: why" line per test and a last line
# "N passed, N failed"; exits 1 if any test failed or the guest did not
# finish. The guest's console is kept in build/board/guest.log and circd's
# log in build/board/run/circd.log.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${1:-build}
OUT=${BOARD_DIR:-$ROOT/build/board}
SHARED=$OUT/run
LOG=$OUT/guest.log
# The whole guest run, boot included; it normally takes well under a minute.
LIMIT=${BOARD_TIMEOUT:-240}

elapsed() {
	echo $(($(date +%s) - $1))
}

for b in circd circctl; do
	if [ ! -x "$BUILD/$b" ]; then
		echo "FAIL board: $BUILD/$b is not built (make all)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

t0=$(date +%s)
if ! sh scripts/board/setup.sh; then
	echo "FAIL board: scripts/board/setup.sh failed"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "board: set up in $(elapsed "$t0") s"

rm -rf "$SHARED"
mkdir -p "$SHARED"
t0=$(date +%s)
sh scripts/board/run-guest.sh -t "$LIMIT" -l "$LOG" -s "$SHARED" sh tests/board/guest.sh "$BUILD"
rc=$?
echo "board: guest ran $(elapsed "$t0") s (exit status $rc; console: $LOG, circd: $SHARED/circd.log)"

passed=0
failed=0
if [ -f "$SHARED/results" ]; then
	while IFS= read -r line; do
		echo "$line"
		case $line in
		PASS*) passed=$((passed + 1)) ;;
		FAIL*) failed=$((failed + 1)) ;;
		esac
	done <"$SHARED/results"
fi
# A guest that died, hung or failed outside any test is one failure more.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	case $rc in
	124) why="timed out after $LIMIT s" ;;
	*) why="exit status $rc" ;;
	esac
	echo "FAIL board: the guest did not finish its tests ($why; see $LOG)"
	failed=$((failed + 1))
fi
if [ "$failed" -ne 0 ]; then
	echo "board: last lines of the console ($LOG):"
	tail -n 25 "$LOG" | tr -d '\r' | sed 's/^/    /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
