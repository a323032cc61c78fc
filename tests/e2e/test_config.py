# SPDX-License-Identifier: GPL-2.0-or-later
"""Configuration and board files: errors with file:line, --check-config, SIGHUP reload."""

import os
import re
import resource
import signal
import subprocess
import time

from harness import (CIRCD, DONE, SAN, SIM_BOARD, Failure, check, check_eq, displays,
                     fmt_events, item, patron)


def conf_lines(t, kiosk_lines=(), store_lines=(), extra=None):
    """A config as a list of lines (line N = index N-1), sockets in the temp dir.
    extra: {section: [lines]} added to that section (appended as a new one if absent)."""
    extra = dict(extra or {})
    base = [("kiosk", ["id = kiosk-cfg"] + list(kiosk_lines)),
            ("store", ["path = " + t.db] + list(store_lines)),
            ("control", ["socket = " + t.ctl_sock]),
            ("sim", ["socket = " + t.sim_sock]),
            ("barcode", ["done = " + DONE])]
    lines = ["# circd e2e test config"]
    for sec, keys in base:
        lines += ["[%s]" % sec] + keys + extra.pop(sec, []) + [""]
    for sec, keys in extra.items():
        lines += ["[%s]" % sec] + keys + [""]
    return lines


def write_lines(t, lines, name="circd.conf"):
    return t.config(text="\n".join(lines) + "\n", name=name)


def expect_exit2(r, needle, what):
    out = r.stderr + r.stdout
    check(r.returncode == 2, "%s: expected exit status 2, got %d; output:\n%s"
          % (what, r.returncode, out))
    check(needle in out, "%s: expected %r in the output; got:\n%s" % (what, needle, out))


def board_sections(text):
    """Splits an INI text into (header_or_None, [lines]) chunks."""
    chunks, cur = [], (None, [])
    for line in text.splitlines():
        if line.strip().startswith("["):
            chunks.append(cur)
            cur = (line.strip(), [line])
        else:
            cur[1].append(line)
    chunks.append(cur)
    return chunks


def board_without(text, section_re):
    out = []
    for header, lines in board_sections(text):
        if header and re.match(section_re, header):
            continue
        out += lines
    return "\n".join(out) + "\n"


def test_unknown_key(t):
    lines = conf_lines(t, store_lines=["colour = blue"])
    bad_line = lines.index("colour = blue") + 1
    conf = write_lines(t, lines)
    r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD])
    expect_exit2(r, "circd.conf:%d:" % bad_line, "unknown key [store] colour")
    check(not os.path.exists(t.sim_sock), "circd opened its sim socket despite a config error")


def test_unknown_section(t):
    lines = conf_lines(t) + ["[printer]", "model = x"]
    conf = write_lines(t, lines)
    r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD])
    check(r.returncode == 2, "unknown section: expected exit 2, got %d:\n%s"
          % (r.returncode, r.stderr))
    want = ["circd.conf:%d:" % (lines.index("[printer]") + 1),
            "circd.conf:%d:" % (lines.index("model = x") + 1)]
    check(any(w in r.stderr for w in want), "unknown section: expected one of %r in:\n%s"
          % (want, r.stderr))


def test_bad_mode_value(t):
    lines = conf_lines(t, kiosk_lines=["mode = lending"])
    conf = write_lines(t, lines)
    r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD])
    expect_exit2(r, "circd.conf:%d:" % (lines.index("mode = lending") + 1), "mode = lending")


def test_bad_values(t):
    cases = [
        ("kiosk", "session_timeout = 4"),
        ("kiosk", "session_timeout = 3601"),
        ("kiosk", "session_timeout = soon"),
        ("kiosk", "require_pin = perhaps"),
        ("offline", "policy = sometimes"),
        ("offline", "max_items = -1"),
        ("offline", "loan_days = fortnight"),
        ("log", "level = loud"),
        ("barcode", "check_digit = maybe"),
        ("barcode", "patron_lengths = 14,abc"),
        ("feedback", "ok = laser:100"),
        ("feedback", "ok = lamp_ok:abc"),
        ("feedback", "ok = lamp_ok"),
        ("feedback", "ok = lamp_ok:1,1,1,1,1,1,1,1,1"),
        ("feedback", "ok = lamp_ok:1 lamp_error:1 buzzer:1 lamp_attention:1 door_lock:1"),
        ("feedback", "ok = bin_full:100"),
    ]
    for where, bad in cases:
        lines = conf_lines(t, extra={where: [bad]})
        conf = write_lines(t, lines)
        r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
        expect_exit2(r, "circd.conf:%d:" % (lines.index(bad) + 1), "[%s] %s" % (where, bad))
    # And good values next to them.
    lines = conf_lines(t, extra={
        "kiosk": ["session_timeout = 5", "require_pin = no"],
        "offline": ["max_items = 0", "loan_days = 1", "policy = checkin-and-checkout"],
        "log": ["level = debug"],
        "barcode": ["check_digit = no", "patron_lengths = 14,10", "item_prefixes = 3,39"],
        "feedback": ["ok = lamp_ok:1 lamp_error:1 buzzer:1 lamp_attention:1",
                     "error = buzzer:1,2,3,4,5,6,7,8", "notice ="]})
    conf = write_lines(t, lines)
    r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
    check_eq(r.returncode, 0, "--check-config on good edge values (output %r)"
             % (r.stderr + r.stdout))


def test_board_unknown_role(t):
    text = t.sim_board_text().rstrip("\n") + "\n\n[output laser]\nline = 99\n"
    lines = text.split("\n")
    header = lines.index("[output laser]") + 1
    board = t.path("laser.ini")
    with open(board, "w") as f:
        f.write(text)
    conf = t.config()
    r = t.run_circd(["-f", "-c", conf, "-b", board])
    out = r.stderr + r.stdout
    check(r.returncode == 2, "board with an unknown role: expected exit 2, got %d:\n%s"
          % (r.returncode, out))
    want = ["laser.ini:%d:" % header, "laser.ini:%d:" % (header + 1)]
    check(any(w in out for w in want), "board error: expected %r in:\n%s" % (want[0], out))


def test_returns_board_without_flap(t):
    text = board_without(t.sim_board_text(), r"\[\s*output\s+flap_unlock\s*\]")
    check(not re.search(r"^\s*\[\s*output\s+flap_unlock", text, re.M),
          "could not remove flap_unlock from sim.ini")
    board = t.path("noflap.ini")
    with open(board, "w") as f:
        f.write(text)
    # Self-check mode does not need the flap (a self-check board such as
    # rpi4-kiosk.ini has none), with the default feedback or accept empty.
    for accept in (None, ""):
        r = t.run_circd(["--check-config", "-c", t.config({"feedback": {"accept": accept}}),
                         "-b", board])
        check_eq(r.returncode, 0, "self-check, accept = %r, board without flap_unlock: exit "
                 "status (output %r)" % (accept, r.stderr + r.stdout))
    # Returns mode needs it, whatever the feedback says.
    for accept in (None, "", "lamp_ok:4000"):
        conf = t.config({"kiosk": {"mode": "returns"}, "feedback": {"accept": accept}})
        r = t.run_circd(["-f", "-c", conf, "-b", board])
        out = r.stderr + r.stdout
        check(r.returncode == 2, "returns mode, board without flap_unlock, accept = %r: expected "
              "exit 2, got %d:\n%s" % (accept, r.returncode, out))
        check("noflap.ini" in out and "flap_unlock" in out,
              "the error should name the board file and the missing role:\n%s" % out)
    check(not os.path.exists(t.sim_sock), "circd started anyway")


def test_check_config(t):
    conf = t.config()
    r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
    check_eq(r.returncode, 0, "--check-config on a good config (output %r)"
             % (r.stderr + r.stdout))
    check(not os.path.exists(t.sim_sock) and not os.path.exists(t.ctl_sock),
          "--check-config must not start the daemon (sockets exist)")
    check(not os.path.exists(t.db), "--check-config must not create the store")
    r = t.run_circd(["--check-config", "-c", t.config({"kiosk": {"mode": "returns"}}),
                     "-b", SIM_BOARD])
    check_eq(r.returncode, 0, "--check-config returns mode (output %r)" % r.stderr)
    lines = conf_lines(t, kiosk_lines=["bogus = 1"])
    conf = write_lines(t, lines, name="bad.conf")
    r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
    expect_exit2(r, "bad.conf:%d:" % (lines.index("bogus = 1") + 1), "--check-config bad key")
    board = t.path("b.ini")
    with open(board, "w") as f:
        f.write(t.sim_board_text() + "\n[input trapdoor]\nline = 3\n")
    r = t.run_circd(["--check-config", "-c", t.config(), "-b", board])
    expect_exit2(r, "b.ini:", "--check-config bad board")


def test_control_socket_on_the_store_is_refused(t):
    """A control socket on the store (or its WAL) would replace the database at start and
    remove it at exit: --check-config and start refuse it with file:line, and the file stays."""
    for suffix in ("", "-wal"):
        lines = conf_lines(t)
        at = lines.index("socket = " + t.ctl_sock)
        lines[at] = "socket = " + t.db + suffix
        conf = write_lines(t, lines, name="sock%s.conf" % suffix)
        r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
        where = "sock%s.conf:%d:" % (suffix, at + 1)
        expect_exit2(r, where, "--check-config socket = store" + suffix)
        with open(t.db + suffix, "wb") as f:
            f.write(b"precious")
        r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD])
        expect_exit2(r, where, "start with socket = store" + suffix)
        with open(t.db + suffix, "rb") as f:
            check_eq(f.read(), b"precious", "the store file after a refused start")
        os.unlink(t.db + suffix)


def test_control_socket_never_replaces_a_file(t):
    """Any other file at the control socket's path is left alone: circd does not start."""
    with open(t.ctl_sock, "wb") as f:
        f.write(b"not a socket")
    d = t.start(wait=False)
    rc = d.wait_exit()
    check(rc != 0, "circd started with a regular file at its control socket path")
    check("not a socket" in d.log(), "the log should say why:\n" + d.log())
    with open(t.ctl_sock, "rb") as f:
        check_eq(f.read(), b"not a socket", "the file at the control socket path")


def test_missing_config_file(t):
    missing = t.path("nope", "circd.conf")
    r = t.run_circd(["-f", "-c", missing, "-b", SIM_BOARD])
    expect_exit2(r, missing, "missing config file")
    r = t.run_circd(["--check-config", "-c", missing, "-b", SIM_BOARD])
    expect_exit2(r, missing, "--check-config, missing config file")
    r = t.run_circd(["-f", "-c", t.config(), "-b", t.path("nope.ini")])
    expect_exit2(r, "nope.ini", "missing board file")


def _sync(d):
    # A signal is pending before the first ping is sent, so it is handled in
    # that loop iteration at the latest; the second ping comes after it.
    d.ping()
    d.ping()


def test_sighup_reload(t):
    over = {"kiosk": {"session_timeout": "60"}}
    conf = t.config(over)
    d = t.start(conf)
    d.scan_patron(patron(30))
    ev = d.advance(5000)
    check(not displays(ev, "receipt"), "session_timeout 60 ended after 5 s:%s" % fmt_events(ev))
    d.scan_item(DONE)
    t.config({"kiosk": {"session_timeout": "5"}})
    d.signal(signal.SIGHUP)
    _sync(d)
    check(d.running(), "circd exited on SIGHUP")
    ev = d.scan_patron(patron(31))
    check(displays(ev, "info"), "patron after reload:%s" % fmt_events(ev))
    a = item(3001)
    ev = d.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "checkout after reload:%s" % fmt_events(ev))
    ev = d.advance(5000)
    check(displays(ev, "receipt"), "after reload to session_timeout = 5, advance 5000 should end "
          "the session; got:%s" % fmt_events(ev))
    check_eq(len(t.journal()), 1, "rows")


def _wait_log(d, pred, what, timeout):
    deadline = time.monotonic() + timeout
    while not pred(d.log()):
        if time.monotonic() > deadline:
            raise Failure("%s: not in circd's log within %ss; log:\n%s" % (what, timeout, d.log()))
        time.sleep(0.02)


def test_sighup_names_the_keys_that_need_a_restart(t):
    """A reload applies what it can at once, names the keys a restart would need (never their
    values) and keeps those running."""
    d = t.start(t.config({"kiosk": {"session_timeout": "60"}}))
    t.config({"kiosk": {"mode": "returns", "session_timeout": "5"}})
    d.signal(signal.SIGHUP)
    _sync(d)
    _wait_log(d, lambda s: "reloaded " in s, "reload", t.timeout)
    check("reload: [kiosk] mode: changes need a restart; keeping the running ones" in d.log(),
          "the reload names [kiosk] mode; log:\n%s" % d.log())
    check_eq(t.status()["mode"], "selfcheck", "mode after a reload that changed it")
    d.scan_patron(patron(33))
    ev = d.advance(5000)
    check(displays(ev, "receipt"), "session_timeout 5 applied at once:%s" % fmt_events(ev))
    check_eq(d.stop(), 0, "exit status")


def test_sighup_broken_config_keeps_old(t):
    conf = t.config({"kiosk": {"session_timeout": "60"}})
    d = t.start(conf)
    lines = conf_lines(t, kiosk_lines=["session_timeout = 5", "frobnicate = yes"])
    bad_line = lines.index("frobnicate = yes") + 1
    write_lines(t, lines)
    d.signal(signal.SIGHUP)
    _sync(d)
    check(d.running(), "circd exited on SIGHUP with a broken config")
    _wait_log(d, lambda s: "circd.conf:%d:" % bad_line in s,
              "reload error naming circd.conf:%d:" % bad_line, t.timeout)
    # Still running with the old config: session_timeout 60, records.
    d.scan_patron(patron(32))
    a = item(3201)
    ev = d.scan_item(a)
    check(any(a in x for x in displays(ev, "ok")), "checkout after a failed reload:%s"
          % fmt_events(ev))
    ev = d.advance(5000)
    check(not displays(ev, "receipt"), "the broken config's session_timeout 5 was applied:%s"
          % fmt_events(ev))
    check_eq([r["item"] for r in t.journal()], [a], "rows")
    d.ping()
    check_eq(d.stop(), 0, "exit status")


def test_secrets_need_a_private_config(t):
    """Any secret key (password, terminal_password) makes a group/world-readable or -writable
    config an error naming the file; chmod 600 fixes it."""
    for key in ("password", "terminal_password"):
        lines = conf_lines(t, extra={"sip2": ["host = 127.0.0.1", "tls = no",
                                              "%s = hunter2" % key]})
        conf = write_lines(t, lines)
        for mode in (0o644, 0o640, 0o620, 0o602):
            os.chmod(conf, mode)
            r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
            expect_exit2(r, "%s: holds a secret ([sip2] %s" % (conf, key),
                         "%s in a mode %o config" % (key, mode))
            check("chmod 600" in r.stderr, "no advice in %r" % r.stderr)
            check("hunter2" not in r.stderr + r.stdout, "the secret was printed")
        os.chmod(conf, 0o600)
        r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
        check_eq(r.returncode, 0, "%s in a mode 600 config (output %r)" % (key, r.stderr))


def test_tls_keys_without_tls_and_missing_ca_file(t):
    """tls = no beside ca_file or pin_sha256, or a ca_file that is not there, is a config
    error at its line: not a silent plain-TCP link, not an ENOENT when the link connects."""
    pin = "ab" * 32
    for bad in ("ca_file = " + t.path("ca.pem"), "pin_sha256 = " + pin):
        lines = conf_lines(t, extra={"sip2": ["host = 127.0.0.1", "tls = no", bad]})
        conf = write_lines(t, lines)
        r = t.run_circd(["-f", "-c", conf, "-b", SIM_BOARD])
        expect_exit2(r, "circd.conf:%d: [sip2] %s: set, but tls = no" % (
            lines.index(bad) + 1, bad.split(" ")[0]), bad)
        check(not os.path.exists(t.sim_sock), "circd started despite %s" % bad)
    missing = "ca_file = " + t.path("no-such-ca.pem")
    lines = conf_lines(t, extra={"sip2": ["host = 127.0.0.1", "tls = yes", missing]})
    conf = write_lines(t, lines)
    r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
    expect_exit2(r, "circd.conf:%d: [sip2] ca_file: cannot read" % (lines.index(missing) + 1),
                 "a ca_file that does not exist")
    check("No such file" in r.stderr, "why: %r" % r.stderr)


def test_config_errors_escape_terminal_controls(t):
    """A hostile config cannot drive the terminal that shows its error: control bytes and
    bytes that are not UTF-8 come out as \\xNN; a NUL byte is an error naming its line."""
    hostile = "mode = \x1b]0;owned\x07\x1b[2J\x9b31m"
    lines = conf_lines(t, kiosk_lines=[hostile])
    p = t.path("circd.conf")
    with open(p, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8").replace(b"\xc2\x9b", b"\x9b"))
    r = subprocess.run([CIRCD, "--check-config", "-c", p, "-b", SIM_BOARD],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=t.timeout, cwd=t.dir)
    err = r.stderr
    check_eq(r.returncode, 2, "exit status (stderr %r)" % err)
    check(b"circd.conf:%d: [kiosk] mode" % (lines.index(hostile) + 1) in err, repr(err))
    check(not any(b < 0x20 and b != 0x0a or b == 0x7f or b >= 0x80 for b in err),
          "raw control or non-UTF-8 bytes on stderr: %r" % err)
    check(b"\\x1b]0;owned\\x07\\x1b[2J\\x9b31m" in err, "not escaped as \\xNN: %r" % err)

    lines = conf_lines(t, kiosk_lines=["mode = selfcheck", "id = desk\x00-1"])
    conf = write_lines(t, lines)
    r = t.run_circd(["--check-config", "-c", conf, "-b", SIM_BOARD])
    expect_exit2(r, "circd.conf:%d: a NUL byte" % (lines.index("id = desk\x00-1") + 1),
                 "a NUL byte in a line")


def _core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                soft = line.split()[4]
                return -1 if soft == "unlimited" else int(soft)
    raise Failure("no core limit in /proc/%d/limits" % pid)


def test_no_core_dumps_unless_asked(t):
    """RLIMIT_CORE is 0 (and the process not dumpable) unless [log] core_dumps = yes."""
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    want = 1 << 20 if hard == resource.RLIM_INFINITY else hard

    def allow_cores():
        resource.setrlimit(resource.RLIMIT_CORE, (want, hard))

    d = t.start(preexec_fn=allow_cores)
    check_eq(_core_limit(d.pid), 0, "core limit of a running circd")
    check_eq(d.stop(), 0, "exit status")
    if want == 0 or SAN:
        t.note("core_dumps = yes not checked (hard limit %r, ASan %r)" % (hard, SAN))
        return
    d = t.start(t.config({"log": {"core_dumps": "yes"}}, name="cores.conf"),
                preexec_fn=allow_cores)
    check_eq(_core_limit(d.pid), want, "core limit with core_dumps = yes")
    check("core dumps on" in d.log(), "no warning that cores hold secrets:\n%s" % d.log())
    check_eq(d.stop(), 0, "exit status")


def _count_in_memory(pid, secret):
    """Occurrences of secret in the writable mappings of pid (None: not allowed to look).
    Adjacent mappings are read as one: a static variable may straddle the end of the
    binary's data pages and the start of its bss."""
    n = 0
    with open("/proc/%d/maps" % pid) as f:
        maps = f.read().splitlines()
    try:
        mem = open("/proc/%d/mem" % pid, "rb", 0)
    except PermissionError:
        return None
    runs = []
    for line in maps:
        addr, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in addr.split("-"))
        if not perms.startswith("rw") or hi - lo > 64 << 20:
            continue
        if runs and runs[-1][1] == lo:
            runs[-1][1] = hi
        else:
            runs.append([lo, hi])
    with mem:
        for lo, hi in runs:
            try:
                mem.seek(lo)
                n += mem.read(hi - lo).count(secret.encode())
            except PermissionError:
                return None
            except OSError:
                continue
    return n


def test_password_copies_wiped(t):
    """The SIP2 password is in circd's memory twice, after start and after each SIGHUP
    reload: the running config and the link's own copy. Not in the config slot a reload
    left, stdio's read buffer, or the stack libinih parsed the file on."""
    if SAN:
        t.note("not under ASan: its allocator and shadow memory are not circd's")
        return
    secret = "Pw-9f3k-Zq7x-%d" % os.getpid()
    conf = None
    for timeout in (60, 30, 40):
        conf = t.config({"kiosk": {"session_timeout": str(timeout)},
                         "sip2": {"host": "127.0.0.1", "port": "1", "tls": "no",
                                  "username": "kiosk", "password": secret}})
        os.chmod(conf, 0o600)
        if timeout == 60:
            d = t.start(conf)
        else:
            d.signal(signal.SIGHUP)
            _wait_log(d, lambda s, n=timeout: s.count("reloaded ") >= (2 if n == 40 else 1),
                      "reload", t.timeout)
        _sync(d)
        n = _count_in_memory(d.pid, secret)
        if n is None:
            t.note("cannot read /proc/%d/mem (no CAP_SYS_PTRACE): not checked" % d.pid)
            break
        check_eq(n, 2, "copies of the password in circd's memory (session_timeout %d)"
                 % timeout)
    check_eq(d.stop(), 0, "exit status")
