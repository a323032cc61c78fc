/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the ISO 28560-3 decoder and encoder. The input is a tag's user
 * memory. Checks what the decoder promises (success only with a CRC that
 * checks; texts NUL-terminated, within the model's lengths, free of control
 * characters; a reason on every failure), that whatever it decoded and
 * the encoder accepts decodes again to the same fields, and that the
 * extension walk stays inside the memory and always moves on. The
 * extension blocks too: their fields stay inside their frame, texts
 * decoded from them are text, and what the extension encoder writes from
 * a decoded tag decodes again to the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/iso28560-3.h"

#define RFID_LIKE_MEM 512 /* as much as a reader hands over (RFID_MEM_MAX) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t size, size_t max)
{
	size_t n = strnlen(s, size);

	if (n == size || n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void check_same(const struct tag_data *a, const struct tag_data *b)
{
	if (strcmp(a->item_id, b->item_id) || strcmp(a->owner_isil, b->owner_isil) ||
	    a->usage != b->usage || a->set_size != b->set_size || a->set_part != b->set_part ||
	    a->version != b->version || b->model != TAG_MODEL_28560_3)
		abort();
}

static void check_same_extensions(const struct tag_data *a, const struct tag_data *b)
{
	check_same(a, b);
	if (strcmp(a->alt_item_id, b->alt_item_id) || strcmp(a->title, b->title) ||
	    strcmp(a->shelf_location, b->shelf_location) ||
	    strcmp(a->media_format, b->media_format) || a->media_code != b->media_code ||
	    b->damaged_extension_at)
		abort();
}

/* What the extension encoder writes from t decodes to t again, when it takes t. */
static void round_trip_extensions(const struct tag_data *t)
{
	uint8_t mem[RFID_LIKE_MEM];
	struct tag_data back;
	char why[160];
	int n = iso28560_3_encode_extensions(t, mem, sizeof(mem));

	if (n < 0) {
		if (n != -EINVAL && n != -ENOSPC)
			abort();
		return;
	}
	if (iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)) != 0)
		abort();
	check_same_extensions(t, &back);
}

static void walk_extensions(const uint8_t *data, size_t size)
{
	struct iso28560_3_extension ext;
	size_t cursor = ISO28560_3_BLOCK_SIZE, before;
	int r;

	for (;;) {
		before = cursor;
		r = iso28560_3_next_extension(data, size, &cursor, &ext);
		if (r <= 0)
			break;
		if (ext.offset < before || ext.len < 4 || ext.offset + ext.len > size ||
		    cursor != ext.offset + ext.len || ext.data_at > cursor)
			abort();
		for (unsigned n = 0; n < 8; n++) {
			const uint8_t *field;
			size_t field_len;

			if (iso28560_3_ext_field(data, &ext, n, &field, &field_len) != 0 ||
			    field < data + ext.data_at || field + field_len > data + cursor ||
			    memchr(field, 0, field_len))
				abort();
		}
	}
	if (r < 0 && r != -EBADMSG)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tag_data t, back;
	uint8_t mem[ISO28560_3_BLOCK_SIZE];
	char why[96];
	int r, n;

	walk_extensions(data, size);
	r = iso28560_3_decode(data, size, &t, why, sizeof(why));
	if (r < 0) {
		if ((r != -ENODATA && r != -EBADMSG && r != -ENOTSUP) || !why[0])
			abort();
		return 0;
	}
	if (why[0] || !iso28560_3_crc_ok(data, size) || t.model != TAG_MODEL_28560_3 ||
	    (t.usage & 0x0f) || !t.has_set || !t.has_usage)
		abort();
	check_text(t.item_id, sizeof(t.item_id),
		   data[3] == 0x01 ? TAG_ITEM_ID_MAX : ISO28560_3_ITEM_ID_LEN);
	check_text(t.owner_isil, sizeof(t.owner_isil), 3 + ISO28560_3_ISIL_LEN);
	check_text(t.alt_item_id, sizeof(t.alt_item_id), TAG_ITEM_ID_MAX);
	check_text(t.title, sizeof(t.title), TAG_TEXT_MAX);
	check_text(t.shelf_location, sizeof(t.shelf_location), TAG_TEXT_MAX);
	check_text(t.media_format, sizeof(t.media_format), TAG_MEDIA_MAX);
	if (t.damaged_extension_at && t.damaged_extension_at < ISO28560_3_BLOCK_SIZE)
		abort();
	if (!t.damaged_extension_at)
		round_trip_extensions(&t);
	if (data[3] == 0x01)
		return 0; /* an id in the extension: the basic block alone cannot say it */

	/* the same on the other tag size, when the encoder takes it */
	n = iso28560_3_encode(&t, mem, size >= ISO28560_3_BLOCK_SIZE ? 32 : sizeof(mem));
	if (n < 0) {
		if (n != -EINVAL)
			abort();
		return 0;
	}
	if (!iso28560_3_crc_ok(mem, (size_t)n))
		abort();
	if (iso28560_3_decode(mem, (size_t)n, &back, why, sizeof(why)) != 0)
		abort();
	check_same(&t, &back);
	return 0;
}
