# SPDX-License-Identifier: GPL-2.0-or-later
"""The patron's touch screen (display = web) in a real browser: headless Chromium.

circd on boards/sim-web.ini (the sim board with display = web) serves the page;
the tests drive Chromium through its DevTools protocol (tests/e2e/cdp.py) and
the kiosk through the sim channel, as a scanner would: a scan appears on the
page, the PIN is typed by tapping the keypad, the ILS's refusal is shown in its
own words, the language changes by touch, and the page shows "out of service"
while circd is gone and recovers when it is back. Touches without this start's
token or from another origin are refused (plain HTTP, no browser needed).
Screenshots at three sizes go to build/screenshots/ for people to look at.
"""

import json
import os
import re
import urllib.error
import urllib.request

from cdp import Browser
from harness import REPO, Failure, check, check_eq, patron
from sip2lib import ADA, BLOCKED, ITEM, acs_load, sip2_conf, start_acs, start_online, wait_for

WEB_BOARD = os.path.join(REPO, "boards", "sim-web.ini")
UI = os.path.join(REPO, "ui")
SHOTS = os.path.join(REPO, "build", "screenshots")


def page_address(t, d):
    """The address circd logs at start ([display] port = 0: a free port)."""
    m = wait_for("the page's address in circd's log",
                 lambda: re.search(r"the patron's page is at (http://[0-9.]+:(\d+)/)", d.log()))
    return m.group(1), int(m.group(2))


def shown(p, what):
    return p.eval("document.getElementById(%s).textContent" % json.dumps(what))


def wait_screen(p, screen):
    p.wait("document.body.dataset.screen === %s" % json.dumps(screen), "the %s screen" % screen)


def web_conf(port=0):
    return {"display": {"port": str(port), "ui": UI}}


def tap_pin(p, pin):
    for digit in pin:
        p.tap('[data-digit="%s"]' % digit)
    p.tap("#pin-ok")


def test_web_session_by_touch(t):
    pin = "947361"
    acs = start_acs(t)
    st = acs.state()
    st["patrons"][ADA]["pin"] = pin
    st["patrons"][BLOCKED]["pin"] = "1234"
    acs_load(acs, st)
    over = {"kiosk": {"require_pin": "yes"}}
    over.update(web_conf())
    d = start_online(t, sip2_conf(t, acs, over=over), board=WEB_BOARD)
    url, _ = page_address(t, d)
    p = Browser(t).open(url, 800, 480)
    wait_screen(p, "welcome")
    check("Scan your library card" in shown(p, "message"), "welcome: %r" % p.text())

    # The card at the scanner: the page asks for the PIN, typed by tapping the keypad.
    d.scan_patron(ADA)
    wait_screen(p, "pin")
    p.screenshot(os.path.join(SHOTS, "pin-800x480.png"), 800, 480)
    for digit in pin:
        p.tap('[data-digit="%s"]' % digit)
    check_eq(shown(p, "pin-digits"), "\u2022" * len(pin), "the PIN field (dots only)")
    check(pin not in p.text(), "the PIN is shown on the page")
    p.tap("#pin-ok")
    wait_screen(p, "items")
    p.wait("document.getElementById('message').textContent.includes('Hello, Ada Lovelace')",
           "the greeting")

    # An item scanned at the kiosk shows in the list, with its due date.
    d.scan_item(ITEM[7])
    li = p.wait("(() => { const l = document.querySelectorAll('#item-list li');"
                " return l.length === 1 && l[0].querySelector('.due') ? l[0].innerText : null;"
                " })()", "the item in the list")
    check(ITEM[7] in li, "the item's barcode is not in the list: %r" % li)
    check(re.search(r"20\d\d", li), "no due date in the list: %r" % li)
    p.screenshot(os.path.join(SHOTS, "items-1280x800.png"), 1280, 800)
    p.screenshot(os.path.join(SHOTS, "items-1080x1920.png"), 1080, 1920)

    # German by touch: the page's words come from circd's German catalog.
    p.tap('button.language[lang="de"]')
    p.wait("document.documentElement.lang === 'de' && "
           "document.getElementById('done').textContent === 'Fertig'", "German words")
    check_eq(p.eval("document.querySelector('button.language[lang=\"de\"]')"
                    ".getAttribute('aria-pressed')"), "true", "the chosen language marked")
    p.tap("#done")
    wait_screen(p, "goodbye")
    check("Vielen Dank" in shown(p, "message") and ITEM[7] in shown(p, "message"),
          "goodbye in German with the item: %r" % shown(p, "message"))
    check_eq([(e["kind"], e["item"], e["ok"]) for e in acs.log()], [("checkout", ITEM[7], True)],
             "ACS log")

    # A card the ILS refuses: its own words on the page, once the PIN is in.
    d.scan_patron(BLOCKED)
    wait_screen(p, "pin")
    tap_pin(p, "1234")
    p.wait("document.body.dataset.kind === 'error' && "
           "document.getElementById('message').textContent.includes('card expired')",
           "the ILS's refusal")
    p.screenshot(os.path.join(SHOTS, "refused-1920x1080.png"), 1920, 1080)


def test_web_page_survives_a_restart(t):
    d = t.start(t.config(web_conf()), board=WEB_BOARD, fake_clock=False)
    url, port = page_address(t, d)
    p = Browser(t).open(url)
    wait_screen(p, "welcome")
    token = p.eval("document.querySelector('meta[name=\"circd-token\"]').content")
    check(re.fullmatch(r"[0-9a-f]{32}", token), "the page's token: %r" % token)

    check_eq(d.stop(), 0, "circd's exit status")
    p.wait("!document.getElementById('gone').hidden", "the out-of-service cover")
    check("Out of service" in shown(p, "gone-text"), "while circd is gone: %r" % p.text())

    d = t.start(t.config(web_conf(port), name="again.conf"), board=WEB_BOARD, fake_clock=False)
    p.wait("document.getElementById('gone').hidden && document.body.dataset.screen === 'welcome'"
           " && document.querySelector('meta[name=\"circd-token\"]').content !== %s"
           % json.dumps(token), "the page back, with the new start's token", timeout=t.timeout * 2)
    d.scan_patron(patron(71))
    wait_screen(p, "items")


def test_web_receipt_asked_by_touch(t):
    conf = web_conf()
    conf["receipt"] = {"policy": "ask"}
    d = t.start(t.config(conf), board=WEB_BOARD, fake_clock=False)
    url, _ = page_address(t, d)
    p = Browser(t).open(url, 480, 800)
    wait_screen(p, "welcome")
    check(p.eval("document.getElementById('receipt').hidden"), "a receipt question at the welcome")
    d.scan_patron(patron(73))
    d.scan_item(ITEM[9])
    p.wait("!document.getElementById('receipt').hidden && "
           "document.querySelectorAll('#item-list li').length === 1", "the receipt question")
    check_eq(p.eval("document.getElementById('receipt-no').getAttribute('aria-pressed')"), "true",
             "no receipt until the patron says yes")
    p.tap("#receipt-yes")
    p.wait("document.getElementById('receipt-yes').getAttribute('aria-pressed') === 'true'",
           "the yes taken")
    p.screenshot(os.path.join(SHOTS, "receipt-480x800.png"), 480, 800)
    p.tap("#done")
    ev = d.sim.wait_event(lambda e: e.startswith("printer "))
    receipt = bytes.fromhex([e for e in ev if e.startswith("printer ")][0].split(" ", 1)[1])
    check(ITEM[9].encode() in receipt, "the item is not on the receipt: %r" % receipt[:200])
    wait_screen(p, "goodbye")


def post(url, body, headers):
    req = urllib.request.Request(url + "input", data=body.encode(), headers=headers,
                                 method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def get(url, path, headers=None):
    req = urllib.request.Request(url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, None, b""


def test_web_touches_need_token_and_origin(t):
    d = t.start(t.config(web_conf()), board=WEB_BOARD, fake_clock=False)
    url, port = page_address(t, d)
    origin = "http://127.0.0.1:%d" % port
    status, ctype, page = get(url, "")
    check_eq((status, ctype), (200, "text/html; charset=utf-8"), "the page")
    token = re.search(rb'name="circd-token" content="([0-9a-f]{32})"', page).group(1).decode()
    d.scan_patron(patron(72))

    check_eq(post(url, "action=done", {"Origin": origin}), 403, "a touch without the token")
    check_eq(post(url, "action=done", {"Origin": "http://evil.example", "X-Circd-Token": token}),
             403, "a touch from another origin")
    check_eq(post(url, "action=done", {"X-Circd-Token": token}), 403, "a touch with no origin")
    check_eq(post(url, "action=done", {"Origin": origin, "X-Circd-Token": "0" * 32}), 403,
             "a touch with another token")
    check_eq(len(t.ctl_json("sessions")["sessions"]), 1, "the refused touches ended the session")
    check_eq(post(url, "action=dance", {"Origin": origin, "X-Circd-Token": token}), 400,
             "an unknown touch")
    check_eq(post(url, "action=done", {"Origin": origin, "X-Circd-Token": token}), 204,
             "the page's own Done")
    wait_for("the session to end", lambda: not t.ctl_json("sessions")["sessions"])

    # Only the page's own files, with their types; nothing above ui/.
    check_eq(get(url, "app.js")[:2], (200, "text/javascript; charset=utf-8"), "app.js")
    check_eq(get(url, "style.css")[:2], (200, "text/css; charset=utf-8"), "style.css")
    for path in ("../boards/sim.ini", "..%2fboards%2fsim.ini", "%2e%2e/etc/passwd",
                 "messages/en.msg", "messages", ".", "nothing.js"):
        check_eq(get(url, path)[0], 404, "GET /%s" % path)
    # A name that DNS could point here (rebinding) is not this kiosk's page.
    check_eq(get(url, "", {"Host": "evil.example:%d" % port})[0], 403, "a foreign Host")
