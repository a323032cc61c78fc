/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cardnum.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scanner.h"

#define DEC10_DIGITS 10
#define HEX32_DIGITS 8
#define HEX40_DIGITS 10

static const char *const format_names[] = {
	[CARD_FORMAT_TEXT] = "text",
	[CARD_FORMAT_DEC10] = "dec10",
	[CARD_FORMAT_HEX] = "hex",
	[CARD_FORMAT_HEX_TO_DEC10] = "hex-to-dec10",
};

#define N_FORMATS (sizeof(format_names) / sizeof(format_names[0]))

int card_format_from_name(const char *name, enum card_format *ret)
{
	if (!name || !ret)
		return -EINVAL;
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*ret = (enum card_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *card_format_name(enum card_format f)
{
	if ((unsigned)f >= N_FORMATS)
		return "unknown";
	return format_names[f];
}

__attribute__((format(printf, 4, 5)))
static int refuse(int err, char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The first character that is not one of the format's, or len. */
static size_t first_not(const char *in, size_t len, bool hex)
{
	for (size_t i = 0; i < len; i++)
		if (hex ? hex_value(in[i]) < 0 : (in[i] < '0' || in[i] > '9'))
			return i;
	return len;
}

static int check_printable(const char *in, size_t len, char *why, size_t why_size)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] < 0x20 || (unsigned char)in[i] > 0x7e)
			return refuse(-EINVAL, why, why_size,
				      "byte 0x%02x at position %zu is not printable ASCII",
				      (unsigned char)in[i], i + 1);
	return 0;
}

/* Writes the normalised number into a scratch buffer sized for any format. */
static int normalize(enum card_format f, const char *in, size_t len, char *norm, char *why,
		     size_t why_size)
{
	size_t bad;
	uint64_t value = 0;
	int r;

	if (len == 0)
		return refuse(-EINVAL, why, why_size, "empty card number");
	if (len > SCAN_TEXT_MAX)
		return refuse(-EINVAL, why, why_size, "longer than %d characters", SCAN_TEXT_MAX);
	r = check_printable(in, len, why, why_size);
	if (r < 0)
		return r;

	switch (f) {
	case CARD_FORMAT_TEXT:
		memcpy(norm, in, len);
		norm[len] = '\0';
		return (int)len;
	case CARD_FORMAT_DEC10:
		bad = first_not(in, len, false);
		if (bad < len)
			return refuse(-EINVAL, why, why_size,
				      "'%c' at position %zu is not a decimal digit", in[bad],
				      bad + 1);
		if (len != DEC10_DIGITS)
			return refuse(-EINVAL, why, why_size, "%zu digits, expected %d", len,
				      DEC10_DIGITS);
		for (size_t i = 0; i < len; i++)
			value = value * 10 + (uint64_t)(in[i] - '0');
		if (value > UINT32_MAX)
			return refuse(-EINVAL, why, why_size,
				      "%.10s is more than 32 bits (4294967295)", in);
		memcpy(norm, in, len);
		norm[len] = '\0';
		return (int)len;
	case CARD_FORMAT_HEX:
	case CARD_FORMAT_HEX_TO_DEC10:
		bad = first_not(in, len, true);
		if (bad < len)
			return refuse(-EINVAL, why, why_size,
				      "'%c' at position %zu is not a hex digit", in[bad], bad + 1);
		if (len != HEX32_DIGITS && len != HEX40_DIGITS)
			return refuse(-EINVAL, why, why_size, "%zu hex digits, expected %d or %d",
				      len, HEX32_DIGITS, HEX40_DIGITS);
		if (f == CARD_FORMAT_HEX) {
			for (size_t i = 0; i < len; i++)
				norm[i] = "0123456789ABCDEF"[hex_value(in[i])];
			norm[len] = '\0';
			return (int)len;
		}
		for (size_t i = 0; i < len; i++)
			value = value << 4 | (uint64_t)hex_value(in[i]);
		/* the 40-bit form's top byte is the EM4100 version, not printed on the card */
		return snprintf(norm, DEC10_DIGITS + 1, "%010" PRIu32, (uint32_t)value);
	case CARD_FORMAT__COUNT:
		break;
	}
	return refuse(-EINVAL, why, why_size, "unknown card format %d", (int)f);
}

int card_number_normalize(enum card_format f, const char *in, size_t len, char *out,
			  size_t out_size, char *why, size_t why_size)
{
	char norm[SCAN_TEXT_MAX + 1];
	int n;

	if (why && why_size)
		why[0] = '\0';
	if (out && out_size)
		out[0] = '\0';
	if (!in || !out)
		return refuse(-EINVAL, why, why_size, "no card number or no output buffer");
	n = normalize(f, in, len, norm, why, why_size);
	if (n < 0)
		return n;
	if ((size_t)n >= out_size)
		return refuse(-ENOSPC, why, why_size, "%d characters do not fit in %zu bytes", n,
			      out_size);
	memcpy(out, norm, (size_t)n + 1);
	return n;
}
