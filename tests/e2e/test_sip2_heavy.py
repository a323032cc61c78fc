# SPDX-License-Identifier: GPL-2.0-or-later
"""
Forwarding when the ILS's answers are big or say more than OK: a patron with
3,000 loans whose offline checkout's reply is lost is verified page by page
(63 with BP/BQ), not in one reply the link cannot take, and everything behind
it is forwarded; what the ILS said with an accepted checkout (AF) is kept in
the journal and shown to staff, as is what it said to an online one.
"""

import json

from harness import DONE, check, check_eq, displays, fmt_events
from sip2lib import (ADA, ALAN, ITEM, acs_charge, acs_ok, answered, auto_item, come_back,
                     scan_until, sign_in, sip2_conf, start_acs, start_online, wait_outbox_empty)

HEAVY_LOANS = 3000


def offline_session(d, patron, items):
    ev = d.scan_patron(patron)
    check(any("offline" in x for x in displays(ev, "info")),
          "patron %s: expected the offline greeting; got:%s" % (patron[-4:], fmt_events(ev)))
    for code in items:
        ev = d.scan_item(code)
        check(any(code in x for x in displays(ev, "ok")),
              "offline checkout of %s: expected 'display ok'; got:%s" % (code, fmt_events(ev)))
    ev = d.scan_item(DONE)
    check(displays(ev, "receipt"), "no receipt:%s" % fmt_events(ev))


def test_heavy_borrower_lost_reply_verified_by_pages(t):
    acs = start_acs(t, "--refuse", "--repeat-checkout-renews")
    acs_charge(acs, [auto_item(500000 + n) for n in range(HEAVY_LOANS)], ADA)
    d = t.start(sip2_conf(t, acs), fake_clock=False)
    check(not t.status()["online"], "online although the ACS refuses")
    offline_session(d, ADA, [ITEM[1]])
    offline_session(d, ALAN, [ITEM[2], ITEM[3]])
    acs_ok(acs, "fault drop-reply on")   # Ada's 11 is applied, its reply never sent
    come_back(acs)
    rows = wait_outbox_empty(t, timeout=120)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["changed"], e["reply_dropped"]) for e in log],
             [("checkout", ITEM[1], True, True), ("checkout", ITEM[2], True, False),
              ("checkout", ITEM[3], True, False)],
             "ACS log: each checkout once (a second 11 of item 1 would be a renewal)")
    check_eq([r["state"] for r in rows], ["confirmed"] * 3, "journal states")
    check("reply lost" in rows[0]["evidence"] and "64" in rows[0]["evidence"],
          "evidence of the verified checkout: %r" % rows[0]["evidence"])
    check_eq(rows[0]["verifications"], 1, "verifications of the lost reply's checkout")
    pages = json.loads(acs.admin("stats"))["messages"].get("63", 0)
    # Ada's loan is her 3,001st: found on the 94th page of 32.
    check(pages >= (HEAVY_LOANS + 1 + 31) // 32,
          "the charged items were not paged through: %d 63s" % pages)
    check(t.status()["online"], "the link went down over the big list")


def test_accepted_with_a_message_kept_and_shown(t):
    acs = start_acs(t, "--refuse")
    acs_charge(acs, [ITEM[4]], ALAN)      # the ILS still has it out to Alan
    d = t.start(sip2_conf(t, acs), fake_clock=False)
    offline_session(d, ADA, [ITEM[4], ITEM[5]])
    come_back(acs)
    rows = wait_outbox_empty(t)
    check_eq([r["state"] for r in rows], ["confirmed", "confirmed"], "journal states")
    check_eq(rows[0]["screen_msg"],
             "Offline checkout accepted; item was charged to another patron",
             "the ILS's screen message in the journal")
    check_eq(rows[1]["screen_msg"], "", "no message, nothing kept")
    st = json.loads(t.ctl("--json", "status").stdout)
    check("charged to another patron" in (st.get("forwarded_ils_message") or ""),
          "circctl status: %r" % st)
    text = t.ctl("status").stdout
    check("charged to another patron" in text, "circctl status text:\n%s" % text)


def test_online_refusal_keeps_the_ils_words(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    ev = scan_until(d, "item_scanner", ITEM[15], answered, "checkout of an item on loan")
    check(displays(ev, "error"), "refused online:%s" % fmt_events(ev))
    row = t.journal()[0]
    check_eq((row["mode"], row["state"]), ("online", "failed"), "journal")
    check_eq(row["screen_msg"], "Item checked out to another patron",
             "the ILS's screen message of an online answer")
