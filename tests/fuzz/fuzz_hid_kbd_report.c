/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes keyboards in report protocol: hid_kbd_layout_parse() over a
 * descriptor, then hid_kbd_to_boot() and the wedge decoder over reports.
 *
 * Byte 0: bit 7 set, the descriptor is a composite keyboard's (Report ID 2
 * before the modifiers) and everything after byte 0 is reports; clear,
 * byte 1 is the descriptor's length and the descriptor follows. Reports: a
 * length byte, then that many bytes.
 *
 * Checks: the layout agrees with the field walk on what is malformed; its
 * bits lie inside its report, of at most HID_REPORT_MAX bytes; a rewritten
 * report has its reserved byte 0 and no usage 0 before a used slot; a
 * report with another id is never rewritten.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/hid-keyboard.h"
#include "../../hal/hid-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COMPOSITE_FLAG 0x80

static const uint8_t composite_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x85, 0x02, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7,
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08,
	0x81, 0x03, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x73, 0x05, 0x07, 0x19, 0x00,
	0x29, 0x73, 0x81, 0x00, 0xc0,
};

static void check_layout(const struct hid_kbd_layout *l)
{
	uint64_t bits = (uint64_t)l->report_len * 8; /* the id byte included */

	if (l->report_len == 0 || l->report_len > HID_REPORT_MAX || l->n_keys == 0 ||
	    l->n_keys > HID_KEYS_MAX || l->key_bits < 8 || l->key_bits > 16 ||
	    l->keys_bit + (uint64_t)l->n_keys * l->key_bits > bits)
		abort();
	for (int i = 0; i < 8; i++)
		if (l->has_modifier[i] && l->modifier_bit[i] >= bits)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *desc = composite_desc;
	size_t desc_len = sizeof(composite_desc), pos = 1;
	struct hid_kbd_layout layout;
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	uint8_t boot[8];
	int r, fields;

	if (size == 0)
		return 0;
	if (!(data[0] & COMPOSITE_FLAG)) {
		if (size < 2)
			return 0;
		desc_len = data[1] < size - 2 ? data[1] : size - 2;
		desc = data + 2;
		pos = 2 + desc_len;
	}
	fields = hid_descriptor_fields(desc, desc_len, NULL, 0);
	r = hid_kbd_layout_parse(desc, desc_len, &layout);
	if ((r == -EINVAL) != (fields == -EINVAL) || (r != 0 && r != -EINVAL && r != -ENOENT))
		abort();
	if (r < 0)
		return 0;
	check_layout(&layout);
	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);

	while (pos < size) {
		size_t len = data[pos++];
		uint8_t *report;

		if (len > size - pos)
			len = size - pos;
		/* a block of exactly the report's size, so that ASan sees any overread */
		report = malloc(len ? len : 1);
		if (!report)
			return 0;
		memcpy(report, data + pos, len);
		pos += len;
		r = hid_kbd_to_boot(&layout, report, len, boot);
		if (r < 0 || r > 1 || (r == 1 && layout.report_id && report[0] != layout.report_id) ||
		    (r == 0 && len && (!layout.report_id || report[0] == layout.report_id)))
			abort();
		free(report);
		if (r == 0)
			continue;
		if (boot[1] != 0)
			abort();
		for (int i = 3; i < 8; i++)
			if (boot[i] && !boot[i - 1])
				abort();
		if (hid_keyboard_feed(&kb, boot, sizeof(boot), pos, &out) != 0)
			abort();
	}
	return 0;
}
