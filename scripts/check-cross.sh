#!/bin/sh
# make check-cross: builds the unit tests for each given architecture
# (make ARCH=... unit-tests, into build/ARCH/) and runs each under qemu-user,
# named explicitly, so no binfmt_misc registration is needed. The target's
# loader and libraries are the multiarch ones (libc6:ARCH and the -dev
# packages' libraries, at their own paths beside the host's), hence -L /:
# with the cross toolchain's copy of libc (-L /usr/aarch64-linux-gnu)
# pthread_create() never returns under Debian 12's qemu 7.2, which hangs
# test_net's resolver thread. Logs in build/check-cross/; the last line is
# the sum over all architectures, "N passed, N failed".
#
# usage: scripts/check-cross.sh arm64 armhf
set -u
cd "$(dirname "$0")/.." || exit 2
logs=build/check-cross
mkdir -p "$logs"
# shellcheck source=scripts/suite-lib.sh
. scripts/suite-lib.sh
total_passed=0
total_failed=0

# mk/cross.mk builds the files that call libusb and libgpiod with 32-bit
# time_t on armhf, the rest with 64-bit: safe only while no project header
# they include has a time type, whose layout would then differ between them.
time_abi_check() {
	log=$logs/time-abi.log
	: >"$log"
	rc=0
	for src in ${TIME32_SRCS:?from mk/cross.mk, LIB_TIME32_SRCS}; do
		if ! deps=$(cc -MM -D_GNU_SOURCE -Ilib -Ihal "$src" 2>>"$log"); then
			rc=1
			continue
		fi
		for h in $(echo "$deps" | tr -d '\\\n' | cut -d: -f2-); do
			case $h in *.h) ;; *) continue ;; esac
			if grep -nE '\b(time_t|struct timespec|struct timeval)\b' "$h" >>"$log"; then
				echo "$src includes $h, which has a time type" >>"$log"
				rc=1
			fi
		done
	done
	count time-abi "$log" $rc
}
time_abi_check

for arch in "$@"; do
	case $arch in
	arm64) qemu="qemu-aarch64" ;;
	armhf) qemu="qemu-arm" ;;
	amd64) qemu="qemu-x86_64" ;;
	*) echo "check-cross: unknown architecture $arch" >&2; exit 2 ;;
	esac
	build=build/$arch
	mkdir -p "$logs/$arch"
	if ! make --no-print-directory -j2 ARCH="$arch" BUILD="$build" unit-tests \
		>"$logs/build-$arch.log" 2>&1; then
		count "build-$arch" "$logs/build-$arch.log" 1
		continue
	fi
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$logs/$arch/$name.log
		# Natively each test takes seconds; emulated, a minute at most.
		timeout 300 "$qemu" -L / "$t" >"$log" 2>&1
		count "$arch-$name" "$log" $?
	done
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
