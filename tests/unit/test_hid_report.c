/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../hal/hid-report.h"
#include "testlib.h"

#include "../../lib/util.h"

/* The emulated board's scanner: report 2 = id, 3 AIM bytes, 56 data bytes, the continued bit. */
static const uint8_t board_desc[] = {
	0x05, 0x8c,             /* Usage Page (Bar Code Scanner) */
	0x09, 0x02,             /* Usage (Bar Code Scanner) */
	0xa1, 0x01,             /* Collection (Application) */
	0x85, 0x02,             /*   Report ID (2) */
	0x09, 0x12,             /*   Usage (Scanned Data Report) */
	0xa1, 0x02,             /*   Collection (Logical) */
	0x15, 0x00,             /*     Logical Minimum (0) */
	0x26, 0xff, 0x00,       /*     Logical Maximum (255) */
	0x75, 0x08,             /*     Report Size (8) */
	0x95, 0x03,             /*     Report Count (3) */
	0x19, 0xfb,             /*     Usage Minimum (Symbology Identifier 1) */
	0x29, 0xfd,             /*     Usage Maximum (Symbology Identifier 3) */
	0x81, 0x02,             /*     Input (Data,Var,Abs) */
	0x95, 0x38,             /*     Report Count (56) */
	0x09, 0xfe,             /*     Usage (Decoded Data) */
	0x82, 0x02, 0x01,       /*     Input (Data,Var,Abs,Buffered Bytes) */
	0x75, 0x01,             /*     Report Size (1) */
	0x95, 0x01,             /*     Report Count (1) */
	0x25, 0x01,             /*     Logical Maximum (1) */
	0x09, 0xff,             /*     Usage (Decode Data Continued) */
	0x81, 0x02,             /*     Input (Data,Var,Abs) */
	0x75, 0x07,             /*     Report Size (7) */
	0x81, 0x03,             /*     Input (Const,Var,Abs) */
	0xc0,                   /*   End Collection */
	0xc0,                   /* End Collection */
};

/* No report ids; the continued flag first, 24 data bytes, then the AIM bytes one by one. */
static const uint8_t no_id_desc[] = {
	0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01,
	0x09, 0x12, 0xa1, 0x02,
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01,
	0x09, 0xff, 0x81, 0x02,                         /* Decode Data Continued, bit 0 */
	0x75, 0x07, 0x81, 0x03,                         /* padding */
	0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x18,
	0x09, 0xfe, 0x82, 0x02, 0x01,                   /* Decoded Data, 24 bytes */
	0x95, 0x01,
	0x09, 0xfb, 0x81, 0x02,                         /* Symbology Identifier 1 */
	0x09, 0xfc, 0x81, 0x02,
	0x09, 0xfd, 0x81, 0x02,
	0xc0, 0xc0,
};

/*
 * Vendor fields first, Push/Pop around a Generic Desktop field, 4-byte
 * usages while the Usage Page is the vendor's, a long item, Decoded Data in
 * an Output report that must not count, and short usage 0xFE on the vendor
 * page that is not Decoded Data. The scanner's report is 7.
 */
static const uint8_t vendor_desc[] = {
	0x06, 0x00, 0xff,                               /* Usage Page (Vendor 0xFF00) */
	0x09, 0x01, 0xa1, 0x01,                         /* Collection (Application) */
	0x85, 0x01,                                     /*   Report ID (1) */
	0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x04,
	0x09, 0x20, 0x81, 0x02,                         /*   Input: 4 vendor bytes */
	0x0b, 0xfe, 0x00, 0x8c, 0x00, 0x95, 0x08,
	0x91, 0x02,                                     /*   Output (Decoded Data!), 8 bytes */
	0x85, 0x07,                                     /*   Report ID (7) */
	0x09, 0x21, 0x95, 0x02, 0x81, 0x02,             /*   Input: 2 vendor bytes */
	0xa4,                                           /*   Push */
	0x05, 0x01, 0x09, 0x30, 0x16, 0x00, 0x80, 0x26, 0xff, 0x7f,
	0x75, 0x10, 0x95, 0x01, 0x81, 0x02,             /*     Input: X, 16 bits */
	0xb4,                                           /*   Pop: vendor page, 8 x 2 again */
	0x75, 0x03, 0x95, 0x01, 0x81, 0x03,             /*   3 bits of padding */
	0x75, 0x05, 0x81, 0x03,                         /*   5 more */
	0x75, 0x08, 0x95, 0x03,
	0x0b, 0xfb, 0x00, 0x8c, 0x00,                   /*   Usage (0x8C:0xFB), 4 bytes */
	0x0b, 0xfc, 0x00, 0x8c, 0x00,
	0x0b, 0xfd, 0x00, 0x8c, 0x00,
	0x81, 0x02,                                     /*   Input: AIM */
	0xfe, 0x02, 0x10, 0xaa, 0xbb,                   /*   a long item */
	0x1b, 0xfe, 0x00, 0x8c, 0x00,                   /*   Usage Minimum (0x8C:0xFE) */
	0x2b, 0xfe, 0x00, 0x8c, 0x00,                   /*   Usage Maximum (0x8C:0xFE) */
	0x95, 0x20, 0x82, 0x02, 0x01,                   /*   Input: 32 data bytes */
	0x0b, 0xff, 0x00, 0x8c, 0x00,
	0x75, 0x01, 0x95, 0x01, 0x25, 0x01, 0x81, 0x02, /*   Input: continued */
	0x75, 0x07, 0x81, 0x03,
	0x85, 0x03,                                     /*   Report ID (3) */
	0x09, 0x40, 0x75, 0x08, 0x95, 0x04, 0x26, 0xff, 0x00,
	0x91, 0x02,                                     /*   Output: 4 bytes */
	0x09, 0xfe, 0x95, 0x02, 0x81, 0x02,             /*   Input: usage 0xFF00:0xFE */
	0xc0,
};

/*
 * Like a Honeywell HID POS interface: a Generic Desktop Byte Count before
 * the AIM bytes, 56 data bytes, two vendor bytes, and an 8-bit continued
 * field; a trigger Output report after it.
 */
static const uint8_t byte_count_desc[] = {
	0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01,
	0x09, 0x12, 0xa1, 0x02,
	0x85, 0x02, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x01,
	0x05, 0x01, 0x09, 0x3b, 0x81, 0x02,             /* Byte Count */
	0x95, 0x03, 0x05, 0x8c, 0x09, 0xfb, 0x09, 0xfc, 0x09, 0xfd, 0x81, 0x02,
	0x95, 0x38, 0x09, 0xfe, 0x82, 0x02, 0x01,
	0x06, 0x66, 0xff, 0x95, 0x02, 0x09, 0x04, 0x09, 0x00, 0x81, 0x02,
	0x05, 0x8c, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x09, 0xff, 0x81, 0x02,
	0xc0,
	0x09, 0x14, 0xa1, 0x02, 0x85, 0x04, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08,
	0x09, 0x5f, 0x09, 0x60, 0x91, 0x86,
	0xc0,
	0xc0,
};

/* Fields off byte boundaries: the continued bit first, then 4 data bytes from bit 1. */
static const uint8_t unaligned_desc[] = {
	0x05, 0x8c, 0xa1, 0x01,
	0x75, 0x01, 0x95, 0x01, 0x09, 0xff, 0x81, 0x02,
	0x75, 0x08, 0x95, 0x04, 0x09, 0xfe, 0x81, 0x02,
	0x75, 0x07, 0x95, 0x01, 0x81, 0x03,
	0xc0,
};

/* A boot keyboard: no page 0x8C at all. */
static const uint8_t keyboard_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00,
	0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01,
	0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01,
	0x75, 0x03, 0x91, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07,
	0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
};

struct fixture {
	const char *name;
	const uint8_t *desc;
	size_t len;
	struct hid_pos_layout want;
};

static const struct fixture fixtures[] = {
	{ "board", board_desc, sizeof(board_desc),
	  { .report_id = 2, .report_len = 61, .data_bit = 32, .data_bytes = 56,
	    .has_symbology = { true, true, true }, .symbology_bit = { 8, 16, 24 },
	    .has_continued = true, .continued_bit = 480 } },
	{ "no-id", no_id_desc, sizeof(no_id_desc),
	  { .report_id = 0, .report_len = 28, .data_bit = 8, .data_bytes = 24,
	    .has_symbology = { true, true, true }, .symbology_bit = { 200, 208, 216 },
	    .has_continued = true, .continued_bit = 0 } },
	{ "vendor", vendor_desc, sizeof(vendor_desc),
	  { .report_id = 7, .report_len = 42, .data_bit = 72, .data_bytes = 32,
	    .has_symbology = { true, true, true }, .symbology_bit = { 48, 56, 64 },
	    .has_continued = true, .continued_bit = 328 } },
	{ "byte-count", byte_count_desc, sizeof(byte_count_desc),
	  { .report_id = 2, .report_len = 64, .data_bit = 40, .data_bytes = 56,
	    .has_symbology = { true, true, true }, .symbology_bit = { 16, 24, 32 },
	    .has_continued = true, .continued_bit = 504, .has_length = true, .length_bit = 8,
	    .length_bits = 8 } },
	{ "unaligned", unaligned_desc, sizeof(unaligned_desc),
	  { .report_id = 0, .report_len = 5, .data_bit = 1, .data_bytes = 4,
	    .has_continued = true, .continued_bit = 0 } },
};

static void check_layout(const char *name, const struct hid_pos_layout *got,
			 const struct hid_pos_layout *want)
{
	int before = testlib_current_failed;

	testlib_current_failed = 0;
	CHECK_INT(got->report_id, want->report_id);
	CHECK_INT(got->report_len, want->report_len);
	CHECK_INT(got->data_bit, want->data_bit);
	CHECK_INT(got->data_bytes, want->data_bytes);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(got->has_symbology[i], want->has_symbology[i]);
		if (want->has_symbology[i])
			CHECK_INT(got->symbology_bit[i], want->symbology_bit[i]);
	}
	CHECK_INT(got->has_continued, want->has_continued);
	if (want->has_continued)
		CHECK_INT(got->continued_bit, want->continued_bit);
	CHECK_INT(got->has_length, want->has_length);
	if (want->has_length) {
		CHECK_INT(got->length_bit, want->length_bit);
		CHECK_INT(got->length_bits, want->length_bits);
	}
	if (testlib_current_failed)
		fprintf(stderr, "  in fixture %s\n", name);
	testlib_current_failed |= before;
}

static void test_layouts_of_the_fixtures(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		struct hid_pos_layout layout;

		memset(&layout, 0xa5, sizeof(layout));
		CHECK_INT(hid_pos_layout_parse(fixtures[i].desc, fixtures[i].len, &layout), 0);
		check_layout(fixtures[i].name, &layout, &fixtures[i].want);
	}
}

static void test_fields_of_the_board_descriptor(void)
{
	struct hid_field f[8];

	CHECK_INT(hid_descriptor_fields(board_desc, sizeof(board_desc), f, ARRAY_SIZE(f)), 4);
	CHECK_INT(f[0].kind, HID_FIELD_INPUT);
	CHECK_INT(f[0].report_id, 2);
	CHECK_INT(f[0].bit_offset, 8);
	CHECK_INT(f[0].bit_size, 8);
	CHECK_INT(f[0].count, 3);
	CHECK_INT(f[0].flags, HID_FIELD_VARIABLE);
	CHECK_INT(f[0].n_usages, 1);
	CHECK_INT(f[0].usages[0].min, 0x8c00fb);
	CHECK_INT(f[0].usages[0].max, 0x8c00fd);
	CHECK_INT(f[0].logical_min, 0);
	CHECK_INT(f[0].logical_max, 255);
	CHECK_INT(hid_field_usage(&f[0], 0), HID_USAGE_SYMBOLOGY_ID_1);
	CHECK_INT(hid_field_usage(&f[0], 2), HID_USAGE_SYMBOLOGY_ID_3);
	CHECK_INT(hid_field_usage(&f[0], 3), 0);

	CHECK_INT(f[1].bit_offset, 32);
	CHECK_INT(f[1].count, 56);
	CHECK_INT(f[1].flags, HID_FIELD_VARIABLE | HID_FIELD_BUFFERED_BYTES);
	CHECK_INT(hid_field_usage(&f[1], 0), HID_USAGE_DECODED_DATA);
	CHECK_INT(hid_field_usage(&f[1], 55), HID_USAGE_DECODED_DATA);

	CHECK_INT(f[2].bit_offset, 480);
	CHECK_INT(f[2].bit_size, 1);
	CHECK_INT(f[2].logical_max, 1);
	CHECK_INT(hid_field_usage(&f[2], 0), HID_USAGE_DECODE_DATA_CONTINUED);

	CHECK_INT(f[3].bit_offset, 481);
	CHECK_INT(f[3].bit_size, 7);
	CHECK_INT(f[3].flags, HID_FIELD_CONSTANT | HID_FIELD_VARIABLE);
	CHECK_INT(f[3].n_usages, 0);
	CHECK_INT(hid_field_usage(&f[3], 0), 0);

	/* a short array: the count is still all of them */
	CHECK_INT(hid_descriptor_fields(board_desc, sizeof(board_desc), f, 2), 4);
	CHECK_INT(hid_descriptor_fields(board_desc, sizeof(board_desc), NULL, 0), 4);
}

static void test_fields_of_the_vendor_descriptor(void)
{
	struct hid_field f[16];
	int n = hid_descriptor_fields(vendor_desc, sizeof(vendor_desc), f, ARRAY_SIZE(f));

	CHECK_INT(n, 12);
	if (n != 12)
		return;
	/* report 1: input from bit 8, output separately from bit 8 too */
	CHECK_INT(f[0].report_id, 1);
	CHECK_INT(f[0].bit_offset, 8);
	CHECK_INT(hid_field_usage(&f[0], 3), 0xff000020);
	CHECK_INT(f[1].kind, HID_FIELD_OUTPUT);
	CHECK_INT(f[1].bit_offset, 8);
	CHECK_INT(hid_field_usage(&f[1], 7), HID_USAGE_DECODED_DATA);
	/* report 7 starts again after its id */
	CHECK_INT(f[2].report_id, 7);
	CHECK_INT(f[2].bit_offset, 8);
	/* Push/Pop: the X field's page, size and range did not leak */
	CHECK_INT(hid_field_usage(&f[3], 0), 0x00010030);
	CHECK_INT(f[3].bit_size, 16);
	CHECK_INT(f[3].logical_min, -32768);
	CHECK_INT(f[3].logical_max, 32767);
	CHECK_INT(f[4].bit_size, 3);
	CHECK_INT(f[4].logical_min, 0);
	CHECK_INT(f[4].logical_max, 255);
	CHECK_INT(f[4].report_id, 7);
	CHECK_INT(f[4].bit_offset, 40);
	CHECK_INT(f[5].bit_offset, 43);
	CHECK_INT(f[6].bit_offset, 48);
	CHECK_INT(f[6].n_usages, 3);
	CHECK_INT(hid_field_usage(&f[6], 1), HID_USAGE_SYMBOLOGY_ID_2);
	CHECK_INT(f[7].bit_offset, 72);
	CHECK_INT(f[8].bit_offset, 328);
	CHECK_INT(f[9].bit_offset, 329);
	CHECK_INT(f[10].kind, HID_FIELD_OUTPUT);
	CHECK_INT(f[10].report_id, 3);
	CHECK_INT(f[10].bit_offset, 8);
	CHECK_INT(f[11].kind, HID_FIELD_INPUT);
	CHECK_INT(f[11].report_id, 3);
	CHECK_INT(f[11].bit_offset, 8);
	CHECK_INT(hid_field_usage(&f[11], 0), 0xff0000fe);
}

static void test_usage_lists(void)
{
	/* three usages for five controls: the last repeats; an array has none per control */
	static const uint8_t desc[] = {
		0x05, 0x09, 0x75, 0x01, 0x95, 0x05,
		0x09, 0x01, 0x19, 0x05, 0x29, 0x06, 0x81, 0x02,
		0x95, 0x01, 0x75, 0x08, 0x19, 0x01, 0x29, 0x08, 0x81, 0x00,
	};
	/* more usages than the field keeps */
	uint8_t many[2 * (HID_FIELD_USAGES_MAX + 2) + 6];
	struct hid_field f[2];
	size_t n = 0;

	CHECK_INT(hid_descriptor_fields(desc, sizeof(desc), f, 2), 2);
	CHECK_INT(hid_field_usage(&f[0], 0), 0x00090001);
	CHECK_INT(hid_field_usage(&f[0], 1), 0x00090005);
	CHECK_INT(hid_field_usage(&f[0], 2), 0x00090006);
	CHECK_INT(hid_field_usage(&f[0], 4), 0x00090006);
	CHECK_INT(hid_field_usage(&f[1], 0), 0);
	CHECK_INT(f[1].usages[0].min, 0x00090001);
	CHECK_INT(f[1].usages[0].max, 0x00090008);
	CHECK_INT(hid_field_usage(NULL, 0), 0);

	many[n++] = 0x75, many[n++] = 0x01;
	many[n++] = 0x95, many[n++] = 0x20;
	for (int i = 0; i < HID_FIELD_USAGES_MAX + 2; i++)
		many[n++] = 0x09, many[n++] = (uint8_t)(0x10 + i);
	many[n++] = 0x81, many[n++] = 0x02;
	CHECK_INT(hid_descriptor_fields(many, n, f, 1), 1);
	CHECK(f[0].usages_truncated);
	CHECK_INT(f[0].n_usages, HID_FIELD_USAGES_MAX);
	CHECK_INT(hid_field_usage(&f[0], HID_FIELD_USAGES_MAX - 1),
		  0x10 + HID_FIELD_USAGES_MAX - 1);
	CHECK_INT(hid_field_usage(&f[0], HID_FIELD_USAGES_MAX), 0);
}

/* ---- reports ---- */

static void put_bits(uint8_t *report, uint32_t bit, uint32_t n, uint32_t value)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t mask = (uint8_t)(1u << ((bit + i) % 8));

		if (value >> i & 1)
			report[(bit + i) / 8] |= mask;
		else
			report[(bit + i) / 8] &= (uint8_t)~mask;
	}
}

/* A report in the layout l; length < 0: the Byte Count is the data's length. */
static size_t make_report(const struct hid_pos_layout *l, uint8_t *report, const char *aim,
			  const char *data, size_t data_len, bool continued, int length)
{
	memset(report, 0, HID_REPORT_MAX);
	if (l->report_id)
		report[0] = l->report_id;
	for (int i = 0; i < 3 && aim; i++)
		if (l->has_symbology[i])
			put_bits(report, l->symbology_bit[i], 8, (uint8_t)aim[i]);
	for (size_t i = 0; i < data_len && i < l->data_bytes; i++)
		put_bits(report, l->data_bit + (uint32_t)i * 8, 8, (uint8_t)data[i]);
	if (l->has_continued)
		put_bits(report, l->continued_bit, 1, continued);
	if (l->has_length && length < 0)
		put_bits(report, l->length_bit, l->length_bits,
			 (uint32_t)(data_len < l->data_bytes ? data_len : l->data_bytes));
	else if (l->has_length)
		put_bits(report, l->length_bit, l->length_bits, (uint32_t)length);
	return l->report_len;
}

struct pos_capture {
	char symbols[2048];
	char reasons[1024];
	int n_symbols, n_discards;
};

static void pos_feed(struct hid_pos *p, struct pos_capture *c, const uint8_t *report, size_t len)
{
	struct hid_pos_out out;

	CHECK_INT(hid_pos_feed(p, report, len, &out), 0);
	CHECK(out.symbol || (out.len == 0 && out.text[0] == '\0' && out.aim[0] == '\0'));
	CHECK(out.discarded || out.reason[0] == '\0');
	if (out.symbol) {
		CHECK_INT(strlen(out.text), out.len);
		snprintf(c->symbols + strlen(c->symbols), sizeof(c->symbols) - strlen(c->symbols),
			 "%s%s%s|", out.aim, out.aim[0] ? " " : "", out.text);
		c->n_symbols++;
	}
	if (out.discarded) {
		snprintf(c->reasons + strlen(c->reasons), sizeof(c->reasons) - strlen(c->reasons),
			 "%s|", out.reason);
		c->n_discards++;
	}
}

static void test_board_report_by_hand(void)
{
	/* ]E0 9780306406157, the bytes as the board sends them */
	uint8_t report[61] = { 0x02, ']', 'E', '0', '9', '7', '8', '0', '3', '0', '6',
			       '4', '0', '6', '1', '5', '7' };
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct pos_capture c = { 0 };

	CHECK_INT(hid_pos_layout_parse(board_desc, sizeof(board_desc), &layout), 0);
	hid_pos_init(&p, &layout);
	memset(&layout, 0, sizeof(layout)); /* init copied it */
	pos_feed(&p, &c, report, sizeof(report));
	CHECK_STR(c.symbols, "]E0 9780306406157|");
	CHECK_INT(aim_symbology("]E0"), SYM_EAN13);

	/* 56 bytes and the continued bit, then the rest with another AIM id */
	memset(report + 4, 'A', 56);
	report[60] = 0x01;
	pos_feed(&p, &c, report, sizeof(report));
	CHECK_INT(c.n_symbols, 1);
	memset(report + 1, 0, 60);
	memcpy(report + 1, "]C0BCD", 6);
	report[60] = 0xfe; /* the padding bits say nothing */
	pos_feed(&p, &c, report, sizeof(report));
	CHECK_INT(c.n_symbols, 2);
	CHECK_STR(c.symbols, "]E0 9780306406157|"
			     "]E0 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABCD|");
	CHECK_INT(c.n_discards, 0);
}

static void run_common_scenarios(const struct fixture *fx)
{
	uint8_t report[HID_REPORT_MAX];
	char big[HID_REPORT_MAX], want[4096];
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct pos_capture c = { 0 };
	const bool aim = fx->want.has_symbology[0];
	size_t n, d;
	int before = testlib_current_failed;

	testlib_current_failed = 0;
	CHECK_INT(hid_pos_layout_parse(fx->desc, fx->len, &layout), 0);
	hid_pos_init(&p, &layout);
	d = layout.data_bytes;

	/* one report, as much of an item barcode as fits */
	n = make_report(&layout, report, "]C0", "31234000000057", 14, false, -1);
	pos_feed(&p, &c, report, n);
	snprintf(want, sizeof(want), "%s%.*s|", aim ? "]C0 " : "", (int)(d < 14 ? d : 14),
		 "31234000000057");
	CHECK_STR(c.symbols, want);

	/* an empty report (some scanners send one after each symbol): nothing */
	n = make_report(&layout, report, NULL, "", 0, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_INT(c.n_symbols, 1);

	/* two reports; the AIM id of the first counts */
	memset(big, 'A', d);
	n = make_report(&layout, report, "]F0", big, d, true, -1);
	pos_feed(&p, &c, report, n);
	CHECK_INT(c.n_symbols, 1);
	if (layout.report_id) {
		/* another report id in between changes nothing */
		report[0] = (uint8_t)(layout.report_id + 1);
		pos_feed(&p, &c, report, n);
	}
	n = make_report(&layout, report, "]E0", "XYZ", 3, false, -1);
	pos_feed(&p, &c, report, n);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%.*sXYZ|",
		 aim ? "]F0 " : "", (int)d, big);
	CHECK_STR(c.symbols, want);

	/* a control character spoils the symbol, reported with its last report */
	n = make_report(&layout, report, "]A0", "12\x01" "34", 5, true, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]A0", "5", 1, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.reasons, "byte 0x01 at position 3 is not printable ASCII|");

	/* longer than SCAN_TEXT_MAX over several reports */
	for (size_t sent = 0; sent <= SCAN_TEXT_MAX; sent += d) {
		n = make_report(&layout, report, "]A0", big, d, true, -1);
		pos_feed(&p, &c, report, n);
	}
	n = make_report(&layout, report, "]A0", "Z", 1, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.reasons, "byte 0x01 at position 3 is not printable ASCII|"
			     "longer than 128 characters|");

	/* not an AIM id: "" */
	n = make_report(&layout, report, "xE0", "1", 1, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]00", "2", 1, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]E\x01", "3", 1, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_INT(c.n_symbols, 5);
	CHECK(strstr(c.symbols, "|1|2|3|") != NULL);

	/* reset drops a partial symbol */
	n = make_report(&layout, report, "]A0", "PART", 4, true, -1);
	pos_feed(&p, &c, report, n);
	hid_pos_reset(&p);
	n = make_report(&layout, report, "]Q1", "NEW", 3, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK(strstr(c.symbols, aim ? "|]Q1 NEW|" : "|NEW|") != NULL);
	CHECK_INT(c.n_discards, 2);
	if (testlib_current_failed)
		fprintf(stderr, "  in fixture %s: symbols %s reasons %s\n", fx->name, c.symbols,
			c.reasons);
	testlib_current_failed |= before;
}

static void test_common_scenarios_on_every_fixture(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++)
		run_common_scenarios(&fixtures[i]);
}

static void test_byte_count(void)
{
	uint8_t report[HID_REPORT_MAX];
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct pos_capture c = { 0 };
	size_t n;

	CHECK_INT(hid_pos_layout_parse(byte_count_desc, sizeof(byte_count_desc), &layout), 0);
	hid_pos_init(&p, &layout);
	/* bytes past the count are not data, NUL or not */
	n = make_report(&layout, report, "]C0", "1234ZZZ", 7, false, 4);
	pos_feed(&p, &c, report, n);
	/* within the count, a NUL is data, and not printable */
	n = make_report(&layout, report, "]C0", "12\0" "4", 4, false, 4);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "1234", 4, false, 57);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.symbols, "]C0 1234|");
	CHECK_STR(c.reasons, "byte 0x00 at position 3 is not printable ASCII|"
			     "byte count 57 is more than the 56-byte data field|");
	/* the 8-bit continued field: its low bit */
	n = make_report(&layout, report, "]C0", "AB", 2, false, -1);
	report[63] = 0xfe;
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.symbols, "]C0 1234|]C0 AB|");
}

/*
 * HID POS scanners can be set to append a suffix to the data: Honeywell's
 * Xenon/Voyager "Suffix" (CR, CR LF, Tab), Zebra's DS-series "Scan Data
 * Transmission Format" (<DATA> <SUFFIX 1> <SUFFIX 2>, default suffix CR).
 * GS1 symbols carry GS (0x1D) where FNC1 separates fields (GS1 General
 * Specifications, 7.8.5.2): that is data.
 */
static void run_suffix_cases(const uint8_t *desc, size_t desc_len)
{
	uint8_t report[HID_REPORT_MAX];
	char big[SCAN_TEXT_MAX + 3];
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct pos_capture c = { 0 };
	size_t n;

	CHECK_INT(hid_pos_layout_parse(desc, desc_len, &layout), 0);
	hid_pos_init(&p, &layout);
	n = make_report(&layout, report, "]C0", "31234000000057\r", 15, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "31234000000065\n", 15, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "31234000000073\r\n", 16, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "31234000000081\t", 15, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "31234000000099\t\r\n\r\n\t", 20, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.symbols, "]C0 31234000000057|]C0 31234000000065|]C0 31234000000073|"
			     "]C0 31234000000081|]C0 31234000000099|");

	/* the suffix in a report of its own, after the data's last one */
	memset(c.symbols, 0, sizeof(c.symbols));
	n = make_report(&layout, report, "]A0", "ABC", 3, true, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]A0", "\r", 1, true, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]A0", "\n", 1, false, -1);
	pos_feed(&p, &c, report, n);
	/* a suffix alone (a no-read): nothing */
	n = make_report(&layout, report, "]A0", "\r\n", 2, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.symbols, "]A0 ABC|");

	/* GS1-128 (01) 09501101530003 (10) AB-12 (21) 7: GS kept, also at the end */
	memset(c.symbols, 0, sizeof(c.symbols));
	n = make_report(&layout, report, "]C1", "0109501101530003" "10AB-12\x1d" "217\r\n", 29,
			false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C1", "10AB-12\x1d\r", 9, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.symbols, "]C1 010950110153000310AB-12\x1d" "217|]C1 10AB-12\x1d|");
	CHECK_INT(c.n_discards, 0);

	/* CR, LF or Tab with data after it is not a suffix: two symbols run together */
	n = make_report(&layout, report, "]C0", "12\r34\r", 6, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "AB\r\n\r\n\r\nC", 9, true, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "\t", 1, false, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "AB\t", 3, true, -1);
	pos_feed(&p, &c, report, n);
	n = make_report(&layout, report, "]C0", "C", 1, false, -1);
	pos_feed(&p, &c, report, n);
	CHECK_STR(c.reasons, "byte 0x0d at position 3 is not printable ASCII|"
			     "byte 0x0d at position 3 is not printable ASCII|"
			     "byte 0x09 at position 3 is not printable ASCII|");

	/* the suffix does not count against the length limit */
	memset(c.symbols, 0, sizeof(c.symbols));
	memset(big, '7', SCAN_TEXT_MAX);
	big[SCAN_TEXT_MAX] = '\r';
	big[SCAN_TEXT_MAX + 1] = '\n';
	for (size_t sent = 0; sent < SCAN_TEXT_MAX + 2; sent += layout.data_bytes) {
		size_t left = SCAN_TEXT_MAX + 2 - sent;
		size_t part = left < layout.data_bytes ? left : layout.data_bytes;

		n = make_report(&layout, report, "]C0", big + sent, part, part < left, -1);
		pos_feed(&p, &c, report, n);
	}
	CHECK_INT(c.n_symbols, 9);
	CHECK_INT(strlen(c.symbols), 4 + SCAN_TEXT_MAX + 1);
	CHECK_INT(c.n_discards, 3);
}

static void test_suffixes_trimmed_gs_kept(void)
{
	run_suffix_cases(board_desc, sizeof(board_desc));
	run_suffix_cases(byte_count_desc, sizeof(byte_count_desc));
}

static void test_short_and_foreign_reports(void)
{
	static const uint8_t short_report[] = { 0x02, ']', 'C', '0', 'A', 'B', 'C' };
	static const uint8_t foreign[] = { 0x03, ']', 'C', '0', 'X', 'Y' };
	uint8_t empty[1] = { 0x02 };
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct pos_capture c = { 0 };
	struct hid_pos_out out;

	CHECK_INT(hid_pos_layout_parse(board_desc, sizeof(board_desc), &layout), 0);
	hid_pos_init(&p, &layout);
	pos_feed(&p, &c, foreign, sizeof(foreign));
	pos_feed(&p, &c, short_report, 0);
	pos_feed(&p, &c, empty, sizeof(empty));
	/* a short report reads as if padded with zeros */
	pos_feed(&p, &c, short_report, sizeof(short_report));
	pos_feed(&p, &c, short_report, 2); /* cut inside the AIM id: none */
	CHECK_STR(c.symbols, "]C0 ABC|");
	CHECK_INT(c.n_discards, 0);

	CHECK_INT(hid_pos_feed(NULL, short_report, sizeof(short_report), &out), -EINVAL);
	CHECK_INT(hid_pos_feed(&p, NULL, 0, &out), -EINVAL);
	CHECK_INT(hid_pos_feed(&p, short_report, sizeof(short_report), NULL), -EINVAL);
	hid_pos_reset(NULL);
	hid_pos_init(NULL, &layout);
}

/* ---- malformed descriptors ---- */

struct bad_case {
	const char *name;
	const uint8_t *desc;
	size_t len;
	int want;
};

#define BAD(name, want, ...)                                                                \
	{ name, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), want }

static void test_malformed_descriptors(void)
{
	const struct bad_case cases[] = {
		BAD("truncated 2-byte item", -EINVAL, 0x05, 0x8c, 0x26, 0xff),
		BAD("truncated 4-byte item", -EINVAL, 0x0b, 0xfe, 0x00, 0x8c),
		BAD("truncated long item", -EINVAL, 0x05, 0x8c, 0xfe, 0x05, 0x10, 0x01, 0x02),
		BAD("long item without its header", -EINVAL, 0xfe, 0x00),
		BAD("pop of an empty stack", -EINVAL, 0x05, 0x8c, 0xb4),
		BAD("push past the stack", -EINVAL, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
		    0xa4),
		BAD("end collection without a collection", -EINVAL, 0x05, 0x8c, 0xc0),
		BAD("collection never closed", -EINVAL, 0x05, 0x8c, 0xa1, 0x01, 0x09, 0xfe, 0x75,
		    0x08, 0x95, 0x04, 0x81, 0x02),
		BAD("report id 0", -EINVAL, 0x85, 0x00),
		BAD("report id above 255", -EINVAL, 0x86, 0x00, 0x01),
		BAD("usage page above 16 bits", -EINVAL, 0x07, 0x00, 0x00, 0x01, 0x00),
		BAD("report size 257", -EINVAL, 0x05, 0x8c, 0x09, 0xfe, 0x76, 0x01, 0x01, 0x95,
		    0x01, 0x81, 0x02),
		BAD("report count 8193", -EINVAL, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x01, 0x96, 0x01,
		    0x20, 0x81, 0x02),
		BAD("report count 4 billion", -EINVAL, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08, 0x97,
		    0xff, 0xff, 0xff, 0xff, 0x81, 0x02),
		BAD("a 1025-byte report", -EINVAL, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08, 0x96, 0x01,
		    0x04, 0x81, 0x02),
		BAD("1024 bytes and a report id", -EINVAL, 0x85, 0x01, 0x05, 0x8c, 0x09, 0xfe,
		    0x75, 0x08, 0x96, 0x00, 0x04, 0x81, 0x02),
		BAD("a report grown past 1024 bytes", -EINVAL, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08,
		    0x96, 0x00, 0x04, 0x81, 0x02, 0x75, 0x01, 0x95, 0x01, 0x81, 0x03),
		BAD("usage minimum above maximum", -EINVAL, 0x05, 0x8c, 0x19, 0xfe, 0x29, 0xfb,
		    0x75, 0x08, 0x95, 0x03, 0x81, 0x02),
		BAD("usage range across pages", -EINVAL, 0x1b, 0xfb, 0x00, 0x8c, 0x00, 0x2b, 0xfd,
		    0x00, 0x8d, 0x00, 0x75, 0x08, 0x95, 0x03, 0x81, 0x02),
		/* well formed, but no scanner */
		BAD("a keyboard", -ENOENT, 0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19,
		    0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
		    0xc0),
		BAD("decoded data in an output report", -ENOENT, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08,
		    0x95, 0x10, 0x91, 0x02),
		BAD("decoded data in a feature report", -ENOENT, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08,
		    0x95, 0x10, 0xb1, 0x02),
		BAD("decoded data constant", -ENOENT, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08, 0x95,
		    0x10, 0x81, 0x03),
		BAD("decoded data of 16-bit controls", -ENOENT, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x10,
		    0x95, 0x10, 0x81, 0x02),
		BAD("decoded data in an array", -ENOENT, 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08, 0x95,
		    0x10, 0x81, 0x00),
		BAD("decoded data on another page", -ENOENT, 0x05, 0x8d, 0x09, 0xfe, 0x75, 0x08,
		    0x95, 0x10, 0x81, 0x02),
		BAD("nothing but a long item", -ENOENT, 0xfe, 0x01, 0x10, 0x00),
		BAD("pushed state", -ENOENT, 0xa4),
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hid_pos_layout layout;
		int got = hid_pos_layout_parse(cases[i].desc, cases[i].len, &layout);

		if (got != cases[i].want)
			fprintf(stderr, "%s: got %d, expected %d\n", cases[i].name, got,
				cases[i].want);
		CHECK_INT(got, cases[i].want);
		if (cases[i].want == -EINVAL)
			CHECK_INT(hid_descriptor_fields(cases[i].desc, cases[i].len, NULL, 0),
				  -EINVAL);
	}
}

static void test_edges_of_the_limits(void)
{
	/* exactly 1024 bytes, no id: fine */
	static const uint8_t max_report[] = { 0x05, 0x8c, 0x09, 0xfe, 0x75, 0x08,
					      0x96, 0x00, 0x04, 0x81, 0x02 };
	/* eight pushes and eight pops */
	static const uint8_t deep[] = { 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
					0xb4, 0xb4, 0xb4, 0xb4, 0xb4, 0xb4, 0xb4, 0xb4 };
	struct hid_pos_layout layout;

	CHECK_INT(hid_pos_layout_parse(max_report, sizeof(max_report), &layout), 0);
	CHECK_INT(layout.report_len, 1024);
	CHECK_INT(layout.data_bytes, 1024);
	CHECK_INT(hid_descriptor_fields(deep, sizeof(deep), NULL, 0), 0);
	CHECK_INT(hid_pos_layout_parse(NULL, 0, &layout), -ENOENT);
	CHECK_INT(hid_pos_layout_parse(NULL, 3, &layout), -EINVAL);
	CHECK_INT(hid_pos_layout_parse(board_desc, sizeof(board_desc), NULL), -EINVAL);
	CHECK_INT(hid_pos_layout_parse(keyboard_desc, sizeof(keyboard_desc), &layout), -ENOENT);
	CHECK_INT(hid_descriptor_fields(keyboard_desc, sizeof(keyboard_desc), NULL, 0), 5);
}

/* Every cut of a good descriptor is an error or a smaller descriptor, and never read past. */
static void test_every_truncation(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		for (size_t len = 0; len < fixtures[i].len; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			struct hid_pos_layout layout;
			int r;

			if (!copy)
				return;
			memcpy(copy, fixtures[i].desc, len);
			r = hid_pos_layout_parse(copy, len, &layout);
			CHECK(r == 0 || r == -EINVAL || r == -ENOENT);
			free(copy);
		}
	}
}

int main(void)
{
	RUN(test_layouts_of_the_fixtures);
	RUN(test_fields_of_the_board_descriptor);
	RUN(test_fields_of_the_vendor_descriptor);
	RUN(test_usage_lists);
	RUN(test_board_report_by_hand);
	RUN(test_common_scenarios_on_every_fixture);
	RUN(test_byte_count);
	RUN(test_suffixes_trimmed_gs_kept);
	RUN(test_short_and_foreign_reports);
	RUN(test_malformed_descriptors);
	RUN(test_edges_of_the_limits);
	RUN(test_every_truncation);
	return testlib_finish();
}
