# SPDX-License-Identifier: GPL-2.0-or-later
"""
Symbologies on the real circd (sim board): an AIM id a wedge scanner types
before the data, Codabar start/stop letters kept off other symbologies, and
ISBN/EAN check digits, checked on the display events and in the store.
"""

from harness import check, check_eq, displays, fmt_events, item, patron


def accepted(ev, code):
    return any(code in x for x in displays(ev, "ok"))


def refused(ev, words):
    return any(words in x for x in displays(ev, "error")) and not displays(ev, "ok")


def test_typed_aim_ids_and_codabar_letters(t):
    d = t.start()
    p = patron(71)
    a, b = item(7101), item(7102)
    ev = d.scan_patron("]F0A" + p + "B")
    check(not displays(ev, "error"), "Codabar card with its AIM id:%s" % fmt_events(ev))
    ev = d.scan_item("]C0" + a)
    check(accepted(ev, a), "Code 128 item with its AIM id:%s" % fmt_events(ev))
    # Code 39 data may end in letters: they are not Codabar's, so this is no item number
    ev = d.scan_item("]A0A" + b + "B")
    check(refused(ev, "not recognised"), "Code 39 A...B taken for Codabar:%s" % fmt_events(ev))
    ev = d.scan_item("]F0C" + b + "D")
    check(accepted(ev, b), "Codabar item with its AIM id:%s" % fmt_events(ev))
    check_eq([(r["patron"], r["item"]) for r in t.journal()], [(p, a), (p, b)],
             "recorded without AIM ids or start/stop letters")
    # ...and with the symbology each was read in (issue 9, item 6).
    check_eq([r["symbology"] for r in t.journal()], ["code128", "codabar"],
             "symbologies in the journal")


def test_isbn_check_digits(t):
    d = t.start(t.config({"barcode": {"item_prefixes": "3, 978, 979",
                                      "item_lengths": "14, 13"}}))
    d.scan_patron(patron(72))
    # ISBN 978-0-306-40615-7
    ev = d.scan_item("9780306406157")
    check(accepted(ev, "9780306406157"), "ISBN-13 item:%s" % fmt_events(ev))
    ev = d.scan_item("9780306406158")
    check(refused(ev, "did not read correctly"), "ISBN-13 with a wrong check digit:%s"
          % fmt_events(ev))
    ev = d.scan_item("]E09790260000439")
    check(refused(ev, "did not read correctly"), "]E0 ISMN with a wrong check digit:%s"
          % fmt_events(ev))
    ev = d.scan_item("]E09790260000438")
    check(accepted(ev, "9790260000438"), "]E0 ISMN:%s" % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], ["9780306406157", "9790260000438"],
             "items recorded")
