# SPDX-License-Identifier: GPL-2.0-or-later
"""
The SIP2 link online, against the test ACS (tests/acs): patrons checked by the
ILS, checkouts, renewals and returns answered by it, refusals, holds and sort
bins, reconnection after an ACS restart, garbled replies (97), one request at a
time, the 93 login, the PIN, character sets and framing, an ACS that says it is
off-line, privacy.

Each test starts its own ACS and its own circd (real clock), and checks the
ACS's transaction log, the journal and the sim channel's events. Helpers are in
sip2lib.py; every test also checks that circd's log has no full patron id.
"""

import json
import os

from harness import SIM_BOARD, DONE, check, check_eq, displays, fmt_events, has_gpio
from sip2lib import (ADA, BLOCKED, ITEM, acs_load, acs_ok, answered, changed_entries, come_back,
                     go_offline, no_secrets_in_logs, scan_until, shown_date, sign_in, sip_date,
                     sip2_conf, start_acs, start_online, starts, until, wait_for, wait_online,
                     wait_outbox_empty, wait_purged)


def acs_stats(acs):
    return json.loads(acs.admin("stats"))


def item_display(ev, kind="ok"):
    texts = [x.replace("\\n", "\n") for x in displays(ev, kind)]
    check(texts, "expected a 'display %s'; got:%s" % (kind, fmt_events(ev)))
    return texts[-1]


def checkout_online(d, code, what=None):
    ev = scan_until(d, "item_scanner", code, answered, what or "checkout of %s" % code)
    return ev


def entry_summary(e):
    return (e["kind"], e["via"], e["patron"], e["item"], e["no_block"], e["ok"], e["changed"])


def test_online_checkout_renew_and_return(t):
    acs = start_acs(t)
    conf = sip2_conf(t, acs, sip2={"renew": "yes", "patron_message": "63"})
    d = start_online(t, conf)
    a = ITEM[1]
    title = "The Left Hand of Darkness"

    ev = sign_in(d, ADA, "Ada Lovelace")
    check("display info Checking your card..." in ev,
          "expected 'Checking your card...' before the greeting; got:%s" % fmt_events(ev))
    ev = checkout_online(d, a)
    log = acs.log()
    check_eq([entry_summary(e) for e in log], [("checkout", "11", ADA, a, False, True, True)],
             "ACS log after the checkout")
    due = log[0]["due"]
    # The ILS's "YYYYMMDD    HHMMSS" shown as a readable date.
    check_eq(item_display(ev), "Checked out: %s (%s)\nDue back %s" % (title, a, shown_date(due)),
             "checkout display")
    check(has_gpio(ev, "lamp_ok", 1), "no 'gpio lamp_ok 1' for the checkout:%s" % fmt_events(ev))
    ev = d.scan_item(DONE)
    check(displays(ev, "receipt"), "no receipt after Done:%s" % fmt_events(ev))

    # A new session: 63 lists the item as charged to Ada, so the scan renews it (29).
    sign_in(d, ADA, "Ada Lovelace")
    ev = checkout_online(d, a, "renewal of %s" % a)
    log = acs.log()
    check_eq([entry_summary(e) for e in log],
             [("checkout", "11", ADA, a, False, True, True),
              ("renew", "29", ADA, a, False, True, True)], "ACS log after the renewal")
    check(log[1]["due"] != due, "the renewal did not move the due date: %r" % log[1])
    check_eq(item_display(ev), "Renewed: %s (%s)\nDue back %s" % (title, a,
                                                                shown_date(log[1]["due"])),
             "renewal display")
    d.scan_item(DONE)

    rows = t.journal()
    check_eq([(r["kind"], r["item"], r["mode"], r["state"], r["evidence"]) for r in rows],
             [("checkout", a, "online", "confirmed", "12 ok=1"),
              ("renew", a, "online", "confirmed", "30 ok=1")], "journal after self-check")
    for r, e in zip(rows, log):
        check_eq(e["transaction_date"], sip_date(r["wall_ms"]),
                 "transaction date of seq %d" % r["seq"])
    check_eq(d.stop(), 0, "exit status")

    # The return, at a returns bin on the same store.
    d = start_online(t, sip2_conf(t, acs, mode="returns", name="returns.conf"))
    ev = scan_until(d, "item_scanner", a, answered, "return of %s" % a)
    text = item_display(ev)
    check(text.startswith("Returned: %s." % a), "return display: %r" % text)
    check(has_gpio(ev, "flap_unlock", 1), "no flap for the return:%s" % fmt_events(ev))
    log = acs.log()
    check_eq(len(log), 3, "ACS log entries after the return: %r" % log)
    check_eq((log[2]["kind"], log[2]["item"], log[2]["no_block"], log[2]["ok"],
              log[2]["changed"], log[2]["result"]),
             ("checkin", a, False, True, True, "discharged"), "the checkin")
    check_eq(acs.state()["items"][a]["charged_to"], None, "item charged after the return")
    rows = t.journal()
    check_eq((rows[2]["kind"], rows[2]["item"], rows[2]["mode"], rows[2]["state"]),
             ("checkin", a, "online", "confirmed"), "journal checkin row")
    check(rows[2]["evidence"].startswith("10 ok=1"), "checkin evidence %r" % rows[2]["evidence"])
    check_eq(t.status()["outbox"], 0, "outbox")
    no_secrets_in_logs(t)


def test_online_blocked_patron(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    ev = scan_until(d, "patron_reader", BLOCKED, starts("display error "), "blocked patron")
    text = item_display(ev, "error")
    check("card expired" in text, "the ILS's message is not shown: %r" % text)
    check(has_gpio(ev, "lamp_error", 1), "no 'gpio lamp_error 1':%s" % fmt_events(ev))
    check(not displays(ev, "ok") and not any(e.startswith("display info Hello") for e in ev),
          "a blocked patron was greeted:%s" % fmt_events(ev))
    ev = d.scan_item(ITEM[2])
    check(displays(ev, "error") and not displays(ev, "ok"),
          "an item after a refused card must be refused:%s" % fmt_events(ev))
    check_eq(acs.log(), [], "ACS transaction log")
    stats = acs.admin("stats")
    check('"11"' not in stats, "a checkout reached the ACS: %s" % stats)
    check_eq(t.journal(), [], "journal")

    # The refusal is remembered (salted hash only): offline, the card is refused too.
    go_offline(acs)
    wait_online(t, False)
    ev = d.scan_patron(BLOCKED)
    check(displays(ev, "error") and not any("Hello" in x for x in displays(ev)),
          "offline, a card the ILS refused must be refused:%s" % fmt_events(ev))
    check(BLOCKED.encode() not in t.store_bytes(), "the blocked patron's id is in the store")
    no_secrets_in_logs(t)


def test_online_checkin_hold_alert_and_sort_bin(t):
    acs = start_acs(t)
    st = acs.state()
    st["items"][ITEM[12]]["sort_bin"] = "3"   # a diverter the sim board has
    acs_load(acs, st)
    d = start_online(t, sip2_conf(t, acs, mode="returns"))

    ev = scan_until(d, "item_scanner", ITEM[12], answered, "return of the held item")
    text = item_display(ev)
    check(text.startswith("Returned: %s." % ITEM[12]), "display %r" % text)
    check("on hold for another patron" in text, "the hold is not mentioned: %r" % text)
    check(has_gpio(ev, "sort_bin_3", 1), "CL 3: expected 'gpio sort_bin_3 1':%s"
          % fmt_events(ev))
    check(not any(has_gpio(ev, "sort_bin_%d" % n, 1) for n in (1, 2, 4)),
          "another sort bin opened:%s" % fmt_events(ev))

    # In transit; its sort bin (TRANSIT) has no diverter: no sort output.
    ev = scan_until(d, "item_scanner", ITEM[14], answered, "return of the item in transit")
    text = item_display(ev)
    check("Westside Branch" in text, "the transit destination is not shown: %r" % text)
    check(not any(e.startswith("gpio sort_bin_") for e in ev),
          "a sort bin for a bin the board does not have:%s" % fmt_events(ev))

    log = acs.log()
    check_eq([(e["kind"], e["item"], e["alert_type"], e["no_block"]) for e in log],
             [("checkin", ITEM[12], "01", False), ("checkin", ITEM[14], "04", False)],
             "ACS log")
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[12], "online", "confirmed"), (ITEM[14], "online", "confirmed")], "journal")


def test_online_acs_restart_reconnects(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    ev = checkout_online(d, ITEM[1])
    check(displays(ev, "ok"), "first checkout:%s" % fmt_events(ev))
    acs_ok(acs, "restart")
    wait_for("a second connection to the ACS",
             lambda: acs_stats(acs)["connections"] >= 2)
    wait_online(t)
    ev = checkout_online(d, ITEM[2], "checkout after the ACS restart")
    text = item_display(ev)
    check(text.startswith("Checked out: A Wizard of Earthsea (%s)" % ITEM[2]),
          "display after the restart: %r" % text)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["no_block"], e["changed"]) for e in log],
             [("checkout", ITEM[1], False, True), ("checkout", ITEM[2], False, True)],
             "ACS log")
    check(log[0]["conn"] != log[1]["conn"], "both checkouts on one connection: %r" % log)
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[1], "online", "confirmed"), (ITEM[2], "online", "confirmed")], "journal")

    # The ACS process itself stops (connection refused while it is away) and starts
    # again on the same port, with its state.
    acs.stop()
    wait_online(t, False)
    ev = d.scan_item(ITEM[3])
    check(displays(ev, "ok"), "offline checkout while the ACS is away:%s" % fmt_events(ev))
    st = t.status()
    check(st["ils_error"], "no ils_error while the ACS is away: %r" % st)
    acs.args += ["--port", str(acs.port)]
    acs.start()
    wait_online(t)
    rows = wait_outbox_empty(t)
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows][2],
             (ITEM[3], "offline", "confirmed"), "the checkout made while the ACS was away")
    log = acs.log()
    check_eq([(e["item"], e["no_block"]) for e in log],
             [(ITEM[1], False), (ITEM[2], False), (ITEM[3], True)], "ACS log after its restart")


def test_online_garbled_reply_asks_again(t):
    acs = start_acs(t)
    # No heartbeat in the way: the one faulty reply is the checkout's.
    d = start_online(t, sip2_conf(t, acs, sip2={"heartbeat": "600"}))
    sign_in(d, ADA, "Ada Lovelace")
    done = []
    for n, fault in ((3, "garbage 1"), (4, "bad-checksum 1"), (5, "garbage 1")):
        if n == 5:
            # Some servers answer 97 with the reply re-encoded under a new sequence number.
            acs_ok(acs, "set resend-mode recompute")
        before = acs_stats(acs)["messages"].get("97", 0)
        acs_ok(acs, "fault " + fault)
        ev = checkout_online(d, ITEM[n], "checkout with fault %s" % fault)
        text = item_display(ev)
        check(text.startswith("Checked out: ") and ITEM[n] in text,
              "fault %s: display %r" % (fault, text))
        stats = acs_stats(acs)
        check(stats["messages"].get("97", 0) > before,
              "fault %s: circd did not ask again with 97: %r" % (fault, stats))
        check_eq(json.loads(acs.admin("faults"))[fault.split()[0].replace("-", "_")], 0,
                 "fault %s used up" % fault)
        done.append(ITEM[n])
        log = acs.log()
        check_eq([(e["kind"], e["item"]) for e in log], [("checkout", i) for i in done],
                 "ACS log after fault %s" % fault)
        check_eq(len(changed_entries(log, ITEM[n])), 1, "changes of %s" % ITEM[n])
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(i, "online", "confirmed") for i in done], "journal")
    check(t.status()["online"], "the link went down over a garbled reply")


def test_online_pin_checked_by_the_ils(t):
    pin = "947361"
    acs = start_acs(t)
    st = acs.state()
    st["patrons"][ADA]["pin"] = pin
    acs_load(acs, st)
    d = start_online(t, sip2_conf(t, acs, over={"kiosk": {"require_pin": "yes"}}))
    ev = d.scan_patron(ADA)
    check(any("PIN" in x for x in displays(ev, "info")), "no PIN prompt:%s" % fmt_events(ev))
    ev = until(d, d.sim.cmd("pin 000000")[0], starts("display error "), "wrong PIN")
    check("PIN was not correct" in item_display(ev, "error"), "wrong PIN:%s" % fmt_events(ev))
    ev = until(d, d.sim.cmd("pin " + pin)[0], starts("display info Hello, Ada Lovelace!"),
               "right PIN")
    ev = checkout_online(d, ITEM[7])
    check(displays(ev, "ok"), "checkout after the PIN:%s" % fmt_events(ev))
    d.scan_item(DONE)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["ok"]) for e in log], [("checkout", ITEM[7], True)],
             "ACS log")
    check(pin.encode() not in t.store_bytes(), "the PIN is in the store")
    check(pin not in d.log(), "the PIN is in circd's log")
    no_secrets_in_logs(t, (ADA, pin))


def test_online_privacy_purge_and_masked_outbox(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    checkout_online(d, ITEM[5])
    rows = t.journal()
    check_eq((rows[0]["state"], rows[0]["mode"]), ("confirmed", "online"), "online row")
    ev = d.scan_item(DONE)
    check(displays(ev, "receipt"), "receipt:%s" % fmt_events(ev))
    rows = t.journal()
    check_eq((rows[0]["patron"], rows[0]["purged"]), ("", 1),
             "patron and purged after the session ended")

    # Offline: the store keeps the patron until the ILS has the loan; circctl masks it.
    go_offline(acs)
    wait_online(t, False)
    ev = d.scan_patron(ADA)
    check(any("offline" in x for x in displays(ev, "info")), "offline greeting:%s"
          % fmt_events(ev))
    ev = d.scan_item(ITEM[6])
    check(displays(ev, "ok"), "offline checkout:%s" % fmt_events(ev))
    d.scan_item(DONE)
    rows = t.journal()
    check_eq((rows[1]["patron"], rows[1]["mode"], rows[1]["state"]), (ADA, "offline", "pending"),
             "offline row")
    out = t.ctl("outbox").stdout
    js = t.ctl("outbox", "--json").stdout
    for o in (out, js):
        check(ADA not in o, "circctl outbox shows the full patron id:\n%s" % o)
        check("***0018" in o, "circctl outbox does not show the masked patron:\n%s" % o)
        check(ITEM[6] in o, "circctl outbox does not list the item:\n%s" % o)
    come_back(acs)
    wait_outbox_empty(t)
    rows = wait_purged(t)
    check_eq([(r["item"], r["state"], r["patron"], r["purged"]) for r in rows],
             [(ITEM[5], "confirmed", "", 1), (ITEM[6], "confirmed", "", 1)],
             "journal after forwarding")
    check(ADA not in t.ctl("outbox").stdout, "outbox after forwarding")
    no_secrets_in_logs(t)


def test_online_scan_while_waiting_is_asked_to_wait(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    acs_ok(acs, "fault latency 400")
    first = d.scan_item(ITEM[1])
    ev = d.scan_item(ITEM[2])
    check(any("One moment" in x for x in displays(ev, "notice")) and not displays(ev, "ok"),
          "a scan while a request is in flight: expected 'display notice One moment, "
          "please...'; got:%s" % fmt_events(ev))
    ev = until(d, first + ev, answered, "the first checkout's answer")
    check(any(ITEM[1] in x for x in displays(ev, "ok")), "first checkout:%s" % fmt_events(ev))
    acs_ok(acs, "fault latency 0")
    check_eq([(e["kind"], e["item"]) for e in acs.log()], [("checkout", ITEM[1])],
             "ACS log: the scan made while waiting is not queued")
    check_eq([r["item"] for r in t.journal()], [ITEM[1]], "journal")


def test_online_login_93(t):
    secret = "s3cr3t-Pw-8841"
    acs = start_acs(t, "--login", "kiosk7:" + secret)
    conf = sip2_conf(t, acs, sip2={"username": "kiosk7", "password": secret})
    os.chmod(conf, 0o644)
    r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD, "--check-config"])
    check_eq(r.returncode, 2, "a readable config with a password: exit status")
    check("600" in r.stderr or "readable" in r.stderr or "permission" in r.stderr.lower(),
          "the refusal does not say why: %r" % r.stderr)
    check(secret not in r.stdout + r.stderr, "the password is printed")
    os.chmod(conf, 0o600)
    d = start_online(t, conf)
    stats = acs_stats(acs)
    check_eq(stats["messages"].get("93"), 1, "93 logins")
    sign_in(d, ADA, "Ada Lovelace")
    ev = scan_until(d, "item_scanner", ITEM[9], answered, "checkout after the login")
    check(displays(ev, "ok"), "checkout after the login:%s" % fmt_events(ev))
    check(secret not in d.log(), "the SIP2 password is in circd's log")
    check_eq(d.stop(), 0, "exit status")

    # A wrong password: the ACS answers 940 and circd stays offline, saying why.
    bad = sip2_conf(t, acs, sip2={"username": "kiosk7", "password": "wrong"}, name="bad.conf")
    os.chmod(bad, 0o600)
    d = t.start(bad, fake_clock=False)
    st = wait_for("ils_error about the login",
                  lambda: (lambda s: s if "login" in (s["ils_error"] or "") else None)(
                      t.status()))
    check(not st["online"], "online with a wrong password: %r" % st)
    check_eq(len(acs.log()), 1, "ACS log")


def test_online_charset_and_framing_quirks(t):
    # UTF-8 with CR LF and no AY/AZ at all.
    acs = start_acs(t, "--charset", "utf-8", "--terminator", "crlf", "--no-error-detection")
    d = start_online(t, sip2_conf(t, acs, sip2={"charset": "utf-8", "terminator": "crlf",
                                                "error_detection": "no"}))
    sign_in(d, "21234000000059", "Jürgen Müller")
    ev = scan_until(d, "item_scanner", ITEM[3], answered, "checkout, utf-8")
    check_eq(item_display(ev).split("\n")[0],
             "Checked out: Schöne Grüße aus Köln (%s)" % ITEM[3], "utf-8 title")
    check_eq(d.stop(), 0, "exit status")

    # IBM850 (cp850), as some older ILSs speak it.
    acs2 = start_acs(t, "--charset", "cp850")
    d = start_online(t, sip2_conf(t, acs2, sip2={"charset": "ibm850"}, name="cp850.conf"))
    sign_in(d, "21234000000059", "Jürgen Müller")
    ev = scan_until(d, "item_scanner", ITEM[4], answered, "checkout, cp850")
    check_eq(item_display(ev).split("\n")[0], "Checked out: Les Misérables (%s)" % ITEM[4],
             "cp850 title")
    check_eq([(e["item"], e["changed"]) for e in acs2.log()], [(ITEM[4], True)], "ACS log")


def test_online_refusal_shown_and_not_exported(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    ev = scan_until(d, "item_scanner", ITEM[15], answered, "checkout of an item lent to Alan")
    text = item_display(ev, "error")
    check("checked out to another patron" in text, "the ILS's refusal is not shown: %r" % text)
    check(not displays(ev, "ok"), "a refused checkout got ok feedback:%s" % fmt_events(ev))
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[15], "online", "failed")], "journal")
    check_eq(acs.state()["items"][ITEM[15]]["charged_to"], "21234000000042", "still Alan's")
    check_eq(t.status()["outbox"], 0, "outbox")
    # The patron was told no and the ILS said no: a .koc for manual upload must not
    # lend the item after all.
    koc = t.ctl("export-koc").stdout
    check(ITEM[15] not in koc, "export-koc lists a checkout the ILS refused online "
          "(uploading it would lend the item anyway):\n%s" % koc)


def test_online_acs_saying_offline_is_not_used_live(t):
    """98 with on-line status N: the ACS says it cannot circulate now (SIP2 2.00, the
    ACS status message). The kiosk should work offline rather than send live 11s."""
    acs = start_acs(t, "--offline")
    d = t.start(sip2_conf(t, acs), fake_clock=False)
    wait_for("a 98 from the ACS", lambda: acs_stats(acs)["messages"].get("99", 0) >= 1)
    ev = d.scan_patron(ADA)
    ev = until(d, ev, starts("display info Hello"), "sign-in while the ACS is off-line")
    ev = scan_until(d, "item_scanner", ITEM[1], answered, "checkout while the ACS is off-line")
    live = [e for e in acs.log() if not e["no_block"]]
    check(not live, "circd sent live transactions to an ACS whose 98 says on-line N: %r; "
          "status %r" % ([(e["kind"], e["item"]) for e in live], t.status()))
    check(displays(ev, "ok"), "the checkout must be served offline:%s" % fmt_events(ev))
    st = t.status()
    check(not st["online"], "status online while the ACS says off-line: %r" % st)
    # On-line again: noticed at the next 98 (heartbeat 5 s), then the queue goes out.
    acs_ok(acs, "set online yes")
    wait_online(t)
    rows = wait_outbox_empty(t)
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[1], "offline", "confirmed")], "journal")
    check_eq([(e["item"], e["no_block"], e["changed"]) for e in acs.log()],
             [(ITEM[1], True, True)], "ACS log")
