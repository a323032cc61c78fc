# SPDX-License-Identifier: GPL-2.0-or-later
"""RFID item tags on the sim board's pad: stacks (a ten-tag one in fewer durable commits than
tags), sets of parts, security written and read back, damaged and foreign tags, a tag taken
away mid-write, kill -9 between the loan and the security write, the returns bin, online and
offline with forwarding."""

import collections

from harness import DONE, check, check_eq, displays, fmt_events, has_gpio, patron
from rfidlib import AFI_CHECKED_OUT, AFI_ON_SHELF, Pad, danish, uid, writes
from sip2lib import (ADA, WAIT, auto_item, come_back, go_offline, sip2_conf, start_acs,
                     start_online, wait_outbox_empty)

RFID = {"rfid": {"owner_isil": "DK-710100"}}
OFF = [("afi", "0x%02X" % AFI_CHECKED_OUT), ("eas", "0")]
ON = [("afi", "0x%02X" % AFI_ON_SHELF), ("eas", "1")]


def item_no(n):
    return "3123400%07d" % n


def security(t):
    return t.query("SELECT s.uid, j.item, s.want, s.state, s.tries FROM tag_security s"
                   " JOIN journal j ON j.id = s.txn_id ORDER BY s.rowid")


def signed_in(t, conf=None):
    d = t.start(conf or t.config(RFID))
    ev = d.scan_patron(patron(1))
    check(displays(ev, "info"), "sign-in:%s" % fmt_events(ev))
    return d, Pad(d)


def test_stack_with_a_set_checked_out_once_each(t):
    """A stack of four tags, three items (one a set of two parts): each item checked out
    once, each tag's security switched off and read back; tags left on the pad are not
    handled again."""
    d, pad = signed_in(t)
    tags = {uid(1): danish(item_no(1)), uid(2): danish(item_no(2), parts=2, part=1),
            uid(3): danish(item_no(2), parts=2, part=2), uid(4): danish(item_no(3))}
    for u, mem in tags.items():
        pad.place(u, mem)
    ev = pad.run(1500)
    rows = t.journal()
    check_eq(sorted(r["item"] for r in rows), [item_no(1), item_no(2), item_no(3)],
             "one checkout per item:%s" % fmt_events(ev))
    check(all(r["kind"] == "checkout" for r in rows), "kinds %r" % rows)
    for u in tags:
        check_eq(writes(ev, u), OFF, "security written to %s" % u)
    check_eq([(s["uid"], s["want"], s["state"]) for s in security(t)],
             [(u, "off", "done") for u in (uid(1), uid(2), uid(3), uid(4))],
             "the debts, all paid")
    ev = pad.run(1500)
    check_eq(len(t.journal()), 3, "tags that stayed are not handled twice")
    check(not any(e.startswith("rfid ") for e in ev), "no more writes:%s" % fmt_events(ev))
    ev = d.scan_item(DONE)
    check(any("3 items" in x for x in displays(ev, "receipt")), "receipt:%s" % fmt_events(ev))


def metric(t, sample):
    """A sample of circctl metrics by its name and labels as printed; None when absent."""
    for line in t.ctl("metrics").stdout.splitlines():
        if line.startswith(sample + " "):
            return int(float(line.split()[1]))
    return None


def test_ten_tag_stack_in_fewer_commits_than_tags(t):
    """Ten books laid on the pad at once, offline: ten loans, each tag's security verified
    off, and the loans recorded in fewer durable commits than there are tags."""
    d, pad = signed_in(t)
    commits = metric(t, "circd_store_commits_total")
    check(commits is not None, "circctl metrics has circd_store_commits_total")
    tags = {uid(80 + n): danish(item_no(80 + n)) for n in range(10)}
    for u, mem in tags.items():
        pad.place(u, mem)
    ev = pad.run(1500)
    check_eq(sorted(r["item"] for r in t.journal()), sorted(item_no(80 + n) for n in range(10)),
             "one checkout per item:%s" % fmt_events(ev))
    for u in tags:
        check_eq(writes(ev, u), OFF, "security written to %s" % u)
    check_eq([s["state"] for s in security(t)], ["done"] * 10, "the debts, all paid")
    check_eq(metric(t, 'circd_transactions_total{kind="checkout",mode="offline"}'), 10,
             "ten offline checkouts counted")
    commits = metric(t, "circd_store_commits_total") - commits
    check(0 < commits < len(tags), "%d commits for %d tags" % (commits, len(tags)))


def test_incomplete_set_waits_for_its_parts(t):
    """Part 1 of 3 alone: the patron hears how many parts are missing and nothing is
    recorded; with all three on the pad, one checkout and three security writes."""
    d, pad = signed_in(t)
    pad.place(uid(11), danish(item_no(11), parts=3, part=1))
    ev = pad.run(600)
    notices = displays(ev, "notice")
    check(any("3 parts" in n and "2 missing" in n for n in notices),
          "notice for the missing parts:%s" % fmt_events(ev))
    check_eq(len(t.journal()), 0, "nothing recorded for an incomplete set")
    pad.place(uid(12), danish(item_no(11), parts=3, part=2))
    ev = pad.run(600)
    check(any("1 missing" in n for n in displays(ev, "notice")), "one missing:%s"
          % fmt_events(ev))
    pad.place(uid(13), danish(item_no(11), parts=3, part=3))
    ev = pad.run(1000)
    check_eq([r["item"] for r in t.journal()], [item_no(11)], "one checkout for the set")
    for u in (uid(11), uid(12), uid(13)):
        check_eq(writes(ev, u), OFF, "security of part %s" % u)


def test_tag_taken_away_during_the_write(t):
    """The tag leaves while its security is written: the loan stays recorded, the patron is
    asked to put it back, the write stays owed; put back, it is finished, once."""
    d, pad = signed_in(t)
    pad.fault("leave")
    pad.place(uid(21), danish(item_no(21)))
    ev = pad.run(600)
    check_eq([r["item"] for r in t.journal()], [item_no(21)], "the loan is recorded")
    check(any("back on the pad" in x for x in displays(ev, "error")),
          "asked to put it back:%s" % fmt_events(ev))
    owed = security(t)
    check_eq([(s["state"], s["tries"]) for s in owed], [("owed", 1)], "owed, one try")
    st = t.status()
    check_eq(st["security_owed"], 1, "circctl status counts the owed write")
    check_eq([(r["name"], r["protocol"], r["attached"]) for r in st["rfid"]],
             [("pad", "sim", True)], "circctl status lists the pad")
    listing = t.ctl("security").stdout
    check(uid(21) in listing and item_no(21) in listing, "circctl security:\n" + listing)
    pad.place(uid(21), danish(item_no(21)))
    ev = pad.run(600)
    check_eq(writes(ev, uid(21)), OFF, "the write finished")
    check_eq([s["state"] for s in security(t)], ["done"], "paid")
    check_eq(len(t.journal()), 1, "no second loan")


def test_damaged_and_foreign_tags_refused(t):
    """A tag whose CRC fails is refused as damaged; another library's item is refused by
    its ISIL; neither is recorded or written."""
    d, pad = signed_in(t)
    pad.place(uid(31), danish(item_no(31), damage=True))
    ev = pad.run(400)
    check(any("damaged" in x for x in displays(ev, "error")), "damaged:%s" % fmt_events(ev))
    pad.place(uid(32), danish(item_no(32), isil="DK-999999"))
    ev = pad.run(400)
    check(any("another library" in x and "DK-999999" in x for x in displays(ev, "error")),
          "foreign:%s" % fmt_events(ev))
    check_eq(len(t.journal()), 0, "nothing recorded")
    check(not writes(ev, uid(31)) and not writes(ev, uid(32)), "nothing written")


def test_kill9_between_loan_and_security_write(t):
    """circd dies after the loan is recorded, before the tag's security is written: after the
    restart the tag, seen again, gets its write; the loan is not recorded twice."""
    conf = t.config(RFID)
    d, pad = signed_in(t, conf)
    pad.place(uid(41), danish(item_no(41)))
    for _ in range(400):
        d.advance(1)
        if t.journal():
            break
    check_eq([r["item"] for r in t.journal()], [item_no(41)], "recorded before the kill")
    check_eq([s["state"] for s in security(t)], ["owed"], "the write is owed at the kill")
    d.kill()
    d.close()
    d = t.start(conf)
    pad = Pad(d)
    pad.place(uid(41), danish(item_no(41)))
    ev = pad.run(2500)  # nobody signed in: the pad reads at its idle pace
    check_eq(writes(ev, uid(41)), OFF, "written after the restart:%s" % fmt_events(ev))
    check_eq([s["state"] for s in security(t)], ["done"], "paid")
    check_eq(len(t.journal()), 1, "one loan")


def test_returns_bin_security_on_before_the_flap(t):
    """At the bin each returned tag gets its security back on, read back, before the flap
    opens; a set opens the flap only whole."""
    d = t.start(t.config({"kiosk": {"mode": "returns"}, **RFID}))
    pad = Pad(d)
    pad.place(uid(51), danish(item_no(51)), afi=AFI_CHECKED_OUT, eas=0)
    ev = pad.run(600)
    check_eq([r["kind"] for r in t.journal()], ["checkin"], "returned")
    check_eq(writes(ev, uid(51)), ON, "security on")
    last_write = max(i for i, e in enumerate(ev) if e.startswith("rfid "))
    flap = [i for i, e in enumerate(ev) if e == "gpio flap_unlock 1"]
    check(flap and flap[0] > last_write, "the flap opens after the write:%s" % fmt_events(ev))
    pad.place(uid(52), danish(item_no(52), parts=2, part=1), afi=AFI_CHECKED_OUT, eas=0)
    ev = pad.run(600)
    check(not has_gpio(ev, "flap_unlock", 1), "no flap for half a set:%s" % fmt_events(ev))
    pad.place(uid(53), danish(item_no(52), parts=2, part=2), afi=AFI_CHECKED_OUT, eas=0)
    ev = pad.run(600)
    check_eq(sum(e == "gpio flap_unlock 1" for e in ev), 1, "the flap once for the set")
    check_eq(len(t.journal()), 2, "two returns")


def _wait_writes(d, tag_uids, timeout=WAIT):
    seen = collections.defaultdict(list)
    events = []

    def done(line):
        events.append(line)
        p = line.split()
        if len(p) >= 4 and p[0] == "rfid" and p[1] in tag_uids:
            seen[p[1]].append((p[2], p[3]))
        return all(len(seen[u]) >= 2 for u in tag_uids)
    d.sim.wait_event(done, timeout)
    return seen, events


def _borrow_stack(t, d, items, first_uid, what):
    """The patron signs in and lays the items on the pad: each tag's security verified off."""
    pad = Pad(d)
    d.scan_patron(ADA)
    tag_uids = [uid(first_uid + n) for n in range(len(items))]
    for u, it in zip(tag_uids, items):
        pad.place(u, danish(it))
    seen, _ = _wait_writes(d, tag_uids)
    for u in tag_uids:
        check_eq(seen[u], OFF, "%s security of %s" % (what, u))


def _ils_checkouts(acs):
    got = collections.Counter(e["item"] for e in acs.log() if e["kind"] == "checkout")
    return sorted(got.items())


def test_online_stack_and_offline_forwarding(t):
    """Online, a three-book stack goes to the ILS once each, security verified; offline,
    two more are recorded here, and forwarded once each when the ILS is back."""
    acs = start_acs(t)
    conf = sip2_conf(t, acs, over=RFID)
    d = start_online(t, conf)
    online = [auto_item(700 + n) for n in range(3)]
    _borrow_stack(t, d, online, 60, "online")
    check_eq(_ils_checkouts(acs), sorted((i, 1) for i in online), "ILS checkouts")
    d.scan_item(DONE)
    go_offline(acs)
    d.stop()
    d = t.start(conf, fake_clock=False)
    offline = [auto_item(710 + n) for n in range(2)]
    _borrow_stack(t, d, offline, 70, "offline")
    come_back(acs)
    t.ctl("sync")
    wait_outbox_empty(t)
    check_eq(_ils_checkouts(acs), sorted((i, 1) for i in online + offline),
             "every checkout at the ILS once")
