/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes due_date_parse() and due_date_show(): any bytes, never a crash; a
 * parsed date formats; the text shown is NUL-terminated within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/ils-date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[DUE_DATE_TEXT_MAX + 8], out[64];
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	time_t t;

	memcpy(text, data, len);
	text[len] = 0;
	if (due_date_parse(text, &t) == 0 &&
	    due_date_format(t, "%Y-%m-%d", NULL, out, sizeof(out)) < 0)
		abort();
	due_date_show(text, 0, "%a %d %b %Y", NULL, out, sizeof(out));
	if (strnlen(out, sizeof(out)) == sizeof(out))
		abort();
	return 0;
}
