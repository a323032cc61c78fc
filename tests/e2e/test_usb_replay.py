# SPDX-License-Identifier: GPL-2.0-or-later
"""The libusb scanner backend against replayed USB devices (umockdev, no VM).

circd runs unchanged under umockdev-run, which fakes sysfs, udev and the
usbdevfs node of one scanner from generated fixtures (tests/usb/usbfixture.py):
libusb enumerates it, circd claims it and reads its interrupt reports, and the
decoded symbols go through the kiosk to the store like any scan. GPIO and the
display stay simulated, so the sim socket shows the lamps and the flap.
"""

import os
import sys

from harness import check, check_eq, fmt_events, item, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "usb"))
import usbfixture  # noqa: E402

WEDGE_ID = (0x1209, 0x0001, "WEDGE0001")
POS_ID = (0x1209, 0x0002, "POS0001")


def board(t, usb_id, protocol="wedge", extra=""):
    vid, pid, serial = usb_id
    text = """[board]
name = Replayed USB scanner
gpio = sim
scanner = libusb
display = sim

[output lamp_ok]
[output lamp_error]
[output buzzer]
[output flap_unlock]
[input bin_full]
[input door_closed]
sim_active = yes

[scanner item_scanner]
usb = %04x:%04x
serial = %s
protocol = %s
%s""" % (vid, pid, serial, protocol, extra)
    p = t.path("usb-board.ini")
    with open(p, "w") as f:
        f.write(text)
    return p


def start_replay(t, name, usb_id, reports, protocol="wedge", end="unplug", extra="",
                 kind=None):
    vid, pid, serial = usb_id
    args = usbfixture.write(t.dir, name, vid, pid, serial, reports,
                            kind=kind or ("hidpos" if protocol == "hidpos" else "wedge"), end=end)
    # umockdev preloads itself, so ASan must not insist on coming first.
    # umockdev-run passes SIGTERM on and exits with circd's status; timeout
    # bounds a replay that goes wrong (--foreground: it signals only its
    # child, never its own group, so a normal stop still exits 0).
    wrap = ["env", "ASAN_OPTIONS=verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", ""),
            "timeout", "--foreground", "-k", "5", str(int(t.timeout * 3)), "umockdev-run"] + args + ["--"]
    conf = t.config({"kiosk": {"mode": "returns"},
                     "feedback": {"ok": "lamp_ok:300", "accept": "flap_unlock:300",
                                  "error": "lamp_error:300"}})
    return t.start(conf, board=board(t, usb_id, protocol, extra), fake_clock=False, wrap=wrap,
                   extra=("-v",))


def scanner(t):
    return t.status()["scanners"][0]


def test_wedge_scan_becomes_a_recorded_return(t):
    code = item(3101)
    # idle reports first: the lamps must not blink before the test listens
    d = start_replay(t, "wedge", WEDGE_ID,
                     usbfixture.idle_reports(300) + usbfixture.wedge_reports(code))
    for want in ("gpio lamp_ok 1", "gpio flap_unlock 1"):
        if want not in d.sim.history:
            d.sim.wait_event(lambda line: line == want)
    check("gpio lamp_error 1" not in d.sim.history, "error lamp:%s" % fmt_events(d.sim.history))
    rows = wait_for("the return in the store", t.journal)
    check_eq([(r["kind"], r["item"], r["state"]) for r in rows],
             [("checkin", code, "pending")], "journal")
    # the fixture unplugs the scanner after the scan
    st = wait_for("the scanner to be released", lambda: not scanner(t)["attached"]
                  and scanner(t))
    check_eq((st["name"], st["usb"], st["scans"], st["error"]),
             ("item_scanner", "1209:0001", 1, None), "scanner status")
    log = d.log()
    check("scanner item_scanner attached: 1209:0001 at 1-1" in log, "no attach in the log")
    check("scanner item_scanner unplugged" in log, "no unplug in the log")
    check_eq(d.stop(), 0, "exit status")


def test_hidpos_symbol_over_two_reports(t):
    code = item(3102)
    reports = usbfixture.hidpos_reports(code, aim="]F0", chunk=8)
    check_eq(len(reports), 2, "reports in the fixture")
    d = start_replay(t, "hidpos", POS_ID, usbfixture.idle_reports(300, hidpos=True) + reports,
                     protocol="hidpos")
    d.sim.wait_event(lambda line: line == "gpio flap_unlock 1")
    rows = wait_for("the return in the store", t.journal)
    check_eq([r["item"] for r in rows], [code], "journal")
    check("(item_scanner, ]F0): item" in d.log(), "the AIM id ]F0 did not reach the kiosk")
    check_eq(d.stop(), 0, "exit status")


def test_report_id_keyboard_decoded_by_its_descriptor(t):
    # a composite scanner's keyboard: not a boot interface, Report ID 2 before the modifiers
    code = item(3105)
    rid = usbfixture.REPORT_ID_KEYBOARD_ID
    idle = [bytes([rid]) + bytes(8)] * 300
    d = start_replay(t, "kbd-report-id", WEDGE_ID,
                     idle + usbfixture.wedge_reports(code, report_id=rid),
                     kind="report-id-keyboard")
    d.sim.wait_event(lambda line: line == "gpio flap_unlock 1")
    rows = wait_for("the return in the store", t.journal)
    check_eq([r["item"] for r in rows], [code], "journal")
    check_eq(scanner(t)["discarded"], 0, "discarded")
    check_eq(d.stop(), 0, "exit status")


def test_composite_scanner_keyboard_found_by_its_descriptor(t):
    # a HID POS interface first, then the keyboard (no boot interface): the wedge reads the latter
    code = item(3106)
    rid = usbfixture.REPORT_ID_KEYBOARD_ID
    idle = [bytes([rid]) + bytes(8)] * 300
    d = start_replay(t, "composite", WEDGE_ID,
                     idle + usbfixture.wedge_reports(code, report_id=rid), kind="composite")
    d.sim.wait_event(lambda line: line == "gpio flap_unlock 1")
    rows = wait_for("the return in the store", t.journal)
    check_eq([r["item"] for r in rows], [code], "journal")
    check_eq(d.stop(), 0, "exit status")


def test_garbage_is_discarded_with_a_reason(t):
    code = item(3103)
    # F1 (usage 0x3a) in the middle of a symbol: never half a barcode in the store
    bad = usbfixture.wedge_reports("3123", enter=False) + \
        [bytes([0, 0, 0x3a, 0, 0, 0, 0, 0]), bytes(8)] + usbfixture.wedge_reports("99")
    d = start_replay(t, "garbage", WEDGE_ID, bad + usbfixture.wedge_reports(code))
    rows = wait_for("the good return in the store", t.journal)
    check_eq([r["item"] for r in rows], [code], "journal")
    wait_for("the discard in the log", lambda: "discarded input" in d.log())
    check("unmappable key 0x3a" in d.log(), "discard reason missing:\n%s" % d.log())
    st = wait_for("the scanner to be released", lambda: not scanner(t)["attached"]
                  and scanner(t))
    check_eq((st["scans"], st["discarded"]), (1, 1), "scans, discarded")
    check_eq(d.stop(), 0, "exit status")


def test_device_that_stops_answering(t):
    # half a barcode, then every transfer fails: the half is dropped, circd lives on
    reports = usbfixture.wedge_reports("312340", enter=False)
    d = start_replay(t, "silent", WEDGE_ID, reports, end="silent")
    st = wait_for("the scanner to be given up", lambda: scanner(t)["error"] and scanner(t))
    check(not st["attached"], "still attached: %r" % st)
    check("stopped answering" in st["error"], "error: %r" % st["error"])
    check_eq(t.journal(), [], "journal")
    log = d.log()
    check("discarded input: the scanner went away after 6 characters" in log,
          "partial symbol not reported:\n%s" % log)
    check("scanner item_scanner unavailable: the device stopped answering" in log,
          "no warning in the log:\n%s" % log)
    check_eq(t.status()["transactions"], 0, "transactions")
    check_eq(d.stop(), 0, "exit status")


def test_board_trim_strings_reach_the_slot(t):
    # a reader framing each symbol (as track-style readers do with ; and ?): the board's
    # trim strings come off on the real libusb path, before the barcode rules see it
    code = item(3105)
    d = start_replay(t, "framed", WEDGE_ID,
                     usbfixture.idle_reports(300) + usbfixture.wedge_reports("ID-" + code + "."),
                     extra='trim_prefix = "ID-"\ntrim_suffix = .\n')
    rows = wait_for("the return in the store", t.journal)
    check_eq([r["item"] for r in rows], [code], "journal")
    check_eq(d.stop(), 0, "exit status")
