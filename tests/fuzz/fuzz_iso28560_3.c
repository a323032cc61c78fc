/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the ISO 28560-3 decoder and encoder. The input is a tag's user
 * memory. Checks what the decoder promises (success only with a CRC that
 * checks; texts NUL-terminated, within the model's lengths, free of control
 * characters; a reason on every failure), that whatever it decoded and
 * the encoder accepts decodes again to the same fields, and that the
 * extension walk stays inside the memory and always moves on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/iso28560-3.h"

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
		    cursor != ext.offset + ext.len)
			abort();
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
	check_text(t.item_id, sizeof(t.item_id), ISO28560_3_ITEM_ID_LEN);
	check_text(t.owner_isil, sizeof(t.owner_isil), 3 + ISO28560_3_ISIL_LEN);

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
