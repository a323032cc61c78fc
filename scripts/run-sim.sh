#!/bin/sh
# make run: circd on the simulated board, with this terminal as its scanner,
# online to the demo library system (the test ACS on loopback) unless ILS=no.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
run=$build/run
mkdir -p "$run"
conf=$run/circd.conf
mode=${MODE:-selfcheck}
ils=${ILS:-yes}
# SCREEN=web: the patron's touch screen is a page to open in a browser.
board=boards/sim.ini
[ "${SCREEN:-sim}" = web ] && board=boards/sim-web.ini
web_port=${WEB_PORT:-8080}
acs_pid=

cleanup() {
	[ -n "$acs_pid" ] && kill "$acs_pid" 2>/dev/null
	rm -f "$run/acs.ports"
}
trap cleanup EXIT INT TERM

sip2=""
if [ "$ils" = yes ]; then
	rm -f "$run/acs.ports"
	python3 tests/acs/acs.py --port 0 --admin 0 --port-file "$run/acs.ports" \
		--state "$run/acs-state.json" --timeout-tenths 030 --retries 001 \
		2>"$run/acs.log" &
	acs_pid=$!
	i=0
	while [ ! -s "$run/acs.ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cut -d' ' -f1 "$run/acs.ports")
	# Plain TCP is for this loopback demo only; a real ILS link uses TLS.
	sip2="[sip2]
host = 127.0.0.1
port = $port
tls = no
institution = MAIN
patron_message = 63
renew = yes
heartbeat = 10
response_timeout = 3
reconnect_max = 5"
fi

cat >"$conf" <<CONF
# Written by scripts/run-sim.sh for make run; see etc/circd.conf for every key.
[kiosk]
mode = $mode
id = demo-kiosk
board = $board
session_timeout = 120

[store]
path = $run/circd.db

[control]
socket = $run/control.sock

[sim]
socket = $run/sim.sock

[barcode]
done = DONE

[display]
port = $web_port
ui = $(pwd)/ui

$sip2
CONF

cat <<TEXT
circd on the simulated board ($mode mode; MODE=returns make run for the returns bin).
Type a barcode and press Enter, as a USB scanner would. Try:
  21234000000018     Ada's library card     (21234000000026 is a blocked card)
  31234000000016     an item                31234000000024, 31234000000032 ...
  DONE               end the session        (or: input done_button 1)
  pin 1234           a PIN, when asked      input bin_full 1 / 0   the bin sensor
An RFID-tagged book on the simulated pad (ISO 28560-3 tag of item 31234000000016), then off it:
  tag item_pad place E004010000000001 00 07 1 4 11010133313233343030303030303031360000a850444b37313031303000000000000000
  tag item_pad remove E004010000000001
Staff view, from another terminal:  $build/circctl -s $run/control.sock status
                                    (also: outbox, exceptions, sync, export-koc)
TEXT
if [ "$ils" = yes ]; then
	cat <<TEXT
The demo library system runs on 127.0.0.1:$port (ILS=no make run: offline only).
Take it away and bring it back, from another terminal, and watch the queue forward:
  scripts/acs-admin.sh fault refuse on; scripts/acs-admin.sh restart
  scripts/acs-admin.sh fault refuse off     scripts/acs-admin.sh log
TEXT
fi
if [ "$board" = boards/sim-web.ini ]; then
	cat <<TEXT
The patron's touch screen: open http://127.0.0.1:$web_port/ in a browser on this machine
(WEB_PORT=... to move it). Type the PIN and press Done there; scans stay in this terminal.
TEXT
else
	echo "SCREEN=web make run: the patron's screen as a page in a browser, instead of this terminal."
fi
cat <<TEXT
Ctrl-C stops circd; transactions stay in $run/circd.db.

TEXT
"$build/circd" -f -c "$conf" -b "$board"
