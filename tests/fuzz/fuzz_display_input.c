/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes display_input_parse(), what the touch-screen page posts: it never
 * reads past len, and what it accepts is one of its actions with a value
 * that action allows (digits for a PIN, a lower-case tag, yes or no).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/display-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct display_input in;
	int r = display_input_parse((const char *)data, size, &in);
	size_t len = strnlen(in.value, sizeof(in.value));

	if (len >= sizeof(in.value))
		abort();
	if (r < 0) {
		if (r != -EINVAL || len)
			abort();
		return 0;
	}
	switch (in.action) {
	case DISPLAY_ACTION_PIN:
		if (!len || strspn(in.value, "0123456789") != len)
			abort();
		break;
	case DISPLAY_ACTION_LANGUAGE:
		if (!len || strspn(in.value, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
			abort();
		break;
	case DISPLAY_ACTION_RECEIPT:
		if (strcmp(in.value, "yes") != 0 && strcmp(in.value, "no") != 0)
			abort();
		break;
	case DISPLAY_ACTION_DONE:
	case DISPLAY_ACTION_HELP:
		if (len)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
