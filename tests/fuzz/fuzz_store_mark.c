/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes store_mark_parse() over any bytes (as a damaged mark file): a
 * mark it accepts has a seq >= 0, a known state and a count of seqs its
 * commit carries that the seq can hold, and comes back the same through
 * store_mark_format(); a slot formatted from the first 8 bytes (and the
 * ninth, for a count) parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/store-mark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char file[STORE_MARK_FILE_SIZE];
	struct store_mark mark, again;

	if (store_mark_parse((const char *)data, size, &mark) == 0) {
		if (mark.seq < 0 || mark.state > STORE_MARK_CLEAN || mark.carries < 1 ||
		    mark.carries > STORE_MARK_CARRIES_MAX ||
		    (mark.carries > 1 && (mark.state != STORE_MARK_PENDING ||
					  (int64_t)mark.carries > mark.seq)))
			abort();
		memset(file, 0, sizeof(file));
		if (store_mark_format(&mark, file) < 0 ||
		    store_mark_parse(file, STORE_MARK_SLOT, &again) < 0 || again.seq != mark.seq ||
		    again.state != mark.state || again.carries != mark.carries)
			abort();
	}
	if (size >= 8) {
		uint64_t v;

		memcpy(&v, data, sizeof(v));
		mark.seq = (int64_t)(v >> 2);
		mark.state = (enum store_mark_state)(v % 3);
		mark.carries = size > 8 ? data[8] : 1;
		if (mark.state != STORE_MARK_PENDING || (int64_t)mark.carries > mark.seq)
			mark.carries = 1;
		memset(file, 0, sizeof(file));
		if (store_mark_format(&mark, file + STORE_MARK_SLOT_STRIDE) < 0 ||
		    store_mark_parse(file, sizeof(file), &again) < 0 || again.seq != mark.seq ||
		    again.state != mark.state || again.carries != (mark.carries ? mark.carries : 1))
			abort();
	}
	return 0;
}
