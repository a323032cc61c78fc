/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to hid-layouts.c: the data of the keyboard layouts, generated
 * by scripts/hid-layouts-xkb.py into hid-layout-qwerty.c and
 * hid-layout-qwertz-azerty.c (each layout's keys, by keyboard family),
 * hid-layout-tables.c (Shift+AltGr across them) and hid-charsets.c (what the cells and Alt codes stand for). All
 * constant.
 *
 * A key's cell is one byte, to keep fourteen layouts small: 0 types
 * nothing, DEAD_* is a dead key, 0x20..0x7E and 0xA0..0xFF are those code
 * points (ASCII, Latin-1), and WIDE(n), in the C1 range no key types, is
 * wide_chars[n] (the euro sign and the few other characters past Latin-1
 * the layouts have).
 */
#ifndef CIRCD_HID_LAYOUT_TABLES_H
#define CIRCD_HID_LAYOUT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "hid-layout.h"

/* The keys with characters: usages 0x04..0x38 (letters to /) and 0x64 (the ISO key left of Z). */
#define KEY_ROWS 54
#define KEY_ROW(usage) ((usage) == 0x64 ? 53 : (usage) - 0x04)

enum {
	DEAD_GRAVE = 1,
	DEAD_ACUTE,
	DEAD_CIRCUMFLEX,
	DEAD_TILDE,
	DEAD_MACRON,
	DEAD_BREVE,
	DEAD_ABOVEDOT,
	DEAD_DIAERESIS,
	DEAD_RING,
	DEAD_DOUBLEACUTE,
	DEAD_CARON,
	DEAD_CEDILLA,
	DEAD_OGONEK,
	DEAD_COUNT = DEAD_OGONEK,
};

#define WIDE_FIRST 0x7f
#define WIDE_COUNT 33
#define WIDE(n) (WIDE_FIRST + (n))

/* What a key types plain, with Shift and with AltGr. */
struct keycap {
	uint8_t plain, shift, altgr;
};

/* Shift+AltGr, kept only where it types ASCII. */
struct level4 {
	uint8_t layout; /* enum hid_layout */
	uint8_t usage;
	char c;
};

/* A dead key on a letter. */
struct composition {
	uint8_t dead; /* DEAD_* */
	char base;
	uint8_t result; /* Latin-1 */
};

extern const uint16_t dead_accents[DEAD_COUNT + 1]; /* the spacing character of each DEAD_* */
extern const uint16_t wide_chars[WIDE_COUNT];
extern const struct composition compositions[];
extern const size_t n_compositions;
extern const struct level4 level4_keys[];
extern const size_t n_level4_keys;

extern const struct keycap us_keys[KEY_ROWS], de_keys[KEY_ROWS], fr_keys[KEY_ROWS],
	gb_keys[KEY_ROWS], dk_keys[KEY_ROWS], no_keys[KEY_ROWS], se_keys[KEY_ROWS],
	fi_keys[KEY_ROWS], ch_de_keys[KEY_ROWS], ch_fr_keys[KEY_ROWS], be_keys[KEY_ROWS],
	es_keys[KEY_ROWS], it_keys[KEY_ROWS], nl_keys[KEY_ROWS];

#endif
