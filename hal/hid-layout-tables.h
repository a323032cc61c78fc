/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to hid-layouts.c: the data of the keyboard layouts, generated
 * into hid-layout-tables.c by scripts/hid-layouts-xkb.py. All constant.
 */
#ifndef CIRCD_HID_LAYOUT_TABLES_H
#define CIRCD_HID_LAYOUT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define KEYCAP_COUNT 0x65 /* usages up to 0x64, the ISO key left of Z */

/*
 * A dead key, by the spacing character it types before a space: kept in
 * the Private Use Area, which no layout here types, to fit 16 bits.
 */
#define DEAD(spacing) (0xe000 | (spacing))
#define IS_DEAD(v) (((v) & 0xf000) == 0xe000)
#define DEAD_SPACING(v) ((v) & 0x0fff)

/* What a key types plain, with Shift, AltGr, both: a Unicode code point, DEAD(x), or 0. */
struct keycap {
	uint16_t plain, shift, altgr, altgr_shift;
};

/* A dead key's accent (its spacing character) on a letter. */
struct composition {
	uint16_t spacing;
	char base;
	uint16_t result;
};

extern const struct composition compositions[];
extern const size_t n_compositions;
extern const uint16_t cp437_high[128], cp850_high[128], cp1252_high[128];

extern const struct keycap us_keys[KEYCAP_COUNT], de_keys[KEYCAP_COUNT], fr_keys[KEYCAP_COUNT],
	gb_keys[KEYCAP_COUNT], dk_keys[KEYCAP_COUNT], no_keys[KEYCAP_COUNT],
	se_keys[KEYCAP_COUNT], fi_keys[KEYCAP_COUNT], ch_de_keys[KEYCAP_COUNT],
	ch_fr_keys[KEYCAP_COUNT], be_keys[KEYCAP_COUNT], es_keys[KEYCAP_COUNT],
	it_keys[KEYCAP_COUNT], nl_keys[KEYCAP_COUNT];

#endif
