/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes tag_decode(): the first byte picks the configured data model, the
 * second is the tag's DSFID, the rest its user memory. Checks that a
 * success names a model and no reason, that a failure leaves no data
 * behind and gives a reason, and that tag_model_detect() agrees.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/tag-format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tag_data empty;
	enum tag_model_choice choice;
	struct tag_data t;
	char why[160];
	int r;

	if (size < 2)
		return 0;
	choice = (enum tag_model_choice)(data[0] % 4); /* 3: outside the enum */
	r = tag_decode(choice, data[1], data + 2, size - 2, &t, why, sizeof(why));
	if (r < 0) {
		if (!why[0] || memcmp(&t, &empty, sizeof(t)) != 0)
			abort();
		if (tag_model_detect(choice, data[1], data + 2, size - 2) != TAG_MODEL_UNKNOWN)
			abort();
		return 0;
	}
	if (r != 0 || why[0] || (t.model != TAG_MODEL_28560_2 && t.model != TAG_MODEL_28560_3) ||
	    strnlen(t.item_id, sizeof(t.item_id)) == sizeof(t.item_id) ||
	    strnlen(t.owner_isil, sizeof(t.owner_isil)) == sizeof(t.owner_isil))
		abort();
	if (tag_model_detect(choice, data[1], data + 2, size - 2) != t.model)
		abort();
	return 0;
}
