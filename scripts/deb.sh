#!/bin/sh
# make deb: builds circd's Debian package for one architecture with the
# Debian tools (dpkg-buildpackage, debhelper; cross for a foreign ARCH), from
# a copy of the tree in a temporary directory, removed afterwards (a second
# copy of the sources in build/ would be read as the project's own by every
# tool that walks the tree), then
# checks it with lintian (overrides in debian/circd.lintian-overrides, each
# with its reason). The .deb lands in build/deb/.
#
# usage: scripts/deb.sh ARCH [VERSION]
#   VERSION (e.g. 0.1+2) adds a changelog entry first: make check-deb builds
#   a newer package that way to test an upgrade.
set -eu
cd "$(dirname "$0")/.."
arch=${1:?usage: scripts/deb.sh ARCH [VERSION]}
version=${2:-}

scripts/deps-deb.sh
[ "$arch" = "$(dpkg --print-architecture)" ] || scripts/deps-cross.sh "$arch"

work=build/deb/$arch
rm -rf "$work"
mkdir -p "$work"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/circd-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/circd
mkdir "$src"
tar --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -

if [ -n "$version" ]; then
	entry=$(mktemp)
	{
		echo "circd ($version) bookworm; urgency=medium"
		echo
		echo "  * Rebuilt as $version."
		echo
		echo " -- $(sed -n 's/^Maintainer: //p' debian/control)  $(date -R)"
		echo
		cat "$src/debian/changelog"
	} >"$entry"
	mv "$entry" "$src/debian/changelog"
fi

echo "deb: dpkg-buildpackage -a$arch (log: $work/build.log)"
if ! (cd "$src" && dpkg-buildpackage -a"$arch" -b --no-sign) >"$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $work/build.log)" >&2
	exit 1
fi
deb=$(ls "$tmp"/circd_*_"$arch".deb)
cp "$deb" build/deb/
echo "deb: build/deb/$(basename "$deb")"

# lintian's exit status counts errors and warnings; info and pedantic tags
# are shown, not failed on.
lintian --fail-on error,warning --info "build/deb/$(basename "$deb")"
