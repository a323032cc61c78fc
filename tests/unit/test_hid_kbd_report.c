/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keyboards in report protocol (hid_kbd_layout_parse, hid_kbd_to_boot): a
 * keyboard interface that is not a boot interface is decoded by its report
 * descriptor, so a Report ID before the modifier byte is not taken for the
 * modifiers. The descriptors are published ones, byte for byte.
 */
#include <errno.h>
#include <string.h>

#include "../../hal/hid-keyboard.h"
#include "../../hal/hid-report.h"
#include "testlib.h"

/* HID 1.11, Appendix B.1 "Protocol 1 (Keyboard)": the boot keyboard, no report ids. */
static const uint8_t boot_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,
	0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x08, 0x81, 0x02,             /* modifiers, 8 bits */
	0x95, 0x01, 0x75, 0x08, 0x81, 0x01,             /* reserved byte */
	0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05,
	0x91, 0x02,                                     /* LED output */
	0x95, 0x01, 0x75, 0x03, 0x91, 0x01,
	0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
	0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, /* 6 keys, Array */
	0xc0,
};

/*
 * The keyboard of the Arduino Keyboard library (Keyboard.cpp,
 * _hidReportDescriptor), which composite devices built on the Arduino HID
 * core share an interface with a mouse and others: Report ID 2 first, so
 * each report is 9 bytes, id 0x02 where a boot report has its modifiers.
 */
static const uint8_t arduino_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,
	0x85, 0x02,                                     /* Report ID (2) */
	0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
	0x95, 0x01, 0x75, 0x08, 0x81, 0x03,
	0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x73,
	0x05, 0x07, 0x19, 0x00, 0x29, 0x73, 0x81, 0x00,
	0xc0,
};

/*
 * A composite scanner's HID interface (bInterfaceSubClass 0): a Consumer
 * Control collection as report 1 (the HID Usage Tables 1.12, 15.1), then the
 * keyboard as report 3 with its LEDs (HID 1.11, B.1, with a Report ID), then
 * a vendor report 4 that a naive reader would take for keys. The keyboard
 * report is 9 bytes: 03, modifiers, reserved, 6 keys.
 */
static const uint8_t composite_desc[] = {
	0x05, 0x0c, 0x09, 0x01, 0xa1, 0x01,
	0x85, 0x01,                                     /* Report ID (1) */
	0x15, 0x00, 0x26, 0x9c, 0x02, 0x19, 0x00, 0x2a, 0x9c, 0x02,
	0x75, 0x10, 0x95, 0x01, 0x81, 0x00,             /* consumer usage, 16-bit Array */
	0xc0,
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,
	0x85, 0x03,                                     /* Report ID (3) */
	0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
	0x95, 0x01, 0x75, 0x08, 0x81, 0x01,
	0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02,
	0x95, 0x01, 0x75, 0x03, 0x91, 0x01,
	0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
	0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00,
	0xc0,
	0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01,
	0x85, 0x04, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x08,
	0x09, 0x01, 0x81, 0x00,                         /* vendor Array */
	0xc0,
};

/*
 * The key array before the modifiers, as NicoHood's HID-Project keyboards
 * lay it out (Report ID, keys, then modifiers), and a Logical/Usage Minimum
 * that is not 0: a control's value 1 is usage 0x04 (a).
 */
static const uint8_t keys_first_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,
	0x85, 0x05,
	0x05, 0x07, 0x15, 0x01, 0x25, 0x62, 0x19, 0x04, 0x29, 0x65,
	0x75, 0x08, 0x95, 0x04, 0x81, 0x00,             /* 4 keys: value 1 = usage 0x04 */
	0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
	0x75, 0x01, 0x95, 0x08, 0x81, 0x02,             /* modifiers last */
	0xc0,
};

static void test_boot_descriptor_reads_as_boot(void)
{
	struct hid_kbd_layout l;
	const uint8_t report[8] = { 0x02, 0x00, 0x04, 0x1e, 0, 0, 0, 0 };
	uint8_t boot[8];

	CHECK_INT(hid_kbd_layout_parse(boot_desc, sizeof(boot_desc), &l), 0);
	CHECK_INT(l.report_id, 0);
	CHECK_INT(l.report_len, 8);
	CHECK_INT(l.keys_bit, 16);
	CHECK_INT(l.n_keys, 6);
	for (int i = 0; i < 8; i++) {
		CHECK(l.has_modifier[i]);
		CHECK_INT(l.modifier_bit[i], i);
	}
	CHECK_INT(hid_kbd_to_boot(&l, report, sizeof(report), boot), 1);
	CHECK(memcmp(boot, report, 8) == 0);
}

static void test_report_id_before_the_modifiers(void)
{
	struct hid_kbd_layout l;
	/* Shift + a, as the Arduino keyboard sends it */
	const uint8_t report[9] = { 0x02, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0 };
	const uint8_t want[8] = { 0x02, 0x00, 0x04, 0, 0, 0, 0, 0 };
	uint8_t boot[8];

	CHECK_INT(hid_kbd_layout_parse(arduino_desc, sizeof(arduino_desc), &l), 0);
	CHECK_INT(l.report_id, 2);
	CHECK_INT(l.report_len, 9);
	CHECK_INT(l.modifier_bit[0], 8);
	CHECK_INT(l.keys_bit, 24);
	CHECK_INT(hid_kbd_to_boot(&l, report, sizeof(report), boot), 1);
	CHECK(memcmp(boot, want, 8) == 0);
}

static void test_composite_finds_the_keyboard_report(void)
{
	struct hid_kbd_layout l;
	const uint8_t volume[3] = { 0x01, 0xe9, 0x00 };
	const uint8_t vendor[9] = { 0x04, 0x1e, 0x1f, 0x20, 0, 0, 0, 0, 0 };
	const uint8_t keys[9] = { 0x03, 0x20, 0x00, 0x1e, 0x27, 0, 0, 0, 0 };
	const uint8_t want[8] = { 0x20, 0x00, 0x1e, 0x27, 0, 0, 0, 0 };
	uint8_t boot[8] = { 0xaa };

	CHECK_INT(hid_kbd_layout_parse(composite_desc, sizeof(composite_desc), &l), 0);
	CHECK_INT(l.report_id, 3);
	CHECK_INT(l.report_len, 9);
	CHECK_INT(hid_kbd_to_boot(&l, volume, sizeof(volume), boot), 0);
	CHECK_INT(hid_kbd_to_boot(&l, vendor, sizeof(vendor), boot), 0);
	CHECK_INT(boot[0], 0xaa);
	CHECK_INT(hid_kbd_to_boot(&l, keys, sizeof(keys), boot), 1);
	CHECK(memcmp(boot, want, 8) == 0);
	/* a short report reads as if padded with zeros, as Linux pads it */
	CHECK_INT(hid_kbd_to_boot(&l, keys, 4, boot), 1);
	CHECK_INT(boot[2], 0x1e);
	CHECK_INT(boot[3], 0);
	CHECK_INT(hid_kbd_to_boot(&l, keys, 0, boot), 0);
}

static void test_keys_first_and_offset_usages(void)
{
	struct hid_kbd_layout l;
	/* id 5; keys: value 1 (a), 0 (none: below the logical minimum), 0x1b (0x1e, 1) */
	const uint8_t report[6] = { 0x05, 0x01, 0x00, 0x1b, 0x00, 0x02 };
	const uint8_t want[8] = { 0x02, 0x00, 0x04, 0x1e, 0, 0, 0, 0 };
	uint8_t boot[8];

	CHECK_INT(hid_kbd_layout_parse(keys_first_desc, sizeof(keys_first_desc), &l), 0);
	CHECK_INT(l.report_id, 5);
	CHECK_INT(l.report_len, 6);
	CHECK_INT(l.keys_bit, 8);
	CHECK_INT(l.modifier_bit[1], 40 + 1);
	CHECK_INT(hid_kbd_to_boot(&l, report, sizeof(report), boot), 1);
	CHECK(memcmp(boot, want, 8) == 0);
}

/* What the wedge decoder makes of the rewritten reports: the scan, not garbage. */
static void test_scan_through_the_wedge_decoder(void)
{
	static const uint8_t presses[][2] = {
		{ 0x00, 0x20 }, { 0x00, 0x1e }, { 0x00, 0x1f }, { 0x00, 0x20 },
		{ 0x02, 0x04 }, { 0x00, 0x28 },
	};
	struct hid_kbd_layout l;
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	uint8_t report[9] = { 0 }, boot[8];
	char got[SCAN_TEXT_MAX + 1] = "";
	uint64_t now = 0;

	CHECK_INT(hid_kbd_layout_parse(arduino_desc, sizeof(arduino_desc), &l), 0);
	hid_keyboard_init(&kb, HID_LAYOUT_US, 100);
	for (size_t i = 0; i < ARRAY_SIZE(presses); i++) {
		for (int up = 0; up < 2; up++) {
			memset(report, 0, sizeof(report));
			report[0] = 0x02;
			if (!up) {
				report[1] = presses[i][0];
				report[3] = presses[i][1];
			}
			CHECK_INT(hid_kbd_to_boot(&l, report, sizeof(report), boot), 1);
			CHECK_INT(hid_keyboard_feed(&kb, boot, sizeof(boot), now += 5, &out), 0);
			CHECK(!out.discarded);
			if (out.symbol)
				snprintf(got, sizeof(got), "%s", out.text);
		}
	}
	CHECK_STR(got, "3123A");
}

static void test_not_a_keyboard_and_malformed(void)
{
	/* the HID POS board descriptor of test_hid_report.c has no key array */
	static const uint8_t pos_desc[] = {
		0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xa1, 0x02,
		0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x03, 0x19, 0xfb, 0x29, 0xfd,
		0x81, 0x02, 0x95, 0x38, 0x09, 0xfe, 0x82, 0x02, 0x01, 0x75, 0x01, 0x95, 0x01,
		0x25, 0x01, 0x09, 0xff, 0x81, 0x02, 0x75, 0x07, 0x81, 0x03, 0xc0, 0xc0,
	};
	/* keys on the keyboard page as an Output: LEDs-like, not keys held */
	static const uint8_t output_keys[] = {
		0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x75, 0x08, 0x95, 0x06, 0x91, 0x00,
	};
	struct hid_kbd_layout l;
	uint8_t boot[8];

	CHECK_INT(hid_kbd_layout_parse(pos_desc, sizeof(pos_desc), &l), -ENOENT);
	CHECK_INT(hid_kbd_layout_parse(output_keys, sizeof(output_keys), &l), -ENOENT);
	CHECK_INT(hid_kbd_layout_parse(arduino_desc, sizeof(arduino_desc) - 1, &l), -EINVAL);
	CHECK_INT(hid_kbd_layout_parse(arduino_desc, 7, &l), -EINVAL);
	CHECK_INT(hid_kbd_layout_parse(arduino_desc, sizeof(arduino_desc), NULL), -EINVAL);
	CHECK_INT(hid_kbd_layout_parse(NULL, 0, &l), -ENOENT);
	CHECK_INT(hid_kbd_to_boot(NULL, boot, 8, boot), -EINVAL);
	CHECK_INT(hid_kbd_layout_parse(boot_desc, sizeof(boot_desc), &l), 0);
	CHECK_INT(hid_kbd_to_boot(&l, NULL, 8, boot), -EINVAL);
	CHECK_INT(hid_kbd_to_boot(&l, boot, 8, NULL), -EINVAL);
}

int main(void)
{
	RUN(test_boot_descriptor_reads_as_boot);
	RUN(test_report_id_before_the_modifiers);
	RUN(test_composite_finds_the_keyboard_report);
	RUN(test_keys_first_and_offset_usages);
	RUN(test_scan_through_the_wedge_decoder);
	RUN(test_not_a_keyboard_and_malformed);
	return testlib_finish();
}
