/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyboard-wedge decoder (see hid-keyboard.h): key presses out of boot
 * reports, characters out of the layout tables (hid-layouts.c), symbols out
 * of characters.
 */
#include "hid-keyboard.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Key slot values that are not keys: the keyboard's error states. */
#define HID_KEY_POST_FAIL 0x02
#define HID_KEY_ERROR_UNDEFINED 0x03
/* Modifier usages, which boot reports carry in byte 0, not in the key slots. */
#define HID_KEY_FIRST_MODIFIER 0xe0
#define HID_KEY_LAST_MODIFIER 0xe7
#define HID_KEY_KEYPAD_1 0x59
#define HID_KEY_KEYPAD_0 0x62

#define HID_MODS_CTRL (HID_MOD_LCTRL | HID_MOD_RCTRL)
#define HID_MODS_SHIFT (HID_MOD_LSHIFT | HID_MOD_RSHIFT)

#define ASCII_TAB 0x09
#define ASCII_LF 0x0a
#define ASCII_CR 0x0d

void hid_keyboard_init(struct hid_keyboard *kb, enum hid_layout layout, unsigned char_timeout_ms)
{
	if (!kb)
		return;
	memset(kb, 0, sizeof(*kb));
	kb->layout = layout;
	kb->char_timeout_ms = char_timeout_ms;
}

static void forget_partial(struct hid_keyboard *kb)
{
	kb->pending = false;
	kb->last_key_ms = 0;
	kb->typed = 0;
	kb->text[0] = '\0';
	kb->dead = 0;
	kb->alt_digits = 0;
	kb->alt_value = 0;
	kb->alt_ansi = false;
	kb->poisoned = false;
	kb->bad_usage = 0;
	kb->bad_modifiers = 0;
	kb->bad_alt_code = false;
	kb->bad_alt_value = 0;
}

void hid_keyboard_reset(struct hid_keyboard *kb)
{
	if (!kb)
		return;
	memset(kb->held, 0, sizeof(kb->held));
	forget_partial(kb);
}

/* The first reason of a feed is the one worth reading: later ones follow from it. */
__attribute__((format(printf, 2, 3)))
static void discard(struct hid_keyboard_out *out, const char *fmt, ...)
{
	va_list ap;

	if (out->discarded)
		return;
	out->discarded = true;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static bool partial_expired(const struct hid_keyboard *kb, uint64_t now_ms)
{
	/* a clock that went backwards is a zero gap, never a huge one */
	return kb->pending && kb->char_timeout_ms && now_ms > kb->last_key_ms &&
	       now_ms - kb->last_key_ms > kb->char_timeout_ms;
}

static void discard_expired(struct hid_keyboard *kb, struct hid_keyboard_out *out)
{
	discard(out, "inter-character timeout after %zu character%s", kb->typed,
		kb->typed == 1 ? "" : "s");
	forget_partial(kb);
}

static void append_byte(struct hid_keyboard *kb, char c)
{
	if (kb->typed < SCAN_TEXT_MAX) {
		kb->text[kb->typed] = c;
		kb->text[kb->typed + 1] = '\0';
	}
	/* one past the limit is enough to know it is too long */
	if (kb->typed <= SCAN_TEXT_MAX)
		kb->typed++;
}

static void append_char(struct hid_keyboard *kb, uint32_t cp)
{
	if (cp < 0x80) {
		append_byte(kb, (char)cp);
	} else if (cp < 0x800) {
		append_byte(kb, (char)(0xc0 | cp >> 6));
		append_byte(kb, (char)(0x80 | (cp & 0x3f)));
	} else {
		/* the layouts and code pages hold nothing past the BMP */
		append_byte(kb, (char)(0xe0 | cp >> 12));
		append_byte(kb, (char)(0x80 | (cp >> 6 & 0x3f)));
		append_byte(kb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A dead key followed by what does not compose with it types its accent first. */
static void flush_dead_key(struct hid_keyboard *kb)
{
	if (kb->dead)
		append_char(kb, kb->dead);
	kb->dead = 0;
}

static void poison_key(struct hid_keyboard *kb, uint8_t usage, uint8_t modifiers)
{
	if (kb->poisoned)
		return;
	kb->poisoned = true;
	kb->bad_usage = usage;
	kb->bad_modifiers = modifiers;
}

static void end_symbol(struct hid_keyboard *kb, struct hid_keyboard_out *out);

/*
 * A control character typed as an Alt code or Ctrl+letter: a suffix ends
 * the symbol, GS is data, anything else makes no sense in a barcode.
 * false for the last kind, for the caller to poison the symbol with.
 */
static bool control_char(struct hid_keyboard *kb, uint32_t c, struct hid_keyboard_out *out)
{
	if (c == ASCII_CR || c == ASCII_LF || c == ASCII_TAB) {
		end_symbol(kb, out);
		return true;
	}
	if (c != SCAN_GS)
		return false;
	flush_dead_key(kb);
	append_byte(kb, (char)c);
	return true;
}

/* Alt released after keypad digits: the character they code. */
static void finish_alt_code(struct hid_keyboard *kb, struct hid_keyboard_out *out)
{
	uint32_t c = hid_alt_code_char(kb->layout, kb->alt_value, kb->alt_ansi);
	unsigned value = kb->alt_value;

	kb->alt_digits = 0;
	kb->alt_value = 0;
	kb->alt_ansi = false;
	if (c >= 0x20) {
		flush_dead_key(kb);
		append_char(kb, c);
		return;
	}
	if ((c && control_char(kb, c, out)) || kb->poisoned)
		return;
	kb->poisoned = true;
	kb->bad_alt_code = true;
	kb->bad_alt_value = value;
}

static void end_symbol(struct hid_keyboard *kb, struct hid_keyboard_out *out)
{
	if (kb->alt_digits)
		finish_alt_code(kb, out);
	flush_dead_key(kb);
	/* a suffix alone, or the LF of a CR LF: scanners send one on a no-read */
	if (!kb->pending || (!kb->typed && !kb->poisoned)) {
		forget_partial(kb);
		return;
	}
	if (kb->poisoned && kb->bad_alt_code)
		discard(out, "unmappable Alt code %u", kb->bad_alt_value);
	else if (kb->poisoned && kb->bad_modifiers)
		discard(out, "unmappable key 0x%02x with modifiers 0x%02x", kb->bad_usage,
			kb->bad_modifiers);
	else if (kb->poisoned)
		discard(out, "unmappable key 0x%02x", kb->bad_usage);
	else if (kb->typed > SCAN_TEXT_MAX)
		discard(out, "longer than %d characters", SCAN_TEXT_MAX);
	else if (out->symbol)
		discard(out, "a second symbol ended in the same report");
	else {
		out->symbol = true;
		out->len = kb->typed;
		memcpy(out->text, kb->text, kb->typed + 1);
	}
	forget_partial(kb);
}

/* Alt alone (Left Alt, as Windows wants for Alt codes) and a keypad digit. */
static bool alt_code_digit(uint8_t usage, uint8_t modifiers, unsigned *digit)
{
	if (modifiers != HID_MOD_LALT || usage < HID_KEY_KEYPAD_1 || usage > HID_KEY_KEYPAD_0)
		return false;
	*digit = usage == HID_KEY_KEYPAD_0 ? 0 : usage - HID_KEY_KEYPAD_1 + 1;
	return true;
}

/* Ctrl (and maybe Shift) with a key: the ASCII control character of its letter, or 0. */
static uint32_t ctrl_char(const struct hid_keyboard *kb, uint8_t usage, uint8_t modifiers)
{
	const uint8_t others = (uint8_t)~(HID_MODS_CTRL | HID_MODS_SHIFT);
	uint32_t base;

	if (!(modifiers & HID_MODS_CTRL) || (modifiers & others))
		return 0;
	base = hid_layout_char(kb->layout, usage, modifiers & HID_MODS_SHIFT);
	if ((base >= '@' && base <= '_') || (base >= 'a' && base <= 'z'))
		return base & 0x1f;
	return 0;
}

static void type_char(struct hid_keyboard *kb, uint32_t c)
{
	uint32_t composed;

	if (c & HID_CHAR_DEAD) {
		/* two dead keys: Windows types the first accent and waits on */
		flush_dead_key(kb);
		kb->dead = c & ~HID_CHAR_DEAD;
		return;
	}
	if (kb->dead && c == ' ') {
		c = kb->dead;
		kb->dead = 0;
	} else if (kb->dead && (composed = hid_layout_compose(kb->dead, c))) {
		c = composed;
		kb->dead = 0;
	}
	flush_dead_key(kb);
	append_char(kb, c);
}

static void press(struct hid_keyboard *kb, uint8_t usage, uint8_t modifiers, uint64_t now_ms,
		  struct hid_keyboard_out *out)
{
	uint32_t c;
	unsigned digit;

	if (partial_expired(kb, now_ms))
		discard_expired(kb, out);
	if (usage == HID_KEY_ENTER || usage == HID_KEY_KEYPAD_ENTER || usage == HID_KEY_TAB) {
		end_symbol(kb, out);
		return;
	}
	kb->pending = true;
	kb->last_key_ms = now_ms;
	if (alt_code_digit(usage, modifiers, &digit)) {
		if (kb->alt_digits++ == 0)
			kb->alt_ansi = digit == 0;
		kb->alt_value = (kb->alt_value * 10 + digit) % 256;
		return;
	}
	c = hid_layout_char(kb->layout, usage, modifiers);
	if (c) {
		type_char(kb, c);
		return;
	}
	c = ctrl_char(kb, usage, modifiers);
	if (!c || !control_char(kb, c, out))
		poison_key(kb, usage, modifiers);
}

static bool is_error_state(uint8_t usage)
{
	return usage == HID_KEY_ERROR_ROLLOVER || usage == HID_KEY_POST_FAIL ||
	       usage == HID_KEY_ERROR_UNDEFINED;
}

static bool is_modifier_usage(uint8_t usage)
{
	return usage >= HID_KEY_FIRST_MODIFIER && usage <= HID_KEY_LAST_MODIFIER;
}

static bool contains(const uint8_t *keys, size_t n, uint8_t usage)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i] == usage)
			return true;
	return false;
}

int hid_keyboard_feed(struct hid_keyboard *kb, const uint8_t *report, size_t len, uint64_t now_ms,
		      struct hid_keyboard_out *out)
{
	uint8_t keys[HID_BOOT_KEY_SLOTS] = { 0 };
	size_t n_slots;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!kb || !report || !out)
		return -EINVAL;
	if (len < 3)
		return 0;
	if (len > HID_BOOT_REPORT_LEN)
		len = HID_BOOT_REPORT_LEN;
	n_slots = len - 2;
	memcpy(keys, report + 2, n_slots);
	/* in the phantom state the slots say nothing about which keys are down */
	for (size_t i = 0; i < n_slots; i++)
		if (is_error_state(keys[i]))
			return 0;
	/* Alt released: an Alt code is complete (keys pressed with the release come after it) */
	if (kb->alt_digits && !(report[0] & HID_MOD_LALT))
		finish_alt_code(kb, out);

	for (size_t i = 0; i < n_slots; i++) {
		uint8_t usage = keys[i];

		if (usage == 0 || is_modifier_usage(usage))
			continue;
		if (contains(keys, i, usage) || contains(kb->held, HID_BOOT_KEY_SLOTS, usage))
			continue;
		press(kb, usage, report[0], now_ms, out);
	}
	memcpy(kb->held, keys, sizeof(kb->held));
	return 0;
}

bool hid_keyboard_deadline(const struct hid_keyboard *kb, uint64_t *deadline_ms)
{
	if (!kb || !kb->pending || !kb->char_timeout_ms)
		return false;
	if (deadline_ms)
		*deadline_ms = kb->last_key_ms + kb->char_timeout_ms + 1;
	return true;
}

void hid_keyboard_expire(struct hid_keyboard *kb, uint64_t now_ms, struct hid_keyboard_out *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!kb || !out)
		return;
	if (partial_expired(kb, now_ms))
		discard_expired(kb, out);
}
