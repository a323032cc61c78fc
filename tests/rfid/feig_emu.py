#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A FEIG ISO host mode reader (ID ISC.MR101/LR2500 class) with virtual ISO 15693 tags.

Written from FEIG's published protocol description (the ID ISC system manuals:
standard and advanced frames, CRC-16 preset 0xFFFF polynomial 0x8408 sent LSB
first, status bytes, [0xB0]/[0xB1] host commands), not from circd's C codec,
so that each can catch the other's mistakes. Python 3 standard library only.

Use it three ways:

  from feig_emu import FeigReader, VirtualTag
  reader = FeigReader()
  reader.place(VirtualTag("E004010011223344", blocks=8))
  path = reader.open_pty()              # the serial port circd opens
  ...; reader.close()

  python3 tests/rfid/feig_emu.py --pty [--admin SOCKET]   # prints the pty path
  python3 tests/rfid/feig_emu.py --selftest

Admin line protocol (on --admin SOCKET, one command per line, answer "ok ..."
or "error ..."), the same as the methods of FeigReader:
  place UID [dsfid=HH] [afi=HH] [eas=0|1] [blocks=N] [size=N] [locked=I,J]
  remove UID | clear | list | memory UID | write UID BLOCK HEX | lock UID BLOCK
  fault leave-mid-write UID | fault refuse-write | fault crc-next
  fault no-answer [N] | fault clear | log
"""

import argparse
import os
import select
import socket
import sys
import termios
import threading
import time
import tty

STX = 0x02
ADDR_ANY = 0xFF

# Status bytes (the manuals' index of status bytes).
OK = 0x00
NO_TRANSPONDER = 0x01
WRITE_ERROR = 0x03
WRONG_TRANSPONDER_TYPE = 0x05
PARAMETER_RANGE = 0x11
UNKNOWN_COMMAND = 0x80
LENGTH_ERROR = 0x81
COMMAND_NOT_AVAILABLE = 0x82
RF_COMMUNICATION_ERROR = 0x83
MORE_DATA = 0x94
ISO_ERROR = 0x95

# ISO 15693 error codes sent after status 0x95.
ISO_ERR_NOT_SUPPORTED = 0x01
ISO_ERR_OPTION = 0x03
ISO_ERR_BLOCK_UNAVAILABLE = 0x10
ISO_ERR_ALREADY_LOCKED = 0x11
ISO_ERR_LOCKED = 0x12

TR_TYPE_ISO15693 = 0x03
MFR_NXP = 0x04
# A standard reply holds 255 bytes: 7 of framing and count, then 10 per tag.
TAGS_PER_STANDARD_REPLY = 24
# Silence after which a partial request is taken for noise (FEIG readers time out a frame too).
INTER_BYTE_TIMEOUT = 0.05


def crc16(data):
    """FEIG's CRC: CCITT polynomial reflected (0x8408), preset 0xFFFF, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def frame(control, payload, com_adr=ADDR_ANY, advanced=False):
    """One frame: standard (length byte) or advanced (STX and a 2-byte length)."""
    if advanced:
        total = len(payload) + 7
        head = bytes([STX, total >> 8, total & 0xFF, com_adr, control])
    else:
        total = len(payload) + 5
        if total > 255:
            raise ValueError("too long for a standard frame")
        head = bytes([total, com_adr, control])
    body = head + bytes(payload)
    crc = crc16(body)
    return body + bytes([crc & 0xFF, crc >> 8])


def split_frame(buf):
    """(frame bytes, rest) for the frame at the start of buf; (None, buf) when
    more bytes are needed; raises ValueError when buf cannot start a frame."""
    if not buf:
        return None, buf
    if buf[0] == STX:
        if len(buf) < 3:
            return None, buf
        total = buf[1] << 8 | buf[2]
        if total < 7:
            raise ValueError("advanced length %d" % total)
    else:
        total = buf[0]
        if total < 5:
            raise ValueError("standard length %d" % total)
    if len(buf) < total:
        return None, buf
    crc = crc16(buf[:total - 2])
    if buf[total - 2] != crc & 0xFF or buf[total - 1] != crc >> 8:
        raise ValueError("bad CRC")
    return bytes(buf[:total]), buf[total:]


def parse_frame(raw):
    """(advanced, com_adr, control, data) of a whole, checked frame."""
    if raw[0] == STX:
        return True, raw[3], raw[4], raw[5:-2]
    return False, raw[1], raw[2], raw[3:-2]


class VirtualTag:
    """An ISO 15693 tag: UID as the reader reports it (MSB first, "E0..."),
    memory in the tag's own byte order, and its lock and EAS bits."""

    def __init__(self, uid, dsfid=0, afi=0, eas=False, blocks=28, block_size=4,
                 locked=(), ic_ref=0x01, data=None):
        self.uid = bytes.fromhex(uid) if isinstance(uid, str) else bytes(uid)
        if len(self.uid) != 8:
            raise ValueError("a UID has 8 bytes")
        self.dsfid = dsfid
        self.afi = afi
        self.afi_locked = False
        self.eas = eas
        self.eas_locked = False
        self.block_size = block_size
        self.memory = bytearray(data if data is not None else bytes(blocks * block_size))
        if len(self.memory) != blocks * block_size:
            raise ValueError("data must fill the blocks")
        self.locked = set(locked)
        self.ic_ref = ic_ref
        self.quiet = False

    @property
    def block_count(self):
        return len(self.memory) // self.block_size

    def block(self, n):
        return bytes(self.memory[n * self.block_size:(n + 1) * self.block_size])

    def uid_hex(self):
        return self.uid.hex().upper()


class FeigReader:
    """The reader: virtual tags in its field, faults to inject, and a serial
    side (open_pty() or serve_fd()). Every method is safe to call from
    another thread than the serial one."""

    def __init__(self, com_adr=0x00, tags_per_reply=TAGS_PER_STANDARD_REPLY):
        self.com_adr = com_adr
        self.tags_per_reply = tags_per_reply
        self.field = {}            # uid bytes -> VirtualTag, in placing order
        self.rf_on = True
        self.lock = threading.RLock()
        self.log = []              # (request control, status) per answered request
        self._pending_inventory = []
        self._faults = {"leave_mid_write": None, "refuse_write": False,
                        "crc_next": False, "no_answer": 0}
        self._rx = bytearray()
        self._fd = None
        self._slave_fd = None
        self._thread = None
        self._stop = threading.Event()
        self._admin = None

    # ---------------------------------------------------------------- admin
    def place(self, tag):
        with self.lock:
            tag.quiet = False
            self.field[tag.uid] = tag
        return tag

    def remove(self, uid):
        with self.lock:
            return self.field.pop(_uid_bytes(uid), None)

    def clear(self):
        with self.lock:
            self.field.clear()

    def tag(self, uid):
        with self.lock:
            return self.field.get(_uid_bytes(uid))

    def set_memory(self, uid, first_block, data):
        """Writes data (the tag's byte order) from first_block, locks ignored."""
        with self.lock:
            t = self.field[_uid_bytes(uid)]
            at = first_block * t.block_size
            if at + len(data) > len(t.memory):
                raise ValueError("past the tag's memory")
            t.memory[at:at + len(data)] = data

    def lock_block(self, uid, block):
        with self.lock:
            self.field[_uid_bytes(uid)].locked.add(block)

    def fault_leave_mid_write(self, uid):
        """The next write to uid stores its first half of blocks, then the tag leaves."""
        with self.lock:
            self._faults["leave_mid_write"] = _uid_bytes(uid)

    def fault_refuse_write(self):
        """The next write is refused by the tag (ISO error 0x12), nothing stored."""
        with self.lock:
            self._faults["refuse_write"] = True

    def fault_crc_next(self):
        """The next reply goes out with a broken CRC."""
        with self.lock:
            self._faults["crc_next"] = True

    def fault_no_answer(self, count=1):
        """The next count requests get no answer at all."""
        with self.lock:
            self._faults["no_answer"] = count

    def fault_clear(self):
        with self.lock:
            self._faults.update(leave_mid_write=None, refuse_write=False, crc_next=False,
                                no_answer=0)

    # -------------------------------------------------------------- protocol
    def feed(self, data):
        """Bytes from the host; returns the replies to write back, in order.
        Bytes that cannot start a frame are dropped one at a time, as a reader
        resynchronises after line noise."""
        replies = []
        with self.lock:
            self._rx += data
            while self._rx:
                try:
                    raw, rest = split_frame(self._rx)
                except ValueError:
                    del self._rx[0]
                    continue
                if raw is None:
                    break
                self._rx = bytearray(rest)
                reply = self.handle(raw)
                if reply is not None:
                    replies.append(reply)
        return replies

    def drop_stalled(self):
        """A partial frame that stopped arriving (the reader's inter-byte
        timeout): its first byte goes, as it was line noise that looked like a
        length; returns the replies to what the rest holds."""
        with self.lock:
            if not self._rx:
                return []
            del self._rx[0]
        return self.feed(b"")

    def handle(self, raw):
        """The reply frame to one whole request frame, or None for silence."""
        with self.lock:
            advanced, com_adr, control, data = parse_frame(raw)
            if com_adr not in (self.com_adr, ADDR_ANY):
                return None
            if self._faults["no_answer"] > 0:
                self._faults["no_answer"] -= 1
                return None
            status, payload = self._dispatch(control, bytes(data))
            self.log.append((control, status))
            body = bytes([status]) + payload
            reply = frame(control, body, self.com_adr,
                          advanced=advanced or len(body) + 5 > 255)
            if self._faults["crc_next"]:
                self._faults["crc_next"] = False
                reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
            return reply

    def _dispatch(self, control, data):
        if control == 0x52:                  # baud rate detection
            return (OK, b"") if data == b"\x00" else (LENGTH_ERROR, b"")
        if control == 0x65:                  # software version
            return OK, bytes([0x03, 0x03, 0x00, 0x44, 0x53, 0x00, 0x08])
        if control == 0x69:                  # RF reset: quiet tags wake up
            for t in self.field.values():
                t.quiet = False
            return OK, b""
        if control == 0x6A:                  # RF on/off
            if len(data) != 1:
                return LENGTH_ERROR, b""
            self.rf_on = bool(data[0] & 0x01)
            return OK, b""
        if control == 0x80:                  # read configuration: an empty block
            if len(data) != 1:
                return LENGTH_ERROR, b""
            return OK, bytes(14)
        if control == 0xB0:
            return self._iso(data)
        if control == 0xB1:
            return self._custom(data)
        return UNKNOWN_COMMAND, b""

    def _in_field(self):
        return list(self.field.values()) if self.rf_on else []

    def _target(self, mode, rest):
        """(tag or error status, rest after the UID) for MODE's addressing."""
        adr = mode & 0x07
        if adr == 0x01:
            if len(rest) < 8:
                return LENGTH_ERROR, rest
            uid, rest = bytes(rest[:8]), rest[8:]
            tag = self.field.get(uid) if self.rf_on else None
            return (tag if tag else NO_TRANSPONDER), rest
        if adr != 0x00:
            return PARAMETER_RANGE, rest      # "selected" mode is not emulated
        tags = self._in_field()
        if not tags:
            return NO_TRANSPONDER, rest
        if len(tags) > 1:
            return RF_COMMUNICATION_ERROR, rest  # every tag answers at once: a collision
        return tags[0], rest

    def _iso(self, data):
        if len(data) < 2:
            return LENGTH_ERROR, b""
        cmd, mode, rest = data[0], data[1], data[2:]
        if cmd == 0x01:
            return self._inventory(mode, rest)
        tag, rest = self._target(mode, rest)
        if isinstance(tag, int):
            return tag, b""
        if cmd == 0x02:                      # stay quiet
            tag.quiet = True
            return OK, b""
        if cmd == 0x23:
            return self._read_blocks(tag, mode, rest)
        if cmd == 0x24:
            return self._write_blocks(tag, rest)
        if cmd == 0x27:                      # write AFI
            if len(rest) != 1:
                return LENGTH_ERROR, b""
            if tag.afi_locked:
                return ISO_ERROR, bytes([ISO_ERR_LOCKED])
            tag.afi = rest[0]
            return OK, b""
        if cmd == 0x28:                      # lock AFI
            if tag.afi_locked:
                return ISO_ERROR, bytes([ISO_ERR_ALREADY_LOCKED])
            tag.afi_locked = True
            return OK, b""
        if cmd == 0x2B:                      # get system information
            mem = bytes([(tag.block_size - 1) & 0x1F, tag.block_count - 1])
            return OK, bytes([tag.dsfid]) + tag.uid + bytes([tag.afi]) + mem + \
                bytes([tag.ic_ref])
        return ISO_ERROR, bytes([ISO_ERR_NOT_SUPPORTED])

    def _inventory(self, mode, rest):
        if mode & 0x80:                      # MORE: the rest of the last inventory
            sets, self._pending_inventory = self._pending_inventory, []
        else:
            afi = None
            if mode & 0x10:
                if len(rest) != 1:
                    return LENGTH_ERROR, b""
                afi = rest[0]
            # ISO 15693: AFI 0 in a request matches every tag
            sets = [t for t in self._in_field() if not t.quiet and
                    (afi is None or afi == 0 or t.afi == afi)]
        if not sets:
            return NO_TRANSPONDER, b""
        page, self._pending_inventory = sets[:self.tags_per_reply], sets[self.tags_per_reply:]
        body = bytes([len(page)])
        for t in page:
            body += bytes([TR_TYPE_ISO15693, t.dsfid]) + t.uid
        return (MORE_DATA if self._pending_inventory else OK), body

    def _read_blocks(self, tag, mode, rest):
        if len(rest) != 2:
            return LENGTH_ERROR, b""
        first, count = rest
        if count == 0 or first + count > tag.block_count:
            return ISO_ERROR, bytes([ISO_ERR_BLOCK_UNAVAILABLE])
        body = bytes([count, tag.block_size])
        for n in range(first, first + count):
            sec = 1 if (mode & 0x08 and n in tag.locked) else 0
            # each block goes out MSB first: the tag's last byte first
            body += bytes([sec]) + tag.block(n)[::-1]
        return OK, body

    def _write_blocks(self, tag, rest):
        if len(rest) < 3:
            return LENGTH_ERROR, b""
        first, count, size = rest[0], rest[1], rest[2]
        wire = rest[3:]
        if count == 0 or len(wire) != count * size:
            return LENGTH_ERROR, b""
        if size != tag.block_size:
            return ISO_ERROR, bytes([ISO_ERR_OPTION, first])
        if first + count > tag.block_count:
            return ISO_ERROR, bytes([ISO_ERR_BLOCK_UNAVAILABLE, first])
        if self._faults["refuse_write"]:
            self._faults["refuse_write"] = False
            return ISO_ERROR, bytes([ISO_ERR_LOCKED, first])
        leaving = self._faults["leave_mid_write"] == tag.uid
        stop_at = first + count // 2 if leaving else first + count
        for i, n in enumerate(range(first, first + count)):
            if n == stop_at:
                self._faults["leave_mid_write"] = None
                self.field.pop(tag.uid, None)
                return NO_TRANSPONDER, b""
            if n in tag.locked:
                return ISO_ERROR, bytes([ISO_ERR_LOCKED, n])
            block = wire[i * size:(i + 1) * size][::-1]
            tag.memory[n * size:(n + 1) * size] = block
        return OK, b""

    def _custom(self, data):
        if len(data) < 3:
            return LENGTH_ERROR, b""
        mfr, cmd, mode, rest = data[0], data[1], data[2], data[3:]
        if mfr != MFR_NXP:
            return WRONG_TRANSPONDER_TYPE, b""
        if cmd not in (0xA2, 0xA3, 0xA4, 0xA5):
            return UNKNOWN_COMMAND, b""
        if cmd == 0xA5 and not mode & 0x07:  # EAS alarm: any tag with EAS set answers
            return (OK, b"") if any(t.eas for t in self._in_field()) else \
                (NO_TRANSPONDER, b"")
        tag, rest = self._target(mode, rest)
        if isinstance(tag, int):
            return tag, b""
        if cmd == 0xA5:
            return (OK, b"") if tag.eas else (NO_TRANSPONDER, b"")
        if cmd == 0xA4:
            tag.eas_locked = True
            return OK, b""
        if tag.eas_locked:
            return ISO_ERROR, bytes([ISO_ERR_LOCKED])
        tag.eas = cmd == 0xA2
        return OK, b""

    # ---------------------------------------------------------------- serial
    def open_pty(self):
        """A pseudo-terminal in raw mode; returns the path of its slave side."""
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._slave_fd = slave   # kept open so the master never sees a hangup
        self.serve_fd(master)
        return os.ttyname(slave)

    def serve_fd(self, fd):
        """Answers requests read from fd (non-blocking) on a thread of its own."""
        self._fd = fd
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], INTER_BYTE_TIMEOUT)
            if not ready:
                for reply in self.drop_stalled():
                    _write_all(self._fd, reply)
                continue
            try:
                data = os.read(self._fd, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            if not data:
                return
            for reply in self.feed(data):
                _write_all(self._fd, reply)

    def serve_admin(self, path):
        """The admin line protocol on a unix socket at path."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(4)
        self._admin = sock
        threading.Thread(target=self._admin_loop, args=(sock,), daemon=True).start()

    def _admin_loop(self, sock):
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rw", encoding="ascii", newline="\n") as f:
                for line in f:
                    f.write(self.admin(line) + "\n")
                    f.flush()

    def admin(self, line):
        """One admin command (see the module doc); returns its answer line."""
        words = line.split()
        try:
            return "ok" + _suffix(self._admin_command(words))
        except (KeyError, ValueError, IndexError) as e:
            return "error %s" % (e,)

    def _admin_command(self, words):
        cmd, args = words[0], words[1:]
        if cmd == "place":
            opts = dict(a.split("=", 1) for a in args[1:])
            self.place(VirtualTag(args[0], dsfid=int(opts.get("dsfid", "0"), 16),
                                  afi=int(opts.get("afi", "0"), 16),
                                  eas=opts.get("eas", "0") == "1",
                                  blocks=int(opts.get("blocks", "28")),
                                  block_size=int(opts.get("size", "4")),
                                  locked={int(x) for x in opts.get("locked", "").split(",")
                                          if x}))
            return ""
        if cmd == "remove":
            if not self.remove(args[0]):
                raise KeyError("no tag " + args[0])
            return ""
        if cmd == "clear":
            self.clear()
            return ""
        if cmd == "list":
            with self.lock:
                return " ".join(t.uid_hex() for t in self.field.values())
        if cmd == "memory":
            with self.lock:
                return self.field[_uid_bytes(args[0])].memory.hex().upper()
        if cmd == "write":
            self.set_memory(args[0], int(args[1]), bytes.fromhex(args[2]))
            return ""
        if cmd == "lock":
            self.lock_block(args[0], int(args[1]))
            return ""
        if cmd == "log":
            with self.lock:
                return " ".join("%02X:%02X" % entry for entry in self.log)
        if cmd == "fault":
            what = args[0]
            if what == "leave-mid-write":
                self.fault_leave_mid_write(args[1])
            elif what == "refuse-write":
                self.fault_refuse_write()
            elif what == "crc-next":
                self.fault_crc_next()
            elif what == "no-answer":
                self.fault_no_answer(int(args[1]) if len(args) > 1 else 1)
            elif what == "clear":
                self.fault_clear()
            else:
                raise ValueError("unknown fault " + what)
            return ""
        raise ValueError("unknown command " + cmd)

    def close(self):
        self._stop.set()
        if self._thread:
            self._thread.join(1)
        for fd in (self._fd, self._slave_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._slave_fd = None
        if self._admin:
            self._admin.close()


def _uid_bytes(uid):
    return bytes.fromhex(uid) if isinstance(uid, str) else bytes(uid)


def _suffix(text):
    return " " + text if text else ""


def _write_all(fd, data):
    while data:
        try:
            n = os.write(fd, data)
        except BlockingIOError:
            select.select([], [fd], [], 0.1)
            continue
        data = data[n:]


# ------------------------------------------------------------------ selftest

class _Client:
    """The tiny host side of the self-test: a serial port, requests, replies."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = bytearray()

    def send_raw(self, data):
        _write_all(self.fd, data)

    def reply(self, timeout=2.0):
        """(status, data, advanced) of the next reply; None when none comes in
        time; raises ValueError for a damaged one."""
        deadline = time.monotonic() + timeout
        while True:
            raw, rest = split_frame(self.buf)
            if raw is not None:
                self.buf = bytearray(rest)
                advanced, _, _, data = parse_frame(raw)
                return data[0], bytes(data[1:]), advanced
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if select.select([self.fd], [], [], left)[0]:
                self.buf += os.read(self.fd, 4096)

    def ask(self, control, payload=b"", advanced=False, timeout=2.0):
        self.send_raw(frame(control, payload, advanced=advanced))
        return self.reply(timeout)

    def close(self):
        os.close(self.fd)


def selftest():
    """Drives an emulator over a pty with _Client; prints 'N passed, N failed'."""
    passed = failed = 0

    def check(name, cond):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL", name)

    uid_a = bytes.fromhex("E004010011223344")
    uid_b = bytes.fromhex("E004010055667788")
    reader = FeigReader()
    path = reader.open_pty()
    c = _Client(path)
    try:
        # housekeeping, and the published Get Software Version request frame
        c.send_raw(bytes([0x05, 0xFF, 0x65, 0xE5, 0xCB]))
        r = c.reply()
        check("software version", r and r[0] == OK and len(r[1]) == 7)
        check("baud detect", c.ask(0x52, b"\x00")[0] == OK)
        check("rf on", c.ask(0x6A, b"\x01")[0] == OK)
        check("unknown control", c.ask(0x99)[0] == UNKNOWN_COMMAND)

        check("empty field", c.ask(0xB0, b"\x01\x00") == (NO_TRANSPONDER, b"", False))
        reader.place(VirtualTag(uid_a, dsfid=0x11, afi=0x07, blocks=8))
        reader.place(VirtualTag(uid_b, afi=0xC2, eas=True, blocks=8, locked={7}))
        st, data, _ = c.ask(0xB0, b"\x01\x00")
        check("inventory of two", st == OK and data[0] == 2 and
              data[1:11] == bytes([3, 0x11]) + uid_a and data[13:21] == uid_b)
        st, data, adv = c.ask(0xB0, b"\x01\x00", advanced=True)
        check("advanced frames answered in kind", adv and st == OK and data[0] == 2)
        st, data, _ = c.ask(0xB0, b"\x01\x10\x07")
        check("inventory by AFI", st == OK and data[0] == 1 and data[3:11] == uid_a)

        # more tags than a standard reply holds: 0x94, then MORE
        many = [bytes.fromhex("E00401%010X" % (0x100 + i)) for i in range(30)]
        for u in many:
            reader.place(VirtualTag(u, blocks=4))
        st, data, _ = c.ask(0xB0, b"\x01\x00")
        check("inventory more data", st == MORE_DATA and data[0] == TAGS_PER_STANDARD_REPLY)
        st, data, _ = c.ask(0xB0, b"\x01\x80")
        check("inventory the rest", st == OK and data[0] == 32 - TAGS_PER_STANDARD_REPLY)
        for u in many:
            reader.remove(u)

        # write then read, addressed; blocks travel MSB first
        mem = bytes(range(1, 17))
        wire = b"".join(mem[i:i + 4][::-1] for i in range(0, 16, 4))
        st, _, _ = c.ask(0xB0, b"\x24\x01" + uid_a + bytes([0, 4, 4]) + wire)
        check("write blocks", st == OK and reader.tag(uid_a).memory[:16] == mem)
        st, data, _ = c.ask(0xB0, b"\x23\x01" + uid_a + bytes([0, 4]))
        check("read blocks", st == OK and data[:2] == bytes([4, 4]) and
              data[2:7] == bytes([0, 4, 3, 2, 1]))
        st, data, _ = c.ask(0xB0, b"\x23\x01" + uid_a + bytes([6, 4]))
        check("read past the end", st == ISO_ERROR and data == bytes([ISO_ERR_BLOCK_UNAVAILABLE]))
        st, data, _ = c.ask(0xB0, b"\x24\x01" + uid_b + bytes([6, 2, 4]) + bytes(8))
        check("locked block refused", st == ISO_ERROR and data == bytes([ISO_ERR_LOCKED, 7]))
        st, data, _ = c.ask(0xB0, b"\x23\x09" + uid_b + bytes([7, 1]))
        check("security status", st == OK and data[2] == 1)
        check("non-addressed collides", c.ask(0xB0, b"\x23\x00\x00\x01")[0] ==
              RF_COMMUNICATION_ERROR)

        # AFI, system information, EAS
        check("write AFI", c.ask(0xB0, b"\x27\x01" + uid_a + b"\x08")[0] == OK and
              reader.tag(uid_a).afi == 0x08)
        check("lock AFI", c.ask(0xB0, b"\x28\x01" + uid_a)[0] == OK)
        st, data, _ = c.ask(0xB0, b"\x27\x01" + uid_a + b"\x07")
        check("locked AFI refused", st == ISO_ERROR and data == bytes([ISO_ERR_LOCKED]))
        st, data, _ = c.ask(0xB0, b"\x2B\x01" + uid_a)
        check("system info", st == OK and data == bytes([0x11]) + uid_a +
              bytes([0x08, 0x03, 0x07, 0x01]))
        check("EAS alarm", c.ask(0xB1, b"\x04\xA5\x00")[0] == OK)
        check("reset EAS", c.ask(0xB1, b"\x04\xA3\x01" + uid_b)[0] == OK)
        check("no EAS alarm", c.ask(0xB1, b"\x04\xA5\x00")[0] == NO_TRANSPONDER)
        check("set EAS", c.ask(0xB1, b"\x04\xA2\x01" + uid_a)[0] == OK and
              reader.tag(uid_a).eas)
        check("other manufacturer", c.ask(0xB1, b"\x07\xA2\x00")[0] == WRONG_TRANSPONDER_TYPE)

        # stay quiet, then RF reset wakes it
        check("stay quiet", c.ask(0xB0, b"\x02\x01" + uid_a)[0] == OK)
        st, data, _ = c.ask(0xB0, b"\x01\x00")
        check("quiet tag not inventoried", st == OK and data[0] == 1)
        check("rf reset", c.ask(0x69)[0] == OK)
        check("awake again", c.ask(0xB0, b"\x01\x00")[1][0] == 2)

        # line noise, then a request: the reader resynchronises
        c.send_raw(b"\x00\x01\x03\xFF\x07")
        c.send_raw(frame(0x65, b""))
        r = c.reply()
        check("resync after garbage", r is not None and r[0] == OK)

        # faults
        reader.fault_crc_next()
        c.send_raw(frame(0x65, b""))
        try:
            c.reply()
            check("crc fault", False)
        except ValueError:
            check("crc fault", True)
        c.buf.clear()
        reader.fault_no_answer()
        check("no answer", c.ask(0x65, timeout=0.3) is None)
        check("answers again", c.ask(0x65)[0] == OK)
        reader.fault_refuse_write()
        st, data, _ = c.ask(0xB0, b"\x24\x01" + uid_a + bytes([0, 1, 4]) + b"\xAA" * 4)
        check("write refused", st == ISO_ERROR and data == bytes([ISO_ERR_LOCKED, 0]) and
              reader.tag(uid_a).memory[:4] == mem[:4])
        tag_a = reader.tag(uid_a)
        reader.fault_leave_mid_write(uid_a)
        st, _, _ = c.ask(0xB0, b"\x24\x01" + uid_a + bytes([0, 4, 4]) + b"\xBB" * 16)
        check("tag leaves mid-write", st == NO_TRANSPONDER and reader.tag(uid_a) is None)
        check("left half written", tag_a.memory[:16] == b"\xBB" * 8 + mem[8:16])

        # the admin line protocol, over its socket
        sock_path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                 "feig-emu-selftest-%d.sock" % os.getpid())
        reader.serve_admin(sock_path)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(sock_path)
                f = s.makefile("rw", encoding="ascii", newline="\n")

                def cmd(line):
                    f.write(line + "\n")
                    f.flush()
                    return f.readline().strip()

                check("admin place", cmd("place E0040100AABBCCDD afi=07 blocks=4") == "ok")
                check("admin write", cmd("write E0040100AABBCCDD 1 31323334") == "ok")
                check("admin memory", cmd("memory E0040100AABBCCDD") ==
                      "ok 0000000031323334" + "00" * 8)
                st, data, _ = c.ask(0xB0, b"\x23\x01" + bytes.fromhex("E0040100AABBCCDD") +
                                    bytes([1, 1]))
                check("admin-placed tag read", st == OK and data[3:7] == b"4321")
                check("admin list", cmd("list") == "ok E004010055667788 E0040100AABBCCDD")
                check("admin fault", cmd("fault no-answer 1") == "ok")
                check("admin fault works", c.ask(0x65, timeout=0.3) is None)
                check("admin remove", cmd("remove E0040100AABBCCDD") == "ok")
                check("admin error", cmd("remove E0040100AABBCCDD").startswith("error"))
                check("admin log", cmd("log").startswith("ok 65:00"))
        finally:
            os.unlink(sock_path)
    finally:
        c.close()
        reader.close()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--selftest", action="store_true", help="run the self-test over a pty")
    ap.add_argument("--pty", action="store_true", help="serve on a new pty, print its path")
    ap.add_argument("--admin", metavar="SOCKET", help="admin line protocol on this socket")
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    if not args.pty:
        ap.error("--pty or --selftest")
    reader = FeigReader()
    print(reader.open_pty(), flush=True)
    if args.admin:
        reader.serve_admin(args.admin)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
