/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes aim_parse() and aim_symbology(): a parse never reads past len, its
 * length is 3 (or 3 plus the count after ]Y), the symbology is in the enum
 * and named, and the NUL-terminated form agrees with the counted one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/aim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char copy[AIM_ID_MAX + 1];
	struct aim_id id;
	size_t n;
	int r;

	r = aim_parse(text, size, &id);
	if (r < 0) {
		if (r != -EINVAL)
			abort();
		return 0;
	}
	if (r < 3 || (size_t)r > size || r > AIM_ID_MAX || text[0] != ']')
		abort();
	if (r != 3 && (id.code != 'Y' || r != 3 + id.modifier - '0'))
		abort();
	if ((int)id.symbology < 0 || id.symbology >= SYM__COUNT || !symbology_name(id.symbology)[0])
		abort();
	if (id.check_stripped && !id.check_verified)
		abort();
	n = (size_t)r;
	memcpy(copy, text, n);
	copy[n] = '\0';
	if (aim_symbology(copy) != id.symbology)
		abort();
	return 0;
}
