/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes card_number_convert(). The first byte picks the format and byte
 * order, the second the padding and the trim strings; the rest is what the
 * reader typed. Checks what a format promises: printable output (text: and
 * UTF-8 and GS) of the
 * returned length, the fixed widths of the decimal formats, and on failure
 * an empty output with a reason.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/cardnum.h"
#include "../../hal/scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_width(enum card_format f, const char *out, size_t len)
{
	size_t want = 0;

	switch (f) {
	case CARD_FORMAT_DEC10:
	case CARD_FORMAT_HEX_TO_DEC10:
		want = 10;
		break;
	case CARD_FORMAT_HEX_TO_DEC8:
		want = 8;
		break;
	case CARD_FORMAT_HEX_TO_DEC13:
		want = 13;
		break;
	case CARD_FORMAT_UID_DEC:
		if (len != 10 && len != 17)
			abort();
		want = len;
		break;
	default:
		return;
	}
	if (len != want || !all_digits(out, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const affixes[] = { "", ";", "?", "%", "ID:", "\r" };
	struct card_options opt;
	char out[SCAN_TEXT_MAX + 1], small[6], why[96];
	const char *in;
	size_t len, n;
	int r;

	if (size < 2)
		return 0;
	card_options_default(&opt);
	opt.format = (enum card_format)(data[0] % (CARD_FORMAT__COUNT + 1));
	opt.byte_order = data[0] & 0x80 ? CARD_LSB_FIRST : CARD_MSB_FIRST;
	if (data[0] & 0x40)
		opt.separator[0] = '\0';
	opt.pad_length = data[1] & 0x10 ? (unsigned)(data[1] & 0x0f) : 0;
	if (data[1] & 0x20)
		opt.pad_length = SCAN_TEXT_MAX;
	strcpy(opt.trim_prefix, affixes[(data[1] >> 6) % 6]);
	strcpy(opt.trim_suffix, affixes[(data[1] >> 5) % 6]);
	in = (const char *)data + 2;
	len = size - 2;

	r = card_number_convert(&opt, in, len, out, sizeof(out), why, sizeof(why));
	if (r < 0) {
		if ((r != -EINVAL && r != -ENOSPC) || out[0] || !why[0])
			abort();
	} else {
		n = strnlen(out, sizeof(out));
		if ((size_t)r != n || n == 0 || n > SCAN_TEXT_MAX || why[0])
			abort();
		/* Text may carry UTF-8 and GS (for the barcode rules); card numbers are ASCII. */
		for (size_t i = 0; i < n; i++)
			if (((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e) &&
			    (opt.format != CARD_FORMAT_TEXT ||
			     ((unsigned char)out[i] != SCAN_GS && (unsigned char)out[i] < 0x80)))
				abort();
		check_width(opt.format, out, n);
	}
	/* a small buffer is refused, never overrun */
	r = card_number_convert(&opt, in, len, small, 1 + len % sizeof(small), NULL, 0);
	if (r >= 0 && (size_t)r != strnlen(small, sizeof(small)))
		abort();
	return 0;
}
