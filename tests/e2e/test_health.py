# SPDX-License-Identifier: GPL-2.0-or-later
"""
Monitoring a kiosk: circctl check's verdicts as exit statuses (README, "Monitoring a
fleet"), circctl metrics, and the metrics textfile for node_exporter, against the real
circd on the sim board.

- a kiosk that can serve patrons: exit 0;
- a scanner unplugged (the sim's scanner-attached): 5, naming the role; back: 0;
- offline past [health] max_offline with the outbox at [health] max_outbox: 7;
- a store that cannot be opened: 3 (out of service); circd not running: 1;
- the textfile appears, parses as Prometheus text, and its figures follow a checkout.
"""

import os
import re
import socket

from harness import DONE, check, check_eq, displays, fmt_events, item, patron
from sip2lib import wait_for

SAMPLE = re.compile(r'^([a-z_:][a-z0-9_:]*)(\{(.*)\})? ([0-9]+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)",?')


def parse_metrics(text):
    """{(name, ((label, value), ...)): value} from Prometheus text (0.0.4); every sample's
    family has HELP and TYPE lines before it."""
    check(text.endswith("\n"), "metrics do not end with a line feed: %r" % text[-40:])
    typed, out = set(), {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        m = SAMPLE.match(line)
        check(m, "not a sample line: %r" % line)
        name, labels = m.group(1), tuple(LABEL.findall(m.group(3) or ""))
        check(name in typed, "sample %s before its TYPE line" % name)
        out[(name, labels)] = int(m.group(4))
    return out


def check_verdict(t, want_rc, want_start, what):
    r = t.ctl("check", check_rc=False)
    check(r.returncode == want_rc and r.stdout.startswith(want_start) and
          r.stdout.count("\n") == 1,
          "%s: circctl check exited %d with %r (stderr %r), want %d and %r..."
          % (what, r.returncode, r.stdout, r.stderr, want_rc, want_start))
    return r.stdout


def checkout(d, p, code):
    d.scan_patron(p)
    ev = d.scan_item(code)
    check(any(code in x for x in displays(ev, "ok")), "checkout %s:%s" % (code, fmt_events(ev)))
    d.scan_item(DONE)


def test_check_healthy_then_scanner_unplugged(t):
    d = t.start()
    check_verdict(t, 0, "ok: serving patrons", "a fresh kiosk")
    d.sim.cmd_ok("scanner-attached item_scanner 0")
    out = check_verdict(t, 5, "device: no item_scanner attached", "item scanner unplugged")
    check("item_scanner" in out, "the reason names the scanner: %r" % out)
    m = parse_metrics(t.ctl("metrics").stdout)
    check_eq(m.get(("circd_device_attached", (("role", "item_scanner"),
                                               ("device", "item_scanner")))), 0,
             "metrics: the unplugged scanner")
    d.sim.cmd_ok("scanner-attached item_scanner 1")
    check_verdict(t, 0, "ok: ", "item scanner plugged in again")
    d.sim.cmd_ok("scanner-attached patron_reader 0")
    check_verdict(t, 5, "device: no patron_reader attached", "card reader unplugged")


def test_check_returns_bin_needs_no_card_reader(t):
    d = t.start(t.config({"kiosk": {"mode": "returns"}}))
    d.sim.cmd_ok("scanner-attached patron_reader 0")
    check_verdict(t, 0, "ok: serving patrons (returns", "returns bin without a card reader")
    d.input("bin_full", 1)
    check_verdict(t, 6, "bin-full: the returns bin is full", "a full bin")


def _closed_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_check_offline_past_the_limit(t):
    conf = t.config({"sip2": {"host": "127.0.0.1", "port": str(_closed_port()), "tls": "no"},
                     "health": {"max_offline": "60", "max_outbox": "1"}})
    d = t.start(conf)
    wait_for("the link down", lambda: t.status()["ils"] == "down")
    checkout(d, patron(60), item(6001))
    check_eq(t.status()["outbox"], 1, "outbox after an offline checkout")
    check_verdict(t, 0, "ok: serving patrons (selfcheck, offline, 1 waiting)",
                  "offline, within the limit")
    d.advance(61000)
    out = check_verdict(t, 7, "offline: offline for ", "offline past the limit")
    check("(limit 60 s) with 1 transaction waiting" in out, "the reason: %r" % out)
    m = parse_metrics(t.ctl("metrics").stdout)
    check(m[("circd_ils_offline_seconds", ())] >= 61, "metrics offline seconds: %r"
          % m[("circd_ils_offline_seconds", ())])
    check_eq(m[("circd_ils_link_state", (("state", "down"),))], 1, "metrics link state")
    check(m[("circd_outbox_oldest_age_seconds", ())] >= 61, "metrics oldest pending age")


def test_check_out_of_service_and_not_running(t):
    with open(t.path("not-a-dir"), "w") as f:
        f.write("x")
    t.start(t.config({"store": {"path": t.path("not-a-dir", "circd.db")}}))
    out = check_verdict(t, 3, "out-of-service: out of service: store unavailable",
                        "no store")
    m = parse_metrics(t.ctl("metrics").stdout)
    check_eq(m[("circd_store_ok", ())], 0, "metrics store_ok without a store: %s" % out)
    r = t.ctl("check", sock=t.path("absent.sock"), check_rc=False)
    check_eq(r.returncode, 1, "circctl check with no circd")
    check("is it running?" in r.stderr and not r.stdout, "circctl check with no circd: %r %r"
          % (r.stdout, r.stderr))


def test_metrics_textfile_follows_a_checkout(t):
    prom = t.path("textfile", "circd.prom")
    os.mkdir(t.path("textfile"))
    d = t.start(t.config({"kiosk": {"id": 'desk "7"'},
                          "metrics": {"textfile": prom, "interval": "5"}}))
    wait_for("the textfile", lambda: os.path.exists(prom))
    with open(prom) as f:
        m = parse_metrics(f.read())
    check_eq(oct(os.stat(prom).st_mode & 0o777), oct(0o644), "textfile mode")
    check_eq(m[("circd_kiosk_info", (("kiosk_id", 'desk \\"7\\"'), ("mode", "selfcheck"),
                                     ("board", "Simulated kiosk")))], 1, "kiosk_info")
    key = ("circd_transactions_total", (("kind", "checkout"), ("mode", "offline")))
    check_eq((m[key], m[("circd_outbox_transactions", ())]), (0, 0), "before a checkout")
    check_eq(m[("circd_device_attached", (("role", "rfid_pad"), ("device", "pad")))], 1,
             "the sim's RFID pad")
    checkout(d, patron(61), item(6101))
    d.advance(5000)  # the next rewrite

    def rewritten():
        with open(prom) as f:
            got = parse_metrics(f.read())
        return got if got[key] == 1 else None
    m = wait_for("the textfile after a checkout", rewritten)
    check_eq((m[("circd_outbox_transactions", ())], m[("circd_store_transactions", ())]),
             (1, 1), "outbox and store after a checkout")
    check_eq(sorted(os.listdir(t.path("textfile"))), ["circd.prom"],
             "nothing but the textfile in its directory")
    # circctl metrics says the same
    now = parse_metrics(t.ctl("metrics").stdout)
    check_eq(now[key], 1, "circctl metrics after a checkout")
