# SPDX-License-Identifier: GPL-2.0-or-later
"""A real systemd restarts a wedged circd.

No systemd runs as PID 1 here (nor in CI), so the test starts one of its own: systemd's user
manager (`systemd --user`, the same service engine as PID 1's: Type=notify, WatchdogSec=,
Restart=) in private PID and mount namespaces. A tmpfs on /run holds its runtime directory and
/run/systemd/system (without which it refuses to start, "system has not been booted with
systemd"). Killing the namespace's first process ends the manager and every circd it started,
whatever state they are in. What systemd did is read from the unit's own hooks, as systemd
documents them (systemd.exec(5), systemd.service(5)): ExecStartPost= runs once READY=1 is in,
and ExecStopPost= gets $SERVICE_RESULT ("watchdog" when the watchdog fired), $EXIT_CODE and
$EXIT_STATUS.

The unit takes Type=, NotifyAccess=, Restart= and the process sandboxing (system call filter,
address families, no writable code, no capabilities) from etc/circd.service as shipped, with a
short WatchdogSec= (test_unit_file.py checks the rest of the hardening). circd runs on the sim board; "wedge" on the sim channel sticks its
loop inside a callback, the pings stop, systemd sends SIGABRT and starts it again: the new circd
answers on the sim channel and still holds the loan recorded before.

Skipped (with a note) unless run as root with systemd and unshare installed."""

import os
import re
import shutil
import subprocess
import sys
import time

from harness import CIRCD, REPO, SIM_BOARD, SAN, Failure, SimClient, SimClosed, check
from sip2lib import ADA, ITEM, sip2_conf, start_acs, wait_for, wait_online

SYSTEMD = "/lib/systemd/systemd"
UNIT = "circd-watchdog-test.service"
# circd pings every half of it; under ASan a loaded machine still pings in time.
WATCHDOG_SEC = 4 if SAN else 2


# Taken from the shipped unit as it is: how systemd runs and restarts circd, and the sandboxing a
# user manager running as root applies like PID 1 does (what circd may call, which sockets, no
# writable code), so circd is seen to work inside it. Not the users, devices and file system
# settings (a user manager cannot switch users; ProtectSystem= would hide the test's files).
SHIPPED_KEYS = ("Type", "NotifyAccess", "Restart", "NoNewPrivileges", "CapabilityBoundingSet",
                "AmbientCapabilities", "UMask", "RestrictNamespaces", "RestrictRealtime",
                "RestrictSUIDSGID", "LockPersonality", "MemoryDenyWriteExecute",
                "RestrictAddressFamilies", "SystemCallArchitectures", "SystemCallFilter",
                "SystemCallErrorNumber")


def _shipped_service_lines():
    with open(os.path.join(REPO, "etc", "circd.service")) as f:
        lines = [l.strip() for l in f]
    keep = [l for l in lines if l.split("=", 1)[0] in SHIPPED_KEYS]
    check(len([l for l in keep if l.split("=", 1)[0] in ("Type", "NotifyAccess", "Restart")]) == 3,
          "etc/circd.service: Type, NotifyAccess, Restart: %r" % keep)
    return keep


# adjtimex() without modes (clock trust) and chown() to one's own group (the control socket's
# [control] group), as circd makes them: "probe adjtimex 0 chown 0" when both are let through.
PROBE = """import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
state = libc.adjtimex(ctypes.create_string_buffer(512))
adjtimex = 0 if state >= 0 else ctypes.get_errno()
try:
    os.chown(sys.argv[0], -1, os.getgid())
    chown = 0
except OSError as e:
    chown = e.errno
with open(%r, "a") as f:
    f.write("probe adjtimex %%d chown %%d\\n" %% (adjtimex, chown))
"""


def _unit(t, conf, log, events):
    probe = t.path("probe.py")
    with open(probe, "w") as f:
        f.write(PROBE % events)
    env = "CIRCD_MESSAGES=%s" % os.environ["CIRCD_MESSAGES"]
    asan = os.environ.get("ASAN_OPTIONS")
    lines = ["[Unit]", "Description=circd under a real systemd (test)",
             # Only this unit is on the path: no basic.target to wait for.
             "DefaultDependencies=no", "", "[Service]"] + _shipped_service_lines() + [
        "WatchdogSec=%d" % WATCHDOG_SEC,
        "RestartSec=100ms",
        "ExecStart=%s -f -c %s -b %s" % (CIRCD, conf, SIM_BOARD),
        "WorkingDirectory=%s" % t.dir,
        "Environment=%s" % env,
        "StandardOutput=append:%s" % log,
        "StandardError=append:%s" % log,
        # The calls the filter lets through beyond @system-service, tried under it first.
        "ExecStartPre=%s %s" % (sys.executable, probe),
        "ExecStartPost=/bin/sh -c 'echo ready >>%s'" % events,
        "ExecStopPost=/bin/sh -c 'echo \"stopped $SERVICE_RESULT $EXIT_CODE $EXIT_STATUS\" >>%s'"
        % events,
    ]
    if asan:
        lines.append("Environment=ASAN_OPTIONS=%s" % asan)
    return "\n".join(lines) + "\n"


def _start_manager(t, units):
    script = (
        "set -e\n"
        "mount -t tmpfs -o mode=0755 tmpfs /run\n"
        "mkdir -p /run/systemd/system /run/user/0\n"
        "chmod 0700 /run/user/0\n"
        # Not exec'd: sh stays the namespace's init, the user manager is not made to be one.
        "%s --user --unit=%s\n" % (SYSTEMD, UNIT))
    env = dict(os.environ, XDG_RUNTIME_DIR="/run/user/0", SYSTEMD_UNIT_PATH=units)
    for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(k, None)
    out = open(t.path("unshare.log"), "wb")
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                             "--kill-child", "--mount-proc", "sh", "-c", script],
                            env=env, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT)

    def stop():
        proc.kill()  # --kill-child: the namespace's first process dies, and with it all in it
        proc.wait(t.timeout)
        out.close()
    t.at_cleanup("systemd --user", stop)
    t.add_log("unshare and systemd", lambda: open(t.path("unshare.log"), errors="replace").read())
    return proc


def _connect(t, deadline, proc):
    """The sim channel of whichever circd runs now (a stale socket refuses the connection)."""
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure("the manager exited (%d)" % proc.returncode)
        try:
            return SimClient(t.sim_sock, t.timeout)
        except (OSError, SimClosed, Failure) as e:
            last = e
        time.sleep(0.05)
    raise Failure("no circd on the sim channel (%r)" % last)


def _wait_for(path, pattern, deadline, what, count=1):
    """The matches of pattern in the file, once there are count of them."""
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                m = re.findall(pattern, f.read(), re.M)
            if len(m) >= count:
                return m
        time.sleep(0.05)
    raise Failure("%s: not %d of %r in %s" % (what, count, pattern, path))


def _status_of_circd(conf):
    """/proc/PID/status of the circd running with this config (seen from outside its namespace)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            if argv[0] != CIRCD.encode() or conf.encode() not in argv:
                continue
            with open("/proc/%s/status" % pid) as f:
                return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
        except OSError:
            continue
    raise Failure("no circd running with %s" % conf)


def _skip_reason():
    if os.geteuid() != 0:
        return "needs root for its own mount and PID namespaces"
    if not os.access(SYSTEMD, os.X_OK):
        return "no %s (Debian's systemd package)" % SYSTEMD
    if not shutil.which("unshare"):
        return "no unshare (util-linux)"
    return None


def test_systemd_restarts_a_wedged_circd(t):
    why = _skip_reason()
    if why:
        t.skip(why)
    units = t.path("units")
    os.mkdir(units)
    # Online to the test ACS, by name: DNS resolution (threads) and TCP under the sandbox.
    acs = start_acs(t)
    conf = sip2_conf(t, acs, sip2={"host": "localhost"})
    log = t.path("circd.service.log")
    t.add_log("circd under systemd", lambda: open(log, errors="replace").read())
    events = t.path("unit-events")
    t.add_log("ExecStartPost/ExecStopPost", lambda: open(events, errors="replace").read())
    with open(os.path.join(units, UNIT), "w") as f:
        f.write(_unit(t, conf, log, events))
    proc = _start_manager(t, units)
    deadline = time.monotonic() + 3 * t.timeout

    _wait_for(events, r"^ready$", deadline, "systemd: READY=1 (ExecStartPost)")
    probe = _wait_for(events, r"^probe .*$", deadline, "the system call probe")
    check(probe[0] == "probe adjtimex 0 chown 0",
          "adjtimex() or chown() refused under the unit's filter: %r" % probe[0])
    sim = _connect(t, deadline, proc)
    status = _status_of_circd(conf)
    check(status.get("NoNewPrivs") == "1" and status.get("CapEff") == "0" * 16,
          "circd runs without privileges: %r" % status)
    check(status.get("Seccomp") == "2", "circd runs under the system call filter: %r" % status)
    wait_online(t)
    sim.cmd_ok("scan patron_reader " + ADA)
    sim.wait_event(lambda e: e.startswith("display info Hello, Ada"))
    sim.cmd_ok("scan item_scanner " + ITEM[1])
    wait_for("the checkout in the journal and at the ILS",
             lambda: len(t.journal()) == 1 and len(acs.log()) == 1)

    sim.send("wedge")
    _wait_for(log, r"sim channel: wedging the event loop", deadline, "circd")
    stopped = _wait_for(events, r"^stopped .*$", deadline, "systemd: ExecStopPost")
    # SIGABRT is systemd's signal for a missed watchdog deadline: "dumped" or "killed" by it.
    check(re.fullmatch(r"stopped watchdog (dumped|killed) ABRT", stopped[0]),
          "systemd stopped circd for another reason: %r" % stopped[0])
    _wait_for(events, r"^ready$", deadline, "systemd: READY=1 again after the restart", count=2)
    sim.close()

    # The new circd answers, online again, and the checkout recorded before the wedge is there,
    # at the ILS once.
    sim = _connect(t, deadline, proc)
    sim.cmd_ok("ping")
    sim.close()
    wait_online(t)
    check(len(t.journal()) == 1, "the checkout recorded before the wedge: %r" % t.journal())
    check(len(acs.log()) == 1, "the ILS's transactions: %r" % acs.log())
    with open(log, errors="replace") as f:
        t.san_outputs.append(("circd under systemd", f.read()))
