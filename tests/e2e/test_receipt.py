# SPDX-License-Identifier: GPL-2.0-or-later
"""Printed receipts on the simulated board ([receipt] policy, printer = sim): the receipt's
ESC/POS bytes come as one 'printer <hex>' event and are read back here as text; a printer
without paper prints nothing, the patron is told, staff are called and circctl says why."""

import re

from harness import DONE, Failure, check, check_eq, displays, fmt_events, has_gpio, item, patron

HEADER = "Stadtbücherei Musterstadt | Hauptstraße 1"


def printed(events):
    """The bytes of each receipt printed in events."""
    return [bytes.fromhex(e.split(" ", 1)[1]) for e in events if e.startswith("printer ")]


# ESC/POS as hal/escpos.c writes it (Epson's ESC/POS command reference): ESC @, ESC t n,
# ESC E n, ESC a n, ESC d n, GS ! n, GS V 66 n. Commands are dropped, text decoded.
CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
ARGS = {(0x1B, 0x40): 0, (0x1B, 0x74): 1, (0x1B, 0x45): 1, (0x1B, 0x61): 1, (0x1B, 0x64): 1,
        (0x1D, 0x21): 1, (0x1D, 0x56): 2}


def render(data):
    out, text, codepage, i = [], bytearray(), "cp437", 0
    while i < len(data):
        b = data[i]
        if b in (0x1B, 0x1D):
            key = (b, data[i + 1])
            if key not in ARGS:
                raise Failure("unexpected command %02x %02x in the receipt" % key)
            out.append(bytes(text).decode(codepage))
            text = bytearray()
            if key == (0x1B, 0x74):
                codepage = CODEPAGES[data[i + 2]]
            i += 2 + ARGS[key]
        else:
            text.append(b)
            i += 1
    out.append(bytes(text).decode(codepage))
    return "".join(out)


def test_german_receipt(t):
    conf = t.config({"kiosk": {"language": "de"},
                     "receipt": {"policy": "always", "header": HEADER}})
    d = t.start(conf)
    d.scan_patron(patron(1))
    ev = d.scan_item(item(101))
    shown = displays(ev, "ok")[0]
    due = re.search(r"((So|Mo|Di|Mi|Do|Fr|Sa)\., \d\d\.\d\d\.20\d\d)$", shown)
    check(due, "German due date on the screen: %r" % shown)
    check_eq(printed(ev), [], "receipts before the session ends")
    ev = d.scan_item(DONE)
    receipts = printed(ev)
    check_eq(len(receipts), 1, "receipts printed at the end of the session")
    text = render(receipts[0])
    for want in ("Stadtbücherei Musterstadt\nHauptstraße 1\n",
                 "Bibliotheksausweis: ***%s\n" % patron(1)[-4:],
                 "Vielen Dank! Sie haben 1 Medium ausgeliehen.\n",
                 "%s\nRückgabe bis: %s\n" % (item(101), due.group(1))):
        check(want in text, "%r not in the receipt:\n%s" % (want, text))
    check(patron(1) not in text, "the card number unmasked on paper:\n%s" % text)
    check(re.search(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d Uhr\n", text),
          "the German date and time:\n%s" % text)
    check(receipts[0].endswith(b"\x1dV\x42\x00"), "the receipt ends with a cut")
    st = t.status()
    check_eq((st["printer"]["state"], st["printer"]["receipts_printed"],
              st["printer"]["last_failure"]), ("ok", 1, None), "circctl status printer")
    check_eq(d.stop(), 0, "exit status")


def test_paper_out(t):
    d = t.start(t.config({"receipt": {"policy": "always"}}))
    d.sim.cmd_ok("printer-status paper-out")
    d.scan_patron(patron(1))
    d.scan_item(item(101))
    ev = d.scan_item(DONE)
    check_eq(printed(ev), [], "receipts printed without paper")
    summary = displays(ev, "receipt")
    check(summary and "You borrowed 1 item." in summary[0] and
          "no receipt can be printed" in summary[0], "the patron told:%s" % fmt_events(ev))
    check(has_gpio(ev, "lamp_attention", 1), "attention lamp:%s" % fmt_events(ev))
    # The loan stands: only the paper is missing.
    check_eq(len(t.journal()), 1, "transactions recorded")
    st = t.status()
    check_eq(st["printer"]["state"], "paper-out", "printer state")
    check("paper-out" in (st["printer"]["last_failure"] or ""), "why: %r" % st["printer"])
    text = t.ctl("status").stdout
    check(re.search(r"^printer: +sim: paper-out, 0 receipts printed, last failure: "
                    r"no receipt for patron \*\*\*\d{4}: printer paper-out$", text, re.M),
          "circctl status text:\n%s" % text)
    # Paper back: status says so at once, and the next patron gets a receipt.
    d.sim.cmd_ok("printer-status ok")
    check_eq(t.status()["printer"]["state"], "ok", "printer state after a refill")
    d.scan_patron(patron(2))
    d.scan_item(item(102))
    check_eq(len(printed(d.scan_item(DONE))), 1, "receipts after a refill")
    check_eq(d.stop(), 0, "exit status")


def test_never_by_default(t):
    d = t.start()
    d.scan_patron(patron(1))
    d.scan_item(item(101))
    ev = d.scan_item(DONE)
    check_eq(printed(ev), [], "receipts with the default policy")
    check("printer" in t.status(), "the sim board's printer in circctl status")
    check_eq(d.stop(), 0, "exit status")
