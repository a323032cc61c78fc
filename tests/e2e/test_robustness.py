# SPDX-License-Identifier: GPL-2.0-or-later
"""
Hostile or broken input on every interface: the sim channel, the control
socket, a store that is not ours. circd keeps running, records nothing it
should not, and never destroys data.
"""

import os
import socket
import sqlite3
import time

from harness import (SimClient, check, check_eq, displays, fmt_events, has_gpio, item, patron)


def test_sim_channel_bad_commands(t):
    d = t.start()
    bad = [
        "bogus",
        "scan",
        "scan nosuch_scanner 31234000000016",
        "scan lamp_ok 31234000000016",
        "input nosuch 1",
        "input bin_full 2",
        "input bin_full",
        "input lamp_ok 1",
        "input item_scanner 1",
        "advance",
        "advance -5",
        "advance abc",
        "advance 99999999999999999999999999",
        "pin",
        "pin 12ab",
        "pin 12345678901234567890",
        "PING",
        "ping extra",
        " ping",
        "x" * 600,
    ]
    for line in bad:
        ev, answer = d.cmd(line)
        check(answer.startswith("error"), "sim command %r: expected 'error ...', got %r"
              % (line[:60], answer))
        check(not displays(ev, "ok"), "sim command %r caused ok feedback:%s"
              % (line[:60], fmt_events(ev)))
        d.ping()
    check_eq(len(t.journal()), 0, "rows after bad sim commands")
    # The answer goes to its sender only; events go to everyone.
    other = SimClient(t.sim_sock, t.timeout)
    try:
        d.cmd("bogus")
        check_eq(other.cmd("ping"), ([], "ok"), "second client's ping after the first client's "
                 "bad command (the 'error' answer must not reach it)")
        d.scan_patron(patron(60))
        ev, answer = other.cmd("ping")
        check_eq(answer, "ok", "second client's ping")
        check(displays(ev, "info"), "events of the first client's scan should reach the second "
              "client:%s" % fmt_events(ev))
    finally:
        other.close()
    a = item(6001)
    ev = d.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "checkout after bad commands:%s"
          % fmt_events(ev))


def test_sim_channel_garbage_bytes(t):
    d = t.start()
    junk = [b"\x00\x01\x02\n", b"scan item_scanner \x00\xff\xfe31234000000016\n",
            b"\r\n", b"\n", b"scan item_scanner " + b"3" * 5000 + b"\n",
            b"y" * 200000 + b"\n", "scan item_scanner \u00e9\u00e8\n".encode()]
    for blob in junk:
        # Each line is a command, so each gets its answer (an error).
        d.sim.sock.sendall(blob)
        ev, answer = d.sim.read_answer()
        check(answer.startswith("error"), "garbage %r...: expected 'error ...', got %r"
              % (blob[:40], answer))
        check(not displays(ev, "ok"), "garbage caused ok feedback:%s" % fmt_events(ev))
        d.ping()  # alive, and the channel is in sync
    check(d.running(), "circd died on garbage")
    check_eq(len(t.journal()), 0, "rows after garbage")
    # Many clients connecting and vanishing, some mid-line.
    for i in range(40):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(t.timeout)
        try:
            s.connect(t.sim_sock)
            if i % 3 == 0:
                s.sendall(b"scan item_scanner 3123")
            elif i % 3 == 1:
                s.sendall(b"ping\n" * 50)
        except OSError:
            pass
        s.close()
    d.ping()
    d.scan_patron(patron(61))
    a = item(6101)
    ev = d.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "checkout after garbage:%s" % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], [a], "rows")


def test_scan_text_limits(t):
    d = t.start()
    d.scan_patron(patron(62))
    for text in ("3" * 129, "3" * 128, "31234000000016" * 9, "A", "312340000000163",
                 "3123400000001", " 31234000000016", "31234000000016 "):
        ev, answer = d.cmd("scan item_scanner " + text)
        check(not displays(ev, "ok") and not has_gpio(ev, "lamp_ok", 1),
              "scan %r accepted:%s" % (text, fmt_events(ev)))
        d.ping()
    check_eq(len(t.journal()), 0, "rows")


def test_codabar_start_stop_stripped(t):
    d = t.start()
    d.scan_patron("A" + patron(63) + "B")
    a = item(6301)
    ev = d.scan_item("C" + a + "D")
    check(any(a in x for x in displays(ev, "ok")), "item with Codabar start/stop characters:%s"
          % fmt_events(ev))
    rows = t.journal()
    check_eq([(r["patron"], r["item"]) for r in rows], [(patron(63), a)],
             "start/stop characters are stripped before recording")
    ev = d.scan_item(a)
    check(displays(ev, "notice"), "the same item without start/stop is a repeat:%s"
          % fmt_events(ev))


def test_control_socket_garbage(t):
    d = t.start()
    requests = [b"\n", b"frobnicate\n", b"status json json json\n", b"\x00\xff\n",
                b"status " + b"a" * 5000 + b"\n", b"s" * 100000, b"status"]
    for req in requests:
        s = _connect(t.ctl_sock, t.timeout)
        try:
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        except OSError:
            pass
        s.close()
        t.status()
    r = t.ctl("frobnicate", check_rc=False)
    check(r.returncode != 0 and (r.stderr.strip() or r.stdout.strip()),
          "circctl frobnicate: expected a non-zero exit and a message, got %d %r %r"
          % (r.returncode, r.stdout, r.stderr))
    d.ping()
    st = t.status()
    check_eq(st["store"], "ok", "store after control garbage")


def _connect(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except BlockingIOError:  # backlog full: unix sockets say EAGAIN
            s.close()
            check(time.monotonic() < deadline, "control socket backlog never drained")
            time.sleep(0.01)


def test_control_many_clients(t):
    t.start()
    socks = []
    try:
        for _ in range(20):
            socks.append(_connect(t.ctl_sock, t.timeout))
    finally:
        for s in socks:
            s.close()
    # Once those are gone, requests are served again.
    deadline = time.monotonic() + t.timeout
    while True:
        r = t.ctl("status", "--json", check_rc=False)
        if r.returncode == 0:
            break
        check(time.monotonic() < deadline, "status never answered again after 20 idle clients "
              "went away: %r" % r.stderr)
        time.sleep(0.05)


def test_second_daemon_same_store(t):
    d1 = t.start()
    conf2 = t.config({"control": {"socket": t.path("ctl2.sock")},
                      "sim": {"socket": t.path("sim2.sock")}}, name="second.conf")
    d2 = t.start(conf2, sim_path=t.path("sim2.sock"), ctl_path=t.path("ctl2.sock"))
    d2.scan_patron(patron(64))
    ev = d2.scan_item(item(6401))
    check(displays(ev, "error") and not displays(ev, "ok"),
          "a second circd on a store that is in use recorded a checkout:%s" % fmt_events(ev))
    st = t.status(sock=t.path("ctl2.sock"))
    check(st["store"] != "ok", "second circd's status should show the store error: %r" % st)
    d1.scan_patron(patron(65))
    a = item(6402)
    ev = d1.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "the first circd stopped working:%s"
          % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], [a], "rows")
    check_eq(d2.stop(), 0, "second circd exit status")
    check_eq(d1.stop(), 0, "first circd exit status")


def _expect_store_refused(t, d, what):
    d.scan_patron(patron(66))
    ev = d.scan_item(item(6601))
    check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1) and not displays(ev, "ok"),
          "%s: expected display error + lamp_error; got:%s" % (what, fmt_events(ev)))
    d.ping()
    st = t.status()
    check(st["store"] != "ok" and st["last_error"], "%s: status should show the store error: %r"
          % (what, st))


def test_newer_schema_refused(t):
    d = t.start()
    d.scan_patron(patron(67))
    d.scan_item(item(6701))
    check_eq(d.stop(), 0, "exit status")
    con = sqlite3.connect(t.db)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with open(t.db, "rb") as f:
        before = f.read()
    d = t.start()
    _expect_store_refused(t, d, "schema from a newer circd")
    d.stop()
    con = sqlite3.connect("file:%s?mode=ro" % t.db, uri=True)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    n = con.execute("SELECT count(*) FROM journal").fetchone()[0]
    con.close()
    check_eq(version, 99, "user_version after running on a newer schema (never downgraded)")
    check_eq(n, 1, "rows")
    with open(t.db, "rb") as f:
        check(f.read() == before, "circd modified the newer store's database file")


def test_corrupt_store_kept(t):
    with open(t.db, "wb") as f:
        f.write(b"this is not an sqlite database, but somebody's data\n" * 200)
    with open(t.db, "rb") as f:
        before = f.read()
    d = t.start()
    _expect_store_refused(t, d, "corrupt store")
    check(d.running(), "circd exited on a corrupt store")
    d.stop()
    with open(t.db, "rb") as f:
        check(f.read() == before, "circd modified a corrupt store file")
    check(not os.path.exists(t.db + "-wal") or os.path.getsize(t.db + "-wal") == 0,
          "circd wrote a WAL next to a corrupt store")


def test_store_retried_after_lock_released(t):
    # circd says it retries opening its store; once the other holder is
    # gone, the second daemon records (fake clock: advance past the retry).
    d1 = t.start()
    conf2 = t.config({"control": {"socket": t.path("ctl2.sock")},
                      "sim": {"socket": t.path("sim2.sock")}}, name="second.conf")
    d2 = t.start(conf2, sim_path=t.path("sim2.sock"), ctl_path=t.path("ctl2.sock"))
    check(t.status(sock=t.path("ctl2.sock"))["store"] != "ok", "second daemon has the store")
    check_eq(d1.stop(), 0, "exit status")
    d2.advance(60000)
    d2.ping()
    st = t.status(sock=t.path("ctl2.sock"))
    check_eq(st["store"], "ok", "second daemon's store after the first one left and 60 s "
             "passed (status %r)" % st)
    d2.scan_patron(patron(68))
    a = item(6801)
    ev = d2.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "checkout after the store came back:%s"
          % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], [a], "rows")
