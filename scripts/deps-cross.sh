#!/bin/sh
# Installs what cross-building circd for other Debian 12 architectures needs
# (make ARCH=arm64|armhf, make check-cross, make deb ARCH=...), and only what
# is missing: the foreign architecture itself (dpkg --add-architecture), its
# cross compiler, the :ARCH -dev packages circd links against, and qemu-user
# to run the cross-built unit tests. qemu-user, not qemu-user-static: a
# quarter of the size, and make check-cross names the emulator and the
# target's library root itself (qemu-aarch64 -L /usr/aarch64-linux-gnu), so
# no binfmt_misc registration is needed (CI containers may not have it).
#
# usage: scripts/deps-cross.sh arm64 armhf
set -eu
# shellcheck source=scripts/apt-lib.sh
. "$(dirname "$0")/apt-lib.sh"

libs="libc6-dev pkg-config libsqlite3-dev libinih-dev libgpiod-dev libusb-1.0-0-dev libssl-dev
libmicrohttpd-dev"
need="qemu-user pkg-config"
add_archs=""
for arch in "$@"; do
	case $arch in
	arm64) need="$need gcc-aarch64-linux-gnu" ;;
	armhf) need="$need gcc-arm-linux-gnueabihf" ;;
	amd64) [ "$(dpkg --print-architecture)" = amd64 ] && continue
		need="$need gcc-x86-64-linux-gnu" ;;
	*) echo "deps-cross: unknown architecture $arch (arm64, armhf, amd64)" >&2; exit 2 ;;
	esac
	[ "$arch" = "$(dpkg --print-architecture)" ] && continue
	for l in $libs; do
		need="$need $l:$arch"
	done
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		add_archs="$add_archs $arch"
	fi
done

# shellcheck disable=SC2086
missing=$(apt_missing $need)
[ -z "$missing" ] && [ -z "$add_archs" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "cross-building circd needs these Debian packages:$missing" >&2
	[ -n "$add_archs" ] && echo "and these architectures: dpkg --add-architecture$add_archs" >&2
	echo "run as root: scripts/deps-cross.sh $*" >&2
	exit 1
fi
for arch in $add_archs; do
	echo "adding architecture $arch"
	dpkg --add-architecture "$arch"
done
[ -z "$missing" ] && exit 0
# Other sources in sources.list.d may not carry the foreign architectures:
# apt-get update only warns about those.
# shellcheck disable=SC2086
apt_install "cross-building circd" $missing
