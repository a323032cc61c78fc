/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes iso28560_2_decode() over any tag memory: it answers 0 or -EBADMSG
 * with a reason, never reads past the end; and a tag it read is written back
 * by iso28560_2_encode() and read again into the very same struct.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/iso28560-2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const struct tag_data *a, const struct tag_data *b)
{
	if (a->model != b->model || a->version != b->version || strcmp(a->item_id, b->item_id) ||
	    strcmp(a->owner_isil, b->owner_isil) || a->has_set != b->has_set ||
	    a->set_size != b->set_size || a->set_part != b->set_part ||
	    a->has_usage != b->has_usage || a->usage != b->usage ||
	    strcmp(a->shelf_location, b->shelf_location) || strcmp(a->title, b->title) ||
	    strcmp(a->media_format, b->media_format) || strcmp(a->alt_item_id, b->alt_item_id))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tag_data tag, again;
	uint8_t mem[1024];
	char why[96];
	size_t used;
	int r;

	why[0] = '\0';
	r = iso28560_2_decode(data, size, &tag, why, sizeof(why));
	if (r < 0) {
		if (r != -EBADMSG || !why[0] || !memchr(why, '\0', sizeof(why)))
			abort();
		return 0;
	}
	if (tag.model != TAG_MODEL_28560_2 || !tag.item_id[0])
		abort();
	if (iso28560_2_encode(&tag, mem, sizeof(mem), &used) != 0 || used > sizeof(mem))
		abort();
	if (iso28560_2_decode(mem, used, &again, why, sizeof(why)) != 0)
		abort();
	same_or_abort(&tag, &again);
	return 0;
}
