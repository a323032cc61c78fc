/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes display_state_json() with texts made of arbitrary bytes: the output
 * is NUL-terminated, as long as it says, one line (an event-stream "data:"
 * line must not break), with no raw control character, and a buffer one byte
 * short of it is refused rather than cut.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/display-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], title[64], out[4096];
	size_t half = size / 2, n;
	struct display_item item = { "31234000000016", title, "" };
	struct display_state st = { .language = "en", .items = &item, .n_items = 1 };
	int r;

	n = half < sizeof(text) - 1 ? half : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	n = size - half < sizeof(title) - 1 ? size - half : sizeof(title) - 1;
	memcpy(title, data + half, n);
	title[n] = '\0';
	st.text = text;
	st.screen = size ? (enum display_screen)(data[0] % 8) : DISPLAY_SCREEN_WELCOME;
	r = display_state_json(&st, size, out, sizeof(out));
	if (r < 0)
		abort(); /* 256 + 64 bytes escaped six-fold fit in 4 KiB */
	if ((size_t)r != strlen(out))
		abort();
	for (size_t i = 0; i < (size_t)r; i++)
		if ((unsigned char)out[i] < 0x20)
			abort();
	if (display_state_json(&st, size, out, (size_t)r) != -ENOSPC)
		abort();
	return 0;
}
