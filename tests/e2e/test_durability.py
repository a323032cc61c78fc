# SPDX-License-Identifier: GPL-2.0-or-later
"""
Durability: what circd acknowledged (lamp and display come only after the
durable commit) survives SIGKILL, SIGTERM, a full disk and a read-only
store; and nothing is recorded twice.
"""

import collections
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time

from harness import (DAY_MS, DONE, SAN, SimClosed, check, check_eq, displays, fmt_events,
                     has_gpio, item, patron)


def returns_conf(t, **over):
    o = {"kiosk": {"mode": "returns"}, "log": {"level": "warning"}}
    for sec, keys in over.items():
        o.setdefault(sec, {}).update(keys)
    return t.config(o)


def acked(lines, code):
    return any(line.startswith("display ok ") and code in line for line in lines)


def check_journal(t, acked_items, sent_items, max_unacked, what):
    rows = t.journal()
    items = [r["item"] for r in rows]
    dups = [i for i, n in collections.Counter(items).items() if n > 1]
    check(not dups, "%s: items recorded more than once: %r" % (what, dups))
    ids = [r["id"] for r in rows]
    check(len(set(ids)) == len(ids), "%s: duplicate transaction ids" % what)
    check(all(ids), "%s: empty transaction id" % what)
    missing = sorted(set(acked_items) - set(items))
    check(not missing, "%s: %d acknowledged items missing from the journal: %r"
          % (what, len(missing), missing[:10]))
    strange = sorted(set(items) - set(sent_items))
    check(not strange, "%s: journal has items never scanned: %r" % (what, strange[:10]))
    unacked = sorted(set(items) - set(acked_items))
    check(len(unacked) <= max_unacked, "%s: %d rows were never acknowledged (at most %d "
          "allowed): %r" % (what, len(unacked), max_unacked, unacked[:10]))
    return rows, unacked


def test_kill9_at_random_moments(t):
    seed = int(os.environ.get("E2E_SEED") or random.SystemRandom().randrange(1 << 32))
    print("test_kill9_at_random_moments: seed %d (E2E_SEED=%d to repeat)" % (seed, seed),
          file=sys.stderr, flush=True)
    t.note("seed %d" % seed)
    rng = random.Random(seed)
    conf = returns_conf(t)
    n_items = 300
    n_kills = rng.randint(3, 5)
    kill_at = sorted(rng.sample(range(10, n_items - 10), n_kills))
    t.note("kills before items %r" % kill_at)
    acked_items, sent, in_flight = set(), [], []
    d = t.start(conf, fake_clock=False)
    for i in range(n_items):
        code = item(500000 + i)
        sent.append(code)
        if kill_at and i == kill_at[0]:
            kill_at.pop(0)
            d.sim.send("scan item_scanner " + code)
            # Mostly within the scan's own processing time, sometimes after it.
            time.sleep(rng.choice((0, rng.uniform(0, 0.0005), rng.uniform(0, 0.003))))
            d.kill()
            lines = d.sim.drain_until_closed()
            if acked(lines, code):
                acked_items.add(code)
            else:
                in_flight.append(code)
            d.close()
            d = t.start(conf, fake_clock=False)
            continue
        ev, answer = d.sim.cmd("scan item_scanner " + code)
        check(acked(ev, code), "item %s (#%d) not accepted:%s" % (code, i, fmt_events(ev)))
        acked_items.add(code)
    check_eq(d.stop(), 0, "exit status after SIGTERM")
    rows, unacked = check_journal(t, acked_items, sent, n_kills, "after %d kills" % n_kills)
    check(set(unacked) <= set(in_flight), "unacknowledged rows %r were not in flight at a kill "
          "(in flight: %r)" % (unacked, in_flight))
    check(len(rows) >= n_items - n_kills, "rows %d" % len(rows))
    t.note("in flight at the kills: %d, of which recorded: %d" % (len(in_flight), len(unacked)))
    for r in rows:
        check_eq((r["kind"], r["state"]), ("checkin", "pending"), "row %s" % r["item"])


def test_kill9_during_startup(t):
    # Killed while creating or migrating the store: the next start must find
    # a usable store (migrations are atomic), never a half-made one.
    seed = int(os.environ.get("E2E_SEED") or random.SystemRandom().randrange(1 << 32))
    t.note("seed %d" % seed)
    rng = random.Random(seed)
    conf = returns_conf(t)
    argv = t.circd_argv(conf, fake_clock=True)
    slow = 10 if SAN else 1
    kills = 20
    for i in range(kills):
        if rng.random() < 0.5:  # often from scratch: kill during creation
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(t.db + suffix):
                    os.unlink(t.db + suffix)
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=t.dir)
        try:
            time.sleep(rng.uniform(0, 0.015 * slow))
        finally:
            p.kill()
            p.wait(t.timeout)
    d = t.start(conf)
    a = item(900001)
    ev = d.scan_item(a)
    check(acked(ev, a), "scan after %d kills during start-up:%s" % (kills, fmt_events(ev)))
    st = t.status()
    check_eq((st["store"], st["last_error"]), ("ok", None), "status after kills during start-up")
    check_eq([r["item"] for r in t.journal()], [a], "rows")


def test_sigterm_with_scans_in_flight(t):
    d = t.start(returns_conf(t), fake_clock=False)
    codes = [item(600000 + i) for i in range(3000)]
    sent = []

    def writer():
        # Keeps scans coming, a few at a time, until circd goes away.
        try:
            for i in range(0, len(codes), 4):
                batch = codes[i:i + 4]
                d.sim.send("\n".join("scan item_scanner " + c for c in batch))
                sent.extend(batch)
                time.sleep(0.0005)
        except (SimClosed, OSError):
            pass

    w = threading.Thread(target=writer, daemon=True)
    w.start()
    seen = []
    while sum(1 for e in seen if e.startswith("display ok ")) < 50:
        seen += d.sim.wait_event(lambda e: e.startswith("display ok "))
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    seen += d.sim.drain_until_closed()
    rc = d.wait_exit()
    took = time.monotonic() - t0
    w.join(t.timeout)
    check(rc is not None, "circd did not exit within %ss of SIGTERM" % t.timeout)
    check_eq(rc, 0, "exit status after SIGTERM")
    check(took < (t.timeout / 2), "SIGTERM took %.1fs" % took)
    ackset = set()
    for e in seen:
        if e.startswith("display ok "):
            ackset.update(re.findall(r"(?<![0-9])3[0-9]{13}(?![0-9])", e))
    got = [c for c in codes if c in ackset]
    rows, unacked = check_journal(t, got, codes, 1, "after SIGTERM")
    t.note("%d sent, %d acknowledged before exit, %d rows" % (len(sent), len(got), len(rows)))
    if len(sent) <= len(got):
        t.note("everything sent was processed before SIGTERM: nothing was in flight")


def _sizes(db):
    out = {}
    for suffix in ("", "-wal", "-shm"):
        try:
            out[suffix or "db"] = os.path.getsize(db + suffix)
        except FileNotFoundError:
            pass
    return out


def test_disk_full(t):
    conf = returns_conf(t)
    # Measure what the store grows to at start-up, with no limit.
    d = t.start(conf)
    d.ping()
    sizes = [_sizes(t.db)]
    check_eq(d.stop(), 0, "exit status")
    sizes.append(_sizes(t.db))
    biggest = max(max(s.values()) for s in sizes if s)
    limit = max(biggest, 32768) + 12 * 4096
    t.note("store sizes %r, RLIMIT_FSIZE %d" % (sizes, limit))

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        # Only the soft limit, so that the test can lift it later (prlimit).
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    d = t.start(conf, preexec_fn=limited)
    acked_items, refused = [], None
    for i in range(400):
        code = item(700000 + i)
        ev = d.scan_item(code)
        if acked(ev, code):
            acked_items.append(code)
            continue
        check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1),
              "item %s neither accepted nor refused with display error + lamp_error:%s"
              % (code, fmt_events(ev)))
        check(not has_gpio(ev, "flap_unlock", 1), "refused item opened the flap")
        refused = code
        break
    check(refused, "400 items accepted under RLIMIT_FSIZE %d: the limit had no effect" % limit)
    t.note("%d accepted before the refusal" % len(acked_items))
    d.ping()
    check(d.running(), "circd exited on a full disk")
    st = t.status()
    check(st.get("last_error") is not None or st.get("store") != "ok",
          "after a refused write, status should show the store error: %r" % st)
    rows = t.journal()
    check_eq([r["item"] for r in rows], acked_items, "journal after the full disk")
    ev = d.scan_item(item(700999))
    check(displays(ev, "error") and not acked(ev, item(700999)),
          "scan while the disk is still full:%s" % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], acked_items, "journal after a second refusal")
    # Space comes back (we lift the running daemon's soft limit): recording
    # works again without a restart, and only what was acknowledged is in the
    # journal -- the refused transactions did not sneak in.
    if hasattr(resource, "prlimit"):
        resource.prlimit(d.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        code = item(700998)
        ev = d.scan_item(code)
        check(acked(ev, code), "scan after space came back (no restart):%s" % fmt_events(ev))
        acked_items.append(code)
        check_eq([r["item"] for r in t.journal()], acked_items, "journal after recovery")
        st = t.status()
        check_eq(st.get("store"), "ok", "status store after recovery")
    before = [(r["id"], r["item"]) for r in t.journal()]
    check_eq(d.stop(), 0, "exit status")

    d = t.start(conf)
    code = item(799999)
    ev = d.scan_item(code)
    check(acked(ev, code), "scan after restarting without the limit:%s" % fmt_events(ev))
    st = t.status()
    check_eq((st.get("store"), st.get("last_error")), ("ok", None),
             "status after restarting without the limit")
    rows = t.journal()
    check_eq([(r["id"], r["item"]) for r in rows][:len(before)], before,
             "earlier rows after the restart")
    check_eq([r["item"] for r in rows], acked_items + [code], "journal after the restart")


def test_real_disk_full(t):
    # A really full file system (ENOSPC, not RLIMIT_FSIZE's EFBIG): a small
    # tmpfs in a private mount namespace, seen from here via /proc/PID/root.
    if os.geteuid() != 0:
        t.skip("needs root for a private tmpfs")
    sdir = t.path("small")
    os.mkdir(sdir)
    db = os.path.join(sdir, "circd.db")
    conf = returns_conf(t, store={"path": db})
    wrap = ["unshare", "-m", "sh", "-c",
            'mount -t tmpfs -o size=1m,mode=0755 tmpfs "$1" && shift && exec "$@"', "sh", sdir]
    d = t.start(conf, wrap=wrap)
    inside = "/proc/%d/root%s" % (d.pid, sdir)
    vdb = os.path.join(inside, "circd.db")
    check(os.path.exists(vdb), "store not created on the tmpfs")
    a = item(810001)
    check(acked(d.scan_item(a), a), "first scan on the tmpfs")
    # Fill the file system, then leave room for a few commits.
    filler = os.path.join(inside, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    size = os.path.getsize(filler)
    os.truncate(filler, max(0, size - 8 * 4096))
    acked_items, refused = [a], None
    for i in range(400):
        code = item(811000 + i)
        ev = d.scan_item(code)
        if acked(ev, code):
            acked_items.append(code)
            continue
        check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1),
              "item %s on a full disk: neither accepted nor refused with display error + "
              "lamp_error:%s" % (code, fmt_events(ev)))
        refused = code
        break
    check(refused, "400 items accepted on a full 1 MiB tmpfs")
    t.note("%d accepted before the refusal" % len(acked_items))
    d.ping()
    st = t.status()
    check(st.get("last_error") is not None or st.get("store") != "ok",
          "after ENOSPC, status should show the store error: %r" % st)
    check_eq([r["item"] for r in t.journal_copy(vdb)], acked_items, "journal on the full disk")
    # Space is freed: recording resumes without a restart.
    os.unlink(filler)
    code = item(812000)
    ev = d.scan_item(code)
    check(acked(ev, code), "scan after space was freed:%s" % fmt_events(ev))
    acked_items.append(code)
    check_eq([r["item"] for r in t.journal_copy(vdb)], acked_items, "journal after space was freed")
    check_eq(t.status().get("store"), "ok", "status store after space was freed")
    check_eq(d.stop(), 0, "exit status")


def test_read_only_store(t):
    sdir = t.path("store")
    os.mkdir(sdir)
    db = os.path.join(sdir, "circd.db")
    conf = returns_conf(t, store={"path": db})
    d = t.start(conf)
    first = [item(800001), item(800002)]
    for code in first:
        check(acked(d.scan_item(code), code), "first run: %s" % code)
    check_eq(d.stop(), 0, "exit status")
    digest = t.dir_digest(sdir)
    check(digest, "no store files?")

    if os.geteuid() == 0:
        wrap = ["unshare", "-m", "sh", "-c",
                'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && '
                'exec "$@"', "sh", sdir]
        restore = None
    else:
        wrap = None
        modes = {n: os.stat(os.path.join(sdir, n)).st_mode for n in os.listdir(sdir)}
        for n in modes:
            os.chmod(os.path.join(sdir, n), 0o444)
        os.chmod(sdir, 0o555)

        def restore():
            os.chmod(sdir, 0o755)
            for n, m in modes.items():
                os.chmod(os.path.join(sdir, n), m & 0o7777)
    try:
        d = t.start(conf, wrap=wrap)
        code = item(800003)
        ev = d.scan_item(code)
        check(displays(ev, "error") and has_gpio(ev, "lamp_error", 1) and not acked(ev, code),
              "scan with a read-only store: expected display error + lamp_error; got:%s"
              % fmt_events(ev))
        check(not has_gpio(ev, "flap_unlock", 1), "flap opened with a read-only store")
        d.ping()
        check(d.running(), "circd exited with a read-only store")
        st = t.status()
        check(st.get("store") != "ok", "status store should report the error: %r" % st)
        check(st.get("last_error"), "status last_error should be set: %r" % st)
        ev = d.scan_item(item(800004))
        check(displays(ev, "error"), "second scan with a read-only store:%s" % fmt_events(ev))
        d.stop()
    finally:
        if restore:
            restore()
    check_eq(t.dir_digest(sdir), digest, "store files changed while read-only")
    check_eq([r["item"] for r in t.journal(db)], first, "journal after the read-only run")


def test_restart_keeps_data(t):
    conf = t.config()
    d = t.start(conf, fake_clock=False)
    p, q = patron(50), patron(51)
    a, b = item(5001), item(5002)
    d.scan_patron(p)
    for code in (a, b):
        check(acked(d.scan_item(code), code), "checkout %s" % code)
    d.scan_item(DONE)
    check_eq(d.stop(), 0, "exit status")
    rows = t.journal()
    now = int(time.time() * 1000)
    for r in rows:
        check(abs(r["wall_ms"] - now) < 60000, "wall_ms %d far from now %d" % (r["wall_ms"], now))
        check(abs(r["due_ms"] - (r["wall_ms"] + 14 * DAY_MS)) <= DAY_MS,
              "due_ms %d not about 14 days after %d" % (r["due_ms"], r["wall_ms"]))

    d = t.start(conf, fake_clock=False)
    out = t.ctl_json("outbox")
    check_eq([x["id"] for x in out["transactions"]], [r["id"] for r in rows],
             "outbox after a restart")
    check_eq(t.status()["outbox"], 2, "status outbox after a restart")
    # The loans survived too: a is still on loan to p.
    d.scan_patron(q)
    ev = d.scan_item(a)
    check(displays(ev, "error") and not acked(ev, a), "item on loan before the restart, "
          "borrowed by another patron:%s" % fmt_events(ev))
    c = item(5003)
    check(acked(d.scan_item(c), c), "new checkout after a restart")
    d.scan_item(DONE)
    out = t.ctl_json("outbox")
    check_eq([x["item"] for x in out["transactions"]], [a, b, c], "outbox items")
    rows2 = t.journal()
    check_eq(rows2[:2], rows, "first run's rows unchanged")
    # CLOCK_MONOTONIC is only comparable within one kernel boot: boot_id names it.
    check_eq(rows2[2]["boot_id"], rows[0]["boot_id"], "boot_id across a restart in one boot")


def _return_ok(d, code, what):
    ev = d.scan_item(code)
    check(displays(ev, "ok") and not displays(ev, "error"), "%s: %s:%s"
          % (what, code, fmt_events(ev)))


def _return_refused(d, code, what):
    ev = d.scan_item(code)
    check(displays(ev, "error") and not displays(ev, "ok"),
          "%s: %s should be refused with the store error:%s" % (what, code, fmt_events(ev)))


def test_database_deleted_while_running(t):
    """The database file (or its WAL) deleted under a running circd: the next scan is
    refused with the store error and status says so, instead of OKs that vanish."""
    for victim in ("", "-wal"):
        d = t.start(returns_conf(t))
        _return_ok(d, item(7001), "before")
        check(os.path.exists(t.db + victim), "store file %s" % (t.db + victim))
        os.unlink(t.db + victim)
        st = t.status()
        check(st["store"].startswith("failing") and "while circd was running" in st["store"],
              "status after deleting %s: %r" % (victim or "the database", st["store"]))
        _return_refused(d, item(7002), "after deleting " + (victim or "the database"))
        _return_refused(d, item(7003), "still after deleting " + (victim or "the database"))
        st = t.status()
        check(st["store"] != "ok" and st["last_error"], "status: %r" % st)
        # What the vanished file held was copied beside it, before circd exits.
        import glob
        copies = [p for p in glob.glob(t.db + ".rescued-*") if p[-5:] != ".mark"
                  and not p.endswith(".lock")]
        check(len(copies) == 1 and copies[0] in st["store"],
              "one rescued copy, named in status: %r %r" % (copies, st["store"]))
        rows = t.query("SELECT item FROM journal", db=copies[0])
        check_eq([r["item"] for r in rows], [item(7001)], "the rescued copy's journal")
        d.stop()
        for p in glob.glob(t.db + "*"):
            os.unlink(p)


def test_fewer_rows_than_acknowledged_at_start(t):
    """A start that finds fewer transactions than were acknowledged (the database replaced
    by an older copy, or a WAL truncated) says so loudly: an err log line, status not "ok";
    circd keeps working and deletes nothing."""
    import shutil
    d = t.start(returns_conf(t))
    for n in range(3):
        _return_ok(d, item(7100 + n), "first run")
    check_eq(d.stop(), 0, "exit status")
    shutil.copyfile(t.db, t.path("older.db"))
    d = t.start(returns_conf(t))
    for n in range(3, 5):
        _return_ok(d, item(7100 + n), "second run")
    check_eq(d.stop(), 0, "exit status")
    st = None
    os.replace(t.path("older.db"), t.db)
    d = t.start(returns_conf(t))
    st = t.status()
    check(st["store"] != "ok" and "acknowledged" in st["store"] and "seq 5" in st["store"],
          "status after the older copy came back: %r" % st["store"])
    pattern = r"circd error: store .*acknowledged transactions are missing"
    deadline = time.monotonic() + t.timeout
    while not re.search(pattern, d.log()) and time.monotonic() < deadline:
        time.sleep(0.05)  # the log comes through a pipe
    check(re.search(pattern, d.log()),
          "the start should log the missing transactions at err:\n" + d.log())
    _return_ok(d, item(7200), "after the alarm")
    text = t.ctl("status").stdout
    check("DAMAGED" in text, "circctl status text:\n" + text)
    d.stop()
    check_eq(len(t.journal()), 4, "rows: the older copy's 3 and the new one")

    # A WAL cut short: the last commits are gone from what sqlite reads.
    for suffix in ("", "-wal", "-shm", ".mark"):
        if os.path.exists(t.db + suffix):
            os.unlink(t.db + suffix)
    d = t.start(returns_conf(t))
    for n in range(4):
        _return_ok(d, item(7300 + n), "wal run")
    d.kill()  # no checkpoint: the commits live in the WAL only
    # Cut the WAL after the third-last commit frame: the last two returns are gone. (The
    # last one alone is what a crash mid-recording also leaves: that is only a notice.)
    with open(t.db + "-wal", "r+b") as f:
        wal = f.read()
        page = int.from_bytes(wal[8:12], "big")
        commits, off = [], 32
        while off + 24 + page <= len(wal):
            if int.from_bytes(wal[off + 4:off + 8], "big"):
                commits.append(off + 24 + page)
            off += 24 + page
        check(len(commits) >= 4, "WAL commit frames: %r" % commits)
        f.truncate(commits[-3])
    d = t.start(returns_conf(t))
    st = t.status()
    check(st["store"] != "ok" and "acknowledged" in st["store"],
          "status after a truncated WAL: %r (journal %d rows)" % (st["store"], len(t.journal())))
    d.stop()
