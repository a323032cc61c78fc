# SPDX-License-Identifier: GPL-2.0-or-later
"""What the emulators' line-driven helpers share (m3_helper.py,
feig_test_helper.py, tests/board/m3pad.py): a symlink kept pointing at the
reader's current tty, and the loop that answers one line of stdin with one
line of stdout.
"""

import os
import sys


def relink(link, target):
    """Points link at target in one step, so the backend never finds it missing mid-change."""
    tmp = link + ".new"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def serve(answer, errors=()):
    """Prints answer(words, line) for each line of stdin that has words, until
    "quit" or the end of input; an exception of the kinds in errors becomes
    "error ..." and the next line is read."""
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            reply = answer(words, line)
        except errors as e:
            reply = "error %s" % e
        print(reply, flush=True)
