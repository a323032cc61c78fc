# SPDX-License-Identifier: GPL-2.0-or-later
"""The shipped systemd unit and what make install puts beside it: the hardening lines a reviewer
expects are there, the unit's user, groups and directories agree with circd's defaults, the
sysusers.d and tmpfiles.d snippets and the udev rules, and systemd itself accepts the unit
(`systemd-analyze verify`, and `security --offline` scores it no worse than the README says;
scripts/deps.sh installs systemd, so a missing systemd-analyze fails).
circd itself does not run here (test_watchdog.py runs it under the unit's sandbox)."""

import os
import re
import shutil
import subprocess
import tempfile

from harness import CIRCD, REPO, SAN, check, check_eq

# The README's figure; a change that makes it worse must say so there.
EXPOSURE_MAX = 2.1


def _read(*path):
    with open(os.path.join(REPO, *path)) as f:
        return f.read()


def _unit():
    """{key: [values in order]} of the [Service] section."""
    keys, section = {}, None
    for line in _read("etc", "circd.service").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            k, v = line.split("=", 1)
            keys.setdefault(k, []).append(v)
    return keys


def _one(unit, key):
    check(len(unit.get(key, [])) == 1, "%s= once in etc/circd.service: %r" % (key, unit.get(key)))
    return unit[key][0]


def test_hardening_lines(t):
    u = _unit()
    for key, want in (("Type", "notify"), ("NotifyAccess", "main"), ("Restart", "always"),
                      ("User", "circd"), ("Group", "circd"), ("ProtectSystem", "strict"),
                      ("StateDirectory", "circd"), ("RuntimeDirectory", "circd"),
                      ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("ProtectHome", "yes"),
                      ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"),
                      ("ProtectKernelLogs", "yes"), ("ProtectControlGroups", "yes"),
                      ("RestrictNamespaces", "yes"), ("LockPersonality", "yes"),
                      ("MemoryDenyWriteExecute", "yes"), ("RestrictRealtime", "yes"),
                      ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""),
                      ("DevicePolicy", "closed"), ("SystemCallArchitectures", "native"),
                      ("UMask", "0077")):
        check_eq(_one(u, key), want, key)
    check(int(_one(u, "WatchdogSec")) > 0, "WatchdogSec")
    check_eq(u["SystemCallFilter"][0], "@system-service", "the first SystemCallFilter")
    check_eq(set(_one(u, "RestrictAddressFamilies").split()),
             {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}, "RestrictAddressFamilies")
    allowed = {v.split()[0] for v in u["DeviceAllow"]}
    for dev in ("char-usb_device", "char-gpiochip", "char-ttyUSB", "char-ttyACM", "char-usb"):
        check(dev in allowed, "DeviceAllow=%s: %r" % (dev, sorted(allowed)))
    check(all(v.split()[1:] == ["rw"] for v in u["DeviceAllow"]), "DeviceAllow: rw only")


def test_directories_match_circd_defaults(t):
    """circd writes only into the unit's StateDirectory and RuntimeDirectory by default."""
    conf = _read("etc", "circd.conf")
    sections, section = {}, None
    for line in conf.splitlines():
        m = re.match(r"\[(\w+)\]", line)
        if m:
            section = m.group(1)
        m = re.match(r"(\w+) = (\S+)", line)
        if m and section:
            sections.setdefault(section, {})[m.group(1)] = m.group(2)
    check(sections["store"]["path"].startswith("/var/lib/circd/"), "[store] path")
    check(sections["control"]["socket"].startswith("/run/circd/"), "[control] socket")
    check(sections["sim"]["socket"].startswith("/run/circd/"), "[sim] socket")
    for name in ("path = /var/lib/circd/circd.db", "socket = /run/circd/control.sock",
                 "socket = /run/circd/sim.sock"):
        check(name in conf, "etc/circd.conf documents the default %r" % name)
    src = _read("firmware", "config.c")
    for default in ("/var/lib/circd/circd.db", "/run/circd/control.sock", "/run/circd/sim.sock"):
        check('"%s"' % default in src, "firmware/config.c's default %s" % default)


def test_user_groups_and_devices(t):
    u = _unit()
    sysusers = _read("etc", "sysusers.d", "circd.conf")
    check(re.search(r"^u circd - ", sysusers, re.M), "sysusers.d makes user circd: %r" % sysusers)
    tmpfiles = _read("etc", "tmpfiles.d", "circd.conf")
    check(re.search(r"^z /etc/circd/circd\.conf 0600 circd circd -$", tmpfiles, re.M),
          "tmpfiles.d gives circd its config, 0600: %r" % tmpfiles)
    check_eq(set(_one(u, "SupplementaryGroups").split()), {"dialout", "lp"}, "SupplementaryGroups")
    # The groups Debian's base-passwd always has, which its udev rules give ttys and usblp.
    if os.path.exists("/etc/group"):
        with open("/etc/group") as f:
            groups = {l.split(":")[0] for l in f}
        for g in ("dialout", "lp"):
            check(g in groups, "group %s on this system" % g)
    boards = sorted(os.path.join(REPO, "boards", b) for b in os.listdir(os.path.join(REPO, "boards"))
                    if b.endswith(".ini"))
    rules = subprocess.run([os.path.join(REPO, "scripts", "udev-rules.sh")] + boards,
                           capture_output=True, text=True, check=True).stdout
    group = _one(u, "Group")
    check(re.search(r'KERNEL=="gpiochip\*".*GROUP:="%s"' % group, rules),
          "udev gives the unit's group the GPIO chips:\n%s" % rules)
    usb = [l for l in rules.splitlines() if 'ENV{DEVTYPE}=="usb_device"' in l]
    check(usb and all('GROUP:="%s"' % group in l for l in usb),
          "udev gives the unit's group the board files' USB devices:\n%s" % rules)


def _installable_unit(t):
    """The unit as make install writes it, pointing at the circd just built."""
    path = t.path("circd.service")
    with open(path, "w") as f:
        f.write(_read("etc", "circd.service").replace("@SBINDIR@", os.path.dirname(CIRCD)))
    return path


def test_systemd_accepts_the_unit(t):
    tool = shutil.which("systemd-analyze")
    check(tool, "no systemd-analyze: scripts/deps.sh installs Debian's systemd package")
    unit = _installable_unit(t)
    r = subprocess.run([tool, "verify", unit], capture_output=True, text=True,
                       timeout=t.timeout)
    check(r.returncode == 0 and "circd.service" not in r.stdout + r.stderr,
          "systemd-analyze verify (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    r = subprocess.run([tool, "security", "--offline=yes", "--no-pager", unit],
                       capture_output=True, text=True, timeout=t.timeout)
    m = re.search(r"Overall exposure level for circd\.service: ([0-9.]+)", r.stdout)
    if not m:
        t.note("skipped the score: this systemd-analyze has no --offline (%s)" % r.stderr.strip())
        return
    check(float(m.group(1)) <= EXPOSURE_MAX,
          "exposure %s, worse than the README's %s:\n%s" % (m.group(1), EXPOSURE_MAX, r.stdout))


def test_install_keeps_the_site_config(t):
    """make install DESTDIR=: the config installed once and never overwritten, the example
    always; the unit, sysusers.d and tmpfiles.d where systemd looks."""
    dest = tempfile.mkdtemp(prefix="install", dir=t.dir)
    make = ["make", "--no-print-directory", "-C", REPO, "install", "DESTDIR=" + dest,
            "PREFIX=/usr", "BUILD=" + os.path.relpath(os.path.dirname(CIRCD), REPO)]
    # The build's own flags, so install finds it up to date rather than rebuilding it.
    make += ["SAN=1"] if SAN else []
    r = subprocess.run(make, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "make install:\n%s%s" % (r.stdout, r.stderr))
    conf = os.path.join(dest, "etc", "circd", "circd.conf")
    check_eq(os.stat(conf).st_mode & 0o777, 0o600, "circd.conf's mode")
    with open(conf, "a") as f:
        f.write("\n# the site's own\n")
    r = subprocess.run(make, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "make install again:\n%s%s" % (r.stdout, r.stderr))
    with open(conf) as f:
        check("# the site's own" in f.read(), "make install overwrote the site's circd.conf")
    for path in ("etc/circd/circd.conf.example", "lib/systemd/system/circd.service",
                 "usr/lib/sysusers.d/circd.conf", "usr/lib/tmpfiles.d/circd.conf",
                 "lib/udev/rules.d/60-circd.rules", "usr/sbin/circd", "usr/bin/circctl"):
        check(os.path.exists(os.path.join(dest, path)), "installed %s" % path)
    with open(os.path.join(dest, "lib/systemd/system/circd.service")) as f:
        check("ExecStart=/usr/sbin/circd " in f.read(), "the unit's ExecStart follows PREFIX")


def test_snippets_make_the_user_and_own_the_config(t):
    """What a kiosk's boot (or make install without DESTDIR) does with the two snippets, on a
    copy of this system's user database (--root): the circd user and group appear, and the
    installed circd.conf becomes circd's, 0600, as circd requires of a config with passwords."""
    sysusers, tmpfiles = shutil.which("systemd-sysusers"), shutil.which("systemd-tmpfiles")
    if not (sysusers and tmpfiles) or os.geteuid() != 0:
        t.skip("needs root, systemd-sysusers and systemd-tmpfiles")
    root = t.path("root")
    os.makedirs(os.path.join(root, "etc", "circd"))
    for name in ("passwd", "group", "shadow", "gshadow"):
        if os.path.exists("/etc/" + name):
            shutil.copy2("/etc/" + name, os.path.join(root, "etc", name))
    conf = os.path.join(root, "etc", "circd", "circd.conf")
    shutil.copy(os.path.join(REPO, "etc", "circd.conf"), conf)
    for argv in ([sysusers, "--root=" + root, os.path.join(REPO, "etc/sysusers.d/circd.conf")],
                 [tmpfiles, "--root=" + root, "--create",
                  os.path.join(REPO, "etc/tmpfiles.d/circd.conf")]):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=t.timeout)
        check(r.returncode == 0, "%s: %s%s" % (" ".join(argv), r.stdout, r.stderr))
    with open(os.path.join(root, "etc", "passwd")) as f:
        users = {l.split(":")[0]: l.split(":") for l in f}
    with open(os.path.join(root, "etc", "group")) as f:
        groups = {l.split(":")[0]: l.split(":") for l in f}
    check("circd" in users and "circd" in groups, "user and group circd")
    st = os.stat(conf)
    check_eq((st.st_uid, st.st_gid, st.st_mode & 0o777),
             (int(users["circd"][2]), int(groups["circd"][2]), 0o600), "circd.conf's owner and mode")
