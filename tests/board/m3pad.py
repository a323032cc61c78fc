#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The 3M pad emulator (tests/rfid/m3_emu.py) on a USB serial gadget's tty, for
tests/board/guest.sh, driven one line at a time.

    python3 tests/board/m3pad.py DEVICE

serves a pad on DEVICE (the gadget end, /dev/ttyGSn; opened again after each
hang-up, so it outlives an unplug), prints "ready DEVICE" and answers each
line of stdin with one line, "ok ..." or "error ...":

    item UID ITEM   lays an item tag on the pad: ISO 28560-3 (the Danish data
                    model, as tests/e2e/rfidlib.py writes it), item number
                    ITEM, AFI 0x07 (on the shelf), no DSFID
    afi UID         the tag's AFI now (hex)
    remove UID      takes it off the pad
    opens           how many times DEVICE was opened: 1 + the hang-ups seen
    quit

The guest has no network and little CPU: one python process for the whole
run, spoken to through two fifos, costs less than one per command.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rfid"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from line_helper import serve  # noqa: E402
from m3_emu import BLOCK_LEN, M3Pad, Tag  # noqa: E402
from rfidlib import AFI_ON_SHELF, danish  # noqa: E402


def command(pad, words):
    verb = words[0]
    if verb == "item" and len(words) == 3:
        memory = danish(words[2])
        pad.place(Tag(words[1], blocks=len(memory) // BLOCK_LEN, afi=AFI_ON_SHELF,
                      memory=memory))
        return "ok"
    if verb == "afi" and len(words) == 2:
        tag = pad.tag(words[1])
        return "ok %02X" % tag.afi if tag else "error no such tag"
    if verb == "remove" and len(words) == 2:
        pad.remove(words[1])
        return "ok"
    if verb == "opens":
        return "ok %d" % pad.opens
    return "error unknown command"


def main():
    if len(sys.argv) != 2:
        print("usage: m3pad.py DEVICE", file=sys.stderr)
        return 2
    with M3Pad(device=sys.argv[1]) as pad:
        print("ready", pad.path, flush=True)
        serve(lambda words, line: command(pad, words), (ValueError, OSError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
