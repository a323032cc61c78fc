/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the report descriptor parser and HID POS reassembly.
 *
 * Byte 0: bit 7 set, the descriptor is the emulated board's and everything
 * after byte 0 is reports (random descriptors rarely describe a scanner, so
 * this keeps the reassembly busy); clear, byte 1 is the descriptor's length
 * and the descriptor follows. Bit 6 set: each report gets the layout's
 * report id as its first byte. Reports: a length byte, then that many bytes.
 *
 * Checks: the field walk and the layout agree on what is malformed; every
 * field and every layout bit lies inside a report of at most HID_REPORT_MAX
 * bytes; symbols are 1..SCAN_TEXT_MAX printable characters or GS (no
 * CR, LF or Tab: suffixes are trimmed) with an AIM id that is "" or "]" and
 * two more; a discard has a reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/hid-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_symbol_char(char c)
{
	return ((unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e) || c == SCAN_GS;
}

#define FIELDS_KEPT 8
#define BOARD_ID_FLAG 0x80
#define FORCE_ID_FLAG 0x40

static const uint8_t board_desc[] = {
	0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xa1, 0x02, 0x15, 0x00,
	0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x03, 0x19, 0xfb, 0x29, 0xfd, 0x81, 0x02, 0x95,
	0x38, 0x09, 0xfe, 0x82, 0x02, 0x01, 0x75, 0x01, 0x95, 0x01, 0x25, 0x01, 0x09, 0xff,
	0x81, 0x02, 0x75, 0x07, 0x81, 0x03, 0xc0, 0xc0,
};

static void check_fields(const struct hid_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hid_field *f = &fields[i];
		uint64_t end = f->bit_offset + (uint64_t)f->bit_size * f->count;

		if (end > HID_REPORT_MAX * 8 || (f->report_id && f->bit_offset < 8))
			abort();
		if (f->n_usages > HID_FIELD_USAGES_MAX || (f->usages_truncated && f->n_usages <
							   HID_FIELD_USAGES_MAX))
			abort();
		for (size_t u = 0; u < f->n_usages; u++)
			if (f->usages[u].min > f->usages[u].max ||
			    f->usages[u].min >> 16 != f->usages[u].max >> 16)
				abort();
		(void)hid_field_usage(f, 0);
		(void)hid_field_usage(f, f->count ? f->count - 1 : 0);
	}
}

static void check_layout(const struct hid_pos_layout *l)
{
	uint64_t bits = (uint64_t)l->report_len * 8;

	if (l->report_len > HID_REPORT_MAX || l->data_bytes == 0 ||
	    l->data_bit + (uint64_t)l->data_bytes * 8 > bits)
		abort();
	if (l->report_id && l->data_bit < 8)
		abort();
	for (int i = 0; i < 3; i++)
		if (l->has_symbology[i] && l->symbology_bit[i] + 8ull > bits)
			abort();
	if (l->has_continued && l->continued_bit >= bits)
		abort();
	if (l->has_length && (l->length_bits == 0 || l->length_bits > 32 ||
			      l->length_bit + (uint64_t)l->length_bits > bits))
		abort();
}

static void check_out(const struct hid_pos_out *out)
{
	if (out->symbol) {
		if (out->len == 0 || out->len > SCAN_TEXT_MAX || out->text[out->len] != '\0' ||
		    strlen(out->text) != out->len)
			abort();
		for (size_t i = 0; i < out->len; i++)
			if (!is_symbol_char(out->text[i]))
				abort();
		if (out->aim[0] && (out->aim[0] != ']' || strnlen(out->aim, 4) != 3))
			abort();
		(void)aim_symbology(out->aim);
	} else if (out->len != 0 || out->text[0] != '\0' || out->aim[0] != '\0') {
		abort();
	}
	if (!memchr(out->reason, '\0', sizeof(out->reason)))
		abort();
	if (out->discarded != (out->reason[0] != '\0'))
		abort();
}

static void feed_reports(const struct hid_pos_layout *layout, const uint8_t *data, size_t size,
			 bool force_id)
{
	struct hid_pos p;
	struct hid_pos_out out;
	size_t pos = 0;

	hid_pos_init(&p, layout);
	while (pos < size) {
		size_t len = data[pos++];
		uint8_t *report;

		if (len > size - pos)
			len = size - pos;
		/* exactly the report's size, so that ASan sees any overread */
		report = malloc(len ? len : 1);
		if (!report)
			return;
		memcpy(report, data + pos, len);
		pos += len;
		if (force_id && len && layout->report_id)
			report[0] = layout->report_id;
		if (hid_pos_feed(&p, report, len, &out) != 0)
			abort();
		free(report);
		check_out(&out);
	}
	hid_pos_reset(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hid_field fields[FIELDS_KEPT];
	struct hid_pos_layout layout;
	const uint8_t *reports, *desc_src;
	uint8_t *desc;
	size_t desc_len, reports_len;
	int n, r;

	if (size == 0)
		return 0;
	if (data[0] & BOARD_ID_FLAG) {
		desc_src = board_desc;
		desc_len = sizeof(board_desc);
		reports = data + 1;
		reports_len = size - 1;
	} else {
		desc_src = data + 1;
		desc_len = size > 1 ? data[1] : 0;
		if (size > 1)
			desc_src = data + 2;
		if (desc_len > size - 2)
			desc_len = size - 2;
		reports = desc_src + desc_len;
		reports_len = size - (size_t)(reports - data);
	}
	desc = malloc(desc_len ? desc_len : 1);
	if (!desc)
		return 0;
	memcpy(desc, desc_src, desc_len);

	n = hid_descriptor_fields(desc, desc_len, fields, FIELDS_KEPT);
	if (n < 0 && n != -EINVAL)
		abort();
	if (n > 0)
		check_fields(fields, (size_t)n < FIELDS_KEPT ? (size_t)n : FIELDS_KEPT);
	r = hid_pos_layout_parse(desc, desc_len, &layout);
	free(desc);
	if (r != 0 && r != -EINVAL && r != -ENOENT)
		abort();
	if ((r == -EINVAL) != (n == -EINVAL))
		abort();
	if (r == 0) {
		check_layout(&layout);
		feed_reports(&layout, reports, reports_len, data[0] & FORCE_ID_FLAG);
	}
	return 0;
}
