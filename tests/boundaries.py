#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The architecture's boundaries, checked on the sources (make check runs this).

- lib/ knows nothing of kiosks: its files include only lib/ headers.
- hal/ includes only hal/ and lib/ headers, never firmware/.
- No quoted include in lib/, hal/ or firmware/ starts with "../": lib/ and hal/ are on
  the -I path (lib/ <- hal/ <- firmware/).
- <libusb.h> only in the libusb scanner backend and hal/usb-loop.h (which the printer's and the
  RFID reader's libusb links reach it through), <gpiod.h> only in the gpiod backend,
  <microhttpd.h> only in the web display backend.
- SIP2 headers only in the ILS files (firmware/sip2*.c, ils-sip2*.c, ils-date.c).
- sqlite3_step() and sqlite3_exec() only in firmware/store.c: every other statement steps through
  store_step(), which commits forwarding's open transaction before a write joins it.

Prints one line per rule and "N passed, N failed".
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ANGLED = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)
SIP2_HEADERS = {"sip2.h", "sip2-client.h", "sip2-private.h"}


def sources(folder):
    return sorted(glob.glob(os.path.join(ROOT, folder, "*.[ch]")))


def includes(path, pattern=QUOTED):
    with open(path, encoding="utf-8", errors="replace") as f:
        return pattern.findall(f.read())


def rel(path):
    return os.path.relpath(path, ROOT)


def resolves_within(path, header, folders):
    """Whether a quoted include of path finds header in one of folders (as the
    compiler would: beside the file first, then -Ilib, then -Ihal)."""
    here = os.path.dirname(path)
    target = os.path.normpath(os.path.join(here, header))
    for folder in ("lib", "hal"):
        if not os.path.exists(target):
            target = os.path.normpath(os.path.join(ROOT, folder, header))
    if not os.path.exists(target):
        return False  # found nowhere it may come from: firmware/, or nowhere at all
    folder = os.path.relpath(os.path.dirname(target), ROOT)
    return folder in folders


def rule_includes_stay_within(folder, allowed):
    bad = []
    for path in sources(folder):
        for h in includes(path):
            if not resolves_within(path, h, allowed):
                bad.append("%s includes \"%s\"" % (rel(path), h))
    return bad


def rule_by_path():
    bad = []
    for folder in ("firmware", "hal", "lib"):
        for path in sources(folder):
            for h in includes(path):
                if h.startswith("../"):
                    bad.append("%s includes \"%s\" (lib/ and hal/ are on the -I path)"
                               % (rel(path), h))
    return bad


def rule_angled_only_in(header, allowed):
    bad = []
    for folder in ("firmware", "hal", "lib"):
        for path in sources(folder):
            if header in includes(path, ANGLED) and rel(path) not in allowed:
                bad.append("%s includes <%s>" % (rel(path), header))
    return bad


def is_ils_file(path):
    name = os.path.basename(path)
    return rel(path).startswith("firmware/") and (
        name.startswith("sip2") or name.startswith("ils-sip2") or name == "ils-date.c")


def rule_sip2_only_in_ils_files():
    bad = []
    for folder in ("firmware", "hal", "lib"):
        for path in sources(folder):
            used = SIP2_HEADERS & {os.path.basename(h) for h in includes(path)}
            if used and not is_ils_file(path):
                bad.append("%s includes %s" % (rel(path), ", ".join(sorted(used))))
    return bad


def rule_sqlite_steps_only_in_store_c():
    call = re.compile(r'\bsqlite3_(step|exec)\s*\(')
    bad = []
    for folder in ("firmware", "hal", "lib"):
        for path in sources(folder):
            if rel(path) == "firmware/store.c" or not path.endswith(".c"):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                if call.search(f.read()):
                    bad.append("%s calls sqlite3_step()/sqlite3_exec(): use store_step()" % rel(path))
    return bad


RULES = [
    ("lib/ includes only lib/", lambda: rule_includes_stay_within("lib", {"lib"})),
    ("hal/ includes only hal/ and lib/", lambda: rule_includes_stay_within("hal", {"hal", "lib"})),
    ("lib/ and hal/ are included by -I path, never \"../\"", rule_by_path),
    ("<libusb.h> only in the libusb backends and the loop they share",
     lambda: rule_angled_only_in("libusb.h", {"hal/scanner-libusb.h", "hal/scanner-libusb.c",
                                               "hal/scanner-libusb-slot.c", "hal/usb-loop.h"})),
    ("<gpiod.h> only in the gpiod backend",
     lambda: rule_angled_only_in("gpiod.h", {"hal/gpio-gpiod.c"})),
    ("<microhttpd.h> only in the web display backend",
     lambda: rule_angled_only_in("microhttpd.h", {"hal/display-web.c", "hal/display-web-files.c",
                                                  "hal/display-web-private.h"})),
    ("SIP2 headers only in the ILS files", rule_sip2_only_in_ils_files),
    ("sqlite3_step() only in store.c (store_step() elsewhere)", rule_sqlite_steps_only_in_store_c),
]


def main():
    passed = failed = 0
    for name, check in RULES:
        bad = check()
        if bad:
            failed += 1
            print("FAIL %s:\n    %s" % (name, "\n    ".join(bad)))
        else:
            passed += 1
            print("ok %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
