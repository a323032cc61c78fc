"""A tiny SIP2 client and a launcher for the test ACS, for tests/acs/test_acs.py and
for any Python test that needs the ACS (the e2e tests may import it).

The client does its own framing and checksums, independently of acs_wire, so
the two check each other. Every socket has a timeout.

    acs = ACSProcess("--charset", "cp850")    # acs.py on free ports, state in a temp dir
    c = acs.client()
    r = c.checkout(ADA, ITEM[1])               # Reply: .code .fixed .f("AH") .ay .az .raw
    acs.admin("fault stall on"); acs.state(); acs.log()
    acs.cleanup()
"""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ACS = os.path.join(HERE, "acs.py")

ADA, BLOCKED, FINES, ALAN, JURGEN, KATHERINE = (
    "21234000000018", "21234000000026", "21234000000034", "21234000000042",
    "21234000000059", "21234000000067")
ITEM = {n: None for n in range(1, 21)}


def luhn14(body13):
    total = 0
    for i, c in enumerate(body13):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body13 + str((10 - total % 10) % 10)


for _n in ITEM:
    ITEM[_n] = luhn14("31234" + "%08d" % _n)

BLANK = " " * 18


def now18(offset=0):
    t = time.localtime(time.time() + offset)
    return time.strftime("%Y%m%d", t) + "    " + time.strftime("%H%M%S", t)


def cks(data):
    return b"%04X" % ((-sum(data)) & 0xFFFF)


def frame(text, seq=0, charset="ascii", ed=True, term=b"\r"):
    data = text.encode(charset)
    if ed:
        if seq is not None:
            data += b"AY%d" % seq
        data += b"AZ"
        data += cks(data)
    return data + term


def trailer_ok(raw):
    """raw without terminator ends with a valid AZ."""
    i = raw.rfind(b"AZ")
    return i >= 0 and len(raw) == i + 6 and (sum(raw[:i + 2]) + int(raw[i + 2:], 16)) & 0xFFFF == 0


class Reply:
    def __init__(self, raw, fixed_len, charset="ascii"):
        self.raw = raw
        body = raw
        self.az = None
        self.ay = None
        i = body.rfind(b"AZ")
        if i >= 0 and len(body) == i + 6:
            self.az = body[i + 2:].decode()
            body = body[:i]
            j = body.rfind(b"AY")
            if j >= 0 and len(body) == j + 3:
                self.ay = int(body[j + 2:j + 3])
                body = body[:j]
        text = body.decode(charset)
        self.code = text[:2]
        self.fixed = text[2:2 + fixed_len]
        self.fields = []
        for chunk in text[2 + fixed_len:].split("|"):
            if len(chunk) >= 2:
                self.fields.append((chunk[:2], chunk[2:]))

    def f(self, fid, default=None):
        for k, v in self.fields:
            if k == fid:
                return v
        return default

    def all(self, fid):
        return [v for k, v in self.fields if k == fid]

    def __repr__(self):
        return repr(self.raw)


FIXED_LEN = {"94": 1, "96": 0, "98": 34, "24": 35, "64": 59, "12": 22, "10": 22, "30": 22,
             "18": 24, "36": 19}


class Client:
    def __init__(self, port, tls=None, charset="ascii", term=b"\r", ed=True, timeout=3.0):
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            sock = tls.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.charset = charset
        self.term = term
        self.ed = ed
        self.buf = b""
        self.seq = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def read_raw(self, timeout=3.0):
        """One reply's bytes, terminator included; b'' on EOF."""
        self.sock.settimeout(timeout)
        while b"\r" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                return b""
            self.buf += data
        i = self.buf.index(b"\r") + 1
        if self.term == b"\r\n":
            while len(self.buf) <= i:
                data = self.sock.recv(4096)
                if not data:
                    break
                self.buf += data
            if self.buf[i:i + 1] == b"\n":
                i += 1
        raw, self.buf = self.buf[:i], self.buf[i:]
        return raw

    def read(self, timeout=3.0):
        raw = self.read_raw(timeout)
        assert raw, "the ACS closed the connection"
        body = raw.rstrip(b"\r\n")
        return Reply(body, FIXED_LEN.get(body[:2].decode("latin-1"), 0), self.charset)

    def req(self, text, seq=None):
        if seq is None:
            self.seq = (self.seq + 1) % 10
            seq = self.seq
        self.send(frame(text, seq, self.charset, self.ed))
        r = self.read()
        if self.ed and r.code not in ("96",):
            assert trailer_ok(r.raw), f"bad trailer in {r.raw!r}"
            assert r.ay == seq, f"AY {r.ay} for request AY {seq}"
        return r

    def eof(self, timeout=3.0):
        """True when the ACS closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(4096)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except (socket.timeout, ssl.SSLError):
            return False

    # message builders
    def login(self, user="u", pw="p"):
        return self.req(f"9300CN{user}|CO{pw}|CPkiosk|")

    def status(self):
        return self.req("9900302.00")

    def checkout(self, patron, item, no_block="N", nb_due=BLANK, pin=None, tx_date=None):
        ad = f"AD{pin}|" if pin is not None else ""
        return self.req(f"11N{no_block}{tx_date or now18()}{nb_due}AOinst|AA{patron}|AB{item}|"
                        f"AC|{ad}")

    def checkin(self, item, no_block="N", tx_date=None, ret=None, loc="Front desk"):
        d = now18()
        return self.req(f"09{no_block}{tx_date or d}{ret or d}AP{loc}|AOinst|AB{item}|AC|")

    def renew(self, patron, item, no_block="N", nb_due=BLANK):
        return self.req(f"29N{no_block}{now18()}{nb_due}AOinst|AA{patron}|AB{item}|AC|")

    def patron_status(self, patron, pin=None):
        ad = f"AD{pin}|" if pin is not None else ""
        return self.req(f"23001{now18()}AOinst|AA{patron}|AC|{ad}")

    def patron_info(self, patron, summary, extra=""):
        return self.req(f"63001{now18()}{summary.ljust(10)}AOinst|AA{patron}|AC|{extra}")

    def item_info(self, item):
        return self.req(f"17{now18()}AOinst|AB{item}|AC|")


class ACSProcess:
    def __init__(self, *args, state=None):
        self.dir = tempfile.mkdtemp(prefix="acs-test-")
        self.state_path = state or os.path.join(self.dir, "state.json")
        self.args = list(args)
        self.proc = None
        self.clients = []
        self.start()

    def start(self):
        pf = os.path.join(self.dir, "ports")
        if os.path.exists(pf):
            os.unlink(pf)
        self.err = open(os.path.join(self.dir, "stderr"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, ACS, "--port-file", pf, "--admin", "0", "--state", self.state_path,
             "--verbose"] + self.args,
            stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + 10
        while not os.path.exists(pf):
            if self.proc.poll() is not None:
                raise AssertionError(f"acs.py exited {self.proc.returncode}: {self.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError("acs.py did not write its port file")
            time.sleep(0.02)
        with open(pf) as f:
            self.port, self.admin_port = map(int, f.read().split())

    def stderr(self, tail=2000):
        with open(os.path.join(self.dir, "stderr"), "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return text[-tail:] if tail else text

    def crashed(self):
        """True when a server thread died with a traceback."""
        return "Traceback" in self.stderr(tail=None)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.err.close()

    def cleanup(self):
        for c in self.clients:
            c.close()
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, **kw):
        c = Client(self.port, **kw)
        self.clients.append(c)
        return c

    def admin(self, line, timeout=3.0):
        with socket.create_connection(("127.0.0.1", self.admin_port), timeout=timeout) as s:
            s.sendall(line.encode("utf-8") + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                data = s.recv(1 << 20)
                if not data:
                    break
                buf += data
        return buf.decode("utf-8").rstrip("\n")

    def state(self):
        return json.loads(self.admin("state"))

    def log(self):
        return json.loads(self.admin("log"))
