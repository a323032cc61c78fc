/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keyboard layouts for the wedge decoder (hid-keyboard.h): what the host
 * would have typed for a usage of the keyboard page.
 *
 * The tables (hid-layout-*.c) are generated from the XKB symbols files
 * Linux uses (xkeyboard-config), which for these countries agree with the
 * Windows layouts on the characters a barcode can carry; they give each
 * key plain, with Shift and with AltGr, and Shift+AltGr where it types
 * ASCII (Italian has { and } there). Usages are the physical key positions
 * of a US keyboard, so 0x1c is Y on QWERTY and Z on QWERTZ; 0x31 (US
 * backslash) and 0x32 (the ISO key left of Enter) give the same, as Linux
 * maps both to one key code.
 */
#include "codepage.h"
#include "hid-keyboard.h"
#include "hid-layout-tables.h"

#include <errno.h>
#include <string.h>

#include "util.h"

#define KEYPAD_FIRST 0x54
#define KEYPAD_LAST 0x63
#define KEYPAD_DECIMAL 0x63

/* NumLock is assumed on: scanners that type on the keypad mean digits. */
static const char keypad_chars[KEYPAD_LAST - KEYPAD_FIRST + 1] = {
	'/', '*', '-', '+', 0 /* Enter */, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '.',
};

/*
 * decimal: what the keypad's decimal key types: the country's decimal
 * separator, ',' everywhere but the US and the UK (issue 9's decision).
 * xkb agrees for de, dk, no, se, fi (KP_Separator) but types '.' for fr,
 * ch, be, es, it and nl (KP_Decimal); a scanner that types decimals on the
 * keypad for such a host would need '.' here.
 * oem: Windows' OEM code page for the country (Alt codes without a leading
 * 0): 437 in the US, 850 in Western Europe.
 */
static const struct {
	const char *name;
	const struct keycap *keys;
	bool has_altgr;
	char decimal;
	const uint16_t *oem;
} layouts[] = {
	[HID_LAYOUT_US] = { "us", us_keys, false, '.', codepage_cp437 },
	[HID_LAYOUT_DE] = { "de", de_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_FR] = { "fr", fr_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_GB] = { "gb", gb_keys, true, '.', codepage_cp850 },
	[HID_LAYOUT_DK] = { "dk", dk_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_NO] = { "no", no_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_SE] = { "se", se_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_FI] = { "fi", fi_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_CH_DE] = { "ch-de", ch_de_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_CH_FR] = { "ch-fr", ch_fr_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_BE] = { "be", be_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_ES] = { "es", es_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_IT] = { "it", it_keys, true, ',', codepage_cp850 },
	[HID_LAYOUT_NL] = { "nl", nl_keys, true, ',', codepage_cp850 },
};

#define N_LAYOUTS (ARRAY_SIZE(layouts))

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

static uint32_t from_cell(uint8_t cell)
{
	if (cell >= 1 && cell <= DEAD_COUNT)
		return HID_CHAR_DEAD | dead_accents[cell];
	if (cell >= WIDE_FIRST && cell < WIDE_FIRST + WIDE_COUNT)
		return wide_chars[cell - WIDE_FIRST];
	return cell;
}

static uint32_t level4_char(enum hid_layout layout, uint8_t usage)
{
	for (size_t i = 0; i < n_level4_keys; i++)
		if (level4_keys[i].layout == layout && level4_keys[i].usage == usage)
			return (uint32_t)(unsigned char)level4_keys[i].c;
	return 0;
}

uint32_t hid_layout_char(enum hid_layout layout, uint8_t usage, uint8_t modifiers)
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
	if (usage >= KEYPAD_FIRST && usage <= KEYPAD_LAST) {
		if (altgr)
			return 0;
		if (usage == KEYPAD_DECIMAL)
			return (uint32_t)layouts[layout].decimal;
		return (uint32_t)keypad_chars[usage - KEYPAD_FIRST];
	}
	if (usage < 0x04 || (usage > 0x38 && usage != 0x64))
		return 0;
	if (altgr && shift)
		return level4_char(layout, usage);
	key = layouts[layout].keys[KEY_ROW(usage)];
	return from_cell(altgr ? key.altgr : shift ? key.shift : key.plain);
}

uint32_t hid_layout_compose(uint32_t accent, uint32_t base)
{
	for (size_t i = 0; i < n_compositions; i++)
		if (dead_accents[compositions[i].dead] == accent &&
		    (uint32_t)(unsigned char)compositions[i].base == base)
			return compositions[i].result;
	return 0;
}

uint32_t hid_alt_code_char(enum hid_layout layout, unsigned value, bool ansi)
{
	uint8_t byte = (uint8_t)value; /* Windows takes the code modulo 256 */

	if ((unsigned)layout >= N_LAYOUTS || byte == 0 || byte == 0x7f)
		return 0;
	if (byte < 0x80)
		return byte;
	return ansi ? codepage_cp1252[byte - 0x80] : layouts[layout].oem[byte - 0x80];
}
