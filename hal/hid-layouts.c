/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keyboard layouts for the wedge decoder (hid-keyboard.h): what the host
 * would have typed for a usage of the keyboard page, ASCII only.
 *
 * Each table is indexed by usage and says what the key gives plain, with
 * Shift and with AltGr; 0 is "nothing printable ASCII" (é, §, £, µ, dead
 * accents). The ^ dead key counts as '^': scanners emit it for '^' and
 * nothing else uses it. Usages are the physical key positions of a US
 * keyboard, so 0x1c is Y on QWERTY and Z on QWERTZ. 0x31 (US backslash) and
 * 0x32 (the ISO key left of Enter) both give what the ISO key is labelled,
 * as Linux maps both to the same key code.
 */
#include "hid-keyboard.h"

#include <errno.h>
#include <string.h>

#define KEYCAP_COUNT 0x65 /* up to 0x64, the ISO key left of Z */
#define KEYPAD_FIRST 0x54
#define KEYPAD_LAST 0x63

struct keycap {
	char plain, shift, altgr;
};

#define LETTER(usage, c) [usage] = { c, (char)((c) - 'a' + 'A'), 0 }

static const struct keycap us_keys[KEYCAP_COUNT] = {
	LETTER(0x04, 'a'), LETTER(0x05, 'b'), LETTER(0x06, 'c'), LETTER(0x07, 'd'),
	LETTER(0x08, 'e'), LETTER(0x09, 'f'), LETTER(0x0a, 'g'), LETTER(0x0b, 'h'),
	LETTER(0x0c, 'i'), LETTER(0x0d, 'j'), LETTER(0x0e, 'k'), LETTER(0x0f, 'l'),
	LETTER(0x10, 'm'), LETTER(0x11, 'n'), LETTER(0x12, 'o'), LETTER(0x13, 'p'),
	LETTER(0x14, 'q'), LETTER(0x15, 'r'), LETTER(0x16, 's'), LETTER(0x17, 't'),
	LETTER(0x18, 'u'), LETTER(0x19, 'v'), LETTER(0x1a, 'w'), LETTER(0x1b, 'x'),
	LETTER(0x1c, 'y'), LETTER(0x1d, 'z'),
	[0x1e] = { '1', '!', 0 },
	[0x1f] = { '2', '@', 0 },
	[0x20] = { '3', '#', 0 },
	[0x21] = { '4', '$', 0 },
	[0x22] = { '5', '%', 0 },
	[0x23] = { '6', '^', 0 },
	[0x24] = { '7', '&', 0 },
	[0x25] = { '8', '*', 0 },
	[0x26] = { '9', '(', 0 },
	[0x27] = { '0', ')', 0 },
	[0x2c] = { ' ', ' ', 0 },
	[0x2d] = { '-', '_', 0 },
	[0x2e] = { '=', '+', 0 },
	[0x2f] = { '[', '{', 0 },
	[0x30] = { ']', '}', 0 },
	[0x31] = { '\\', '|', 0 },
	[0x32] = { '\\', '|', 0 },
	[0x33] = { ';', ':', 0 },
	[0x34] = { '\'', '"', 0 },
	[0x35] = { '`', '~', 0 },
	[0x36] = { ',', '<', 0 },
	[0x37] = { '.', '>', 0 },
	[0x38] = { '/', '?', 0 },
	[0x64] = { '\\', '|', 0 }, /* what the usage is named; US boards rarely have the key */
};

/* German QWERTZ (T1), as Windows and xkb "de" type it. */
static const struct keycap de_keys[KEYCAP_COUNT] = {
	LETTER(0x04, 'a'), LETTER(0x05, 'b'), LETTER(0x06, 'c'), LETTER(0x07, 'd'),
	LETTER(0x08, 'e'), LETTER(0x09, 'f'), LETTER(0x0a, 'g'), LETTER(0x0b, 'h'),
	LETTER(0x0c, 'i'), LETTER(0x0d, 'j'), LETTER(0x0e, 'k'), LETTER(0x0f, 'l'),
	LETTER(0x10, 'm'), LETTER(0x11, 'n'), LETTER(0x12, 'o'), LETTER(0x13, 'p'),
	[0x14] = { 'q', 'Q', '@' },
	LETTER(0x15, 'r'), LETTER(0x16, 's'), LETTER(0x17, 't'),
	LETTER(0x18, 'u'), LETTER(0x19, 'v'), LETTER(0x1a, 'w'), LETTER(0x1b, 'x'),
	LETTER(0x1c, 'z'), LETTER(0x1d, 'y'),
	[0x1e] = { '1', '!', 0 },
	[0x1f] = { '2', '"', 0 },   /* AltGr: superscript 2 */
	[0x20] = { '3', 0, 0 },     /* Shift: section sign */
	[0x21] = { '4', '$', 0 },
	[0x22] = { '5', '%', 0 },
	[0x23] = { '6', '&', 0 },
	[0x24] = { '7', '/', '{' },
	[0x25] = { '8', '(', '[' },
	[0x26] = { '9', ')', ']' },
	[0x27] = { '0', '=', '}' },
	[0x2c] = { ' ', ' ', 0 },
	[0x2d] = { 0, '?', '\\' },  /* sharp s */
	[0x2e] = { 0, 0, 0 },       /* dead acute and grave */
	[0x2f] = { 0, 0, 0 },       /* u umlaut */
	[0x30] = { '+', '*', '~' },
	[0x31] = { '#', '\'', 0 },
	[0x32] = { '#', '\'', 0 },
	[0x33] = { 0, 0, 0 },       /* o umlaut */
	[0x34] = { 0, 0, 0 },       /* a umlaut */
	[0x35] = { '^', 0, 0 },     /* dead circumflex; Shift: degree sign */
	[0x36] = { ',', ';', 0 },
	[0x37] = { '.', ':', 0 },
	[0x38] = { '-', '_', 0 },
	[0x64] = { '<', '>', '|' },
};

/* French AZERTY, as Windows and xkb "fr" type it: digits need Shift. */
static const struct keycap fr_keys[KEYCAP_COUNT] = {
	LETTER(0x04, 'q'), LETTER(0x05, 'b'), LETTER(0x06, 'c'), LETTER(0x07, 'd'),
	LETTER(0x08, 'e'), LETTER(0x09, 'f'), LETTER(0x0a, 'g'), LETTER(0x0b, 'h'),
	LETTER(0x0c, 'i'), LETTER(0x0d, 'j'), LETTER(0x0e, 'k'), LETTER(0x0f, 'l'),
	[0x10] = { ',', '?', 0 },
	LETTER(0x11, 'n'), LETTER(0x12, 'o'), LETTER(0x13, 'p'),
	LETTER(0x14, 'a'), LETTER(0x15, 'r'), LETTER(0x16, 's'), LETTER(0x17, 't'),
	LETTER(0x18, 'u'), LETTER(0x19, 'v'), LETTER(0x1a, 'z'), LETTER(0x1b, 'x'),
	LETTER(0x1c, 'y'), LETTER(0x1d, 'w'),
	[0x1e] = { '&', '1', 0 },
	[0x1f] = { 0, '2', '~' },   /* e acute */
	[0x20] = { '"', '3', '#' },
	[0x21] = { '\'', '4', '{' },
	[0x22] = { '(', '5', '[' },
	[0x23] = { '-', '6', '|' },
	[0x24] = { 0, '7', '`' },   /* e grave */
	[0x25] = { '_', '8', '\\' },
	[0x26] = { 0, '9', '^' },   /* c cedilla */
	[0x27] = { 0, '0', '@' },   /* a grave */
	[0x2c] = { ' ', ' ', 0 },
	[0x2d] = { ')', 0, ']' },   /* Shift: degree sign */
	[0x2e] = { '=', '+', '}' },
	[0x2f] = { '^', 0, 0 },     /* dead circumflex; Shift: dead diaeresis */
	[0x30] = { '$', 0, 0 },     /* Shift: pound sign */
	[0x31] = { '*', 0, 0 },     /* Shift: micro sign */
	[0x32] = { '*', 0, 0 },
	LETTER(0x33, 'm'),
	[0x34] = { 0, '%', 0 },     /* u grave */
	[0x35] = { 0, 0, 0 },       /* superscript 2 */
	[0x36] = { ';', '.', 0 },
	[0x37] = { ':', '/', 0 },
	[0x38] = { '!', 0, 0 },     /* Shift: section sign */
	[0x64] = { '<', '>', 0 },
};

/* NumLock is assumed on: scanners that type on the keypad mean digits. */
static const char keypad_chars[KEYPAD_LAST - KEYPAD_FIRST + 1] = {
	'/', '*', '-', '+', 0 /* Enter */, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '.',
};

static const struct {
	const char *name;
	const struct keycap *keys;
	bool has_altgr;
} layouts[] = {
	[HID_LAYOUT_US] = { "us", us_keys, false },
	[HID_LAYOUT_DE] = { "de", de_keys, true },
	[HID_LAYOUT_FR] = { "fr", fr_keys, true },
};

#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

int hid_layout_from_name(const char *name, enum hid_layout *ret)
{
	if (!name || !ret)
		return -EINVAL;
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		if (strcmp(name, layouts[i].name) == 0) {
			*ret = (enum hid_layout)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *hid_layout_name(enum hid_layout layout)
{
	if ((unsigned)layout >= N_LAYOUTS)
		return "unknown";
	return layouts[layout].name;
}

char hid_layout_char(enum hid_layout layout, uint8_t usage, uint8_t modifiers)
{
	uint8_t chord = modifiers & (uint8_t)~(HID_MOD_LSHIFT | HID_MOD_RSHIFT);
	bool shift = modifiers & (HID_MOD_LSHIFT | HID_MOD_RSHIFT);
	const uint8_t ctrl_alt = HID_MOD_LCTRL | HID_MOD_LALT;
	bool altgr = false;
	struct keycap key;

	if ((unsigned)layout >= N_LAYOUTS)
		return 0;
	if (layouts[layout].has_altgr) {
		/* Windows reports AltGr as LCtrl+RAlt, and accepts LCtrl+LAlt for it */
		if (chord & HID_MOD_RALT) {
			altgr = true;
			chord &= (uint8_t)~(HID_MOD_RALT | HID_MOD_LCTRL);
		} else if ((chord & ctrl_alt) == ctrl_alt) {
			altgr = true;
			chord &= (uint8_t)~ctrl_alt;
		}
	}
	/* Ctrl, Alt and GUI chords are commands to the host, not text */
	if (chord)
		return 0;
	if (usage >= KEYPAD_FIRST && usage <= KEYPAD_LAST)
		return altgr ? 0 : keypad_chars[usage - KEYPAD_FIRST];
	if (usage >= KEYCAP_COUNT)
		return 0;
	key = layouts[layout].keys[usage];
	if (altgr)
		return shift ? 0 : key.altgr;
	return shift ? key.shift : key.plain;
}
