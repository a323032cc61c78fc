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
	return testlib_finish();
}
