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
	CHECK_INT(card_format_from_name("hex-to-dec8", &f), 0);
	CHECK_INT(f, CARD_FORMAT_HEX_TO_DEC8);
	CHECK_INT(card_format_from_name("hex-to-dec13", &f), 0);
	CHECK_INT(f, CARD_FORMAT_HEX_TO_DEC13);
	CHECK_INT(card_format_from_name("wiegand26", &f), 0);
	CHECK_INT(f, CARD_FORMAT_WIEGAND26);
	CHECK_INT(card_format_from_name("uid-hex", &f), 0);
	CHECK_INT(f, CARD_FORMAT_UID_HEX);
	CHECK_INT(card_format_from_name("uid-dec", &f), 0);
	CHECK_INT(f, CARD_FORMAT_UID_DEC);
	for (int i = 0; i < CARD_FORMAT__COUNT; i++) {
		CHECK_INT(card_format_from_name(card_format_name((enum card_format)i), &f), 0);
		CHECK_INT(f, i);
	}
	CHECK_INT(card_format_from_name("hex", &f), 0);
	CHECK_INT(card_format_from_name("HEX", &f), -EINVAL);
	CHECK_INT(card_format_from_name("dec", &f), -EINVAL);
	CHECK_INT(card_format_from_name(NULL, &f), -EINVAL);
	CHECK_INT(card_format_from_name("hex", NULL), -EINVAL);
	CHECK_INT(f, CARD_FORMAT_HEX);
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
		  "byte 0x7f at position 3 is not printable" },
		{ CARD_FORMAT_TEXT, BYTES("1\0" "2"), -EINVAL, "",
		  "byte 0x00 at position 2 is not printable" },
		/* What a layout's decoder kept (UTF-8) and GS1's separator pass as text... */
		{ CARD_FORMAT_TEXT, BYTES("\xc3\xa9"), 2, "\xc3\xa9", NULL },
		{ CARD_FORMAT_TEXT, BYTES("0101234\x1d" "10AB"), 12, "0101234\x1d" "10AB", NULL },
		/* ...but not as a card number. */
		{ CARD_FORMAT_DEC10, BYTES("\xc3\xa9"), -EINVAL, "",
		  "byte 0xc3 at position 1 is not printable ASCII" },
	};

	run_cases(cases, ARRAY_SIZE(cases));
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

	run_cases(cases, ARRAY_SIZE(cases));
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

	run_cases(cases, ARRAY_SIZE(cases));
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

	run_cases(cases, ARRAY_SIZE(cases));
}

struct opt_case {
	const char *in;
	size_t len;
	int want;
	const char *want_out;
	const char *want_why;
};

static void run_opt_cases(const struct card_options *opt, const struct opt_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct opt_case *c = &cases[i];
		char out[SCAN_TEXT_MAX + 1], why[96];
		int r;

		memset(out, 'x', sizeof(out));
		memset(why, 'x', sizeof(why));
		r = card_number_convert(opt, c->in, c->len, out, sizeof(out), why, sizeof(why));
		if (r != c->want || strcmp(out, c->want_out) != 0)
			fprintf(stderr, "case %zu (%s '%.*s'): got %d '%s' (%s)\n", i,
				card_format_name(opt->format), (int)c->len, c->in, r, out,
				r < 0 ? why : "");
		CHECK_INT(r, c->want);
		CHECK_STR(out, c->want_out);
		CHECK_STR(why, r >= 0 ? "" : c->want_why);
	}
}

static void options(struct card_options *opt, enum card_format f)
{
	card_options_default(opt);
	opt->format = f;
}

/*
 * 125 kHz EM4100 cards carry a 40-bit id: a version (customer) byte and 32
 * bits. Keyboard readers (RFIDeas pcProx, and the many EM readers sold with
 * "10H", "8H10D", "6H8D" and "W26" output settings) type one of these views
 * of it; the card's print usually shows two, "0012345678" and
 * "188,24910"-style. Worked by hand for the id 0A 00 BC 61 4E:
 *   all 40 bits: 0x0A00BC614E = 10 x 2^32 + 12345678 = 42962018638
 *   low 32 bits: 0x00BC614E = 12345678 (hex-to-dec10, "8H10D")
 *   low 24 bits: 0xBC614E = 12345678 (hex-to-dec8, "6H8D")
 */
static void test_em4100_views(void)
{
	static const struct opt_case dec8[] = {
		{ BYTES("0A00BC614E"), 8, "12345678", NULL },
		{ BYTES("00BC614E"), 8, "12345678", NULL },
		{ BYTES("BC614E"), 8, "12345678", NULL },
		/* 0x7BB26E = 8106606: zero-padded to 8 */
		{ BYTES("007bb26e"), 8, "08106606", NULL },
		{ BYTES("FFFFFFFFFF"), 8, "16777215", NULL },
		{ BYTES("BC614"), -EINVAL, "", "5 hex digits, expected 6, 8 or 10" },
		{ BYTES("0BC614E"), -EINVAL, "", "7 hex digits, expected 6, 8 or 10" },
		{ BYTES("00BC614G"), -EINVAL, "", "'G' at position 8 is not a hex digit" },
	};
	static const struct opt_case dec13[] = {
		{ BYTES("0A00BC614E"), 13, "0042962018638", NULL },
		{ BYTES("FFFFFFFFFF"), 13, "1099511627775", NULL },
		{ BYTES("00BC614E"), 13, "0000012345678", NULL },
		{ BYTES("0A00BC614"), -EINVAL, "", "9 hex digits, expected 8 or 10" },
	};
	struct card_options opt;

	options(&opt, CARD_FORMAT_HEX_TO_DEC8);
	run_opt_cases(&opt, dec8, ARRAY_SIZE(dec8));
	options(&opt, CARD_FORMAT_HEX_TO_DEC13);
	run_opt_cases(&opt, dec13, ARRAY_SIZE(dec13));
}

/*
 * Wiegand 26, HID Global's H10301 format: P FFFFFFFF CCCCCCCCCCCCCCCC P,
 * an even parity bit over the first 12 data bits, the facility code (8
 * bits, 0-255), the card number (16 bits, 0-65535), an odd parity bit over
 * the last 12. Facility 123, card 45678: 0x7B, 0xB26E, data 0x7BB26E;
 * first 12 bits 0111 1011 1011 have 9 ones, so the even parity bit is 1;
 * last 12 bits 0010 0110 1110 have 6, so the odd parity bit is 1; the frame
 * is 1 << 25 | 0x7BB26E << 1 | 1 = 0x2F764DD. Facility 1, card 1: data
 * 0x010001, parities 1 and 0, frame 0x2020002.
 */
static void test_wiegand26(void)
{
	static const struct opt_case comma[] = {
		{ BYTES("7BB26E"), 9, "123,45678", NULL },
		{ BYTES("007BB26E"), 9, "123,45678", NULL },
		{ BYTES("0A007BB26E"), 9, "123,45678", NULL },
		{ BYTES("2F764DD"), 9, "123,45678", NULL },
		{ BYTES("2f764dd"), 9, "123,45678", NULL },
		{ BYTES("2020002"), 9, "001,00001", NULL },
		{ BYTES("FFFFFF"), 9, "255,65535", NULL },
		{ BYTES("2F764DC"), -EINVAL, "",
		  "Wiegand 26 frame 2F764DC fails its parity check" },
		{ BYTES("0F764DD"), -EINVAL, "",
		  "Wiegand 26 frame 0F764DD fails its parity check" },
		{ BYTES("4000000"), -EINVAL, "", "4000000 is more than a 26-bit Wiegand frame" },
		{ BYTES("7BB26"), -EINVAL, "", "5 hex digits, expected 6, 7, 8 or 10" },
		{ BYTES("123,45678"), -EINVAL, "", "',' at position 4 is not a hex digit" },
	};
	static const struct opt_case together[] = {
		{ BYTES("7BB26E"), 8, "12345678", NULL },
		{ BYTES("2020002"), 8, "00100001", NULL },
	};
	static const struct opt_case slash[] = {
		{ BYTES("7BB26E"), 11, "123 / 45678", NULL },
	};
	struct card_options opt;

	options(&opt, CARD_FORMAT_WIEGAND26);
	CHECK_STR(opt.separator, ",");
	run_opt_cases(&opt, comma, ARRAY_SIZE(comma));
	opt.separator[0] = '\0';
	run_opt_cases(&opt, together, ARRAY_SIZE(together));
	strcpy(opt.separator, " / ");
	run_opt_cases(&opt, slash, ARRAY_SIZE(slash));
}

/*
 * ISO/IEC 14443-3 UIDs: 4 bytes (single size, MIFARE Classic) or 7 (double
 * size; NXP's begin with 04, its ISO/IEC 7816-6 manufacturer code). 13.56
 * MHz keyboard readers (RFIDeas, Elatec TWN4, HID OMNIKEY in keyboard mode)
 * type them in hex, some with the byte order reversed, and can give the
 * UID as a decimal number, which is what many libraries enrolled. Worked:
 *   7C 2A 4F B3: msb first 0x7C2A4FB3 = 2083147699; lsb first 0xB34F2A7C = 3008309884
 *   04 1E 6A 52 C3 4D 80: msb 0x041E6A52C34D80 = 1159341910740352,
 *   lsb 0x804DC3526A1E04 = 36114298315611652
 */
static void test_iso14443_uids(void)
{
	static const struct opt_case hex_msb[] = {
		{ BYTES("7c2a4fb3"), 8, "7C2A4FB3", NULL },
		{ BYTES("041E6A52C34D80"), 14, "041E6A52C34D80", NULL },
		{ BYTES("7C2A4FB"), -EINVAL, "", "7 hex digits, expected 8 or 14" },
		{ BYTES("041E6A52C34D8000"), -EINVAL, "", "16 hex digits, expected 8 or 14" },
		{ BYTES("7C:2A:4F:B3"), -EINVAL, "", "':' at position 3 is not a hex digit" },
	};
	static const struct opt_case hex_lsb[] = {
		{ BYTES("7C2A4FB3"), 8, "B34F2A7C", NULL },
		{ BYTES("041E6A52C34D80"), 14, "804DC3526A1E04", NULL },
	};
	static const struct opt_case dec_msb[] = {
		{ BYTES("7C2A4FB3"), 10, "2083147699", NULL },
		{ BYTES("041E6A52C34D80"), 17, "01159341910740352", NULL },
		{ BYTES("00000001"), 10, "0000000001", NULL },
		{ BYTES("FFFFFFFF"), 10, "4294967295", NULL },
		{ BYTES("FFFFFFFFFFFFFF"), 17, "72057594037927935", NULL },
	};
	static const struct opt_case dec_lsb[] = {
		{ BYTES("7C2A4FB3"), 10, "3008309884", NULL },
		{ BYTES("041E6A52C34D80"), 17, "36114298315611652", NULL },
		{ BYTES("01000000"), 10, "0000000001", NULL },
	};
	struct card_options opt;

	options(&opt, CARD_FORMAT_UID_HEX);
	CHECK_INT(opt.byte_order, CARD_MSB_FIRST);
	run_opt_cases(&opt, hex_msb, ARRAY_SIZE(hex_msb));
	opt.byte_order = CARD_LSB_FIRST;
	run_opt_cases(&opt, hex_lsb, ARRAY_SIZE(hex_lsb));
	options(&opt, CARD_FORMAT_UID_DEC);
	run_opt_cases(&opt, dec_msb, ARRAY_SIZE(dec_msb));
	opt.byte_order = CARD_LSB_FIRST;
	run_opt_cases(&opt, dec_lsb, ARRAY_SIZE(dec_lsb));
}

/* Readers that print a number and drop its leading zeros ("12345678" for 0012345678). */
static void test_pad_length(void)
{
	static const struct opt_case dec10[] = {
		{ BYTES("12345678"), 10, "0012345678", NULL },
		{ BYTES("1"), 10, "0000000001", NULL },
		{ BYTES("0012345678"), 10, "0012345678", NULL },
		{ BYTES("4294967296"), -EINVAL, "",
		  "4294967296 is more than 32 bits (4294967295)" },
		{ BYTES("123456789012"), -EINVAL, "", "12 digits, expected 10" },
		{ BYTES("12a"), -EINVAL, "", "'a' at position 10 is not a decimal digit" },
	};
	static const struct opt_case hex[] = {
		/* a hex reader dropping zeros: BC614E read as 00BC614E */
		{ BYTES("BC614E"), 10, "0012345678", NULL },
	};
	static const struct opt_case text[] = {
		{ BYTES("4711"), 6, "004711", NULL },
		{ BYTES("A-4711"), 6, "A-4711", NULL },
	};
	struct card_options opt;

	options(&opt, CARD_FORMAT_DEC10);
	opt.pad_length = 10;
	run_opt_cases(&opt, dec10, ARRAY_SIZE(dec10));
	options(&opt, CARD_FORMAT_HEX_TO_DEC10);
	opt.pad_length = 8;
	run_opt_cases(&opt, hex, ARRAY_SIZE(hex));
	options(&opt, CARD_FORMAT_TEXT);
	opt.pad_length = 6;
	run_opt_cases(&opt, text, ARRAY_SIZE(text));
}

/* Magnetic-stripe-style output, ISO/IEC 7813 track 2: start sentinel ';', end sentinel '?'. */
static void test_trim(void)
{
	static const struct opt_case track2[] = {
		{ BYTES(";0012345678?"), 10, "0012345678", NULL },
		{ BYTES("0012345678?"), 10, "0012345678", NULL }, /* each only when present */
		{ BYTES(";0012345678"), 10, "0012345678", NULL },
		{ BYTES(";?"), -EINVAL, "", "empty card number" },
		{ BYTES(";"), -EINVAL, "", "empty card number" },
		{ BYTES(";;0012345678?"), -EINVAL, "", "';' at position 1 is not a decimal digit" },
		{ BYTES(";0012345678?\n"), -EINVAL, "",
		  "byte 0x0a at position 13 is not printable ASCII" },
	};
	static const struct opt_case longer[] = {
		{ BYTES("ID:7BB26E:END"), 9, "123,45678", NULL },
		{ BYTES("ID:7BB26E"), 9, "123,45678", NULL },
		{ BYTES("id:7BB26E"), -EINVAL, "", "'i' at position 1 is not a hex digit" },
	};
	struct card_options opt;

	options(&opt, CARD_FORMAT_DEC10);
	strcpy(opt.trim_prefix, ";");
	strcpy(opt.trim_suffix, "?");
	run_opt_cases(&opt, track2, ARRAY_SIZE(track2));
	options(&opt, CARD_FORMAT_WIEGAND26);
	strcpy(opt.trim_prefix, "ID:");
	strcpy(opt.trim_suffix, ":END");
	run_opt_cases(&opt, longer, ARRAY_SIZE(longer));
	/* trimmed first, then padded */
	options(&opt, CARD_FORMAT_DEC10);
	strcpy(opt.trim_prefix, ";");
	strcpy(opt.trim_suffix, "?");
	opt.pad_length = 10;
	{
		static const struct opt_case both[] = {
			{ BYTES(";12345678?"), 10, "0012345678", NULL },
		};

		run_opt_cases(&opt, both, 1);
	}
}

static void test_byte_order_names(void)
{
	enum card_byte_order order = CARD_MSB_FIRST;

	CHECK_INT(card_byte_order_from_name("lsb", &order), 0);
	CHECK_INT(order, CARD_LSB_FIRST);
	CHECK_INT(card_byte_order_from_name("msb", &order), 0);
	CHECK_INT(order, CARD_MSB_FIRST);
	CHECK_INT(card_byte_order_from_name("LSB", &order), -EINVAL);
	CHECK_INT(card_byte_order_from_name(NULL, &order), -EINVAL);
	CHECK_STR(card_byte_order_name(CARD_LSB_FIRST), "lsb");
	CHECK_STR(card_byte_order_name((enum card_byte_order)7), "unknown");
	CHECK_INT(card_number_convert(NULL, "1", 1, (char[4]){ 0 }, 4, NULL, 0), -EINVAL);
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
	RUN(test_em4100_views);
	RUN(test_wiegand26);
	RUN(test_iso14443_uids);
	RUN(test_pad_length);
	RUN(test_trim);
	RUN(test_byte_order_names);
	RUN(test_small_buffers_and_bad_arguments);
	RUN(test_longest_text);
	return testlib_finish();
}
