/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyboard layouts a wedge scanner may type in, by name: what board
 * files say (layout = de) and what the decoder (hid-keyboard.h) uses.
 * Separate from hid-keyboard.h so that board.h can name a layout without
 * the decoder. Pure; nothing to free.
 */
#ifndef CIRCD_HID_LAYOUT_H
#define CIRCD_HID_LAYOUT_H

enum hid_layout {
	HID_LAYOUT_US,
	HID_LAYOUT_DE,
	HID_LAYOUT_FR,
	HID_LAYOUT__COUNT,
};

/* "us", "de", "fr" -> 0 and *ret, else -EINVAL. */
int hid_layout_from_name(const char *name, enum hid_layout *ret);
/* "us", "de", "fr"; "unknown" for a value outside the enum. */
const char *hid_layout_name(enum hid_layout layout);

#endif
