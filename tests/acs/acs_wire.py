"""SIP2 2.00 wire format for the test ACS: framing, checksums, dates, fields, barcodes.

Written from the 3M SIP2 2.00 message descriptions (fixed fields first, at fixed
widths, then variable fields "XXvalue|" with a two-letter id). Error detection
appends "AY<one digit sequence>AZ<four hex digits>", where the checksum is the
two's complement of the 16-bit sum of every byte up to and including "AZ".
The resend messages (96, 97) carry a checksum but never a sequence number.

Standard library only.
"""

import datetime
import re
import time

DATE_LEN = 18

# Fixed fields of every message this ACS reads or writes: (name, width).
FIXED = {
    # requests (SC -> ACS)
    "93": [("uid_algorithm", 1), ("pwd_algorithm", 1)],
    "99": [("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)],
    "23": [("language", 3), ("transaction_date", DATE_LEN)],
    "63": [("language", 3), ("transaction_date", DATE_LEN), ("summary", 10)],
    "11": [("renewal_policy", 1), ("no_block", 1), ("transaction_date", DATE_LEN),
           ("nb_due_date", DATE_LEN)],
    "09": [("no_block", 1), ("transaction_date", DATE_LEN), ("return_date", DATE_LEN)],
    "29": [("third_party", 1), ("no_block", 1), ("transaction_date", DATE_LEN),
           ("nb_due_date", DATE_LEN)],
    "17": [("transaction_date", DATE_LEN)],
    "35": [("transaction_date", DATE_LEN)],
    "97": [],
    # responses (ACS -> SC); the self-test client decodes them with the same table
    "94": [("ok", 1)],
    "96": [],
    "98": [("online", 1), ("checkin_ok", 1), ("checkout_ok", 1), ("renewal_policy", 1),
           ("status_update_ok", 1), ("offline_ok", 1), ("timeout", 3), ("retries", 3),
           ("datetime", DATE_LEN), ("protocol_version", 4)],
    "24": [("patron_status", 14), ("language", 3), ("transaction_date", DATE_LEN)],
    "64": [("patron_status", 14), ("language", 3), ("transaction_date", DATE_LEN),
           ("hold_count", 4), ("overdue_count", 4), ("charged_count", 4), ("fine_count", 4),
           ("recall_count", 4), ("unavailable_count", 4)],
    "12": [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1),
           ("transaction_date", DATE_LEN)],
    "10": [("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1),
           ("transaction_date", DATE_LEN)],
    "30": [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1),
           ("transaction_date", DATE_LEN)],
    "18": [("circulation_status", 2), ("security_marker", 2), ("fee_type", 2),
           ("transaction_date", DATE_LEN)],
    "36": [("end_session", 1), ("transaction_date", DATE_LEN)],
}

# The 16 positions of the BX "supported messages" field, in the spec's order.
BX_ORDER = ["23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25",
            "15", "29", "65"]

CHARSETS = {
    "ascii": "ascii", "us-ascii": "ascii",
    "utf-8": "utf-8", "utf8": "utf-8",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
    "cp850": "cp850", "ibm850": "cp850",
}

TERMINATORS = {"cr": b"\r", "crlf": b"\r\n"}

_TRAILER_AZ = re.compile(rb"AZ([0-9A-Fa-f]{4})$")
_TRAILER_AY = re.compile(rb"\|?AY([0-9])$")


class ParseError(Exception):
    """A message this ACS cannot read. kind: 'checksum', 'no-checksum', 'code', 'short'."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class Message:
    """One decoded SIP2 message: code, fixed fields, variable fields in order."""

    def __init__(self, code, fixed=None, fields=None, seq=None, checksum=None, raw=b""):
        self.code = code
        self.fixed = fixed or {}
        self.fields = fields or []
        self.seq = seq
        self.checksum = checksum
        self.raw = raw

    def get(self, fid, default=None):
        for k, v in self.fields:
            if k == fid:
                return v
        return default

    def get_all(self, fid):
        return [v for k, v in self.fields if k == fid]

    def has(self, fid):
        return any(k == fid for k, _ in self.fields)

    def __repr__(self):
        return f"Message({self.code!r}, {self.fixed!r}, {self.fields!r}, seq={self.seq!r})"


def checksum(data):
    """Two's complement of the 16-bit byte sum of data (which ends with b'AZ')."""
    return (-sum(data)) & 0xFFFF


def checksum_ok(data_through_az, hex4):
    return (sum(data_through_az) + int(hex4, 16)) & 0xFFFF == 0


def codec(name):
    """The Python codec for a --charset name (accepts circd's names too)."""
    try:
        return CHARSETS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown charset {name!r} (ascii, utf-8, latin-1, cp850)")


def split_trailer(raw):
    """(body, seq, checksum_hex, checksum_valid) of a message without its terminator.

    checksum_hex is None when there is no AZ trailer; then seq is None too.
    """
    m = _TRAILER_AZ.search(raw)
    if not m:
        return raw, None, None, None
    hexsum = m.group(1).decode("ascii")
    valid = checksum_ok(raw[:m.start() + 2], hexsum)
    body = raw[:m.start()]
    seq = None
    a = _TRAILER_AY.search(body)
    if a:
        seq = int(a.group(1))
        body = body[:a.start()]
    return body, seq, hexsum, valid


def parse(raw, charset="ascii", verify=True, require=False):
    """Decodes one message (bytes without terminator).

    verify: check an AZ trailer when present (a mismatch raises ParseError('checksum'));
    require: a message without AZ raises ParseError('no-checksum').
    The resend messages are exempt from nothing: 97 carries AZ like the others.
    """
    body, seq, hexsum, valid = split_trailer(raw)
    if verify and hexsum is not None and not valid:
        raise ParseError("checksum", f"AZ{hexsum}")
    if require and hexsum is None:
        raise ParseError("no-checksum")
    text = body.decode(codec(charset), errors="replace")
    code = text[:2]
    if len(code) != 2 or not code.isdigit():
        raise ParseError("code", repr(text[:8]))
    pos = 2
    fixed = {}
    layout = FIXED.get(code, [])
    if code == "93" and text[2:4] == "CN":      # a login without its two algorithm chars
        fixed, layout = {"uid_algorithm": "0", "pwd_algorithm": "0"}, []
    for name, width in layout:
        if len(text) < pos + width:
            raise ParseError("short", f"{code} fixed field {name}")
        fixed[name] = text[pos:pos + width]
        pos += width
    fields = []
    for chunk in text[pos:].split("|"):
        if len(chunk) >= 2:
            fields.append((chunk[:2], chunk[2:]))
    return Message(code, fixed, fields, seq, hexsum, raw)


def clean(value):
    """A field value safe to put on the wire: no delimiter, no terminators."""
    return str(value).replace("|", "/").replace("\r", " ").replace("\n", " ")


def encode(code, fixed="", fields=(), seq=None, error_detection=True, charset="ascii",
           terminator=b"\r"):
    """Bytes of one message. fields: (id, value) pairs, value None = left out.

    With error detection: AY<seq> when seq is not None, then AZ<checksum>.
    Characters the charset cannot carry become '?'.
    """
    text = code + fixed + "".join(f"{fid}{clean(v)}|" for fid, v in fields if v is not None)
    data = text.encode(codec(charset), errors="replace")
    if error_detection:
        if seq is not None:
            data += b"AY%d" % (seq % 10)
        data += b"AZ"
        data += b"%04X" % checksum(data)
    return data + terminator


def with_bad_checksum(message, terminator):
    """The same message with a wrong AZ (unchanged if it has none)."""
    body = message[:-len(terminator)] if terminator and message.endswith(terminator) else message
    m = _TRAILER_AZ.search(body)
    if not m:
        return message
    wrong = (int(m.group(1), 16) + 0x1111) & 0xFFFF
    return body[:m.start() + 2] + b"%04X" % wrong + terminator


def reseq(message, seq, terminator):
    """The same message re-encoded with sequence number seq and a fresh AZ."""
    body = message[:-len(terminator)] if terminator and message.endswith(terminator) else message
    m = _TRAILER_AZ.search(body)
    if not m:
        return message
    body = body[:m.start()]
    a = _TRAILER_AY.search(body)
    if a:
        bar = body[a.start():a.start() + 1] == b"|"
        body = body[:a.start() + (1 if bar else 0)]
    data = body + (b"AY%d" % (seq % 10) if seq is not None else b"") + b"AZ"
    return data + b"%04X" % checksum(data) + terminator


# --- dates -----------------------------------------------------------------------------

def sip_date(ts, tz="local"):
    """YYYYMMDDZZZZHHMMSS: four blanks for local time, '   Z' for UTC."""
    if tz == "utc":
        t = time.gmtime(ts)
        return time.strftime("%Y%m%d", t) + "   Z" + time.strftime("%H%M%S", t)
    t = time.localtime(ts)
    return time.strftime("%Y%m%d", t) + "    " + time.strftime("%H%M%S", t)


def parse_sip_date(s):
    """Epoch seconds of an 18-char SIP date, or None (blank or malformed)."""
    if not s or len(s) != DATE_LEN or not s.strip():
        return None
    day, zone, hms = s[:8], s[8:12], s[12:]
    try:
        dt = datetime.datetime.strptime(day + hms, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if zone.strip() == "Z":
        return dt.replace(tzinfo=datetime.timezone.utc).timestamp()
    return time.mktime(dt.timetuple())


def blank_date(s):
    return not s or not s.strip()


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


# --- barcodes --------------------------------------------------------------------------

BARCODE_LEN = 14


def check_digit(digits13):
    """Mod-10 check digit of 13 digits: positions 1, 3, ... 13 (from 1, left) doubled."""
    if len(digits13) != BARCODE_LEN - 1 or not digits13.isdigit():
        raise ValueError(f"need 13 digits, got {digits13!r}")
    total = 0
    for i, c in enumerate(digits13):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def barcode_ok(s):
    return (isinstance(s, str) and len(s) == BARCODE_LEN and s.isdigit()
            and check_digit(s[:-1]) == int(s[-1]))


def make_barcode(prefix, n):
    """prefix + n zero-padded to 13 digits + the check digit."""
    body = prefix + str(n).rjust(BARCODE_LEN - 1 - len(prefix), "0")
    if len(body) != BARCODE_LEN - 1:
        raise ValueError(f"{prefix!r} and {n} do not fit in 13 digits")
    return body + str(check_digit(body))


def printable(data):
    """A log-safe rendering of wire bytes: printable ASCII as is, the rest as \\xNN."""
    out = []
    for b in data:
        if b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n")
        elif 0x20 <= b < 0x7F and b != 0x5C:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)
