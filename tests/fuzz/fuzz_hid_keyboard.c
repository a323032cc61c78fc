/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the keyboard-wedge decoder with a sequence of boot reports.
 *
 * Byte 0 picks whether key bytes are folded onto the keys that type text,
 * end symbols and type Alt codes (bit 2, so that random input completes
 * symbols often) and the inter-character timeout (bits 3-7, x 8 ms; 0 is
 * none); byte 1 the layout (one past the last is no layout: everything
 * unmappable). Then records: a time step in ms (0xff: no report, run the
 * owner's timer instead), a report length (mod 13, so longer than 8 too),
 * and that many report bytes.
 *
 * Checks what the header promises: a symbol is 1..SCAN_TEXT_MAX bytes of
 * well-formed UTF-8 without control characters but GS, NUL-terminated, len
 * right; a discard has a reason; the deadline lies after the last key, and
 * expiring is a no-op before it and a discard at it; every layout character
 * is 0, a dead key's accent or a printable character of the BMP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/hid-keyboard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8 of the BMP (no overlong forms, no surrogates), no control but GS. */
static bool is_symbol_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		uint32_t c = s[i];
		size_t more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : 3;

		if (more == 3 || len - i <= more)
			return false;
		if (more)
			c &= more == 1 ? 0x1f : 0x0f;
		for (size_t k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) ||
		    (c >= 0xd800 && c < 0xe000) || (c < 0x20 && c != SCAN_GS) || c == 0x7f)
			return false;
		i += more + 1;
	}
	return true;
}

static bool is_layout_char(uint32_t c)
{
	if (c & HID_CHAR_DEAD)
		return (c & ~HID_CHAR_DEAD) >= 0x20 && (c & ~HID_CHAR_DEAD) < 0x1000;
	return c == 0 || (c >= 0x20 && c != 0x7f && c < 0x10000 && !(c >= 0xd800 && c < 0xe000));
}

#define TIMER_STEP 0xff

static void check_out(const struct hid_keyboard_out *out)
{
	if (out->symbol) {
		if (out->len == 0 || out->len > SCAN_TEXT_MAX || out->text[out->len] != '\0' ||
		    strlen(out->text) != out->len)
			abort();
		if (!is_symbol_text(out->text, out->len))
			abort();
	} else if (out->len != 0 || out->text[0] != '\0') {
		abort();
	}
	if (!memchr(out->reason, '\0', sizeof(out->reason)))
		abort();
	if (out->discarded != (out->reason[0] != '\0'))
		abort();
}

static void check_deadline(const struct hid_keyboard *kb, uint64_t now)
{
	struct hid_keyboard copy = *kb;
	struct hid_keyboard_out out;
	uint64_t deadline;

	if (!hid_keyboard_deadline(kb, &deadline)) {
		if (kb->pending && kb->char_timeout_ms)
			abort();
		return;
	}
	/* a report without a new key does not expire anything: the deadline may be past */
	if (!kb->pending || deadline <= kb->last_key_ms || kb->last_key_ms > now)
		abort();
	hid_keyboard_expire(&copy, deadline - 1, &out);
	check_out(&out);
	if (out.discarded || !hid_keyboard_deadline(&copy, &deadline))
		abort();
	hid_keyboard_expire(&copy, deadline, &out);
	check_out(&out);
	if (!out.discarded || out.symbol || hid_keyboard_deadline(&copy, &deadline))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	enum hid_layout layout;
	bool fold_keys;
	uint64_t now = 0;
	size_t pos = 2;

	if (size < 2)
		return 0;
	layout = (enum hid_layout)(data[1] % (HID_LAYOUT__COUNT + 1));
	fold_keys = data[0] & 4;
	hid_keyboard_init(&kb, layout, (unsigned)(data[0] >> 3) * 8);

	while (pos + 2 <= size) {
		uint8_t step = data[pos];
		size_t len = data[pos + 1] % 13;
		uint8_t *report;
		uint32_t c;

		pos += 2;
		c = hid_layout_char(layout, step, (uint8_t)len);
		if (!is_layout_char(c))
			abort();
		if (step == TIMER_STEP) {
			uint64_t deadline;

			if (hid_keyboard_deadline(&kb, &deadline))
				now = deadline;
			hid_keyboard_expire(&kb, now, &out);
			check_out(&out);
			continue;
		}
		now += step;
		if (len > size - pos)
			len = size - pos;
		/* a block of exactly the report's size, so that ASan sees any overread */
		report = malloc(len ? len : 1);
		if (!report)
			return 0;
		memcpy(report, data + pos, len);
		pos += len;
		/* text keys, Enter, Tab, the keypad digits; Alt alone often, for Alt codes */
		for (size_t i = 2; fold_keys && i < len; i++)
			if (report[i] > 1) /* leave ErrorRollOver and empty slots alone */
				report[i] = report[i] & 0x80 ? (uint8_t)(0x59 + report[i] % 10)
							     : (uint8_t)(0x04 + report[i] % 0x35);
		if (fold_keys && len && (report[0] & 0x30) == 0x30)
			report[0] = HID_MOD_LALT;
		if (hid_keyboard_feed(&kb, report, len, now, &out) != 0)
			abort();
		free(report);
		check_out(&out);
		check_deadline(&kb, now);
	}
	hid_keyboard_reset(&kb);
	if (hid_keyboard_deadline(&kb, NULL))
		abort();
	return 0;
}
