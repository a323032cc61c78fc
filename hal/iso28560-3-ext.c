/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 28560-3's structured extension blocks: the fields in their frames,
 * decoded into struct tag_data and encoded from it. The frames themselves
 * are walked by iso28560_3_next_extension() (iso28560-3.c).
 */
#include "iso28560-3.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "utf8.h"
#include "why.h"

#define EXT_HEADER 4          /* length, 16-bit ID, checksum */
#define EXT_FRAME_MAX 255     /* the length byte counts the whole frame */
#define EXT_END 0
#define ITEM_ID_IN_EXTENSION 0x01
#define OFF_ITEM_ID 3
#define OFF_CRC 19

int iso28560_3_ext_field(const uint8_t *mem, const struct iso28560_3_extension *ext, unsigned n,
			 const uint8_t **field, size_t *field_len)
{
	size_t at, end;

	if (!mem || !ext || !field || !field_len)
		return -EINVAL;
	end = ext->offset + ext->len;
	at = ext->data_at;
	if (ext->id == ISO28560_3_EXT_LIBRARY && at < end)
		at++; /* the media format: one fixed byte, not a field */
	for (; n && at < end; n--) {
		while (at < end && mem[at] != 0)
			at++;
		if (at < end)
			at++;
	}
	*field = mem + at;
	*field_len = 0;
	while (at + *field_len < end && mem[at + *field_len] != 0)
		(*field_len)++;
	return 0;
}

/* Whether data[0..n) is UTF-8 without control characters. */
static bool is_text(const uint8_t *data, size_t n)
{
	uint32_t cp;
	size_t seq;

	for (size_t i = 0; i < n; i += seq) {
		seq = utf8_decode(data + i, n - i, &cp);
		if (!seq || cp < 0x20 || cp == 0x7f)
			return false;
	}
	return true;
}

/*
 * Field n of ext into out (size bytes with its NUL): cut on a UTF-8
 * boundary when may_cut, refused (-EBADMSG) when too long otherwise or not
 * text. An empty field leaves out as it is.
 */
static int take_text(const uint8_t *mem, const struct iso28560_3_extension *ext, unsigned n,
		     char *out, size_t size, bool may_cut)
{
	const uint8_t *field;
	size_t field_len, keep;
	char whole[EXT_FRAME_MAX + 1];

	iso28560_3_ext_field(mem, ext, n, &field, &field_len);
	if (!field_len)
		return 0;
	if (!is_text(field, field_len) || (field_len > size - 1 && !may_cut))
		return -EBADMSG;
	memcpy(whole, field, field_len);
	whole[field_len] = '\0';
	keep = utf8_cut_len(whole, size);
	memcpy(out, whole, keep);
	out[keep] = '\0';
	return 0;
}

/*
 * One block's fields into a scratch copy, so that a block refused halfway
 * leaves *out as it was. found_id: the item id came from it.
 */
static int decode_block(const uint8_t *mem, const struct iso28560_3_extension *ext,
			bool id_in_extension, struct tag_data *out, bool *found_id)
{
	struct tag_data t = *out;
	int r = 0;

	switch (ext->id) {
	case ISO28560_3_EXT_LIBRARY:
		if (ext->data_at < ext->offset + ext->len)
			t.media_code = mem[ext->data_at];
		if (id_in_extension)
			r = take_text(mem, ext, ISO28560_3_LIBRARY_ITEM_ID, t.item_id,
				      sizeof(t.item_id), false);
		else
			r = take_text(mem, ext, ISO28560_3_LIBRARY_ITEM_ID, t.alt_item_id,
				      sizeof(t.alt_item_id), false);
		if (r == 0 && id_in_extension && !t.item_id[0])
			r = -EBADMSG;
		*found_id = r == 0 && id_in_extension;
		break;
	case ISO28560_3_EXT_SUPPLEMENT:
		r = take_text(mem, ext, ISO28560_3_SUPPLEMENT_SHELF, t.shelf_location,
			      sizeof(t.shelf_location), true);
		if (r == 0)
			r = take_text(mem, ext, ISO28560_3_SUPPLEMENT_ONIX_MEDIA, t.media_format,
				      sizeof(t.media_format), false);
		break;
	case ISO28560_3_EXT_TITLE:
		r = take_text(mem, ext, ISO28560_3_TITLE_TEXT, t.title, sizeof(t.title), true);
		break;
	default:
		return 0; /* acquisition, ILL and unknown blocks: nothing the kiosk shows */
	}
	if (r == 0)
		*out = t;
	return r;
}

/* An offset for tag_data.damaged_extension_at, which a tag's memory never reaches the end of. */
static uint16_t offset16(size_t at)
{
	return at > UINT16_MAX ? UINT16_MAX : (uint16_t)at;
}

int iso28560_3_decode_extensions(const uint8_t *mem, size_t len, bool id_in_extension,
				 struct tag_data *out, char *why, size_t why_size)
{
	struct iso28560_3_extension ext;
	size_t cursor = ISO28560_3_BLOCK_SIZE;
	unsigned seen = 0;
	bool found_id = false;
	int r;

	if (!mem || !out)
		return why_refuse(-EINVAL, why, why_size, "no tag data");
	while ((r = iso28560_3_next_extension(mem, len, &cursor, &ext)) != 0) {
		if (r < 0) {
			/* a frame whose length may be the damaged byte: nothing after it can be found */
			out->damaged_extension_at = offset16(cursor);
			break;
		}
		/* the first block of each ID counts: a later one is an old copy or a mistake */
		if (ext.id < 32 && (seen & 1u << ext.id))
			continue;
		if (ext.id < 32)
			seen |= 1u << ext.id;
		if (decode_block(mem, &ext, id_in_extension, out, &found_id) < 0 &&
		    !out->damaged_extension_at)
			out->damaged_extension_at = offset16(ext.offset);
	}
	if (id_in_extension && !found_id) {
		if (out->damaged_extension_at)
			return why_refuse(-EBADMSG, why, why_size,
				      "damaged tag (the primary item identifier is in the library "
				      "extension block, and the extension at byte %u is damaged)",
				      out->damaged_extension_at);
		return why_refuse(-EBADMSG, why, why_size,
			      "damaged tag (the primary item identifier is in a library extension "
			      "block the tag does not have)");
	}
	return 0;
}

/* A frame being built at mem[start..size): fields appended, then sealed. */
struct frame {
	uint8_t *mem;
	size_t start, at, size, last_field_end;
	int err;
};

static void frame_begin(struct frame *f, uint8_t *mem, size_t start, size_t size, uint8_t id)
{
	*f = (struct frame){ .mem = mem, .start = start, .at = start + EXT_HEADER, .size = size };
	if (start + EXT_HEADER > size) {
		f->err = -ENOSPC;
		return;
	}
	mem[start + 1] = id;
	mem[start + 2] = 0;
	mem[start + 3] = 0;
	f->last_field_end = f->at;
}

static void frame_put(struct frame *f, const void *bytes, size_t n)
{
	if (f->err)
		return;
	if (n > f->size - f->at) {
		f->err = -ENOSPC;
		return;
	}
	memcpy(f->mem + f->at, bytes, n);
	f->at += n;
}

/*
 * A text field and its 0x00, which the seal cuts off after the last
 * non-empty field: so it may also fall off the end of the memory.
 */
static void frame_field(struct frame *f, const char *text)
{
	size_t n = strlen(text);
	static const uint8_t separator;

	if (!f->err && !is_text((const uint8_t *)text, n))
		f->err = -EINVAL;
	frame_put(f, text, n);
	if (n)
		f->last_field_end = f->at;
	if (f->at < f->size)
		frame_put(f, &separator, 1);
}

/* Ends the frame after its last non-empty field; returns where the next starts. */
static size_t frame_seal(struct frame *f)
{
	size_t len = f->last_field_end - f->start;
	uint8_t xor = 0;

	if (f->err)
		return f->start;
	if (len > EXT_FRAME_MAX) {
		f->err = -EINVAL;
		return f->start;
	}
	f->mem[f->start] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		xor ^= f->mem[f->start + i];
	f->mem[f->start + 3] = xor;
	return f->start + len;
}

static size_t put_blocks(const struct tag_data *in, bool id_in_extension, uint8_t *mem,
			 size_t at, size_t size, int *err)
{
	struct frame f;

	if (id_in_extension || in->alt_item_id[0] || in->media_code) {
		frame_begin(&f, mem, at, size, ISO28560_3_EXT_LIBRARY);
		frame_put(&f, &in->media_code, 1);
		f.last_field_end = f.at; /* the media byte is fixed: always there */
		frame_field(&f, id_in_extension ? in->item_id : in->alt_item_id);
		at = frame_seal(&f);
		if ((*err = f.err) < 0)
			return at;
	}
	if (in->shelf_location[0] || in->media_format[0]) {
		frame_begin(&f, mem, at, size, ISO28560_3_EXT_SUPPLEMENT);
		frame_field(&f, in->shelf_location);
		frame_field(&f, ""); /* MARC media format: not in struct tag_data */
		frame_field(&f, in->media_format);
		at = frame_seal(&f);
		if ((*err = f.err) < 0)
			return at;
	}
	if (in->title[0]) {
		frame_begin(&f, mem, at, size, ISO28560_3_EXT_TITLE);
		frame_field(&f, in->title);
		at = frame_seal(&f);
		*err = f.err;
	}
	return at;
}

int iso28560_3_encode_extensions(const struct tag_data *in, uint8_t *mem, size_t size)
{
	struct tag_data basic;
	bool id_in_extension;
	size_t end;
	uint16_t crc;
	int n, err = 0;

	if (!in || !mem)
		return -EINVAL;
	if (!memchr(in->item_id, 0, sizeof(in->item_id)) ||
	    !memchr(in->alt_item_id, 0, sizeof(in->alt_item_id)) ||
	    !memchr(in->shelf_location, 0, sizeof(in->shelf_location)) ||
	    !memchr(in->media_format, 0, sizeof(in->media_format)) ||
	    !memchr(in->title, 0, sizeof(in->title)))
		return -EINVAL;
	basic = *in;
	id_in_extension = strlen(in->item_id) > ISO28560_3_ITEM_ID_LEN;
	if (id_in_extension) {
		if (in->alt_item_id[0])
			return -EINVAL; /* one field holds either */
		basic.item_id[0] = '\0';
	}
	n = iso28560_3_encode(&basic, mem, size);
	if (n < 0)
		return n;
	if (n < ISO28560_3_BLOCK_SIZE) {
		/* a 32-byte tag has no room past its basic block */
		if (id_in_extension || in->alt_item_id[0] || in->media_code ||
		    in->shelf_location[0] || in->media_format[0] || in->title[0])
			return -ENOSPC;
		return n;
	}
	if (id_in_extension) {
		mem[OFF_ITEM_ID] = ITEM_ID_IN_EXTENSION;
		iso28560_3_block_crc(mem, (size_t)n, &crc, NULL);
		mem[OFF_CRC] = crc & 0xff;
		mem[OFF_CRC + 1] = crc >> 8;
	}
	end = put_blocks(in, id_in_extension, mem, (size_t)n, size, &err);
	if (err < 0)
		return err;
	if (end < size && end > (size_t)n)
		mem[end++] = EXT_END;
	return (int)end;
}
