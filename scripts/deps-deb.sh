#!/bin/sh
# Installs what building and testing circd's Debian package needs (make deb,
# make check-deb), and only what is missing: debhelper and dpkg-dev for
# dpkg-buildpackage, fakeroot, lintian, and debootstrap for the clean Debian
# 12 root the package test installs into. A foreign ARCH also needs
# scripts/deps-cross.sh ARCH (make deb calls both).
set -eu
# shellcheck source=scripts/apt-lib.sh
. "$(dirname "$0")/apt-lib.sh"

need="debhelper dpkg-dev fakeroot lintian debootstrap build-essential"

# shellcheck disable=SC2086
missing=$(apt_missing $need)
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
apt_install "circd's packages" $missing
