# SPDX-License-Identifier: GPL-2.0-or-later
"""Patron texts from the catalogs (ui/messages): the kiosk's language, English where a
catalog lacks a text, and a broken English catalog refused at start like a config error."""

import os
import re
import shutil
import signal

from harness import (DONE, SIM_BOARD, check, check_eq, displays, fmt_events, item, patron,
                     wait_for)


def first_display(ev, kind):
    texts = displays(ev, kind)
    check(texts, "expected a 'display %s'; got:%s" % (kind, fmt_events(ev)))
    return texts[0]


def test_kiosk_speaks_german(t):
    conf = t.config({"kiosk": {"language": "de"}})
    d = t.start(conf)
    ev = d.scan_patron(patron(1))
    check("Scannen Sie Ihre Medien einzeln" in first_display(ev, "info"),
          "German greeting:%s" % fmt_events(ev))
    ev = d.scan_item(item(101))
    text = first_display(ev, "ok")
    check(text.startswith("Ausgeliehen: " + item(101)), "German checkout:%s" % fmt_events(ev))
    # The offline due date, written the German way: "Rückgabe bis So., 20.12.2026".
    check(re.search(r"\\n.* (So|Mo|Di|Mi|Do|Fr|Sa)\., \d\d\.\d\d\.20\d\d$", text),
          "German due date: %r" % text)
    ev = d.scan_item(DONE)
    receipt = first_display(ev, "receipt")
    check(receipt.startswith("Vielen Dank!") and "fällig" in receipt,
          "German receipt: %r" % receipt)
    check_eq(d.stop(), 0, "exit status")


def test_language_follows_reload(t):
    d = t.start(t.config({"kiosk": {"language": "fr"}}))
    ev = d.scan_item(item(101))
    check("carte" in first_display(ev, "error"), "French refusal:%s" % fmt_events(ev))
    t.config({"kiosk": {"language": "en"}})
    d.signal(signal.SIGHUP)
    wait_for("'reloaded ' in circd's log", lambda: "reloaded " in d.log())
    ev = d.scan_item(item(101))
    check_eq(first_display(ev, "error"), "Please scan your library card first.",
             "English after the reload")
    check_eq(d.stop(), 0, "exit status")


def _catalogs_copy(t):
    src = os.environ["CIRCD_MESSAGES"]
    dst = t.path("messages")
    shutil.copytree(src, dst)
    return dst


def test_missing_texts_read_english(t):
    """A catalog that lacks a text shows the English one, never the message's id."""
    msgs = _catalogs_copy(t)
    with open(os.path.join(msgs, "de.msg")) as f:
        lines = [line for line in f if not line.startswith("patron.card_first")]
    with open(os.path.join(msgs, "de.msg"), "w") as f:
        f.writelines(lines)
    d = t.start(t.config({"kiosk": {"language": "de", "messages": msgs}}))
    ev = d.scan_item(item(101))
    check_eq(first_display(ev, "error"), "Please scan your library card first.",
             "English for the missing German text")
    check("de.msg: 1 of" in d.log(), "the gap is logged:\n%s" % d.log())
    check_eq(d.stop(), 0, "exit status")


def test_language_without_catalog_reads_english(t):
    d = t.start(t.config({"kiosk": {"language": "kl"}}))
    check("no kl.msg" in d.log(), "the missing catalog is logged:\n%s" % d.log())
    ev = d.scan_item(item(101))
    check_eq(first_display(ev, "error"), "Please scan your library card first.", "English")
    check_eq(d.stop(), 0, "exit status")


def test_broken_english_catalog_refused(t):
    msgs = _catalogs_copy(t)
    with open(os.path.join(msgs, "en.msg"), "a") as f:
        f.write("scan.wait = twice\n")
    conf = t.config({"kiosk": {"messages": msgs}})
    r = t.run_circd(["-c", conf, "-b", SIM_BOARD, "--check-config"])
    out = r.stdout + r.stderr
    check_eq(r.returncode, 2, "exit status; output:\n%s" % out)
    check("en.msg:" in out and "given before" in out, "file:line and why:\n%s" % out)


def test_patron_language_from_the_ils(t):
    """The ILS's record says Jürgen reads German (SIP2 language 003): with language_from_ils,
    his session is in German over the real SIP2 path, and Ada's after him in English."""
    from acs_client import JURGEN
    from sip2lib import ADA, ITEM, answered, scan_until, sign_in, sip2_conf, start_acs, start_online
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs, over={"kiosk": {"language_from_ils": "yes"}}))
    scan_until(d, "patron_reader", JURGEN,
               # the ACS speaks ASCII by default: its ü arrives as ?
               lambda e: e.startswith("display info Guten Tag, J?rgen M?ller!"),
               "German greeting")
    ev = scan_until(d, "item_scanner", ITEM[1], answered, "checkout")
    check(any(e.startswith("display ok Ausgeliehen: ") for e in ev),
          "German checkout:%s" % fmt_events(ev))
    ev = scan_until(d, "item_scanner", DONE, lambda e: e.startswith("display receipt"), "receipt")
    check(any(e.startswith("display receipt Vielen Dank!") for e in ev),
          "German receipt:%s" % fmt_events(ev))
    sign_in(d, ADA, "Ada Lovelace")
    check_eq(d.stop(), 0, "exit status")


def test_kiosk_asks_the_ils_in_its_language(t):
    """A German kiosk's patron check asks the ILS for German (SIP2 language 003)."""
    from sip2lib import ADA, scan_until, sip2_conf, start_acs, start_online
    acs = start_acs(t)
    d = start_online(t, sip2_conf(t, acs, over={"kiosk": {"language": "de"}}))
    scan_until(d, "patron_reader", ADA, lambda e: e.startswith("display info Guten Tag, Ada"),
               "German greeting")
    check("<- 23003" in acs.stderr(20000), "a 23 with language 003:\n%s" % acs.stderr(2000))
    check_eq(d.stop(), 0, "exit status")
