#!/bin/sh
# Installs the Debian 12 packages that building, running and testing circd
# need, and only the missing ones. Each package's purpose is in README.md.
set -eu
# shellcheck source=scripts/apt-lib.sh
. "$(dirname "$0")/apt-lib.sh"

need="gcc make pkg-config libc6-dev libsqlite3-dev libinih-dev libgpiod-dev libusb-1.0-0-dev
python3 sqlite3 util-linux libssl-dev openssl umockdev libmicrohttpd-dev chromium systemd"

# shellcheck disable=SC2086
missing=$(apt_missing $need)
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
apt_install "circd" $missing
