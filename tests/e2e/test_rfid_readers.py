# SPDX-License-Identifier: GPL-2.0-or-later
"""The real circd with a real reader protocol over a pseudo-terminal: the reader emulators of
tests/rfid/ (written from the protocol descriptions, not from circd's codecs) hold the tags;
circd finds the reader by its device path, checks out a stack with a set, refuses a damaged
tag, and switches each tag's security off, as the tag's own state in the emulator shows."""

import functools
import os
import re
import sys

from harness import REPO, TIMEOUT, check, check_eq, displays, fmt_events, patron, wait_for
from rfidlib import AFI_CHECKED_OUT, AFI_ON_SHELF, danish, uid

sys.path.insert(0, os.path.join(REPO, "tests", "rfid"))
import m3_emu  # noqa: E402

RFID = {"rfid": {"owner_isil": "DK-710100"}}


def item_no(n):
    return "3123400%07d" % n


def reader_board(t, section):
    """The sim board, its pad replaced by a real protocol's reader."""
    text = re.sub(r"\[rfid pad\][^\[]*", section + "\n", t.sim_board_text())
    path = t.path("board.ini")
    with open(path, "w") as f:
        f.write(text)
    return path


# Readers on a pty answer slower than the sim pad: a longer bound.
wait_until = functools.partial(wait_for, timeout=max(TIMEOUT, 20.0))


def test_3m_pad_stack_set_and_damaged_tag(t):
    with m3_emu.M3Pad() as pad:
        board = reader_board(t, "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n"
                                "inventory_ms = 100\n" % pad.path)
        d = t.start(t.config(RFID), board=board, fake_clock=False)
        wait_until("the pad attached", lambda: "rfid reader pad attached" in d.log())
        ev = d.scan_patron(patron(1))
        check(displays(ev, "info"), "sign-in:%s" % fmt_events(ev))
        stack = {uid(81): danish(item_no(81)), uid(82): danish(item_no(82), parts=2, part=1),
                 uid(83): danish(item_no(82), parts=2, part=2)}
        for u, mem in stack.items():
            pad.place(m3_emu.Tag(u, blocks=len(mem) // 4, afi=AFI_ON_SHELF, memory=mem))
        wait_until("every tag's AFI switched off",
                   lambda: all(pad.tag(u).afi == AFI_CHECKED_OUT for u in stack))
        wait_until("both loans recorded", lambda: len(t.journal()) == 2)
        check_eq(sorted(r["item"] for r in t.journal()), [item_no(81), item_no(82)],
                 "one checkout per item, the set once")
        wait_until("the debts paid", lambda: all(
            r["state"] == "done" for r in t.query("SELECT state FROM tag_security")))
        bad = danish(item_no(84), damage=True)
        pad.place(m3_emu.Tag(uid(84), blocks=len(bad) // 4, afi=AFI_ON_SHELF, memory=bad))
        ev = d.sim.wait_event(lambda e: e.startswith("display error") and "damaged" in e)
        check_eq(pad.tag(uid(84)).afi, AFI_ON_SHELF, "a damaged tag is not written")
        check_eq(len(t.journal()), 2, "nothing recorded for the damaged tag")
        d.stop()


def test_3m_pad_at_its_line_rate(t):
    """The pad's answers paced as its 19200 baud line carries them (a pty carries them at
    once), circd at the boards' default rounds: a ten-tag stack, whose inventory answer alone
    is 90 bytes (47 ms on that line), goes through with no request given up on."""
    with m3_emu.M3Pad() as pad:
        pad.baud = 19200
        board = reader_board(t, "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n"
                                % pad.path)
        d = t.start(t.config(RFID), board=board, fake_clock=False)
        wait_until("the pad attached", lambda: "rfid reader pad attached" in d.log())
        ev = d.scan_patron(patron(1))
        check(displays(ev, "info"), "sign-in:%s" % fmt_events(ev))
        stack = {uid(130 + n): danish(item_no(130 + n)) for n in range(10)}
        for u, mem in stack.items():
            pad.place(m3_emu.Tag(u, blocks=len(mem) // 4, afi=AFI_ON_SHELF, memory=mem))
        wait_until("every tag's AFI switched off",
                   lambda: all(pad.tag(u).afi == AFI_CHECKED_OUT for u in stack), timeout=60)
        wait_until("the debts paid", lambda: len(t.query("SELECT state FROM tag_security")) == 10
                   and all(r["state"] == "done" for r in t.query("SELECT state FROM tag_security")))
        check_eq(sorted(r["item"] for r in t.journal()), sorted(item_no(130 + n) for n in range(10)),
                 "one checkout per item")
        log = d.log()
        check(not any(w in log for w in ("timed out", "does not answer", "not done")),
              "no request given up on, no write failed:\n%s" % log[-2000:])
        d.stop()


def test_feig_reader_stack_and_returns_security(t):
    """A FEIG reader in ISO host mode: a stack checked out with AFI and EAS switched off as the
    emulator's tags show, then the same tags at a returns point switched back on."""
    import feig_emu
    reader = feig_emu.FeigReader()
    path = reader.open_pty()
    t.at_cleanup("the FEIG emulator", reader.close)
    # Pseudo-terminals refuse even parity: the emulator takes whatever the line says.
    section = ("[rfid pad]\nrole = item_pad\nprotocol = feig\ndevice = %s\nparity = none\n"
               "inventory_ms = 100\n" % path)
    board = reader_board(t, section)
    stack = {uid(91): danish(item_no(91)), uid(92): danish(item_no(92))}
    for u, mem in stack.items():
        reader.place(feig_emu.VirtualTag(u, afi=AFI_ON_SHELF, eas=True, blocks=len(mem) // 4,
                                         data=mem))
    d = t.start(t.config(RFID), board=board, fake_clock=False)
    wait_until("the reader attached", lambda: "rfid reader pad attached" in d.log())
    ev = d.scan_patron(patron(1))
    check(displays(ev, "info"), "sign-in:%s" % fmt_events(ev))
    wait_until("security off on every tag", lambda: all(
        reader.tag(u).afi == AFI_CHECKED_OUT and not reader.tag(u).eas for u in stack))
    check_eq(sorted(r["item"] for r in t.journal()), [item_no(91), item_no(92)], "loans")
    d.stop()
    d = t.start(t.config({"kiosk": {"mode": "returns"}, **RFID}, name="returns.conf"),
                board=board, fake_clock=False)
    wait_until("security on again", lambda: all(
        reader.tag(u).afi == AFI_ON_SHELF and reader.tag(u).eas for u in stack))
    wait_until("both returned", lambda: sum(r["kind"] == "checkin" for r in t.journal()) == 2)
    d.stop()


def test_over_both_readers_online_and_offline_then_forwarded(t):
    """Over the emulated readers: online at a FEIG reader, each loan applied once at the ILS
    and the tags' security switched off; offline at a 3M pad, the loans recorded here and
    forwarded once each when the ILS is back."""
    import collections
    import feig_emu
    from sip2lib import ADA, auto_item, come_back, go_offline, sip2_conf, start_acs, \
        wait_online, wait_outbox_empty

    acs = start_acs(t)
    conf = sip2_conf(t, acs, over=RFID)
    reader = feig_emu.FeigReader()
    feig_board = reader_board(t, "[rfid pad]\nrole = item_pad\nprotocol = feig\ndevice = %s\n"
                                 "parity = none\ninventory_ms = 100\n" % reader.open_pty())
    t.at_cleanup("the FEIG emulator", reader.close)
    online = {uid(100 + n): auto_item(800 + n) for n in range(3)}
    for u, it in online.items():
        mem = danish(it)
        reader.place(feig_emu.VirtualTag(u, afi=AFI_ON_SHELF, eas=True, blocks=len(mem) // 4,
                                         data=mem))
    d = t.start(conf, board=feig_board, fake_clock=False)
    wait_online(t)
    d.scan_patron(ADA)
    wait_until("security off at the FEIG reader", lambda: all(
        reader.tag(u).afi == AFI_CHECKED_OUT for u in online), timeout=30)
    d.stop()

    go_offline(acs)
    with m3_emu.M3Pad() as pad:
        m3_board = reader_board(t, "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n"
                                   "inventory_ms = 100\n" % pad.path)
        offline = {uid(110 + n): auto_item(810 + n) for n in range(2)}
        d = t.start(conf, board=m3_board, fake_clock=False)
        d.scan_patron(ADA)
        for u, it in offline.items():
            mem = danish(it)
            pad.place(m3_emu.Tag(u, blocks=len(mem) // 4, afi=AFI_ON_SHELF, memory=mem))
        wait_until("security off at the 3M pad", lambda: all(
            pad.tag(u).afi == AFI_CHECKED_OUT for u in offline), timeout=30)
        come_back(acs)
        t.ctl("sync")
        wait_outbox_empty(t)
        d.stop()
    got = collections.Counter(e["item"] for e in acs.log() if e["kind"] == "checkout")
    check_eq(sorted(got.items()), sorted((i, 1) for i in list(online.values()) +
                                         list(offline.values())),
             "every loan at the ILS once")


def test_3m_kill9_between_loan_and_security_write(t):
    """Over the 3M pad: the pad leaves the AFI write unanswered, circd is killed with the loan
    recorded and the write owed; after the restart, with the tag still on the pad, the write
    is finished and the loan is not recorded again."""
    from m3_helper import ScriptedPad

    pad = ScriptedPad()
    pad.start()
    t.at_cleanup("the 3M emulator", pad.stop)
    board = reader_board(t, "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n"
                            "inventory_ms = 100\n" % pad.path)
    conf = t.config(RFID)
    d = t.start(conf, board=board, fake_clock=False)
    d.scan_patron(patron(1))
    pad.silent_on[0x09] = 1000  # set AFI: never answered
    mem = danish(item_no(121))
    pad.place(m3_emu.Tag(uid(121), blocks=len(mem) // 4, afi=AFI_ON_SHELF, memory=mem))
    wait_until("the loan recorded", lambda: len(t.journal()) == 1)
    d.kill()
    d.close()
    check_eq([r["state"] for r in t.query("SELECT state FROM tag_security")], ["owed"],
             "the write owed at the kill")
    pad.silent_on[0x09] = 0
    d = t.start(conf, board=board, fake_clock=False)
    wait_until("the write finished after the restart",
               lambda: pad.tag(uid(121)).afi == AFI_CHECKED_OUT)
    wait_until("the debt paid", lambda: [r["state"] for r in
                                         t.query("SELECT state FROM tag_security")] == ["done"])
    check_eq(len(t.journal()), 1, "one loan")
    d.stop()
