#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/board/setup.sh: prepares the emulated board that `make check-board`
# boots -- Debian 12's own kernel in qemu (TCG), with gpio-sim, and USB HID
# and serial (CDC ACM) gadgets on dummy_hcd, so that circd meets real kernel
# GPIO, USB and tty stacks.
#
# Everything goes into build/board/ (or $BOARD_DIR) and is cached: each stage
# leaves a stamp file holding the inputs it was built from (the kernel ABI
# name, package versions, checksums of the files it used) and runs again only
# when those change. With everything in place a run takes about a second.
#
#   build/board/K/vmlinux              the uncompressed kernel, booted via PVH
#   build/board/K/mods/*.ko            the modules the guest loads (stripped)
#   build/board/K/gpio-sim/gpio-sim.ko gpio-sim, built out of tree
#   build/board/K/initramfs.cpio.gz    busybox, scripts/board/init, the modules
#   build/board/current                the name K of the kernel in use
#
# K is the kernel ABI name that Debian's linux-image-amd64 meta-package
# currently points to (e.g. 6.1.0-56-amd64); it is never hard-coded.
#
# Needs root only to install missing Debian packages (like scripts/deps.sh).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${BOARD_DIR:-$ROOT/build/board}
export DEBIAN_FRONTEND=noninteractive

# The modules the guest needs (their dependencies are added from modules.dep):
# virtio + 9p + overlay for the shared host root, configfs for gpio-sim and
# the USB gadget framework, dummy_hcd + libcomposite + usb_f_hid for the HID
# gadgets, usbhid + hid_generic because a real kiosk has them bound to its
# scanners and circd has to take the interface from them, usb_f_acm for the
# RFID pad's USB serial (CDC ACM) gadget and cdc_acm, the host side's driver
# that makes it a /dev/ttyACMn as a real USB-serial reader is, usb_f_printer
# for the receipt printer's gadget and usblp, the host side's driver that
# makes it a /dev/usb/lpN as a real USB printer is.
GUEST_MODULES="virtio_pci 9pnet_virtio 9p overlay configfs dummy_hcd libcomposite usb_f_hid
usbhid hid_generic usb_f_acm cdc_acm usb_f_printer usblp"

# dummy_hcd provides one UDC per instance: four gadgets (a keyboard wedge, a
# HID POS scanner, the RFID pad's serial port and the receipt printer) are
# plugged in at the same time.
DUMMY_HCD_PARAM=num
DUMMY_HCD_UDCS=4

log() { echo "[board-setup $(date +%T)] $*"; }
die() { echo "board-setup: $*" >&2; exit 1; }

# sha256 of files (or of stdin), first field only.
sum() { cat "$@" | sha256sum | cut -d' ' -f1; }

# A stage is up to date when its stamp holds exactly the given key.
fresh() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# --- Debian packages --------------------------------------------------------

apt_updated=no
apt_update() {
	[ "$apt_updated" = yes ] && return 0
	[ "$(id -u)" -eq 0 ] || return 0
	log "apt-get update"
	apt-get update -qq
	apt_updated=yes
}

# The ABI name linux-image-amd64 depends on, from the local package lists.
kernel_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1
}

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null
}

# missing PACKAGE...: sets MISSING to those not installed.
missing() {
	MISSING=""
	for p in "$@"; do
		pkg_installed "$p" || MISSING="$MISSING $p"
	done
}

install_missing() {
	missing "$@"
	[ -z "$MISSING" ] && return 0
	missing=$MISSING
	if [ "$(id -u)" -ne 0 ]; then
		echo "the emulated board needs these Debian packages:$missing" >&2
		die "run as root: apt-get install$missing"
	fi
	apt_update
	log "installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# qemu-system-x86: the emulator; busybox-static, cpio: the initramfs;
# kmod: depmod/modprobe/modinfo on the unpacked kernel; linux-source-6.1 +
# linux-headers-K + gcc/make: gpio-sim out of tree; xz-utils: extract-vmlinux;
# gpiod: gpioinfo in the guest; udev: systemd-udevd in the guest (libusb's
# hotplug events come from it); python3: the RFID pad's emulator in the guest
# (tests/rfid/m3_emu.py; the guest's root is the host's, so what is installed
# here is what the guest has).
PACKAGES="qemu-system-x86 busybox-static cpio kmod xz-utils gzip gcc make libc6-dev gpiod udev
python3 linux-source-6.1"

# Anything to fetch makes the package lists worth refreshing first, so that
# the kernel is the one the mirror has now. A set-up with everything in
# place asks no one.
K=$(kernel_abi)
# shellcheck disable=SC2086 # one word per package
missing $PACKAGES ${K:+"linux-headers-$K"}
if [ -z "$K" ] || [ -n "$MISSING" ] || ! [ -f "$OUT/$K/kernel.stamp" ]; then
	apt_update
	K=$(kernel_abi)
fi
[ -n "$K" ] || die "cannot tell which kernel linux-image-amd64 points to (apt-cache depends)"
KD=$OUT/$K
mkdir -p "$KD"
# shellcheck disable=SC2086
install_missing $PACKAGES "linux-headers-$K"

# --- kernel sources ------------------------------------------------------------

# The few files taken from linux-source-6.1, in one pass over its 130 MB
# tarball: gpio-sim and the IRQ simulator, and extract-vmlinux.
SRC=$OUT/linux-source
src_key="src $(pkg_version linux-source-6.1)"
if ! fresh "$SRC.stamp" "$src_key"; then
	log "linux-source-6.1: unpack gpio-sim, irq_sim, extract-vmlinux"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$SRC" --strip-components=1 \
		linux-source-6.1/drivers/gpio/gpio-sim.c linux-source-6.1/drivers/gpio/gpiolib.h \
		linux-source-6.1/kernel/irq/irq_sim.c linux-source-6.1/scripts/extract-vmlinux
	echo "$src_key" >"$SRC.stamp"
fi

# --- kernel: vmlinux and the guest's modules -----------------------------------

# Unpacked from the package, never installed: installing linux-image-amd64
# would pull in a host initramfs rebuild and hundreds of MB for nothing.
kernel_key="kernel $K $(echo "$GUEST_MODULES" | sum)"
if ! fresh "$KD/kernel.stamp" "$kernel_key"; then
	log "kernel $K: download and unpack"
	rm -rf "$KD/tmp" "$KD/mods" "$KD/vmlinux" "$KD/modules.list"
	mkdir -p "$KD/tmp" "$KD/mods"
	if ! (cd "$KD/tmp" && apt-get download -qq "linux-image-$K" 2>/dev/null); then
		# Stale package lists name a file the mirror no longer has.
		apt_update
		(cd "$KD/tmp" && apt-get download -qq "linux-image-$K") ||
			die "cannot download linux-image-$K"
	fi
	dpkg-deb -x "$KD"/tmp/linux-image-"$K"_*.deb "$KD/tmp/root"
	depmod -b "$KD/tmp/root" "$K"
	# Every module with its dependencies, each once, dependencies first.
	for m in $GUEST_MODULES; do
		modprobe -d "$KD/tmp/root" -S "$K" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' >"$KD/tmp/modules.paths"
	: >"$KD/modules.list"
	while read -r ko; do
		name=$(basename "$ko")
		strip --strip-debug -o "$KD/mods/$name" "$ko"
		echo "$name" >>"$KD/modules.list"
	done <"$KD/tmp/modules.paths"
	modinfo -F parm "$KD/mods/dummy_hcd.ko" | grep -q "^$DUMMY_HCD_PARAM:" ||
		die "dummy_hcd.ko has no '$DUMMY_HCD_PARAM' parameter (modinfo -F parm)"
	# The PVH entry point of the uncompressed vmlinux skips the real-mode
	# set-up and the decompression, which are slow under TCG.
	sh "$SRC/scripts/extract-vmlinux" "$KD/tmp/root/boot/vmlinuz-$K" >"$KD/vmlinux.new"
	[ -s "$KD/vmlinux.new" ] || die "extract-vmlinux produced nothing"
	mv "$KD/vmlinux.new" "$KD/vmlinux"
	rm -rf "$KD/tmp"
	echo "$kernel_key" >"$KD/kernel.stamp"
fi

# --- gpio-sim, out of tree --------------------------------------------------

# Debian's 6.1 config leaves CONFIG_GPIO_SIM (and the IRQ simulator it uses)
# unset. Both files are built into one module from the kernel source; the
# IRQ simulator needs one change, as handle_simple_irq() is not exported to
# modules: generic_handle_irq() runs the same handler and is.
GPIO_SIM_PATCH='s/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/'
gpiosim_key="gpio-sim $K $(pkg_version linux-source-6.1) $(pkg_version "linux-headers-$K") $(echo "$GPIO_SIM_PATCH" | sum)"
if ! fresh "$KD/gpio-sim.stamp" "$gpiosim_key"; then
	log "gpio-sim: build out of tree against linux-headers-$K"
	S=$KD/gpio-sim
	rm -rf "$S"
	mkdir -p "$S"
	# gpio-sim-main.c: the module is called gpio-sim, so no object may be.
	cp "$SRC/drivers/gpio/gpio-sim.c" "$S/gpio-sim-main.c"
	cp "$SRC/drivers/gpio/gpiolib.h" "$SRC/kernel/irq/irq_sim.c" "$S/"
	sed -i "$GPIO_SIM_PATCH" "$S/irq_sim.c"
	grep -q 'generic_handle_irq(irqnum);' "$S/irq_sim.c" ||
		die "irq_sim.c: the patch no longer applies"
	printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' >"$S/Kbuild"
	make -s -C "/usr/src/linux-headers-$K" M="$S" modules >"$S/build.log" 2>&1 ||
		{ cat "$S/build.log" >&2; die "gpio-sim: build failed"; }
	strip --strip-debug "$S/gpio-sim.ko"
	echo "$gpiosim_key" >"$KD/gpio-sim.stamp"
fi

# --- initramfs -------------------------------------------------------------

# The module list of the initramfs: one "file [parameters]" a line, in load
# order; gpio-sim last (it needs configfs).
modules_order() {
	while read -r name; do
		case $name in
		dummy_hcd.ko) echo "$name $DUMMY_HCD_PARAM=$DUMMY_HCD_UDCS" ;;
		*) echo "$name" ;;
		esac
	done <"$KD/modules.list"
	echo "gpio-sim.ko"
}

initramfs_key="initramfs $K $(sum "$HERE/init") $(modules_order | sum) $(sum /bin/busybox) $(sum "$KD/gpio-sim/gpio-sim.ko")"
if ! fresh "$KD/initramfs.stamp" "$initramfs_key"; then
	log "initramfs"
	R=$KD/rootfs
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/mods" "$R/lower" "$R/rw" "$R/host" "$R/shared"
	cp /bin/busybox "$R/bin/busybox"
	cp "$HERE/init" "$R/init"
	chmod 0755 "$R/init"
	cp "$KD"/mods/*.ko "$KD/gpio-sim/gpio-sim.ko" "$R/mods/"
	modules_order >"$R/mods/order"
	(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$KD/initramfs.new"
	mv "$KD/initramfs.new" "$KD/initramfs.cpio.gz"
	rm -rf "$R"
	echo "$initramfs_key" >"$KD/initramfs.stamp"
fi

echo "$K" >"$OUT/current.new"
mv "$OUT/current.new" "$OUT/current"
# Kernels of earlier ABI names are of no more use.
for d in "$OUT"/*/; do
	d=${d%/}
	[ "$d" = "$KD" ] || [ ! -f "$d/kernel.stamp" ] || rm -rf "$d"
done
