/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>

#include "../../hal/iso28560-3.h"
#include "testlib.h"

/*
 * A 32-byte Danish data model tag from libdanrfid's tests
 * (github.com/GallusMax/libdanrfid, DDMDataTest.java and CRCTest.java):
 * version 1, circulating, part 1 of 1, item "11223344", CRC 0x3E51 stored
 * LSB first (51 3E), country "DE", ISIL "705". Its CRC, 0x3E51, is the one
 * libdanrfid computes as the model says: bytes 0-18 and 21-31, then the
 * two bytes a 32-byte tag lacks as zeros.
 */
static const uint8_t libdanrfid_tag[32] = {
	0x11, 0x01, 0x01, '1', '1', '2', '2', '3', '3', '4', '4', 0, 0, 0, 0, 0,
	0,    0,    0,    0x51, 0x3E, 'D', 'E', '7', '0', '5', 0, 0, 0, 0, 0, 0,
};

static void test_crc_published_values(void)
{
	/*
	 * "RFID tag data model" -> 0x1AEE: the model's reference string and
	 * CRC, as libdanrfid's CRC.java quotes them; "123456789" -> 0x29B1 is
	 * the check value of CRC-16/IBM-3740 (CCITT-FALSE: 0x1021, initial
	 * 0xFFFF, no reflection, no final XOR) in the CRC RevEng catalogue.
	 */
	static const char reference[] = "RFID tag data model";
	static const char digits[] = "123456789";
	uint16_t computed = 0, stored = 0;

	CHECK_INT(iso28560_3_crc_update(0xFFFF, (const uint8_t *)reference, sizeof(reference) - 1),
		  0x1AEE);
	CHECK_INT(iso28560_3_crc_update(0xFFFF, (const uint8_t *)digits, 9), 0x29B1);
	CHECK_INT(iso28560_3_block_crc(libdanrfid_tag, 32, &computed, &stored), 0);
	CHECK_INT(computed, 0x3E51);
	CHECK_INT(stored, 0x3E51);
	CHECK(iso28560_3_crc_ok(libdanrfid_tag, 32));
	CHECK_INT(iso28560_3_block_crc(libdanrfid_tag, 31, &computed, &stored), -EINVAL);
	CHECK(!iso28560_3_crc_ok(libdanrfid_tag, 31));
	CHECK(!iso28560_3_crc_ok(NULL, 32));
}

static void test_decode_published_tag(void)
{
	struct tag_data t;
	char why[96];

	CHECK_INT(iso28560_3_decode(libdanrfid_tag, sizeof(libdanrfid_tag), &t, why, sizeof(why)),
		  0);
	CHECK_STR(why, "");
	CHECK_INT(t.model, TAG_MODEL_28560_3);
	CHECK_INT(t.version, 1);
	CHECK(t.has_usage);
	CHECK_INT(t.usage, 0x10);
	CHECK_INT(tag_usage_class(&t), TAG_USAGE_CIRCULATING);
	CHECK(t.has_set);
	CHECK_INT(t.set_size, 1);
	CHECK_INT(t.set_part, 1);
	CHECK_STR(t.item_id, "11223344");
	CHECK_STR(t.owner_isil, "DE-705");
	CHECK_STR(t.title, "");
	CHECK_STR(t.media_format, "");
}

static void test_encode_gives_published_tag(void)
{
	struct tag_data t = { .has_usage = true, .usage = TAG_USAGE_CIRCULATING << 4 };
	uint8_t mem[40];

	strcpy(t.item_id, "11223344");
	strcpy(t.owner_isil, "DE-705");
	memset(mem, 0xAA, sizeof(mem));
	CHECK_INT(iso28560_3_encode(&t, mem, 32), 32);
	CHECK(memcmp(mem, libdanrfid_tag, 32) == 0);
	CHECK_INT(mem[32], 0xAA); /* nothing written past the size */
	/* on a bigger tag, the whole basic block: the same bytes, two more ISIL zeros, same CRC */
	CHECK_INT(iso28560_3_encode(&t, mem, sizeof(mem)), 34);
	CHECK(memcmp(mem, libdanrfid_tag, 32) == 0);
	CHECK_INT(mem[32], 0);
	CHECK_INT(mem[33], 0);
	CHECK_INT(mem[34], 0xAA);
}

static void test_damaged_tag(void)
{
	uint8_t mem[32];
	struct tag_data t;
	char why[96];

	/* one bit of the item id flipped: '1' -> '0' */
	memcpy(mem, libdanrfid_tag, sizeof(mem));
	mem[3] ^= 0x01;
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	CHECK(strncmp(why, "damaged tag (CRC 0x3E51 on the tag, 0x", 38) == 0);
	CHECK_STR(t.item_id, "");
	/* the CRC itself damaged */
	memcpy(mem, libdanrfid_tag, sizeof(mem));
	mem[20] = 0x3F;
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "damaged tag (CRC 0x3F51 on the tag, 0x3E51 computed)");
	/* CRC bytes swapped (stored MSB first) is damage too */
	mem[19] = 0x3E;
	mem[20] = 0x51;
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	/* a blank tag */
	memset(mem, 0, sizeof(mem));
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	/* why is cut, never overrun */
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, 8), -EBADMSG);
	CHECK_STR(why, "damaged");
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, NULL, 0), -EBADMSG);
}

/* Rewrites the CRC of a block changed by a test. */
static void fix_crc(uint8_t *mem, size_t len)
{
	uint16_t crc;

	iso28560_3_block_crc(mem, len, &crc, NULL);
	mem[19] = crc & 0xff;
	mem[20] = crc >> 8;
}

static void test_decode_refusals(void)
{
	uint8_t mem[34];
	struct tag_data t;
	char why[128];

	CHECK_INT(iso28560_3_decode(libdanrfid_tag, 31, &t, why, sizeof(why)), -ENODATA);
	CHECK_STR(why, "31 bytes read, ISO 28560-3 needs 32 at least");
	CHECK_INT(iso28560_3_decode(NULL, 32, &t, why, sizeof(why)), -EINVAL);
	CHECK_INT(iso28560_3_decode(libdanrfid_tag, 32, NULL, why, sizeof(why)), -EINVAL);

	/*
	 * ISO 28560-3 clarification (biblstandard.dk/rfid/docs/clarification_28560-3.htm):
	 * an identifier longer than 16 bytes leaves 0x01 in byte 3 and goes to
	 * the library extension block.
	 */
	memcpy(mem, libdanrfid_tag, 32);
	mem[32] = mem[33] = 0;
	mem[3] = 0x01;
	fix_crc(mem, sizeof(mem));
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -ENOTSUP);
	CHECK_STR(why, "primary item identifier is in the library extension block, "
		       "which is not read");

	memcpy(mem, libdanrfid_tag, 32);
	mem[5] = '\t';
	fix_crc(mem, sizeof(mem));
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "control character in the primary item identifier");

	memcpy(mem, libdanrfid_tag, 32);
	mem[24] = 0x7f;
	fix_crc(mem, sizeof(mem));
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "control character in the owner's ISIL");

	memcpy(mem, libdanrfid_tag, 32);
	mem[0] = 0x01; /* version 0 */
	fix_crc(mem, sizeof(mem));
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), -EBADMSG);
}

static void test_usage_and_sets(void)
{
	/* a patron card (class 8) and part 2 of a 3-part set, ISO 28560-1's classes */
	static const uint8_t classes[] = { TAG_USAGE_ACQUISITION, TAG_USAGE_CIRCULATING,
					   TAG_USAGE_NOT_CIRCULATING, TAG_USAGE_DISCARDED,
					   TAG_USAGE_PATRON_CARD, TAG_USAGE_LIBRARY_EQUIPMENT };
	struct tag_data t = { .has_set = true, .set_size = 3, .set_part = 2, .has_usage = true };
	struct tag_data back;
	uint8_t mem[34];
	char why[96];

	strcpy(t.item_id, "5001234567");
	strcpy(t.owner_isil, "DK-710100");
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		t.usage = (uint8_t)(classes[i] << 4 | 0x3); /* the low nibble is not kept */
		CHECK_INT(iso28560_3_encode(&t, mem, sizeof(mem)), 34);
		CHECK_INT(mem[0], 0x10 | classes[i]);
		CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &back, why, sizeof(why)), 0);
		CHECK_INT(tag_usage_class(&back), classes[i]);
		CHECK_INT(back.usage & 0x0f, 0);
		CHECK_INT(back.set_size, 3);
		CHECK_INT(back.set_part, 2);
		CHECK_STR(back.item_id, "5001234567");
		CHECK_STR(back.owner_isil, "DK-710100");
	}
	/* without has_set and has_usage: one part, circulating */
	t.has_set = t.has_usage = false;
	CHECK_INT(iso28560_3_encode(&t, mem, sizeof(mem)), 34);
	CHECK_INT(mem[0], 0x11);
	CHECK_INT(mem[1], 1);
	CHECK_INT(mem[2], 1);
}

static void test_long_fields(void)
{
	struct tag_data t = { 0 }, back;
	uint8_t mem[64];
	char why[96];

	/* 16 characters of item id and 11 of ISIL fill the 34-byte block exactly */
	strcpy(t.item_id, "ABCDEFGHIJKLMNOP");
	strcpy(t.owner_isil, "SE-Abcdefghijk");
	CHECK_INT(iso28560_3_encode(&t, mem, sizeof(mem)), 34);
	memset(mem + 34, 0xEE, sizeof(mem) - 34); /* extension area: not read */
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &back, why, sizeof(why)), 0);
	CHECK_STR(back.item_id, "ABCDEFGHIJKLMNOP");
	CHECK_STR(back.owner_isil, "SE-Abcdefghijk");
	/* a 32-byte tag holds 9 */
	CHECK_INT(iso28560_3_encode(&t, mem, 33), -EINVAL);
	strcpy(t.owner_isil, "SE-Abcdefghi");
	CHECK_INT(iso28560_3_encode(&t, mem, 33), 32);
	CHECK_INT(iso28560_3_decode(mem, 32, &back, why, sizeof(why)), 0);
	CHECK_STR(back.owner_isil, "SE-Abcdefghi");
	/* 17 characters of item id: the extension block would be needed */
	strcpy(t.item_id, "ABCDEFGHIJKLMNOPQ");
	CHECK_INT(iso28560_3_encode(&t, mem, sizeof(mem)), -EINVAL);
}

static void test_encode_refusals(void)
{
	struct tag_data t = { 0 };
	uint8_t mem[34];

	strcpy(t.item_id, "1234");
	CHECK_INT(iso28560_3_encode(&t, mem, 31), -ENOSPC);
	CHECK_INT(iso28560_3_encode(NULL, mem, 34), -EINVAL);
	CHECK_INT(iso28560_3_encode(&t, NULL, 34), -EINVAL);
	/* an empty ISIL (acquisition, before the owner is known) is fine */
	CHECK_INT(iso28560_3_encode(&t, mem, 34), 34);
	/* non-country prefixes (ISO 15511: 1, 3 or 4 characters) have no place here */
	strcpy(t.owner_isil, "ZDB-1");
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	strcpy(t.owner_isil, "DK710100");
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	strcpy(t.owner_isil, "12-3");
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	strcpy(t.owner_isil, "DK-710100");
	t.has_set = true;
	t.set_size = 2;
	t.set_part = 3;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	t.set_part = 0;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	t.set_part = 2;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), 34);
	strcpy(t.item_id, "12\n4");
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	t.item_id[0] = 0x01;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	strcpy(t.item_id, "1234");
	t.version = 0x10;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), -EINVAL);
	t.version = 2;
	CHECK_INT(iso28560_3_encode(&t, mem, 34), 34);
	CHECK_INT(mem[0] >> 4, 2);
}

/* Sets a frame's checksum byte so that the XOR of the frame is 0. */
static void seal(uint8_t *frame, size_t checksum_at)
{
	uint8_t xor = 0;

	frame[checksum_at] = 0;
	for (size_t i = 0; i < frame[0]; i++)
		xor ^= frame[i];
	frame[checksum_at] = xor;
}

static void test_extension_blocks(void)
{
	/*
	 * Frames as the Danish model's section 3.3 describes them: length
	 * (whole frame), ID LSB first with the 0xFF escape, XOR checksum; 1 is
	 * a filler byte, 0 the end.
	 */
	uint8_t mem[64] = { 0 };
	struct iso28560_3_extension ext;
	size_t cursor = ISO28560_3_BLOCK_SIZE;
	uint8_t *p = mem + ISO28560_3_BLOCK_SIZE;

	memcpy(mem, libdanrfid_tag, 32);
	/* library extension block (ID 1), 4 bytes of data */
	p[0] = 8;
	p[1] = 0x01;
	p[2] = 0x00;
	p[4] = 0x05;
	p[5] = 0x00;
	p[6] = 'A';
	p[7] = 'B';
	seal(p, 3);
	p[8] = 1; /* filler */
	/* ID 0x561234 in the escaped form: 34 FF 12 56 */
	p[9] = 7;
	p[10] = 0x34;
	p[11] = 0xFF;
	p[12] = 0x12;
	p[13] = 0x56;
	p[15] = 'x';
	seal(p + 9, 5);
	/* then 0: the end */

	CHECK(iso28560_3_crc_ok(mem, sizeof(mem)));
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), 1);
	CHECK_INT(ext.offset, 34);
	CHECK_INT(ext.len, 8);
	CHECK_INT(ext.id, ISO28560_3_EXT_LIBRARY);
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), 1);
	CHECK_INT(ext.offset, 43);
	CHECK_INT(ext.len, 7);
	CHECK_INT(ext.id, 0x561234);
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), 0);
	CHECK_INT(cursor, 50);
	/* the memory ending right after a block is the end too */
	cursor = ISO28560_3_BLOCK_SIZE;
	CHECK_INT(iso28560_3_next_extension(mem, 42, &cursor, &ext), 1);
	CHECK_INT(iso28560_3_next_extension(mem, 42, &cursor, &ext), 0);
	/* a 32-byte tag has none */
	cursor = ISO28560_3_BLOCK_SIZE;
	CHECK_INT(iso28560_3_next_extension(mem, 32, &cursor, &ext), 0);

	/* a flipped data bit, a frame past the end, a frame shorter than its header */
	p[5] ^= 0x40;
	cursor = ISO28560_3_BLOCK_SIZE;
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), -EBADMSG);
	CHECK_INT(cursor, 34);
	p[5] ^= 0x40;
	CHECK_INT(iso28560_3_next_extension(mem, 41, &cursor, &ext), -EBADMSG);
	p[0] = 3;
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), -EBADMSG);
	/* an escaped ID needs 6 bytes of header */
	p[0] = 5;
	p[2] = 0xFF;
	CHECK_INT(iso28560_3_next_extension(mem, sizeof(mem), &cursor, &ext), -EBADMSG);
	CHECK_INT(iso28560_3_next_extension(NULL, sizeof(mem), &cursor, &ext), -EINVAL);
	/* the basic block does not depend on them */
	{
		struct tag_data t;
		char why[96];

		CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), 0);
		CHECK_STR(t.item_id, "11223344");
	}
}

/*
 * ISO 28560-3:2014 annex B, examples 1 and 2, as the tests of the Lainuri
 * self-service kiosk reproduce them (github.com/Hypernova-Oy/lainuri,
 * programs/lainuri-serve/lib/iso28560/tests/01-iso-28560-3_test.py): item
 * 1000000056 (CRC 98 A4) and item 1000000136 (CRC 36 15) of DK-718500,
 * circulating, 1 of 1; example 2 goes on with a library extension block
 * (05 01 00 05, media format 1: book) and an acquisition extension block of
 * 34 bytes (22 02 00 71: supplier "Bogvognen", local product id
 * "1234567890", no order number, invoice "a789656c", the last field ended
 * by the frame), then the end byte.
 */
static const uint8_t annex_b1[34] = {
	0x11, 0x01, 0x01, '1', '0', '0', '0', '0', '0', '0', '0', '5', '6', 0, 0, 0,
	0,    0,    0,    0x98, 0xA4, 'D', 'K', '7', '1', '8', '5', '0', '0', 0, 0, 0,
	0,    0,
};

static const uint8_t annex_b2[81] = {
	0x11, 0x01, 0x01, '1', '0', '0', '0', '0', '0', '0', '1', '3', '6', 0, 0, 0,
	0,    0,    0,    0x36, 0x15, 'D', 'K', '7', '1', '8', '5', '0', '0', 0, 0, 0,
	0,    0,
	0x05, 0x01, 0x00, 0x05, 0x01,
	0x22, 0x02, 0x00, 0x71, 'B', 'o', 'g', 'v', 'o', 'g', 'n', 'e', 'n', 0,
	'1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 0, 0, 'a', '7', '8', '9', '6', '5', '6', 'c',
	0x00, /* the end; the rest of the 27 blocks of 3 bytes is 0 too */
};

static void check_field(const uint8_t *mem, const struct iso28560_3_extension *ext, unsigned n,
			const char *want)
{
	const uint8_t *field = NULL;
	size_t len = 99;

	CHECK_INT(iso28560_3_ext_field(mem, ext, n, &field, &len), 0);
	CHECK_INT(len, strlen(want));
	CHECK(len == 0 || memcmp(field, want, len) == 0);
}

static void test_annex_b_examples(void)
{
	struct iso28560_3_extension ext;
	size_t cursor = ISO28560_3_BLOCK_SIZE;
	struct tag_data t, in = { 0 };
	uint8_t mem[sizeof(annex_b2)];
	char why[128];

	CHECK_INT(iso28560_3_decode(annex_b1, sizeof(annex_b1), &t, why, sizeof(why)), 0);
	CHECK_STR(t.item_id, "1000000056");
	CHECK_STR(t.owner_isil, "DK-718500");

	CHECK_INT(iso28560_3_decode(annex_b2, sizeof(annex_b2), &t, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_STR(t.item_id, "1000000136");
	CHECK_STR(t.owner_isil, "DK-718500");
	CHECK_INT(tag_usage_class(&t), TAG_USAGE_CIRCULATING);
	CHECK_INT(t.media_code, TAG_MEDIA_BOOK);
	CHECK_STR(t.alt_item_id, "");
	CHECK_INT(t.damaged_extension_at, 0);

	CHECK_INT(iso28560_3_next_extension(annex_b2, sizeof(annex_b2), &cursor, &ext), 1);
	CHECK_INT(ext.id, ISO28560_3_EXT_LIBRARY);
	CHECK_INT(ext.data_at, 38);
	check_field(annex_b2, &ext, ISO28560_3_LIBRARY_ITEM_ID, "");
	CHECK_INT(iso28560_3_next_extension(annex_b2, sizeof(annex_b2), &cursor, &ext), 1);
	CHECK_INT(ext.id, ISO28560_3_EXT_ACQUISITION);
	CHECK_INT(ext.len, 34);
	check_field(annex_b2, &ext, ISO28560_3_ACQ_SUPPLIER, "Bogvognen");
	check_field(annex_b2, &ext, ISO28560_3_ACQ_PRODUCT, "1234567890");
	check_field(annex_b2, &ext, ISO28560_3_ACQ_ORDER, "");
	check_field(annex_b2, &ext, ISO28560_3_ACQ_INVOICE, "a789656c");
	check_field(annex_b2, &ext, ISO28560_3_ACQ_GS1_PRODUCT, ""); /* cut off: empty */
	CHECK_INT(iso28560_3_next_extension(annex_b2, sizeof(annex_b2), &cursor, &ext), 0);
	CHECK_INT(cursor, 73);
	CHECK_INT(iso28560_3_ext_field(annex_b2, NULL, 0, NULL, NULL), -EINVAL);

	/* the encoder writes the same basic and library blocks, then the end */
	strcpy(in.item_id, "1000000136");
	strcpy(in.owner_isil, "DK-718500");
	in.media_code = TAG_MEDIA_BOOK;
	memset(mem, 0xAA, sizeof(mem));
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), 40);
	CHECK(memcmp(mem, annex_b2, 39) == 0);
	CHECK_INT(mem[39], 0);
	CHECK_INT(mem[40], 0xAA);
}

static void test_extension_round_trip(void)
{
	struct tag_data in = { .has_set = true, .set_size = 2, .set_part = 1 }, back;
	struct iso28560_3_extension ext;
	size_t cursor = ISO28560_3_BLOCK_SIZE;
	uint8_t mem[160];
	char why[128];
	int n;

	strcpy(in.item_id, "5001234567");
	strcpy(in.owner_isil, "DK-710100");
	strcpy(in.alt_item_id, "9788702173925");
	strcpy(in.shelf_location, "Fiktion, Bl\xc3\xa6k");
	strcpy(in.media_format, "BC");
	strcpy(in.title, "Smilla's Sense of Snow");
	in.media_code = TAG_MEDIA_VERY_SMALL;
	n = iso28560_3_encode_extensions(&in, mem, sizeof(mem));
	CHECK(n > ISO28560_3_BLOCK_SIZE);
	CHECK_INT(mem[n - 1], 0); /* the end byte */
	CHECK_INT(iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)), 0);
	CHECK_STR(back.item_id, "5001234567");
	CHECK_STR(back.alt_item_id, "9788702173925");
	CHECK_STR(back.shelf_location, "Fiktion, Bl\xc3\xa6k");
	CHECK_STR(back.media_format, "BC");
	CHECK_STR(back.title, "Smilla's Sense of Snow");
	CHECK_INT(back.media_code, TAG_MEDIA_VERY_SMALL);
	CHECK_INT(back.set_size, 2);
	CHECK_INT(back.damaged_extension_at, 0);
	/* library, supplement (shelf, no MARC, ONIX; cut after it), title */
	CHECK_INT(iso28560_3_next_extension(mem, (size_t)n, &cursor, &ext), 1);
	CHECK_INT(ext.id, ISO28560_3_EXT_LIBRARY);
	CHECK_INT(ext.len, 4 + 1 + 13);
	CHECK_INT(iso28560_3_next_extension(mem, (size_t)n, &cursor, &ext), 1);
	CHECK_INT(ext.id, ISO28560_3_EXT_SUPPLEMENT);
	CHECK_INT(ext.len, 4 + 14 + 1 + 1 + 2);
	check_field(mem, &ext, ISO28560_3_SUPPLEMENT_MARC_MEDIA, "");
	check_field(mem, &ext, ISO28560_3_SUPPLEMENT_SUBSIDIARY, "");
	CHECK_INT(iso28560_3_next_extension(mem, (size_t)n, &cursor, &ext), 1);
	CHECK_INT(ext.id, ISO28560_3_EXT_TITLE);
	CHECK_INT(iso28560_3_next_extension(mem, (size_t)n, &cursor, &ext), 0);
	CHECK_INT(cursor, (size_t)n - 1);

	/* nothing for an extension: the basic block alone, as iso28560_3_encode() */
	memset(&in, 0, sizeof(in));
	strcpy(in.item_id, "11223344");
	strcpy(in.owner_isil, "DE-705");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), 34);
	CHECK(memcmp(mem, libdanrfid_tag, 32) == 0);
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 32), 32);
}

static void test_item_id_in_extension(void)
{
	struct tag_data in = { 0 }, back;
	uint8_t mem[80];
	char why[160];
	int n;

	/* longer than the basic block's 16: 0x01 in byte 3, the id in the library block */
	strcpy(in.item_id, "3001234567890123456789");
	strcpy(in.owner_isil, "DK-710100");
	n = iso28560_3_encode_extensions(&in, mem, sizeof(mem));
	CHECK_INT(n, 34 + 4 + 1 + 22 + 1);
	CHECK_INT(mem[3], 0x01);
	CHECK(iso28560_3_crc_ok(mem, (size_t)n));
	CHECK_INT(iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)), 0);
	CHECK_STR(back.item_id, "3001234567890123456789");
	CHECK_STR(back.alt_item_id, "");
	/* the memory read ends with the basic block: as before */
	CHECK_INT(iso28560_3_decode(mem, 34, &back, why, sizeof(why)), -ENOTSUP);
	/* no library block after it */
	mem[34] = 0;
	CHECK_INT(iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "damaged tag (the primary item identifier is in a library extension "
		       "block the tag does not have)");
	/* a damaged one */
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), n);
	mem[45] ^= 0x02;
	CHECK_INT(iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)), -EBADMSG);
	CHECK_STR(why, "damaged tag (the primary item identifier is in the library extension "
		       "block, and the extension at byte 34 is damaged)");
	/* an empty one names no item */
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), n);
	mem[34] = 5;
	mem[37] = 0;
	mem[37] = (uint8_t)(mem[34] ^ mem[35] ^ mem[36] ^ mem[38]);
	CHECK_INT(iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)), -EBADMSG);

	/* one field holds the long id or the alternative one */
	strcpy(in.alt_item_id, "X");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), -EINVAL);
	/* past what struct tag_data holds, or in a 32-byte tag: no */
	memset(in.item_id, '7', sizeof(in.item_id));
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), -EINVAL);
	strcpy(in.item_id, "3001234567890123456789");
	in.alt_item_id[0] = '\0';
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 32), -ENOSPC);
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 40), -ENOSPC);
}

/* Appends a frame of id with data to mem at *at, sealed. */
static void put_frame(uint8_t *mem, size_t *at, uint16_t id, const void *data, size_t len)
{
	uint8_t *f = mem + *at;

	f[0] = (uint8_t)(4 + len);
	f[1] = id & 0xff;
	f[2] = id >> 8;
	memcpy(f + 4, data, len);
	seal(f, 3);
	*at += 4 + len;
}

static void test_damaged_and_unknown_extensions(void)
{
	static const uint8_t library[] = { TAG_MEDIA_CD_DVD, 'A', 'L', 'T' };
	static const char title[] = "Title";
	uint8_t mem[200] = { 0 }, cut[160];
	struct tag_data t;
	size_t at = 34, title_at, library_at;
	char why[128];

	memcpy(mem, libdanrfid_tag, 32);
	library_at = at;
	put_frame(mem, &at, ISO28560_3_EXT_LIBRARY, library, sizeof(library));
	put_frame(mem, &at, 0x1234, "??", 2);            /* unknown: skipped */
	put_frame(mem, &at, ISO28560_3_EXT_ILL, "DK-1", 4); /* nothing the kiosk shows */
	title_at = at;
	put_frame(mem, &at, ISO28560_3_EXT_TITLE, title, 5);
	put_frame(mem, &at, ISO28560_3_EXT_TITLE, "Other", 5); /* the first counts */
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), 0);
	CHECK_INT(t.media_code, TAG_MEDIA_CD_DVD);
	CHECK_STR(t.alt_item_id, "ALT");
	CHECK_STR(t.title, "Title");
	CHECK_INT(t.damaged_extension_at, 0);

	/* a damaged title: the basic block and the blocks before it stand */
	mem[title_at + 5] ^= 0x01;
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_STR(t.item_id, "11223344");
	CHECK_STR(t.alt_item_id, "ALT");
	CHECK_STR(t.title, "");
	CHECK_INT(t.damaged_extension_at, title_at);
	mem[title_at + 5] ^= 0x01;

	/* a sound frame whose field is not text: that block is skipped, the walk goes on */
	memset(mem + library_at, 0, 8);
	at = library_at;
	put_frame(mem, &at, ISO28560_3_EXT_LIBRARY, "\x02" "A\tT", 4);
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), 0);
	CHECK_INT(t.media_code, TAG_MEDIA_UNDEFINED);
	CHECK_STR(t.alt_item_id, "");
	CHECK_STR(t.title, "Title");
	CHECK_INT(t.damaged_extension_at, library_at);
	at = library_at;
	put_frame(mem, &at, ISO28560_3_EXT_LIBRARY, "\x02" "A\xc3T", 4); /* not UTF-8 */
	CHECK_INT(iso28560_3_decode(mem, sizeof(mem), &t, why, sizeof(why)), 0);
	CHECK_INT(t.damaged_extension_at, library_at);

	/* a frame running past the memory read */
	CHECK_INT(iso28560_3_decode(mem, title_at + 6, &t, why, sizeof(why)), 0);
	CHECK_INT(t.damaged_extension_at, title_at);
	CHECK_STR(t.title, "");

	/* a title longer than struct tag_data holds is cut on a UTF-8 boundary */
	memcpy(cut, libdanrfid_tag, 32);
	cut[32] = cut[33] = 0;
	at = 34;
	{
		uint8_t long_title[100];

		for (size_t i = 0; i < sizeof(long_title); i += 2) {
			long_title[i] = 0xc3;
			long_title[i + 1] = 0xa6;
		}
		long_title[0] = 'X'; /* so that the cut falls inside a sequence */
		long_title[1] = 0xc3;
		long_title[2] = 0xa6;
		long_title[3] = 'Y';
		put_frame(cut, &at, ISO28560_3_EXT_TITLE, long_title, sizeof(long_title));
	}
	cut[at] = 0;
	CHECK_INT(iso28560_3_decode(cut, sizeof(cut), &t, why, sizeof(why)), 0);
	CHECK_INT(strlen(t.title), 96);
	CHECK_INT(t.damaged_extension_at, 0);
}

static void test_encode_extension_refusals(void)
{
	struct tag_data in = { 0 };
	uint8_t mem[200];

	strcpy(in.item_id, "1234");
	strcpy(in.title, "Tab\there");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), -EINVAL);
	strcpy(in.title, "bad \xff");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), -EINVAL);
	strcpy(in.title, "Fine");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 32), -ENOSPC);
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 34 + 4 + 3), -ENOSPC);
	/* exactly the room: no end byte needed */
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 34 + 4 + 4), 42);
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, 34 + 4 + 5), 43);
	CHECK_INT(mem[42], 0);
	CHECK_INT(iso28560_3_encode_extensions(NULL, mem, sizeof(mem)), -EINVAL);
	CHECK_INT(iso28560_3_encode_extensions(&in, NULL, sizeof(mem)), -EINVAL);
	/* what iso28560_3_encode() refuses */
	strcpy(in.owner_isil, "ZDB-1");
	CHECK_INT(iso28560_3_encode_extensions(&in, mem, sizeof(mem)), -EINVAL);
}

int main(void)
{
	RUN(test_crc_published_values);
	RUN(test_decode_published_tag);
	RUN(test_encode_gives_published_tag);
	RUN(test_damaged_tag);
	RUN(test_decode_refusals);
	RUN(test_usage_and_sets);
	RUN(test_long_fields);
	RUN(test_encode_refusals);
	RUN(test_extension_blocks);
	RUN(test_annex_b_examples);
	RUN(test_extension_round_trip);
	RUN(test_item_id_in_extension);
	RUN(test_damaged_and_unknown_extensions);
	RUN(test_encode_extension_refusals);
	return testlib_finish();
}
