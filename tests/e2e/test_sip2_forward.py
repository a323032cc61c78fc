# SPDX-License-Identifier: GPL-2.0-or-later
"""
Outages and store-and-forward against the test ACS (tests/acs): what is recorded
while the library system is unreachable reaches it later, by itself, exactly
once, in order, with the original dates; a request the ACS does not answer is
served offline; lost replies are verified, not resent; refusals become
exceptions for staff without stalling the queue; a kill -9 mid-way changes
nothing; an untrusted clock is corrected from the ACS's; staff can export what
the ILS has not got; a silent ACS is noticed; reconnection backs off, and
circctl sync cuts the wait.

E2E_SEED repeats the kill test's random moments.
"""

import collections
import csv
import io
import json
import os
import random
import sys
import time

from harness import DAY_MS, DONE, Failure, check, check_eq, displays, end_of_day_ms, fmt_events
from sip2lib import (ADA, ALAN, BLOCKED, ITEM, WAIT, acs_charge, acs_ok,
                     advance_while_disconnected, answered, auto_item, changed_entries, come_back,
                     go_offline, no_secrets_in_logs, scan_until, sign_in, sip2_conf, sip_date,
                     start_acs, start_online, starts, wait_for, wait_online, wait_outbox_empty,
                     wait_purged)


def offline_session(d, patron, items):
    """A self-check session while the ILS is unreachable: every item accepted at once."""
    ev = d.scan_patron(patron)
    check(any("offline" in x for x in displays(ev, "info")),
          "patron %s: expected the offline greeting; got:%s" % (patron[-4:], fmt_events(ev)))
    for code in items:
        ev = d.scan_item(code)
        check(any(code in x for x in displays(ev, "ok")),
              "offline checkout of %s: expected 'display ok'; got:%s" % (code, fmt_events(ev)))
    ev = d.scan_item(DONE)
    check(displays(ev, "receipt"), "no receipt:%s" % fmt_events(ev))


def offline_returns(d, items):
    for code in items:
        ev = d.scan_item(code)
        check(any(code in x for x in displays(ev, "ok")),
              "offline return of %s: expected 'display ok'; got:%s" % (code, fmt_events(ev)))


def start_offline(t, conf, **kw):
    """circd with the ACS refusing: up, but never online."""
    d = t.start(conf, fake_clock=False, **kw)
    st = t.status()
    check(not st["online"], "online although the ACS refuses: %r" % st)
    return d


def koc_time(wall_ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall_ms // 1000)) + \
        " %03d" % (wall_ms % 1000)


def seed_for(t, name):
    seed = int(os.environ.get("E2E_SEED") or random.SystemRandom().randrange(1 << 32))
    print("%s: seed %d (E2E_SEED=%d to repeat)" % (name, seed, seed), file=sys.stderr,
          flush=True)
    t.note("seed %d" % seed)
    return random.Random(seed)


def check_forwarded_as_recorded(rows, log, what):
    """Exactly once and in journal order: the ACS's log is the journal, entry for row,
    each with no block and the row's original date."""
    check_eq(len(log), len(rows), "%s: ACS log entries (one per journal row)" % what)
    check_eq([(e["kind"], e["item"]) for e in log], [(r["kind"], r["item"]) for r in rows],
             "%s: ACS log order vs journal seq order" % what)
    for r, e in zip(rows, log):
        check(e["no_block"] is True, "%s: seq %d sent without no block: %r" % (what, r["seq"], e))
        check_eq(e["transaction_date"], sip_date(r["wall_ms"]),
                 "%s: transaction date of seq %d (%s)" % (what, r["seq"], r["item"]))
        if r["kind"] == "checkin":
            check_eq(e["return_date"], sip_date(r["wall_ms"]),
                     "%s: return date of seq %d" % (what, r["seq"]))
        if r["kind"] == "checkout":
            check_eq(e["nb_due_date"], sip_date(r["due_ms"]),
                     "%s: nb due date of seq %d" % (what, r["seq"]))


# ------------------------------------------------------------------------ tests

def test_outage_mid_session_then_forwarded(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    sign_in(d, ADA, "Ada Lovelace")
    ev = scan_until(d, "item_scanner", ITEM[1], answered, "online checkout")
    check(displays(ev, "ok"), "online checkout:%s" % fmt_events(ev))

    go_offline(acs)
    ev = d.sim.wait_event(lambda e: e.startswith("display notice") and "offline" in e, WAIT)
    st = wait_online(t, False)
    check_eq(st["ils"], "down", "status ils")
    check(st["ils_error"], "status ils_error empty while down: %r" % st)

    offline = [ITEM[2], ITEM[3]]
    for code in offline:
        ev = d.scan_item(code)
        oks = [x.replace("\\n", "\n") for x in displays(ev, "ok")]
        check(oks and oks[0].startswith("Checked out: %s" % code) and "Due back" in oks[0],
              "offline checkout of %s:%s" % (code, fmt_events(ev)))
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"], r["patron"]) for r in rows],
             [(ITEM[1], "online", "confirmed", ADA)] +
             [(c, "offline", "pending", ADA) for c in offline], "journal while offline")
    for r in rows[1:]:
        # The stamp may come from the ILS's clock (1 s resolution) when the system clock
        # is not NTP-synced, the due date from the system clock: the end of that day, or
        # of the next if the two straddle midnight.
        check(r["due_ms"] in [end_of_day_ms(r["wall_ms"] + 14 * DAY_MS + d) for d in (-2000, 2000)],
              "offline due date of %s: %d, recorded at %d" % (r["item"], r["due_ms"],
                                                             r["wall_ms"]))
    check_eq(t.status()["outbox"], 2, "status outbox while offline")
    check_eq(len(acs.log()), 1, "ACS log while offline")

    come_back(acs)
    rows = wait_outbox_empty(t)
    log = acs.log()
    check_eq(log[0]["no_block"], False, "the online checkout's no block")
    check_forwarded_as_recorded(rows[1:], log[1:], "forwarded")
    for r, e in zip(rows[1:], log[1:]):
        check_eq((r["state"], r["mode"], r["evidence"]), ("confirmed", "offline", "12 ok=1"),
                 "forwarded row %s" % r["item"])
        check_eq((e["patron"], e["ok"], e["changed"]), (ADA, True, True), "ACS entry %r" % e)
    st = acs.state()
    for code in offline:
        check_eq(st["items"][code]["charged_to"], ADA, "ACS: %s charged to" % code)

    # The session goes on online.
    wait_online(t)
    ev = scan_until(d, "item_scanner", ITEM[4], answered, "checkout after the outage")
    check(displays(ev, "ok"), "checkout after the outage:%s" % fmt_events(ev))
    check_eq(acs.log()[-1]["no_block"], False, "online again: no block")
    ev = d.scan_item(DONE)
    check(any("4 items" in x for x in displays(ev, "receipt")), "receipt:%s" % fmt_events(ev))
    no_secrets_in_logs(t)


def test_live_request_unanswered_goes_offline(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs))
    # The card check gets no answer: the patron goes on offline.
    acs_ok(acs, "fault stall on")
    ev = scan_until(d, "patron_reader", ADA, starts("display info Hello"),
                    "sign-in while the ACS stalls")
    greeting = [x for x in displays(ev, "info") if x.startswith("Hello")][-1]
    check("offline" in greeting, "the greeting does not say offline: %r" % greeting)
    acs_ok(acs, "fault stall off")
    wait_online(t)
    check_eq(acs.log(), [], "ACS log")

    # A checkout gets no answer: served offline too.
    acs_ok(acs, "fault stall on")
    # 11, no reply in 2 s: never sent again (the ACS may have applied it), the patron is
    # served offline; the 99 that follows it gets no answer either: the link is given up.
    ev = scan_until(d, "item_scanner", ITEM[8], answered, "checkout while the ACS stalls")
    oks = [x.replace("\\n", "\n") for x in displays(ev, "ok")]
    check(oks and oks[0].startswith("Checked out: %s" % ITEM[8]),
          "a stalled checkout must be served offline:%s" % fmt_events(ev))
    rows = t.journal()
    check_eq([(r["item"], r["mode"], r["state"]) for r in rows],
             [(ITEM[8], "offline", "forwarded")], "journal after the demotion")
    check_eq(rows[0]["due_ms"] > rows[0]["wall_ms"], True, "an offline due date was set")
    check_eq(acs.log(), [], "a stalled request must not be applied")
    wait_online(t, False)
    check_eq(acs.stderr(tail=None).count(" <- 11"), 1, "11s the ACS got")

    acs_ok(acs, "fault stall off")
    rows = wait_outbox_empty(t)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["no_block"], e["changed"]) for e in log],
             [("checkout", ITEM[8], True, True)], "ACS log: verified, then sent once")
    check_eq(log[0]["transaction_date"], sip_date(rows[0]["wall_ms"]), "original date")
    check_eq(log[0]["nb_due_date"], sip_date(rows[0]["due_ms"]), "the offline due date")
    check_eq((rows[0]["state"], rows[0]["attempts"]), ("confirmed", 2), "row after forwarding")
    stats = json.loads(acs.admin("stats"))
    check(stats["messages"].get("63", 0) >= 1,
          "the unanswered checkout was not verified with 63 first: %r" % stats)


def test_500_offline_transactions_forwarded_once_in_order(t):
    acs = start_acs(t, "--refuse")
    out = [auto_item(700001 + i) for i in range(3)]
    d = start_offline(t, sip2_conf(t, acs))
    offline_session(d, ADA, out)
    check_eq(d.stop(), 0, "exit status")

    # 500 returns: the first of the items just lent, and 499 the ACS has charged to Alan
    # (so each return changes something there).
    charged = [auto_item(710001 + i) for i in range(499)]
    acs_charge(acs, charged, ALAN)
    d = start_offline(t, sip2_conf(t, acs, mode="returns", name="returns.conf"))
    started = time.monotonic()
    offline_returns(d, [out[0]] + charged)
    t.note("500 offline returns took %.1fs" % (time.monotonic() - started))
    rows = t.journal()
    check_eq(len(rows), 503, "journal rows")
    check_eq(t.status()["outbox"], 503, "status outbox")

    started = time.monotonic()
    come_back(acs)
    wait_for("forwarding under way", lambda: len(acs.log()) >= 20, interval=0.005)
    # A patron at the bin meanwhile goes first (live lane), not after the backlog.
    live = ITEM[10]
    t0 = time.monotonic()
    ev = scan_until(d, "item_scanner", live, answered, "an online return during forwarding")
    took = time.monotonic() - t0
    backlog = t.status()["outbox"]
    t.note("online return during forwarding answered in %.3fs, %d still queued"
           % (took, backlog))
    check(any(live in x for x in displays(ev, "ok")), "online return:%s" % fmt_events(ev))
    check(backlog > 0 or took < 1.0, "the live return waited for the backlog (%.1fs)" % took)
    rows = wait_outbox_empty(t, timeout=120 if WAIT > 15 else 60)
    t.note("forwarding 503 took %.1fs" % (time.monotonic() - started))
    bad = [(r["seq"], r["state"], r["evidence"]) for r in rows if r["state"] != "confirmed"]
    check(not bad, "rows not confirmed: %r" % bad[:10])
    full_log = acs.log()
    lives = [r for r in rows if r["item"] == live]
    check_eq([(r["mode"], r["state"]) for r in lives], [("online", "confirmed")],
             "the online return")
    check_eq([(e["item"], e["no_block"]) for e in full_log if e["item"] == live],
             [(live, False)], "the online return in the ACS log")
    rows = [r for r in rows if r["item"] != live]
    log = [e for e in full_log if e["item"] != live]
    check_forwarded_as_recorded(rows, log, "503 forwarded")
    per_item = collections.Counter((e["kind"], e["item"]) for e in changed_entries(log))
    check(all(n == 1 for n in per_item.values()) and len(per_item) == 503,
          "not exactly one change per transaction: %r"
          % [k for k, n in per_item.items() if n != 1][:10])
    check(all(e["ok"] and e["changed"] for e in log), "refused or unchanged entries: %r"
          % [e for e in log if not (e["ok"] and e["changed"])][:5])
    check_eq([e["seq"] for e in full_log], sorted(e["seq"] for e in full_log),
             "ACS applied order")
    st = acs.state()
    check_eq([st["items"][c]["charged_to"] for c in out], [None, ADA, ADA],
             "ACS: the lent items after forwarding")
    check(all(st["items"][c]["charged_to"] is None for c in charged),
          "ACS: returned items still charged")
    wait_purged(t)
    st = t.status()
    check_eq((st["outbox"], st["exceptions"]), (0, 0), "status after forwarding")


def test_lost_checkout_reply_verified_not_resent(t):
    acs = start_acs(t, "--refuse", "--repeat-checkout-renews")
    d = start_offline(t, sip2_conf(t, acs))
    offline_session(d, ADA, [ITEM[1], ITEM[2]])
    acs_ok(acs, "fault drop-reply on")   # the first 11 is applied, its reply never sent
    come_back(acs)
    rows = wait_outbox_empty(t)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["changed"], e["reply_dropped"]) for e in log],
             [("checkout", ITEM[1], True, True), ("checkout", ITEM[2], True, False)],
             "ACS log (a second 11 of item 1 would show as a renewal)")
    check(not [e for e in log if e["kind"] == "renew"], "a renewal: %r" % log)
    r1, r2 = rows
    check_eq((r1["state"], r2["state"]), ("confirmed", "confirmed"), "states")
    check("reply lost" in r1["evidence"] and "64" in r1["evidence"],
          "evidence of the lost reply does not mention the 63/64 check: %r" % r1["evidence"])
    check_eq(r2["evidence"], "12 ok=1", "evidence of the second")
    check_eq(r1["attempts"], 1, "attempts of the verified transaction")
    check(json.loads(acs.admin("stats"))["messages"].get("63", 0) >= 1, "no 63 sent")


def test_lost_checkin_reply_verified_not_resent(t):
    acs = start_acs(t, "--refuse")
    d = start_offline(t, sip2_conf(t, acs, mode="returns"))
    offline_returns(d, [ITEM[15], ITEM[10]])     # charged to Alan and to Grace
    acs_ok(acs, "fault drop-reply on")
    come_back(acs)
    rows = wait_outbox_empty(t)
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["changed"], e["reply_dropped"]) for e in log],
             [("checkin", ITEM[15], True, True), ("checkin", ITEM[10], True, False)],
             "ACS log: every return once")
    r1, r2 = rows
    check_eq((r1["state"], r2["state"]), ("confirmed", "confirmed"), "states")
    check("reply lost" in r1["evidence"] and "18" in r1["evidence"],
          "evidence of the lost reply does not mention the 17/18 check: %r" % r1["evidence"])
    check(r2["evidence"].startswith("10 ok=1"), "evidence of the second: %r" % r2["evidence"])
    check(json.loads(acs.admin("stats"))["messages"].get("17", 0) >= 1, "no 17 sent")


def test_refusals_become_exceptions_queue_drains(t):
    acs = start_acs(t, "--refuse", "--ignore-no-block")
    d = start_offline(t, sip2_conf(t, acs))
    offline_session(d, BLOCKED, [ITEM[1]])
    offline_session(d, ADA, [ITEM[15], ITEM[2]])  # 15 is on loan to Alan
    come_back(acs)
    rows = wait_outbox_empty(t)
    check_eq([(r["item"], r["state"]) for r in rows],
             [(ITEM[1], "conflict"), (ITEM[15], "conflict"), (ITEM[2], "confirmed")],
             "journal: the refusals did not stall the queue")
    log = acs.log()
    check_eq([(e["item"], e["no_block"], e["ok"]) for e in log],
             [(ITEM[1], True, False), (ITEM[15], True, False), (ITEM[2], True, True)],
             "ACS log")
    conflicts = t.query("SELECT c.*, j.item FROM conflicts c JOIN journal j ON j.id = c.txn_id"
                        " ORDER BY c.id")
    check_eq([(c["item"], c["category"]) for c in conflicts],
             [(ITEM[1], "patron-blocked"), (ITEM[15], "on-loan-to-other")], "conflicts")
    check("card expired" in conflicts[0]["message"], "message %r" % conflicts[0]["message"])
    check("another patron" in conflicts[1]["message"], "message %r" % conflicts[1]["message"])
    check_eq(t.status()["exceptions"], 2, "status exceptions")

    text = t.ctl("exceptions").stdout
    js = t.ctl("--json", "exceptions").stdout
    csv_text = t.ctl("exceptions", "--csv").stdout
    for what, o in (("text", text), ("json", js), ("csv", csv_text)):
        for p in (ADA, BLOCKED):
            check(p not in o, "circctl exceptions (%s) shows a full patron id:\n%s" % (what, o))
        for s in (ITEM[1], ITEM[15], "***0026", "***0018", "patron-blocked", "on-loan-to-other"):
            check(s in o, "circctl exceptions (%s) lacks %r:\n%s" % (what, s, o))
        check(ITEM[2] not in o, "circctl exceptions (%s) lists the accepted one:\n%s" % (what, o))
    xs = json.loads(js)["exceptions"]
    check_eq([(x["item"], x["category"], x["resolved"]) for x in xs],
             [(ITEM[1], "patron-blocked", False), (ITEM[15], "on-loan-to-other", False)],
             "circctl --json exceptions")
    table = list(csv.reader(io.StringIO(csv_text)))
    check_eq(table[0], ["id", "when", "kind", "item", "patron", "category", "message",
                        "resolution", "ils_screen", "ils_print"], "CSV header")
    check("another patron" in table[2][8], "CSV: the ILS's screen message %r" % table[2])
    check("another patron" in xs[1]["screen_msg"], "JSON: the ILS's screen message %r" % xs[1])
    check_eq([(r[3], r[4], r[5], r[7]) for r in table[1:]],
             [(ITEM[1], "***0026", "patron-blocked", ""),
              (ITEM[15], "***0018", "on-loan-to-other", "")], "CSV rows")

    first = str(xs[0]["id"])
    r = t.ctl("resolve", first)
    check("handled" in r.stdout, "circctl resolve: %r" % r.stdout)
    text = t.ctl("exceptions").stdout
    check(ITEM[1] not in text and ITEM[15] in text,
          "after resolving %s, circctl exceptions:\n%s" % (first, text))
    table = list(csv.reader(io.StringIO(t.ctl("exceptions", "--csv").stdout)))
    check_eq([(r[3], bool(r[7])) for r in table[1:]], [(ITEM[1], True), (ITEM[15], False)],
             "CSV after resolving")
    check_eq(t.status()["exceptions"], 1, "status exceptions after resolving one")
    again = t.ctl("resolve", first, check_rc=False)
    check(again.returncode != 0, "resolving twice must fail: %r" % again.stdout)
    no_secrets_in_logs(t)


def test_kill9_while_forwarding_exactly_once(t):
    rng = seed_for(t, "test_kill9_while_forwarding_exactly_once")
    acs = start_acs(t, "--refuse", "--latency", "3")
    items = [auto_item(720001 + i) for i in range(150)]
    acs_charge(acs, items, ALAN)
    conf = sip2_conf(t, acs, mode="returns")
    d = start_offline(t, conf)
    offline_returns(d, items)
    come_back(acs)
    kills = sorted(rng.sample(range(5, 140), 2))
    t.note("kills after %r ACS entries" % kills)
    for k in kills:
        wait_for("%d entries in the ACS log" % k, lambda: len(acs.log()) >= k, interval=0.005)
        time.sleep(rng.uniform(0, 0.01))
        d.kill()
        d.close()
        forwarded = [r["item"] for r in t.journal() if r["state"] == "forwarded"]
        t.note("killed at %d ACS entries; forwarded then: %r" % (len(acs.log()), forwarded))
        d = t.start(conf, fake_clock=False)
    rows = wait_outbox_empty(t)
    check_eq([r["state"] for r in rows], ["confirmed"] * len(items), "every row confirmed")
    log = acs.log()
    count = collections.Counter(e["item"] for e in log)
    check_eq(sorted(n for n in count.values() if n != 1), [], "ACS entries per item")
    check_eq(len(changed_entries(log)), len(items), "changed entries")
    check_forwarded_as_recorded(rows, log, "after kill -9")
    verified = [(r["item"], r["evidence"]) for r in rows if "reply lost" in r["evidence"]]
    t.note("verified after a kill: %r" % verified)


def test_untrusted_clock_corrected_from_the_acs(t):
    """--fake-clock: the kiosk's clock is 3 days wrong and NTP does not vouch for it;
    the ACS's 98 gives the time, the rows recorded in this boot are corrected and sent
    with the corrected dates."""
    acs = start_acs(t, "--refuse")
    conf = sip2_conf(t, acs, mode="returns")
    d = t.start(conf, fake_clock=True)
    wrong = int(time.time() * 1000) - 3 * DAY_MS
    d.sim.cmd_ok("wall %d unsynced" % wrong)
    items = [auto_item(730001 + i) for i in range(3)]
    for code in items:
        ev = d.scan_item(code)
        check(any(code in x for x in displays(ev, "ok")), "offline return:%s" % fmt_events(ev))
        d.advance(1000)
    before = t.journal()
    check_eq([(r["wall_trusted"], r["date_status"], r["state"]) for r in before],
             [(0, "", "pending")] * 3, "rows recorded on the untrusted clock")
    check_eq([r["wall_ms"] for r in before], [wrong + 1000 * i for i in range(3)],
             "wall_ms on the fake clock")
    check(not t.status()["online"], "online although the ACS refuses")

    come_back(acs)
    real_before = time.time()
    # The clock moves only while circd is not talking to the ACS: a fake second that passes
    # while a real reply is on its way would time the request out.
    wait_online(t, tick=lambda: advance_while_disconnected(d, acs, 100))
    real_after = time.time()
    # Forwarding steps on zero-delay timers: fire them, and let no time pass.
    rows = wait_outbox_empty(t, tick=lambda: d.advance(0))
    ref = t.query("SELECT * FROM clock_refs")
    check_eq(len(ref), 1, "clock_refs rows")
    ref = ref[0]
    check(real_before - 2 <= ref["wall_ms"] / 1000 <= real_after + 2,
          "clock ref %d is not the ACS's time (%d..%d)" % (ref["wall_ms"], real_before,
                                                             real_after))
    log = acs.log()
    check_eq(len(log), 3, "ACS log entries")
    for r, b, e in zip(rows, before, log):
        check_eq(r["date_status"], "corrected", "date_status of %s" % r["item"])
        check_eq(r["original_wall_ms"], b["wall_ms"], "original_wall_ms of %s" % r["item"])
        check_eq(r["wall_ms"], ref["wall_ms"] - (ref["mono_ms"] - r["mono_ms"]),
                 "corrected wall_ms of %s (the ACS's time minus the monotonic offset)"
                 % r["item"])
        check(abs(r["wall_ms"] / 1000 - real_before) < 60,
              "corrected %s is not near the real time" % r["item"])
        check_eq(e["transaction_date"], sip_date(r["wall_ms"]),
                 "the ACS got the corrected date of %s" % r["item"])
        check(e["transaction_date"] != sip_date(b["wall_ms"]), "the wrong date was sent")
        check_eq((r["state"], e["item"], e["no_block"]), ("confirmed", r["item"], True),
                 "forwarded %s" % r["item"])

    # Online now, with the ILS's time carried on the monotonic clock: trusted stamps.
    code = auto_item(730010)
    ev = scan_until(d, "item_scanner", code, answered, "online return")
    check(any(code in x for x in displays(ev, "ok")), "online return:%s" % fmt_events(ev))
    last = t.journal()[-1]
    check_eq((last["item"], last["mode"], last["wall_trusted"]), (code, "online", 1),
             "a transaction after the ILS gave the time")
    check(abs(last["wall_ms"] / 1000 - time.time()) < 60,
          "online stamp %d is not the ILS's time" % last["wall_ms"])


def test_export_koc_while_offline(t):
    acs = start_acs(t, "--refuse")
    d = start_offline(t, sip2_conf(t, acs))
    offline_session(d, ADA, [ITEM[1], ITEM[2]])
    check_eq(d.stop(), 0, "exit status")
    d = start_offline(t, sip2_conf(t, acs, mode="returns", name="returns.conf"))
    offline_returns(d, [ITEM[15]])
    rows = t.journal()
    out = t.ctl("export-koc").stdout
    lines = out.split("\n")
    check(lines[0].startswith("Version=1.0\tGenerator=circd"), "koc header: %r" % lines[0])
    check_eq(lines[-1], "", "koc: ends with a line break")
    want = ["%s\tissue\t%s\t%s" % (koc_time(rows[0]["wall_ms"]), ADA, ITEM[1]),
            "%s\tissue\t%s\t%s" % (koc_time(rows[1]["wall_ms"]), ADA, ITEM[2]),
            "%s\treturn\t%s" % (koc_time(rows[2]["wall_ms"]), ITEM[15])]
    check_eq(lines[1:-1], want, "koc lines")
    # Once the ILS has them, there is nothing left to export.
    come_back(acs)
    wait_outbox_empty(t)
    out = t.ctl("export-koc").stdout
    check_eq(len(out.strip("\n").split("\n")), 1, "koc after forwarding: header only:\n%s" % out)


def test_lost_renewal_reply_goes_to_staff(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs, sip2={"renew": "yes", "patron_message": "63"}))
    sign_in(d, ADA, "Ada Lovelace")
    scan_until(d, "item_scanner", ITEM[1], answered, "checkout")
    d.scan_item(DONE)
    sign_in(d, ADA, "Ada Lovelace")
    acs_ok(acs, "fault drop-reply on")   # the 29 is applied, its reply lost
    ev = scan_until(d, "item_scanner", ITEM[1], answered, "renewal whose reply is lost")
    check(displays(ev, "error") and not displays(ev, "ok"),
          "a renewal with no answer must not be confirmed to the patron:%s" % fmt_events(ev))
    d.scan_item(DONE)
    wait_online(t)
    row = wait_for("the renewal settled", lambda: (lambda r: r if r["state"] not in
                                                   ("pending", "forwarded") else None)(
        t.journal()[1]))
    log = acs.log()
    check_eq([(e["kind"], e["item"], e["changed"]) for e in log],
             [("checkout", ITEM[1], True), ("renew", ITEM[1], True)],
             "ACS log: the renewal is never sent twice")
    check_eq((row["kind"], row["mode"]), ("renew", "online"), "the renewal row")
    check(row["state"] in ("failed", "conflict"), "renewal row state %r" % row["state"])
    # "It goes to staff": the ILS renewed while the patron was told it failed.
    st = t.status()
    x = json.loads(t.ctl("--json", "exceptions").stdout)["exceptions"]
    check(st["exceptions"] >= 1 and any(e["item"] == ITEM[1] for e in x),
          "a renewal whose reply was lost is not listed for staff (status exceptions %d, "
          "circctl exceptions %r; journal state %r, result %r)"
          % (st["exceptions"], x, row["state"], row["result"]))
    koc = t.ctl("export-koc").stdout
    check(ITEM[1] not in koc, "export-koc lists the renewal the ILS applied (uploading it "
          "renews again):\n%s" % koc)


def test_lost_live_checkout_reply_with_checkin_only_policy(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs, over={"offline": {"policy": "checkin-only"}}))
    sign_in(d, ADA, "Ada Lovelace")
    acs_ok(acs, "fault drop-reply on")   # the 11 is applied, its reply lost
    ev = scan_until(d, "item_scanner", ITEM[2], answered, "checkout whose reply is lost")
    check(displays(ev, "error") and not displays(ev, "ok"),
          "no offline checkouts: the patron must be told it did not go through:%s"
          % fmt_events(ev))
    wait_online(t)
    row = wait_for("the checkout settled", lambda: (lambda r: r if r["state"] not in
                                                    ("pending", "forwarded") else None)(
        t.journal()[0]))
    check_eq([(e["kind"], e["item"]) for e in acs.log()], [("checkout", ITEM[2])],
             "ACS log: verified, not resent")
    check_eq((row["mode"], row["state"]), ("online", "conflict"),
             "applied by the ILS although the patron was told no: a conflict")
    check("reply lost" in row["evidence"], "evidence %r" % row["evidence"])
    x = json.loads(t.ctl("--json", "exceptions").stdout)["exceptions"]
    check_eq([(e["item"], e["category"]) for e in x], [(ITEM[2], "other")],
             "circctl exceptions")
    check("told it had not gone through" in x[0]["message"], "message %r" % x[0]["message"])


def test_silent_acs_detected_by_heartbeat(t):
    acs = start_acs(t)
    start_online(t, sip2_conf(t, acs))
    acs_ok(acs, "fault stall on")
    t0 = time.monotonic()
    # heartbeat 5 s, then the ACS's 2 s timeout and one retry
    st = wait_online(t, False, timeout=WAIT)
    took = time.monotonic() - t0
    t.note("a silent ACS was noticed after %.1fs" % took)
    check(took < 12, "a silent ACS was noticed only after %.1fs" % took)
    check(st["ils_error"], "no ils_error: %r" % st)
    acs_ok(acs, "fault stall off")
    t0 = time.monotonic()
    wait_online(t)
    t.note("back online %.1fs after the ACS answered again" % (time.monotonic() - t0))
    check(time.monotonic() - t0 < 8, "reconnecting took %.1fs" % (time.monotonic() - t0))


def test_circctl_sync_reconnects_now(t):
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs, sip2={"reconnect_max": "60"}))
    go_offline(acs)
    # Idle, the welcome screen says the library system is offline.
    d.sim.wait_event(lambda e: e.startswith("display info Welcome") and "offline" in e, WAIT)
    wait_online(t, False)
    # Two refused reconnects: the next one is at least 3 s away.
    wait_for("two refused reconnects", lambda: json.loads(acs.admin("stats"))["refused"] >= 2)
    come_back(acs)
    t0 = time.monotonic()
    r = t.ctl("sync")
    check("connecting" in r.stdout, "circctl sync while offline: %r" % r.stdout)
    wait_online(t)
    took = time.monotonic() - t0
    t.note("online %.2fs after circctl sync" % took)
    check(took < 1.5, "circctl sync did not reconnect at once (%.1fs)" % took)
    ev = d.sim.wait_event(lambda e: e.startswith("display info Welcome"), WAIT)
    check("offline" not in ev[-1], "the welcome still says offline: %r" % ev[-1])
    r = t.ctl("sync")
    check("forwarding" in r.stdout, "circctl sync while online: %r" % r.stdout)


def test_reconnect_backoff_doubles(t):
    """Reconnect tries after the link drops: at once (the ACS closed an idle connection,
    as servers do after their idle timeout), then about 1 s, 2 s, 4 s apart (each +-25%
    jitter), up to reconnect_max."""
    acs = start_acs(t)
    start_online(t, sip2_conf(t, acs, sip2={"reconnect_max": "60"}))
    go_offline(acs)
    t0 = time.monotonic()
    times, last = [], 0
    deadline = t0 + 11
    while len(times) < 4 and time.monotonic() < deadline:
        n = json.loads(acs.admin("stats"))["refused"]
        if n != last:
            times += [time.monotonic() - t0] * (n - last)
            last = n
        time.sleep(0.01)
    gaps = [b - a for a, b in zip([0.0] + times, times)]
    t.note("refused reconnects at %r (gaps %r)" % (["%.2f" % x for x in times],
                                                  ["%.2f" % g for g in gaps]))
    check(len(times) == 4, "4 reconnect tries expected within 11 s (0 + 1 + 2 + 4 s, +-25%%), got "
          "them at %r s after the drop: gaps %r" % (["%.2f" % x for x in times],
                                                     ["%.2f" % g for g in gaps]))
    for g, nominal in zip(gaps, (0.0, 1.0, 2.0, 4.0)):
        check(0.75 * nominal - 0.1 <= g <= 1.25 * nominal + 0.5,
              "reconnect gaps %r: expected about 0, 1, 2, 4 s" % ["%.2f" % x for x in gaps])


def test_crash_before_send_loses_no_return(t):
    """circd dies while returns wait their turn to be sent. After the restart every
    return must reach the ILS: a 17 cannot tell "never sent" from "applied" for an item
    the ILS does not have charged (on the hold shelf, in transit), so such a return must
    not be taken as applied when it never went out."""
    acs = start_acs(t, "--refuse")
    first = auto_item(740001)
    acs_charge(acs, [first], ALAN)
    conf = sip2_conf(t, acs, mode="returns")
    d = start_offline(t, conf)
    returned = [first, ITEM[12], ITEM[14], ITEM[15]]
    offline_returns(d, returned)
    # The first return is applied and its reply lost (the link drops); circd is killed
    # before it reconnects, so the other three have not been sent.
    acs_ok(acs, "fault drop-reply on")
    come_back(acs)
    wait_for("the first return applied", lambda: len(acs.log()) >= 1, interval=0.002)
    wait_online(t, False)
    d.kill()
    d.close()
    check_eq([e["item"] for e in acs.log()], [first], "ACS log at the kill")
    d = t.start(conf, fake_clock=False)
    rows = wait_outbox_empty(t)
    log = acs.log()
    got = collections.Counter(e["item"] for e in log if e["kind"] == "checkin")
    missing = [(r["item"], r["evidence"]) for r in rows if got[r["item"]] == 0]
    check(not missing, "returns confirmed but never sent to the ILS: %r (ACS log: %r)"
          % (missing, [(e["kind"], e["item"], e["result"]) for e in log]))
    check_eq(sorted(got.items()), sorted((i, 1) for i in returned), "checkins per item")
