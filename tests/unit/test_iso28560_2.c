/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 28560-2 tags (ISO/IEC 15962, no directory).
 *
 * The public vector is the worked example of ISO 28560-2:2023 annex D
 * (tables D.7 to D.10: item id 123456789012 in the integer scheme, set
 * information "1203", shelf location QA268.L55 in the 6-bit code, owner ISIL
 * US-InU-Mu in the ISIL compaction with an offset and two pad bytes), as
 * reproduced in the standard's public preview. Set information is "number of
 * parts" then "part number" (ISO 28560-1:2011 4.2.4). Octet-scheme texts are
 * ISO/IEC 8859-1 and anything beyond needs UTF-8 (the clarification by the
 * editor of ISO 28560-2, biblstandard.dk/rfid/docs/clarification_28560-2.htm).
 * The other vectors were worked out by hand from those rules (bit strings in
 * the comments) or come from this encoder, checked by decoding them back.
 */
#include <errno.h>
#include <stdlib.h>

#include "../../hal/iso28560-2.h"
#include "testlib.h"

static char why[128];

/* Decodes from a heap block of exactly len bytes, so ASan sees any overread. */
static int decode(const uint8_t *mem, size_t len, struct tag_data *t)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		abort();
	memcpy(copy, mem, len);
	why[0] = '\0';
	memset(t, 0, sizeof(*t));
	r = iso28560_2_decode(copy, len, t, why, sizeof(why));
	free(copy);
	return r;
}

static bool same_tag(const struct tag_data *a, const struct tag_data *b)
{
	return a->model == b->model && a->version == b->version &&
	       !strcmp(a->item_id, b->item_id) && !strcmp(a->owner_isil, b->owner_isil) &&
	       a->has_set == b->has_set && a->set_size == b->set_size &&
	       a->set_part == b->set_part && a->has_usage == b->has_usage &&
	       a->usage == b->usage && !strcmp(a->shelf_location, b->shelf_location) &&
	       !strcmp(a->title, b->title) && !strcmp(a->media_format, b->media_format) &&
	       !strcmp(a->alt_item_id, b->alt_item_id);
}

/* ISO 28560-2:2023 table D.10: blocks 0-8 of the example tag. */
static const uint8_t annex_d[] = {
	0x91, 0x00, 0x05, 0x1C, 0xBE, 0x99, 0x1A, 0x14, /* item id, integer, offset 0 */
	0x02, 0x01, 0xD0,			      /* content parameter: OIDs 3, 4, 6 */
	0x14, 0x02, 0x04, 0xB3,			      /* set information 1203, integer */
	0x46, 0x07, 0x44, 0x1C, 0xB6, 0xE2, 0xE3, 0x35, 0xD6, /* shelf location, 6-bit */
	0x83, 0x02, 0x07, 0xAC, 0xC0, 0x9E, 0xBA, 0xA0, 0x6F, 0x6B, /* ISIL, offset 2 */
	0x00, 0x00,				      /* its pad bytes */
};

static void test_annex_d_example(void)
{
	struct tag_data t;

	CHECK_INT(decode(annex_d, sizeof(annex_d), &t), 0);
	CHECK_INT(t.model, TAG_MODEL_28560_2);
	CHECK_STR(t.item_id, "123456789012");
	CHECK_STR(t.owner_isil, "US-InU-Mu");
	CHECK(t.has_set);
	CHECK_INT(t.set_size, 12);
	CHECK_INT(t.set_part, 3);
	CHECK_STR(t.shelf_location, "QA268.L55");
	CHECK(!t.has_usage);
	CHECK_STR(t.title, "");
}

/*
 * The same tag from this encoder: no offsets, elements by OID, each data set
 * as annex D has it, then the terminator.
 */
static void test_encode_annex_d_tag(void)
{
	static const uint8_t want[] = {
		0x11, 0x05, 0x1C, 0xBE, 0x99, 0x1A, 0x14, 0x02, 0x01, 0xD0,
		0x03, 0x07, 0xAC, 0xC0, 0x9E, 0xBA, 0xA0, 0x6F, 0x6B, 0x14,
		0x02, 0x04, 0xB3, 0x46, 0x07, 0x44, 0x1C, 0xB6, 0xE2, 0xE3,
		0x35, 0xD6, 0x00,
	};
	struct tag_data t = { .model = TAG_MODEL_28560_2, .has_set = true, .set_size = 12,
			      .set_part = 3 };
	uint8_t mem[64];
	size_t used = 0;

	strcpy(t.item_id, "123456789012");
	strcpy(t.owner_isil, "US-InU-Mu");
	strcpy(t.shelf_location, "QA268.L55");
	memset(mem, 0xAA, sizeof(mem));
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	CHECK_INT(used, sizeof(want));
	CHECK(memcmp(mem, want, sizeof(want)) == 0);
	for (size_t i = used; i < sizeof(mem); i++)
		CHECK_INT(mem[i], 0);
}

struct scheme_case {
	const char *name;
	uint8_t mem[16];
	size_t len;
	const char *item_id;
};

/* One item id per compaction scheme (the precursor's bits 6-4). */
static void test_decode_every_scheme(void)
{
	static const struct scheme_case cases[] = {
		{ "integer 42", { 0x11, 0x01, 0x2A }, 3, "42" },
		{ "integer 0", { 0x11, 0x01, 0x00 }, 3, "0" },
		{ "numeric, odd count: 0xF last", { 0x21, 0x03, 0x01, 0x23, 0x4F }, 5, "01234" },
		{ "numeric, even count", { 0x21, 0x02, 0x00, 0x42 }, 4, "0042" },
		/* 00001 00010 00011 + pad 1 */
		{ "5-bit ABC", { 0x31, 0x02, 0x08, 0x87 }, 4, "ABC" },
		/* 00001 00010 + pad 100000: room for a third code, which is the pad */
		{ "5-bit AB", { 0x31, 0x02, 0x08, 0xA0 }, 4, "AB" },
		{ "5-bit AB, zero pad", { 0x31, 0x02, 0x08, 0x80 }, 4, "AB" },
		{ "6-bit (annex D)", { 0x41, 0x07, 0x44, 0x1C, 0xB6, 0xE2, 0xE3, 0x35, 0xD6 }, 9,
		  "QA268.L55" },
		/* 1001100 1101001 1100010 0101101 0110100 0110010 + pad 100000 */
		{ "7-bit Lib-42", { 0x51, 0x06, 0x99, 0xA7, 0x12, 0xD6, 0x8C, 0xA0 }, 8, "Lib-42" },
		{ "octets are ISO 8859-1", { 0x61, 0x04, 'C', 'a', 'f', 0xE9 }, 6, "Caf\xc3\xa9" },
		{ "UTF-8", { 0x71, 0x07, 0xC5, 0x81, 0xC3, 0xB3, 0x64, 0xC5, 0xBA }, 9,
		  "\xc5\x81\xc3\xb3" "d\xc5\xba" },
	};
	struct tag_data t;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = decode(cases[i].mem, cases[i].len, &t);

		if (r != 0)
			fprintf(stderr, "%s: %s\n", cases[i].name, why);
		CHECK_INT(r, 0);
		CHECK_STR(t.item_id, cases[i].item_id);
	}
}

/* The scheme the encoder picks: the most compact that gives the text back. */
static void test_encoder_picks_scheme(void)
{
	static const struct {
		const char *item_id;
		uint8_t precursor;
		size_t data_len;
	} cases[] = {
		{ "123", 0x11, 1 },		/* integer */
		{ "18446744073709551615", 0x21, 10 }, /* 20 digits: past 64 bits, numeric */
		{ "0123", 0x21, 2 },		/* a leading zero: numeric */
		{ "ABC", 0x31, 2 },		/* 5-bit */
		{ "AB", 0x31, 2 },
		{ "ABP", 0x41, 3 },		/* a last 5-bit P would read as padding: 6-bit */
		{ "QA268.L55", 0x41, 7 },	/* 6-bit */
		{ "Lib-42", 0x51, 6 },		/* 7-bit */
		{ "Caf\xc3\xa9", 0x61, 4 },	/* ISO 8859-1 octets */
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba", 0x71, 7 }, /* beyond 8859-1: UTF-8 */
	};
	uint8_t mem[40];
	struct tag_data t = { .model = TAG_MODEL_28560_2 }, back;
	size_t used;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(t.item_id, cases[i].item_id);
		CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
		CHECK_INT(mem[0], cases[i].precursor);
		CHECK_INT(mem[1], cases[i].data_len);
		CHECK_INT(used, 2 + cases[i].data_len + 1);
		CHECK_INT(decode(mem, used, &back), 0);
		CHECK_STR(back.item_id, cases[i].item_id);
	}
}

static void test_isil_compaction(void)
{
	static const struct {
		const char *isil;
		uint8_t data[8];
		size_t len;
	} cases[] = {
		/* annex D: U S - I shift n U - M shift u, one pad bit */
		{ "US-InU-Mu", { 0xAC, 0xC0, 0x9E, 0xBA, 0xA0, 0x6F, 0x6B }, 7 },
		/* D K - latch-digits 7 1 0 1 0 0, four pad bits */
		{ "DK-710100", { 0x22, 0xC1, 0xF7, 0x10, 0x10, 0x0F }, 6 },
	};
	struct tag_data t = { .model = TAG_MODEL_28560_2 }, back;
	uint8_t mem[40];
	size_t used;

	strcpy(t.item_id, "1");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(t.owner_isil, cases[i].isil);
		CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
		/* 11 01 01, content parameter 02 01 80, then the ISIL */
		CHECK_INT(mem[6], 0x03);
		CHECK_INT(mem[7], cases[i].len);
		CHECK(memcmp(mem + 8, cases[i].data, cases[i].len) == 0);
		CHECK_INT(decode(mem, used, &back), 0);
		CHECK_STR(back.owner_isil, cases[i].isil);
	}
	/* every switch: latches to lower case and digits, shifts from digits, ':' and '/' */
	static const char *const more[] = { "DE-Hil2", "de-abc12X3:x/Y", "US-ny", "GB-UkOxU",
					    "FI-Jyu-9a", "-:/", "DE-1a" };
	for (size_t i = 0; i < ARRAY_SIZE(more); i++) {
		strcpy(t.owner_isil, more[i]);
		CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
		CHECK_INT(mem[6], 0x03);
		CHECK_INT(decode(mem, used, &back), 0);
		CHECK_STR(back.owner_isil, more[i]);
	}
	/* shorter in another scheme (the ISIL compaction starts in upper case) */
	static const char *const shorter[] = { "a", "9" };
	for (size_t i = 0; i < ARRAY_SIZE(shorter); i++) {
		strcpy(t.owner_isil, shorter[i]);
		CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
		CHECK(mem[6] != 0x03);
		CHECK_INT(decode(mem, used, &back), 0);
		CHECK_STR(back.owner_isil, shorter[i]);
	}
	/* not ISIL characters: another scheme */
	strcpy(t.owner_isil, "DK 7");
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	CHECK(mem[6] != 0x03);
	CHECK_INT(decode(mem, used, &back), 0);
	CHECK_STR(back.owner_isil, "DK 7");
}

static struct tag_data full_tag(void)
{
	struct tag_data t = { .model = TAG_MODEL_28560_2, .has_set = true, .set_size = 120,
			      .set_part = 7, .has_usage = true, .usage = 0x12 };

	strcpy(t.item_id, "31234000000016");
	strcpy(t.owner_isil, "DK-710100");
	strcpy(t.shelf_location, "Fiction / Jansson");
	strcpy(t.media_format, "BC");
	strcpy(t.alt_item_id, "9780140328721");
	strcpy(t.title, "Trollvinter \xe2\x80\x94 Muminpappan");
	return t;
}

static void test_round_trips(void)
{
	struct tag_data tags[6], back;
	uint8_t mem[256];
	size_t used;

	tags[0] = full_tag();
	tags[1] = full_tag();
	tags[1].has_set = false;
	tags[1].set_size = tags[1].set_part = 0;
	tags[1].has_usage = false;
	tags[1].usage = 0;
	tags[1].owner_isil[0] = '\0';
	tags[2] = full_tag();
	tags[2].set_size = 1;
	tags[2].set_part = 1;
	tags[2].usage = 0x80;
	tags[3] = full_tag();
	tags[3].set_size = 255;
	tags[3].set_part = 255;
	tags[3].usage = 0x0A;
	memset(tags[3].title, 'T', TAG_TEXT_MAX);
	tags[3].title[TAG_TEXT_MAX] = '\0';
	memset(tags[3].item_id, '7', TAG_ITEM_ID_MAX);
	tags[3].item_id[TAG_ITEM_ID_MAX] = '\0';
	tags[4] = (struct tag_data){ .model = TAG_MODEL_28560_2 };
	strcpy(tags[4].item_id, "x");
	tags[5] = full_tag();
	strcpy(tags[5].title, "Caf\xc3\xa9 \xc3\x85r \xc3\xb8");
	strcpy(tags[5].shelf_location, "@ end@");
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
		CHECK_INT(iso28560_2_encode(&tags[i], mem, sizeof(mem), &used), 0);
		CHECK_INT(decode(mem, used, &back), 0);
		CHECK(same_tag(&back, &tags[i]));
		/* and with the rest of the memory as a blank tag leaves it */
		CHECK_INT(decode(mem, sizeof(mem), &back), 0);
		CHECK(same_tag(&back, &tags[i]));
	}
}

/* Content parameter bits: MSB of the first byte is OID 3; title (17) is bit 1 of the second. */
static void test_content_parameter(void)
{
	struct tag_data t = full_tag(), back;
	uint8_t mem[256];
	size_t used, at;

	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	at = 2 + mem[1];
	CHECK_INT(mem[at], 0x02);
	CHECK_INT(mem[at + 1], 2);
	CHECK_INT(mem[at + 2], 0xF8); /* 3, 4, 5, 6, 7 */
	CHECK_INT(mem[at + 3], 0x12); /* 14, 17 */
	/* title: OID 17 is 15 + 2 */
	CHECK_INT(decode(mem, used, &back), 0);
	t = (struct tag_data){ .model = TAG_MODEL_28560_2 };
	strcpy(t.item_id, "1");
	strcpy(t.title, "A");
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	static const uint8_t want[] = { 0x11, 0x01, 0x01, 0x02, 0x02, 0x00, 0x02,
					0x3F, 0x02, 0x01, 0x0C, 0x00 }; /* 00001 + pad 100 */
	CHECK_INT(used, sizeof(want));
	CHECK(memcmp(mem, want, sizeof(want)) == 0);
	/* an item id alone needs no content parameter */
	t.title[0] = '\0';
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	CHECK_INT(used, 4);
}

static void test_other_elements(void)
{
	static const uint8_t mem[] = {
		0x11, 0x01, 0x07,		    /* item id 7 */
		0x15, 0x01, 0x10,		    /* type of usage "16" as integer: 0x16 */
		0x67, 0x02, 'B', 'A',		    /* ONIX media format */
		0x6E, 0x02, '9', '9',		    /* alternative item id */
		0x6F, 0x02, 0x03, 'H', 'i', 'j',    /* title, OID 15 + 2 */
	};
	struct tag_data t;

	CHECK_INT(decode(mem, sizeof(mem), &t), 0);
	CHECK_STR(t.item_id, "7");
	CHECK(t.has_usage);
	CHECK_INT(t.usage, 0x16);
	CHECK_INT(tag_usage_class(&t), TAG_USAGE_CIRCULATING);
	CHECK_STR(t.media_format, "BA");
	CHECK_STR(t.alt_item_id, "99");
	CHECK_STR(t.title, "Hij");
}

static void test_unknown_elements_offsets_and_long_lengths(void)
{
	uint8_t mem[300];
	size_t n = 0;
	struct tag_data t;

	mem[n++] = 0x11, mem[n++] = 0x01, mem[n++] = 0x05;
	/* OID 9 (supplier), offset 3: three pad bytes after the data */
	mem[n++] = 0xE9, mem[n++] = 0x03, mem[n++] = 0x02, mem[n++] = 'S', mem[n++] = 'X';
	mem[n++] = 0xFF, mem[n++] = 0xFF, mem[n++] = 0xFF;
	/* OID 15 + 5 = 20, a length of 200 in two bytes */
	mem[n++] = 0x6F, mem[n++] = 0x05, mem[n++] = 0x81, mem[n++] = 0x48;
	memset(mem + n, 'z', 200);
	n += 200;
	/* a shelf location with an offset of 0 */
	mem[n++] = 0xE6, mem[n++] = 0x00, mem[n++] = 0x01, mem[n++] = 'Q';
	mem[n++] = 0x00;
	mem[n++] = 0x11; /* after the terminator: ignored */
	CHECK_INT(decode(mem, n, &t), 0);
	CHECK_STR(t.item_id, "5");
	CHECK_STR(t.shelf_location, "Q");
}

/* A title longer than tag-data.h keeps is cut, never inside a UTF-8 sequence. */
static void test_long_title_cut(void)
{
	uint8_t mem[200] = { 0x11, 0x01, 0x05, 0x7F, 0x02, 101 };
	struct tag_data t;

	mem[6] = 'x';
	for (size_t i = 0; i < 50; i++)
		mem[7 + 2 * i] = 0xC3, mem[8 + 2 * i] = 0xA5; /* å */
	CHECK_INT(decode(mem, 7 + 100, &t), 0);
	CHECK_INT(strlen(t.title), 95);
	/* in the octet scheme each å is two UTF-8 bytes too */
	mem[3] = 0x6F;
	mem[5] = 100;
	memset(mem + 6, 0xE5, 100);
	CHECK_INT(decode(mem, 6 + 100, &t), 0);
	CHECK_INT(strlen(t.title), 96);
	/* an id is not cut */
	mem[0] = 0x61;
	mem[1] = 65;
	memset(mem + 2, 'I', 65);
	CHECK_INT(decode(mem, 67, &t), -EBADMSG);
	CHECK(strstr(why, "element 1") != NULL);
}

/* Every prefix of a tag: whole data sets decode, a cut one is -EBADMSG. */
static void test_truncated_at_every_byte(void)
{
	struct tag_data t = full_tag(), back;
	uint8_t mem[256];
	size_t used, boundaries[16], n_boundaries = 0, pos = 0;

	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	while (pos < used - 1) {
		size_t len_at = pos + 1 + ((mem[pos] & 0x0f) == 15);

		pos = len_at + 1 + mem[len_at];
		boundaries[n_boundaries++] = pos;
	}
	CHECK_INT(pos, used - 1);
	for (size_t len = 0; len < used; len++) {
		bool whole = false;
		int r;

		for (size_t b = 0; b < n_boundaries; b++)
			whole |= boundaries[b] == len;
		r = decode(mem, len, &back);
		CHECK_INT(r, whole ? 0 : -EBADMSG);
		if (r < 0)
			CHECK(why[0] != '\0');
	}
	/* and the annex D tag, offsets and pad bytes included */
	for (size_t len = 0; len < sizeof(annex_d); len++) {
		int r = decode(annex_d, len, &back);

		CHECK(r == 0 || r == -EBADMSG);
		CHECK_INT(r, len == 8 || len == 11 || len == 15 || len == 24 ? 0 : -EBADMSG);
	}
}

struct bad_case {
	const char *name;
	uint8_t mem[12];
	size_t len;
	const char *reason; /* a word the reason must have */
};

static void test_damaged_tags(void)
{
	static const struct bad_case cases[] = {
		{ "blank", { 0x00, 0x00, 0x00, 0x00 }, 4, "blank" },
		{ "empty memory", { 0 }, 0, "blank" },
		{ "OID 0", { 0x10, 0x01, 0x41 }, 3, "no OID" },
		{ "does not start with the item id", { 0x03, 0x01, 0x41 }, 3, "starts" },
		{ "item id twice", { 0x11, 0x01, 0x01, 0x11, 0x01, 0x02 }, 6, "twice" },
		{ "length past the end", { 0x11, 0x05, 0x01 }, 3, "past the end" },
		{ "pad bytes past the end", { 0x91, 0x04, 0x01, 0x01 }, 4, "past the end" },
		{ "offset missing", { 0x91 }, 1, "offset" },
		{ "OID byte missing", { 0x11, 0x01, 0x01, 0x0F }, 4, "OID byte" },
		{ "length missing", { 0x11 }, 1, "length" },
		{ "length of four bytes", { 0x11, 0x80, 0x80, 0x80, 0x01 }, 5, "length" },
		{ "empty item id", { 0x61, 0x00 }, 2, "empty" },
		{ "integer of 9 bytes", { 0x11, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 11, "integer" },
		{ "empty integer", { 0x11, 0x00 }, 2, "integer" },
		{ "numeric nibble 0xA", { 0x21, 0x01, 0x1A }, 3, "numeric" },
		{ "numeric 0xF not last", { 0x21, 0x02, 0xF1, 0x23 }, 4, "numeric" },
		{ "not UTF-8", { 0x71, 0x02, 0xC3, 0x28 }, 4, "UTF-8" },
		{ "NUL in octets", { 0x61, 0x02, 'a', 0x00 }, 4, "NUL" },
		{ "NUL in 7-bit", { 0x51, 0x02, 0x00, 0x04 }, 4, "NUL" },
		{ "application compaction on an item id", { 0x01, 0x01, 0x41 }, 3, "application" },
		{ "ISIL ends in a shift", { 0x11, 0x01, 0x01, 0x03, 0x01, 0xE8 }, 6, "shift" },
		{ "set: part 13 of 12", { 0x11, 0x01, 0x01, 0x14, 0x02, 0x04, 0xBD }, 7, "part" },
		{ "set: odd digit count", { 0x11, 0x01, 0x01, 0x14, 0x01, 0x65 }, 6, "set" },
		{ "set: part 0", { 0x11, 0x01, 0x01, 0x14, 0x01, 0x14 }, 6, "part" },
		{ "usage not hex", { 0x11, 0x01, 0x01, 0x65, 0x02, 'X', '1' }, 7, "usage" },
		{ "usage of three digits", { 0x11, 0x01, 0x01, 0x15, 0x01, 0x64 }, 6, "usage" },
		{ "content parameter as 7-bit", { 0x11, 0x01, 0x01, 0x52, 0x01, 0x80 }, 6,
		  "content" },
		{ "ISIL of 17 characters",
		  { 0x11, 0x01, 0x01, 0x63, 0x11, 'A', 'A', 'A' }, 8, "past the end" },
	};
	struct tag_data t;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = decode(cases[i].mem, cases[i].len, &t);

		if (r != -EBADMSG || !strstr(why, cases[i].reason))
			fprintf(stderr, "%s: %d \"%s\"\n", cases[i].name, r, why);
		CHECK_INT(r, -EBADMSG);
		CHECK(strstr(why, cases[i].reason) != NULL);
	}
	CHECK_INT(iso28560_2_decode(NULL, 0, &t, NULL, 0), -EINVAL);
	/* no reason buffer: still an answer */
	CHECK_INT(iso28560_2_decode(cases[0].mem, 4, &t, NULL, 0), -EBADMSG);
}

static void test_isil_too_long(void)
{
	uint8_t mem[32] = { 0x11, 0x01, 0x01, 0x63, 17 };
	struct tag_data t;

	memset(mem + 5, 'A', 17);
	CHECK_INT(decode(mem, 22, &t), -EBADMSG);
	CHECK(strstr(why, "element 3") != NULL);
	mem[4] = 16;
	CHECK_INT(decode(mem, 21, &t), 0);
	CHECK_INT(strlen(t.owner_isil), 16);
}

static void test_encoder_refuses(void)
{
	struct tag_data t = full_tag();
	uint8_t mem[256];
	size_t used = 0, need;

	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), 0);
	need = used;
	/* too small at every size; the terminator may be left out when the data fill it */
	for (size_t size = 0; size < need - 1; size++)
		CHECK_INT(iso28560_2_encode(&t, mem, size, &used), -ENOSPC);
	CHECK_INT(iso28560_2_encode(&t, mem, need - 1, &used), 0);
	CHECK_INT(used, need - 1);

	t.item_id[0] = '\0';
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), -EINVAL);
	t = full_tag();
	t.set_part = 121;
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), -EINVAL);
	t.set_part = 0;
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), -EINVAL);
	t = full_tag();
	strcpy(t.title, "bad \xc3");
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), -EINVAL);
	t = full_tag();
	memset(t.media_format, 'M', sizeof(t.media_format));
	CHECK_INT(iso28560_2_encode(&t, mem, sizeof(mem), &used), -EINVAL);
	CHECK_INT(iso28560_2_encode(NULL, mem, sizeof(mem), &used), -EINVAL);
}

int main(void)
{
	RUN(test_annex_d_example);
	RUN(test_encode_annex_d_tag);
	RUN(test_decode_every_scheme);
	RUN(test_encoder_picks_scheme);
	RUN(test_isil_compaction);
	RUN(test_round_trips);
	RUN(test_content_parameter);
	RUN(test_other_elements);
	RUN(test_unknown_elements_offsets_and_long_lengths);
	RUN(test_long_title_cut);
	RUN(test_truncated_at_every_byte);
	RUN(test_damaged_tags);
	RUN(test_isil_too_long);
	RUN(test_encoder_refuses);
	return testlib_finish();
}
