# SPDX-License-Identifier: GPL-2.0-or-later
"""A FEIG reader on its own USB bulk endpoints (transport = usb), replayed by umockdev.

The only public description of that transport found is a client of FEIG's ID ISC.LR2500
on USB (a Rust program, see hal/usb-bulk-port.h): vendor 0x0AB1, one vendor-specific
interface, each request an advanced-protocol frame in one bulk OUT transfer to endpoint
0x02, each answer one bulk IN transfer from 0x81. The fixture is built from that and from
the protocol: every request is written here as FEIG's frames define it, and every answer
is what the emulator in tests/rfid (written from the protocol documents, not from circd)
answers to it. umockdev checks each OUT transfer byte for byte, so the replay also pins
down what circd sends: the handshake, the inventory rounds, a new tag's system
information and memory.

The tag is a patron card (ISO 28560-3, type of usage 8): it signs the patron in, which
needs nothing more of the reader. Then the reader is unplugged, and circd finds it again
(umockdev serves the script from the top once more) and greets it as before.
"""

import os
import sys

from harness import check, check_eq, patron, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "usb"))
sys.path.insert(0, os.path.join(HERE, "..", "rfid"))
import feig_emu  # noqa: E402
import rfidlib  # noqa: E402
import usbfixture  # noqa: E402

FEIG_ID = (0x0AB1, 0x0002, "FEIGUSB01")
CARD_UID = "E007000012345678"  # not NXP: no EAS custom command in the sequence
ROUNDS_AFTER = 30


def board(t, usb_id):
    vid, pid, serial = usb_id
    text = """[board]
name = Replayed FEIG USB reader
gpio = sim
scanner = sim
display = sim

[output lamp_ok]
[output lamp_error]
[output buzzer]
[scanner item_scanner]

[rfid item_pad]
role = both
protocol = feig
transport = usb
usb = %04x:%04x
serial = %s
inventory_ms = 50
idle_inventory_ms = 50
""" % (vid, pid, serial)
    p = t.path("feig-usb-board.ini")
    with open(p, "w") as f:
        f.write(text)
    return p


def request(control, payload=b""):
    """A request as circd sends it on USB: an advanced frame to any address (255)."""
    return feig_emu.frame(control, payload, com_adr=0xFF, advanced=True)


def exchanges(reader, card):
    """The requests circd makes of a reader with the card lying on it, and its answers."""
    uid = card.uid
    seq = [request(0x52, b"\x00"),                          # baud rate detection
           request(0x65),                                     # software version
           request(0xB0, b"\x01\x00"),                        # inventory: the card
           request(0xB0, b"\x2B\x01" + uid),                  # its system information
           request(0xB0, b"\x23\x01" + uid + bytes([0, card.block_count]))]  # its memory
    seq += [request(0xB0, b"\x01\x00")] * ROUNDS_AFTER        # rounds: it stays
    return [(r, reader.handle(r)) for r in seq]


def test_patron_card_over_usb_then_unplugged_and_found_again(t):
    card_id = patron(1)
    memory = rfidlib.danish(card_id, usage=rfidlib.USAGE_PATRON_CARD)
    card = feig_emu.VirtualTag(CARD_UID, blocks=len(memory) // 4, data=memory)
    reader = feig_emu.FeigReader()
    reader.place(card)
    vid, pid, serial = FEIG_ID
    args = usbfixture.write_bulk(t.dir, "feig", vid, pid, serial, exchanges(reader, card),
                                 unplug_on=request(0xB0, b"\x01\x00"))
    wrap = ["env", "ASAN_OPTIONS=verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", ""),
            "timeout", "--foreground", "-k", "5", str(int(t.timeout * 3)), "umockdev-run"] + \
        args + ["--"]
    conf = t.config({"rfid": {"owner_isil": "DK-710100"}})
    d = t.start(conf, board=board(t, FEIG_ID), fake_clock=False, wrap=wrap, extra=("-v",))

    greeting = "rfid item_pad: FEIG hw 0x"
    wait_for("the reader's greeting", lambda: greeting in d.log())
    check("on usb 1-1" in d.log(), "not found on its USB port:\n%s" % d.log())
    wait_for("the card to sign the patron in",
             lambda: "session started for patron ***0018" in d.log())
    # the replay's last request finds the reader gone; a second greeting is its return
    wait_for("the unplug", lambda: "usb 1-1: unplugged" in d.log())
    wait_for("the reader found again", lambda: d.log().count(greeting) >= 2)
    rf = t.status()["rfid"][0]
    check_eq((rf["name"], rf["protocol"]), ("item_pad", "feig"), "reader status")
    check_eq(d.stop(), 0, "exit status")
