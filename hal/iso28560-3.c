/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "iso28560-3.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "why.h"

#define CRC_POLY 0x1021
#define CRC_INIT 0xFFFF

#define OFF_VERSION_USAGE 0
#define OFF_SET_SIZE 1
#define OFF_SET_PART 2
#define OFF_ITEM_ID 3
#define OFF_CRC 19
#define OFF_COUNTRY 21
#define OFF_ISIL 23
#define COUNTRY_LEN 2

/* The first identifier byte that sends a reader to the library extension block. */
#define ITEM_ID_IN_EXTENSION 0x01


uint16_t iso28560_3_crc_update(uint16_t crc, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(data[i] << 8);
		for (int bit = 0; bit < 8; bit++) {
			bool carry = crc & 0x8000;

			crc = (uint16_t)(crc << 1);
			if (carry)
				crc ^= CRC_POLY;
		}
	}
	return crc;
}

int iso28560_3_block_crc(const uint8_t *mem, size_t len, uint16_t *computed, uint16_t *stored)
{
	static const uint8_t missing_isil_tail[ISO28560_3_BLOCK_SIZE - ISO28560_3_SHORT_TAG_SIZE];
	size_t end = len < ISO28560_3_BLOCK_SIZE ? len : ISO28560_3_BLOCK_SIZE;
	uint16_t crc;

	if (!mem || len < ISO28560_3_SHORT_TAG_SIZE)
		return -EINVAL;
	crc = iso28560_3_crc_update(CRC_INIT, mem, OFF_CRC);
	crc = iso28560_3_crc_update(crc, mem + OFF_COUNTRY, end - OFF_COUNTRY);
	/* a short tag counts the two ISIL bytes it has no room for as zeros */
	crc = iso28560_3_crc_update(crc, missing_isil_tail, ISO28560_3_BLOCK_SIZE - end);
	if (computed)
		*computed = crc;
	if (stored)
		*stored = (uint16_t)(mem[OFF_CRC] | mem[OFF_CRC + 1] << 8);
	return 0;
}

bool iso28560_3_crc_ok(const uint8_t *mem, size_t len)
{
	uint16_t computed, stored;

	return iso28560_3_block_crc(mem, len, &computed, &stored) == 0 && computed == stored;
}

static bool is_control(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * A NUL-padded text field into out (out_size > n); -EBADMSG at a control
 * character before the padding.
 */
static int read_text(const uint8_t *field, size_t n, char *out, size_t *out_len)
{
	size_t len = 0;

	while (len < n && field[len] != 0) {
		if (is_control(field[len]))
			return -EBADMSG;
		out[len] = (char)field[len];
		len++;
	}
	out[len] = '\0';
	*out_len = len;
	return 0;
}

int iso28560_3_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size)
{
	char country[COUNTRY_LEN + 1], isil[ISO28560_3_ISIL_LEN + 1];
	size_t n, country_len, isil_len, isil_field;
	uint16_t computed, stored;
	bool id_in_extension;

	if (why && why_size)
		why[0] = '\0';
	if (!mem || !out)
		return why_refuse(-EINVAL, why, why_size, "no tag data");
	memset(out, 0, sizeof(*out));
	if (len < ISO28560_3_SHORT_TAG_SIZE)
		return why_refuse(-ENODATA, why, why_size,
			      "%zu bytes read, ISO 28560-3 needs %d at least", len,
			      ISO28560_3_SHORT_TAG_SIZE);
	iso28560_3_block_crc(mem, len, &computed, &stored);
	if (computed != stored)
		return why_refuse(-EBADMSG, why, why_size,
			      "damaged tag (CRC 0x%04X on the tag, 0x%04X computed)", stored,
			      computed);

	out->model = TAG_MODEL_28560_3;
	out->version = mem[OFF_VERSION_USAGE] >> 4;
	if (out->version == 0)
		return why_refuse(-EBADMSG, why, why_size, "ISO 28560-3 version 0 does not exist");
	out->has_usage = true;
	out->usage = (uint8_t)((mem[OFF_VERSION_USAGE] & 0x0f) << 4);
	out->has_set = true;
	out->set_size = mem[OFF_SET_SIZE];
	out->set_part = mem[OFF_SET_PART];

	id_in_extension = mem[OFF_ITEM_ID] == ITEM_ID_IN_EXTENSION;
	if (id_in_extension && len <= ISO28560_3_BLOCK_SIZE)
		return why_refuse(-ENOTSUP, why, why_size,
			      "primary item identifier is in the library extension block, "
			      "which is not read");
	if (!id_in_extension &&
	    read_text(mem + OFF_ITEM_ID, ISO28560_3_ITEM_ID_LEN, out->item_id, &n) < 0)
		return why_refuse(-EBADMSG, why, why_size,
			      "control character in the primary item identifier");

	isil_field = len >= ISO28560_3_BLOCK_SIZE ? ISO28560_3_ISIL_LEN : ISO28560_3_SHORT_ISIL_LEN;
	if (read_text(mem + OFF_COUNTRY, COUNTRY_LEN, country, &country_len) < 0 ||
	    read_text(mem + OFF_ISIL, isil_field, isil, &isil_len) < 0)
		return why_refuse(-EBADMSG, why, why_size, "control character in the owner's ISIL");
	if (isil_len)
		snprintf(out->owner_isil, sizeof(out->owner_isil), "%s%s%s", country,
			 country_len ? "-" : "", isil);
	if (len > ISO28560_3_BLOCK_SIZE)
		return iso28560_3_decode_extensions(mem, len, id_in_extension, out, why, why_size);
	return 0;
}

#define EXT_END 0
#define EXT_FILLER 1
#define EXT_HEADER 4          /* length, 16-bit ID, checksum */
#define EXT_HEADER_LONG_ID 6  /* length, 24-bit ID escaped in 4 bytes, checksum */
#define EXT_ID_ESCAPE 0xFF

int iso28560_3_next_extension(const uint8_t *mem, size_t len, size_t *cursor,
			      struct iso28560_3_extension *out)
{
	size_t at, frame;
	uint8_t xor = 0;

	if (!mem || !cursor || !out)
		return -EINVAL;
	at = *cursor;
	while (at < len && mem[at] == EXT_FILLER)
		at++;
	*cursor = at;
	if (at >= len || mem[at] == EXT_END)
		return 0;
	frame = mem[at];
	if (frame > len - at || frame < EXT_HEADER)
		return -EBADMSG;
	if (mem[at + 2] == EXT_ID_ESCAPE && frame < EXT_HEADER_LONG_ID)
		return -EBADMSG;
	for (size_t i = 0; i < frame; i++)
		xor ^= mem[at + i];
	if (xor != 0)
		return -EBADMSG;
	out->offset = at;
	out->len = frame;
	if (mem[at + 2] == EXT_ID_ESCAPE)
		out->id = (uint32_t)mem[at + 1] | (uint32_t)mem[at + 3] << 8 |
			  (uint32_t)mem[at + 4] << 16;
	else
		out->id = (uint32_t)mem[at + 1] | (uint32_t)mem[at + 2] << 8;
	out->data_at = at + (mem[at + 2] == EXT_ID_ESCAPE ? EXT_HEADER_LONG_ID : EXT_HEADER);
	*cursor = at + frame;
	return 1;
}

/* Copies text into a NUL-padded field of n bytes; -EINVAL when too long or not text. */
static int write_text(uint8_t *field, size_t n, const char *text, size_t len)
{
	if (len > n)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (is_control((uint8_t)text[i]))
			return -EINVAL;
	memset(field, 0, n);
	memcpy(field, text, len);
	return 0;
}

static bool is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int iso28560_3_encode(const struct tag_data *in, uint8_t *mem, size_t size)
{
	size_t block, isil_field, item_len, isil_len;
	uint8_t version, usage_class, set_size = 1, set_part = 1;
	const char *isil = "";
	uint16_t crc;

	if (!in || !mem)
		return -EINVAL;
	if (size < ISO28560_3_SHORT_TAG_SIZE)
		return -ENOSPC;
	block = size >= ISO28560_3_BLOCK_SIZE ? ISO28560_3_BLOCK_SIZE : ISO28560_3_SHORT_TAG_SIZE;
	isil_field = block - OFF_ISIL;

	version = in->version ? in->version : ISO28560_3_VERSION;
	if (version > 0x0f)
		return -EINVAL;
	usage_class = in->has_usage ? (uint8_t)(in->usage >> 4) : TAG_USAGE_CIRCULATING;
	if (in->has_set) {
		set_size = in->set_size;
		set_part = in->set_part;
		if (set_size == 0 || set_part == 0 || set_part > set_size)
			return -EINVAL;
	}
	item_len = strnlen(in->item_id, sizeof(in->item_id));
	if (item_len && (uint8_t)in->item_id[0] == ITEM_ID_IN_EXTENSION)
		return -EINVAL;
	if (in->owner_isil[0]) {
		const char *hyphen = memchr(in->owner_isil, '-', sizeof(in->owner_isil));

		/* only a country prefix has a place in the basic block */
		if (!hyphen || hyphen - in->owner_isil != COUNTRY_LEN ||
		    !is_letter(in->owner_isil[0]) || !is_letter(in->owner_isil[1]))
			return -EINVAL;
		isil = hyphen + 1;
	}
	isil_len = strnlen(isil, TAG_ISIL_MAX);

	memset(mem, 0, block);
	mem[OFF_VERSION_USAGE] = (uint8_t)(version << 4 | usage_class);
	mem[OFF_SET_SIZE] = set_size;
	mem[OFF_SET_PART] = set_part;
	if (isil_len)
		memcpy(mem + OFF_COUNTRY, in->owner_isil, COUNTRY_LEN); /* two letters, checked */
	if (write_text(mem + OFF_ITEM_ID, ISO28560_3_ITEM_ID_LEN, in->item_id, item_len) < 0 ||
	    write_text(mem + OFF_ISIL, isil_field, isil, isil_len) < 0) {
		memset(mem, 0, block);
		return -EINVAL;
	}
	iso28560_3_block_crc(mem, block, &crc, NULL);
	mem[OFF_CRC] = crc & 0xff;
	mem[OFF_CRC + 1] = crc >> 8;
	return (int)block;
}
