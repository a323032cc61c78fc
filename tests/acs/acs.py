#!/usr/bin/env python3
"""A test and demo SIP2 2.00 server (the "ACS", the library system's side) for circd.

An independent implementation of SIP2, written from the protocol description and
not from circd's code, with switchable server quirks and faults. Standard library
only. See tests/acs/README.md and `acs.py --help`.
"""

import argparse
import json
import os
import random
import selectors
import signal
import socket
import ssl
import sys
import threading
import time

sys.dont_write_bytecode = True         # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import acs_state  # noqa: E402
import acs_wire as wire  # noqa: E402
from acs_handlers import HANDLERS  # noqa: E402

MAX_MESSAGE = 64 * 1024         # a longer line without terminator is garbage: the link is closed
TRANSACTIONS = ("11", "09", "29")

EPILOG = """\
messages:
  93 login -> 94 (checked against --login when given, else any login is accepted;
     with --login, anything but 93/99 before a good login closes the connection)
  99 SC status -> 98, 23 patron status -> 24, 63 patron information -> 64,
  11 checkout -> 12, 09 checkin -> 10, 29 renew -> 30, 17 item information -> 18,
  35 end patron session -> 36, 97 request ACS resend -> the last reply again.
  A message whose AZ checksum is wrong gets 96 (request SC resend). Any other
  message this ACS cannot use (unknown or unsupported code, fixed fields cut
  short, not a SIP message) gets no reply at all: SIP2 has no error reply for
  it, and the SC's own timeout and retries take over. Messages may end with CR,
  LF or CRLF; replies end with --terminator.

admin channel (--admin PORT; one command a line, one reply line each):
  fault refuse on|off         accept new connections and close them at once
  fault close-after N|off     close the connection after N more messages (replied)
  fault drop-reply on|off|N   apply the next (N) 11/09/29 and drop the link unreplied
  fault stall on|off          read requests, never act on or answer them
  fault garbage on|off|N      answer with garbage bytes + terminator (on: every reply)
  fault bad-checksum on|off|N answer with a wrong AZ (on: every reply)
  fault latency MS            wait MS milliseconds before each reply
  faults                      the faults now, as JSON
  clear                       every fault off
  restart                     drop every SIP connection, forget logins; keep the state
  state | log | stats         the state / the transaction log / counters, one JSON line
  set NAME VALUE              change a setting live: ignore-no-block, strict-items,
                              repeat-checkout-renews, refuse-uncharged-checkin, no-dedup,
                              online, checkin-ok, checkout-ok,
                              error-detection, require-checksum, verbose (yes|no);
                              loan-days, fine-limit, clock-offset, timeout-tenths,
                              retries (numbers); resend-mode, terminator, charset, tz,
                              institution, library-name, screen-message; login USER:PASS|none
  load JSON                   replace the state with this one-line JSON
  reset                       back to the demo data
  ping | help | quit          quit stops the server
  Replies: "ok", "error <why>", or the JSON line for faults/state/log/stats/help.
  Faults count across all connections; refuse keeps listening (accept, then close).

state file (--state; JSON, rewritten atomically after every change; with --no-persist
only once, at a clean stop):
  patrons {id: {pin, name, blocked, block_message, fines, charged: [item ids]}}
  items {id: {title, media_type, due, charged_to, hold_for, hold_location here|elsewhere,
              transit_to, sort_bin, permanent_location[, auto]}}
  loans [{patron, item, checked_out, due, returned, return_date}]
  transactions [{seq, kind checkout|checkin|renew, via 11|09|29, patron, item,
                 transaction_date, nb_due_date | return_date+location, no_block, ok,
                 result, changed, due, message, applied_at, conn, request_seq,
                 reply_dropped}]   -- every 11/09/29 handled, refused ones included;
                 exactly-once = one entry with changed true.
  Any well-formed 31234... item barcode not in the state is an available "auto item"
  (stored on its first transaction) unless --strict-items.
"""


def log_err(msg):
    print(f"acs: {msg}", file=sys.stderr, flush=True)


class Faults:
    def __init__(self):
        self.clear()

    def clear(self):
        self.refuse = False
        self.close_after = 0
        self.drop_reply = 0
        self.stall = False
        self.garbage = 0            # -1: every reply, N > 0: the next N replies
        self.bad_checksum = 0
        self.latency_ms = 0

    def as_dict(self):
        return {"refuse": self.refuse, "close_after": self.close_after,
                "drop_reply": self.drop_reply, "stall": self.stall, "garbage": self.garbage,
                "bad_checksum": self.bad_checksum, "latency_ms": self.latency_ms}

    @staticmethod
    def _take(count):
        """(fire now, count left) for a -1/0/N counter."""
        if count < 0:
            return True, count
        if count > 0:
            return True, count - 1
        return False, 0

    def take_garbage(self):
        fire, self.garbage = self._take(self.garbage)
        return fire

    def take_bad_checksum(self):
        fire, self.bad_checksum = self._take(self.bad_checksum)
        return fire

    def set(self, name, arg):
        def onoff():
            if arg not in ("on", "off"):
                raise ValueError("on or off")
            return arg == "on"

        def count(on_value):
            if arg == "on":
                return on_value
            if arg == "off":
                return 0
            if not arg.isdigit():
                raise ValueError("on, off or a count")
            return int(arg)

        if name == "refuse":
            self.refuse = onoff()
        elif name == "close-after":
            self.close_after = count(1)
        elif name == "drop-reply":
            self.drop_reply = count(1)
        elif name == "stall":
            self.stall = onoff()
        elif name == "garbage":
            self.garbage = count(-1)
        elif name == "bad-checksum":
            self.bad_checksum = count(-1)
        elif name == "latency":
            if not arg.isdigit():
                raise ValueError("milliseconds")
            self.latency_ms = int(arg)
        else:
            raise ValueError(f"unknown fault {name!r}")


class Session:
    """One SC connection."""

    def __init__(self, cid, sock, addr):
        self.id = cid
        self.sock = sock
        self.addr = addr
        self.logged_in = False
        self.last_reply = None      # the correct bytes of the last reply sent
        self.last_seq = None
        self.closed = False

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.faults = Faults()
        self.rules = acs_state.Rules()
        self.rules.loan_days = args.loan_days
        self.rules.strict_items = args.strict_items
        self.rules.ignore_no_block = args.ignore_no_block
        self.rules.repeat_checkout_renews = args.repeat_checkout_renews or args.no_dedup
        self.rules.refuse_uncharged_checkin = args.refuse_uncharged_checkin or args.no_dedup
        self.rules.fine_limit = args.fine_limit
        self.settings = {
            "charset": wire.codec(args.charset), "terminator": args.terminator,
            "error-detection": not args.no_error_detection,
            "require-checksum": args.require_checksum, "resend-mode": args.resend_mode,
            "clock-offset": args.clock_offset, "tz": args.tz,
            "timeout-tenths": args.timeout_tenths, "retries": args.retries,
            "online": not args.offline, "checkin-ok": True, "checkout-ok": True,
            "institution": args.institution, "library-name": args.library_name,
            "screen-message": args.screen_message, "login": args.login,
            "verbose": args.verbose,
        }
        self.faults.refuse = args.refuse
        self.faults.close_after = args.close_after
        self.faults.drop_reply = args.drop_reply
        self.faults.stall = args.stall
        self.faults.garbage = args.garbage
        self.faults.bad_checksum = args.bad_checksum
        self.faults.latency_ms = args.latency
        self.library = acs_state.Library(args.state, self.rules, self.now, args.fsync,
                                         persist=not args.no_persist)
        self.sessions = {}
        self.next_id = 1
        self.stats = {"connections": 0, "refused": 0, "messages": {}, "replies": 0,
                      "ignored": 0, "bad_checksums": 0, "seen_ms": {}}
        self.stopping = threading.Event()
        self.rng = random.Random(1)
        self.tls = None
        if args.tls:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(args.cert, args.key)
        self.wake_r, self.wake_w = os.pipe()

    # --- helpers -----------------------------------------------------------------------

    def now(self):
        return time.time() + self.settings["clock-offset"]

    def date(self):
        return wire.sip_date(self.now(), self.settings["tz"])

    def term(self):
        return wire.TERMINATORS[self.settings["terminator"]]

    def verbose(self, msg):
        if self.settings["verbose"]:
            log_err(msg)

    def encode(self, code, fixed, fields, seq):
        s = self.settings
        return wire.encode(code, fixed, fields, seq, s["error-detection"], s["charset"],
                           self.term())

    # --- listening ---------------------------------------------------------------------

    def listen(self):
        a = self.args
        self.sip_sock = socket.create_server((a.bind, a.port), reuse_port=False)
        self.port = self.sip_sock.getsockname()[1]
        self.admin_sock = None
        self.admin_port = 0
        if a.admin is not None:
            self.admin_sock = socket.create_server((a.bind, a.admin))
            self.admin_port = self.admin_sock.getsockname()[1]
        print(f"acs: listening on {a.bind}:{self.port}{' (TLS)' if self.tls else ''}"
              + (f", admin on {a.bind}:{self.admin_port}" if self.admin_sock else ""),
              flush=True)
        if a.port_file:
            tmp = a.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(f"{self.port} {self.admin_port}\n")
            os.replace(tmp, a.port_file)

    def serve_forever(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sip_sock, selectors.EVENT_READ, "sip")
        if self.admin_sock:
            sel.register(self.admin_sock, selectors.EVENT_READ, "admin")
        sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        while not self.stopping.is_set():
            for key, _ in sel.select(1.0):
                if key.data == "wake":
                    os.read(self.wake_r, 64)
                    continue
                try:
                    conn, addr = key.fileobj.accept()
                except OSError:
                    continue
                if key.data == "admin":
                    threading.Thread(target=self.admin_conn, args=(conn,), daemon=True).start()
                    continue
                with self.lock:
                    refuse = self.faults.refuse
                    if refuse:
                        self.stats["refused"] += 1
                if refuse:
                    self.verbose(f"refused a connection from {addr[0]}:{addr[1]}")
                    conn.close()
                    continue
                threading.Thread(target=self.sip_conn, args=(conn, addr), daemon=True).start()
        sel.close()
        self.sip_sock.close()
        if self.admin_sock:
            self.admin_sock.close()
        self.drop_all()
        if self.args.no_persist:
            with self.lock:
                try:
                    self.library.flush()
                except OSError as e:
                    log_err(f"cannot write the state file: {e}")

    def stop(self):
        self.stopping.set()
        try:
            os.write(self.wake_w, b"x")
        except OSError:
            pass

    def drop_all(self):
        with self.lock:
            sessions = list(self.sessions.values())
        for s in sessions:
            s.close()
        return len(sessions)

    # --- one SIP connection ------------------------------------------------------------

    def sip_conn(self, sock, addr):
        sock.settimeout(5.0)
        if self.tls:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError) as e:
                self.verbose(f"TLS handshake with {addr[0]}:{addr[1]} failed: {e}")
                sock.close()
                return
        sock.settimeout(0.5)
        with self.lock:
            sess = Session(self.next_id, sock, addr)
            self.next_id += 1
            self.sessions[sess.id] = sess
            self.stats["connections"] += 1
        self.verbose(f"c{sess.id} connected from {addr[0]}:{addr[1]}")
        buf = b""
        try:
            while not sess.closed and not self.stopping.is_set():
                try:
                    data = sock.recv(4096)
                except socket.timeout:
                    continue
                except (OSError, ssl.SSLError):
                    break
                if not data:
                    break
                buf += data
                while not sess.closed:
                    cut = min((i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0),
                              default=-1)
                    if cut < 0:
                        if len(buf) > MAX_MESSAGE:
                            self.verbose(f"c{sess.id} {len(buf)} bytes without a terminator:"
                                         " closing")
                            sess.close()
                        break
                    line, buf = buf[:cut], buf[cut + 1:]
                    if line.strip(b" \t\x00"):
                        self.handle(sess, line)
        finally:
            with self.lock:
                self.sessions.pop(sess.id, None)
            sess.closed = True
            try:
                sock.close()
            except OSError:
                pass
            self.verbose(f"c{sess.id} closed")

    def send(self, sess, data, garble=True):
        """Sends one reply, with the latency, garbage and bad-checksum faults."""
        with self.lock:
            latency = self.faults.latency_ms
            garbage = garble and self.faults.take_garbage()
            bad = garble and not garbage and self.faults.take_bad_checksum()
            self.stats["replies"] += 1
        if latency:
            time.sleep(latency / 1000.0)
        if garbage:
            n = self.rng.randint(16, 40)
            data = b"\xff\xfe" + bytes(self.rng.choice(
                [b for b in range(1, 256) if b not in (10, 13)]) for _ in range(n)) + self.term()
        elif bad:
            data = wire.with_bad_checksum(data, self.term())
        self.verbose(f"c{sess.id} -> {wire.printable(data)}"
                     + (" (garbage fault)" if garbage else " (bad-checksum fault)" if bad else ""))
        try:
            sess.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            self.verbose(f"c{sess.id} send failed: {e}")
            sess.close()

    def handle(self, sess, raw):
        self.verbose(f"c{sess.id} <- {wire.printable(raw)}")
        with self.lock:
            if self.faults.stall:
                self.verbose(f"c{sess.id} stall fault: no reply")
                return
            close_now = False
            if self.faults.close_after > 0:
                self.faults.close_after -= 1
                close_now = self.faults.close_after == 0
        self.dispatch(sess, raw)
        if close_now and not sess.closed:
            self.verbose(f"c{sess.id} close-after fault: closing")
            sess.close()

    def dispatch(self, sess, raw):
        s = self.settings
        try:
            msg = wire.parse(raw, s["charset"], verify=s["error-detection"],
                             require=s["error-detection"] and s["require-checksum"])
        except wire.ParseError as e:
            with self.lock:
                key = "bad_checksums" if e.kind in ("checksum", "no-checksum") else "ignored"
                self.stats[key] += 1
            if e.kind in ("checksum", "no-checksum"):
                reply = self.encode("96", "", (), None)
                sess.last_reply, sess.last_seq = reply, None
                self.send(sess, reply)
            else:
                self.verbose(f"c{sess.id} ignored ({e})")
            return
        with self.lock:
            self.stats["messages"][msg.code] = self.stats["messages"].get(msg.code, 0) + 1
            # When each kind of message came first and last (monotonic ms), so a
            # benchmark can time a stream of requests on the server's side.
            now_ms = time.monotonic() * 1000.0
            self.stats["seen_ms"].setdefault(msg.code, [now_ms, now_ms])[1] = now_ms
        if msg.code == "97":
            self.resend(sess, msg)
            return
        handler = HANDLERS.get(msg.code)
        if handler is None:
            with self.lock:
                self.stats["ignored"] += 1
            self.verbose(f"c{sess.id} ignored (message {msg.code} not supported)")
            return
        if s["login"] and not sess.logged_in and msg.code not in ("93", "99"):
            self.verbose(f"c{sess.id} {msg.code} before a login: closing")
            sess.close()
            return
        with self.lock:
            drop = False
            if msg.code in TRANSACTIONS and self.faults.drop_reply > 0:
                self.faults.drop_reply -= 1
                drop = True
            meta = {"conn": sess.id, "request_seq": msg.seq, "reply_dropped": drop}
            code, fixed, fields = handler(self, sess, msg, meta)
        reply = self.encode(code, fixed, fields, msg.seq)
        sess.last_reply, sess.last_seq = reply, msg.seq
        if drop:
            self.verbose(f"c{sess.id} drop-reply fault: applied, closing without a reply")
            sess.close()
            return
        self.send(sess, reply)

    def resend(self, sess, msg):
        if sess.last_reply is None:
            self.verbose(f"c{sess.id} 97 with nothing to resend: ignored")
            return
        if self.settings["resend-mode"] == "recompute" and sess.last_seq is not None:
            sess.last_seq = (sess.last_seq + 1) % 10
            sess.last_reply = wire.reseq(sess.last_reply, sess.last_seq, self.term())
        self.send(sess, sess.last_reply)

    # --- admin channel -----------------------------------------------------------------

    def admin_conn(self, sock):
        sock.settimeout(1.0)
        buf = b""
        try:
            while not self.stopping.is_set():
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    line = line.decode("utf-8", "replace").strip()
                    if not line:
                        continue
                    reply = self.admin(line)
                    sock.sendall(reply.encode("utf-8") + b"\n")
                    if line == "quit":
                        self.stop()
                        return
        finally:
            sock.close()

    def admin(self, line):
        self.verbose(f"admin: {line if len(line) < 200 else line[:200] + '...'}")
        words = line.split(None, 2)
        cmd = words[0]
        try:
            with self.lock:
                if cmd == "fault" and len(words) == 3:
                    self.faults.set(words[1], words[2].strip())
                    return "ok"
                if cmd == "faults":
                    return json.dumps(self.faults.as_dict(), sort_keys=True)
                if cmd == "clear":
                    self.faults.clear()
                    return "ok"
                if cmd == "state":
                    return self.library.dump()
                if cmd == "log":
                    return self.library.dump_log()
                if cmd == "stats":
                    return json.dumps(dict(self.stats, open=len(self.sessions)), sort_keys=True)
                if cmd == "reset":
                    self.library.reset()
                    return "ok"
                if cmd == "load" and len(words) >= 2:
                    self.library.load(json.loads(line[len("load"):].strip()))
                    return "ok"
                if cmd == "set" and len(words) == 3:
                    self.set(words[1], words[2].strip())
                    return "ok"
                if cmd == "help":
                    return json.dumps(EPILOG.split("\n"))
                if cmd in ("ping", "quit"):
                    return "ok"
            if cmd == "restart":
                n = self.drop_all()
                self.verbose(f"restart: dropped {n} connection(s)")
                return "ok"
        except (ValueError, KeyError, TypeError) as e:
            return f"error {e}"
        return f"error unknown command: {line[:80]}"

    def set(self, name, value):
        def yes():
            if value not in ("yes", "no", "on", "off", "1", "0", "true", "false"):
                raise ValueError(f"{name}: yes or no")
            return value in ("yes", "on", "1", "true")

        rules = {"ignore-no-block": "ignore_no_block",
                 "repeat-checkout-renews": "repeat_checkout_renews",
                 "refuse-uncharged-checkin": "refuse_uncharged_checkin",
                 "strict-items": "strict_items"}
        if name in rules:
            setattr(self.rules, rules[name], yes())
        elif name == "no-dedup":
            self.rules.repeat_checkout_renews = self.rules.refuse_uncharged_checkin = yes()
        elif name == "loan-days":
            self.rules.loan_days = int(value)
        elif name == "fine-limit":
            self.rules.fine_limit = float(value)
        elif name in ("online", "checkin-ok", "checkout-ok", "error-detection",
                      "require-checksum", "verbose"):
            self.settings[name] = yes()
        elif name in ("clock-offset", "timeout-tenths", "retries"):
            v = int(value)
            if name != "clock-offset" and not 0 <= v <= 999:
                raise ValueError(f"{name}: 0..999")
            self.settings[name] = v
        elif name == "resend-mode" and value in ("verbatim", "recompute"):
            self.settings[name] = value
        elif name == "terminator" and value in wire.TERMINATORS:
            self.settings[name] = value
        elif name == "tz" and value in ("local", "utc"):
            self.settings[name] = value
        elif name == "charset":
            self.settings[name] = wire.codec(value)
        elif name in ("institution", "library-name", "screen-message"):
            self.settings[name] = value
        elif name == "login":
            self.settings[name] = None if value == "none" else parse_login(value)
        else:
            raise ValueError(f"cannot set {name} to {value!r}")


# --- command line ------------------------------------------------------------------------

def parse_login(s):
    user, sep, password = s.partition(":")
    if not sep or not user:
        raise ValueError("login: USER:PASS")
    return user, password


def count_arg(s):
    if s == "on":
        return -1
    if s.isdigit():
        return int(s)
    raise argparse.ArgumentTypeError("on or a count")


def make_parser():
    ap = argparse.ArgumentParser(
        prog="acs.py", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="A test and demo SIP2 2.00 server (ACS) for circd, with faults.")
    g = ap.add_argument_group("listening")
    g.add_argument("--port", type=int, default=0, help="SIP port (0: pick one; printed)")
    g.add_argument("--bind", default="127.0.0.1", help="address (default 127.0.0.1)")
    g.add_argument("--admin", type=int, metavar="PORT",
                   help="admin channel port on the same address (0: pick one)")
    g.add_argument("--port-file", metavar="FILE",
                   help='written once listening: "SIPPORT ADMINPORT" (0 without --admin)')
    g.add_argument("--tls", action="store_true", help="TLS; needs --cert and --key")
    g.add_argument("--cert", metavar="PEM", help="server certificate (chain) file")
    g.add_argument("--key", metavar="PEM", help="server private key file")
    g.add_argument("--verbose", "-v", action="store_true",
                   help="log every message in and out to stderr")
    g = ap.add_argument_group("state")
    g.add_argument("--state", metavar="FILE",
                   help="JSON state file (created with demo data if missing; "
                        "without it the state lives in memory only)")
    g.add_argument("--fsync", action="store_true",
                   help="fsync every state write (always atomic: temp file + rename)")
    g.add_argument("--no-persist", action="store_true",
                   help="keep the state in memory: --state is read at start but written "
                        "only once, when the server stops cleanly (quit, SIGTERM, SIGINT), "
                        "not after every change (for long benchmark runs)")
    g.add_argument("--loan-days", type=int, default=21, help="loan period (default 21)")
    g.add_argument("--strict-items", action="store_true",
                   help="no auto items: unknown item barcodes are refused")
    g.add_argument("--fine-limit", type=float, default=10.0,
                   help="fines above this set 'excessive outstanding fines' (default 10.00)")
    g = ap.add_argument_group("protocol and server quirks")
    g.add_argument("--login", type=parse_login, metavar="USER:PASS",
                   help="the only accepted 93 login (default: accept any)")
    g.add_argument("--institution", default="circd-demo", help="AO in 98 (default circd-demo)")
    g.add_argument("--library-name", default="circd Demo Library", help="AM in 98")
    g.add_argument("--screen-message", default="", help="AF in 98")
    g.add_argument("--timeout-tenths", type=int, default=30,
                   help="98 timeout period in tenths of a second (default 030)")
    g.add_argument("--retries", type=int, default=3, help="98 retries allowed (default 003)")
    g.add_argument("--clock-offset", type=int, default=0, metavar="SECONDS",
                   help="the ACS clock runs this far ahead (negative: behind) of this host")
    g.add_argument("--tz", choices=("local", "utc"), default="local",
                   help="dates sent in local time (zone blank) or UTC (zone '   Z')")
    g.add_argument("--offline", action="store_true", help="98 says on-line status N")
    g.add_argument("--ignore-no-block", action="store_true",
                   help="apply blocks to no-block (offline) transactions anyway")
    g.add_argument("--repeat-checkout-renews", action="store_true",
                   help="a checkout of an item already charged to the patron renews it")
    g.add_argument("--refuse-uncharged-checkin", action="store_true",
                   help="a checkin of an item that is not checked out is refused (ok 0)")
    g.add_argument("--no-dedup", action="store_true",
                   help="as Koha's and Evergreen's servers: a message sent again (same AY) is "
                        "applied again: a repeated checkout renews, a repeated checkin is "
                        "refused as not checked out (--repeat-checkout-renews "
                        "--refuse-uncharged-checkin)")
    g.add_argument("--resend-mode", choices=("verbatim", "recompute"), default="verbatim",
                   help="97: replay the last reply byte for byte, or re-encode it with the "
                        "next sequence number and a fresh checksum")
    g.add_argument("--terminator", choices=("cr", "crlf"), default="cr",
                   help="reply terminator (requests may end with CR, LF or CRLF)")
    g.add_argument("--charset", default="ascii", type=str.lower,
                   choices=sorted(wire.CHARSETS), metavar="ascii|utf-8|latin-1|cp850",
                   help="wire character set (default ascii; also iso-8859-1, ibm850)")
    g.add_argument("--no-error-detection", action="store_true",
                   help="no AY/AZ in replies; AY/AZ in requests are not checked")
    g.add_argument("--require-checksum", action="store_true",
                   help="with error detection, answer a request without AZ with 96")
    g = ap.add_argument_group("faults at start (also switchable with the admin channel)")
    g.add_argument("--refuse", action="store_true", help="accept and close every connection")
    g.add_argument("--close-after", type=int, default=0, metavar="N",
                   help="close the connection after N messages")
    g.add_argument("--drop-reply", type=int, default=0, metavar="N",
                   help="apply the next N transactions without replying (closing the link)")
    g.add_argument("--stall", action="store_true", help="never answer")
    g.add_argument("--garbage", type=count_arg, default=0, metavar="on|N",
                   help="answer with garbage (every reply, or the next N)")
    g.add_argument("--bad-checksum", type=count_arg, default=0, metavar="on|N",
                   help="answer with a wrong AZ (every reply, or the next N)")
    g.add_argument("--latency", type=int, default=0, metavar="MS", help="delay every reply")
    return ap


def main(argv=None):
    ap = make_parser()
    args = ap.parse_args(argv)
    if args.tls and not (args.cert and args.key):
        ap.error("--tls needs --cert and --key")
    if not 0 <= args.timeout_tenths <= 999 or not 0 <= args.retries <= 999:
        ap.error("--timeout-tenths and --retries take 0..999")
    try:
        srv = Server(args)
        srv.listen()
    except (OSError, ValueError, ssl.SSLError) as e:
        log_err(f"cannot start: {e}")
        return 1
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: srv.stop())
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
