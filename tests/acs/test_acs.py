#!/usr/bin/env python3
"""Self-test of the test ACS (tests/acs/acs.py), with its own tiny SIP2 client.

Run: python3 tests/acs/test_acs.py [NAME...]   -- prints "ok NAME" / "FAIL NAME: why"
per test and "N passed, N failed" last; exit status 1 on any failure.

The client (acs_client.py) does its own framing and checksums, not acs_wire's, so
the two check each other. Every socket has a timeout; every server is a subprocess
that is killed at the end of its test.
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
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True         # no __pycache__ in the source tree
sys.path.insert(0, HERE)

from acs_client import (ACS, ACSProcess, ADA, ALAN, BLANK, BLOCKED, FINES, ITEM,  # noqa: E402
                        JURGEN, KATHERINE, frame, luhn14, now18, trailer_ok)

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def with_acs(*args):
    def deco(fn):
        def run():
            acs = ACSProcess(*args)
            try:
                fn(acs)
                assert not acs.crashed(), "acs.py logged a traceback"
            except BaseException:
                sys.stderr.write(f"--- acs.py stderr ---\n{acs.stderr()}\n")
                raise
            finally:
                acs.cleanup()
        run.__name__ = fn.__name__
        return test(run)
    return deco


# --- tests -------------------------------------------------------------------------------

@test
def help_documents_everything():
    out = subprocess.run([sys.executable, ACS, "--help"], capture_output=True, text=True,
                         timeout=10).stdout
    for word in ["--port", "--admin", "--port-file", "--tls", "--cert", "--key", "--state",
                 "--login", "--timeout-tenths", "--retries", "--clock-offset",
                 "--ignore-no-block", "--repeat-checkout-renews", "--resend-mode",
                 "--terminator", "--charset", "--no-error-detection", "--strict-items",
                 "--verbose", "--no-persist", "fault refuse", "close-after", "drop-reply", "stall", "garbage",
                 "bad-checksum", "latency", "restart", "state", "log", "reset", "clear",
                 "quit"]:
        assert word in out, f"--help does not mention {word}"


@test
def barcodes():
    import acs_wire
    for b in [ADA, BLOCKED, FINES, "31234000000016", "31234000000024"]:
        assert acs_wire.barcode_ok(b), b
    assert not acs_wire.barcode_ok("31234000000017")
    assert acs_wire.make_barcode("31234", 1) == "31234000000016"
    assert all(acs_wire.make_barcode("31234", n) == ITEM[n] for n in ITEM)


@with_acs("--login", "kiosk:secret")
def login_checked(acs):
    c = acs.client()
    assert c.login("kiosk", "wrong").fixed == "0"
    assert c.login("kiosk", "secret").fixed == "1"
    assert c.patron_status(ADA).code == "24"
    c2 = acs.client()
    c2.send(frame(f"23001{now18()}AOinst|AA{ADA}|AC|", 1))
    assert c2.eof(), "a transaction before login should close the link"


@with_acs("--timeout-tenths", "50", "--retries", "7")
def sc_status(acs):
    c = acs.client()
    assert c.login().fixed == "1", "any login is accepted without --login"
    r = c.status()
    assert r.code == "98"
    assert r.fixed[:6] == "YYYYNN", r.fixed
    assert r.fixed[6:9] == "050" and r.fixed[9:12] == "007", r.fixed
    assert r.fixed[30:34] == "2.00" and r.fixed[20:24] == "    ", r.fixed
    when = time.mktime(time.strptime(r.fixed[12:20] + r.fixed[24:30], "%Y%m%d%H%M%S"))
    assert abs(when - time.time()) < 5, r.fixed
    assert r.f("AO") and r.f("AM")
    assert r.f("BX") == "YYYNYYYYYNYNNNYN", r.f("BX")


@with_acs("--clock-offset", "7200")
def clock_offset(acs):
    r = acs.client().status()
    assert r.fixed[6:9] == "030" and r.fixed[9:12] == "003"
    when = time.mktime(time.strptime(r.fixed[12:20] + r.fixed[24:30], "%Y%m%d%H%M%S"))
    assert abs(when - time.time() - 7200) < 5, r.fixed
    assert acs.admin("set clock-offset 0") == "ok"
    r = acs.client().status()
    when = time.mktime(time.strptime(r.fixed[12:20] + r.fixed[24:30], "%Y%m%d%H%M%S"))
    assert abs(when - time.time()) < 5


@with_acs()
def checksums_and_sequence(acs):
    c = acs.client()
    bad = bytearray(frame("9900302.00", 3))
    bad[-2] = ord("0") if bad[-2] != ord("0") else ord("1")
    c.send(bytes(bad))
    r = c.read()
    assert r.code == "96" and r.ay is None and trailer_ok(r.raw), r
    c.send(b"9900302.00\r")                       # no AY/AZ: accepted
    assert c.read().code == "98"
    for seq in range(10):
        assert c.status() is not None
    c.send(b"XX garbage\r\x00\x01\x02\r42unknown|\r")   # ignored: no reply
    c.send(b"\n\r\n")                                # empty lines: ignored
    assert c.status().code == "98", "still talking after garbage"
    assert acs.admin("set require-checksum yes") == "ok"
    c.send(b"9900302.00\r")
    assert c.read().code == "96"


@with_acs()
def checkout_checkin_renew(acs):
    c = acs.client()
    tx = now18(-60)
    r = c.checkout(ADA, ITEM[1], tx_date=tx)
    assert r.code == "12" and r.fixed[0] == "1" and r.fixed[1] == "N" and r.fixed[3] == "Y", r
    assert r.f("AJ") == "The Left Hand of Darkness" and r.f("AB") == ITEM[1]
    due = r.f("AH")
    assert len(due) == 18 and due.endswith("235959"), due
    st = acs.state()
    assert st["items"][ITEM[1]]["charged_to"] == ADA and ITEM[1] in st["patrons"][ADA]["charged"]
    r = c.checkout(ADA, ITEM[1])                     # the same again: no change
    assert r.fixed[0] == "1" and r.f("AH") == due, r
    log = acs.log()
    assert [(t["kind"], t["result"], t["changed"]) for t in log] == [
        ("checkout", "charged", True), ("checkout", "already-charged", False)], log
    assert log[0]["transaction_date"] == tx and log[0]["nb_due_date"] == BLANK
    r = c.renew(ADA, ITEM[1])
    assert r.code == "30" and r.fixed[:2] == "1Y" and r.f("AH") > due, r
    r = c.renew(FINES, ITEM[1])
    assert r.fixed[0] == "0", "renewal by another patron"
    ret = now18(-30)
    r = c.checkin(ITEM[1], ret=ret)
    assert r.code == "10" and r.fixed[0] == "1" and r.fixed[3] == "N" and r.f("AA") == ADA, r
    assert r.f("AF") is None
    r = c.checkin(ITEM[1])
    assert r.fixed[0] == "1" and r.f("AF") == "Item was not checked out", r
    st = acs.state()
    assert st["items"][ITEM[1]]["charged_to"] is None and st["patrons"][ADA]["charged"] == []
    loan = [ln for ln in st["loans"] if ln["item"] == ITEM[1]][0]
    assert loan["returned"] and loan["return_date"] == ret
    assert [t["seq"] for t in st["transactions"]] == [1, 2, 3, 4, 5, 6]
    r = c.req(f"35{now18()}AOinst|AA{ADA}|")
    assert r.code == "36" and r.fixed[0] == "Y"


@with_acs()
def circulation_refusals(acs):
    c = acs.client()
    r = c.checkout(ADA, ITEM[10])
    assert r.fixed[0] == "0" and r.f("AF") == "Item checked out to another patron", r
    r = c.checkout(BLOCKED, ITEM[2])
    assert r.fixed[0] == "0" and r.f("AF") == "Please see staff: card expired", r
    r = c.checkout(ADA, ITEM[12])
    assert r.fixed[0] == "0" and r.f("AF") == "Item on hold for another patron", r
    r = c.checkout("21234999999997", ITEM[2])
    assert r.fixed[0] == "0" and r.f("BL") == "N", r
    r = c.checkout(ADA, ITEM[2], pin="0000")
    assert r.fixed[0] == "0", "wrong PIN"
    r = c.checkout(ADA, "31234000000017")            # bad check digit: never auto-created
    assert r.fixed[0] == "0" and r.f("AF") == "Unknown item", r
    r = c.renew(ALAN, ITEM[15])
    assert r.fixed[0] == "0" and r.f("AF") == "Item on hold for another patron", r
    assert not any(t["changed"] for t in acs.log())


@with_acs()
def no_block_honoured(acs):
    c = acs.client()
    nb = now18(86400 * 3)
    r = c.checkout(BLOCKED, ITEM[2], no_block="Y", nb_due=nb)
    assert r.fixed[0] == "1" and r.f("AH") == nb, r
    r = c.checkout(ADA, ITEM[10], no_block="Y", nb_due=nb)   # taken over from Grace
    assert r.fixed[0] == "1", r
    st = acs.state()
    assert st["items"][ITEM[10]]["charged_to"] == ADA
    assert ITEM[10] not in st["patrons"][FINES]["charged"]
    t = acs.log()[0]
    assert t["no_block"] is True and t["nb_due_date"] == nb and t["due"] == nb


@with_acs("--ignore-no-block")
def no_block_ignored(acs):
    r = acs.client().checkout(BLOCKED, ITEM[2], no_block="Y", nb_due=now18(86400))
    assert r.fixed[0] == "0" and r.f("AF") == "Please see staff: card expired", r


@with_acs("--repeat-checkout-renews", "--loan-days", "10")
def repeat_checkout_renews(acs):
    c = acs.client()
    due = c.checkout(ADA, ITEM[3]).f("AH")
    r = c.checkout(ADA, ITEM[3])
    assert r.fixed[:2] == "1Y" and r.f("AH") > due, r
    assert [t["kind"] for t in acs.log()] == ["checkout", "renew"]


@with_acs("--no-dedup")
def no_dedup_applies_a_repeated_message_again(acs):
    """As Koha and Evergreen: the same 11 or 09 (same AY) sent twice is applied twice."""
    c = acs.client()
    out = f"11NN{now18()}{BLANK}AOinst|AA{ADA}|AB{ITEM[3]}|AC|"
    first = c.req(out, seq=4)
    again = c.req(out, seq=4)
    assert first.fixed[0] == "1" and again.fixed[:2] == "1Y", (first, again)
    assert again.f("AH") != first.f("AH"), "the repeat did not renew: %r" % again
    d = now18()
    back = f"09N{d}{d}APFront desk|AOinst|AB{ITEM[3]}|AC|"
    c.req(back, seq=5)
    r = c.req(back, seq=5)
    assert r.fixed[0] == "0" and "not checked out" in r.f("AF"), r
    assert [(t["kind"], t["changed"]) for t in acs.log()] == [
        ("checkout", True), ("renew", True), ("checkin", True), ("checkin", False)], acs.log()


@with_acs()
def auto_items(acs):
    c = acs.client()
    item = luhn14("31234" + "%08d" % 4242)
    r = c.item_info(item)
    assert r.fixed[:2] == "03" and r.f("AJ"), r
    assert item not in acs.state()["items"], "a lookup does not create the item"
    r = c.checkout(ADA, item)
    assert r.fixed[0] == "1" and r.f("AJ"), r
    assert acs.state()["items"][item]["auto"] is True
    assert acs.admin("set strict-items yes") == "ok"
    r = c.checkout(ADA, luhn14("31234" + "%08d" % 4243))
    assert r.fixed[0] == "0" and r.f("AF") == "Unknown item", r


@with_acs("--strict-items")
def strict_items(acs):
    r = acs.client().checkout(ADA, luhn14("31234" + "%08d" % 999))
    assert r.fixed[0] == "0" and r.f("AF") == "Unknown item", r


@with_acs()
def checkin_alerts(acs):
    c = acs.client()
    r = c.checkin(ITEM[12])                     # on the hold shelf here, for Alan
    assert r.fixed[:4] == "1YNY" and r.f("CV") == "01" and r.f("CY") == ALAN, r
    assert r.f("CL") == "HOLDS" and r.f("DA") == "Alan Turing"
    r = c.checkin(ITEM[15])                     # Alan's loan, Ada waits for it
    assert r.fixed[3] == "Y" and r.f("CV") == "01" and r.f("CY") == ADA and r.f("AA") == ALAN, r
    r = c.checkin(ITEM[13])                     # hold at another branch
    assert r.f("CV") == "02" and r.f("CT") == "Eastside Branch" and r.f("CY") == KATHERINE, r
    r = c.checkin(ITEM[14])                     # transit only
    assert r.f("CV") == "04" and r.f("CT") == "Westside Branch" and r.f("CY") is None, r
    r = c.checkin(ITEM[2])
    assert r.fixed[3] == "N" and r.f("CV") is None and r.f("CL") == "A2", r
    r = c.checkout(ADA, ITEM[15])               # the hold is filled
    assert r.fixed[0] == "1"
    assert acs.state()["items"][ITEM[15]]["hold_for"] is None


@with_acs()
def patron_status_and_info(acs):
    c = acs.client()
    r = c.patron_status(BLOCKED, pin="2345")
    assert r.code == "24" and r.fixed[:4] == "YYYY" and r.fixed[14:17] == "001", r
    assert r.f("BL") == "Y" and r.f("CQ") == "Y" and r.f("AE") == "Charles Babbage"
    assert r.f("AF") == "Please see staff: card expired"
    r = c.patron_status(ADA, pin="9999")
    assert r.fixed[:14] == " " * 14 and r.f("CQ") == "N" and r.f("AF") is None, r
    r = c.patron_status(ADA)
    assert r.f("CQ") is None, "no CQ without AD"
    r = c.patron_status("21234999999997")
    assert r.f("BL") == "N", r
    r = c.patron_status(FINES)
    assert r.fixed[10] == "Y" and r.f("BV") == "12.50", r
    r = c.patron_info(FINES, "  Y")
    assert r.code == "64" and r.fixed[35:39] == "0000" and r.fixed[43:47] == "0001", r
    assert r.all("AU") == [ITEM[10]] and not r.all("AS"), r
    r = c.patron_info(ALAN, "Y")
    assert r.all("AS") == [ITEM[12]] and r.fixed[35:39] == "0001" and not r.all("AU"), r
    r = c.patron_info(JURGEN, "  Y", "BP1|BQ5|")
    assert r.all("AU") == [ITEM[11]] and r.fixed[39:43] == "0001", "one overdue"
    r = c.patron_info(ADA, "     Y")
    assert r.all("CD") == [ITEM[15]], r


@with_acs()
def item_information(acs):
    c = acs.client()
    r = c.item_info(ITEM[10])
    assert r.code == "18" and r.fixed[:2] == "04" and len(r.f("AH")) == 18, r
    assert c.item_info(ITEM[1]).fixed[:2] == "03"
    assert c.item_info(ITEM[12]).fixed[:2] == "08"
    r = c.item_info(ITEM[14])
    assert r.fixed[:2] == "10" and r.f("AH") is None and r.f("CT") == "Westside Branch", r
    assert c.item_info(ITEM[13]).fixed[:2] == "10"
    r = c.item_info("31234000000017")
    assert r.fixed[:2] == "01" and r.f("AF") == "Unknown item", r


@with_acs()
def fault_refuse(acs):
    assert acs.admin("fault refuse on") == "ok"
    c = acs.client()
    assert c.eof(), "a refused connection is closed at once"
    assert acs.admin("fault refuse off") == "ok"
    assert acs.client().status().code == "98"


@with_acs("--refuse")
def fault_refuse_flag(acs):
    assert acs.client().eof()
    assert acs.admin("clear") == "ok"
    assert acs.client().status().code == "98"


@with_acs()
def fault_close_after(acs):
    c = acs.client()
    assert acs.admin("fault close-after 2") == "ok"
    assert c.status().code == "98"
    assert c.status().code == "98", "the Nth message is still answered"
    assert c.eof()
    c = acs.client()
    c.status()
    c.status()
    c.status()                                  # disarmed after firing


@with_acs()
def fault_drop_reply(acs):
    c = acs.client()
    assert acs.admin("fault drop-reply on") == "ok"
    assert c.status().code == "98", "only transactions are dropped"
    c.send(frame(f"11NN{now18()}{BLANK}AOinst|AA{ADA}|AB{ITEM[4]}|AC|", 5))
    assert c.eof(), "dropped without a reply"
    assert acs.state()["items"][ITEM[4]]["charged_to"] == ADA, "but applied"
    assert acs.log()[-1]["reply_dropped"] is True
    c = acs.client()
    r = c.checkout(ADA, ITEM[4])                # the retry: answered, no second charge
    assert r.fixed[0] == "1"
    assert [t["changed"] for t in acs.log()] == [True, False]


@with_acs("--drop-reply", "1")
def fault_drop_reply_flag(acs):
    c = acs.client()
    c.send(frame(f"09N{now18()}{now18()}APx|AOinst|AB{ITEM[10]}|AC|", 1))
    assert c.eof()
    assert acs.state()["items"][ITEM[10]]["charged_to"] is None


@with_acs()
def fault_stall_and_latency(acs):
    c = acs.client()
    assert acs.admin("fault stall on") == "ok"
    c.send(frame("9900302.00", 1))
    try:
        c.read(timeout=0.4)
        raise AssertionError("a stalled ACS answered")
    except socket.timeout:
        pass
    assert acs.admin("fault stall off") == "ok"
    assert acs.admin("fault latency 300") == "ok"
    t = time.monotonic()
    assert c.status().code == "98"
    assert time.monotonic() - t >= 0.28
    assert acs.admin("fault latency 0") == "ok"


@with_acs()
def fault_garbage_and_resend(acs):
    c = acs.client()
    assert acs.admin("fault garbage 1") == "ok"
    c.send(frame(f"11NN{now18()}{BLANK}AOinst|AA{ADA}|AB{ITEM[5]}|AC|", 4))
    raw = c.read_raw()
    assert raw.endswith(b"\r") and not raw[:2].isdigit(), raw
    c.send(frame("97", None))                   # 97: checksum, no sequence number
    r = c.read()
    assert r.code == "12" and r.fixed[0] == "1" and r.ay == 4 and trailer_ok(r.raw), r
    assert len(acs.log()) == 1, "a resend does not apply again"
    assert acs.admin("fault garbage on") == "ok"
    c.send(frame("9900302.00", 5))
    assert not c.read_raw()[:2].isdigit()
    c.send(frame("97", None))
    assert not c.read_raw()[:2].isdigit(), "on: every reply"
    assert acs.admin("fault garbage off") == "ok"
    c.send(frame("97", None))
    assert c.read().code == "98"


@with_acs()
def fault_bad_checksum(acs):
    c = acs.client()
    assert acs.admin("fault bad-checksum on") == "ok"
    c.send(frame("9900302.00", 2))
    r = c.read()
    assert r.code == "98" and r.az and not trailer_ok(r.raw), r
    assert acs.admin("fault bad-checksum off") == "ok"
    c.send(frame("97", None))
    r = c.read()
    assert r.code == "98" and trailer_ok(r.raw) and r.ay == 2


@with_acs()
def resend_verbatim(acs):
    c = acs.client()
    c.send(frame(f"17{now18()}AOinst|AB{ITEM[1]}|", 6))
    first = c.read_raw()
    time.sleep(1.1)                             # a recomputed reply would show a new date
    c.send(frame("97", None))
    assert c.read_raw() == first


@with_acs("--resend-mode", "recompute")
def resend_recompute(acs):
    c = acs.client()
    c.send(frame(f"17{now18()}AOinst|AB{ITEM[1]}|", 6))
    first = c.read()
    c.send(frame("97", None))
    again = c.read()
    assert again.ay == 7 and trailer_ok(again.raw) and again.raw != first.raw, again
    assert again.raw[:-9] == first.raw[:-9], "same reply, new AY/AZ"


@with_acs()
def restart_keeps_state(acs):
    c = acs.client()
    c.checkout(ADA, ITEM[6])
    assert acs.admin("restart") == "ok"
    assert c.eof()
    c = acs.client()
    r = c.item_info(ITEM[6])
    assert r.fixed[:2] == "04"
    stats = json.loads(acs.admin("stats"))
    assert stats["connections"] == 2 and stats["messages"]["11"] == 1, stats


@test
def no_persist_writes_the_state_once_at_a_clean_stop():
    acs = ACSProcess("--no-persist")
    try:
        assert not os.path.exists(acs.state_path), "not written at start"
        c = acs.client()
        assert c.checkout(ADA, ITEM[7]).fixed[0] == "1"
        assert not os.path.exists(acs.state_path), "not written after a change"
        assert acs.state()["items"][ITEM[7]]["charged_to"] == ADA, "kept in memory"
        acs.stop()                                  # SIGTERM: a clean stop writes it
        with open(acs.state_path, encoding="utf-8") as f:
            on_disk = json.load(f)
        assert on_disk["items"][ITEM[7]]["charged_to"] == ADA
        assert len(on_disk["transactions"]) == 1
        before = os.stat(acs.state_path).st_mtime_ns
        acs.start()                                 # read at start
        assert acs.client().item_info(ITEM[7]).fixed[:2] == "04"
        assert acs.client().checkin(ITEM[7]).fixed[0] == "1"
        assert os.stat(acs.state_path).st_mtime_ns == before, "not rewritten per change"
        acs.stop(signal.SIGKILL)                    # no clean stop: the checkin is lost
        acs.start()
        assert acs.client().item_info(ITEM[7]).fixed[:2] == "04"
        assert acs.admin("quit") == "ok"            # quit is a clean stop too
        acs.proc.wait(5)
        with open(acs.state_path, encoding="utf-8") as f:
            assert json.load(f)["items"][ITEM[7]]["charged_to"] == ADA
    finally:
        acs.cleanup()


@test
def persistence_across_processes():
    acs = ACSProcess()
    try:
        assert os.path.exists(acs.state_path), "created with demo data"
        acs.client().checkout(ADA, ITEM[7])
        with open(acs.state_path, encoding="utf-8") as f:
            on_disk = json.load(f)
        assert on_disk["items"][ITEM[7]]["charged_to"] == ADA, "written after the change"
        acs.stop(signal.SIGKILL)
        acs.start()
        assert acs.client().item_info(ITEM[7]).fixed[:2] == "04"
        assert len(acs.log()) == 1
        assert acs.admin("reset") == "ok"
        assert acs.state()["items"][ITEM[7]]["charged_to"] is None
        assert acs.log() == []
        assert acs.admin("load {\"patrons\": {}, \"items\": {}}") == "ok"
        assert acs.client().checkout(ADA, ITEM[1]).f("BL") == "N"
        assert acs.admin("load {not json").startswith("error")
        assert not acs.crashed()
        assert acs.admin("quit") == "ok"
        acs.proc.wait(5)
        assert acs.proc.returncode == 0
    finally:
        acs.cleanup()


@with_acs()
def admin_errors(acs):
    for bad in ["nonsense", "fault warp on", "fault stall maybe", "fault latency fast",
                "set loan-days many", "set nothing 1"]:
        assert acs.admin(bad).startswith("error "), bad
    assert acs.admin("ping") == "ok"
    assert json.loads(acs.admin("faults"))["stall"] is False
    assert acs.admin("fault stall on") == "ok" and acs.admin("clear") == "ok"
    assert json.loads(acs.admin("faults"))["stall"] is False


@test
def charsets():
    title = "Schöne Grüße aus Köln"
    for cs, name in [("cp850", "cp850"), ("latin-1", "latin-1"), ("utf-8", "utf-8"),
                     ("ibm850", "cp850"), ("iso-8859-1", "latin-1")]:
        acs = ACSProcess("--charset", cs)
        try:
            c = acs.client(charset=name)
            r = c.item_info(ITEM[3])
            assert title.encode(name) in r.raw and r.f("AJ") == title, (cs, r)
            r = c.patron_status(JURGEN)
            assert r.f("AE") == "Jürgen Müller", (cs, r)
            c.checkin(ITEM[1], loc="Zweigstelle Süd")
            assert acs.log()[0]["location"] == "Zweigstelle Süd", cs
            assert not acs.crashed()
        finally:
            acs.cleanup()
    acs = ACSProcess()                           # ascii: what cannot be said becomes '?'
    try:
        r = acs.client().item_info(ITEM[3])
        assert r.f("AJ") == "Sch?ne Gr??e aus K?ln" and max(r.raw) < 0x80, r
    finally:
        acs.cleanup()


@with_acs("--terminator", "crlf")
def terminator_crlf(acs):
    c = acs.client(term=b"\r\n")
    c.send(frame("9900302.00", 1, term=b"\r\n"))
    assert c.read_raw().endswith(b"\r\n")
    c.send(frame("9900302.00", 2, term=b"\n"))       # LF alone is accepted too
    raw = c.read_raw()
    assert raw.endswith(b"AZ" + raw[-6:-2] + b"\r\n") and trailer_ok(raw[:-2]), raw


@with_acs("--no-error-detection")
def no_error_detection(acs):
    c = acs.client(ed=False)
    r = c.req("9900302.00")
    assert r.az is None and r.ay is None and b"AZ" not in r.raw, r
    c.send(frame("9900302.00", 3))                   # AY/AZ sent anyway: tolerated
    r = c.read()
    assert r.code == "98" and r.az is None
    c.send(b"9900302.00AY1AZ0000\r")                 # not checked either
    assert c.read().code == "98"


@with_acs()
def robust_to_garbage(acs):
    clients = [acs.client() for _ in range(5)]
    junk = acs.client()
    junk.send(b"\xff" + os.urandom(2000).replace(b"\r", b"x").replace(b"\n", b"y") + b"\r")
    junk.send(b"11" + b"\r")                          # cut short: ignored
    junk.send(b"\xff" * (70 * 1024))                 # no terminator, too long: closed
    assert junk.eof()
    half = acs.client()
    half.send(b"9900")                              # half a message, then gone
    half.close()
    for i, c in enumerate(clients):
        assert c.checkout(ADA if i % 2 else ALAN, ITEM[16 + i % 4]).code == "12"
    assert acs.client().status().code == "98"


@with_acs()
def fuzzed_requests(acs):
    import random
    rng = random.Random(7)
    d = now18()
    seeds = [f"9300CNu|COp|CPx|", "9900302.00", f"23001{d}AOi|AA{ADA}|AD1234|",
             f"63001{d}YYYYYY    AOi|AA{ALAN}|BP1|BQ3|", f"11NN{d}{BLANK}AOi|AA{ADA}|AB{ITEM[2]}|",
             f"11NY{d}{d}AOi|AA{BLOCKED}|AB{ITEM[10]}|", f"09N{d}{d}APx|AOi|AB{ITEM[12]}|",
             f"29NN{d}{BLANK}AOi|AA{ALAN}|AB{ITEM[15]}|", f"17{d}AOi|AB{ITEM[14]}|",
             f"35{d}AOi|AA{ADA}|", "97"]
    c = acs.client()
    for _ in range(400):
        m = bytearray(rng.choice(seeds).encode())
        for _ in range(rng.randint(1, 4)):
            op, i = rng.randrange(3), rng.randrange(len(m) + 1)
            if op == 0 and i < len(m):
                m[i] = rng.choice(b"0123456789YN |AZY\x00\xff")
            elif op == 1:
                m[i:i] = bytes([rng.randrange(1, 256)])
            else:
                del m[i:i + rng.randrange(1, 30)]
        c.send(bytes(m).replace(b"\r", b"").replace(b"\n", b"") + b"\r")
    c.send(frame("9900302.00", 9))                  # after the fuzz, on the same link
    replies = 0
    while True:
        raw = c.read_raw()
        assert raw, "the ACS closed the fuzzed link"
        replies += 1
        if raw.startswith(b"98") and b"AY9AZ" in raw:
            break
    assert replies > 100, replies
    assert not acs.crashed(), acs.stderr()
    json.loads(acs.admin("state"))


@test
def tls_with_throwaway_ca():
    d = tempfile.mkdtemp(prefix="acs-tls-")
    try:
        def ossl(*args):
            subprocess.run(["openssl"] + list(args), cwd=d, check=True, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=acs test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        ossl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost")
        with open(os.path.join(d, "ext.cnf"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\n"
                    "authorityKeyIdentifier=keyid\n")
        ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
        acs = ACSProcess("--tls", "--cert", os.path.join(d, "srv.pem"),
                         "--key", os.path.join(d, "srv.key"))
        try:
            ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
            c = acs.client(tls=ctx)
            assert c.login().fixed == "1"
            assert c.checkout(ADA, ITEM[8]).fixed[0] == "1"
            c.close()
            plain = acs.client()                    # plain TCP to a TLS port: dropped
            plain.send(frame("9900302.00", 1))
            assert plain.eof()
            other = ssl.create_default_context()    # a client that does not trust the CA
            try:
                acs.client(tls=other)
                raise AssertionError("an unknown CA was accepted")
            except ssl.SSLCertVerificationError:
                pass
            assert acs.client(tls=ctx).status().code == "98", "still serving"
            assert not acs.crashed()
        finally:
            acs.cleanup()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main(argv):
    wanted = set(argv)
    passed = failed = 0
    start = time.monotonic()
    for fn in TESTS:
        if wanted and fn.__name__ not in wanted:
            continue
        try:
            fn()
            print(f"ok {fn.__name__}", flush=True)
            passed += 1
        except Exception as e:
            tb = traceback.extract_tb(e.__traceback__)
            where = next((f"line {t.lineno}" for t in reversed(tb) if t.filename == __file__), "")
            print(f"FAIL {fn.__name__}: {where}: {type(e).__name__}: {e}", flush=True)
            failed += 1
    print(f"# {time.monotonic() - start:.1f} s", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
