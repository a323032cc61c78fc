# SPDX-License-Identifier: GPL-2.0-or-later
"""
Helpers for the SIP2 end-to-end tests (test_sip2_*.py): start the test ACS
(tests/acs) for a test, write a circd config pointing at it, wait (bounded)
for the link, for a display, for the journal, and read the ACS's log.

Not a test module itself (run.py loads test_*.py only).
"""

import json
import os
import subprocess
import sys
import time

import harness
from harness import REPO, SAN, Failure, check, fmt_events

sys.path.insert(0, os.path.join(REPO, "tests", "acs"))

import acs_client  # noqa: E402
from acs_client import ACSProcess  # noqa: E402

ADA, BLOCKED, FINES, ALAN = acs_client.ADA, acs_client.BLOCKED, acs_client.FINES, acs_client.ALAN
ITEM = acs_client.ITEM
DEMO_PATRONS = (acs_client.ADA, acs_client.BLOCKED, acs_client.FINES, acs_client.ALAN,
                acs_client.JURGEN, acs_client.KATHERINE)

# The ACS's own timeout (2 s) and retries (1), announced in its 98: a silent ACS
# is given up on within about 4 s.
ACS_FAST = ("--timeout-tenths", "020", "--retries", "001")

SIP2_BASE = {
    "host": "127.0.0.1",
    "tls": "no",
    "institution": "MAIN",
    "heartbeat": "5",
    "connect_timeout": "2",
    "response_timeout": "2",
    "retries": "1",
    "reconnect_max": "2",
}

WAIT = 40.0 if SAN else 15.0  # bound of the link and forwarding waits


def auto_item(n):
    """An auto item of the test ACS (any well-formed 31234... barcode)."""
    return acs_client.luhn14("31234" + "%08d" % n)


def shown_date(sip):
    """A SIP2 date as circd shows patrons (the default [kiosk] date_format)."""
    return time.strftime("%a %d %b %Y", time.strptime(sip[:8], "%Y%m%d"))


def sip_date(wall_ms):
    """A wall time as SIP2's 18-character local date: YYYYMMDD    HHMMSS."""
    t = time.localtime(wall_ms // 1000)
    return time.strftime("%Y%m%d", t) + "    " + time.strftime("%H%M%S", t)


# ------------------------------------------------------------------- the ACS

def start_acs(t, *flags, fast=True):
    """Starts acs.py for this test (state in the test dir); stopped in t.cleanup()."""
    n = len([x for x in os.listdir(t.dir) if x.startswith("acs-state")])
    args = (list(ACS_FAST) if fast else []) + list(flags)
    acs = ACSProcess(*args, state=t.path("acs-state.%d.json" % n))
    saved = {"text": None}

    def text():
        return saved["text"] if saved["text"] is not None else acs.stderr(tail=None)

    def stop():
        acs.stop()
        try:
            saved["text"] = acs.stderr(tail=None)
            with open(t.path("acs.%d.log" % n), "w") as f:
                f.write(saved["text"])
        except OSError:
            pass
        acs.cleanup()
        if saved["text"] and "Traceback" in saved["text"]:
            raise Failure("the test ACS had a traceback:\n%s" % saved["text"][-3000:])

    t.at_cleanup("the test ACS", stop)
    if not getattr(t, "sip2_log_checked", False):
        t.sip2_log_checked = True
        # Every SIP2 test: circd's stderr never has a demo patron's full id.
        t.at_cleanup("circd's log", lambda: no_secrets_in_logs(t))
    t.add_log("acs (port %d)" % acs.port, text)
    return acs


def acs_ok(acs, line):
    r = acs.admin(line)
    if r != "ok":
        raise Failure("ACS admin %r answered %r" % (line, r))


def acs_load(acs, state):
    acs_ok(acs, "load " + json.dumps(state, ensure_ascii=True, separators=(",", ":")))


def acs_charge(acs, items, to, due="20990101    235959"):
    """Makes items (auto items included) charged to patron `to` in the ACS's state."""
    st = acs.state()
    for iid in items:
        it = st["items"].get(iid)
        if it is None:
            it = {"title": "Preloaded %s" % iid[5:13], "media_type": "001", "due": None,
                  "charged_to": None, "hold_for": None, "hold_location": None,
                  "transit_to": None, "sort_bin": "A1", "permanent_location": "Main Library",
                  "auto": True}
            st["items"][iid] = it
        it["charged_to"] = to
        it["due"] = due
        if iid not in st["patrons"][to]["charged"]:
            st["patrons"][to]["charged"].append(iid)
    acs_load(acs, st)


def go_offline(acs):
    """The ACS refuses new connections and drops the open ones."""
    acs_ok(acs, "fault refuse on")
    acs_ok(acs, "restart")


def come_back(acs):
    acs_ok(acs, "fault refuse off")


def changed_entries(log, item=None):
    return [e for e in log if e.get("changed") and (item is None or e["item"] == item)]


# ------------------------------------------------------------------- circd

def sip2_conf(t, acs, mode="selfcheck", sip2=None, over=None, name="circd.conf", port=None):
    """A config for the link to acs (or to port), debug log, plus overrides."""
    s = dict(SIP2_BASE)
    s["port"] = str(port if port is not None else acs.port)
    s.update(sip2 or {})
    o = {"kiosk": {"mode": mode}, "sip2": s, "log": {"level": "debug"}}
    for sec, keys in (over or {}).items():
        o.setdefault(sec, {}).update(keys)
    return t.config(o, name=name)


def wait_for(what, fn, timeout=None, interval=0.02, tick=None):
    """harness.wait_for(), bounded by the link's and forwarding's WAIT."""
    return harness.wait_for(what, fn, timeout or WAIT, interval, tick)


def connected_to(pid, port):
    """Whether process pid has a TCP socket to port: connecting, open, or closed by the peer
    and not yet by pid (/proc/PID/fd's socket inodes in /proc/net/tcp*). None when pid's
    fds cannot be listed (circd is not dumpable: only root may look)."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fd_dir)
    except PermissionError:
        return None
    for fd in fds:
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[9] in inodes and int(cols[2].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def advance_while_disconnected(d, acs, ms):
    """A tick for waits on a fake clock: moves it only while circd has no connection to the
    ACS, so that its reconnect backoff runs out but, once it connects, its connect and
    response timers cannot run out faster than the real ACS answers (a loaded machine).
    Only an advance fires circd's timers, so nothing connects between the check and it."""
    connected = connected_to(d.pid, acs.port)
    if connected is None:  # not root: the ACS's open sessions, a moment late after a connect
        connected = json.loads(acs.admin("stats"))["open"] > 0
    if not connected:
        d.advance(ms)


def wait_online(t, want=True, timeout=None, tick=None):
    def probe():
        st = t.status()
        return st if st["online"] is want else None
    return wait_for("circd status online=%s" % want, probe, timeout, tick=tick)


def wait_outbox_empty(t, timeout=None, tick=None):
    """Waits until nothing is pending or forwarded; returns the journal."""
    def probe():
        rows = t.journal()
        return rows if rows and all(r["state"] not in ("pending", "forwarded")
                                    for r in rows) else None
    try:
        return wait_for("an empty outbox", probe, timeout, interval=0.05, tick=tick)
    except Failure as e:
        rows = t.journal()
        states = {}
        for r in rows:
            states[r["state"]] = states.get(r["state"], 0) + 1
        raise Failure("%s; journal states %r; status %r" % (e, states, t.status()))


def wait_purged(t, timeout=None):
    """Waits until every confirmed row has lost its patron (retention 0: the purge is a
    commit of its own, just after the confirmation's); returns the journal."""
    def probe():
        rows = t.journal()
        return rows if all(r["purged"] == 1 and r["patron"] == ""
                           for r in rows if r["state"] == "confirmed") else None
    try:
        return wait_for("confirmed rows purged", probe, timeout)
    except Failure:
        left = [(r["seq"], r["item"], r["state"], r["purged"]) for r in t.journal()
                if r["state"] == "confirmed" and (r["purged"] != 1 or r["patron"] != "")]
        raise Failure("confirmed rows not purged (retention 0): %r" % left[:10])


def start_online(t, conf, **kw):
    d = t.start(conf, fake_clock=False, **kw)
    wait_online(t)
    return d


def until(d, ev, pred, what, timeout=None):
    """ev: the events a command returned. Keeps reading the sim channel until an event
    satisfies pred (the online answer comes after the command's 'ok'); returns all."""
    if not any(pred(e) for e in ev):
        try:
            ev = ev + d.sim.wait_event(pred, timeout or WAIT)
        except Failure as e:
            raise Failure("%s: %s\n  events before:%s" % (what, e, fmt_events(ev)))
    # What the same step emitted after it (feedback follows the display): a ping's
    # answer comes after every event already sent.
    return ev + d.sim.cmd_ok("ping")


def starts(prefix):
    return lambda e: e.startswith(prefix)


def scan_until(d, role, code, pred, what, timeout=None):
    ev = d.sim.cmd("scan %s %s" % (role, code))[0]
    return until(d, ev, pred, what, timeout)


def sign_in(d, patron, name):
    """Scans a card while online and waits for the ILS's greeting."""
    return scan_until(d, "patron_reader", patron, starts("display info Hello, %s!" % name),
                      "sign-in of %s" % name)


def answered(e):
    return e.startswith("display ok ") or e.startswith("display error ")


def text_of(e):
    """The text of a display event, its "\\n" turned back into line breaks."""
    parts = e.split(" ", 2)
    return parts[2].replace("\\n", "\n") if len(parts) > 2 else ""


def no_secrets_in_logs(t, secrets=DEMO_PATRONS):
    """circd's own output (stderr) never has a full patron id or a PIN."""
    for d in t.daemons:
        log = d.log()
        for s in secrets:
            check(s not in log, "circd's log %s contains %r:\n%s"
                  % (d.log_path, s, "\n".join(l for l in log.splitlines() if s in l)[:2000]))


def openssl(t, *args):
    r = subprocess.run(["openssl"] + list(args), cwd=t.dir, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=t.timeout)
    if r.returncode != 0:
        raise Failure("openssl %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                     r.stderr.decode(errors="replace")))
    return r.stdout.decode(errors="replace")
