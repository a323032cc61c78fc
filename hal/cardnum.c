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
#include "util.h"
#include "why.h"

#define DEC10_DIGITS 10
#define DEC8_DIGITS 8
#define DEC13_DIGITS 13
#define HEX24_DIGITS 6
#define HEX32_DIGITS 8
#define HEX40_DIGITS 10
#define WIEGAND26_FRAME_DIGITS 7
#define UID4_DIGITS 8
#define UID7_DIGITS 14
#define UID4_DEC_DIGITS 10 /* 4294967295 */
#define UID7_DEC_DIGITS 17 /* 72057594037927935 */

static const char *const format_names[] = {
	[CARD_FORMAT_TEXT] = "text",
	[CARD_FORMAT_DEC10] = "dec10",
	[CARD_FORMAT_HEX] = "hex",
	[CARD_FORMAT_HEX_TO_DEC10] = "hex-to-dec10",
	[CARD_FORMAT_HEX_TO_DEC8] = "hex-to-dec8",
	[CARD_FORMAT_HEX_TO_DEC13] = "hex-to-dec13",
	[CARD_FORMAT_WIEGAND26] = "wiegand26",
	[CARD_FORMAT_UID_HEX] = "uid-hex",
	[CARD_FORMAT_UID_DEC] = "uid-dec",
};

#define N_FORMATS (ARRAY_SIZE(format_names))

static const char *const byte_order_names[] = {
	[CARD_MSB_FIRST] = "msb",
	[CARD_LSB_FIRST] = "lsb",
};

void card_options_default(struct card_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->format = CARD_FORMAT_TEXT;
	opt->byte_order = CARD_MSB_FIRST;
	strcpy(opt->separator, ",");
}

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

int card_byte_order_from_name(const char *name, enum card_byte_order *ret)
{
	if (!name || !ret)
		return -EINVAL;
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(name, byte_order_names[i]) == 0) {
			*ret = (enum card_byte_order)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *card_byte_order_name(enum card_byte_order order)
{
	if ((unsigned)order > CARD_LSB_FIRST)
		return "unknown";
	return byte_order_names[order];
}


/* The first character that is not one of the format's, or len. */
static size_t first_not(const char *in, size_t len, bool hex)
{
	for (size_t i = 0; i < len; i++)
		if (hex ? hex_digit_value(in[i]) < 0 : (in[i] < '0' || in[i] > '9'))
			return i;
	return len;
}

/*
 * Card numbers are printable ASCII. Text passes what the decoders keep
 * (UTF-8 from a layout, GS inside GS1 data), for the barcode rules to judge;
 * other control bytes are refused either way.
 */
static int check_printable(const char *in, size_t len, bool text, char *why, size_t why_size)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (text && (c == SCAN_GS || c >= 0x80))
			continue;
		if (c < 0x20 || c > 0x7e)
			return why_refuse(-EINVAL, why, why_size,
				      "byte 0x%02x at position %zu is not printable%s", c, i + 1,
				      text ? "" : " ASCII");
	}
	return 0;
}

/* "8 or 10", "6, 8 or 10": the hex lengths a format takes, for messages. */
static int check_hex_length(size_t len, const unsigned *allowed, size_t n, char *why,
			    size_t why_size)
{
	char list[32] = "";
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (len == allowed[i])
			return 0;
	for (size_t i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u",
					 i == 0 ? "" : i + 1 == n ? " or " : ", ", allowed[i]);
	return why_refuse(-EINVAL, why, why_size, "%zu hex digits, expected %s", len, list);
}

static int read_hex(const char *in, size_t len, const unsigned *allowed, size_t n, uint64_t *ret,
		    char *why, size_t why_size)
{
	size_t bad = first_not(in, len, true);
	uint64_t value = 0;
	int r;

	if (bad < len)
		return why_refuse(-EINVAL, why, why_size, "'%c' at position %zu is not a hex digit",
			      in[bad], bad + 1);
	r = check_hex_length(len, allowed, n, why, why_size);
	if (r < 0)
		return r;
	/* at most 14 digits: fits */
	for (size_t i = 0; i < len; i++)
		value = value << 4 | (uint64_t)hex_digit_value(in[i]);
	*ret = value;
	return 0;
}

static unsigned ones(uint32_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/*
 * Wiegand 26 (HID H10301): an even parity bit over the next 12 bits, the
 * 8-bit facility code, the 16-bit card number, an odd parity bit over the
 * 12 bits before it. Readers type the 24 data bits, or the whole frame.
 */
static int wiegand26(const struct card_options *opt, const char *in, size_t len, char *norm,
		     char *why, size_t why_size)
{
	static const unsigned lengths[] = { HEX24_DIGITS, WIEGAND26_FRAME_DIGITS, HEX32_DIGITS,
					    HEX40_DIGITS };
	uint64_t value;
	uint32_t data;
	int r = read_hex(in, len, lengths, 4, &value, why, why_size);

	if (r < 0)
		return r;
	if (len == WIEGAND26_FRAME_DIGITS) {
		if (value >> 26)
			return why_refuse(-EINVAL, why, why_size,
				      "%.7s is more than a 26-bit Wiegand frame", in);
		if (ones((uint32_t)(value >> 13)) % 2 != 0 ||
		    ones((uint32_t)value & 0x1fff) % 2 != 1)
			return why_refuse(-EINVAL, why, why_size,
				      "Wiegand 26 frame %.7s fails its parity check", in);
		data = (uint32_t)(value >> 1) & 0xffffff;
	} else {
		data = (uint32_t)value & 0xffffff;
	}
	return snprintf(norm, SCAN_TEXT_MAX + 1, "%03" PRIu32 "%s%05" PRIu32, data >> 16,
			opt->separator, data & 0xffff);
}

static int uid(const struct card_options *opt, const char *in, size_t len, char *norm, char *why,
	       size_t why_size)
{
	static const unsigned lengths[] = { UID4_DIGITS, UID7_DIGITS };
	uint8_t bytes[UID7_DIGITS / 2];
	size_t n = len / 2;
	uint64_t value;
	int r = read_hex(in, len, lengths, 2, &value, why, why_size);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		size_t typed = opt->byte_order == CARD_LSB_FIRST ? n - 1 - i : i;

		bytes[i] = (uint8_t)(value >> (8 * (n - 1 - typed)));
	}
	if (opt->format == CARD_FORMAT_UID_HEX) {
		for (size_t i = 0; i < n; i++)
			snprintf(norm + 2 * i, 3, "%02X", bytes[i]);
		return (int)len;
	}
	value = 0;
	for (size_t i = 0; i < n; i++)
		value = value << 8 | bytes[i];
	return snprintf(norm, SCAN_TEXT_MAX + 1, "%0*" PRIu64,
			n == 4 ? UID4_DEC_DIGITS : UID7_DEC_DIGITS, value);
}

/* Writes the card number into a scratch buffer sized for any format. */
static int normalize(const struct card_options *opt, const char *in, size_t len, char *norm,
		     char *why, size_t why_size)
{
	static const unsigned hex_lengths[] = { HEX32_DIGITS, HEX40_DIGITS };
	static const unsigned dec8_lengths[] = { HEX24_DIGITS, HEX32_DIGITS, HEX40_DIGITS };
	size_t bad;
	uint64_t value = 0;
	int r;

	switch (opt->format) {
	case CARD_FORMAT_TEXT:
		memcpy(norm, in, len);
		norm[len] = '\0';
		return (int)len;
	case CARD_FORMAT_DEC10:
		bad = first_not(in, len, false);
		if (bad < len)
			return why_refuse(-EINVAL, why, why_size,
				      "'%c' at position %zu is not a decimal digit", in[bad],
				      bad + 1);
		if (len != DEC10_DIGITS)
			return why_refuse(-EINVAL, why, why_size, "%zu digits, expected %d", len,
				      DEC10_DIGITS);
		for (size_t i = 0; i < len; i++)
			value = value * 10 + (uint64_t)(in[i] - '0');
		if (value > UINT32_MAX)
			return why_refuse(-EINVAL, why, why_size,
				      "%.10s is more than 32 bits (4294967295)", in);
		memcpy(norm, in, len);
		norm[len] = '\0';
		return (int)len;
	case CARD_FORMAT_HEX:
		r = read_hex(in, len, hex_lengths, 2, &value, why, why_size);
		if (r < 0)
			return r;
		for (size_t i = 0; i < len; i++)
			norm[i] = "0123456789ABCDEF"[hex_digit_value(in[i])];
		norm[len] = '\0';
		return (int)len;
	case CARD_FORMAT_HEX_TO_DEC10:
		r = read_hex(in, len, hex_lengths, 2, &value, why, why_size);
		if (r < 0)
			return r;
		/* the 40-bit form's top byte is the EM4100 version, not printed on the card */
		return snprintf(norm, DEC10_DIGITS + 1, "%010" PRIu32, (uint32_t)value);
	case CARD_FORMAT_HEX_TO_DEC8:
		r = read_hex(in, len, dec8_lengths, 3, &value, why, why_size);
		if (r < 0)
			return r;
		return snprintf(norm, DEC8_DIGITS + 1, "%08" PRIu32, (uint32_t)value & 0xffffff);
	case CARD_FORMAT_HEX_TO_DEC13:
		r = read_hex(in, len, hex_lengths, 2, &value, why, why_size);
		if (r < 0)
			return r;
		return snprintf(norm, DEC13_DIGITS + 1, "%013" PRIu64, value);
	case CARD_FORMAT_WIEGAND26:
		return wiegand26(opt, in, len, norm, why, why_size);
	case CARD_FORMAT_UID_HEX:
	case CARD_FORMAT_UID_DEC:
		return uid(opt, in, len, norm, why, why_size);
	case CARD_FORMAT__COUNT:
		break;
	}
	return why_refuse(-EINVAL, why, why_size, "unknown card format %d", (int)opt->format);
}

/* Removes affix from one end of in[0..*len) when it is there. */
static const char *trim(const char *in, size_t *len, const char *affix, bool suffix)
{
	size_t n = strnlen(affix, CARD_AFFIX_MAX);

	if (!n || n > *len)
		return in;
	if (memcmp(suffix ? in + *len - n : in, affix, n) != 0)
		return in;
	*len -= n;
	return suffix ? in : in + n;
}

int card_number_convert(const struct card_options *opt, const char *in, size_t len, char *out,
			size_t out_size, char *why, size_t why_size)
{
	char padded[SCAN_TEXT_MAX + 1], norm[SCAN_TEXT_MAX + 1];
	int n;

	if (why && why_size)
		why[0] = '\0';
	if (out && out_size)
		out[0] = '\0';
	if (!opt || !in || !out)
		return why_refuse(-EINVAL, why, why_size, "no card number or no output buffer");
	if (len > SCAN_TEXT_MAX)
		return why_refuse(-EINVAL, why, why_size, "longer than %d characters", SCAN_TEXT_MAX);
	n = check_printable(in, len, opt->format == CARD_FORMAT_TEXT, why, why_size);
	if (n < 0)
		return n;
	in = trim(in, &len, opt->trim_prefix, false);
	in = trim(in, &len, opt->trim_suffix, true);
	if (len == 0)
		return why_refuse(-EINVAL, why, why_size, "empty card number");
	if (len < opt->pad_length && opt->pad_length <= SCAN_TEXT_MAX) {
		size_t zeros = opt->pad_length - len;

		memset(padded, '0', zeros);
		memcpy(padded + zeros, in, len);
		in = padded;
		len = opt->pad_length;
	}
	n = normalize(opt, in, len, norm, why, why_size);
	if (n < 0)
		return n;
	if ((size_t)n >= out_size)
		return why_refuse(-ENOSPC, why, why_size, "%d characters do not fit in %zu bytes", n,
			      out_size);
	memcpy(out, norm, (size_t)n + 1);
	return n;
}

int card_number_normalize(enum card_format f, const char *in, size_t len, char *out,
			  size_t out_size, char *why, size_t why_size)
{
	struct card_options opt;

	card_options_default(&opt);
	opt.format = f;
	return card_number_convert(&opt, in, len, out, out_size, why, why_size);
}
