#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The receipt printer's side of the board tests, on the printer gadget's end.

  printer.py serve DEV CAPTURE MODE_FILE
      Serves /dev/g_printerN as an ESC/POS printer would: every byte the host
      wrote is appended to CAPTURE, and each real-time status request in them
      (DLE EOT n) is answered at once with the status byte of the state named
      in MODE_FILE ("ok" or "paper-out", read at each request). The same state
      is set as the gadget's USB printer port status (GADGET_SET_PRINTER_STATUS),
      which the host reads with the class request GET_PORT_STATUS.
  printer.py text CAPTURE
      Prints what the captured bytes print: ESC/POS commands left out, text
      decoded from the code page selected; one line "--- cut" per cut.

Sources: Epson's ESC/POS command reference (reference.epson-biz.com) for the
commands and the DLE EOT answer bits (bits 1 and 4 always set; 1: bit 3
offline; 2: bit 5 stopped by paper end; 4: bits 2-3 near end, 5-6 out);
Linux's include/uapi/linux/usb/g_printer.h for the ioctl and the port status
bits (0x08 not error, 0x10 selected, 0x20 paper empty); the USB printer class
1.1 specification for GET_PORT_STATUS.
"""

import fcntl
import os
import select
import sys

DLE, EOT, ESC, GS = 0x10, 0x04, 0x1B, 0x1D

# _IOWR('g', 0x22, unsigned char): the argument is the status byte itself.
GADGET_SET_PRINTER_STATUS = (3 << 30) | (1 << 16) | (ord("g") << 8) | 0x22
PORT_STATUS = {"ok": 0x08 | 0x10, "paper-out": 0x10 | 0x20}

FIXED = 0x12
ANSWERS = {
    "ok": {1: FIXED, 2: FIXED, 3: FIXED, 4: FIXED},
    "paper-out": {1: FIXED | 0x08, 2: FIXED | 0x20, 3: FIXED, 4: FIXED | 0x0C | 0x60},
}


def read_mode(path):
    try:
        with open(path, encoding="ascii") as f:
            mode = f.read().strip()
    except OSError:
        mode = "ok"
    return mode if mode in ANSWERS else "ok"


def serve(dev, capture, mode_file):
    fd = os.open(dev, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    out = open(capture, "ab", buffering=0)
    port_mode = None
    tail = b""  # the start of a request split across two reads
    while True:
        # read again after each wait, so that a request is answered in the state of now
        mode = read_mode(mode_file)
        if mode != port_mode:
            try:
                fcntl.ioctl(fd, GADGET_SET_PRINTER_STATUS, PORT_STATUS[mode])
            except OSError as e:
                print("printer.py: GADGET_SET_PRINTER_STATUS: %s" % e, file=sys.stderr)
            port_mode = mode
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            continue
        except OSError as e:
            # unbound (unplugged): the node stays; wait to be plugged in again
            print("printer.py: read: %s" % e, file=sys.stderr)
            select.select([], [], [], 0.2)
            continue
        if not data:
            continue
        mode = read_mode(mode_file)
        out.write(data)
        data = tail + data
        answers = bytearray()
        i = 0
        while i + 2 < len(data):
            if data[i] == DLE and data[i + 1] == EOT and data[i + 2] in ANSWERS[mode]:
                answers.append(ANSWERS[mode][data[i + 2]])
                i += 3
            else:
                i += 1
        tail = data[i:][-2:]
        if answers:
            try:
                os.write(fd, bytes(answers))
            except OSError as e:
                print("printer.py: answer: %s" % e, file=sys.stderr)


# Arguments after the two command bytes, for the commands hal/escpos.c writes.
ARGS = {(ESC, 0x40): 0, (ESC, 0x74): 1, (ESC, 0x45): 1, (ESC, 0x61): 1, (ESC, 0x64): 1,
        (GS, 0x21): 1, (GS, 0x56): 2, (DLE, EOT): 1}
CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}


def text(capture):
    with open(capture, "rb") as f:
        data = f.read()
    out, run, codepage, i = [], bytearray(), "cp437", 0
    while i < len(data):
        b = data[i]
        key = (b, data[i + 1]) if i + 1 < len(data) else None
        if key == (GS, 0x28):  # GS ( k pL pH ...: a QR code's functions
            i += 5 + data[i + 3] + 256 * data[i + 4]
            continue
        if b in (ESC, GS, DLE) and key in ARGS:
            out.append(bytes(run).decode(codepage, "replace"))
            run = bytearray()
            if key == (ESC, 0x74):
                codepage = CODEPAGES.get(data[i + 2], "cp437")
            if key == (GS, 0x56):
                out.append("\n--- cut\n")
            i += 2 + ARGS[key]
            continue
        run.append(b)
        i += 1
    out.append(bytes(run).decode(codepage, "replace"))
    sys.stdout.write("".join(out))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "text":
        text(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
