#!/bin/sh
# make install without DESTDIR: this machine is the kiosk, so what a package's
# maintainer scripts would do is done now, each step only where its tool is:
# the circd user (sysusers.d), the configuration's owner and mode
# (tmpfiles.d), udev's new rules for the devices already plugged in, and
# systemd's view of the new unit. Nothing is enabled or started.
#
# usage: scripts/install-apply.sh SYSUSERS_FILE TMPFILES_FILE
set -eu
sysusers=$1 tmpfiles=$2

if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers "$sysusers"
else
	echo "install: no systemd-sysusers: create the circd user and group by hand" >&2
fi
if command -v systemd-tmpfiles >/dev/null; then
	systemd-tmpfiles --create "$tmpfiles"
else
	echo "install: no systemd-tmpfiles: chown circd:circd /etc/circd/circd.conf" >&2
fi
# Only where the daemons run (not in a chroot or a build container).
if [ -d /run/udev/control ] || [ -S /run/udev/control ]; then
	udevadm control --reload && udevadm trigger --action=change --subsystem-match=gpio \
		--subsystem-match=usb || true
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	echo "install: systemctl enable --now circd  starts it (edit /etc/circd/circd.conf first)"
fi
