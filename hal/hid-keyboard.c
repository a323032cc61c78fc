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
	kb->poisoned = false;
	kb->bad_usage = 0;
	kb->bad_modifiers = 0;
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

static void end_symbol(struct hid_keyboard *kb, struct hid_keyboard_out *out)
{
	if (!kb->pending)
		return; /* a suffix alone: scanners send one on a no-read */
	if (kb->poisoned && kb->bad_modifiers)
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

static void press(struct hid_keyboard *kb, uint8_t usage, uint8_t modifiers, uint64_t now_ms,
		  struct hid_keyboard_out *out)
{
	char c;

	if (partial_expired(kb, now_ms))
		discard_expired(kb, out);
	if (usage == HID_KEY_ENTER || usage == HID_KEY_KEYPAD_ENTER || usage == HID_KEY_TAB) {
		end_symbol(kb, out);
		return;
	}
	kb->pending = true;
	kb->last_key_ms = now_ms;
	c = hid_layout_char(kb->layout, usage, modifiers);
	if (!c) {
		if (!kb->poisoned) {
			kb->poisoned = true;
			kb->bad_usage = usage;
			kb->bad_modifiers = modifiers;
		}
		return;
	}
	if (kb->typed < SCAN_TEXT_MAX) {
		kb->text[kb->typed] = c;
		kb->text[kb->typed + 1] = '\0';
	}
	/* one past the limit is enough to know it is too long */
	if (kb->typed <= SCAN_TEXT_MAX)
		kb->typed++;
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
