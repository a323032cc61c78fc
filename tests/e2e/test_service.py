# SPDX-License-Identifier: GPL-2.0-or-later
"""circd under a service manager (systemd's notify protocol): READY=1 with a STATUS once it
is set up, WATCHDOG=1 at half the interval asked for, RELOADING=1 and READY=1 around a
SIGHUP, STOPPING=1 at the end; nothing at all without NOTIFY_SOCKET; no WATCHDOG=1 from a
wedged loop. And its log records to journald with their fields when stderr is the journal's."""

import os
import signal
import socket
import threading
import time

from harness import Failure, check, check_eq, item, patron
from sip2lib import ITEM, come_back, go_offline, sip2_conf, start_acs, wait_outbox_empty


def _manager(t):
    path = t.path("notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    return s, path


def _messages(s, until, timeout=10):
    """Datagrams received until one satisfies until(message); all of them."""
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        got.append(m)
        if until(m):
            return got
    raise Failure("no matching notification within %ss; got %r" % (timeout, got))


def _start(t, env):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return t.start(fake_clock=False)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_ready_watchdog_reload_stop(t):
    s, path = _manager(t)
    d = _start(t, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
    got = _messages(s, lambda m: m.startswith("READY=1"))
    ready = got[-1]
    check("STATUS=recording; ILS none configured; outbox 0" in ready, "ready: %r" % ready)
    # Half of 400 ms: several pings within a second or two, from the loop.
    _messages(s, lambda m: m == "WATCHDOG=1")
    _messages(s, lambda m: m == "WATCHDOG=1")
    d.signal(signal.SIGHUP)
    got = _messages(s, lambda m: m.startswith("READY=1"))
    check(any(m.startswith("RELOADING=1\nMONOTONIC_USEC=") for m in got),
          "RELOADING=1 before READY=1 again: %r" % got)
    check_eq(d.stop(), 0, "exit status")
    _messages(s, lambda m: m == "STOPPING=1")
    s.close()


def test_nothing_without_a_manager(t):
    """WATCHDOG_USEC alone (no NOTIFY_SOCKET): nobody to ping, so no timer runs and the loop
    stays asleep; and no datagram reaches a manager's socket nobody named."""
    s, path = _manager(t)
    os.environ.pop("NOTIFY_SOCKET", None)
    d = _start(t, {"WATCHDOG_USEC": "20000"})
    w0 = t.status()["wakeups"]
    w1 = t.status()["wakeups"]  # what one status request itself costs
    time.sleep(0.5)
    w2 = t.status()["wakeups"]
    # A 10 ms watchdog timer would wake the loop about 50 times meanwhile.
    check((w2 - w1) - (w1 - w0) < 5, "loop wakeups with nothing due: %d, %d, %d" % (w0, w1, w2))
    check_eq(d.stop(), 0, "exit status")
    try:
        m = s.recv(4096)
        raise Failure("a notification without NOTIFY_SOCKET: %r" % m)
    except socket.timeout:
        pass
    s.close()


def test_wedged_loop_stops_the_pings(t):
    """The pings come from the loop itself, not from a timer of their own: a loop stuck in a
    callback ("wedge" on the sim channel) sends no WATCHDOG=1 however long it stays stuck, which
    is what lets the manager see it (test_watchdog.py has a real systemd restart it)."""
    s, path = _manager(t)
    d = _start(t, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    _messages(s, lambda m: m.startswith("READY=1"))
    _messages(s, lambda m: m == "WATCHDOG=1")
    d.sim.send("wedge")
    # A ping already on its way may still arrive; after that, silence for ten intervals.
    quiet_since, deadline = time.monotonic(), time.monotonic() + 2.0 + t.timeout
    while time.monotonic() - quiet_since < 2.0:
        check(time.monotonic() < deadline, "WATCHDOG=1 kept coming after the wedge")
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        check(m == "WATCHDOG=1", "unexpected notification while wedged: %r" % m)
        quiet_since = time.monotonic()
    check(d.running(), "circd exited instead of staying wedged")
    d.signal(signal.SIGABRT)  # what systemd sends on a missed deadline
    check(d.wait_exit() == -signal.SIGABRT, "circd did not die of SIGABRT")
    s.close()


def _journal_fields(datagram):
    """One native-protocol datagram (systemd.io/JOURNAL_NATIVE_PROTOCOL) as {name: value}."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        eq = datagram.find(b"=", i, nl)
        if eq >= 0:
            fields[datagram[i:eq].decode()] = datagram[eq + 1:nl].decode()
            i = nl + 1
        else:
            size = int.from_bytes(datagram[nl + 1:nl + 9], "little")
            value = datagram[nl + 9:nl + 9 + size]
            check(datagram[nl + 9 + size:nl + 10 + size] == b"\n", "binary field's end")
            fields[datagram[i:nl].decode()] = value.decode()
            i = nl + 10 + size
    return fields


class _Journal:
    """The test's journal socket, read as records come (a socket's queue holds only ten
    datagrams; circd sends to a full one nothing but writes the record to stderr)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.datagrams, self.done = [], False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.done:
            try:
                self.datagrams.append(self.sock.recv(65536))
            except socket.timeout:
                continue

    def records(self):
        """Every record, once circd has stopped."""
        self.done = True
        self.thread.join()
        self.sock.setblocking(False)
        while True:  # what is still queued
            try:
                self.datagrams.append(self.sock.recv(65536))
            except BlockingIOError:
                break
        self.sock.close()
        return [_journal_fields(d) for d in self.datagrams]


def _start_with_journal(t, conf=None, fake_clock=True):
    """circd with $JOURNAL_STREAM naming its stderr, as systemd sets it, and its journal socket
    the test's own (CIRCD_JOURNAL_SOCKET); returns (daemon, journal)."""
    journal = _Journal(t.path("journal.sock"))
    t.at_cleanup("the journal reader", lambda: journal.records() if not journal.done else None)
    # stat(1) run by the shell has circd's stderr: the pipe the harness reads.
    wrap = ["sh", "-c", 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@"', "sh"]
    saved = os.environ.get("CIRCD_JOURNAL_SOCKET")
    os.environ["CIRCD_JOURNAL_SOCKET"] = t.path("journal.sock")
    try:
        d = t.start(conf, wrap=wrap, fake_clock=fake_clock)
    finally:
        if saved is None:
            os.environ.pop("CIRCD_JOURNAL_SOCKET", None)
        else:
            os.environ["CIRCD_JOURNAL_SOCKET"] = saved
    return d, journal


def test_journald_fields(t):
    """With $JOURNAL_STREAM naming its stderr, circd sends each record to journald's socket with
    its priority, the kiosk id, and the transaction a record is about; patron ids stay masked."""
    d, journal = _start_with_journal(t)
    d.scan_patron(patron(18))
    d.scan_item(item(16))
    check_eq(d.stop(), 0, "exit status")
    records = journal.records()
    check(records, "no records at the journal socket; circd's stderr:\n%s" % d.log())
    for r in records:
        check_eq(r.get("SYSLOG_IDENTIFIER"), "circd", "SYSLOG_IDENTIFIER")
        check_eq(r.get("CIRCD_KIOSK_ID"), "kiosk-test", "CIRCD_KIOSK_ID")
        check(r.get("PRIORITY", "") in ("3", "4", "5", "6", "7"), "PRIORITY: %r" % r)
        check(r.get("CODE_FILE", "").endswith(".c") and r.get("CODE_LINE", "").isdigit(),
              "CODE_FILE, CODE_LINE: %r" % r)
        check(patron(18) not in "".join(r.values()), "an unmasked patron id: %r" % r)
    txn_id = t.journal()[0]["id"]
    recorded = [r for r in records if r["MESSAGE"].startswith("recorded checkout")]
    check(len(recorded) == 1, "one 'recorded checkout' record: %r" % records)
    check_eq(recorded[0].get("CIRCD_TXN"), txn_id, "CIRCD_TXN")
    check_eq(recorded[0]["PRIORITY"], "6", "info's PRIORITY")
    check(all("CIRCD_TXN" not in r for r in records if r is not recorded[0]),
          "CIRCD_TXN only where a record is about a transaction")
    check("recorded checkout" not in d.log(), "the journal took the records; stderr had them too")


def test_journald_forwarded_transaction(t):
    """A return recorded offline and forwarded when the ILS is back: both records carry its
    transaction id, so journalctl CIRCD_TXN=... tells its whole story."""
    acs = start_acs(t)
    go_offline(acs)
    d, journal = _start_with_journal(t, sip2_conf(t, acs, mode="returns"), fake_clock=False)
    d.scan_item(ITEM[1])
    come_back(acs)
    wait_outbox_empty(t)
    check_eq(d.stop(), 0, "exit status")
    records = journal.records()
    txn_id = t.journal()[0]["id"]
    about = [r["MESSAGE"] for r in records if r.get("CIRCD_TXN") == txn_id]
    check(len(about) == 2 and about[0].startswith("recorded checkin") and
          about[1].startswith("forwarded checkin"), "the return's records: %r" % about)
