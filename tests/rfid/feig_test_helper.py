#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The FEIG emulator for tests/unit/test_rfid-feig.c: one reader on a pty that
can be unplugged and plugged back, driven one line at a time on stdin.

  python3 tests/rfid/feig_test_helper.py --link PATH

PATH becomes a symlink to the reader's pty (the board's device = PATH), and
"ready" is printed once it is. Each line on stdin gets one answer line on
stdout: "unplug" (the pty is closed and PATH removed, as a USB adapter pulled
out), "plug" (a new pty, PATH pointing at it), "requests" (how many requests
the reader answered, for a test that waits for a round), or any command of
feig_emu.py's admin protocol ("place ...", "fault ..."). "quit" or the end of input
ends it.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feig_emu import FeigReader  # noqa: E402
from line_helper import relink, serve  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--link", required=True, help="symlink to the pty, made and kept up to date")
    args = ap.parse_args()
    reader = FeigReader()
    relink(args.link, reader.open_pty())
    print("ready", flush=True)

    def answer(words, line):
        if words[0] == "unplug":
            reader.close()
            os.unlink(args.link)
            return "ok"
        if words[0] == "plug":
            relink(args.link, reader.open_pty())
            return "ok"
        if words[0] == "requests":
            with reader.lock:
                return "ok %d" % len(reader.log)
        return reader.admin(line)

    try:
        serve(answer)
    finally:
        reader.close()
        if os.path.lexists(args.link):
            os.unlink(args.link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
