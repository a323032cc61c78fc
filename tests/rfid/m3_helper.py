#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The 3M pad emulator (m3_emu.py) driven line by line, for tests/unit/test_rfid-3m.c.

    python3 tests/rfid/m3_helper.py LINK

serves a pad on a pty, makes LINK a symlink to it (the board file's device),
prints "ready PATH" and then answers one command per line of stdin with one
line, "ok ..." or "error ...":

    place UID BLOCKS AFI [HEX]   a tag (AFI in hex, memory from block 0 in hex)
    remove UID                   takes it off the pad
    afi UID | memory UID         what the tag holds now (hex)
    fault refuse                 the next block or AFI write is refused
    fault leave UID N            the next block write to UID writes N blocks, then it leaves
    fault crc CMD                the next answer to command CMD (hex) has a wrong CRC
    fault silent CMD N           the next N requests with command CMD go unanswered
    noise HEX                    these bytes go out on the line now
    requests CMD                 how many requests with command CMD came so far
    timeline SINCE               the requests answered since CLOCK_MONOTONIC
                                 SINCE (µs), oldest first, "CMD RECEIVED
                                 ANSWERED" each, the times in µs from SINCE
    await CMD N SINCE MS         answers once N requests with command CMD that
                                 came in since SINCE (µs) are answered, or
                                 "error timeout" after MS ms
    baud N                       answers paced as on a line of N bits per second
                                 (8N1); 0: as soon as asked (the default)
    unplug | plug                the adapter pulled out (the pty goes) and put back
                                 (a new pty, LINK pointed at it, the same tags)
    quit

The per-command faults are the helper's own: the pad answers inventory
rounds all the time, so a fault meant for one operation must not hit the
round in between.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from line_helper import relink, serve  # noqa: E402
from m3_emu import START, M3Pad, Tag  # noqa: E402


class ScriptedPad(M3Pad):
    """M3Pad with faults aimed at one command."""

    def __init__(self):
        super().__init__()
        self.crc_on = {}     # cmd -> answers to spoil
        self.silent_on = {}  # cmd -> requests to leave unanswered

    def _answer(self, start, cmd, body):
        with self._lock:
            if start == START and self.silent_on.get(cmd):
                self.silent_on[cmd] -= 1
                self._no_answer += 1
            elif start == START and self.crc_on.get(cmd):
                self.crc_on[cmd] -= 1
                self._crc_error_next = True
        return super()._answer(start, cmd, body)


def command(state, words):
    pad = state["pad"]
    verb = words[0]
    if verb == "place":
        memory = bytes.fromhex(words[4]) if len(words) > 4 else b""
        pad.place(Tag(words[1], blocks=int(words[2]), afi=int(words[3], 16), memory=memory))
        return "ok"
    if verb == "remove":
        pad.remove(words[1])
        return "ok"
    if verb == "afi":
        tag = pad.tag(words[1])
        return "ok %02X" % tag.afi if tag else "error no such tag"
    if verb == "memory":
        return "ok " + pad.memory(words[1]).hex().upper()
    if verb == "fault":
        kind = words[1]
        if kind == "refuse":
            pad.fault_refuse_writes()
        elif kind == "leave":
            pad.fault_tag_leaves_mid_write(words[2], int(words[3]))
        elif kind == "crc":
            with pad._lock:
                pad.crc_on[int(words[2], 16)] = 1
        elif kind == "silent":
            with pad._lock:
                pad.silent_on[int(words[2], 16)] = int(words[3])
        else:
            return "error unknown fault"
        return "ok"
    if verb == "noise":
        os.write(pad._master, bytes.fromhex(words[1]))
        return "ok"
    if verb == "requests":
        cmd = int(words[1], 16)
        with pad._lock:
            return "ok %d" % sum(1 for r in pad.requests if r[0] == START and r[1] == cmd)
    if verb == "timeline":
        since = int(words[1]) * 1000
        with pad._lock:
            times = [t for t in pad.timeline if t[1] >= since]
        return "ok" + "".join(" %02X %d %d" % (cmd, (got - since) // 1000, (out - since) // 1000)
                              for cmd, got, out in times)
    if verb == "await":
        done = pad.await_answers(int(words[1], 16), int(words[2]), int(words[3]) * 1000,
                                 int(words[4]) / 1000)
        return "ok" if done else "error timeout"
    if verb == "baud":
        pad.baud = state["baud"] = int(words[1]) or None
        return "ok"
    if verb == "unplug":
        state["tags"] = pad.tags()
        pad.stop()
        os.unlink(state["link"])
        return "ok"
    if verb == "plug":
        pad = state["pad"] = ScriptedPad().start()
        pad.baud = state.get("baud")
        for tag in state.get("tags", []):
            pad.place(tag)
        relink(state["link"], pad.path)
        return "ok"
    return "error unknown command"


def main():
    link = sys.argv[1]
    pad = ScriptedPad().start()
    relink(link, pad.path)
    state = {"pad": pad, "link": link}
    print("ready", pad.path, flush=True)
    serve(lambda words, line: command(state, words), (ValueError, KeyError, IndexError, OSError))
    if state["pad"]._thread:
        state["pad"].stop()
    if os.path.lexists(link):
        os.unlink(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
