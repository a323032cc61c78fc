# SPDX-License-Identifier: GPL-2.0-or-later
"""RFID item tags for the e2e tests, written here from the data model's description and not
from circd's C codec: ISO 28560-3, the Danish data model ("RFID Data Model for Libraries",
DS/INF 163, biblstandard.dk): a 34-byte basic block, CRC-16/CCITT (0x1021, initial 0xFFFF,
not reflected) over bytes 0-18 and 21-33, stored least significant byte first."""

USAGE_CIRCULATING = 1
USAGE_NOT_FOR_LOAN = 2
USAGE_PATRON_CARD = 8

AFI_ON_SHELF = 0x07
AFI_CHECKED_OUT = 0xC2


def crc16_ccitt(data, crc=0xFFFF):
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def danish(item, usage=USAGE_CIRCULATING, parts=1, part=1, isil="DK-710100", damage=False):
    """The tag's user memory, whole 4-byte blocks: the basic block and 2 bytes of padding."""
    country, rest = isil.split("-", 1)
    b = bytearray(34)
    b[0] = 0x10 | usage
    b[1], b[2] = parts, part
    b[3:3 + len(item)] = item.encode()
    b[21:23] = country.encode()
    b[23:23 + len(rest)] = rest.encode()
    crc = crc16_ccitt(bytes(b[0:19]) + bytes(b[21:34]))
    if damage:
        crc ^= 0x0101
    b[19], b[20] = crc & 0xFF, crc >> 8
    return bytes(b) + b"\0\0"


def uid(n):
    """An NXP ICODE SLIX-like UID, most significant byte first."""
    return "E0040100%08X" % n


class Pad:
    """The sim board's item pad, on the fake clock: tags go on and off, rounds run as the
    test advances time."""

    def __init__(self, d, reader="item_pad"):
        self.d, self.reader = d, reader

    def place(self, tag_uid, memory, afi=AFI_ON_SHELF, eas=1, dsfid=0):
        return self.d.sim.cmd_ok("tag %s place %s %02X %02X %d 4 %s"
                                 % (self.reader, tag_uid, dsfid, afi, eas, memory.hex()))

    def remove(self, tag_uid):
        return self.d.sim.cmd_ok("tag %s remove %s" % (self.reader, tag_uid))

    def fault(self, kind):
        return self.d.sim.cmd_ok("tag %s fault %s" % (self.reader, kind))

    def run(self, ms=600, step=50):
        """Advances the fake clock in steps; returns every event."""
        ev = []
        for _ in range(ms // step):
            ev += self.d.advance(step)
        return ev


def writes(events, tag_uid):
    """What circd wrote to a tag, as the sim pad reports it: [('afi', '0xC2'), ('eas', '0')]."""
    out = []
    for e in events:
        parts = e.split()
        if len(parts) >= 4 and parts[0] == "rfid" and parts[1] == tag_uid:
            out.append((parts[2], parts[3]))
    return out
