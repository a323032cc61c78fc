#!/bin/sh
# make check-deb: the amd64 package installed, upgraded and removed in a
# clean Debian 12 root (tests/package/run.py); last line "N passed, N failed".
#
# Builds the package twice, as the changelog's version and as a newer one
# (VERSION+1), so the upgrade is dpkg's real one. The clean root comes from
# debootstrap (minbase, with the package's run-time dependencies, so dpkg -i
# needs no network in it), from the mirror apt already uses here; it is made
# once and kept in build/check-deb/cache/ under a name that changes with the
# list of packages, and each run works on a fresh copy of it.
#
# usage: scripts/check-deb.sh [--root-only]
set -eu
cd "$(dirname "$0")/.."
arch=$(dpkg --print-architecture)
work=build/check-deb
cache=$work/cache

# What circd's package depends on (debian/control and dh_shlibdeps), and
# what the test uses in the root: runuser comes with util-linux, which
# minbase has.
include=adduser,libssl3,libsqlite3-0,libinih1,libgpiod2,libusb-1.0-0,libmicrohttpd12

# The Debian mirror of this machine's apt sources (one-line or deb822 form);
# MIRROR= overrides it.
mirror() {
	if [ -n "${MIRROR:-}" ]; then
		echo "$MIRROR"
		return
	fi
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
		2>/dev/null | sed -n -e 's|^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*/debian/\{0,1\}\) .*|\2|p' \
		-e 's|^URIs: *\([^ ]*/debian/\{0,1\}\)$|\1|p' | head -n 1
}

scripts/deps-deb.sh
base=$cache/bookworm-$arch-$(echo "$include" | cksum | cut -d' ' -f1)
if [ ! -d "$base" ]; then
	m=$(mirror)
	[ -n "$m" ] || { echo "check-deb: no Debian mirror in /etc/apt/sources.list*" >&2; exit 1; }
	echo "check-deb: debootstrap bookworm from $m into $base (once; log: $base.log)"
	rm -rf "$base.tmp"
	mkdir -p "$cache"
	if ! debootstrap --variant=minbase --include="$include" bookworm "$base.tmp" "$m" \
		>"$base.log" 2>&1; then
		tail -n 20 "$base.log" >&2
		echo "check-deb: debootstrap failed (log: $base.log)" >&2
		exit 1
	fi
	rm -rf "$base.tmp/var/cache/apt/archives"/*.deb
	mv "$base.tmp" "$base"
fi
[ "${1:-}" = --root-only ] && exit 0

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
scripts/deb.sh "$arch"
scripts/deb.sh "$arch" "$version+1"

# The clean root holds minbase and what include= names: a dependency the
# package gained since (a new library) must be named there, or the install
# fails for a reason that is not the package's.
deb="build/deb/circd_${version}_$arch.deb"
for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*//; s/ //g'); do
	if ! dpkg-query --admindir="$base/var/lib/dpkg" -W "$dep" >/dev/null 2>&1; then
		echo "check-deb: the package depends on $dep, which the clean root lacks:" \
			"add it to include= in $0" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

root=$work/root
rm -rf "$root"
cp -a "$base" "$root"
# The test mounts /proc, /dev and a fresh /run into the root in a mount
# namespace of its own: they go away with it, whatever way it ends.
exec unshare --mount --propagation private python3 tests/package/run.py "$root" \
	"build/deb/circd_${version}_$arch.deb" "build/deb/circd_${version}+1_$arch.deb"
