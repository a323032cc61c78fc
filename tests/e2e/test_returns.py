# SPDX-License-Identifier: GPL-2.0-or-later
"""Returns mode: checkins, the flap, the full bin, repeat scans."""

from harness import (DONE, check, check_eq, displays, fmt_events, has_gpio, item, patron)

FEEDBACK = {"ok": "lamp_ok:1500 buzzer:80", "error": "lamp_error:3000 buzzer:80,80,80,80,80",
            "notice": "buzzer:40", "accept": "flap_unlock:4000"}


def returns_conf(t, **extra):
    over = {"kiosk": {"mode": "returns"}, "feedback": dict(FEEDBACK)}
    for sec, keys in extra.items():
        over.setdefault(sec, {}).update(keys)
    return t.config(over)


def expect_accepted(ev, code):
    oks = displays(ev, "ok")
    check(any(code in text for text in oks) and has_gpio(ev, "lamp_ok", 1)
          and has_gpio(ev, "flap_unlock", 1),
          "return of %s: expected 'display ok ...%s...', 'gpio lamp_ok 1' and "
          "'gpio flap_unlock 1'; got:%s" % (code, code, fmt_events(ev)))


def expect_refused(ev, what):
    check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1),
          "%s: expected 'display error ...' and 'gpio lamp_error 1'; got:%s"
          % (what, fmt_events(ev)))
    check(not displays(ev, "ok") and not has_gpio(ev, "flap_unlock", 1)
          and not has_gpio(ev, "lamp_ok", 1),
          "%s: refused, yet ok feedback or the flap:%s" % (what, fmt_events(ev)))


def test_item_accepted_and_flap_pulse(t):
    d = t.start(returns_conf(t))
    a = item(2001)
    expect_accepted(d.scan_item(a), a)
    ev = d.advance(3000)
    check(not has_gpio(ev, "flap_unlock", 0), "flap locked after 3000 of 4000 ms:%s"
          % fmt_events(ev))
    ev = d.advance(1000)
    check(has_gpio(ev, "flap_unlock", 0), "advance 4000: expected 'gpio flap_unlock 0'; got:%s"
          % fmt_events(ev))
    rows = t.journal()
    check_eq(len(rows), 1, "rows")
    r = rows[0]
    check_eq((r["kind"], r["patron"], r["item"], r["mode"], r["state"]),
             ("checkin", "", a, "offline", "pending"), "checkin row")
    check(r["id"], "id empty")
    b = item(2002)
    expect_accepted(d.scan_item(b), b)
    check_eq([r["item"] for r in t.journal()], [a, b], "rows")
    check_eq(d.stop(), 0, "exit status")


def test_patron_card_refused(t):
    d = t.start(returns_conf(t))
    expect_refused(d.scan_patron(patron(20)), "patron card on the patron reader")
    expect_refused(d.scan_item(patron(20)), "patron card on the item scanner")
    expect_refused(d.scan_item("HELLO"), "unknown barcode")
    check_eq(len(t.journal()), 0, "rows")


def test_bin_full_blocks_and_clears(t):
    d = t.start(returns_conf(t))
    ev = d.input("bin_full", 1)
    msgs = displays(ev, "error") + displays(ev, "notice")
    check(any("full" in m.lower() for m in msgs),
          "bin_full 1: expected a display error/notice about the full bin; got:%s"
          % fmt_events(ev))
    a = item(2101)
    expect_refused(d.scan_item(a), "item while the bin is full")
    expect_refused(d.scan_item(a), "item again while the bin is full")
    check_eq(len(t.journal()), 0, "rows while full")
    st = t.status()
    check_eq(st.get("bin_full"), True, "status bin_full while full")
    d.input("bin_full", 0)
    expect_accepted(d.scan_item(a), a)
    check_eq([r["item"] for r in t.journal()], [a], "rows after the bin was emptied")
    check_eq(t.status().get("bin_full"), False, "status bin_full after emptying")


def test_bin_full_during_session(t):
    d = t.start(returns_conf(t))
    a, b = item(2201), item(2202)
    expect_accepted(d.scan_item(a), a)
    d.input("bin_full", 1)
    expect_refused(d.scan_item(b), "item after the bin became full mid-session")
    d.input("bin_full", 0)
    expect_accepted(d.scan_item(b), b)
    check_eq([r["item"] for r in t.journal()], [a, b], "rows")


def test_duplicate_within_session(t):
    d = t.start(returns_conf(t, kiosk={"session_timeout": "30"}))
    a = item(2301)
    expect_accepted(d.scan_item(a), a)
    d.advance(10000)
    ev = d.scan_item(a)
    check(displays(ev, "notice") and not displays(ev, "ok") and not has_gpio(ev, "lamp_ok", 1),
          "repeat within the session: expected 'display notice' only; got:%s"
          % fmt_events(ev))
    check_eq(len(t.journal()), 1, "rows after a repeat")
    # After the session timed out, the same item is a new return.
    ev = d.advance(30000)
    check(displays(ev, "receipt"), "returns session did not end after session_timeout:%s"
          % fmt_events(ev))
    expect_accepted(d.scan_item(a), a)
    check_eq(len(t.journal()), 2, "rows after a return in a new session")


def test_checkin_ends_local_loan(t):
    # Borrow in self-check mode, then return on the same store in returns mode.
    conf = t.config()
    d = t.start(conf)
    a, b = item(2401), item(2402)
    d.scan_patron(patron(24))
    for code in (a, b):
        ev = d.scan_item(code)
        check(any(code in x for x in displays(ev, "ok")), "checkout %s:%s"
              % (code, fmt_events(ev)))
    d.scan_item(DONE)
    check_eq(d.stop(), 0, "exit status")
    check_eq(sorted(r["item"] for r in t.loans()), [a, b], "loans before the return")
    d = t.start(returns_conf(t))
    expect_accepted(d.scan_item(a), a)
    check_eq([r["item"] for r in t.loans()], [b], "loans after returning one")
    kinds = [(r["kind"], r["item"]) for r in t.journal()]
    check_eq(kinds, [("checkout", a), ("checkout", b), ("checkin", a)], "journal")


def test_open_staff_door_pauses_intake(t):
    d = t.start(returns_conf(t))
    d.input("door_closed", 0)
    a = item(2301)
    expect_refused(d.scan_item(a), "return with the staff door open")
    check_eq(t.journal(), [], "rows while the door is open")
    d.input("door_closed", 1)
    expect_accepted(d.scan_item(a), a)
    check_eq([r["item"] for r in t.journal()], [a], "rows")
    check_eq(d.stop(), 0, "exit status")
