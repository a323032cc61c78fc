#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes hal/hid-layout-qwerty.c, hal/hid-layout-qwertz-azerty.c, hal/hid-layout-tables.c and
hal/hid-charsets.c: key tables as Linux's XKB keymaps define them, and the characters their cells and Alt codes stand for.

Not part of the build: a maintainer's tool to make or check the tables.
It compiles each layout with libxkbcommon (rules evdev, model pc105, the
xkeyboard-config symbols files, xkb-data on Debian), presses each key of
the keyboard page as Linux's usbhid maps the HID usage to an evdev code,
plain, with Shift, with AltGr (ISO_Level3_Shift, right Alt) and with both,
and prints
what it types: a Unicode code point, DEAD(x) for a dead key with its
spacing character x, or 0.
Usage: scripts/hid-layouts-xkb.py [HAL_DIR]   (default: hal, beside this script)
"""

import contextlib
import ctypes
import os
import sys

# circd name: (xkb layout, xkb variant)
LAYOUTS = {
    "us": ("us", ""), "de": ("de", ""), "fr": ("fr", ""), "gb": ("gb", ""),
    "dk": ("dk", ""), "no": ("no", ""), "se": ("se", ""), "fi": ("fi", ""),
    "ch-de": ("ch", ""), "ch-fr": ("ch", "fr"), "be": ("be", ""), "es": ("es", ""),
    "it": ("it", ""), "nl": ("nl", ""),
}

# HID usage -> evdev code (linux drivers/hid/hid-input.c, hid_keyboard[])
LETTERS = "abcdefghijklmnopqrstuvwxyz"
LETTER_CODES = [30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20,
                22, 47, 17, 45, 21, 44]
USAGES = {0x04 + i: code for i, code in enumerate(LETTER_CODES)}
USAGES.update({0x1e + i: 2 + i for i in range(10)})
USAGES.update({0x2c: 57, 0x2d: 12, 0x2e: 13, 0x2f: 26, 0x30: 27, 0x31: 43, 0x32: 43, 0x33: 39,
               0x34: 40, 0x35: 41, 0x36: 51, 0x37: 52, 0x38: 53, 0x64: 86})
KEY_LEFTSHIFT, KEY_RIGHTALT = 42, 100
EVDEV_OFFSET = 8

# dead keysyms (xkbcommon-keysyms.h) -> the spacing character a dead key types before a space
DEAD = {0xfe50: 0x60, 0xfe51: 0xb4, 0xfe52: 0x5e, 0xfe53: 0x7e, 0xfe54: 0xaf, 0xfe55: 0x2d8,
        0xfe56: 0x2d9, 0xfe57: 0xa8, 0xfe58: 0x2da, 0xfe59: 0x2dd, 0xfe5a: 0x2c7, 0xfe5b: 0xb8,
        0xfe5c: 0x2db}


class RuleNames(ctypes.Structure):
    _fields_ = [(n, ctypes.c_char_p) for n in ("rules", "model", "layout", "variant", "options")]


def load():
    x = ctypes.CDLL("libxkbcommon.so.0")
    x.xkb_context_new.restype = ctypes.c_void_p
    x.xkb_keymap_new_from_names.restype = ctypes.c_void_p
    x.xkb_keymap_new_from_names.argtypes = [ctypes.c_void_p, ctypes.POINTER(RuleNames),
                                            ctypes.c_int]
    x.xkb_state_new.restype = ctypes.c_void_p
    x.xkb_state_new.argtypes = [ctypes.c_void_p]
    x.xkb_state_unref.argtypes = [ctypes.c_void_p]
    x.xkb_state_update_key.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    x.xkb_state_key_get_one_sym.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    x.xkb_state_key_get_one_sym.restype = ctypes.c_uint32
    x.xkb_keysym_to_utf32.argtypes = [ctypes.c_uint32]
    x.xkb_keysym_to_utf32.restype = ctypes.c_uint32
    return x


def keymap(x, ctx, layout, variant):
    names = RuleNames(b"evdev", b"pc105", layout.encode(), variant.encode(), b"")
    km = x.xkb_keymap_new_from_names(ctx, ctypes.byref(names), 0)
    if not km:
        sys.exit("xkb cannot compile %s(%s)" % (layout, variant))
    return km


def typed(x, km, code, mods):
    st = x.xkb_state_new(km)
    for m in mods:
        x.xkb_state_update_key(st, m + EVDEV_OFFSET, 1)
    sym = x.xkb_state_key_get_one_sym(st, code + EVDEV_OFFSET)
    x.xkb_state_unref(st)
    if sym in DEAD:
        return ("dead", DEAD[sym])
    cp = x.xkb_keysym_to_utf32(sym)
    return ("char", cp) if cp >= 0x20 and cp != 0x7f else ("none", 0)


# the dead keys, in the order of hid-layout-tables.h's DEAD_* cells (1..13): keysym, spacing
DEADS = [("GRAVE", 0xfe50, 0x60), ("ACUTE", 0xfe51, 0xb4), ("CIRCUMFLEX", 0xfe52, 0x5e),
         ("TILDE", 0xfe53, 0x7e), ("MACRON", 0xfe54, 0xaf), ("BREVE", 0xfe55, 0x2d8),
         ("ABOVEDOT", 0xfe56, 0x2d9), ("DIAERESIS", 0xfe57, 0xa8), ("RING", 0xfe58, 0x2da),
         ("DOUBLEACUTE", 0xfe59, 0x2dd), ("CARON", 0xfe5a, 0x2c7), ("CEDILLA", 0xfe5b, 0xb8),
         ("OGONEK", 0xfe5c, 0x2db)]
DEAD_NAME = {spacing: name for name, _, spacing in DEADS}
WIDE_FIRST, WIDE_COUNT = 0x7f, 33  # cells 0x7f..0x9f: C1 controls, which no key types


def table(x, ctx, name):
    """[(usage, [cell, cell, cell, cell])], a cell being (kind, code point)."""
    layout, variant = LAYOUTS[name]
    km = keymap(x, ctx, layout, variant)
    rows = []
    for usage, code in sorted(USAGES.items()):
        cells = [typed(x, km, code, mods) for mods in
                 ((), (KEY_LEFTSHIFT,), (KEY_RIGHTALT,), (KEY_LEFTSHIFT, KEY_RIGHTALT))]
        if name == "us":
            cells[2] = cells[3] = ("none", 0)  # right Alt is Alt on US
        if name == "us" and usage == 0x64:
            # rarely on a US board; Windows (kbdus) types \ | there, xkb's pc105 < >
            cells[0], cells[1] = ("char", 0x5c), ("char", 0x7c)
        rows.append((usage, cells))
    return rows


def wide_set(tables):
    """The characters past Latin-1 that get a cell: the euro first, then the most used."""
    count = {}
    for rows in tables.values():
        for _, cells in rows:
            for kind, cp in cells[:3]:
                if kind == "char" and cp > 0xff:
                    count[cp] = count.get(cp, 0) + 1
    ranked = sorted(count, key=lambda cp: (cp != 0x20ac, -count[cp], cp))
    return ranked[:WIDE_COUNT]


def c_cell(kind, cp, wide):
    if kind == "none":
        return "0"
    if kind == "dead":
        return "DEAD_" + DEAD_NAME[cp]
    if cp in (0x27, 0x5c):
        return "'\\%s'" % chr(cp)
    if cp < 0x7f:
        return "'%s'" % chr(cp)
    if cp <= 0xff:
        return "0x%x" % cp
    return "WIDE(%d)" % wide.index(cp) if cp in wide else "0"


def c_rows(rows, wide):
    out = []
    for usage, cells in rows:
        shown = " ".join(chr(cp) for kind, cp in cells[:3] if kind == "char" and cp > 0x7e)
        dropped = [chr(cp) for kind, cp in cells[:3] if kind == "char" and cp > 0xff and
                   cp not in wide]
        note = shown + (" (no cell: %s)" % " ".join(dropped) if dropped else "")
        out.append("\t[KEY_ROW(0x%02x)] = { %s },%s" % (
            usage, ", ".join(c_cell(k, cp, wide) for k, cp in cells[:3]),
            "  /* %s */" % note if note else ""))
    return out


HEADER = """/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Generated by scripts/hid-layouts-xkb.py from xkeyboard-config %s (the
 * XKB symbols files Linux uses; rules evdev, model pc105): %s
 * Edit the script, not this file. See hid-layout-tables.h for the cells,
 * hid-layouts.c for the rest.
 */
#include "hid-layout-tables.h"
"""
TABLES_WHAT = """what each key of
 * the keyboard page types plain, with Shift and with AltGr, on the layouts
 * %s."""
LEVEL4_WHAT = """the ASCII
 * characters typed with Shift+AltGr on every layout (the keycap tables are
 * in hid-layout-qwerty.c and hid-layout-qwertz-azerty.c)."""
CHARSETS_WHAT = """the characters
 * the layouts' cells stand for (dead keys' accents, characters past
 * Latin-1, the letters a dead key composes). The code pages Alt codes
 * are read in are lib/codepage.c's."""


def c_name(name):
    return name.replace("-", "_") + "_keys"


def c_enum(name):
    return "HID_LAYOUT_" + name.replace("-", "_").upper()


# a dead key's spacing character -> its combining mark (Unicode)
COMBINING = {0x60: 0x300, 0xb4: 0x301, 0x5e: 0x302, 0x7e: 0x303, 0xaf: 0x304, 0x2d8: 0x306,
             0x2d9: 0x307, 0xa8: 0x308, 0x2da: 0x30a, 0x2dd: 0x30b, 0x2c7: 0x30c, 0xb8: 0x327,
             0x2db: 0x328}


def compositions():
    """Dead key + letter -> the precomposed Latin-1 letter, as Unicode composes them (NFC)."""
    import unicodedata
    rows = []
    for name, _, spacing in DEADS:
        for base in LETTERS + LETTERS.upper():
            c = unicodedata.normalize("NFC", base + chr(COMBINING[spacing]))
            if len(c) == 1 and ord(c) <= 0xff:
                rows.append("{ DEAD_%s, '%s', 0x%x }," % (name, base, ord(c)))
    return ["\t" + " ".join(rows[i:i + 2]) for i in range(0, len(rows), 2)]


def write_charsets(wide):
    print(HEADER % (xkb_data_version(), CHARSETS_WHAT), end="")
    print("\nconst uint16_t dead_accents[DEAD_COUNT + 1] = {\n\t0, " +
          ", ".join("0x%x" % spacing for _, _, spacing in DEADS) + ",\n};")
    print("\n/* The characters of cells WIDE(0..%d). */" % (WIDE_COUNT - 1))
    print("const uint16_t wide_chars[WIDE_COUNT] = {")
    print("\n".join("\t" + ", ".join("0x%04x" % cp for cp in wide[i:i + 8]) + ","
                    for i in range(0, len(wide), 8)))
    print("};")
    print("\n/* Unicode canonical compositions of a dead key's accent with a letter. */")
    print("const struct composition compositions[] = {")
    print("\n".join(compositions()))
    print("};")
    print("const size_t n_compositions = sizeof(compositions) / sizeof(compositions[0]);")


# The keycap tables, one file per keyboard family, so no generated file grows past what a
# reader can page through; hid-layout-tables.c keeps what spans them all.
FAMILIES = {
    "hid-layout-qwerty.c": ("us", "gb", "nl", "es", "it", "dk", "no", "se", "fi"),
    "hid-layout-qwertz-azerty.c": ("de", "ch-de", "ch-fr", "fr", "be"),
}
assert sorted(sum(FAMILIES.values(), ())) == sorted(LAYOUTS), "every layout in one family"


def write_level4(tables, wide):
    print(HEADER % (xkb_data_version(), LEVEL4_WHAT), end="")
    print("\n/* Shift+AltGr, where it types ASCII (Italian { and }, and a few more). */")
    print("const struct level4 level4_keys[] = {")
    for name, rows in tables.items():
        for usage, cells in rows:
            kind, cp = cells[3]
            if kind == "char" and cp < 0x7f:
                print("\t{ %s, 0x%02x, %s }," % (c_enum(name), usage, c_cell(kind, cp, wide)))
    print("};")
    print("const size_t n_level4_keys = sizeof(level4_keys) / sizeof(level4_keys[0]);")


def write_family(tables, wide, names):
    print(HEADER % (xkb_data_version(), TABLES_WHAT % ", ".join(names)), end="")
    for name in names:
        rows = tables[name]
        layout, variant = LAYOUTS[name]
        print("\n/* %s: xkb symbols/%s%s */" % (name, layout, "(%s)" % variant if variant else ""))
        print("const struct keycap %s[KEY_ROWS] = {" % c_name(name))
        print("\n".join(c_rows(rows, wide)))
        print("};")


def main():
    hal = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "hal")
    x = load()
    ctx = x.xkb_context_new(0)
    tables = {name: table(x, ctx, name) for name in LAYOUTS}
    wide = wide_set(tables)
    files = [("hid-charsets.c", lambda: write_charsets(wide)),
             ("hid-layout-tables.c", lambda: write_level4(tables, wide))]
    files += [(file, lambda names=names: write_family(tables, wide, names))
              for file, names in FAMILIES.items()]
    for file, write in files:
        with open(os.path.join(hal, file), "w") as f, contextlib.redirect_stdout(f):
            write()


def xkb_data_version():
    import subprocess
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "xkb-data"],
                             capture_output=True, text=True, check=True).stdout
        return out.split("-")[0]
    except (OSError, subprocess.CalledProcessError):
        return "(version unknown)"


if __name__ == "__main__":
    main()
