#!/bin/sh
# Installs the Debian 12 packages that building, running and testing circd
# need, and only the missing ones. Each package's purpose is in README.md.
set -eu

need="gcc make pkg-config libc6-dev libsqlite3-dev libinih-dev libgpiod-dev libusb-1.0-0-dev
python3 sqlite3 util-linux libssl-dev openssl umockdev libmicrohttpd-dev chromium"

missing=""
for p in $need; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "circd needs these Debian packages:$missing" >&2
	echo "run as root: apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
