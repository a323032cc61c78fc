#!/bin/sh
# make run: circd on the simulated board, with this terminal as its scanner.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
run=$build/run
mkdir -p "$run"
conf=$run/circd.conf
mode=${MODE:-selfcheck}
cat >"$conf" <<CONF
# Written by scripts/run-sim.sh for make run; see etc/circd.conf for every key.
[kiosk]
mode = $mode
id = demo-kiosk
board = boards/sim.ini
session_timeout = 120

[store]
path = $run/circd.db

[control]
socket = $run/control.sock

[sim]
socket = $run/sim.sock

[barcode]
done = DONE
CONF

cat <<TEXT
circd on the simulated board ($mode mode; MODE=returns make run for the returns bin).
Type a barcode and press Enter, as a USB scanner would. Try:
  21234000000018     a patron card          (then items)
  31234000000016     an item                31234000000024, 31234000000032 ...
  DONE               end the session        (or: input done_button 1)
  pin 1234           a PIN, when asked      input bin_full 1 / 0   the bin sensor
Staff view, from another terminal:  $build/circctl -s $run/control.sock status   (outbox, sessions)
Tests and scripts can drive the same board through $run/sim.sock.
Ctrl-C stops circd; transactions stay in $run/circd.db.

TEXT
exec "$build/circd" -f -c "$conf" -b boards/sim.ini
