#!/bin/sh
# Installs what building and testing circd's Debian package needs (make deb,
# make check-deb), and only what is missing: debhelper and dpkg-dev for
# dpkg-buildpackage, fakeroot, lintian, and debootstrap for the clean Debian
# 12 root the package test installs into. A foreign ARCH also needs
# scripts/deps-cross.sh ARCH (make deb calls both).
set -eu

need="debhelper dpkg-dev fakeroot lintian debootstrap build-essential"

missing=""
for p in $need; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "circd's packages need these Debian packages:$missing" >&2
	echo "run as root: apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 $missing >/dev/null
