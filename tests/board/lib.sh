# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# tests/board/lib.sh: helpers for the guest side of the board tests, sourced
# by tests/board/guest.sh: results, clocks and bounded waits, the gpio-sim
# chip of boards/qemu-x86_64.ini, valid item and patron barcodes.
#
# The guest runs everything on an emulated CPU (TCG), where each fork and
# exec costs milliseconds: the helpers that run in loops use shell builtins
# only and report through global variables instead of command substitution.
# shellcheck disable=SC2034 # those globals are read by the sourcing script

# --- results ----------------------------------------------------------------

# Each test prints "PASS name" or "FAIL name: why" on stdout and appends the
# same line to $BOARD_SHARED/results, which the host side reads.
RESULTS=${BOARD_SHARED:-/tmp}/results
n_passed=0
n_failed=0

note() {
	echo "    $*"
}

pass() {
	n_passed=$((n_passed + 1))
	echo "PASS $1"
	echo "PASS $1" >>"$RESULTS"
}

fail() {
	n_failed=$((n_failed + 1))
	echo "FAIL $1${2:+: $2}"
	echo "FAIL $1${2:+: $2}" >>"$RESULTS"
}

# run_test NAME FUNCTION: the function returns 0 for a pass; on a failure it
# sets $why. Tests run in this shell (they share the running circd).
run_test() {
	why=""
	echo "--- $1"
	now_ms
	_test_t0=$NOW
	if "$2"; then
		_ok=yes
	else
		_ok=no
	fi
	now_ms
	note "($((NOW - _test_t0)) ms)"
	if [ "$_ok" = yes ]; then
		pass "$1"
	else
		fail "$1" "${why:-failed}"
	fi
}

# --- time and bounded waits ---------------------------------------------------

# now_ms: sets NOW to the milliseconds since boot (from /proc/uptime, whose
# resolution is 10 ms), without a fork.
now_ms() {
	read -r _up _idle </proc/uptime
	_cs=${_up#*.}
	_cs=${_cs#0}
	NOW=$((${_up%.*} * 1000 + _cs * 10))
}

# decimal N: prints N without leading zeros (sh arithmetic reads 08 as a bad
# octal number).
decimal() {
	_d=$1
	while [ "${_d#0}" != "$_d" ] && [ ${#_d} -gt 1 ]; do
		_d=${_d#0}
	done
	echo "$_d"
}

# seconds_ms 14.644750: prints seconds with a fraction as milliseconds.
seconds_ms() {
	_f=${1#*.}000
	_f=${_f%"${_f#???}"}
	echo $(($(decimal "${1%.*}") * 1000 + $(decimal "$_f")))
}

# clock_ms HH:MM:SS.mmm: prints the milliseconds since midnight (circd's
# log stamps its lines so).
clock_ms() {
	_t=$1
	_h=${_t%%:*} _t=${_t#*:}
	_m=${_t%%:*} _t=${_t#*:}
	echo $((($(decimal "$_h") * 60 + $(decimal "$_m")) * 60000 + $(seconds_ms "$_t")))
}

# wait_for MS COMMAND...: runs COMMAND every 20 ms until it succeeds (0) or
# MS milliseconds have passed (1). WAITED is the time it took.
wait_for() {
	_limit=$1
	shift
	now_ms
	_start=$NOW
	while :; do
		if "$@"; then
			now_ms
			WAITED=$((NOW - _start))
			return 0
		fi
		now_ms
		WAITED=$((NOW - _start))
		[ "$WAITED" -lt "$_limit" ] || return 1
		sleep 0.02
	done
}

# --- gpio-sim --------------------------------------------------------------------

# The chip of boards/qemu-x86_64.ini: one bank, labelled circd-sim, its lines
# named in this order (offset 0 first).
SIM_LABEL=circd-sim
SIM_LINES="LAMP_OK LAMP_ERROR LAMP_ATTENTION BUZZER FLAP_UNLOCK DOOR_LOCK BIN_FULL DOOR_CLOSED
DONE_BUTTON STAFF_BUTTON"
SIM_CFG=/sys/kernel/config/gpio-sim/circd
SIM_SYSFS=""
SIM_CHIP=""

# gpiosim_create: makes the chip live; SIM_CHIP is its gpiochipN name and
# SIM_SYSFS the directory of its sim_gpioN attributes.
gpiosim_create() {
	mkdir "$SIM_CFG" "$SIM_CFG/bank0" || return 1
	# shellcheck disable=SC2086 # one word per line name
	set -- $SIM_LINES
	echo $# >"$SIM_CFG/bank0/num_lines" || return 1
	echo "$SIM_LABEL" >"$SIM_CFG/bank0/label" || return 1
	_n=0
	for _name in $SIM_LINES; do
		mkdir "$SIM_CFG/bank0/line$_n" || return 1
		echo "$_name" >"$SIM_CFG/bank0/line$_n/name" || return 1
		_n=$((_n + 1))
	done
	echo 1 >"$SIM_CFG/live" || return 1
	read -r _dev <"$SIM_CFG/dev_name" || return 1
	read -r SIM_CHIP <"$SIM_CFG/bank0/chip_name" || return 1
	SIM_SYSFS=/sys/devices/platform/$_dev/$SIM_CHIP
	[ -d "$SIM_SYSFS" ]
}

# sim_offset NAME: sets OFFSET to the line's offset on the chip.
sim_offset() {
	OFFSET=0
	for _name in $SIM_LINES; do
		[ "$_name" = "$1" ] && return 0
		OFFSET=$((OFFSET + 1))
	done
	echo "lib.sh: no line $1" >&2
	return 1
}

# sim_value NAME: sets VALUE to the line's physical level (0 or 1), as the
# simulator sees what its user (circd) drives.
sim_value() {
	sim_offset "$1" && read -r VALUE <"$SIM_SYSFS/sim_gpio$OFFSET/value"
}

# sim_drive NAME up|down: drives an input, as a sensor or switch would.
sim_drive() {
	sim_offset "$1" && echo "pull-$2" >"$SIM_SYSFS/sim_gpio$OFFSET/pull"
}

# sim_is NAME LEVEL: succeeds while the line's physical level is LEVEL.
sim_is() {
	sim_value "$1" && [ "$VALUE" = "$2" ]
}

# watch_pulse NAME ACTIVE MS FILE: samples the line every ~10 ms for up to MS
# milliseconds and writes "on_ms off_ms" to FILE: when the line first went
# to its ACTIVE physical level, and when it left it again (relative to the
# start; -1 = never). Stops early once the pulse is over. Meant to be run in
# the background before whatever causes the pulse.
watch_pulse() {
	_name=$1 _active=$2 _limit=$3 _file=$4
	_on=-1 _off=-1
	now_ms
	_t0=$NOW
	while :; do
		sim_value "$_name" || break
		now_ms
		if [ "$_on" -lt 0 ]; then
			[ "$VALUE" = "$_active" ] && _on=$((NOW - _t0))
		elif [ "$VALUE" != "$_active" ]; then
			_off=$((NOW - _t0))
			break
		fi
		[ $((NOW - _t0)) -lt "$_limit" ] || break
		sleep 0.01
	done
	echo "$_on $_off" >"$_file"
}

# --- barcodes ----------------------------------------------------------------------

# item N: sets ITEM to the library Codabar item number N (14 digits: 3, the
# institution 1234, the 8-digit serial, a mod-10 check digit that doubles
# the digits in odd positions), as tests/e2e/harness.py makes them.
item() {
	codabar 3 "$1"
	ITEM=$CODABAR
}

# patron N: sets PATRON to patron card number N, the same way with type 2.
patron() {
	codabar 2 "$1"
	PATRON=$CODABAR
}

# codabar TYPE N: sets CODABAR to the 14-digit number of that type and serial.
codabar() {
	_body=$(printf '%d1234%08d' "$1" "$2")
	_sum=0 _i=0 _rest=$_body
	while [ -n "$_rest" ]; do
		_d=${_rest%"${_rest#?}"}
		_rest=${_rest#?}
		if [ $((_i % 2)) -eq 0 ]; then
			_d=$((_d * 2))
			[ "$_d" -gt 9 ] && _d=$((_d - 9))
		fi
		_sum=$((_sum + _d))
		_i=$((_i + 1))
	done
	CODABAR=$_body$(((10 - _sum % 10) % 10))
}
