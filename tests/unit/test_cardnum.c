/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../hal/cardnum.h"
#include "../../hal/scanner.h"
#include "testlib.h"

/* A byte array with its length, so that cases may hold NUL bytes. */
#define BYTES(s) (s), (sizeof(s) - 1)

struct card_case {
	enum card_format format;
	const char *in;
	size_t len;
	int want;              /* length, or -errno */
	const char *want_out;  /* "" on failure */
	const char *want_why;  /* on failure */
};

static void run_cases(const struct card_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct card_case *c = &cases[i];
		char out[SCAN_TEXT_MAX + 1], why[96];
		int r;

		memset(out, 'x', sizeof(out));
		memset(why, 'x', sizeof(why));
		r = card_number_normalize(c->format, c->in, c->len, out, sizeof(out), why,
					  sizeof(why));
		if (r != c->want || strcmp(out, c->want_out) != 0)
			fprintf(stderr, "case %zu (%s '%.*s'): got %d '%s' (%s)\n", i,
				card_format_name(c->format), (int)c->len, c->in, r, out,
				r < 0 ? why : "");
		CHECK_INT(r, c->want);
		CHECK_STR(out, c->want_out);
		if (r >= 0)
			CHECK_STR(why, "");
		else
			CHECK_STR(why, c->want_why);
	}
}

static void test_format_names(void)
{
	enum card_format f = CARD_FORMAT_TEXT;

	CHECK_INT(card_format_from_name("text", &f), 0);
	CHECK_INT(f, CARD_FORMAT_TEXT);
	CHECK_INT(card_format_from_name("dec10", &f), 0);
	CHECK_INT(f, CARD_FORMAT_DEC10);
	CHECK_INT(card_format_from_name("hex", &f), 0);
	CHECK_INT(f, CARD_FORMAT_HEX);
	CHECK_INT(card_format_from_name("hex-to-dec10", &f), 0);
	CHECK_INT(f, CARD_FORMAT_HEX_TO_DEC10);
	CHECK_INT(card_format_from_name("HEX", &f), -EINVAL);
	CHECK_INT(card_format_from_name("dec", &f), -EINVAL);
	CHECK_INT(card_format_from_name(NULL, &f), -EINVAL);
	CHECK_INT(card_format_from_name("hex", NULL), -EINVAL);
	CHECK_INT(f, CARD_FORMAT_HEX_TO_DEC10);
	for (int i = CARD_FORMAT_TEXT; i <= CARD_FORMAT_HEX_TO_DEC10; i++) {
		CHECK_INT(card_format_from_name(card_format_name((enum card_format)i), &f), 0);
		CHECK_INT(f, i);
	}
	CHECK_STR(card_format_name((enum card_format)42), "unknown");
}

static void test_text(void)
{
	static const struct card_case cases[] = {
		{ CARD_FORMAT_TEXT, BYTES("21234000000018"), 14, "21234000000018", NULL },
		{ CARD_FORMAT_TEXT, BYTES("ab C-1 ~"), 8, "ab C-1 ~", NULL },
		{ CARD_FORMAT_TEXT, BYTES(""), -EINVAL, "", "empty card number" },
		{ CARD_FORMAT_TEXT, BYTES("12\x7f"), -EINVAL, "",
		  "byte 0x7f at position 3 is not printable ASCII" },
		{ CARD_FORMAT_TEXT, BYTES("1\0" "2"), -EINVAL, "",
		  "byte 0x00 at position 2 is not printable ASCII" },
		{ CARD_FORMAT_TEXT, BYTES("\xc3\xa9"), -EINVAL, "",
		  "byte 0xc3 at position 1 is not printable ASCII" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_dec10(void)
{
	static const struct card_case cases[] = {
		{ CARD_FORMAT_DEC10, BYTES("0012345678"), 10, "0012345678", NULL },
		{ CARD_FORMAT_DEC10, BYTES("4294967295"), 10, "4294967295", NULL },
		{ CARD_FORMAT_DEC10, BYTES("0000000000"), 10, "0000000000", NULL },
		{ CARD_FORMAT_DEC10, BYTES("4294967296"), -EINVAL, "",
		  "4294967296 is more than 32 bits (4294967295)" },
		{ CARD_FORMAT_DEC10, BYTES("9999999999"), -EINVAL, "",
		  "9999999999 is more than 32 bits (4294967295)" },
		{ CARD_FORMAT_DEC10, BYTES("123456789"), -EINVAL, "", "9 digits, expected 10" },
		{ CARD_FORMAT_DEC10, BYTES("01234567890"), -EINVAL, "", "11 digits, expected 10" },
		{ CARD_FORMAT_DEC10, BYTES("00123A5678"), -EINVAL, "",
		  "'A' at position 6 is not a decimal digit" },
		{ CARD_FORMAT_DEC10, BYTES(" 012345678"), -EINVAL, "",
		  "' ' at position 1 is not a decimal digit" },
		{ CARD_FORMAT_DEC10, BYTES("+012345678"), -EINVAL, "",
		  "'+' at position 1 is not a decimal digit" },
		{ CARD_FORMAT_DEC10, BYTES("001234567\n"), -EINVAL, "",
		  "byte 0x0a at position 10 is not printable ASCII" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_hex(void)
{
	static const struct card_case cases[] = {
		{ CARD_FORMAT_HEX, BYTES("00bc614e"), 8, "00BC614E", NULL },
		{ CARD_FORMAT_HEX, BYTES("FFFFFFFF"), 8, "FFFFFFFF", NULL },
		{ CARD_FORMAT_HEX, BYTES("0a00BC614e"), 10, "0A00BC614E", NULL },
		{ CARD_FORMAT_HEX, BYTES("00bc614"), -EINVAL, "",
		  "7 hex digits, expected 8 or 10" },
		{ CARD_FORMAT_HEX, BYTES("00bc614e0"), -EINVAL, "",
		  "9 hex digits, expected 8 or 10" },
		{ CARD_FORMAT_HEX, BYTES("000000000000"), -EINVAL, "",
		  "12 hex digits, expected 8 or 10" },
		{ CARD_FORMAT_HEX, BYTES("00bg614e"), -EINVAL, "",
		  "'g' at position 4 is not a hex digit" },
		{ CARD_FORMAT_HEX, BYTES("0x00bc614e"), -EINVAL, "",
		  "'x' at position 2 is not a hex digit" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_hex_to_dec10(void)
{
	static const struct card_case cases[] = {
		/* 0x00BC614E = 12345678 */
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("00BC614E"), 10, "0012345678", NULL },
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("00bc614e"), 10, "0012345678", NULL },
		/* the 40-bit form: the version byte 0x0A is not part of the printed number */
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("0A00BC614E"), 10, "0012345678", NULL },
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("FFFFFFFFFF"), 10, "4294967295", NULL },
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("00000000"), 10, "0000000000", NULL },
		/* 0x1234ABCD = 305441741 */
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("1234abcd"), 10, "0305441741", NULL },
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("1234abc"), -EINVAL, "",
		  "7 hex digits, expected 8 or 10" },
		{ CARD_FORMAT_HEX_TO_DEC10, BYTES("1234abcz"), -EINVAL, "",
		  "'z' at position 8 is not a hex digit" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_small_buffers_and_bad_arguments(void)
{
	char out[11], why[16];
	int r;

	/* exactly enough: 10 digits and the NUL */
	CHECK_INT(card_number_normalize(CARD_FORMAT_HEX_TO_DEC10, "00BC614E", 8, out, 11, NULL,
					0), 10);
	CHECK_STR(out, "0012345678");
	r = card_number_normalize(CARD_FORMAT_HEX_TO_DEC10, "00BC614E", 8, out, 10, why,
				  sizeof(why));
	CHECK_INT(r, -ENOSPC);
	CHECK_STR(out, "");
	CHECK_STR(why, "10 characters d"); /* cut to why_size */
	CHECK_INT(card_number_normalize(CARD_FORMAT_TEXT, "abc", 3, out, 0, NULL, 0), -ENOSPC);
	CHECK_INT(card_number_normalize(CARD_FORMAT_TEXT, NULL, 3, out, sizeof(out), why,
					sizeof(why)), -EINVAL);
	CHECK_INT(card_number_normalize(CARD_FORMAT_TEXT, "abc", 3, NULL, 4, why, sizeof(why)),
		  -EINVAL);
	CHECK_INT(card_number_normalize((enum card_format)9, "abc", 3, out, sizeof(out), why,
					sizeof(why)), -EINVAL);
	CHECK_STR(why, "unknown card fo");
	/* why may be NULL, or 1 byte */
	CHECK_INT(card_number_normalize(CARD_FORMAT_HEX, "xyz", 3, out, sizeof(out), NULL, 0),
		  -EINVAL);
	CHECK_INT(card_number_normalize(CARD_FORMAT_HEX, "xyz", 3, out, sizeof(out), why, 1),
		  -EINVAL);
	CHECK_STR(why, "");
}

static void test_longest_text(void)
{
	char in[SCAN_TEXT_MAX + 1], out[SCAN_TEXT_MAX + 2], why[96];

	memset(in, 'A', sizeof(in));
	CHECK_INT(card_number_normalize(CARD_FORMAT_TEXT, in, SCAN_TEXT_MAX, out, sizeof(out), why,
					sizeof(why)), SCAN_TEXT_MAX);
	CHECK_INT(strlen(out), SCAN_TEXT_MAX);
	CHECK_INT(card_number_normalize(CARD_FORMAT_TEXT, in, SCAN_TEXT_MAX + 1, out, sizeof(out),
					why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "longer than 128 characters");
}

int main(void)
{
	RUN(test_format_names);
	RUN(test_text);
	RUN(test_dec10);
	RUN(test_hex);
	RUN(test_hex_to_dec10);
	RUN(test_small_buffers_and_bad_arguments);
	RUN(test_longest_text);
	return testlib_finish();
}
