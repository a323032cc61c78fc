/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 28560-2 (ISO/IEC 15962 "no directory") decoder and encoder.
 *
 * Where the rules come from. Checked against the worked example of ISO
 * 28560-2:2023 annex D (tables D.7-D.10): precursor, offset byte, length,
 * pad bytes; the content parameter (a bit map, most significant bit =
 * relative OID 3, in the application-defined scheme); the integer scheme;
 * the 6-bit code and its pad bits (a one, then zeros); the ISIL
 * compaction's letters, '-' and its one-character shift to lower case, with
 * a one as pad bit. Set information is "number of parts" then "part number"
 * (ISO 28560-1 4.2.4). Octet-scheme texts are ISO/IEC 8859-1, anything
 * beyond needs UTF-8 (the clarification by the editor of ISO 28560-2,
 * biblstandard.dk/rfid/docs/clarification_28560-2.htm). This file's own
 * reading, each kept in one place to be easy to correct: where the OID
 * extension byte goes beside an offset, lengths past 127, the rest of the
 * ISIL table, the numeric scheme (two digits a byte, 0xF after an odd
 * count), the 5- and 7-bit pad bits, and type of usage as two hex digits.
 */
#include "iso28560-2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"
#include "why.h"

/* Longest value kept while decoding: every tag_data field fits, with room to see where to cut. */
#define VALUE_MAX 128
/* A length or offset of up to 2^21 - 1 bytes: far beyond any HF tag's memory. */
#define VARLEN_MAX_BYTES 3
/* Digits an integer-compacted value may have: what fits in 64 bits. */
#define INTEGER_DIGITS_MAX 19

/* A decoded value: the text (cut at VALUE_MAX) and its whole length. */
struct value {
	char text[VALUE_MAX + 1];
	size_t len;
};

static void value_put(struct value *v, char c)
{
	if (v->len < VALUE_MAX)
		v->text[v->len] = c;
	v->len++;
	v->text[v->len < VALUE_MAX ? v->len : VALUE_MAX] = '\0';
}

/* The width-bit code starting at bit bitpos of data (most significant bit first). */
static unsigned bits_at(const uint8_t *data, size_t bitpos, unsigned width)
{
	unsigned v = 0;

	for (unsigned i = 0; i < width; i++, bitpos++)
		v = v << 1 | ((data[bitpos / 8] >> (7 - bitpos % 8)) & 1);
	return v;
}

struct bit_writer {
	uint8_t *buf;
	size_t cap, bits;
};

static int put_bits(struct bit_writer *w, unsigned value, unsigned width)
{
	for (unsigned i = width; i-- > 0; w->bits++) {
		if (w->bits / 8 >= w->cap)
			return -ENOSPC;
		if (w->bits % 8 == 0)
			w->buf[w->bits / 8] = 0;
		if (value >> i & 1)
			w->buf[w->bits / 8] |= 0x80 >> (w->bits % 8);
	}
	return 0;
}

/* Bytes used so far, the last one filled up with pad bits (a one then zeros, or all ones). */
static size_t bits_finish(struct bit_writer *w, bool pad_all_ones)
{
	size_t n = (w->bits + 7) / 8;

	for (size_t b = w->bits; b < n * 8; b++)
		if (pad_all_ones || b == w->bits)
			w->buf[b / 8] |= 0x80 >> (b % 8);
	return n;
}

/* ---- 5-, 6- and 7-bit codes (ISO/IEC 15962) ---- */

static int packed_code(char c, unsigned width)
{
	unsigned char u = (unsigned char)c;

	if (width == 5)
		return u >= 0x40 && u <= 0x5f ? u - 0x40 : -1;
	if (width == 6)
		return u >= 0x20 && u <= 0x5f ? u & 0x3f : -1;
	return u >= 0x01 && u <= 0x7f ? u : -1;
}

static char packed_char(unsigned code, unsigned width)
{
	if (width == 5 || (width == 6 && code < 0x20))
		return (char)(code + 0x40);
	return (char)code;
}

/*
 * n bytes can hold two counts of codes; when they do, a last code that is
 * the pad pattern (a one then zeros, as written here) or all zeros is
 * padding. The encoder checks that its own output decodes back, so it never
 * writes a text whose last character would be taken for padding.
 */
static int decode_packed(const uint8_t *data, size_t n, unsigned width, struct value *v,
			 char *why, size_t why_size)
{
	size_t codes = n * 8 / width, fewest = n ? ((n - 1) * 8) / width + 1 : 0;

	if (codes > fewest) {
		unsigned last = bits_at(data, (codes - 1) * width, width);

		if (last == 1u << (width - 1) || last == 0)
			codes--;
	}
	for (size_t i = 0; i < codes; i++) {
		unsigned code = bits_at(data, i * width, width);

		if (code == 0 && width == 7)
			return why_refuse(-EBADMSG, why, why_size, "NUL in a 7-bit text");
		value_put(v, packed_char(code, width));
	}
	return 0;
}

static int encode_packed(const char *text, unsigned width, uint8_t *out, size_t cap, size_t *n)
{
	struct bit_writer w = { out, cap, 0 };
	int r;

	for (const char *p = text; *p; p++) {
		int code = packed_code(*p, width);

		if (code < 0)
			return -EINVAL;
		r = put_bits(&w, (unsigned)code, width);
		if (r < 0)
			return r;
	}
	*n = bits_finish(&w, false);
	return 0;
}

/* ---- integer and numeric ---- */

static int decode_integer(const uint8_t *data, size_t n, struct value *v, char *why,
			  size_t why_size)
{
	char digits[24];
	uint64_t x = 0;

	if (n == 0 || n > 8)
		return why_refuse(-EBADMSG, why, why_size, "integer of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		x = x << 8 | data[i];
	snprintf(digits, sizeof(digits), "%" PRIu64, x);
	for (const char *p = digits; *p; p++)
		value_put(v, *p);
	return 0;
}

static bool all_digits(const char *text)
{
	if (!*text)
		return false;
	for (; *text; text++)
		if (*text < '0' || *text > '9')
			return false;
	return true;
}

static int encode_integer(const char *text, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = strlen(text), bytes = 1;
	uint64_t x;

	if (!all_digits(text) || len > INTEGER_DIGITS_MAX || (text[0] == '0' && len > 1))
		return -EINVAL;
	x = strtoull(text, NULL, 10);
	while (bytes < 8 && x >> (8 * bytes))
		bytes++;
	if (bytes > cap)
		return -ENOSPC;
	for (size_t i = 0; i < bytes; i++)
		out[i] = (uint8_t)(x >> (8 * (bytes - 1 - i)));
	*n = bytes;
	return 0;
}

static int decode_numeric(const uint8_t *data, size_t n, struct value *v, char *why,
			  size_t why_size)
{
	for (size_t i = 0; i < 2 * n; i++) {
		unsigned nibble = i % 2 ? data[i / 2] & 0xf : data[i / 2] >> 4;

		if (nibble == 0xf && i == 2 * n - 1)
			break;
		if (nibble > 9)
			return why_refuse(-EBADMSG, why, why_size, "numeric value holds 0x%x", nibble);
		value_put(v, (char)('0' + nibble));
	}
	return 0;
}

static int encode_numeric(const char *text, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = strlen(text);

	if (!all_digits(text))
		return -EINVAL;
	if ((len + 1) / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 2) {
		unsigned low = text[i + 1] ? (unsigned)(text[i + 1] - '0') : 0xf;

		out[i / 2] = (uint8_t)((unsigned)(text[i] - '0') << 4 | low);
	}
	*n = (len + 1) / 2;
	return 0;
}

/* ---- octets (ISO/IEC 8859-1) and UTF-8 ---- */

static int decode_octets(const uint8_t *data, size_t n, struct value *v, char *why,
			 size_t why_size)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == 0)
			return why_refuse(-EBADMSG, why, why_size, "NUL in a text");
		if (data[i] < 0x80) {
			value_put(v, (char)data[i]);
		} else {
			value_put(v, (char)(0xc0 | data[i] >> 6));
			value_put(v, (char)(0x80 | (data[i] & 0x3f)));
		}
	}
	return 0;
}

static int encode_octets(const char *text, uint8_t *out, size_t cap, size_t *n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t left = strlen(text), k = 0, seq;
	uint32_t cp;

	for (; left; s += seq, left -= seq) {
		seq = utf8_decode(s, left, &cp);
		if (!seq || cp > 0xff)
			return -EINVAL;
		if (k == cap)
			return -ENOSPC;
		out[k++] = (uint8_t)cp;
	}
	*n = k;
	return 0;
}

static int decode_utf8(const uint8_t *data, size_t n, struct value *v, char *why, size_t why_size)
{
	size_t seq;
	uint32_t cp;

	for (size_t i = 0; i < n; i += seq) {
		seq = utf8_decode(data + i, n - i, &cp);
		if (!seq)
			return why_refuse(-EBADMSG, why, why_size, "text is not UTF-8");
		if (cp == 0)
			return why_refuse(-EBADMSG, why, why_size, "NUL in a text");
		for (size_t j = 0; j < seq; j++)
			value_put(v, (char)data[i + j]);
	}
	return 0;
}

static int encode_utf8(const char *text, uint8_t *out, size_t cap, size_t *n)
{
	size_t len = strlen(text);

	if (len > cap)
		return -ENOSPC;
	memcpy(out, text, len);
	*n = len;
	return 0;
}

/* ---- the ISIL compaction (ISO 28560-2) ---- */

/*
 * Three character sets: upper case and lower case letters in 5 bits, digits
 * in 4; '-', ':' and '/' in each. A shift changes the set for one character,
 * a latch for good; pad bits are ones, so padding reads as a latch with
 * nothing after it. Upper case first.
 */
enum isil_set { ISIL_UPPER, ISIL_LOWER, ISIL_DIGIT };

#define ISIL_SHIFT_OTHER_CASE 29 /* upper <-> lower, one character */
#define ISIL_LATCH_OTHER_CASE 30
#define ISIL_LATCH_DIGIT 31
#define ISIL_DIGIT_SHIFT_UPPER 13
#define ISIL_DIGIT_LATCH_LOWER 14
#define ISIL_DIGIT_LATCH_UPPER 15

static const char isil_punct[] = "-:/"; /* codes 0, 27, 28 in letters; 10, 11, 12 in digits */

static unsigned isil_width(enum isil_set set)
{
	return set == ISIL_DIGIT ? 4 : 5;
}

/* The character of code in set, or 0 for a shift or latch. */
static char isil_char(enum isil_set set, unsigned code)
{
	if (set == ISIL_DIGIT)
		return code <= 9 ? (char)('0' + code) : code <= 12 ? isil_punct[code - 10] : 0;
	if (code >= 1 && code <= 26)
		return (char)((set == ISIL_UPPER ? 'A' : 'a') + code - 1);
	return code == 0 ? '-' : code <= 28 ? isil_punct[code - 26] : 0;
}

static int decode_isil(const uint8_t *data, size_t n, struct value *v, char *why, size_t why_size)
{
	enum isil_set set = ISIL_UPPER, shifted_from = ISIL_UPPER;
	bool shifted = false;
	size_t bit = 0;

	while (bit + isil_width(set) <= n * 8) {
		unsigned code = bits_at(data, bit, isil_width(set));
		char c = isil_char(set, code);

		bit += isil_width(set);
		if (c) {
			value_put(v, c);
			if (shifted)
				set = shifted_from;
			shifted = false;
			continue;
		}
		if (shifted)
			return why_refuse(-EBADMSG, why, why_size, "ISIL shifts twice in a row");
		if (set == ISIL_DIGIT) {
			shifted = code == ISIL_DIGIT_SHIFT_UPPER;
			shifted_from = set;
			set = code == ISIL_DIGIT_LATCH_LOWER ? ISIL_LOWER : ISIL_UPPER;
		} else if (code == ISIL_LATCH_DIGIT) {
			set = ISIL_DIGIT;
		} else {
			shifted = code == ISIL_SHIFT_OTHER_CASE;
			shifted_from = set;
			set = set == ISIL_UPPER ? ISIL_LOWER : ISIL_UPPER;
		}
	}
	if (shifted)
		return why_refuse(-EBADMSG, why, why_size, "ISIL ends in a shift");
	return 0;
}

static enum isil_set isil_set_of(char c)
{
	return c >= 'a' && c <= 'z' ? ISIL_LOWER : c >= '0' && c <= '9' ? ISIL_DIGIT : ISIL_UPPER;
}

static bool isil_in_any_set(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr(isil_punct, c));
}

static unsigned isil_code(enum isil_set set, char c)
{
	const char *punct = strchr(isil_punct, c);

	if (set == ISIL_DIGIT)
		return punct ? 10 + (unsigned)(punct - isil_punct) : (unsigned)(c - '0');
	if (punct)
		return punct == isil_punct ? 0 : 26 + (unsigned)(punct - isil_punct);
	return (unsigned)(c - (set == ISIL_UPPER ? 'A' : 'a') + 1);
}

/* How to get from set to the set of text[0]: a shift when only that one character needs it. */
static int isil_switch(struct bit_writer *w, enum isil_set *set, const char *text)
{
	enum isil_set want = isil_set_of(text[0]);
	bool one = !text[1] || isil_set_of(text[1]) != want;

	if (*set == ISIL_DIGIT) {
		if (want == ISIL_UPPER && one)
			return put_bits(w, ISIL_DIGIT_SHIFT_UPPER, 4);
		*set = want;
		if (want == ISIL_LOWER)
			return put_bits(w, ISIL_DIGIT_LATCH_LOWER, 4);
		return put_bits(w, ISIL_DIGIT_LATCH_UPPER, 4);
	}
	if (want == ISIL_DIGIT) {
		*set = want;
		return put_bits(w, ISIL_LATCH_DIGIT, 5);
	}
	if (one)
		return put_bits(w, ISIL_SHIFT_OTHER_CASE, 5);
	*set = want;
	return put_bits(w, ISIL_LATCH_OTHER_CASE, 5);
}

static int encode_isil(const char *text, uint8_t *out, size_t cap, size_t *n)
{
	struct bit_writer w = { out, cap, 0 };
	enum isil_set set = ISIL_UPPER;
	int r;

	for (const char *p = text; *p; p++) {
		enum isil_set code_set = set;

		if (!isil_in_any_set(*p))
			return -EINVAL;
		if (!strchr(isil_punct, *p) && isil_set_of(*p) != set) {
			r = isil_switch(&w, &set, p);
			if (r < 0)
				return r;
			code_set = isil_set_of(*p);
		}
		r = put_bits(&w, isil_code(code_set, *p), isil_width(code_set));
		if (r < 0)
			return r;
	}
	*n = bits_finish(&w, true);
	return 0;
}

/* ---- one value in any scheme ---- */

static int decode_value(unsigned oid, unsigned scheme, const uint8_t *data, size_t n,
			struct value *v, char *why, size_t why_size)
{
	memset(v, 0, sizeof(*v));
	switch (scheme) {
	case ISO28560_2_APPLICATION:
		if (oid != ISO28560_2_OWNER_ISIL)
			return why_refuse(-EBADMSG, why, why_size, "application-defined compaction");
		return decode_isil(data, n, v, why, why_size);
	case ISO28560_2_INTEGER:
		return decode_integer(data, n, v, why, why_size);
	case ISO28560_2_NUMERIC:
		return decode_numeric(data, n, v, why, why_size);
	case ISO28560_2_5BIT:
		return decode_packed(data, n, 5, v, why, why_size);
	case ISO28560_2_6BIT:
		return decode_packed(data, n, 6, v, why, why_size);
	case ISO28560_2_7BIT:
		return decode_packed(data, n, 7, v, why, why_size);
	case ISO28560_2_OCTET:
		return decode_octets(data, n, v, why, why_size);
	default:
		return decode_utf8(data, n, v, why, why_size);
	}
}

static int encode_in(unsigned scheme, const char *text, uint8_t *out, size_t cap, size_t *n)
{
	switch (scheme) {
	case ISO28560_2_APPLICATION:
		return encode_isil(text, out, cap, n);
	case ISO28560_2_INTEGER:
		return encode_integer(text, out, cap, n);
	case ISO28560_2_NUMERIC:
		return encode_numeric(text, out, cap, n);
	case ISO28560_2_5BIT:
		return encode_packed(text, 5, out, cap, n);
	case ISO28560_2_6BIT:
		return encode_packed(text, 6, out, cap, n);
	case ISO28560_2_7BIT:
		return encode_packed(text, 7, out, cap, n);
	case ISO28560_2_OCTET:
		return encode_octets(text, out, cap, n);
	default:
		return encode_utf8(text, out, cap, n);
	}
}

struct compacted {
	uint8_t data[VALUE_MAX];
	size_t len;
	unsigned scheme;
};

/*
 * The shortest encoding of text that decodes back to it; on a tie the
 * lower compaction code (integer, numeric, 5-, 6-, 7-bit,
 * octets, UTF-8), the ISIL compaction before all of them for an ISIL.
 */
static int compact(unsigned oid, const char *text, struct compacted *best)
{
	struct compacted try;
	struct value back;

	best->len = SIZE_MAX;
	for (unsigned scheme = 0; scheme <= ISO28560_2_UTF8; scheme++) {
		if (scheme == ISO28560_2_APPLICATION && oid != ISO28560_2_OWNER_ISIL)
			continue;
		if (encode_in(scheme, text, try.data, sizeof(try.data), &try.len) < 0)
			continue;
		if (decode_value(oid, scheme, try.data, try.len, &back, NULL, 0) < 0 ||
		    back.len != strlen(text) || strcmp(back.text, text) != 0)
			continue;
		if (try.len < best->len) {
			try.scheme = scheme;
			*best = try;
		}
	}
	return best->len == SIZE_MAX ? -EINVAL : 0;
}

/* ---- elements ---- */

/* Copies a value into a field of size bytes: ids must fit whole, texts are cut. */
static int store_text(char *field, size_t size, const struct value *v, bool may_cut, char *why,
		      size_t why_size)
{
	size_t keep = v->len;

	if (v->len > size - 1) {
		if (!may_cut)
			return why_refuse(-EBADMSG, why, why_size, "%zu bytes long, at most %zu fit", v->len,
				   size - 1);
		keep = utf8_cut_len(v->text, size);
	}
	memcpy(field, v->text, keep);
	field[keep] = '\0';
	return 0;
}

/* "1203": 12 parts, this is part 3 (ISO 28560-1 4.2.4): two halves of one width. */
static int store_set(struct tag_data *t, const struct value *v, char *why, size_t why_size)
{
	size_t half = v->len / 2;
	unsigned parts = 0, part = 0;

	if (v->len % 2 || half < 1 || half > 3 || !all_digits(v->text))
		return why_refuse(-EBADMSG, why, why_size, "set information \"%s\" is not two numbers", v->text);
	for (size_t i = 0; i < half; i++) {
		parts = parts * 10 + (unsigned)(v->text[i] - '0');
		part = part * 10 + (unsigned)(v->text[half + i] - '0');
	}
	if (part < 1 || part > parts || parts > UINT8_MAX)
		return why_refuse(-EBADMSG, why, why_size, "set information: part %u of %u", part, parts);
	t->has_set = true;
	t->set_size = (uint8_t)parts;
	t->set_part = (uint8_t)part;
	return 0;
}

static int store_usage(struct tag_data *t, const struct value *v, char *why, size_t why_size)
{
	int hi = v->len == 2 ? hex_digit_value(v->text[0]) : 0;
	int lo = v->len >= 1 && v->len <= 2 ? hex_digit_value(v->text[v->len - 1]) : -1;

	if (hi < 0 || lo < 0)
		return why_refuse(-EBADMSG, why, why_size, "type of usage \"%s\" is not two hex digits", v->text);
	t->has_usage = true;
	t->usage = (uint8_t)(hi << 4 | lo);
	return 0;
}

static int store_element(struct tag_data *t, unsigned oid, unsigned scheme, const uint8_t *data,
			 size_t n, char *why, size_t why_size)
{
	struct value v;
	int r;

	if (oid == ISO28560_2_CONTENT_PARAMETER) {
		/* A bit map of what follows; the elements themselves are what counts. */
		if (scheme != ISO28560_2_APPLICATION && scheme != ISO28560_2_OCTET)
			return why_refuse(-EBADMSG, why, why_size, "content parameter in scheme %u", scheme);
		return 0;
	}
	r = decode_value(oid, scheme, data, n, &v, why, why_size);
	if (r < 0)
		return r;
	switch (oid) {
	case ISO28560_2_ITEM_ID:
		if (!v.len)
			return why_refuse(-EBADMSG, why, why_size, "empty");
		return store_text(t->item_id, sizeof(t->item_id), &v, false, why, why_size);
	case ISO28560_2_OWNER_ISIL:
		return store_text(t->owner_isil, sizeof(t->owner_isil), &v, false, why, why_size);
	case ISO28560_2_SET_INFO:
		return store_set(t, &v, why, why_size);
	case ISO28560_2_TYPE_OF_USAGE:
		return store_usage(t, &v, why, why_size);
	case ISO28560_2_SHELF_LOCATION:
		return store_text(t->shelf_location, sizeof(t->shelf_location), &v, true, why,
				  why_size);
	case ISO28560_2_ONIX_MEDIA_FORMAT:
		return store_text(t->media_format, sizeof(t->media_format), &v, false, why,
				  why_size);
	case ISO28560_2_ALT_ITEM_ID:
		return store_text(t->alt_item_id, sizeof(t->alt_item_id), &v, false, why, why_size);
	default:
		return store_text(t->title, sizeof(t->title), &v, true, why, why_size);
	}
}

static bool known_element(unsigned oid)
{
	return (oid >= ISO28560_2_ITEM_ID && oid <= ISO28560_2_ONIX_MEDIA_FORMAT) ||
	       oid == ISO28560_2_ALT_ITEM_ID || oid == ISO28560_2_TITLE;
}

/* ---- data sets ---- */

struct data_set {
	size_t start;       /* where its precursor is */
	unsigned oid, scheme;
	const uint8_t *data;
	size_t len;
};

/* Reads a length or an offset: 7 bits a byte, bit 7 set on all but the last. */
static int read_varlen(const uint8_t *mem, size_t len, size_t *pos, size_t *value)
{
	*value = 0;
	for (unsigned i = 0; i < VARLEN_MAX_BYTES && *pos < len; i++) {
		uint8_t b = mem[(*pos)++];

		*value = *value << 7 | (b & 0x7f);
		if (!(b & 0x80))
			return 0;
	}
	return -EBADMSG;
}

/* The data set at *pos, which is not the terminator; *pos moves past its pad bytes. */
static int read_data_set(const uint8_t *mem, size_t len, size_t *pos, struct data_set *ds,
			 char *why, size_t why_size)
{
	uint8_t precursor = mem[*pos];
	size_t offset = 0;

	ds->start = (*pos)++;
	ds->oid = precursor & 0x0f;
	ds->scheme = precursor >> 4 & 7;
	if ((precursor & 0x80) && read_varlen(mem, len, pos, &offset) < 0)
		return why_refuse(-EBADMSG, why, why_size, "data set at byte %zu: bad offset", ds->start);
	if (ds->oid == 15) {
		if (*pos >= len)
			return why_refuse(-EBADMSG, why, why_size, "data set at byte %zu: no OID byte", ds->start);
		ds->oid += mem[(*pos)++];
	}
	if (ds->oid == 0)
		return why_refuse(-EBADMSG, why, why_size, "data set at byte %zu: precursor 0x%02x has no OID",
			   ds->start, precursor);
	if (read_varlen(mem, len, pos, &ds->len) < 0)
		return why_refuse(-EBADMSG, why, why_size, "data set at byte %zu: bad length", ds->start);
	if (ds->len > len - *pos || offset > len - *pos - ds->len)
		return why_refuse(-EBADMSG, why, why_size, "data set at byte %zu runs past the end (%zu bytes)",
			   ds->start, len);
	ds->data = mem + *pos;
	*pos += ds->len + offset;
	return 0;
}

int iso28560_2_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size)
{
	struct tag_data t = { .model = TAG_MODEL_28560_2 };
	struct data_set ds = { 0 };
	uint32_t seen = 0;
	char inner[96];
	size_t pos = 0;
	int r;

	if (!mem || !out)
		return -EINVAL;
	while (pos < len && mem[pos] != 0) {
		r = read_data_set(mem, len, &pos, &ds, why, why_size);
		if (r < 0)
			return r;
		if (ds.start == 0 && ds.oid != ISO28560_2_ITEM_ID)
			return why_refuse(-EBADMSG, why, why_size, "tag starts with element %u, not the item id",
				   ds.oid);
		if (!known_element(ds.oid))
			continue;
		if (seen & 1u << ds.oid)
			return why_refuse(-EBADMSG, why, why_size, "element %u appears twice", ds.oid);
		seen |= 1u << ds.oid;
		r = store_element(&t, ds.oid, ds.scheme, ds.data, ds.len, inner, sizeof(inner));
		if (r < 0)
			return why_refuse(-EBADMSG, why, why_size, "element %u at byte %zu: %s", ds.oid, ds.start,
				   inner);
	}
	if (!(seen & 1u << ISO28560_2_ITEM_ID))
		return why_refuse(-EBADMSG, why, why_size, "blank tag: no data");
	*out = t;
	return 0;
}

/* ---- encoder ---- */

struct writer {
	uint8_t *mem;
	size_t size, pos;
};

static int put_byte(struct writer *w, uint8_t b)
{
	if (w->pos >= w->size)
		return -ENOSPC;
	w->mem[w->pos++] = b;
	return 0;
}

static int put_data_set(struct writer *w, unsigned oid, unsigned scheme, const uint8_t *data,
			size_t n)
{
	int r = put_byte(w, (uint8_t)(scheme << 4 | (oid < 15 ? oid : 15)));

	if (r == 0 && oid >= 15)
		r = put_byte(w, (uint8_t)(oid - 15));
	if (r == 0 && n >= 0x80)
		r = put_byte(w, (uint8_t)(0x80 | n >> 7));
	if (r == 0)
		r = put_byte(w, n & 0x7f);
	if (r < 0)
		return r;
	if (n > w->size - w->pos)
		return -ENOSPC;
	memcpy(w->mem + w->pos, data, n);
	w->pos += n;
	return 0;
}

static int put_text(struct writer *w, unsigned oid, const char *text)
{
	struct compacted c;
	int r = compact(oid, text, &c);

	return r < 0 ? r : put_data_set(w, oid, c.scheme, c.data, c.len);
}

static bool terminated(const char *field, size_t size)
{
	return memchr(field, '\0', size) != NULL;
}

int iso28560_2_encode(const struct tag_data *in, uint8_t *mem, size_t size, size_t *used)
{
	struct writer w = { mem, size, 0 };
	char set[8] = "", usage[3] = "";
	uint8_t content[2] = { 0 };
	size_t content_len = 0;
	int r;

	if (!in || !mem || !used)
		return -EINVAL;
	/* The optional elements in OID order, each after the content parameter. */
	const struct {
		unsigned oid;
		const char *text;
	} texts[] = {
		{ ISO28560_2_OWNER_ISIL, in->owner_isil },
		{ ISO28560_2_SET_INFO, set },
		{ ISO28560_2_TYPE_OF_USAGE, usage },
		{ ISO28560_2_SHELF_LOCATION, in->shelf_location },
		{ ISO28560_2_ONIX_MEDIA_FORMAT, in->media_format },
		{ ISO28560_2_ALT_ITEM_ID, in->alt_item_id },
		{ ISO28560_2_TITLE, in->title },
	};
	if (!terminated(in->item_id, sizeof(in->item_id)) || !in->item_id[0] ||
	    !terminated(in->owner_isil, sizeof(in->owner_isil)) ||
	    !terminated(in->shelf_location, sizeof(in->shelf_location)) ||
	    !terminated(in->title, sizeof(in->title)) ||
	    !terminated(in->media_format, sizeof(in->media_format)) ||
	    !terminated(in->alt_item_id, sizeof(in->alt_item_id)))
		return -EINVAL;
	if (in->has_set) {
		int width = in->set_size >= 100 ? 3 : in->set_size >= 10 ? 2 : 1;

		if (in->set_part < 1 || in->set_part > in->set_size)
			return -EINVAL;
		snprintf(set, sizeof(set), "%0*u%0*u", width, in->set_size, width, in->set_part);
	}
	if (in->has_usage)
		snprintf(usage, sizeof(usage), "%02X", in->usage);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		unsigned bit = texts[i].oid - ISO28560_2_OWNER_ISIL;

		if (texts[i].text[0]) {
			content[bit / 8] |= 0x80 >> (bit % 8);
			content_len = bit / 8 + 1;
		}
	}

	memset(mem, 0, size);
	r = put_text(&w, ISO28560_2_ITEM_ID, in->item_id);
	if (r == 0 && content_len)
		r = put_data_set(&w, ISO28560_2_CONTENT_PARAMETER, ISO28560_2_APPLICATION,
				 content, content_len);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(texts); i++)
		if (texts[i].text[0])
			r = put_text(&w, texts[i].oid, texts[i].text);
	if (r < 0) {
		memset(mem, 0, size);
		return r;
	}
	if (w.pos < size)
		w.pos++; /* the terminator, already zero */
	*used = w.pos;
	return 0;
}
