# SPDX-License-Identifier: GPL-2.0-or-later
"""Boards with no patron screen (display = none), as the shipped real boards are.

circd logs each text it would have shown (refusals and notices at info; greetings,
confirmations and receipts, which carry names and titles, at debug); the sim channel, when the
board's other backends need one, carries no display events and takes no PIN;
and a board with no sim backend at all has no sim socket, even with [sim]
socket set: under umockdev, a replayed USB scanner with libgpiod and no
screen is a kiosk on real backends only, whose texts are read from its log.
"""

import os
import re
import signal
import sys

from harness import SIM_BOARD, check, check_eq, fmt_events, has_gpio, item, patron, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "usb"))
import usbfixture  # noqa: E402


def sim_board_without_screen(t):
    with open(SIM_BOARD) as f:
        text = re.sub(r"(?m)^display\s*=.*$", "display = none", f.read())
    p = t.path("sim-no-screen.ini")
    with open(p, "w") as f:
        f.write(text)
    return p


def test_texts_are_logged_not_broadcast(t):
    d = t.start(t.config({"log": {"level": "debug"}}), board=sim_board_without_screen(t))
    p, a = patron(61), item(6101)
    ev = d.scan_patron(p)
    ev += d.scan_item(a)
    check(has_gpio(ev, "lamp_ok", 1), "checkout without a screen:%s" % fmt_events(ev))
    check(not [e for e in ev + d.sim.history if e.startswith("display ")],
          "display events on the sim socket of a board with display = none:%s"
          % fmt_events(ev))
    log = wait_for("the checkout's text in the log",
                   lambda: "display ok: " in d.log() and d.log())
    check(re.search(r" debug: display info: Hello", log),
          "the greeting was not logged at debug:\n%s" % log)
    check(re.search(r" debug: display ok: .*%s" % a, log),
          "the checkout's text was not logged at debug:\n%s" % log)
    check(p not in log, "the patron id is in the log:\n%s" % log)
    # No keypad: the channel's pin command has no one to go to.
    events, answer = d.sim.cmd("pin 1234")
    check_eq(answer, "error unsupported", "pin on a board without a screen")
    check_eq([(r["kind"], r["item"]) for r in t.journal()], [("checkout", a)], "journal")
    check_eq(d.stop(), 0, "exit status")


def test_require_pin_needs_a_screen(t):
    conf = t.config({"kiosk": {"require_pin": "yes"}})
    r = t.run_circd(["-c", conf, "-b", sim_board_without_screen(t), "--check-config"])
    check_eq(r.returncode, 2, "exit status of --check-config; stderr: %s" % r.stderr)
    check("require_pin = yes needs a display that takes PINs" in r.stderr,
          "no reason given: %r" % r.stderr)
    # The sim display has a keypad (its pin command).
    r = t.run_circd(["-c", conf, "-b", SIM_BOARD, "--check-config"])
    check_eq(r.returncode, 0, "require_pin on the sim board; stderr: %s" % r.stderr)


def test_reload_to_require_pin_is_refused_without_a_screen(t):
    conf = t.config()
    d = t.start(conf, board=sim_board_without_screen(t))
    t.config({"kiosk": {"require_pin": "yes"}})
    d.signal(signal.SIGHUP)
    wait_for("the reload to be refused",
             lambda: re.search(r"reload: .*require_pin = yes needs a display that takes PINs;"
                               r".*keeping the running configuration", d.log()))
    # Still no PIN asked for: the session goes straight to items.
    p, a = patron(63), item(6301)
    ev = d.scan_patron(p) + d.scan_item(a)
    check(has_gpio(ev, "lamp_ok", 1), "checkout after the refused reload:%s" % fmt_events(ev))
    check("Please enter your PIN" not in d.log(), "a PIN was asked for:\n%s" % d.log())
    check_eq(d.stop(), 0, "exit status")


REAL_BOARD = """[board]
name = Kiosk on real backends, no screen
gpio = gpiod
scanner = libusb
display = none

[scanner front]
role = both
usb = 1209:0001
serial = WEDGE0001
protocol = wedge
"""


def test_no_sim_socket_on_real_backends(t):
    p, a = patron(62), item(6201)
    board = t.path("real-board.ini")
    with open(board, "w") as f:
        f.write(REAL_BOARD)
    args = usbfixture.write(t.dir, "wedge", 0x1209, 0x0001, "WEDGE0001",
                            usbfixture.idle_reports(300) + usbfixture.wedge_reports(p) +
                            usbfixture.wedge_reports(a))
    wrap = ["env", "ASAN_OPTIONS=verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", ""),
            "timeout", "--foreground", "-k", "5", str(int(t.timeout * 3)), "umockdev-run"] + \
        args + ["--"]
    # No GPIO role on this board: no feedback. [sim] socket stays set, and unused.
    conf = t.config({"feedback": {"ok": "", "error": "", "notice": ""},
                     "log": {"level": "debug"}})
    d = t.start(conf, board=board, fake_clock=False, wrap=wrap, sim=False)
    rows = wait_for("the checkout in the store", t.journal)
    check_eq([(r["kind"], r["patron"], r["item"]) for r in rows], [("checkout", p, a)],
             "journal")
    log = wait_for("the checkout's text in the log",
                   lambda: "display ok: " in d.log() and d.log())
    check(re.search(r" debug: display ok: .*%s" % a, log),
          "the checkout's text was not logged at debug:\n%s" % log)
    check(not os.path.exists(t.sim_sock), "circd opened the sim socket %s with no sim backend"
          % t.sim_sock)
    check_eq(t.status()["scanners"][0]["name"], "front", "status")
    check_eq(d.stop(), 0, "exit status")
