# SPDX-License-Identifier: GPL-2.0-or-later
"""
End-to-end test helpers: start the real circd on the simulated board, drive
it through the sim test channel (hal/sim.h), ask it through circctl, and read
its sqlite store. Python 3 standard library only.

Every test function takes one argument, a T (made by run.py): a fresh temp
directory, helpers to write configs, start daemons and read the store. When
the test ends, run.py calls T.cleanup(), which stops every daemon it started
(SIGTERM, then SIGKILL after a grace period) and, with CIRCD_SAN=1, fails the
test if a sanitizer reported anything.

Every wait is bounded by TIMEOUT (longer under CIRCD_SAN=1).
"""

import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import termios
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _binary(env, default):
    p = os.environ.get(env)
    if p:
        return os.path.abspath(p)
    return os.path.join(REPO, default)


CIRCD = _binary("CIRCD", "build/circd")
CIRCCTL = _binary("CIRCCTL", "build/circctl")
SIM_BOARD = os.path.join(REPO, "boards", "sim.ini")
# circd runs in each test's own directory: its patron texts come from this tree.
os.environ.setdefault("CIRCD_MESSAGES", os.path.join(REPO, "ui", "messages"))
SAN = os.environ.get("CIRCD_SAN") == "1"
TIMEOUT = 40.0 if SAN else 10.0
SAN_PATTERNS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")

DAY_MS = 86400000
DONE = "DONE0001"


class Failure(AssertionError):
    pass


class Skipped(Exception):
    """A test that could not run here (t.skip): counted apart, never as passed."""


def check(cond, msg="check failed"):
    if not cond:
        raise Failure(msg)


def wait_for(what, fn, timeout=None, interval=0.02, tick=None):
    """Polls fn() until it returns something true (returned); bounded by timeout (TIMEOUT when
    None). tick() runs between polls (e.g. to advance a fake clock)."""
    limit = timeout or TIMEOUT
    deadline = time.monotonic() + limit
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise Failure("timed out (%.0fs) waiting for %s; last: %r" % (limit, what, last))
        if tick:
            tick()
        time.sleep(interval)


def check_eq(got, want, what="value"):
    if got != want:
        raise Failure("%s: expected %r, got %r" % (what, want, got))


# ---------------------------------------------------------------- barcodes

def end_of_day_ms(wall_ms):
    """23:59:59 local time on the day of wall_ms: when circd makes an offline loan due."""
    t = time.localtime(wall_ms // 1000)
    return int(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 23, 59, 59, 0, 0, -1))) * 1000


def check_digit(d13):
    """Mod-10 check digit over 13 digits: double positions 1,3,..,13 (1-based)."""
    assert len(d13) == 13 and d13.isdigit()
    total = 0
    for i, c in enumerate(d13):
        v = int(c)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return (10 - total % 10) % 10


def codabar(kind_digit, n, institution="1234"):
    body = "%s%s%08d" % (kind_digit, institution, n)
    return body + str(check_digit(body))


def patron(n):
    return codabar("2", n)


def item(n):
    return codabar("3", n)


def bad_check(code):
    """The same symbol with a wrong check digit."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


# ------------------------------------------------------------------ events

def displays(events, kind=None):
    """Texts of 'display <kind> <text>' events (all kinds if kind is None)."""
    out = []
    for e in events:
        if not e.startswith("display "):
            continue
        parts = e.split(" ", 2)
        k = parts[1] if len(parts) > 1 else ""
        text = parts[2] if len(parts) > 2 else ""
        if kind is None or k == kind:
            out.append(text)
    return out


def has_gpio(events, role, value):
    return ("gpio %s %d" % (role, value)) in events


def fmt_events(events):
    return "\n    " + "\n    ".join(events) if events else " (none)"


def mentions_count(text, n):
    """True if the number n appears as a whole number in text."""
    return re.search(r"(?<![0-9])%d(?![0-9])" % n, text) is not None


# ------------------------------------------------------------- sim channel

class SimClosed(Exception):
    pass


class SimClient:
    """One client of the sim test channel."""

    def __init__(self, path, timeout=TIMEOUT):
        self.path = path
        self.timeout = timeout
        self.buf = b""
        self.history = []  # every event line seen, in order
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeout)
            self.sock.connect(path)
            hello = self.readline(time.monotonic() + timeout)
        except BaseException:
            self.sock.close()
            raise
        if hello != "hello circd":
            self.sock.close()
            raise Failure("sim channel: expected 'hello circd', got %r" % hello)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("sim channel: timed out waiting for a line (partial %r)" % self.buf)
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise Failure("sim channel: timed out waiting for a line (partial %r)" % self.buf)
            except ConnectionResetError:
                data = b""
            if not data:
                raise SimClosed("sim channel closed (partial %r)" % self.buf)
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, line):
        try:
            self.sock.sendall((line + "\n").encode())
        except (BrokenPipeError, ConnectionResetError) as e:
            raise SimClosed(str(e))

    @staticmethod
    def is_answer(line):
        return line == "ok" or line == "error" or line.startswith("error ")

    def read_answer(self, timeout=None, into=None):
        """Collects event lines up to the next answer; returns (events, answer)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        events = [] if into is None else into
        while True:
            line = self.readline(deadline)
            if self.is_answer(line):
                return events, line
            events.append(line)
            self.history.append(line)

    def cmd(self, line, timeout=None):
        """Sends one command; returns (events it caused, 'ok' or 'error ...')."""
        self.send(line)
        return self.read_answer(timeout)

    def cmd_ok(self, line, timeout=None):
        events, answer = self.cmd(line, timeout)
        if answer != "ok":
            raise Failure("sim command %r answered %r; events:%s" % (line, answer,
                                                                  fmt_events(events)))
        return events

    def wait_event(self, pred, timeout=None):
        """Reads lines until an event satisfies pred; returns the events read."""
        deadline = time.monotonic() + (timeout or self.timeout)
        events = []
        while True:
            try:
                line = self.readline(deadline)
            except Failure:
                raise Failure("sim channel: no matching event within timeout; got:%s"
                              % fmt_events(events))
            if self.is_answer(line):
                continue
            events.append(line)
            self.history.append(line)
            if pred(line):
                return events

    def drain_until_closed(self, timeout=None):
        """Reads every remaining line until the daemon closes the socket."""
        deadline = time.monotonic() + (timeout or self.timeout)
        lines = []
        while True:
            try:
                line = self.readline(deadline)
            except SimClosed:
                return lines
            lines.append(line)
            if not self.is_answer(line):
                self.history.append(line)


# ------------------------------------------------------------------ daemon

class Daemon:
    def __init__(self, t, argv, conf, sim_path, ctl_path, log_path, preexec_fn=None):
        self.t = t
        self.argv = argv
        self.conf = conf
        self.sim_path = sim_path
        self.ctl_path = ctl_path
        self.log_path = log_path
        self.sim = None
        self._log_chunks = []
        self._log_lock = threading.Lock()
        self._log_busy = False  # the reader holds bytes not yet in _log_chunks
        self._logf = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, preexec_fn=preexec_fn,
                                     cwd=t.dir)
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    @property
    def pid(self):
        return self.proc.pid

    def _pump(self):
        # Through a pipe, not a file: RLIMIT_FSIZE in a test must not cut the log.
        fd = self.proc.stdout.fileno()
        while True:
            try:
                select.select([fd], [], [])
                with self._log_lock:
                    self._log_busy = True
                data = os.read(fd, 65536)
            except (OSError, ValueError):
                break
            with self._log_lock:
                self._log_busy = False
                if not data:
                    break
                self._log_chunks.append(data)
                try:
                    self._logf.write(data)
                    self._logf.flush()
                except (OSError, ValueError):
                    pass
        with self._log_lock:
            self._log_busy = False

    def _log_unread(self):
        try:
            buf = fcntl.ioctl(self.proc.stdout.fileno(), termios.FIONREAD, b"\0\0\0\0")
            return struct.unpack("i", buf)[0]
        except (OSError, ValueError):
            return 0

    def _log_drained(self):
        """What circd wrote before this call is in the chunks: a test that
        saw an effect of a logged step must find the line, however late the
        reader thread ran (bounded, for a circd that never stops writing)."""
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            with self._log_lock:
                busy = self._log_busy
            if not busy and self._log_unread() == 0:
                return
            time.sleep(0.002)

    def log(self):
        self._log_drained()
        with self._log_lock:
            return b"".join(self._log_chunks).decode("utf-8", "replace")

    def log_bytes(self):
        self._log_drained()
        with self._log_lock:
            return b"".join(self._log_chunks)

    def running(self):
        return self.proc.poll() is None

    def wait_ready(self, timeout=None):
        """Waits (bounded) for the sim socket to accept (unless sim_path is None: a board
        with no sim backend has none) and the control socket to exist."""
        deadline = time.monotonic() + (timeout or self.t.timeout)
        last = None
        while self.sim_path:
            if self.proc.poll() is not None:
                self._join_reader()
                raise Failure("circd exited with status %d during start-up; log:\n%s"
                              % (self.proc.returncode, self.log()))
            if os.path.exists(self.sim_path):
                try:
                    self.sim = SimClient(self.sim_path, self.t.timeout)
                    break
                except (OSError, SimClosed, Failure) as e:
                    last = e
            if time.monotonic() > deadline:
                raise Failure("circd did not open its sim socket %s within the timeout (%r); "
                              "log:\n%s" % (self.sim_path, last, self.log()))
            time.sleep(0.01)
        while self.ctl_path and not os.path.exists(self.ctl_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Failure("circd did not create its control socket %s; log:\n%s"
                              % (self.ctl_path, self.log()))
            time.sleep(0.01)
        return self

    def _join_reader(self):
        self._reader.join(self.t.timeout)

    def wait_exit(self, timeout=None):
        try:
            rc = self.proc.wait(timeout or self.t.timeout)
        except subprocess.TimeoutExpired:
            return None
        self._join_reader()
        return rc

    def signal(self, sig):
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, grace=None):
        """SIGTERM, then SIGKILL after the grace period. Returns the exit status."""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(grace or self.t.timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(self.t.timeout)
                self.t.note("circd pid %d ignored SIGTERM; killed" % self.proc.pid)
        self._join_reader()
        self.close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(self.t.timeout)
        self._join_reader()
        return self.proc.returncode

    def close(self):
        if self.sim:
            self.sim.close()
        try:
            self._logf.close()
        except OSError:
            pass

    # Shorthands for the sim channel. Scans return the events only: whether a
    # refused scan is answered "ok" or "error" is not part of the contract.
    def cmd(self, line, timeout=None):
        return self.sim.cmd(line, timeout)

    def scan_item(self, text):
        return self.sim.cmd("scan item_scanner " + text)[0]

    def scan_patron(self, text):
        return self.sim.cmd("scan patron_reader " + text)[0]

    def pin(self, digits):
        return self.sim.cmd("pin " + digits)[0]

    def input(self, role, value):
        return self.sim.cmd_ok("input %s %d" % (role, value))

    def advance(self, ms):
        return self.sim.cmd_ok("advance %d" % ms)

    def ping(self):
        return self.sim.cmd_ok("ping")


# ------------------------------------------------------------- test context

SECTION_ORDER = ["kiosk", "store", "control", "sim", "barcode", "feedback", "offline", "log"]


class T:
    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="c", dir="/tmp")
        self.timeout = TIMEOUT
        self.daemons = []
        self.san_outputs = []  # (what, text) of one-shot circd runs
        self.notes = []
        self.db = self.path("circd.db")
        self.sim_sock = self.path("sim.sock")
        self.ctl_sock = self.path("ctl.sock")
        self._nlog = 0
        self._cleanups = []  # (what, fn), run after the daemons stop, newest first
        self._extra_logs = []  # (name, fn returning text), shown when a test fails

    def at_cleanup(self, what, fn):
        """Runs fn() in cleanup(), after every circd has stopped (newest first)."""
        self._cleanups.append((what, fn))

    def add_log(self, name, fn):
        """A log (fn() returns its text) run.py shows with circd's when a test fails."""
        self._extra_logs.append((name, fn))

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def note(self, msg):
        self.notes.append(msg)

    def skip(self, why):
        raise Skipped(why)

    # ---- config and board files

    def sections(self, overrides=None):
        s = {
            "kiosk": {"id": "kiosk-test"},
            "store": {"path": self.db},
            "control": {"socket": self.ctl_sock},
            "sim": {"socket": self.sim_sock},
            "barcode": {"done": DONE},
        }
        for sec, keys in (overrides or {}).items():
            if keys is None:
                s.pop(sec, None)
                continue
            d = s.setdefault(sec, {})
            for k, v in keys.items():
                if v is None:
                    d.pop(k, None)
                else:
                    d[k] = v
        return s

    @staticmethod
    def render(sections):
        order = [s for s in SECTION_ORDER if s in sections] + \
            [s for s in sections if s not in SECTION_ORDER]
        out = []
        for sec in order:
            out.append("[%s]" % sec)
            for k, v in sections[sec].items():
                out.append("%s = %s" % (k, v))
            out.append("")
        return "\n".join(out)

    def config(self, overrides=None, name="circd.conf", text=None):
        """Writes a config file (defaults + overrides, or raw text); returns its path."""
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text if text is not None else self.render(self.sections(overrides)))
        return p

    def sim_board_text(self):
        with open(SIM_BOARD) as f:
            return f.read()

    # ---- daemons

    def circd_argv(self, conf, board=None, fake_clock=True, extra=()):
        argv = [CIRCD, "-f", "-c", conf, "-b", board or SIM_BOARD]
        if fake_clock:
            argv.append("--fake-clock")
        return argv + list(extra)

    def start(self, conf=None, board=None, fake_clock=True, extra=(), preexec_fn=None,
              wrap=None, wait=True, sim_path=None, ctl_path=None, sim=True):
        """Starts circd (writing the default config if conf is None) and waits until ready.
        sim=False: the board has no sim backend, so only the control socket is waited for."""
        if conf is None:
            conf = self.config()
        argv = self.circd_argv(conf, board, fake_clock, extra)
        if wrap:
            argv = list(wrap) + argv
        log = self.path("circd.%d.log" % self._nlog)
        self._nlog += 1
        d = Daemon(self, argv, conf, (sim_path or self.sim_sock) if sim else None,
                   self.ctl_sock if ctl_path is None else ctl_path, log, preexec_fn)
        self.daemons.append(d)
        if wait:
            d.wait_ready()
        return d

    def run_circd(self, args, timeout=None):
        """Runs circd to completion (config errors, --check-config); returns CompletedProcess."""
        try:
            r = subprocess.run([CIRCD] + list(args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout or self.timeout, cwd=self.dir)
        except subprocess.TimeoutExpired:
            raise Failure("circd %s did not exit within %ss" % (" ".join(args),
                                                                timeout or self.timeout))
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        self.san_outputs.append(("circd " + " ".join(args), r.stdout + r.stderr))
        return r

    # ---- circctl

    def ctl(self, *args, sock=None, check_rc=True):
        argv = [CIRCCTL, "-s", sock or self.ctl_sock] + list(args)
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise Failure("%s did not exit within %ss" % (" ".join(argv), self.timeout))
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        self.san_outputs.append(("circctl " + " ".join(args), r.stderr))
        if check_rc and r.returncode != 0:
            raise Failure("%s exited %d\nstdout: %s\nstderr: %s"
                          % (" ".join(argv), r.returncode, r.stdout, r.stderr))
        return r

    def ctl_json(self, *args, sock=None):
        r = self.ctl(*(list(args) + ["--json"]), sock=sock)
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            raise Failure("circctl %s --json printed invalid JSON (%s): %r"
                          % (" ".join(args), e, r.stdout))

    def status(self, sock=None):
        return self.ctl_json("status", sock=sock)

    # ---- store

    def query(self, sql, db=None, args=()):
        p = db or self.db
        if not os.path.exists(p):
            raise Failure("store %s does not exist" % p)
        con = sqlite3.connect("file:%s?mode=ro" % p, uri=True, timeout=self.timeout)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, args).fetchall()]
        finally:
            con.close()

    def journal(self, db=None):
        return self.query("SELECT * FROM journal ORDER BY seq", db)

    def journal_copy(self, db):
        """The journal of a store sqlite cannot open in place (e.g. under /proc/PID/root,
        which sqlite would resolve to our own mount namespace): copies the database and
        its WAL (consistent while circd is idle) and reads the copy."""
        snap = tempfile.mkdtemp(prefix="snap", dir=self.dir)
        copy = os.path.join(snap, "copy.db")
        for suffix in ("", "-wal"):
            if os.path.exists(db + suffix):
                shutil.copyfile(db + suffix, copy + suffix)
        try:
            con = sqlite3.connect(copy, timeout=self.timeout)
            try:
                con.row_factory = sqlite3.Row
                return [dict(r) for r in con.execute("SELECT * FROM journal ORDER BY seq")]
            finally:
                con.close()
        finally:
            shutil.rmtree(snap, ignore_errors=True)

    def loans(self, db=None):
        return self.query("SELECT * FROM loans ORDER BY item", db)

    def store_bytes(self, db=None):
        """The bytes of the database and its -wal/-shm/-journal files."""
        p = db or self.db
        out = b""
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                with open(p + suffix, "rb") as f:
                    out += f.read()
            except FileNotFoundError:
                pass
        return out

    @staticmethod
    def dir_digest(d):
        """name -> sha256 of every regular file in d."""
        out = {}
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    out[name] = hashlib.sha256(f.read()).hexdigest()
        return out

    # ---- end

    def cleanup(self):
        """Stops every daemon; returns a list of problems (sanitizer reports)."""
        problems = []
        for d in self.daemons:
            try:
                d.stop()
            except Exception as e:  # still try the others
                problems.append("stopping circd pid %d: %r" % (d.pid, e))
                try:
                    d.proc.kill()
                except OSError:
                    pass
        for what, fn in reversed(self._cleanups):
            try:
                fn()
            except Exception as e:
                problems.append("cleanup of %s: %r" % (what, e))
        self._cleanups = []
        if SAN:
            for d in self.daemons:
                text = d.log()
                for pat in SAN_PATTERNS:
                    if pat in text:
                        problems.append("sanitizer report (%r) in %s:\n%s"
                                        % (pat, d.log_path, text[-4000:]))
                        break
            for what, text in self.san_outputs:
                for pat in SAN_PATTERNS:
                    if pat in text:
                        problems.append("sanitizer report (%r) from %s:\n%s"
                                        % (pat, what, text[-4000:]))
                        break
        return problems

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        out = [(d.log_path, d.log()) for d in self.daemons]
        for name, fn in self._extra_logs:
            try:
                out.append((name, fn()))
            except Exception as e:
                out.append((name, "(cannot read: %r)" % e))
        return out
