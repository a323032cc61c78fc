#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/board/run-guest.sh: boots the emulated board (scripts/board/setup.sh
# must have run), runs one command in it and exits with the command's status.
#
#   run-guest.sh [-t SECONDS] [-l LOG] [-s DIR] COMMAND [ARGUMENT...]
#   run-guest.sh -i          a shell on the guest's console, for debugging
#                            (leave it with `exit`)
#
# The command runs as root, in a RAM overlay of the host's / as its root and
# in the current directory, so host paths and host-built binaries work as
# they are. -s DIR is shared read-write with the guest, where the command
# finds it as $BOARD_SHARED (default: a temporary directory, removed after).
# The guest's console (kernel messages and the command's output) goes to LOG
# (default: build/board/guest.log). The whole run is bounded by -t SECONDS
# (default 150); a run that times out exits with 124.
#
# qemu runs with TCG: KVM is not usable on the machines this runs on.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${BOARD_DIR:-$ROOT/build/board}

limit=150
logfile=$OUT/guest.log
shared=""
interactive=no
usage() {
	echo "usage: run-guest.sh [-t SECONDS] [-l LOG] [-s DIR] COMMAND [ARGUMENT...]" >&2
	echo "       run-guest.sh -i" >&2
	exit 2
}
while getopts t:l:s:i opt; do
	case $opt in
	t) limit=$OPTARG ;;
	l) logfile=$OPTARG ;;
	s) shared=$OPTARG ;;
	i) interactive=yes ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ "$interactive" = yes ]; then
	[ $# -eq 0 ] || usage
else
	[ $# -ge 1 ] || usage
fi

K=$(cat "$OUT/current" 2>/dev/null) || {
	echo "run-guest: no emulated board in $OUT: run scripts/board/setup.sh first" >&2
	exit 2
}
KD=$OUT/$K

if [ -n "$shared" ]; then
	mkdir -p "$shared"
	keep_shared=yes
else
	shared=$(mktemp -d "${TMPDIR:-/tmp}/circd-board.XXXXXX")
	keep_shared=no
fi
shared=$(cd "$shared" && pwd)
rm -f "$shared/rc" "$shared/cmd.sh"

# Quotes one word for sh: 'it'\''s'.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
[ "$interactive" = yes ] || {
	echo "# written by run-guest.sh"
	echo "cd $(quote "$PWD") || exit 125"
	printf 'exec'
	for a in "$@"; do
		printf ' %s' "$(quote "$a")"
	done
	echo
} >"$shared/cmd.sh"

# -cpu max: every feature TCG can emulate; two vCPUs run on two host threads
# (multi-threaded TCG). isa-debug-exit lets /init end qemu at once. No
# network: the tests need none. (The command's words are in cmd.sh by now.)
set -- qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp "${BOARD_CPUS:-2}" -m "${BOARD_MEM:-768}" \
	-nographic -no-reboot -nic none \
	-kernel "$KD/vmlinux" -initrd "$KD/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$shared,mount_tag=shared,security_model=none" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

if [ "$interactive" = yes ]; then
	"$@"
	[ "$keep_shared" = yes ] || rm -rf "$shared"
	exit 0
fi
mkdir -p "$(dirname "$logfile")"
timeout -k 5 "$limit" "$@" </dev/null >"$logfile" 2>&1
qemu_rc=$?

if [ -f "$shared/rc" ]; then
	rc=$(cat "$shared/rc")
elif [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	echo "run-guest: timed out after $limit s (log: $logfile)" >&2
	rc=124
else
	echo "run-guest: the guest ended without a status (qemu: $qemu_rc; log: $logfile)" >&2
	rc=125
fi
[ "$keep_shared" = yes ] || rm -rf "$shared"
exit "$rc"
