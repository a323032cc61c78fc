#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The package test (make check-deb, through scripts/check-deb.sh): circd's .deb
installed in a clean Debian 12 root, circd started there by hand on the sim
board (systemd does not run in a chroot), offline, a few returns recorded so
the outbox holds pending transactions; then the newer package installed over
it, and the same transactions still pending; then dpkg -r and dpkg --purge,
and the store still there.

    unshare --mount python3 tests/package/run.py ROOT OLD.deb NEW.deb

ROOT is a throw-away copy of a debootstrap root; /proc, /dev and a fresh /run
are mounted into it, so run it in a mount namespace of its own (the script
does), where the mounts go away with it. Each step prints "ok NAME" or
"FAIL NAME"; a step after a failed one is not run and counts as failed. The
last line is "N passed, N failed".
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Failure, SimClient, check, check_eq, item  # noqa: E402

TIMEOUT = 30
ITEMS = [item(n) for n in (7001, 7002, 7003)]
STORE = "/var/lib/circd/circd.db"
CONF = "/etc/circd/circd.conf"
# As systemd would start circd: nothing of the caller's environment
# (CIRCD_MESSAGES, say) reaches into the root.
CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
             "DEBIAN_FRONTEND": "noninteractive"}


class Root:
    def __init__(self, path, old_deb, new_deb):
        self.path = os.path.abspath(path)
        self.debs = {}
        for name, deb in (("old", old_deb), ("new", new_deb)):
            shutil.copy(deb, os.path.join(self.path, "tmp"))
            self.debs[name] = "/tmp/" + os.path.basename(deb)
        self.daemon = None
        self.log_path = os.path.join(self.path, "tmp", "circd.log")

    def host(self, path):
        return os.path.join(self.path, path.lstrip("/"))

    def mount(self):
        for args in (["-t", "proc", "proc", self.host("/proc")],
                     ["--bind", "/dev", self.host("/dev")],
                     ["-t", "tmpfs", "tmpfs", self.host("/run")]):
            subprocess.run(["mount"] + args, check=True)

    def run(self, *argv, ok=True):
        """A command in the root; its output, and its status checked when ok."""
        r = subprocess.run(["chroot", self.path] + list(argv), capture_output=True, text=True,
                           timeout=120, env=CLEAN_ENV)
        if ok and r.returncode != 0:
            raise Failure("%s: status %d\n%s%s" % (" ".join(argv), r.returncode, r.stdout,
                                                   r.stderr))
        return r

    def version(self):
        r = self.run("dpkg-query", "-W", "-f=${Status} ${Version}", "circd", ok=False)
        return r.stdout if r.returncode == 0 else None

    def start(self):
        """circd as the service would run it: user circd, the installed config."""
        # systemd's RuntimeDirectory= makes /run/circd; here it is done by hand.
        self.run("install", "-d", "-o", "circd", "-g", "circd", "-m", "0750", "/run/circd")
        log = open(self.log_path, "a")
        self.daemon = subprocess.Popen(
            ["chroot", self.path, "setpriv", "--reuid=circd", "--regid=circd", "--init-groups",
             "/usr/sbin/circd", "-f", "-c", CONF],
            stdout=log, stderr=subprocess.STDOUT, env=CLEAN_ENV)
        log.close()
        sock = self.host("/run/circd/sim.sock")
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(sock):
            if self.daemon.poll() is not None:
                raise Failure("circd exited with %d at start:\n%s" % (self.daemon.returncode,
                                                                     self.log()))
            if time.monotonic() > deadline:
                raise Failure("no sim channel after %d s:\n%s" % (TIMEOUT, self.log()))
            time.sleep(0.05)
        return SimClient(sock, TIMEOUT)

    def stop(self):
        self.daemon.send_signal(signal.SIGTERM)
        try:
            rc = self.daemon.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
            raise Failure("circd did not stop on SIGTERM:\n" + self.log())
        self.daemon = None
        check_eq(rc, 0, "circd's exit status")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]

    def circctl(self, *args):
        return json.loads(self.run("circctl", "--json", *args).stdout)

    def pending_items(self):
        rows = self.circctl("outbox")["transactions"]
        return [(r["kind"], r["item"]) for r in rows]


def step_install(root):
    check_eq(root.version(), None, "circd before the test")
    root.run("dpkg", "-i", root.debs["old"])
    check(root.version().startswith("install ok installed"), "not installed: %r" % root.version())
    root.run("getent", "passwd", "circd")
    st = os.stat(root.host("/var/lib/circd"))
    uid = int(root.run("id", "-u", "circd").stdout)
    check_eq((st.st_uid, st.st_mode & 0o777), (uid, 0o750), "/var/lib/circd owner and mode")
    st = os.stat(root.host(CONF))
    gid = int(root.run("getent", "group", "circd").stdout.split(":")[2])
    check_eq((st.st_gid, st.st_mode & 0o777), (gid, 0o640), CONF + " group and mode")
    check(any(os.path.exists(root.host(d + "/systemd/system/circd.service"))
              for d in ("/lib", "/usr/lib")), "no systemd unit")
    check(os.path.exists(root.host("/lib/udev/rules.d/60-circd.rules")), "no udev rules")


def step_record_offline(root):
    # The site's own edit of the conffile, which the upgrade must keep.
    conf = root.host(CONF)
    with open(conf) as f:
        text = f.read()
    check("\nmode = selfcheck\n" in text, "example config's mode line not found")
    with open(conf, "w") as f:
        f.write(text.replace("\nmode = selfcheck\n", "\nmode = returns\n"))
    sim = root.start()
    try:
        for code in ITEMS:
            sim.send("scan item_scanner " + code)
            events, answer = sim.read_answer()
            check_eq(answer, "ok", "answer to the scan of %s (events %r)" % (code, events))
            check(any(e.startswith("gpio lamp_ok 1") for e in events),
                  "no OK lamp for %s: %r" % (code, events))
    finally:
        sim.close()
    check_eq(root.circctl("status")["outbox"], len(ITEMS), "outbox")
    check_eq(root.pending_items(), [("checkin", c) for c in ITEMS], "pending transactions")
    root.stop()


def step_upgrade(root):
    before = os.stat(root.host(STORE))
    root.run("dpkg", "-i", root.debs["new"])
    want = os.path.basename(root.debs["new"]).split("_")[1]
    check_eq(root.version(), "install ok installed " + want, "version after the upgrade")
    # The daemon itself says the package's version (the Makefile reads debian/changelog).
    check_eq(root.run("/usr/sbin/circd", "-V").stdout.strip(), "circd " + want,
             "circd -V after the upgrade")
    after = os.stat(root.host(STORE))
    check_eq((after.st_ino, after.st_size, after.st_mtime_ns),
             (before.st_ino, before.st_size, before.st_mtime_ns), "store file after the upgrade")
    with open(root.host(CONF)) as f:
        check("\nmode = returns\n" in f.read(), "the site's edit of %s was lost" % CONF)


def step_pending_after_upgrade(root):
    sim = root.start()
    sim.close()
    check_eq(root.circctl("status")["outbox"], len(ITEMS), "outbox after the upgrade")
    check_eq(root.pending_items(), [("checkin", c) for c in ITEMS],
             "pending transactions after the upgrade")
    root.stop()


def step_remove_keeps_store(root):
    root.run("dpkg", "-r", "circd")
    check(root.version().startswith("deinstall ok config-files"),
          "after dpkg -r: %r" % root.version())
    check(not os.path.exists(root.host("/usr/sbin/circd")), "circd still there after dpkg -r")
    check(os.path.getsize(root.host(STORE)) > 0, "store gone after dpkg -r")
    check(os.path.exists(root.host(CONF)), "conffile gone after dpkg -r")


def step_purge_keeps_store(root):
    r = root.run("dpkg", "--purge", "circd")
    check_eq(root.version(), None, "circd after the purge")
    check(os.path.getsize(root.host(STORE)) > 0, "store gone after dpkg --purge")
    check("/var/lib/circd was kept" in r.stderr, "purge did not say the store was kept: %r"
          % r.stderr)
    check(root.run("dpkg-statoverride", "--list", CONF, ok=False).returncode != 0,
          "statoverride of %s left after the purge" % CONF)


STEPS = [step_install, step_record_offline, step_upgrade, step_pending_after_upgrade,
         step_remove_keeps_store, step_purge_keeps_store]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: run.py ROOT OLD.deb NEW.deb")
    root = Root(*sys.argv[1:])
    root.mount()
    passed = failed = 0
    broken = None
    for step in STEPS:
        name = step.__name__[len("step_"):]
        if broken:
            print("FAIL %s: not run, %s failed" % (name, broken))
            failed += 1
            continue
        try:
            step(root)
        except Exception:
            traceback.print_exc()
            print("FAIL " + name)
            failed += 1
            broken = name
            if root.daemon:
                root.daemon.kill()
                root.daemon.wait()
                root.daemon = None
                print(root.log(), file=sys.stderr)
        else:
            print("ok   " + name)
            passed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
