# SPDX-License-Identifier: GPL-2.0-or-later
"""
The shipped boards and the example config work together out of the box: the
Raspberry Pi kiosk boards' scanner roles (an item scanner and a card reader that
types a 10-digit card number), on sim backends, with etc/circd.conf as shipped
(only its paths moved into the test's directory). A card reader's symbols are
patron ids, an item scanner's are items, whatever the [barcode] layout says.
"""

import os
import re

from harness import REPO, check, check_eq, displays, fmt_events, has_gpio, item

CARD = "0004242424"   # what a 125 kHz reader types with card_format = dec10


def board_on_sim(t, name):
    """The board file with its backends swapped for the sim's: same roles and scanners."""
    with open(os.path.join(REPO, "boards", name + ".ini")) as f:
        text = f.read()
    for dev in ("gpio", "scanner", "display"):
        text = re.sub(r"(?m)^%s\s*=.*$" % dev, "%s = sim" % dev, text)
    path = t.path(name + "-on-sim.ini")
    with open(path, "w") as f:
        f.write(text)
    return path


def example_config(t):
    with open(os.path.join(REPO, "etc", "circd.conf")) as f:
        text = f.read()
    moved = {"[store]": ("path", t.db), "[control]": ("socket", t.ctl_sock),
             "[sim]": ("socket", t.sim_sock)}
    out, section = [], None
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip()
        key = line.split("=", 1)[0].strip()
        if section in moved and key == moved[section][0]:
            line = "%s = %s" % moved[section]
        out.append(line)
    return t.config(text="\n".join(out) + "\n", name="example.conf")


def run_kiosk_board(t, name):
    d = t.start(example_config(t), board=board_on_sim(t, name))
    ev = d.scan_patron(CARD)
    check(any(x.startswith("Hello") for x in displays(ev, "info")) and not displays(ev, "error"),
          "%s: the card reader's 10-digit card was not taken as a patron:%s"
          % (name, fmt_events(ev)))
    code = item(4242)
    ev = d.scan_item(code)
    check(any(code in x for x in displays(ev, "ok")) and has_gpio(ev, "lamp_ok", 1),
          "%s: the item scanner's 14-digit item was not checked out:%s" % (name, fmt_events(ev)))
    # Each device reads its own kind only.
    ev = d.scan_item(CARD)
    check(displays(ev, "error"), "%s: a card number on the item scanner:%s" % (name, fmt_events(ev)))
    rows = t.journal()
    check_eq([(r["kind"], r["patron"], r["item"]) for r in rows], [("checkout", CARD, code)],
             "%s: journal" % name)
    check_eq(d.stop(), 0, "exit status")


def test_rpi4_kiosk_roles_with_the_example_config(t):
    run_kiosk_board(t, "rpi4-kiosk")


def test_rpi5_kiosk_roles_with_the_example_config(t):
    run_kiosk_board(t, "rpi5-kiosk")


def test_rpi4_rfid_kiosks_load_and_serve_without_their_pad(t):
    """The RFID kiosk boards load with the example config; their pad's serial port is absent
    here, which is no error (the reader is picked up when it comes): barcodes still work."""
    for name in ("rpi4-kiosk-3m", "rpi4-kiosk-feig"):
        run_kiosk_board(t, name)
        os.unlink(t.db)
        for suffix in ("-wal", "-shm", ".mark", ".sent"):
            if os.path.exists(t.db + suffix):
                os.unlink(t.db + suffix)
