/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyboard layouts a wedge scanner may type in, by name: what board
 * files say (layout = de) and what the decoder (hid-keyboard.h) uses.
 * Separate from hid-keyboard.h so that board.h can name a layout without
 * the decoder. Pure; nothing to free.
 */
#ifndef CIRCD_HID_LAYOUT_H
#define CIRCD_HID_LAYOUT_H

/* The keyboard countries of the libraries circd is for, as Linux (xkb) names them. */
enum hid_layout {
	HID_LAYOUT_US,
	HID_LAYOUT_DE,
	HID_LAYOUT_FR,
	HID_LAYOUT_GB,
	HID_LAYOUT_DK,
	HID_LAYOUT_NO,
	HID_LAYOUT_SE,
	HID_LAYOUT_FI,
	HID_LAYOUT_CH_DE,   /* Swiss German */
	HID_LAYOUT_CH_FR,   /* Swiss French */
	HID_LAYOUT_BE,
	HID_LAYOUT_ES,
	HID_LAYOUT_IT,
	HID_LAYOUT_NL,
	HID_LAYOUT__COUNT,
};

/*
 * "us", "de", "fr", "gb", "dk", "no", "se", "fi", "ch-de", "ch-fr", "be",
 * "es", "it", "nl" -> 0 and *ret, else -EINVAL.
 */
int hid_layout_from_name(const char *name, enum hid_layout *ret);
/* The name as above; "unknown" for a value outside the enum. */
const char *hid_layout_name(enum hid_layout layout);

#endif
