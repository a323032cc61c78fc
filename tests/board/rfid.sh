# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# tests/board/rfid.sh: the RFID tests of the emulated board, sourced by
# tests/board/guest.sh after the returns bin's tests (it uses guest.sh's
# helpers: ctl, start_circd, stop_circd, logged_more, usb_present, outbox_has).
#
# A 3M / Bibliotheca 810 pad on USB serial, as boards/qemu-x86_64-3m.ini
# names it: a CDC ACM gadget (1209:0004, serial PAD0001) on the third UDC,
# which the guest's cdc_acm driver makes a /dev/ttyACMn. Its gadget end,
# /dev/ttyGSn, is served by the pad emulator (tests/board/m3pad.py over
# tests/rfid/m3_emu.py), which holds the tags. circd runs as a self-check
# kiosk, offline; the tests check what the pad's own state shows: the AFI
# circd wrote into each tag it checked out.
# shellcheck disable=SC2034 # globals are read by guest.sh

PAD_VID=1209
PAD_PID=0004
PAD_SERIAL=PAD0001
PAD_UDC=dummy_udc.2
BOARD_3M=$ROOT/boards/qemu-x86_64-3m.ini
RFID_WORK=$WORK/rfid
PAD_IN=$RFID_WORK/pad.in
PAD_OUT=$RFID_WORK/pad.out
PAD_LOG=$SHARED/m3pad.log
PAD_TTY=""
PAD_PROC=""
HOLDER=""
AFI_CHECKED_OUT=C2 # circd's default afi_checked_out
# ISO 15693 UIDs (NXP, E0 04 01 ...) of the two items' tags
TAG1=E004010000000B01
TAG2=E004010000000B02

# The self-check kiosk: offline (every loan kept in the outbox), its session
# long enough to last through the unplug.
write_rfid_config() {
	cat >"$1" <<EOF
[kiosk]
mode = selfcheck
id = board-rfid
board = $BOARD_3M
session_timeout = 600

[store]
path = $2/circd.db

[control]
socket = $2/control.sock

[feedback]
ok = lamp_ok:300 buzzer:80
error = lamp_error:600 buzzer:80,80,80
notice = buzzer:40

[log]
level = debug
EOF
}

# --- the pad emulator, one python process spoken to through two fifos -----------

pad_alive() {
	[ -n "$PAD_PROC" ] && kill -0 "$PAD_PROC" 2>/dev/null
}

# pad_cmd WORD...: one command to m3pad.py; PAD_ANSWER is its answer line.
# Succeeds on "ok ...".
pad_cmd() {
	PAD_ANSWER=""
	# a write to a fifo nobody reads would end this shell (SIGPIPE)
	pad_alive || return 1
	echo "$*" >&7 || return 1
	read -r PAD_ANSWER <&8 || return 1
	case $PAD_ANSWER in
	ok*) return 0 ;;
	*) return 1 ;;
	esac
}

# pad_afi_is UID HEX: the tag is on the pad with that AFI.
pad_afi_is() {
	pad_cmd afi "$1" && [ "$PAD_ANSWER" = "ok $2" ]
}

pad_start() {
	mkfifo "$PAD_IN" "$PAD_OUT" || return 1
	python3 "$HERE/m3pad.py" "$PAD_TTY" <"$PAD_IN" >"$PAD_OUT" 2>>"$PAD_LOG" &
	PAD_PROC=$!
	# The same order as the emulator's side: its stdin first, then its stdout.
	exec 7>"$PAD_IN" 8<"$PAD_OUT"
	read -r PAD_ANSWER <&8 && [ "$PAD_ANSWER" = "ready $PAD_TTY" ]
}

pad_stop() {
	[ -n "$PAD_PROC" ] || return 0
	pad_alive && echo quit >&7
	exec 7>&- 8<&-
	if ! wait_for 5000 sh -c "! kill -0 $PAD_PROC 2>/dev/null"; then
		echo "m3pad.py did not quit within 5 s: killed" >>"$PAD_LOG"
		kill -KILL "$PAD_PROC"
	fi
	wait "$PAD_PROC" 2>/dev/null
	PAD_PROC=""
}

# pad_host_tty: sets HOST_TTY to the ttyACMn the host side made of the pad's
# gadget (USB_PORT from usb_present), "" if none.
pad_host_tty() {
	HOST_TTY=""
	for _t in /sys/bus/usb/devices/"$USB_PORT":*/tty/ttyACM*; do
		[ -e "$_t" ] && HOST_TTY=/dev/${_t##*/}
	done
	[ -n "$HOST_TTY" ]
}

in_session() {
	ctl sessions 2>/dev/null | grep -q '^STATE'
}

# --- the tests ---------------------------------------------------------------------

# The gadget enumerates, cdc_acm makes its tty, and the emulator serves the
# gadget end.
t_acm_gadget() {
	mkdir -p "$RFID_WORK"
	{
		sh "$GADGET" acm pad "$PAD_VID" "$PAD_PID" "$PAD_SERIAL" &&
			sh "$GADGET" bind pad "$PAD_UDC"
	} || { why="cannot set up the CDC ACM gadget"; return 1; }
	PAD_TTY=$(sh "$GADGET" tty pad)
	wait_for 10000 usb_present "$PAD_VID" "$PAD_PID" ||
		{ why="$PAD_VID:$PAD_PID did not enumerate"; return 1; }
	wait_for 10000 pad_host_tty ||
		{ why="no ttyACM under $USB_PORT (cdc_acm did not bind)"; return 1; }
	note "$PAD_VID:$PAD_PID at port $USB_PORT: host end $HOST_TTY, gadget end $PAD_TTY"
	wait_for 5000 test -c "$PAD_TTY" || { why="no $PAD_TTY"; return 1; }
	timeout 20 udevadm settle --timeout=15
	pad_start || {
		why="the pad emulator did not come up on $PAD_TTY: $(tail -n 1 "$PAD_LOG")"
		return 1
	}
}

# 1. circd finds the reader by its USB id alone: "rfid reader pad attached".
t_rfid_attach() {
	SOCK=$RFID_WORK/control.sock
	CIRCD_LOG=$SHARED/circd-rfid.log
	: >"$CIRCD_LOG"
	write_rfid_config "$RFID_WORK/circd.conf" "$RFID_WORK"
	if ! start_circd "$RFID_WORK/circd.conf" "$BOARD_3M"; then
		why="circd did not come up: $(grep -v ' debug: ' "$CIRCD_LOG" | tail -n 1)"
		return 1
	fi
	wait_for 10000 logged_more "rfid reader pad attached" 0 ||
		{ why="no 'rfid reader pad attached' in 10 s: $(grep 'rfid' "$CIRCD_LOG" | tail -n 1)"; return 1; }
	attached=$(grep "rfid reader pad attached" "$CIRCD_LOG" | head -n 1)
	note "${attached#* circd }"
	case $attached in
	*" at $HOST_TTY") ;;
	*) why="attached, but not at $HOST_TTY: $attached"; return 1 ;;
	esac
}

# 2. A patron signs in with the wedge; a tag laid on the pad is checked out
# and circd switches its security off: AFI 0xC2 in the emulator's tag.
t_rfid_checkout() {
	need_circd || return 1
	wait_for 5000 status_has "scanner attached (1209:0001 at " ||
		{ why="the wedge scanner is not attached"; return 1; }
	patron 1
	scan_wedge "$PATRON" || return 1
	wait_for 5000 in_session || { why="no session after the patron's card"; return 1; }
	note "$(ctl sessions | tail -n 1)"
	item 11
	pad_cmd item "$TAG1" "$ITEM" || { why="pad: $PAD_ANSWER"; return 1; }
	wait_for 10000 outbox_has "$ITEM" || { why="$ITEM (tag $TAG1) not checked out in 10 s"; return 1; }
	note "outbox: $(ctl outbox | grep -w "$ITEM")"
	wait_for 10000 pad_afi_is "$TAG1" "$AFI_CHECKED_OUT" ||
		{ why="tag $TAG1's AFI: $PAD_ANSWER, not $AFI_CHECKED_OUT"; return 1; }
	note "tag $TAG1: AFI ${PAD_ANSWER#ok }"
	# The patron takes the book away.
	pad_cmd remove "$TAG1" || { why="pad: $PAD_ANSWER"; return 1; }
}

# holder_on TTY: the holder process has TTY open.
holder_on() {
	[ "$(readlink "/proc/$HOLDER/fd/0" 2>/dev/null)" = "$1" ]
}

# 3. Unplug (the gadget off its UDC): the reader is unavailable. Plugged back
# in, circd finds it again by its USB id and the next tag is checked out.
# Meanwhile something else keeps the old tty open, as a serial console or a
# stray getty would, so the kernel names the pad's tty anew: circd must not
# just open the old path again.
t_rfid_replug() {
	need_circd || return 1
	before=$HOST_TTY
	# shellcheck disable=SC2217 # holding the tty open is the point
	sleep 120 <"$before" &
	HOLDER=$!
	wait_for 5000 holder_on "$before" || { why="cannot hold $before open"; return 1; }
	attached_before=$(grep -c "rfid reader pad attached" "$CIRCD_LOG")
	gone_before=$(grep -c "rfid reader pad unavailable" "$CIRCD_LOG")
	sh "$GADGET" unbind pad || { why="cannot unbind the pad's gadget"; return 1; }
	wait_for 10000 logged_more "rfid reader pad unavailable" "$gone_before" ||
		{ why="no 'rfid reader pad unavailable' in 10 s after the unplug"; return 1; }
	gone=$(grep "rfid reader pad unavailable" "$CIRCD_LOG" | tail -n 1)
	note "${gone#* circd }"
	sh "$GADGET" bind pad "$PAD_UDC" || { why="cannot bind the pad's gadget again"; return 1; }
	wait_for 10000 usb_present "$PAD_VID" "$PAD_PID" ||
		{ why="$PAD_VID:$PAD_PID did not enumerate again"; return 1; }
	wait_for 10000 pad_host_tty || { why="no ttyACM after the replug"; return 1; }
	[ "$HOST_TTY" != "$before" ] ||
		{ why="the pad came back as $before although that was held open"; return 1; }
	wait_for 15000 logged_more "rfid reader pad attached" "$attached_before" ||
		{ why="not attached again 15 s after the replug"; return 1; }
	attached=$(grep "rfid reader pad attached" "$CIRCD_LOG" | tail -n 1)
	note "${attached#* circd } (was $before)"
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
	case $attached in
	*" at $HOST_TTY") ;;
	*) why="attached, but not at $HOST_TTY: $attached"; return 1 ;;
	esac
	pad_cmd opens && note "the emulator opened $PAD_TTY ${PAD_ANSWER#ok } times (once per hang-up more)"
	in_session || { why="the session ended meanwhile"; return 1; }
	item 12
	pad_cmd item "$TAG2" "$ITEM" || { why="pad: $PAD_ANSWER"; return 1; }
	wait_for 10000 outbox_has "$ITEM" ||
		{ why="$ITEM (tag $TAG2) not checked out 10 s after the replug"; return 1; }
	note "outbox: $(ctl outbox | grep -w "$ITEM")"
	wait_for 10000 pad_afi_is "$TAG2" "$AFI_CHECKED_OUT" ||
		{ why="tag $TAG2's AFI: $PAD_ANSWER, not $AFI_CHECKED_OUT"; return 1; }
	note "tag $TAG2: AFI ${PAD_ANSWER#ok }"
}
