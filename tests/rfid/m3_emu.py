#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A 3M / Bibliotheca 210/810 RFID pad on a pseudo-terminal, for tests.

The pad holds virtual ISO 15693 tags (UID, DSFID, AFI, blocks of 4 bytes)
and answers the commands a driver sends, as the frames captured from a real
810 pad and published with Biblio-RFID show them (Dobrica Pavlinusic:
lib/Biblio/RFID/Reader/3M810.pm and the 3m-810.pl capture script; see
tests/rfid/README.md). Standard library only.

    from m3_emu import M3Pad, Tag
    with M3Pad() as pad:                       # pad.path is the serial device
        pad.place(Tag("E00401003123AA26", blocks=8))
        ...                                    # the driver opens pad.path
        pad.fault_no_answer()                  # the next request goes unanswered

M3Pad(device="/dev/ttyGS0") serves an existing tty instead of a pty of its
own (the device end of a USB serial gadget, whose host end is the driver's
/dev/ttyACMn): opened raw, and opened again after a hang-up (the USB host
went away), so the pad outlives an unplug.

python3 tests/rfid/m3_emu.py --selftest runs its own checks over a pty;
python3 tests/rfid/m3_emu.py [--device PATH] [--tag UID ...] serves a pad
until Ctrl-C.
"""

import argparse
import collections
import os
import select
import sys
import threading
import time
import tty

START = 0xD6
START_SYSTEM = 0xD5  # the version probe and its answer

CMD_READ_BLOCKS = 0x02
CMD_VERSION = 0x04  # on START_SYSTEM
CMD_WRITE_BLOCKS = 0x04  # on START
CMD_SET_AFI = 0x09
CMD_GET_AFI = 0x0A
CMD_RF_SETUP = 0x13
CMD_INVENTORY = 0xFE

STATUS_OK = 0x00
STATUS_REFUSED = 0x06

AFI_SECURED = 0xD7  # what the public driver writes for an item on the shelf
AFI_UNSECURED = 0xDA  # ... and for one checked out

LENGTH_MAX = 1024  # the longest length field the pad accepts
UID_LEN = 8
BLOCK_LEN = 4

# The pad's answer to the setup command Biblio-RFID sends after the version
# probe, as captured; what its bytes mean is not documented.
RF_SETUP_ANSWER = bytes.fromhex("000201010302020300")
# The one byte after the UID in refusals of reads and writes: the captures
# show its place (length 0x0D) but not its value.
REFUSAL_DETAIL = 0x00

# The newest requests kept in M3Pad.timeline: a pad left serving for days
# does not grow without end.
TIMELINE_MAX = 10000

# How long a device that hung up is left before it is opened again: a tty's
# hang-up completes in the kernel after the read that saw it, and an open
# meanwhile can be hung up with it.
REOPEN_DELAY = 0.05


def crc16(data):
    """CRC-16/CCITT as the pad uses it: init 0xFFFF, MSB first, result inverted."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc ^ 0xFFFF


def frame(cmd, body=b"", start=START):
    """A whole frame: start, length (after itself, CRC included), cmd, body, CRC."""
    length = 1 + len(body) + 2
    covered = bytes([length >> 8, length & 0xFF, cmd]) + bytes(body)
    crc = crc16(covered)
    return bytes([start]) + covered + bytes([crc >> 8, crc & 0xFF])


def uid_bytes(uid):
    if isinstance(uid, str):
        uid = bytes.fromhex(uid)
    uid = bytes(uid)
    if len(uid) != UID_LEN:
        raise ValueError("a UID is 8 bytes")
    return uid


class FrameSplitter:
    """Whole frames out of a byte stream; a broken one is dropped and the
    search resumes after its start byte."""

    def __init__(self):
        self.buf = bytearray()
        self.dropped = 0

    def feed(self, data):
        self.buf += data
        frames = []
        while True:
            while self.buf and self.buf[0] not in (START, START_SYSTEM):
                del self.buf[0]
            if len(self.buf) < 3:
                return frames
            length = self.buf[1] << 8 | self.buf[2]
            if length < 3 or length > LENGTH_MAX:
                del self.buf[0]
                self.dropped += 1
                continue
            if len(self.buf) < 3 + length:
                return frames
            raw = bytes(self.buf[:3 + length])
            if crc16(raw[1:-2]) != (raw[-2] << 8 | raw[-1]):
                del self.buf[0]
                self.dropped += 1
                continue
            del self.buf[:3 + length]
            frames.append((raw[0], raw[3], raw[4:-2]))


class Tag:
    """An ISO 15693 tag: uid (8 bytes, 0xE0 first), dsfid, afi, blocks of 4 bytes."""

    def __init__(self, uid, blocks=8, dsfid=0x00, afi=AFI_SECURED, memory=b""):
        self.uid = uid_bytes(uid)
        self.dsfid = dsfid
        self.afi = afi
        self.memory = bytearray(blocks * BLOCK_LEN)
        self.memory[:len(memory)] = memory

    @property
    def blocks(self):
        return len(self.memory) // BLOCK_LEN

    def __repr__(self):
        return "Tag(%s, blocks=%d, afi=0x%02X)" % (self.uid.hex().upper(), self.blocks, self.afi)


class M3Pad:
    """The pad on a pty, or on device (a tty path) when given. Thread-safe
    admin methods; the pad answers from its own thread, one request at a
    time, as the real one does."""

    def __init__(self, version=(10, 5, 0, 2), max_uids_per_reply=31, device=None):
        # 31 UIDs keep an inventory answer's length under 0x100: the public
        # driver reads only the low byte of the length. How a real pad reports
        # more tags than that is not in the public captures; this one says how
        # many it sees in the count byte and carries the first ones.
        self.version = bytes(version)
        self.max_uids_per_reply = max_uids_per_reply
        self.requests = []  # (start, cmd, body) of every whole request, in order
        # (cmd, received, answered) of every request answered, in order, as
        # time.monotonic_ns() (CLOCK_MONOTONIC, the clock a C driver reads):
        # when the bytes that completed it came in, when its answer went out
        self.timeline = collections.deque(maxlen=TIMELINE_MAX)
        self._tags = []
        self._lock = threading.Lock()
        # cmd -> requests answered so far, and a wake-up for await_answers()
        self._answers = collections.Counter()
        self._answered = threading.Condition(self._lock)
        self._splitter = FrameSplitter()
        self._no_answer = 0
        self._crc_error_next = False
        self._refuse_writes = 0
        self._leave_mid_write = {}  # uid -> blocks written before the tag leaves
        self._master = self._slave = None
        self._stop_r = self._stop_w = None
        self._thread = None
        self.device = device
        # Bits per second on the pad's line (8N1), or None: answers as soon as
        # asked, as a pty carries bytes. A real pad's 19200 baud takes about
        # half a millisecond a byte, its inventory answers tens of them.
        self.baud = None
        self.opens = 0  # how many times device was opened (1 + the hang-ups)
        self.path = None

    # --- life cycle -----------------------------------------------------

    def start(self):
        if self.device:
            self._master = self._open_device()
            self.path = self.device
        else:
            self._master, self._slave = os.openpty()
            tty.setraw(self._slave)  # bytes as they are: no echo, no CR/LF mapping
            self.path = os.ttyname(self._slave)
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="m3-pad", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread:
            os.write(self._stop_w, b"x")
            self._thread.join()
            self._thread = None
        for fd in (self._master, self._slave, self._stop_r, self._stop_w):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = self._stop_r = self._stop_w = None

    def _open_device(self):
        fd = os.open(self.device, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            # a tty starts cooked, with echo: the driver's requests would come
            # back to it
            tty.setraw(fd)
        except OSError:
            os.close(fd)
            raise
        self.opens += 1
        return fd

    def _reopen_device(self):
        """After a hang-up: the device again, once it opens; False if stopped meanwhile."""
        os.close(self._master)
        self._master = None
        while True:
            ready, _, _ = select.select([self._stop_r], [], [], REOPEN_DELAY)
            if ready:
                return False
            try:
                self._master = self._open_device()
                return True
            except OSError:
                continue

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- the field ------------------------------------------------------

    def place(self, tag):
        with self._lock:
            self._tags = [t for t in self._tags if t.uid != tag.uid] + [tag]
        return tag

    def remove(self, uid):
        uid = uid_bytes(uid)
        with self._lock:
            self._tags = [t for t in self._tags if t.uid != uid]

    def tags(self):
        with self._lock:
            return list(self._tags)

    def tag(self, uid):
        uid = uid_bytes(uid)
        with self._lock:
            return self._find(uid)

    def set_memory(self, uid, first_block, data):
        """Writes data into the tag's memory from first_block on, as a programmer would."""
        with self._lock:
            tag = self._find(uid_bytes(uid))
            at = first_block * BLOCK_LEN
            if tag is None or at + len(data) > len(tag.memory):
                raise ValueError("no such tag, or past its memory")
            tag.memory[at:at + len(data)] = data

    def memory(self, uid):
        with self._lock:
            tag = self._find(uid_bytes(uid))
            if tag is None:
                raise ValueError("no such tag in the field")
            return bytes(tag.memory)

    def set_afi(self, uid, afi):
        with self._lock:
            tag = self._find(uid_bytes(uid))
            if tag is None:
                raise ValueError("no such tag in the field")
            tag.afi = afi

    # --- faults ---------------------------------------------------------

    def fault_no_answer(self, count=1):
        """The next count requests are taken in and never answered."""
        with self._lock:
            self._no_answer += count

    def fault_crc_error_next_reply(self):
        """The next answer goes out with its CRC wrong."""
        with self._lock:
            self._crc_error_next = True

    def fault_refuse_writes(self, count=1):
        """The next count block or AFI writes are refused (status 0x06), memory untouched."""
        with self._lock:
            self._refuse_writes += count

    def fault_tag_leaves_mid_write(self, uid, blocks_written=1):
        """At the next block write to uid, the first blocks_written blocks reach the
        tag, then it leaves the field: the write is refused and the tag is gone."""
        with self._lock:
            self._leave_mid_write[uid_bytes(uid)] = blocks_written

    # --- the pad --------------------------------------------------------

    def await_answers(self, cmd, count, since_ns, timeout):
        """Waits until the pad has answered count requests with command cmd
        that came in at or after since_ns (time.monotonic_ns()); False when
        timeout (s) runs out first. A caller that polled instead would take
        the interpreter from the serving thread and slow its answers down."""
        with self._lock:
            seen = sum(1 for c, got, _ in self.timeline if c == cmd and got >= since_ns)
            target = self._answers[cmd] - seen + count
            return self._answered.wait_for(lambda: self._answers[cmd] >= target, timeout)

    def _find(self, uid):
        for tag in self._tags:
            if tag.uid == uid:
                return tag
        return None

    def _serve(self):
        while True:
            ready, _, _ = select.select([self._master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                data = os.read(self._master, 4096)
            except OSError:
                if self.device:  # EIO after a hang-up
                    if not self._reopen_device():
                        return
                else:  # EIO: nobody has the pty open right now
                    time.sleep(0.01)
                continue
            if not data and self.device:  # hung up: the USB host went away
                if not self._reopen_device():
                    return
                continue
            received = time.monotonic_ns()
            for start, cmd, body in self._splitter.feed(data):
                answer = self._answer(start, cmd, body)
                if answer is not None:
                    self._pace(received, len(frame(cmd, body, start)) + len(answer))
                    try:
                        os.write(self._master, answer)
                    except OSError:
                        if not self.device:
                            raise
                        # hung up meanwhile: the next read says so
                    answered = time.monotonic_ns()
                    with self._lock:
                        self.timeline.append((cmd, received, answered))
                        self._answers[cmd] += 1
                        self._answered.notify_all()
                    received = answered  # a second request in the same read waited for this one

    def _pace(self, since_ns, line_bytes):
        """At self.baud, holds an answer back until its last byte would have
        left the line: the request's bytes and the answer's, 10 bits each
        (8N1), from since_ns (when the request came in). The pad's own RF
        time is not modelled: a real pad is slower still."""
        baud = self.baud
        if not baud:
            return
        delay = since_ns + line_bytes * 10 * 1_000_000_000 // baud - time.monotonic_ns()
        if delay > 0:
            time.sleep(delay / 1e9)

    def _answer(self, start, cmd, body):
        with self._lock:
            self.requests.append((start, cmd, bytes(body)))
            if self._no_answer:
                self._no_answer -= 1
                return None
            if start == START_SYSTEM:
                out = self._system(cmd, body)
            else:
                out = self._command(cmd, bytes(body))
            if self._crc_error_next:
                self._crc_error_next = False
                out = out[:-1] + bytes([out[-1] ^ 0xFF])
            return out

    def _system(self, cmd, body):
        if cmd != CMD_VERSION:
            return frame(cmd, bytes([STATUS_REFUSED]), START_SYSTEM)
        # the answer repeats the probe's argument byte (0x11) before the version
        arg = body[1:2] if len(body) >= 2 else b"\x11"
        return frame(cmd, bytes([STATUS_OK]) + arg + self.version, START_SYSTEM)

    def _refused(self, cmd, uid=b"", detail=None):
        body = bytes([STATUS_REFUSED]) + uid
        if detail is not None:
            body += bytes([detail])
        return frame(cmd, body)

    def _command(self, cmd, body):
        handler = {
            CMD_RF_SETUP: self._rf_setup,
            CMD_INVENTORY: self._inventory,
            CMD_READ_BLOCKS: self._read_blocks,
            CMD_WRITE_BLOCKS: self._write_blocks,
            CMD_GET_AFI: self._get_afi,
            CMD_SET_AFI: self._set_afi,
        }.get(cmd)
        if handler is None:
            return self._refused(cmd)
        return handler(body)

    def _rf_setup(self, body):
        return frame(CMD_RF_SETUP, RF_SETUP_ANSWER)

    def _inventory(self, body):
        seen = self._tags
        carried = seen[:self.max_uids_per_reply]
        # the answer repeats the request's two argument bytes (00 05)
        args = body[:2].ljust(2, b"\x00")
        out = bytes([STATUS_OK]) + args + bytes([min(len(seen), 255)])
        return frame(CMD_INVENTORY, out + b"".join(t.uid for t in carried))

    def _addressed(self, body, args_len):
        """The tag a request names, or None; the request's arguments must be there."""
        if len(body) < UID_LEN + args_len:
            return None
        return self._find(body[:UID_LEN])

    def _read_blocks(self, body):
        tag = self._addressed(body, 2)
        uid = body[:UID_LEN]
        if tag is None:
            return self._refused(CMD_READ_BLOCKS, uid, REFUSAL_DETAIL)
        first, count = body[UID_LEN], body[UID_LEN + 1]
        if count == 0 or first >= tag.blocks:
            return self._refused(CMD_READ_BLOCKS, uid, REFUSAL_DETAIL)
        numbers = range(first, min(first + count, tag.blocks))
        out = bytes([STATUS_OK]) + tag.uid + bytes([len(numbers)])
        for n in numbers:
            out += bytes([n & 0xFF, n >> 8]) + tag.memory[n * BLOCK_LEN:(n + 1) * BLOCK_LEN]
        return frame(CMD_READ_BLOCKS, out)

    def _write_blocks(self, body):
        tag = self._addressed(body, 3)
        uid = body[:UID_LEN]
        if tag is None:
            return self._refused(CMD_WRITE_BLOCKS, uid, REFUSAL_DETAIL)
        first, count = body[UID_LEN], body[UID_LEN + 1]
        data = body[UID_LEN + 3:]
        if count == 0 or len(data) != count * BLOCK_LEN or first + count > tag.blocks:
            return self._refused(CMD_WRITE_BLOCKS, uid, REFUSAL_DETAIL)
        if self._refuse_writes:
            self._refuse_writes -= 1
            return self._refused(CMD_WRITE_BLOCKS, uid, REFUSAL_DETAIL)
        written = count
        leaves = tag.uid in self._leave_mid_write
        if leaves:
            written = min(count, self._leave_mid_write.pop(tag.uid))
        at = first * BLOCK_LEN
        tag.memory[at:at + written * BLOCK_LEN] = data[:written * BLOCK_LEN]
        if leaves:
            self._tags.remove(tag)
            return self._refused(CMD_WRITE_BLOCKS, uid, REFUSAL_DETAIL)
        return frame(CMD_WRITE_BLOCKS, bytes([STATUS_OK]) + tag.uid + bytes([count]))

    def _get_afi(self, body):
        tag = self._addressed(body, 0)
        if tag is None:
            return self._refused(CMD_GET_AFI, body[:UID_LEN])
        return frame(CMD_GET_AFI, bytes([STATUS_OK]) + tag.uid + bytes([tag.afi]))

    def _set_afi(self, body):
        tag = self._addressed(body, 1)
        if tag is None:
            return self._refused(CMD_SET_AFI, body[:UID_LEN])
        if self._refuse_writes:
            self._refuse_writes -= 1
            return self._refused(CMD_SET_AFI, tag.uid)
        tag.afi = body[UID_LEN]
        return frame(CMD_SET_AFI, bytes([STATUS_OK]) + tag.uid)


# --- self-test: a tiny client over the pty ---------------------------------

class Client:
    """Just enough of a driver to talk to the pad through its device."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        tty.setraw(self.fd)
        self.splitter = FrameSplitter()
        self.queue = []

    def close(self):
        os.close(self.fd)

    def send(self, raw):
        os.write(self.fd, raw)

    def receive(self, wait=10.0):
        """The next whole answer as (start, cmd, body), or None after wait
        seconds with none (a frame with a bad CRC counts as none:
        self.splitter.dropped counts those)."""
        deadline = time.monotonic() + wait
        while not self.queue:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.queue += self.splitter.feed(os.read(self.fd, 4096))
        return self.queue.pop(0)

    def ask(self, cmd, body=b"", start=START):
        self.send(frame(cmd, body, start))
        return self.receive()


def _check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok", what)


def selftest():
    # Frames captured from a real pad (3m-810.pl's %$response table and
    # cmd() calls; Biblio::RFID::Reader::3M810's version probe).
    tag1 = "E00401003123AA26"
    card = "E0040100017C0C38"
    with M3Pad() as pad:
        c = Client(pad.path)
        try:
            # exact bytes, against the captures
            c.send(bytes.fromhex("D500050400118C66"))
            _check(_raw_answer(c) == bytes.fromhex("D500090400110A0500027250"),
                   "version probe answered as captured (10.5.0.2)")
            c.send(bytes.fromhex("D60005FE0005FA40"))
            _check(_raw_answer(c) == bytes.fromhex("D60007FE00000500C97B"),
                   "empty field: the captured 'no tag in range'")
            pad.place(Tag(tag1, blocks=8, memory=b"\x04\x11\x00\x011234"))
            c.send(bytes.fromhex("D60005FE0005FA40"))
            _check(_raw_answer(c) == bytes.fromhex("D6000FFE00000501E00401003123AA26941A"),
                   "one tag: the captured 'tag #1'")
            card_tag = pad.place(Tag(card, blocks=16, afi=AFI_UNSECURED))
            c.send(bytes.fromhex("D60005FE0005FA40"))
            _check(_raw_answer(c) == bytes.fromhex(
                "D60017FE00000502E00401003123AA26E0040100017C0C38CADB"),
                "two tags: the captured 'tag #1 + card'")
            c.send(bytes.fromhex("D6000C09E00401003123AA26D73AF0"))
            _check(_raw_answer(c) == bytes.fromhex("D6000C0900E00401003123AA266A44"),
                   "set AFI answered as captured")
            c.send(bytes.fromhex("D6000C13040100020003000400AAF2"))
            _check(_raw_answer(c) == bytes.fromhex("D6000C13000201010302020300E778"),
                   "rf setup answered as captured")

            # reads and writes through the client's own frames
            s, cmd, body = c.ask(CMD_READ_BLOCKS, uid_bytes(tag1) + bytes([0, 2]))
            _check(cmd == CMD_READ_BLOCKS and body[0] == STATUS_OK and body[9] == 2
                   and body[10:16] == b"\x00\x00\x04\x11\x00\x01"
                   and body[16:22] == b"\x01\x001234", "read blocks 0-1")
            s, cmd, body = c.ask(CMD_READ_BLOCKS, uid_bytes(tag1) + bytes([6, 8]))
            _check(body[9] == 2 and body[16:18] == b"\x07\x00",
                   "a read past the end stops at the last block")
            data = b"ABCDEFGH"
            s, cmd, body = c.ask(CMD_WRITE_BLOCKS, uid_bytes(tag1) + bytes([2, 2, 0]) + data)
            _check(body == bytes([STATUS_OK]) + uid_bytes(tag1) + b"\x02", "write 2 blocks")
            _check(pad.memory(tag1)[8:16] == data, "the written blocks are in the tag")
            s, cmd, body = c.ask(CMD_GET_AFI, uid_bytes(tag1))
            _check(body == bytes([STATUS_OK]) + uid_bytes(tag1) + bytes([AFI_SECURED]),
                   "get AFI: the value set above")
            s, cmd, body = c.ask(CMD_GET_AFI, uid_bytes("E004010000000001"))
            _check(body == bytes([STATUS_REFUSED]) + uid_bytes("E004010000000001"),
                   "a tag not in the field is refused")

            # faults
            pad.fault_refuse_writes()
            s, cmd, body = c.ask(CMD_WRITE_BLOCKS, uid_bytes(tag1) + bytes([0, 1, 0]) + b"zzzz")
            _check(body[0] == STATUS_REFUSED and pad.memory(tag1)[:4] == b"\x04\x11\x00\x01",
                   "a refused write leaves the memory alone")
            pad.fault_tag_leaves_mid_write(card, blocks_written=1)
            s, cmd, body = c.ask(CMD_WRITE_BLOCKS, uid_bytes(card) + bytes([0, 2, 0]) + data)
            _check(body[0] == STATUS_REFUSED and pad.tag(card) is None
                   and card_tag.memory[:8] == b"ABCD\0\0\0\0",
                   "a tag leaving mid-write: refused, gone, its first block written")
            # What must not arrive is checked without waiting for it: the pad
            # answers in order, so a version probe sent after it must be answered
            # first.
            probe = frame(CMD_VERSION, b"\x00\x11", START_SYSTEM)
            pad.fault_crc_error_next_reply()
            c.send(frame(CMD_INVENTORY, b"\x00\x05") + probe)
            _check(c.receive()[1] == CMD_VERSION and c.splitter.dropped == 1,
                   "a reply with a bad CRC is dropped by the client, the next one is whole")
            pad.fault_no_answer()
            c.send(frame(CMD_INVENTORY, b"\x00\x05") + probe)
            _check(c.receive()[0] == START_SYSTEM and pad.requests[-2][1] == CMD_INVENTORY,
                   "a request taken in and not answered, then answers again")
            seen = len(pad.requests)
            c.send(b"\xD6\x00\x05\xFE\x00\x05\x00\x00" + probe)
            _check(c.receive()[0] == START_SYSTEM and len(pad.requests) == seen + 1,
                   "a request with a bad CRC is not answered (nor counted)")
            _check(not c.queue, "nothing else came")

            # more tags than one answer carries
            pad.max_uids_per_reply = 1
            pad.place(Tag(card))
            s, cmd, body = c.ask(CMD_INVENTORY, b"\x00\x05")
            _check(body[3] == 2 and len(body) == 4 + UID_LEN,
                   "more tags than fit: count 2, one UID carried")

            # a line's pace: no answer sooner than its bytes and the request's take
            pad.baud = 19200
            started = time.monotonic_ns()
            s, cmd, body = c.ask(CMD_GET_AFI, uid_bytes(tag1))
            took = time.monotonic_ns() - started
            line_ns = (len(frame(CMD_GET_AFI, uid_bytes(tag1))) + len(frame(cmd, body, s))) \
                * 10 * 1_000_000_000 // 19200
            _check(took >= line_ns, "at 19200 baud an answer takes its bytes' time on the line")
            pad.baud = None

            # awaiting answers: only those to requests since the moment given count
            since = time.monotonic_ns()
            c.ask(CMD_GET_AFI, uid_bytes(tag1))
            _check(pad.await_answers(CMD_GET_AFI, 1, since, 5), "the answer awaited came")
            _check(not pad.await_answers(CMD_GET_AFI, 2, since, 0.05),
                   "a second one never asked for: the wait times out")
        finally:
            c.close()
    _selftest_device()
    print("selftest passed")
    return 0


def _selftest_device():
    """The pad on a tty someone else made (here a pty's slave by its path, as a
    gadget's /dev/ttyGS0 would be), the client on the other end."""
    master, slave = os.openpty()
    try:
        with M3Pad(device=os.ttyname(slave)) as pad:
            splitter = FrameSplitter()
            os.write(master, bytes.fromhex("D500050400118C66"))
            got = []
            deadline = time.monotonic() + 10.0
            while not got and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    got = splitter.feed(os.read(master, 4096))
            _check(got and got[0][1] == CMD_VERSION and pad.opens == 1,
                   "served on a tty given by its path")
    finally:
        os.close(master)
        os.close(slave)


def _raw_answer(client):
    s, cmd, body = client.receive()
    return frame(cmd, body, s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--tag", action="append", default=[], help="a UID to place (hex)")
    ap.add_argument("--device", help="serve this tty (opened again after a hang-up), not a pty")
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    with M3Pad(device=args.device) as pad:
        for uid in args.tag:
            pad.place(Tag(uid))
        print(pad.path, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
