# SPDX-License-Identifier: GPL-2.0-or-later
"""
The SIP2 link over TLS, against the test ACS with a throw-away CA made by the
openssl CLI: the right CA gets online, another CA never does (and says why),
a certificate pin is checked on top of the CA.
"""

import time

from harness import check, check_eq, displays, fmt_events
from sip2lib import (ITEM, answered, no_secrets_in_logs, openssl, scan_until, sip2_conf,
                     start_acs, start_online, wait_for)

EXT = """basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
"""


def make_ca(t, name):
    openssl(t, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
            "-subj", "/CN=circd test " + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return t.path(name + ".pem")


def make_server_cert(t, ca):
    with open(t.path("server.ext"), "w") as f:
        f.write(EXT)
    openssl(t, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    openssl(t, "x509", "-req", "-in", "server.csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return t.path("server.pem"), t.path("server.key")


def fingerprint(t, pem):
    out = openssl(t, "x509", "-noout", "-fingerprint", "-sha256", "-in", pem).strip()
    check("=" in out, "openssl fingerprint output: %r" % out)
    return out.split("=", 1)[1]


def never_online(t, what, error_word, seconds=1.6):
    """Waits until status ils_error mentions error_word; online stays false throughout,
    across at least one reconnect."""
    st = wait_for("%s: status ils_error mentioning %r" % (what, error_word),
                  lambda: (lambda s: s if error_word in (s.get("ils_error") or "").lower()
                           or s["online"] else None)(t.status()))
    check(not st["online"], "%s: online: %r" % (what, st))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        st = t.status()
        check(not st["online"] and st["ils"] == "down", "%s: went online: %r" % (what, st))
        time.sleep(0.05)
    check(error_word in (st["ils_error"] or "").lower(), "%s: ils_error %r" % (what, st))
    return st


def test_tls_ca_verification_and_pin(t):
    ca = make_ca(t, "ca")
    other = make_ca(t, "other-ca")
    cert, key = make_server_cert(t, "ca")
    acs = start_acs(t, "--tls", "--cert", cert, "--key", key)
    tls = {"tls": "yes", "ca_file": ca}

    # The right CA: online, and a transaction goes through.
    d = start_online(t, sip2_conf(t, acs, mode="returns", sip2=tls, name="ok.conf"))
    ev = scan_until(d, "item_scanner", ITEM[10], answered, "return over TLS")
    check(any(ITEM[10] in x for x in displays(ev, "ok")), "return over TLS:%s" % fmt_events(ev))
    check_eq([(e["kind"], e["item"], e["changed"]) for e in acs.log()],
             [("checkin", ITEM[10], True)], "ACS log")
    check("plain TCP" not in d.log(), "a TLS link logged as plain TCP")
    check_eq(d.stop(), 0, "exit status")

    # Another CA: the handshake fails, circd stays offline and says why.
    d = t.start(sip2_conf(t, acs, mode="returns", sip2=dict(tls, ca_file=other),
                          name="other-ca.conf"), fake_clock=False)
    st = never_online(t, "another CA", "certificate")
    t.note("ils_error with another CA: %r" % st["ils_error"])
    # Staff see it in the log too, not only in circctl status.
    check("ILS link: cannot connect" in d.log() and "certificate" in d.log(),
          "the TLS verification failure is not logged:\n%s" % d.log()[-2000:])
    ev = d.scan_item(ITEM[11])
    check(any("updated later" in x for x in displays(ev, "ok")),
          "offline return with an untrusted ACS:%s" % fmt_events(ev))
    check_eq(len(acs.log()), 1, "nothing reached an ACS the kiosk does not trust")
    check_eq(d.stop(), 0, "exit status")

    # The right CA and the right pin: online (and the queued return goes through).
    pin = fingerprint(t, cert)
    d = start_online(t, sip2_conf(t, acs, mode="returns", sip2=dict(tls, pin_sha256=pin),
                                  name="pin.conf"))
    wait_for("the queued return forwarded", lambda: len(acs.log()) == 2)
    check_eq(d.stop(), 0, "exit status")

    # The right CA, a wrong pin (the other CA's certificate): never online.
    d = t.start(sip2_conf(t, acs, mode="returns",
                          sip2=dict(tls, pin_sha256=fingerprint(t, other)),
                          name="wrong-pin.conf"), fake_clock=False)
    st = never_online(t, "a wrong pin", "pin")
    t.note("ils_error with a wrong pin: %r" % st["ils_error"])
    no_secrets_in_logs(t)
