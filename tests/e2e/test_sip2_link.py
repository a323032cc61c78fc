# SPDX-License-Identifier: GPL-2.0-or-later
"""
The SIP2 link as real servers behave, against the test ACS in its --no-dedup mode
(Koha's and Evergreen's SIP servers apply a message sent twice twice: a repeated
checkout renews, a repeated checkin is refused as not checked out):

- a checkout or checkin whose reply is late is never sent again: its outcome is
  verified, and it is applied exactly once;
- a patron waits at most [sip2] patron_wait, whatever timeout the ACS announces;
- the session does not time out while the ILS is answering, and Done pressed
  meanwhile waits for the answer, so the receipt lists every item;
- an idle connection the ACS closes is re-established without going offline;
- connection failures are logged once per cause.

Each test starts its own ACS and circd (real clock).
"""

import json
import os
import time

from harness import DONE, check, check_eq, displays, fmt_events
from sip2lib import (ADA, ITEM, acs_charge, acs_ok, answered, scan_until, sign_in, sip2_conf,
                     start_acs, start_online, wait_for, wait_online, wait_outbox_empty)

# A reply late enough to miss the ACS's own 2 s timeout (sip2lib's ACS_FAST).
LATE_MS = "3000"


def entries_for(acs, item):
    return [(e["kind"], e["via"], e["changed"], e["ok"]) for e in acs.log() if e["item"] == item]


def test_late_checkout_reply_is_verified_not_resent(t):
    acs = start_acs(t, "--no-dedup")
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    acs_ok(acs, "fault latency " + LATE_MS)
    ev = scan_until(d, "item_scanner", ITEM[1], answered, "checkout with a late reply")
    check(displays(ev, "ok"), "the patron was not served:%s" % fmt_events(ev))
    acs_ok(acs, "fault latency 0")
    rows = wait_outbox_empty(t)
    check_eq([(r["item"], r["state"]) for r in rows], [(ITEM[1], "confirmed")], "journal")
    check("reply lost" in rows[0]["evidence"] and "64" in rows[0]["evidence"],
          "not verified with 63/64: %r" % rows[0]["evidence"])
    # A resent 11 would have been applied again as a renewal, moving the due date.
    check_eq(entries_for(acs, ITEM[1]), [("checkout", "11", True, True)], "ACS log")
    check_eq(json.loads(acs.admin("stats"))["messages"].get("11"), 1, "11s the ACS got")
    check(t.status()["online"], "the link went down for a late reply")
    check_eq(t.status()["exceptions"], 0, "exceptions")


def test_late_checkin_reply_is_verified_not_resent(t):
    acs = start_acs(t, "--no-dedup")
    acs_charge(acs, [ITEM[2]], ADA)
    d = start_online(t, sip2_conf(t, acs, mode="returns"))
    acs_ok(acs, "fault latency " + LATE_MS)
    ev = scan_until(d, "item_scanner", ITEM[2], answered, "return with a late reply")
    check(displays(ev, "ok"), "the return was not accepted:%s" % fmt_events(ev))
    acs_ok(acs, "fault latency 0")
    rows = wait_outbox_empty(t)
    check_eq([(r["item"], r["state"]) for r in rows], [(ITEM[2], "confirmed")], "journal")
    # A resent 09 would be refused "not checked out": a false exception for staff.
    check_eq(entries_for(acs, ITEM[2]), [("checkin", "09", True, True)], "ACS log")
    check_eq(t.status()["exceptions"], 0, "exceptions")


def test_patron_wait_is_capped_whatever_the_acs_announces(t):
    # The ACS announces 60 s and 3 retries: the link keeps them, the patron does not.
    acs = start_acs(t, "--no-dedup", "--timeout-tenths", "600", "--retries", "3", fast=False)
    d = start_online(t, sip2_conf(t, acs, sip2={"patron_wait": "2"}))
    sign_in(d, ADA, "Ada Lovelace")
    acs_ok(acs, "fault latency 5000")
    ev = scan_until(d, "item_scanner", ITEM[3], answered, "checkout past the patron's wait")
    oks = [x.replace("\\n", "\n") for x in displays(ev, "ok")]
    check(oks and oks[-1].startswith("Checked out: %s" % ITEM[3]),
          "the patron was not served as offline:%s" % fmt_events(ev))
    check("did not answer within 2 s" in d.log(), "no log of the patron's wait cap")
    acs_ok(acs, "fault latency 0")
    rows = wait_outbox_empty(t, timeout=60)
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[3], "offline", "confirmed")], "journal")
    check_eq(entries_for(acs, ITEM[3]), [("checkout", "11", True, True)], "ACS log")


def test_session_waits_for_the_ils_and_the_receipt_lists_every_item(t):
    acs = start_acs(t, "--timeout-tenths", "600", "--retries", "1", fast=False)
    conf = sip2_conf(t, acs, over={"kiosk": {"session_timeout": "5"}})
    d = start_online(t, conf)
    sign_in(d, ADA, "Ada Lovelace")
    # Slower than the session timeout (within the default patron_wait, 8 s: either way
    # the item is the patron's and on the receipt).
    acs_ok(acs, "fault latency 6000")
    ev = d.scan_item(ITEM[4])
    # Done pressed while the ILS is still answering: it waits for the answer.
    ev += d.input("done_button", 1) + d.input("done_button", 0)
    ev = scan_until(d, "item_scanner", DONE, lambda e: e.startswith("display receipt "),
                    "the receipt after the slow checkout", timeout=40)
    acs_ok(acs, "fault latency 0")
    receipts = displays(ev, "receipt")
    check(receipts and "borrowed 1 item." in receipts[0] and ITEM[4] in receipts[0],
          "the receipt does not list the item:%s" % fmt_events(ev))
    check(not any("0 items" in x for x in receipts), "a receipt of 0 items:%s" % fmt_events(ev))
    check(not any(x.startswith("Session ended") for x in displays(ev, "info")),
          "the session timed out while the ILS answered:%s" % fmt_events(ev))
    check_eq(entries_for(acs, ITEM[4]), [("checkout", "11", True, True)], "ACS log")


def test_idle_connection_closed_by_the_acs_is_reopened_quietly(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    before = json.loads(acs.admin("stats"))
    acs_ok(acs, "restart")   # drops the connection, as a server's idle timeout does
    wait_for("a new connection", lambda: json.loads(acs.admin("stats"))["connections"]
             > before["connections"])
    ev = sign_in(d, ADA, "Ada Lovelace")
    ev += scan_until(d, "item_scanner", ITEM[5], answered, "checkout after the reconnect")
    check(not any("offline" in x for x in displays(ev)), "shown offline:%s" % fmt_events(ev))
    log = d.log()
    check("ILS link down" not in log, "the link was reported down:\n%s" % log[-2000:])
    check(t.status()["online"], "offline")
    check_eq(entries_for(acs, ITEM[5]), [("checkout", "11", True, True)], "ACS log")


def test_connection_failures_logged_once_per_cause(t):
    acs = start_acs(t, "--refuse", "--login", "kiosk:secret")
    conf = sip2_conf(t, acs, sip2={"reconnect_max": "1", "username": "kiosk",
                                   "password": "wrong"})
    os.chmod(conf, 0o600)
    d = t.start(conf, fake_clock=False)
    wait_for("three refused connections",
             lambda: json.loads(acs.admin("stats"))["refused"] >= 3)
    # The ACS's refusal reads as a FIN or a reset, alternately: each is logged once.
    lines = [x.split(" ", 1)[1] for x in d.log().splitlines()
             if "cannot connect to 127.0.0.1:%d" % acs.port in x]
    check(lines and len(lines) == len(set(lines)),
          "the same cause logged more than once:\n%s" % "\n".join(lines))
    # A new cause is logged again.
    acs_ok(acs, "fault refuse off")
    wait_for("the refused login logged", lambda: "refused the login" in d.log())
    time.sleep(0.5)
    check_eq(d.log().count("refused the login"), 1, "log lines for a refused login")


def welcome_notes(log):
    """The second line of each welcome screen circd showed, in order."""
    return [x.split("/", 1)[1] if "/" in x else "" for x in
            (line.split("display info: ", 1)[1] for line in log.splitlines()
             if "display info: Welcome!" in line)]


def test_start_says_connecting_until_the_first_attempt_is_answered(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    notes = welcome_notes(d.log())
    check(notes and notes[0] == "Connecting to the library system...",
          "the first welcome does not say connecting: %r" % notes)
    check(not any("offline" in n for n in notes), "offline shown while connecting: %r" % notes)
    d.stop()

    # An ILS that refuses: "connecting", then "offline" once the attempt has failed.
    acs_ok(acs, "fault refuse on")
    d = t.start(sip2_conf(t, acs, name="refused.conf"), fake_clock=False)
    wait_for("the offline welcome", lambda: any("offline" in n
                                                 for n in welcome_notes(d.log())))
    notes = welcome_notes(d.log())
    check_eq(notes[0], "Connecting to the library system...", "first welcome")
