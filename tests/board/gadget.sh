#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/board/gadget.sh: USB HID scanners and a USB serial port made of
# configfs gadgets, for the guest side of the board tests. Each gadget has
# one function; bound to one of dummy_hcd's UDCs it is plugged into the
# guest's own USB host side, where circd finds it like a real device.
#
# A HID gadget is found through libusb; its gadget end is /dev/hidgN: one
# write() there is one interrupt IN report. A write blocks until the host side
# has taken the previous report, so whatever reads the device must be running
# first, and callers bound each call with timeout(1).
#
# A serial gadget (CDC ACM, as many USB-serial RFID readers are) is bound by
# the host side's cdc_acm driver to /dev/ttyACMn, which circd finds through
# sysfs by its VID:PID and serial number; its gadget end is /dev/ttyGSn, a tty
# that the reader's emulator serves. Unbinding hangs the gadget end up.
#
# A printer gadget (the kernel's f_printer, bidirectional, as USB receipt
# printers are) is bound by the host side's usblp driver to /dev/usb/lpN,
# found through sysfs the same way; its gadget end, /dev/g_printerN, gives
# what the host wrote and takes what the printer answers.
#
#   gadget.sh wedge NAME VID PID SERIAL     a boot keyboard (keyboard wedge)
#   gadget.sh hidpos NAME VID PID SERIAL    a HID POS scanner (usage page 0x8C)
#   gadget.sh acm NAME VID PID SERIAL       a USB serial port (CDC ACM)
#   gadget.sh printer NAME VID PID SERIAL   a USB printer (f_printer)
#   gadget.sh bind NAME UDC                 plug in (UDC: dummy_udc.N)
#   gadget.sh unbind NAME                   unplug
#   gadget.sh dev NAME                      prints its /dev/hidgN
#   gadget.sh tty NAME                      prints its /dev/ttyGSn (acm)
#   gadget.sh lp                            prints the printer gadget's
#                                           /dev/g_printerN (bound: the
#                                           node exists only then)
#   gadget.sh type DEV TEXT                 a wedge scan: TEXT, then Enter
#   gadget.sh pos DEV AIM PART...           a HID POS scan: one report per
#                                           PART, all but the last flagged
#                                           "continued"
set -eu

GADGETS=/sys/kernel/config/usb_gadget

die() {
	echo "gadget.sh: $*" >&2
	exit 1
}

# hex_format "05 8C ...": sets FORMAT to a printf format of those bytes as
# octal escapes, using shell arithmetic only.
hex_format() {
	FORMAT=""
	for _b in $1; do
		_v=$((0x$_b))
		FORMAT="$FORMAT\\$((_v >> 6 & 7))$((_v >> 3 & 7))$((_v & 7))"
	done
}

# The standard boot keyboard report descriptor (HID 1.11, appendix B.1):
# modifiers, a reserved byte, six key codes; five LED outputs.
BOOT_KEYBOARD_DESC="05 01 09 06 A1 01 05 07 19 E0 29 E7 15 00 25 01 75 01 95 08 81 02
95 01 75 08 81 03 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 03 95 06 75 08
15 00 25 65 05 07 19 00 29 65 81 00 C0"

# A HID POS barcode scanner (usage page 0x8C), report id 2: the AIM
# symbology id (3 bytes), 56 bytes of decoded data, and one bit saying that
# more of the symbol follows in the next report. 61 bytes in all.
HIDPOS_DESC="05 8C 09 02 A1 01 85 02 09 12 A1 02 15 00 26 FF 00 75 08 95 03 19 FB
29 FD 81 02 95 38 09 FE 82 02 01 75 01 95 01 25 01 09 FF 81 02 75 07 81 03 C0 C0"
HIDPOS_DATA=56

# device NAME VID PID SERIAL PRODUCT CONFIGURATION: the gadget with its one
# configuration, no function yet.
device() {
	_g=$GADGETS/$1
	[ ! -e "$_g" ] || die "gadget $1 exists already"
	mkdir "$_g"
	echo "0x$2" >"$_g/idVendor"
	echo "0x$3" >"$_g/idProduct"
	echo 0x0200 >"$_g/bcdUSB"
	echo 0x0100 >"$_g/bcdDevice"
	mkdir "$_g/strings/0x409"
	echo "$4" >"$_g/strings/0x409/serialnumber"
	echo "circd board test" >"$_g/strings/0x409/manufacturer"
	echo "$5" >"$_g/strings/0x409/product"
	mkdir "$_g/configs/c.1" "$_g/configs/c.1/strings/0x409"
	echo "$6" >"$_g/configs/c.1/strings/0x409/configuration"
	echo 100 >"$_g/configs/c.1/MaxPower"
}

# create NAME VID PID SERIAL PRODUCT PROTOCOL SUBCLASS REPORT_LENGTH DESC:
# a HID gadget.
create() {
	device "$1" "$2" "$3" "$4" "$5" HID
	mkdir "$_g/functions/hid.0"
	echo "$6" >"$_g/functions/hid.0/protocol"
	echo "$7" >"$_g/functions/hid.0/subclass"
	echo "$8" >"$_g/functions/hid.0/report_length"
	hex_format "$9"
	# shellcheck disable=SC2059 # the format is the descriptor
	printf "$FORMAT" >"$_g/functions/hid.0/report_desc"
	ln -s "$_g/functions/hid.0" "$_g/configs/c.1/"
}

# create_acm NAME VID PID SERIAL: a CDC ACM gadget (usb_f_acm). Its tty
# exists from here on, plugged in or not.
create_acm() {
	device "$1" "$2" "$3" "$4" "USB serial RFID reader" "CDC ACM"
	mkdir "$_g/functions/acm.0"
	ln -s "$_g/functions/acm.0" "$_g/configs/c.1/"
}

# create_printer NAME VID PID SERIAL: a printer gadget (usb_f_printer). The
# IEEE 1284 device id is what usblp reads at probe time.
create_printer() {
	device "$1" "$2" "$3" "$4" "USB receipt printer" "Printer"
	mkdir "$_g/functions/printer.0"
	echo "MFG:circd;MDL:board test receipt printer;CMD:ESC/POS;CLS:PRINTER;" \
		>"$_g/functions/printer.0/pnp_string"
	ln -s "$_g/functions/printer.0" "$_g/configs/c.1/"
}

LOWER=abcdefghijklmnopqrstuvwxyz
UPPER=ABCDEFGHIJKLMNOPQRSTUVWXYZ

# key CHAR: sets KEY to the press report of a US keyboard typing CHAR.
key() {
	_mod=000
	case $1 in
	[1-9]) _code=$((29 + $1)) ;;
	0) _code=39 ;;
	[a-z])
		# a..z are usages 4..29: the letter's place in the alphabet
		_before=${LOWER%%"$1"*}
		_code=$((4 + ${#_before}))
		;;
	[A-Z])
		_before=${UPPER%%"$1"*}
		_code=$((4 + ${#_before}))
		_mod=002 # left shift
		;;
	-) _code=45 ;;
	*) die "cannot type '$1'" ;;
	esac
	KEY="\\$_mod\\000\\$((_code >> 6 & 7))$((_code >> 3 & 7))$((_code & 7))\\000\\000\\000\\000\\000"
}

# type DEV TEXT: every character pressed and released, then Enter.
type_text() {
	_rest=$2
	exec 3>"$1"
	while [ -n "$_rest" ]; do
		_c=${_rest%"${_rest#?}"}
		_rest=${_rest#?}
		key "$_c"
		# shellcheck disable=SC2059
		printf "$KEY" >&3
		printf '\000\000\000\000\000\000\000\000' >&3
	done
	printf '\000\000\050\000\000\000\000\000' >&3
	printf '\000\000\000\000\000\000\000\000' >&3
	exec 3>&-
}

# pos DEV AIM PART...: one 61-byte report per part. dd collects each report
# whole, so that it reaches the device in one write().
pos_scan() {
	_dev=$1 _aim=$2
	shift 2
	[ ${#_aim} -eq 3 ] || die "an AIM id is 3 characters: '$_aim'"
	while [ $# -gt 0 ]; do
		[ ${#1} -le $HIDPOS_DATA ] || die "more than $HIDPOS_DATA characters in one report"
		_pad="" _n=${#1}
		while [ "$_n" -lt $HIDPOS_DATA ]; do
			_pad="$_pad\\000"
			_n=$((_n + 1))
		done
		_more='\000'
		[ $# -gt 1 ] && _more='\001'
		# shellcheck disable=SC2059
		printf "\\002%s%s$_pad$_more" "$_aim" "$1" |
			dd of="$_dev" bs=61 count=1 iflag=fullblock status=none
		shift
	done
}

[ $# -ge 1 ] || die "usage: see the head of this file"
cmd=$1
shift
case $cmd in
wedge)
	[ $# -eq 4 ] || die "usage: gadget.sh wedge NAME VID PID SERIAL"
	create "$1" "$2" "$3" "$4" "Keyboard wedge scanner" 1 1 8 "$BOOT_KEYBOARD_DESC"
	;;
hidpos)
	[ $# -eq 4 ] || die "usage: gadget.sh hidpos NAME VID PID SERIAL"
	create "$1" "$2" "$3" "$4" "HID POS scanner" 0 0 64 "$HIDPOS_DESC"
	;;
acm)
	[ $# -eq 4 ] || die "usage: gadget.sh acm NAME VID PID SERIAL"
	create_acm "$1" "$2" "$3" "$4"
	;;
printer)
	[ $# -eq 4 ] || die "usage: gadget.sh printer NAME VID PID SERIAL"
	create_printer "$1" "$2" "$3" "$4"
	;;
bind)
	[ $# -eq 2 ] || die "usage: gadget.sh bind NAME UDC"
	echo "$2" >"$GADGETS/$1/UDC"
	;;
unbind)
	[ $# -eq 1 ] || die "usage: gadget.sh unbind NAME"
	echo "" >"$GADGETS/$1/UDC"
	;;
dev)
	[ $# -eq 1 ] || die "usage: gadget.sh dev NAME"
	# "major:minor"; the node is /dev/hidg<minor>
	read -r majmin <"$GADGETS/$1/functions/hid.0/dev"
	echo "/dev/hidg${majmin#*:}"
	;;
tty)
	[ $# -eq 1 ] || die "usage: gadget.sh tty NAME"
	read -r port <"$GADGETS/$1/functions/acm.0/port_num"
	echo "/dev/ttyGS$port"
	;;
lp)
	# one printer gadget in the tests: its node is the only one
	for _n in /dev/g_printer*; do
		[ -c "$_n" ] && echo "$_n" && exit 0
	done
	die "no /dev/g_printer* (is the printer gadget bound?)"
	;;
type)
	[ $# -eq 2 ] || die "usage: gadget.sh type DEV TEXT"
	type_text "$1" "$2"
	;;
pos)
	[ $# -ge 3 ] || die "usage: gadget.sh pos DEV AIM PART..."
	pos_scan "$@"
	;;
*)
	die "unknown command '$cmd'"
	;;
esac
