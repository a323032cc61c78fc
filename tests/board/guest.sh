#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/board/guest.sh [BUILD]: the board tests, run inside the emulated
# board by tests/board/run.sh (through scripts/board/run-guest.sh), as root,
# in a RAM overlay of the host's root. BUILD is the build directory holding
# circd and circctl (default: build).
#
# It builds the devices of boards/qemu-x86_64.ini -- a gpio-sim chip and two
# USB HID gadgets -- starts the real circd on them in returns mode, offline
# (every return is kept in the outbox), and checks what a patron and the
# staff would see: scans through the USB stack, lamps and the flap through
# the GPIO stack, the bin-full sensor, unplugging, start-up errors. Then
# (tests/board/rfid.sh) it plugs in a USB serial gadget carrying the emulated
# 3M RFID pad and runs circd again, as the self-check kiosk of
# boards/qemu-x86_64-3m.ini: the pad found by its USB id, a checkout from the
# pad with the tag's AFI switched, unplug and replug. Last
# (tests/board/printer.sh) it plugs in a USB printer gadget, which the
# guest's usblp driver makes a /dev/usb/lpN, and runs circd as the self-check
# kiosk of boards/qemu-x86_64-printer.ini: a session's receipt read back on
# the gadget's side, then paper out as circctl, the patron and the lamp show it,
# and the same printer through libusb once usblp lets go of it.
#
# Prints "PASS name" / "FAIL name: why" per test (also appended to
# $BOARD_SHARED/results) and a last "N passed, N failed"; exits 1 if any
# failed. Every wait is bounded.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/board/lib.sh
. "$HERE/lib.sh"

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CIRCD=$BUILD/circd
CIRCCTL=$BUILD/circctl
BOARD=$ROOT/boards/qemu-x86_64.ini
GADGET=$HERE/gadget.sh
WORK=/tmp/board
SOCK=$WORK/control.sock
SHARED=${BOARD_SHARED:-$WORK}
CIRCD_LOG=$SHARED/circd.log
# circd's patron texts: this tree's catalogs (nothing is installed in the guest).
export CIRCD_MESSAGES=$ROOT/ui/messages
CIRCD_PID=""
# shellcheck source=tests/board/rfid.sh
. "$HERE/rfid.sh"
# shellcheck source=tests/board/printer.sh
. "$HERE/printer.sh"

rm -rf "$WORK" # the host's /tmp shows through: start clean
mkdir -p "$WORK"
: >"$RESULTS"
: >"$CIRCD_LOG"

# --- circd -----------------------------------------------------------------------

# The configuration: a returns bin with no library system (offline: every
# return is recorded as pending), its store on tmpfs. The feedback pulses are
# shortened (the defaults last seconds) so the tests can watch them end.
write_config() {
	cat >"$1" <<EOF
[kiosk]
mode = returns
id = board-test
board = $BOARD

[store]
path = $2/circd.db

[control]
socket = $2/control.sock

[sim]
socket = $2/sim.sock

[feedback]
ok = lamp_ok:300 buzzer:80
error = lamp_error:600 buzzer:80,80,80
notice = buzzer:40
accept = flap_unlock:500

[log]
level = debug
EOF
}

circd_alive() {
	[ -n "$CIRCD_PID" ] && kill -0 "$CIRCD_PID" 2>/dev/null
}

ctl() {
	timeout 10 "$CIRCCTL" -s "$SOCK" "$@"
}

circd_answers() {
	ctl status >/dev/null 2>&1
}

# start_circd [CONFIG BOARD]: in the foreground mode, logging to $CIRCD_LOG;
# waits until its control socket ($SOCK) answers. By default the returns
# bin's configuration and board.
start_circd() {
	"$CIRCD" -c "${1:-$WORK/circd.conf}" -b "${2:-$BOARD}" -f </dev/null >>"$CIRCD_LOG" 2>&1 &
	CIRCD_PID=$!
	now_ms
	_deadline=$((NOW + 15000))
	while circd_alive; do
		circd_answers && return 0
		now_ms
		[ "$NOW" -lt "$_deadline" ] || break
		sleep 0.05
	done
	return 1
}

stop_circd() {
	circd_alive || return 0
	kill -TERM "$CIRCD_PID"
	if ! wait_for 5000 sh -c "! kill -0 $CIRCD_PID 2>/dev/null"; then
		echo "circd did not stop within 5 s of SIGTERM: killed" >>"$CIRCD_LOG"
		kill -KILL "$CIRCD_PID"
	fi
	wait "$CIRCD_PID" 2>/dev/null
	CIRCD_PID=""
}

# need_circd: a test that needs the running circd fails at once without it.
need_circd() {
	circd_alive && return 0
	why="circd is not running: $(grep -v ' debug: ' "$CIRCD_LOG" | tail -n 1)"
	return 1
}

status_has() {
	ctl status 2>/dev/null | grep -q -- "$1"
}

outbox_has() {
	ctl outbox 2>/dev/null | grep -qw -- "$1"
}

outbox_rows() {
	ROWS=$(ctl outbox 2>/dev/null | grep -c '^[0-9]')
}

# scan_wedge TEXT / scan_pos AIM PART...: bounded: a write to /dev/hidgN
# blocks while nothing reads the device.
scan_wedge() {
	timeout 10 sh "$GADGET" type "$WEDGE_DEV" "$1" || {
		why="typing $1 into $WEDGE_DEV failed or timed out"
		return 1
	}
}

scan_pos() {
	timeout 10 sh "$GADGET" pos "$POS_DEV" "$@" || {
		why="writing HID POS reports to $POS_DEV failed or timed out"
		return 1
	}
}

# logged_more TEXT N: circd has logged TEXT more than N times.
logged_more() {
	[ "$(grep -c -- "$1" "$CIRCD_LOG")" -gt "$2" ]
}

# usb_present VID PID: the guest's USB host side has enumerated the device.
usb_present() {
	for _d in /sys/bus/usb/devices/*; do
		[ -f "$_d/idVendor" ] || continue
		read -r _v <"$_d/idVendor"
		read -r _p <"$_d/idProduct"
		[ "$_v:$_p" = "$1:$2" ] && USB_PORT=${_d##*/} && return 0
	done
	return 1
}

# --- the devices: infrastructure checks that need nothing of circd ---------------

t_gpiosim() {
	gpiosim_create || { why="cannot create the gpio-sim chip through configfs"; return 1; }
	# The tests drive the door shut before circd starts: intake needs it.
	sim_drive DOOR_CLOSED up
	info=$(gpioinfo "$SIM_LABEL" 2>&1) || { why="gpioinfo $SIM_LABEL: $info"; return 1; }
	echo "$info" | sed 's/^/    /'
	for name in $SIM_LINES; do
		echo "$info" | grep -q "\"$name\"" || { why="line $name missing"; return 1; }
	done
	note "$SIM_CHIP ($SIM_SYSFS)"
}

t_udevd() {
	[ -x /lib/systemd/systemd-udevd ] || { why="no /lib/systemd/systemd-udevd (package udev)"; return 1; }
	/lib/systemd/systemd-udevd --daemon || { why="systemd-udevd did not start"; return 1; }
	udevadm trigger --action=add >/dev/null 2>&1
	timeout 20 udevadm settle --timeout=15 || { why="udevadm settle timed out"; return 1; }
}

t_gadgets() {
	{
		sh "$GADGET" wedge wedge 1209 0001 WEDGE0001 &&
			sh "$GADGET" hidpos pos 1209 0002 POS0001 &&
			sh "$GADGET" bind wedge dummy_udc.0 &&
			sh "$GADGET" bind pos dummy_udc.1
	} || { why="cannot set up the gadgets"; return 1; }
	WEDGE_DEV=$(sh "$GADGET" dev wedge)
	POS_DEV=$(sh "$GADGET" dev pos)
	wait_for 10000 usb_present 1209 0001 || { why="1209:0001 did not enumerate"; return 1; }
	note "1209:0001 at port $USB_PORT, gadget end $WEDGE_DEV"
	wait_for 10000 usb_present 1209 0002 || { why="1209:0002 did not enumerate"; return 1; }
	note "1209:0002 at port $USB_PORT, gadget end $POS_DEV"
	{ wait_for 5000 test -c "$WEDGE_DEV" && wait_for 5000 test -c "$POS_DEV"; } ||
		{ why="no $WEDGE_DEV or $POS_DEV"; return 1; }
	timeout 20 udevadm settle --timeout=15
	return 0
}

# --- circd on the board --------------------------------------------------------------

# 7. The board file passes circd's own check.
t_check_config() {
	out=$("$CIRCD" -c "$WORK/circd.conf" -b "$BOARD" --check-config 2>&1)
	rc=$?
	note "$out"
	[ "$rc" -eq 0 ] || { why="circd --check-config exited $rc: $out"; return 1; }
}

t_start() {
	if ! start_circd; then
		why="circd did not come up: $(grep -v ' debug: ' "$CIRCD_LOG" | tail -n 1)"
		return 1
	fi
	# The config names a sim socket, but no backend of this board is a sim one.
	[ ! -e "$WORK/sim.sock" ] ||
		{ why="circd opened the sim test socket on a board with no sim backend"; return 1; }
}

# 1. A wedge scan through the whole USB stack becomes a recorded return.
t_wedge_scan() {
	need_circd || return 1
	wait_for 5000 status_has "item_scanner attached (1209:0001 at " ||
		{ why="item_scanner not attached: $(ctl status | grep 'scanner:' | tr '\n' ';')"; return 1; }
	note "$(ctl status | grep 'scanner:.*item_scanner')"
	json=$(ctl status --json 2>&1)
	echo "$json" | grep -qF '"name":"item_scanner","role":"item_scanner","attached":true,"usb":"1209:0001","port":"' ||
		{ why="status --json lacks the attached item_scanner: $json"; return 1; }
	item 1
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="$ITEM not in the outbox after 5 s"; return 1; }
	note "outbox: $(ctl outbox | grep -w "$ITEM")"
}

t_reader_absent() {
	need_circd || return 1
	status_has "patron_reader absent (1209:0003)" ||
		{ why="status: $(ctl status | grep 'patron_reader' | tr '\n' ';')"; return 1; }
	ctl status --json | grep -qF '"name":"patron_reader","role":"patron_reader","attached":false' ||
		{ why="status --json does not show patron_reader detached"; return 1; }
}

# 2. A return lights lamp_ok and releases the flap, briefly: seen on the
# simulator's side of the lines.
t_lamp_and_flap() {
	need_circd || return 1
	{ wait_for 3000 sim_is LAMP_OK 0 && wait_for 3000 sim_is FLAP_UNLOCK 0; } ||
		{ why="lamp_ok or flap_unlock still on before the scan"; return 1; }
	watch_pulse LAMP_OK 1 6000 "$WORK/lamp_ok.pulse" &
	w1=$!
	watch_pulse FLAP_UNLOCK 1 6000 "$WORK/flap.pulse" &
	w2=$!
	item 2
	scan_wedge "$ITEM"
	wait "$w1" "$w2"
	read -r lamp_on lamp_off <"$WORK/lamp_ok.pulse"
	read -r flap_on flap_off <"$WORK/flap.pulse"
	note "LAMP_OK on at $lamp_on ms, off at $lamp_off ms; FLAP_UNLOCK on at $flap_on ms, off at $flap_off ms"
	[ "$lamp_on" -ge 0 ] || { why="LAMP_OK never went to 1"; return 1; }
	[ "$flap_on" -ge 0 ] || { why="FLAP_UNLOCK never went to 1"; return 1; }
	[ "$lamp_off" -ge 0 ] || { why="LAMP_OK did not go back to 0"; return 1; }
	[ "$flap_off" -ge 0 ] || { why="FLAP_UNLOCK did not go back to 0"; return 1; }
	outbox_has "$ITEM" || { why="$ITEM was not recorded"; return 1; }
}

# 3. The bin-full sensor stops intake (nothing recorded, the error lamp on)
# until it clears.
t_bin_full() {
	need_circd || return 1
	wait_for 3000 sim_is LAMP_ERROR 1 ||
		{ why="LAMP_ERROR (active low) is not off (1) before the test"; return 1; }
	sim_drive BIN_FULL up
	wait_for 3000 status_has "bin: *FULL" || { why="status does not show the bin full"; return 1; }
	outbox_rows
	before=$ROWS
	# No screen (display = none): circd logs what it would show, at info.
	shown=$(grep -c "display error: .*full" "$CIRCD_LOG")
	watch_pulse LAMP_ERROR 0 6000 "$WORK/lamp_error.pulse" &
	w=$!
	item 3
	scan_wedge "$ITEM"
	wait "$w"
	read -r err_on err_off <"$WORK/lamp_error.pulse"
	note "bin full: LAMP_ERROR low (on) at $err_on ms, back high at $err_off ms"
	outbox_rows
	[ "$ROWS" -eq "$before" ] || { why="a return was recorded with the bin full"; return 1; }
	[ "$err_on" -ge 0 ] || { why="LAMP_ERROR never went active (physical 0)"; return 1; }
	logged_more "display error: .*full" "$shown" ||
		{ why="the display did not say that the bin is full"; return 1; }
	note "display: $(grep "display error: .*full" "$CIRCD_LOG" | tail -n 1 | sed 's/.*display error: //')"
	sim_drive BIN_FULL down
	wait_for 3000 status_has "bin: *accepting" || { why="status does not show the bin accepting"; return 1; }
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="$ITEM not recorded once the bin was emptied"; return 1; }
	note "after emptying: $(ctl outbox | grep -w "$ITEM")"
}

# 4. A HID POS scanner on the second UDC: one symbol in two reports.
t_hidpos() {
	need_circd || return 1
	wait_for 5000 status_has "pos_scanner attached (1209:0002 at " ||
		{ why="pos_scanner not attached: $(ctl status | grep 'pos_scanner' | tr '\n' ';')"; return 1; }
	note "$(ctl status | grep 'scanner:.*pos_scanner')"
	item 4
	first=${ITEM%???????}
	second=${ITEM#"$first"}
	outbox_rows
	before=$ROWS
	scan_pos "]F0" "$first" "$second" || return 1
	wait_for 5000 outbox_has "$ITEM" || {
		why="$ITEM (sent as $first + $second) not in the outbox"
		outbox_has "$first" && why="$why; the first part alone was recorded"
		return 1
	}
	outbox_rows
	[ "$ROWS" -eq $((before + 1)) ] || { why="$((ROWS - before)) returns recorded, not 1"; return 1; }
	note "outbox: $(ctl outbox | grep -w "$ITEM")"
}

# 5. Unplugging and plugging the wedge back in: absent, then attached again
# within a second, and the first scan after it counts.
t_replug() {
	need_circd || return 1
	sh "$GADGET" unbind wedge || { why="cannot unbind the wedge gadget"; return 1; }
	wait_for 5000 status_has "item_scanner absent" ||
		{ why="item_scanner not absent 5 s after the unplug"; return 1; }
	note "after unplug: $(ctl status | grep 'scanner:.*item_scanner')"
	# The time to "attached" is taken from circd's log (it notes the attach
	# as status starts showing it), to leave out the cost of polling circctl
	# under TCG. For where the time goes, the kernel's and udevd's events.
	attached_before=$(grep -c "scanner item_scanner attached" "$CIRCD_LOG")
	timeout 10 udevadm monitor --kernel --udev --subsystem-match=usb >"$WORK/replug.udev" 2>&1 &
	monitor=$!
	sleep 0.3
	rebind=$(date +%T.%3N)
	now_ms
	rebind_up=$NOW
	sh "$GADGET" bind wedge dummy_udc.0 || { why="cannot bind the wedge gadget again"; return 1; }
	# Polling the log costs the (emulated) CPU less than polling circctl,
	# and leaves it to the kernel, udevd and circd.
	wait_for 5000 logged_more "scanner item_scanner attached" "$attached_before"
	kill "$monitor" 2>/dev/null
	wait "$monitor" 2>/dev/null
	status_has "item_scanner attached" || { why="item_scanner not attached 5 s after the replug"; return 1; }
	attached=$(grep "scanner item_scanner attached" "$CIRCD_LOG" | sed -n "$((attached_before + 1))p")
	attached=${attached%% *}
	[ -n "$attached" ] || { why="circd did not log the attach"; return 1; }
	replug_ms=$(($(clock_ms "$attached") - $(clock_ms "$rebind")))
	[ "$replug_ms" -ge 0 ] || replug_ms=$((replug_ms + 86400000))
	note "rebind at $rebind, attached at $attached: $replug_ms ms"
	# "KERNEL[14.644750] add /devices/.../usb1/1-1 (usb)": uptime stamps
	kernel_ms=""
	for src in KERNEL UDEV; do
		ev=$(grep -E "^$src *\\[.* add +/.*/1-1 " "$WORK/replug.udev" | head -n 1)
		ev=${ev#*[}
		ev=${ev%%]*}
		[ -n "$ev" ] || continue
		note "$src add event $(($(seconds_ms "$ev") - rebind_up)) ms after the rebind"
		[ "$src" = KERNEL ] && kernel_ms=$(($(seconds_ms "$ev") - rebind_up))
	done
	wait_for 5000 test -c "$WEDGE_DEV" || { why="no $WEDGE_DEV after the rebind"; return 1; }
	item 5
	scan_wedge "$ITEM" || return 1
	wait_for 5000 outbox_has "$ITEM" || { why="a scan right after the replug was not recorded"; return 1; }
	# The limit is on what circd controls: from the moment the kernel has the
	# device again (its add event) to the scanner attached. The kernel's
	# emulated enumeration before that (~450 ms under TCG) is noted, not judged.
	recover_ms=$((replug_ms - ${kernel_ms:-0}))
	note "recovered $recover_ms ms after the kernel's add event"
	[ "$recover_ms" -le 1000 ] ||
		{ why="attached $recover_ms ms after the device came back (limit 1000 ms)"; return 1; }
}

# 6. A line the chip does not have: circd stops at once and says where.
t_missing_line() {
	bad=$WORK/bad-board.ini
	sed 's/^line = LAMP_OK$/line = LAMP_OKK/' "$BOARD" >"$bad"
	grep -q '^line = LAMP_OKK$' "$bad" || { why="cannot make the broken board file"; return 1; }
	header=$(grep -n '^\[output lamp_ok\]' "$bad" | cut -d: -f1)
	keyline=$(grep -n '^line = LAMP_OKK$' "$bad" | cut -d: -f1)
	mkdir -p "$WORK/bad"
	write_config "$WORK/bad/circd.conf" "$WORK/bad"
	now_ms
	t0=$NOW
	timeout 10 "$CIRCD" -c "$WORK/bad/circd.conf" -b "$bad" -f </dev/null >"$WORK/bad/out" 2>"$WORK/bad/err"
	rc=$?
	now_ms
	took=$((NOW - t0))
	msg=$(grep -F "LAMP_OKK" "$WORK/bad/err" | head -n 1)
	note "exit status $rc after $took ms: $msg"
	[ "$rc" -ne 124 ] || { why="circd still running after 10 s"; return 1; }
	[ "$rc" -eq 2 ] || { why="circd exited $rc, not 2 (a board error)"; return 1; }
	[ "$took" -le 5000 ] || { why="circd took $took ms to give up"; return 1; }
	[ -n "$msg" ] || { why="stderr does not name LAMP_OKK: $(tail -n 1 "$WORK/bad/err")"; return 1; }
	echo "$msg" | grep -qF -e "$bad:$header:" -e "$bad:$keyline:" ||
		{ why="stderr does not point at $bad:$header or :$keyline: $msg"; return 1; }
}

# --- the run ---------------------------------------------------------------------------

echo "board tests: circd $CIRCD, board $BOARD"
write_config "$WORK/circd.conf" "$WORK"
WEDGE_DEV=/dev/hidg0
POS_DEV=/dev/hidg1

run_test "board: gpio-sim chip circd-sim with the expected line names" t_gpiosim
run_test "board: systemd-udevd runs (libusb hotplug)" t_udevd
run_test "board: two HID gadgets enumerate (1209:0001, 1209:0002)" t_gadgets
run_test "circd --check-config accepts boards/qemu-x86_64.ini" t_check_config
run_test "circd starts on gpio-sim and the USB gadgets" t_start
run_test "wedge scan on /dev/hidg0 is recorded; item_scanner attached" t_wedge_scan
run_test "patron_reader (1209:0003, not plugged in) shows as absent" t_reader_absent
run_test "return pulses lamp_ok and flap_unlock (gpio-sim values)" t_lamp_and_flap
run_test "bin_full stops intake (lamp_error on) and clearing it restores it" t_bin_full
run_test "HID POS symbol in two reports on the second UDC is one return" t_hidpos
run_test "wedge unplug/replug: absent, attached again within 1 s, scan recorded" t_replug
if circd_alive; then
	echo "--- circd status at the end"
	ctl status | sed 's/^/    /'
fi
stop_circd
run_test "missing gpio line: circd exits 2 naming file:line and the line" t_missing_line

run_test "board: CDC ACM gadget 1209:0004 is a ttyACM; the 3M pad emulator serves its ttyGS" \
	t_acm_gadget
run_test "rfid: circd finds the 3M pad by USB id (no device path): reader attached" t_rfid_attach
run_test "rfid: patron signs in, a tag on the pad is checked out, its AFI 0xC2 in the pad" \
	t_rfid_checkout
run_test "rfid: pad unplug: unavailable; replug: attached by USB id, second tag checked out" \
	t_rfid_replug
if circd_alive; then
	echo "--- circd status at the end (rfid)"
	ctl status | sed 's/^/    /'
fi
stop_circd
pad_stop
[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null

run_test "board: printer gadget 1209:0005 is a /dev/usb/lp (usblp); printer.py serves its g_printer" \
	t_printer_gadget
run_test "printer: circd finds it by USB id (no device path), its DLE EOT answers say ok" \
	t_printer_attach
run_test "printer: a session's receipt is read back whole on the gadget: header, masked card, item" \
	t_printer_receipt
run_test "printer: paper out: circctl says so, no receipt, the patron told, attention lamp on" \
	t_printer_paper_out
run_test "printer: usblp unbound: circd takes the printer through libusb and prints on it" \
	t_printer_libusb
if circd_alive; then
	echo "--- circd status at the end (printer)"
	ctl status | sed 's/^/    /'
fi
stop_circd
prn_stop

echo "$n_passed passed, $n_failed failed"
[ "$n_failed" -eq 0 ]
