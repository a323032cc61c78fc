# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-check mode: sessions, checkouts, refusals, session end, feedback."""

import re

from harness import (DAY_MS, DONE, Failure, bad_check, check, check_eq, displays, end_of_day_ms,
                     fmt_events, has_gpio, item, mentions_count, patron)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def expect_ok(ev, code):
    """An accepted checkout: lamp_ok on and 'display ok' naming the item."""
    oks = displays(ev, "ok")
    check(any(code in text for text in oks) and has_gpio(ev, "lamp_ok", 1),
          "item %s: expected 'display ok ...%s...' and 'gpio lamp_ok 1'; got:%s"
          % (code, code, fmt_events(ev)))


def expect_refused(ev, what):
    check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1),
          "%s: expected 'display error ...' and 'gpio lamp_error 1'; got:%s"
          % (what, fmt_events(ev)))
    check(not displays(ev, "ok") and not has_gpio(ev, "lamp_ok", 1),
          "%s: refused input also showed ok feedback:%s" % (what, fmt_events(ev)))


def expect_receipt(ev, n, what):
    receipts = displays(ev, "receipt")
    check(len(receipts) == 1, "%s: expected one 'display receipt'; got:%s" % (what, fmt_events(ev)))
    check(mentions_count(receipts[0], n),
          "%s: receipt does not mention the count %d: %r" % (what, n, receipts[0]))
    return receipts[0]


def begin(d, p):
    ev = d.scan_patron(p)
    check(displays(ev, "info") and not displays(ev, "error"),
          "patron %s: expected a 'display info' prompt; got:%s" % (p, fmt_events(ev)))
    return ev


def test_happy_path(t):
    d = t.start()
    p, a, b = patron(1), item(101), item(102)
    begin(d, p)
    expect_ok(d.scan_item(a), a)
    expect_ok(d.scan_item(b), b)
    ev = d.scan_item(DONE)
    expect_receipt(ev, 2, "done barcode")
    ev = d.scan_item(item(103))
    expect_refused(ev, "item scan after the session ended")

    rows = t.journal()
    check_eq(len(rows), 2, "journal rows")
    check_eq([r["item"] for r in rows], [a, b], "journal items in seq order")
    check(rows[0]["seq"] < rows[1]["seq"], "seq must increase")
    for r in rows:
        check_eq(r["kind"], "checkout", "kind")
        check_eq(r["patron"], p, "patron (the store keeps the full id)")
        check_eq(r["mode"], "offline", "mode")
        check_eq(r["state"], "pending", "state")
        check(UUID_RE.match(r["id"] or ""), "id is not a UUID: %r" % r["id"])
        check(r["session_id"], "session_id empty")
        check(r["boot_id"], "boot_id empty")
        check(isinstance(r["wall_ms"], int) and r["wall_ms"] > 0, "wall_ms %r" % r["wall_ms"])
        # --fake-clock: time stands still, so the due date is exact: the end of the day
        # 14 days on, as ILSs set due dates.
        check_eq(r["due_ms"], end_of_day_ms(r["wall_ms"] + 14 * DAY_MS),
                 "due_ms (end of the day, wall_ms + 14 days)")
    check(rows[0]["id"] != rows[1]["id"], "ids must differ")
    check_eq(rows[0]["session_id"], rows[1]["session_id"], "both items in one session")

    loans = {r["item"]: r for r in t.loans()}
    check_eq(sorted(loans), sorted([a, b]), "loans")
    for r in rows:
        loan = loans[r["item"]]
        check_eq(loan["patron"], p, "loan patron")
        check_eq(loan["txn_id"], r["id"], "loan txn_id")
        check_eq(loan["due_ms"], r["due_ms"], "loan due_ms")

    # A second session gets a new session id.
    begin(d, patron(2))
    c = item(104)
    expect_ok(d.scan_item(c), c)
    d.scan_item(DONE)
    rows = t.journal()
    check_eq(len(rows), 3, "journal rows after a second session")
    check(rows[2]["session_id"] != rows[0]["session_id"], "new session, new session_id")
    check_eq(d.stop(), 0, "exit status after SIGTERM")


def test_pin_never_stored_or_logged(t):
    pin = "975318"
    conf = t.config({"kiosk": {"require_pin": "yes"}, "log": {"level": "debug"}})
    d = t.start(conf)
    p, a = patron(7), item(701)
    ev = d.scan_patron(p)
    check(displays(ev, "info"), "expected a PIN prompt; got:%s" % fmt_events(ev))
    ev = d.scan_item(a)
    check(not displays(ev, "ok"), "an item before the PIN must not be accepted:%s"
          % fmt_events(ev))
    check_eq(len(t.journal()), 0, "rows before the PIN")
    ev = d.pin(pin)
    check(not displays(ev, "error"), "pin refused:%s" % fmt_events(ev))
    expect_ok(d.scan_item(a), a)
    expect_receipt(d.scan_item(DONE), 1, "done")
    rows = t.journal()
    check_eq(len(rows), 1, "rows")
    blob = t.store_bytes()
    check(blob, "store files empty?")
    check(pin.encode() not in blob, "the PIN appears in the store files")
    check(pin.encode("utf-16-le") not in blob, "the PIN appears (UTF-16) in the store files")
    log = d.log()
    check(pin not in log, "the PIN appears in circd's log")
    check_eq(d.stop(), 0, "exit status")
    check(pin.encode() not in t.store_bytes(), "the PIN appears in the store files after exit")
    check(pin not in d.log(), "the PIN appears in circd's log")


def test_wrong_inputs_refused(t):
    d = t.start()
    p, a = patron(3), item(301)
    expect_refused(d.scan_item(a), "item scan while idle")
    expect_refused(d.scan_patron(bad_check(p)), "patron card with a bad check digit")
    expect_refused(d.scan_item("HELLO"), "HELLO while idle")
    begin(d, p)
    expect_refused(d.scan_item(bad_check(a)), "item with a bad check digit")
    expect_refused(d.scan_item("HELLO"), "unknown barcode HELLO")
    expect_refused(d.scan_item("12345"), "unknown barcode 12345")
    expect_refused(d.scan_patron(patron(4)), "another patron's card during a session")
    expect_refused(d.scan_item(patron(4)), "patron card on the item scanner during a session")
    check_eq(len(t.journal()), 0, "rows after refused inputs")
    # The session survived all of that.
    expect_ok(d.scan_item(a), a)
    rows = t.journal()
    check_eq(len(rows), 1, "rows")
    check_eq(rows[0]["patron"], p, "the session's patron")


def test_duplicate_item(t):
    d = t.start()
    p, a = patron(5), item(501)
    begin(d, p)
    expect_ok(d.scan_item(a), a)
    ev = d.scan_item(a)
    check(displays(ev, "notice"), "repeat scan: expected 'display notice'; got:%s"
          % fmt_events(ev))
    check(not has_gpio(ev, "lamp_ok", 1) and not displays(ev, "ok"),
          "repeat scan must not confirm again:%s" % fmt_events(ev))
    check_eq(len(t.journal()), 1, "rows after a repeat scan")
    expect_receipt(d.scan_item(DONE), 1, "done")


def test_offline_cap(t):
    d = t.start(t.config({"offline": {"max_items": "2"}}))
    begin(d, patron(6))
    a, b, c = item(601), item(602), item(603)
    expect_ok(d.scan_item(a), a)
    expect_ok(d.scan_item(b), b)
    expect_refused(d.scan_item(c), "3rd item over max_items = 2")
    rows = t.journal()
    check_eq([r["item"] for r in rows], [a, b], "recorded items")
    expect_receipt(d.scan_item(DONE), 2, "done")


def test_checkin_only_policy(t):
    d = t.start(t.config({"offline": {"policy": "checkin-only"}}))
    expect_refused(d.scan_patron(patron(8)), "patron scan with policy checkin-only")
    expect_refused(d.scan_item(item(801)), "item after the refused card")
    check_eq(len(t.journal()), 0, "rows")


def test_item_on_loan_to_another_patron(t):
    d = t.start()
    a = item(901)
    begin(d, patron(9))
    expect_ok(d.scan_item(a), a)
    d.scan_item(DONE)
    begin(d, patron(10))
    expect_refused(d.scan_item(a), "item on loan to another patron")
    b = item(902)
    expect_ok(d.scan_item(b), b)
    rows = t.journal()
    check_eq([(r["item"], r["patron"]) for r in rows], [(a, patron(9)), (b, patron(10))],
             "rows")
    loans = {r["item"]: r["patron"] for r in t.loans()}
    check_eq(loans, {a: patron(9), b: patron(10)}, "loans")


def test_done_button(t):
    d = t.start()
    begin(d, patron(11))
    a = item(1101)
    expect_ok(d.scan_item(a), a)
    ev = d.input("done_button", 1)
    ev += d.input("done_button", 0)
    expect_receipt(ev, 1, "done_button")
    expect_refused(d.scan_item(item(1102)), "item after done_button")
    check_eq(len(t.journal()), 1, "rows")


def test_inactivity_timeout(t):
    d = t.start(t.config({"kiosk": {"session_timeout": "5"}}))
    begin(d, patron(12))
    a = item(1201)
    ev = d.advance(3000)
    check(not displays(ev, "receipt"), "session ended early:%s" % fmt_events(ev))
    expect_ok(d.scan_item(a), a)
    # Inactivity counts from the last scan.
    ev = d.advance(4000)
    check(not displays(ev, "receipt"), "session ended 4 s after the last scan:%s"
          % fmt_events(ev))
    ev = d.advance(1000)
    expect_receipt(ev, 1, "inactivity timeout (5 s)")
    expect_refused(d.scan_item(item(1202)), "item after the timeout")
    check_eq(len(t.journal()), 1, "rows")


def test_lamps_turn_off(t):
    conf = t.config({"feedback": {"ok": "lamp_ok:1500 buzzer:80",
                                  "error": "lamp_error:3000 buzzer:80,80,80,80,80"}})
    d = t.start(conf)
    begin(d, patron(13))
    a = item(1301)
    expect_ok(d.scan_item(a), a)
    ev = d.advance(1000)
    check(not has_gpio(ev, "lamp_ok", 0), "lamp_ok off after 1000 of 1500 ms:%s"
          % fmt_events(ev))
    ev = d.advance(500)
    check(has_gpio(ev, "lamp_ok", 0), "advance 1500 after an ok: expected 'gpio lamp_ok 0';"
          " got:%s" % fmt_events(ev))
    expect_refused(d.scan_item("HELLO"), "HELLO")
    ev = d.advance(3000)
    check(has_gpio(ev, "lamp_error", 0), "advance 3000 after an error: expected "
          "'gpio lamp_error 0'; got:%s" % fmt_events(ev))
    check(has_gpio(ev, "buzzer", 0), "buzzer never went off:%s" % fmt_events(ev))
    # Nothing stays on.
    last = {}
    for e in d.sim.history:
        parts = e.split(" ")
        if parts[0] == "gpio" and len(parts) == 3:
            last[parts[1]] = parts[2]
    for role in ("lamp_ok", "lamp_error", "buzzer"):
        check(last.get(role, "0") == "0", "%s left on: %s" % (role, fmt_events(d.sim.history)))


def test_patron_masked_in_debug_log(t):
    d = t.start(t.config({"log": {"level": "debug"}}))
    p, q = patron(14), patron(15)
    begin(d, p)
    a = item(1401)
    expect_ok(d.scan_item(a), a)
    expect_refused(d.scan_patron(q), "another card")
    d.scan_item(DONE)
    begin(d, q)
    expect_refused(d.scan_item(a), "item on loan to another patron")
    d.input("done_button", 1)
    d.input("done_button", 0)
    check_eq(d.stop(), 0, "exit status")
    log = d.log()
    check(log.strip(), "debug log is empty")
    for who in (p, q):
        if who in log:
            line = next(l for l in log.splitlines() if who in l)
            raise Failure("full patron id %s in the debug log: %r" % (who, line))
        # Not even the 13 digits before the check digit.
        check(who[:13] not in log, "13-digit patron prefix %s in the debug log" % who[:13])


def test_default_offline_cap_is_10(t):
    d = t.start()
    begin(d, patron(16))
    codes = [item(1600 + i) for i in range(11)]
    for code in codes[:10]:
        expect_ok(d.scan_item(code), code)
    expect_refused(d.scan_item(codes[10]), "11th item with the default max_items (10)")
    check_eq(len(t.journal()), 10, "rows")


def test_offline_cap_zero_is_unlimited(t):
    d = t.start(t.config({"offline": {"max_items": "0"}}))
    begin(d, patron(17))
    for i in range(15):
        code = item(1700 + i)
        expect_ok(d.scan_item(code), code)
    expect_receipt(d.scan_item(DONE), 15, "done")
    check_eq(len(t.journal()), 15, "rows")


def test_loan_days_and_fake_wall_clock(t):
    d = t.start(t.config({"offline": {"loan_days": "3"}}))
    begin(d, patron(18))
    a, b = item(1801), item(1802)
    expect_ok(d.scan_item(a), a)
    d.advance(45000)
    expect_ok(d.scan_item(b), b)
    ra, rb = t.journal()
    check_eq(ra["due_ms"], end_of_day_ms(ra["wall_ms"] + 3 * DAY_MS), "due_ms with loan_days = 3")
    check_eq(rb["wall_ms"] - ra["wall_ms"], 45000, "wall_ms moved by the fake clock's advance")
    check_eq(rb["mono_ms"] - ra["mono_ms"], 45000, "mono_ms moved by the fake clock's advance")


def test_error_buzzer_pattern_timing(t):
    conf = t.config({"feedback": {"error": "lamp_error:3000 buzzer:80,80,80,80,80",
                                  "ok": "lamp_ok:1500 buzzer:80", "notice": "buzzer:40"}})
    d = t.start(conf)
    ev = d.scan_item("HELLO")
    check(has_gpio(ev, "buzzer", 1) and has_gpio(ev, "lamp_error", 1),
          "error pattern start:%s" % fmt_events(ev))
    # buzzer: on 80, off 80, on 80, off 80, on 80, then off.
    want = [0, 1, 0, 1, 0]
    for step, value in enumerate(want):
        ev = d.advance(79)
        check(not [e for e in ev if e.startswith("gpio buzzer")],
              "buzzer changed 1 ms early at step %d:%s" % (step, fmt_events(ev)))
        ev = d.advance(1)
        check(has_gpio(ev, "buzzer", value), "step %d (%d ms): expected 'gpio buzzer %d'; got:%s"
              % (step, 80 * (step + 1), value, fmt_events(ev)))
    ev = d.advance(3000 - 400 - 1)
    check(not has_gpio(ev, "lamp_error", 0), "lamp_error off before 3000 ms:%s" % fmt_events(ev))
    check(not has_gpio(ev, "buzzer", 1), "buzzer on again after its pattern:%s"
          % fmt_events(ev))
    ev = d.advance(1)
    check(has_gpio(ev, "lamp_error", 0), "lamp_error at 3000 ms:%s" % fmt_events(ev))


def test_barcode_rules_from_config(t):
    # The card rule too: by default a card reader's symbols are all patron ids.
    conf = t.config({"barcode": {"patron_prefixes": "29", "item_prefixes": "39,38",
                                 "card_prefixes": "29", "check_digit": "no",
                                 "done": "DONE0001,FINISHED"}})
    d = t.start(conf)
    expect_refused(d.scan_patron(patron(19)), "patron 2... with patron_prefixes = 29")
    p = "29" + "123400000191"  # 14 digits, no check digit rule
    begin(d, p)
    a = "39" + "000000000001"
    b = "38" + "000000000002"
    expect_ok(d.scan_item(a), a)
    expect_ok(d.scan_item(b), b)
    expect_refused(d.scan_item(item(1901)), "item 3... with item_prefixes = 39,38")
    expect_receipt(d.scan_item("FINISHED"), 2, "second done barcode")
    check_eq([(r["patron"], r["item"]) for r in t.journal()], [(p, a), (p, b)], "rows")


def test_patron_masked_in_log_everywhere(t):
    # Every path that touches a patron id, at debug level, in both modes.
    p = patron(20)
    conf = t.config({"log": {"level": "debug"}, "kiosk": {"require_pin": "yes"},
                     "offline": {"max_items": "1"}})
    d = t.start(conf)
    d.scan_patron(p)
    d.scan_patron(p)                      # same card again, PIN pending
    d.scan_patron(bad_check(p))           # misread card
    d.pin("4711")
    d.scan_item(item(2001))
    d.scan_item(item(2002))               # over the cap
    d.scan_patron(patron(21))             # another card mid-session
    d.scan_item(p)                        # card on the item scanner
    d.advance(60000)                      # timeout
    t.status()
    t.ctl("sessions")
    t.ctl("outbox", "--json")
    check_eq(d.stop(), 0, "exit status")
    d2 = t.start(t.config({"log": {"level": "debug"}, "kiosk": {"mode": "returns"}}))
    d2.scan_patron(p)
    d2.scan_item(p)
    d2.scan_item(item(2001))
    check_eq(d2.stop(), 0, "exit status")
    for dd in (d, d2):
        log = dd.log()
        for who in (p, patron(21), bad_check(p)):
            check(who[:13] not in log, "patron id %s (or its first 13 digits) in the log %s:\n%s"
                  % (who, dd.log_path, "\n".join(l for l in log.splitlines() if who[:13] in l)))
        check("4711" not in log, "the PIN in the log")
