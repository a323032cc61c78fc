# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# tests/board/printer.sh: the receipt printer tests of the emulated board,
# sourced by tests/board/guest.sh after the RFID tests (it uses guest.sh's
# helpers: ctl, start_circd, stop_circd, logged_more, usb_present, outbox_has,
# status_has, need_circd, scan_wedge).
#
# A USB receipt printer, as boards/qemu-x86_64-printer.ini names it: a
# printer gadget (1209:0005, serial PRN0001) on the fourth UDC, which the
# guest's usblp driver makes a /dev/usb/lpN. Its gadget end, /dev/g_printerN,
# is served by tests/board/printer.py: it keeps every byte circd wrote and
# answers circd's status requests (DLE EOT) as a printer with paper or
# without. circd runs as a self-check kiosk, offline, printing a receipt at
# the end of each session; the tests read the receipt back from the gadget's
# side as text.
# shellcheck disable=SC2034 # globals are read by guest.sh

PRN_VID=1209
PRN_PID=0005
PRN_SERIAL=PRN0001
PRN_UDC=dummy_udc.3
BOARD_PRN=$ROOT/boards/qemu-x86_64-printer.ini
PRN_WORK=$WORK/printer
PRN_CAPTURE=$PRN_WORK/printed.bin
PRN_MODE=$PRN_WORK/mode
PRN_LOG=$SHARED/printer.log
PRN_PROC=""
PRN_HOST=""

write_printer_config() {
	cat >"$1" <<EOF
[kiosk]
mode = selfcheck
id = board-printer
board = $BOARD_PRN
session_timeout = 600

[store]
path = $2/circd.db

[control]
socket = $2/control.sock

[feedback]
ok = lamp_ok:300 buzzer:80
error = lamp_error:600 buzzer:80,80,80
notice = buzzer:40

[receipt]
policy = always
header = Board Test Library | Hauptstraße 1

[log]
level = debug
EOF
}

prn_stop() {
	[ -n "$PRN_PROC" ] || return 0
	kill "$PRN_PROC" 2>/dev/null
	wait "$PRN_PROC" 2>/dev/null
	PRN_PROC=""
}

# prn_host_node: PRN_HOST is the usblp node of the gadget, found as circd
# finds it (through sysfs); fails while there is none.
prn_host_node() {
	for _lp in /sys/class/usbmisc/lp*; do
		[ -e "$_lp/device" ] || continue
		_dev=$(cd -P "$_lp/device/.." && pwd)
		[ -f "$_dev/idVendor" ] || continue
		read -r _v <"$_dev/idVendor"
		read -r _p <"$_dev/idProduct"
		[ "$_v:$_p" = "$PRN_VID:$PRN_PID" ] || continue
		PRN_HOST=/dev/usb/${_lp##*/}
		[ -c "$PRN_HOST" ] && return 0
	done
	return 1
}

# prn_text: PRINTED is what the printer printed so far, as text.
prn_text() {
	PRINTED=$(python3 "$HERE/printer.py" text "$PRN_CAPTURE" 2>&1)
}

prn_cuts() {
	prn_text
	CUTS=$(printf '%s\n' "$PRINTED" | grep -c '^--- cut$')
}

prn_cuts_more() {
	prn_cuts
	[ "$CUTS" -gt "$1" ]
}

press_done() {
	sim_drive DONE_BUTTON up
	sleep 0.2
	sim_drive DONE_BUTTON down
}

# 1. The printer gadget enumerates, usblp makes it a /dev/usb/lpN, and the
# printer's side is served.
t_printer_gadget() {
	mkdir -p "$PRN_WORK"
	: >"$PRN_CAPTURE"
	echo ok >"$PRN_MODE"
	{
		sh "$GADGET" printer printer "$PRN_VID" "$PRN_PID" "$PRN_SERIAL" &&
			sh "$GADGET" bind printer "$PRN_UDC"
	} || { why="cannot set up the printer gadget (usb_f_printer)"; return 1; }
	wait_for 10000 usb_present "$PRN_VID" "$PRN_PID" ||
		{ why="$PRN_VID:$PRN_PID did not enumerate"; return 1; }
	wait_for 10000 prn_host_node || { why="usblp made no /dev/usb/lp* of $PRN_VID:$PRN_PID"; return 1; }
	gadget_end=$(sh "$GADGET" lp) || { why="no /dev/g_printer* on the gadget side"; return 1; }
	python3 "$HERE/printer.py" serve "$gadget_end" "$PRN_CAPTURE" "$PRN_MODE" 2>>"$PRN_LOG" &
	PRN_PROC=$!
	note "$PRN_VID:$PRN_PID at port $USB_PORT: host $PRN_HOST, gadget $gadget_end"
}

# 2. circd finds the printer by its USB id alone, and its status answers say ok.
t_printer_attach() {
	SOCK=$PRN_WORK/control.sock
	CIRCD_LOG=$SHARED/circd-printer.log
	: >"$CIRCD_LOG"
	write_printer_config "$PRN_WORK/circd.conf" "$PRN_WORK"
	if ! start_circd "$PRN_WORK/circd.conf" "$BOARD_PRN"; then
		why="circd did not come up: $(grep -v ' debug: ' "$CIRCD_LOG" | tail -n 1)"
		return 1
	fi
	wait_for 10000 logged_more "printer $PRN_HOST attached" 0 ||
		{ why="no 'printer $PRN_HOST attached' in 10 s: $(grep 'printer' "$CIRCD_LOG" | tail -n 1)"; return 1; }
	wait_for 10000 status_has "printer: *escpos: ok" ||
		{ why="status: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
	note "$(ctl status | grep 'printer:')"
}

# 3. A session's receipt reaches the printer whole: read back on the gadget's
# side, it names the library, the masked card and the item.
t_printer_receipt() {
	need_circd || return 1
	wait_for 5000 status_has "scanner attached (1209:0001 at " ||
		{ why="the wedge scanner is not attached"; return 1; }
	patron 21
	scan_wedge "$PATRON" || return 1
	wait_for 5000 in_session || { why="no session after the patron's card"; return 1; }
	item 21
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="$ITEM not checked out"; return 1; }
	press_done
	wait_for 10000 prn_cuts_more 0 || { why="no receipt reached the printer in 10 s"; return 1; }
	printf '%s\n' "$PRINTED" | sed 's/^/    | /'
	last4=${PATRON#"${PATRON%????}"}
	for want in "Board Test Library" "Hauptstraße 1" "Library card: ***$last4" \
		"You borrowed 1 item." "$ITEM"; do
		printf '%s\n' "$PRINTED" | grep -qF -- "$want" ||
			{ why="'$want' is not on the receipt"; return 1; }
	done
	case $PRINTED in
	*"$PATRON"*) why="the card number unmasked on paper"; return 1 ;;
	esac
	status_has "printer: *escpos: ok, 1 receipt printed" ||
		{ why="status: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
}

# 4. Paper out (the printer's answers, and its USB port status): circctl
# status says so, the next session ends without a receipt, the patron is told
# and the attention lamp calls staff.
t_printer_paper_out() {
	need_circd || return 1
	prn_cuts
	before=$CUTS
	told=$(grep -c "display receipt: .*no receipt can be printed" "$CIRCD_LOG")
	echo paper-out >"$PRN_MODE"
	wait_for 10000 status_has "printer: *escpos: paper-out" ||
		{ why="status: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
	note "$(ctl status | grep 'printer:')"
	patron 22
	scan_wedge "$PATRON" || return 1
	wait_for 5000 in_session || { why="no session after the patron's card"; return 1; }
	item 22
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="$ITEM not checked out"; return 1; }
	press_done
	wait_for 5000 logged_more "display receipt: .*no receipt can be printed" "$told" ||
		{ why="the patron was not told that no receipt comes"; return 1; }
	note "$(grep "no receipt for patron" "$CIRCD_LOG" | tail -n 1 | sed 's/.*circd[^:]*: //')"
	wait_for 3000 sim_is LAMP_ATTENTION 1 || { why="the attention lamp is not on"; return 1; }
	status_has "last failure: no receipt for patron .*printer paper-out" ||
		{ why="status: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
	prn_cuts
	[ "$CUTS" -eq "$before" ] || { why="a receipt was printed without paper"; return 1; }
	# Refilled: ok again, as staff see it.
	echo ok >"$PRN_MODE"
	wait_for 10000 status_has "printer: *escpos: ok" ||
		{ why="not ok again after the refill: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
}

# 5. usblp lets go of the printer (unbound, as on a system without the
# driver): circd finds the device without a /dev/usb/lp node and takes it
# through libusb, and the next receipt reaches the printer that way.
t_printer_libusb() {
	need_circd || return 1
	prn_host_node || { why="no usblp node before the test"; return 1; }
	iface=$(basename "$(cd -P "/sys/class/usbmisc/${PRN_HOST##*/}/device" && pwd)")
	attached_before=$(grep -c "printer usb .* (libusb: usblp does not have it) attached" "$CIRCD_LOG")
	echo "$iface" >/sys/bus/usb/drivers/usblp/unbind || { why="cannot unbind usblp from $iface"; return 1; }
	wait_for 10000 logged_more "printer usb .* (libusb: usblp does not have it) attached" "$attached_before" ||
		{ why="not taken through libusb in 10 s: $(grep 'printer' "$CIRCD_LOG" | tail -n 1)"; return 1; }
	note "$(grep "(libusb: usblp does not have it) attached" "$CIRCD_LOG" | tail -n 1 | sed 's/.*circd[^:]*: //')"
	wait_for 10000 status_has "printer: *escpos: ok" ||
		{ why="status: $(ctl status | grep 'printer' | tr '\n' ';')"; return 1; }
	prn_cuts
	before=$CUTS
	patron 23
	scan_wedge "$PATRON" || return 1
	wait_for 5000 in_session || { why="no session after the patron's card"; return 1; }
	item 23
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="$ITEM not checked out"; return 1; }
	press_done
	wait_for 10000 prn_cuts_more "$before" || { why="no receipt reached the printer through libusb"; return 1; }
	last=$(printf '%s\n' "$PRINTED" | awk -v n="$before" '/^--- cut$/ { c++; next } c == n')
	printf '%s\n' "$last" | grep -qF -- "$ITEM" || { why="$ITEM is not on the receipt: $last"; return 1; }
	note "receipt $((before + 1)) through libusb names $ITEM"
}
