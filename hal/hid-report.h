/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HID report descriptors, and scanners that speak HID POS.
 *
 * hid_descriptor_fields() walks a report descriptor (short items; long
 * items skipped; Push/Pop; report ids; 4-byte extended usages) and lists
 * its Input, Output and Feature fields with the bit offset of each in its
 * report. hid_pos_layout_parse() finds in it, by usage, the fields of a
 * Bar Code Scanner (usage page 0x8C, HID Point of Sale Usage Tables 1.02):
 *
 *   0x8C:0xFB..0xFD  Symbology Identifier 1..3 (an AIM id such as "]E0")
 *   0x8C:0xFE        Decoded Data, a byte buffer
 *   0x8C:0xFF        Decode Data Continued, 1 bit: more of this symbol follows
 *   0x01:0x3B        Generic Desktop Byte Count: the used part of Decoded Data
 *                    (optional; page 0x8C has no length usage of its own)
 *
 * and hid_pos_feed() turns that report into symbols, reassembling the ones
 * that span several reports.
 *
 * Pure: no I/O, no allocation. The caller owns every struct here (nothing
 * to free) and the descriptor and report buffers, which are only read
 * during the call.
 */
#ifndef CIRCD_HAL_HID_REPORT_H
#define CIRCD_HAL_HID_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aim.h"
#include "scanner.h"

#define HID_REPORT_MAX 1024         /* bytes, report id included */
#define HID_FIELD_USAGES_MAX 16     /* usage ranges kept per field */
#define HID_POS_REASON_MAX 96

/* A usage with its page: page << 16 | id. */
#define HID_USAGE(page, id) ((uint32_t)(page) << 16 | (uint32_t)(id))
#define HID_PAGE_GENERIC_DESKTOP 0x01
#define HID_PAGE_BAR_CODE_SCANNER 0x8c
#define HID_USAGE_BYTE_COUNT HID_USAGE(HID_PAGE_GENERIC_DESKTOP, 0x3b)
#define HID_USAGE_SYMBOLOGY_ID_1 HID_USAGE(HID_PAGE_BAR_CODE_SCANNER, 0xfb)
#define HID_USAGE_SYMBOLOGY_ID_2 HID_USAGE(HID_PAGE_BAR_CODE_SCANNER, 0xfc)
#define HID_USAGE_SYMBOLOGY_ID_3 HID_USAGE(HID_PAGE_BAR_CODE_SCANNER, 0xfd)
#define HID_USAGE_DECODED_DATA HID_USAGE(HID_PAGE_BAR_CODE_SCANNER, 0xfe)
#define HID_USAGE_DECODE_DATA_CONTINUED HID_USAGE(HID_PAGE_BAR_CODE_SCANNER, 0xff)

/* Bits of a main item's data (HID 1.11, 6.2.2.5). */
#define HID_FIELD_CONSTANT 0x001
#define HID_FIELD_VARIABLE 0x002
#define HID_FIELD_RELATIVE 0x004
#define HID_FIELD_BUFFERED_BYTES 0x100

enum hid_field_kind {
	HID_FIELD_INPUT,
	HID_FIELD_OUTPUT,
	HID_FIELD_FEATURE,
};

struct hid_usage_range {
	uint32_t min, max; /* full usages (page << 16 | id); min == max for a single Usage */
};

struct hid_field {
	enum hid_field_kind kind;
	uint8_t report_id;   /* 0: the descriptor declares no report ids */
	uint32_t flags;      /* HID_FIELD_* */
	uint32_t bit_offset; /* in the report as it arrives: after the id byte, if any */
	uint32_t bit_size;   /* Report Size */
	uint32_t count;      /* Report Count */
	int32_t logical_min, logical_max;
	/*
	 * The Usage / Usage Minimum..Maximum items before the main item, in
	 * order, pages applied. The first HID_FIELD_USAGES_MAX are kept.
	 */
	size_t n_usages;
	struct hid_usage_range usages[HID_FIELD_USAGES_MAX];
	bool usages_truncated;
};

/*
 * Walks desc[0..len) and stores its first max_fields fields in fields[]
 * (which may be NULL when max_fields is 0). Returns how many fields the
 * descriptor has, which may be more than max_fields; -EINVAL when it is
 * malformed: a truncated item, Push past the stack or Pop of an empty one,
 * an unbalanced End Collection, a Report ID of 0, a Usage Minimum above its
 * Maximum, a Report Size over 256 or Report Count over 8192, a report
 * longer than HID_REPORT_MAX bytes.
 */
int hid_descriptor_fields(const uint8_t *desc, size_t len, struct hid_field *fields,
			  size_t max_fields);

/*
 * The usage of control index (0 .. count-1) of a field, per the HID rules:
 * a Variable field's controls take the usages in order, the last one
 * repeating; a Buffered Bytes field is one buffer with its first usage; an
 * Array field's usages are what its controls may report, so 0 here. 0 too
 * when the usage list was truncated before index.
 */
uint32_t hid_field_usage(const struct hid_field *field, uint32_t index);

/*
 * Keyboards in report protocol: where a keyboard interface that is not a
 * boot interface (composite scanners, a Report ID before the modifiers)
 * puts its modifier bits and its key array, found by usage in its report
 * descriptor: the Keyboard/Keypad page (0x07) LeftControl..Right GUI
 * (0xE0..0xE7) as Variable bits, and an Array field of that page whose
 * values are the usages of keys held down.
 */
#define HID_PAGE_KEYBOARD 0x07
#define HID_KEY_MODIFIER_FIRST 0xe0
#define HID_KEYS_MAX 32           /* key array controls decoded; boot reports have 6 */

struct hid_kbd_layout {
	uint8_t report_id;            /* 0: the device declares no report ids */
	size_t report_len;            /* bytes, id included */
	bool has_modifier[8];
	uint32_t modifier_bit[8];     /* bit of LeftControl + i */
	uint32_t keys_bit;            /* first control of the key array */
	uint32_t key_bits;            /* Report Size of its controls */
	uint32_t n_keys;              /* controls decoded, at most HID_KEYS_MAX */
	int32_t keys_logical_min;     /* a control's value v stands for usage */
	uint32_t keys_usage_min;      /* keys_usage_min + v - keys_logical_min */
};

/*
 * Finds the first Input report with an Array field on the keyboard page
 * (8-bit or wider controls, up to 16 bits) and the modifier bits in the
 * same report. 0; -EINVAL for a malformed descriptor; -ENOENT when no
 * Input report has a key array.
 */
int hid_kbd_layout_parse(const uint8_t *desc, size_t len, struct hid_kbd_layout *ret);

/*
 * Rewrites one Input report as it arrived (id byte first, if the device
 * uses ids) into the 8-byte boot report that hid_keyboard_feed() reads:
 * modifiers, 0, then up to 6 usages of keys held (the first 6 non-empty
 * controls). Bytes past len read as 0. 1 when boot[] was written; 0 for a
 * report with another id, or an empty one; -EINVAL for NULL arguments.
 */
int hid_kbd_to_boot(const struct hid_kbd_layout *layout, const uint8_t *report, size_t len,
		    uint8_t boot[8]);

/* Where a HID POS scanner puts what, in its scanned data Input report. */
struct hid_pos_layout {
	uint8_t report_id;        /* 0: the device declares no report ids */
	size_t report_len;        /* bytes, id included */
	uint32_t data_bit;        /* first byte of Decoded Data */
	uint32_t data_bytes;
	bool has_symbology[3];
	uint32_t symbology_bit[3];
	bool has_continued;
	uint32_t continued_bit;
	bool has_length;          /* a Byte Count field in the same report */
	uint32_t length_bit, length_bits;
};

/*
 * Finds the first Input field with Decoded Data (8-bit controls, Variable
 * or Buffered Bytes) and the other fields above in the same report. 0;
 * -EINVAL for a malformed descriptor (see hid_descriptor_fields); -ENOENT
 * when there is no Decoded Data in an Input report.
 */
int hid_pos_layout_parse(const uint8_t *desc, size_t len, struct hid_pos_layout *ret);

/* Caller-owned reassembly state; only hid_pos_*() look inside. */
struct hid_pos {
	struct hid_pos_layout layout;
	bool pending;                   /* a report with Decode Data Continued came */
	size_t len;                     /* bytes of the symbol so far, may exceed SCAN_TEXT_MAX */
	char text[SCAN_TEXT_MAX + 1];   /* the first SCAN_TEXT_MAX of them */
	char aim[4];
	size_t n_suffix;                /* CR/LF/Tab bytes since the last data byte */
	uint8_t suffix[4];              /* the first of them, as they came */
	bool spoiled;                   /* a reason to discard the symbol came */
	char reason[HID_POS_REASON_MAX];
};

/* Copies what it needs from layout: the layout may go after this. */
void hid_pos_init(struct hid_pos *p, const struct hid_pos_layout *layout);

struct hid_pos_out {
	bool symbol;                    /* text holds a complete symbol */
	char text[SCAN_TEXT_MAX + 1];
	size_t len;
	char aim[4];                    /* the AIM id such as "]E0", or "" */
	bool discarded;                 /* a symbol was thrown away */
	char reason[HID_POS_REASON_MAX];
};

/*
 * Feeds one Input report as it arrived (id byte first, if the device uses
 * ids). Clears *out first. Reports with another id, and complete symbols
 * with no data (some scanners send an empty report after each one), are
 * ignored. Data ends at the Byte Count if the device sends one, else at the
 * first NUL; bytes past len read as 0, as Linux pads short reports. A
 * suffix the scanner appends (CR, LF, Tab, any run of them) is trimmed; GS
 * (0x1D, the GS1 field separator) is data and stays in the text. A symbol
 * with any other byte outside printable ASCII (a CR, LF or Tab followed by
 * more data too), or longer than SCAN_TEXT_MAX without its suffix, is
 * discarded with the reason once its last report arrives. Returns 0, or
 * -EINVAL for NULL arguments.
 */
int hid_pos_feed(struct hid_pos *p, const uint8_t *report, size_t len, struct hid_pos_out *out);

/* Forgets a partial symbol (device unplugged). Keeps the layout. */
void hid_pos_reset(struct hid_pos *p);

#endif
