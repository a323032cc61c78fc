/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../firmware/barcode.h"
#include "testlib.h"

/* A byte array with its length, so that cases may hold NUL bytes. */
#define BYTES(s) (s), (sizeof(s) - 1)

/*
 * Known-good symbols, check digits worked by hand:
 *
 * 2123400000001: positions 1, 3, ... 13 hold 2 2 4 0 0 0 1, doubled 4 4 8 0 0 0 2
 * (none over 9) = 18; positions 2, 4, ... 12 hold 1 3 0 0 0 0 = 4; sum 22;
 * check (10 - 22 % 10) % 10 = 8, so the patron card is 21234000000018.
 *
 * 3123400000005: odd positions 3 2 4 0 0 0 5, doubled 6 4 8 0 0 0 10 -> 1 = 19;
 * even positions 1 3 0 0 0 0 = 4; sum 23; check 7: the item is 31234000000057.
 */
#define PATRON "21234000000018"
#define ITEM "31234000000057"

struct classify_case {
	const char *name;
	const char *text;
	size_t len;
	enum barcode_class want;
	const char *want_norm;
};

static void run_cases(const struct barcode_rules *rules, const struct classify_case *cases,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct classify_case *c = &cases[i];
		char norm[SCAN_TEXT_MAX + 1];
		enum barcode_class got;

		memset(norm, 'x', sizeof(norm));
		got = barcode_classify(rules, c->text, c->len, SYM_UNKNOWN, norm, sizeof(norm));
		if (got != c->want || strcmp(norm, c->want_norm) != 0)
			fprintf(stderr, "case '%s': got %s '%s', expected %s '%s'\n", c->name,
				barcode_class_name(got), norm, barcode_class_name(c->want),
				c->want_norm);
		CHECK_INT(got, c->want);
		CHECK_STR(norm, c->want_norm);
	}
}

static void test_check_digit_known_values(void)
{
	CHECK_INT(codabar_check_digit("2123400000001"), 8);
	CHECK_INT(codabar_check_digit("3123400000005"), 7);
	CHECK_INT(codabar_check_digit("0000000000000"), 0);
	/* 9 doubled is 18, minus 9 = 9; seven of them and six 0s: 63 -> 7 */
	CHECK_INT(codabar_check_digit("9090909090909"), 7);
	CHECK(codabar_check_digit_ok(PATRON, 14));
	CHECK(codabar_check_digit_ok(ITEM, 14));
	CHECK(codabar_check_digit_ok("00000000000000", 14));
	CHECK(codabar_check_digit_ok("90909090909097", 14));
}

static void test_check_digit_rejects_bad_input(void)
{
	CHECK_INT(codabar_check_digit(NULL), -EINVAL);
	CHECK_INT(codabar_check_digit(""), -EINVAL);
	CHECK_INT(codabar_check_digit("212340000000"), -EINVAL); /* 12 digits */
	CHECK_INT(codabar_check_digit("21234000000A1"), -EINVAL);
	CHECK_INT(codabar_check_digit("-123400000001"), -EINVAL);
	CHECK(!codabar_check_digit_ok(NULL, 14));
	CHECK(!codabar_check_digit_ok("21234000000017", 14));
	CHECK(!codabar_check_digit_ok(PATRON, 13));
	CHECK(!codabar_check_digit_ok("2123400000001", 13));
	CHECK(!codabar_check_digit_ok("212340000000180", 15));
	CHECK(!codabar_check_digit_ok("2123400000001A", 14));
	CHECK(!codabar_check_digit_ok("2123400000\0" "018", 14));
}

/* A mod-10 doubling check catches every single-digit error ... */
static void test_check_digit_catches_substitutions(void)
{
	static const char *const valid[] = { PATRON, ITEM, "20001000123459", "39999123456780" };
	int caught = 0, total = 0;

	for (size_t v = 0; v < ARRAY_SIZE(valid); v++) {
		CHECK(codabar_check_digit_ok(valid[v], 14));
		for (int pos = 0; pos < 14; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				char s[15];

				if (d == valid[v][pos])
					continue;
				memcpy(s, valid[v], sizeof(s));
				s[pos] = d;
				total++;
				caught += !codabar_check_digit_ok(s, 14);
			}
		}
	}
	CHECK_INT(caught, total);
	CHECK_INT(total, 4 * 14 * 9);
}

/* ... and every swap of unequal neighbours except 0 <-> 9. */
static void test_check_digit_catches_transpositions(void)
{
	static const char *const valid[] = { PATRON, ITEM, "20001000123459", "39999123456780",
					     "30901234567892", "29090123456780" };
	int caught = 0, total = 0, missed_09 = 0;

	for (size_t v = 0; v < ARRAY_SIZE(valid); v++) {
		CHECK(codabar_check_digit_ok(valid[v], 14));
		for (int pos = 0; pos < 13; pos++) {
			char s[15], a = valid[v][pos], b = valid[v][pos + 1];

			if (a == b)
				continue;
			memcpy(s, valid[v], sizeof(s));
			s[pos] = b;
			s[pos + 1] = a;
			total++;
			if (!codabar_check_digit_ok(s, 14)) {
				caught++;
			} else {
				bool is_09 = (a == '0' && b == '9') || (a == '9' && b == '0');

				CHECK(is_09);
				missed_09++;
			}
		}
	}
	CHECK(total >= 30);
	CHECK_INT(caught + missed_09, total);
	CHECK(caught * 10 >= total * 9); /* "mostly": at least 90% */
	/* "3090..." and "2909..." have 0 and 9 side by side: the known blind spot */
	CHECK(missed_09 >= 1);
}

static void test_default_rules(void)
{
	static const struct classify_case cases[] = {
		{ "patron", BYTES(PATRON), BARCODE_PATRON, PATRON },
		{ "item", BYTES(ITEM), BARCODE_ITEM, ITEM },
		{ "patron, last digit off", BYTES("21234000000017"), BARCODE_BAD_CHECK_DIGIT,
		  "21234000000017" },
		{ "item, digits swapped", BYTES("31243000000057"), BARCODE_BAD_CHECK_DIGIT,
		  "31243000000057" },
		{ "13 digits", BYTES("2123400000001"), BARCODE_UNKNOWN, "2123400000001" },
		{ "15 digits", BYTES("212340000000180"), BARCODE_UNKNOWN, "212340000000180" },
		{ "type 4", BYTES("41234000000016"), BARCODE_UNKNOWN, "41234000000016" },
		{ "letters", BYTES("ABCDEFGHIJKLMN"), BARCODE_UNKNOWN, "ABCDEFGHIJKLMN" },
		{ "isbn", BYTES("9780262510875"), BARCODE_UNKNOWN, "9780262510875" },
		{ "one char", BYTES("2"), BARCODE_UNKNOWN, "2" },
		{ "punctuation", BYTES("!~"), BARCODE_UNKNOWN, "!~" },
	};

	struct barcode_rules rules;

	barcode_rules_default(&rules);
	CHECK(rules.check_digit);
	CHECK_INT(rules.n_done, 0);
	CHECK_INT(rules.patron.n_prefixes, 1);
	CHECK_STR(rules.patron.prefixes[0], "2");
	CHECK_INT(rules.patron.n_lengths, 1);
	CHECK_INT(rules.patron.lengths[0], 14);
	CHECK_INT(rules.item.n_prefixes, 1);
	CHECK_STR(rules.item.prefixes[0], "3");
	CHECK_INT(rules.item.n_lengths, 1);
	CHECK_INT(rules.item.lengths[0], 14);
	run_cases(&rules, cases, ARRAY_SIZE(cases));
}

static void test_garbage_bytes(void)
{
	static const struct classify_case cases[] = {
		{ "empty", "", 0, BARCODE_UNKNOWN, "" },
		{ "NUL", BYTES("\0"), BARCODE_UNKNOWN, "" },
		{ "NUL inside", BYTES("2123400000\0" "018"), BARCODE_UNKNOWN, "" },
		{ "NUL after", BYTES(PATRON "\0"), BARCODE_UNKNOWN, "" },
		{ "0xff", BYTES("\xff"), BARCODE_UNKNOWN, "" },
		{ "0xff after", BYTES(PATRON "\xff"), BARCODE_UNKNOWN, "" },
		{ "utf-8", BYTES("2123400000001\xc3\xa9"), BARCODE_UNKNOWN, "" },
		{ "0x80", BYTES("\x80" "1234000000018"), BARCODE_UNKNOWN, "" },
		{ "DEL", BYTES(PATRON "\x7f"), BARCODE_UNKNOWN, "" },
		{ "newline", BYTES(PATRON "\n"), BARCODE_UNKNOWN, "" },
		{ "carriage return", BYTES(PATRON "\r"), BARCODE_UNKNOWN, "" },
		{ "tab", BYTES("\t" PATRON), BARCODE_UNKNOWN, "" },
		{ "space", BYTES("2123400 0000018"), BARCODE_UNKNOWN, "" },
		{ "only space", BYTES(" "), BARCODE_UNKNOWN, "" },
		{ "escape", BYTES("\x1b[2J"), BARCODE_UNKNOWN, "" },
		{ "control-A", BYTES("\x01"), BARCODE_UNKNOWN, "" },
	};
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	run_cases(&rules, cases, ARRAY_SIZE(cases));
}

static void test_length_limit(void)
{
	struct barcode_rules rules;
	char text[SCAN_TEXT_MAX + 2], norm[SCAN_TEXT_MAX + 1];

	/* with "any" rules, only the length decides */
	memset(&rules, 0, sizeof(rules));
	memset(text, '7', sizeof(text));
	CHECK_INT(barcode_classify(&rules, text, SCAN_TEXT_MAX, SYM_UNKNOWN, norm, sizeof(norm)),
		  BARCODE_PATRON);
	CHECK_INT(strlen(norm), SCAN_TEXT_MAX);
	CHECK_INT(barcode_classify(&rules, text, SCAN_TEXT_MAX + 1, SYM_UNKNOWN, norm,
				   sizeof(norm)),
		  BARCODE_UNKNOWN);
	CHECK_STR(norm, "");
	CHECK_INT(barcode_classify(&rules, text, (size_t)-1, SYM_UNKNOWN, norm, sizeof(norm)),
		  BARCODE_UNKNOWN);
}

static void test_codabar_start_stop(void)
{
	static const struct classify_case cases[] = {
		{ "A..B patron", BYTES("A" PATRON "B"), BARCODE_PATRON, PATRON },
		{ "C..D item", BYTES("C" ITEM "D"), BARCODE_ITEM, ITEM },
		{ "lower case", BYTES("a" ITEM "d"), BARCODE_ITEM, ITEM },
		{ "mixed case", BYTES("a" ITEM "D"), BARCODE_ITEM, ITEM },
		{ "same letter", BYTES("A" PATRON "A"), BARCODE_PATRON, PATRON },
		{ "stripped, bad check digit", BYTES("A21234000000017B"), BARCODE_BAD_CHECK_DIGIT,
		  "21234000000017" },
		{ "stripped, too short", BYTES("A2123400000001B"), BARCODE_UNKNOWN,
		  "2123400000001" },
		{ "shortest", BYTES("A1B"), BARCODE_UNKNOWN, "1" },
		{ "two guards only", BYTES("AB"), BARCODE_UNKNOWN, "AB" },
		{ "E is no guard", BYTES("E" PATRON "E"), BARCODE_UNKNOWN, "E" PATRON "E" },
		{ "start only", BYTES("A" PATRON), BARCODE_UNKNOWN, "A" PATRON },
		{ "stop only", BYTES(PATRON "B"), BARCODE_UNKNOWN, PATRON "B" },
		{ "letter inside", BYTES("A2123400000001XB"), BARCODE_UNKNOWN,
		  "A2123400000001XB" },
		{ "double guards", BYTES("AA" PATRON "BB"), BARCODE_UNKNOWN, "AA" PATRON "BB" },
	};
	struct barcode_rules rules;
	char norm[SCAN_TEXT_MAX + 1];

	barcode_rules_default(&rules);
	run_cases(&rules, cases, ARRAY_SIZE(cases));
	/* a Codabar symbol the scanner names as such */
	CHECK_INT(barcode_classify(&rules, BYTES("A" PATRON "B"), SYM_CODABAR, norm, sizeof(norm)),
		  BARCODE_PATRON);
	CHECK_STR(norm, PATRON);
}

struct sym_case {
	const char *name;
	const char *text;
	size_t len;
	enum symbology sym;
	enum barcode_class want;
	const char *want_norm;
};

static void run_sym_cases(const struct barcode_rules *rules, const struct sym_case *cases,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sym_case *c = &cases[i];
		char norm[SCAN_TEXT_MAX + 1];
		enum barcode_class got;

		memset(norm, 'x', sizeof(norm));
		got = barcode_classify(rules, c->text, c->len, c->sym, norm, sizeof(norm));
		if (got != c->want || strcmp(norm, c->want_norm) != 0)
			fprintf(stderr, "case '%s': got %s '%s', expected %s '%s'\n", c->name,
				barcode_class_name(got), norm, barcode_class_name(c->want),
				c->want_norm);
		CHECK_INT(got, c->want);
		CHECK_STR(norm, c->want_norm);
	}
}

/*
 * Start/stop characters belong to Codabar only (EN 798, the Codabar
 * standard: A B C D; the original form's alternates are T N * E, which
 * scanners send as t n * e or in upper case). Code 39, Code 128 and Telepen
 * may carry letters at both ends as data, so a symbol whose scanner names
 * another symbology keeps them.
 */
static void test_codabar_start_stop_by_symbology(void)
{
	static const struct sym_case cases[] = {
		{ "codabar A..B", BYTES("A" PATRON "B"), SYM_CODABAR, BARCODE_PATRON, PATRON },
		{ "codabar T..N", BYTES("T" PATRON "N"), SYM_CODABAR, BARCODE_PATRON, PATRON },
		{ "codabar *..E", BYTES("*" ITEM "E"), SYM_CODABAR, BARCODE_ITEM, ITEM },
		{ "codabar t..e", BYTES("t" ITEM "e"), SYM_CODABAR, BARCODE_ITEM, ITEM },
		{ "codabar data with -", BYTES("C3123-4000D"), SYM_CODABAR, BARCODE_UNKNOWN,
		  "3123-4000" },
		{ "codabar without start/stop", BYTES(ITEM), SYM_CODABAR, BARCODE_ITEM, ITEM },
		{ "codabar, guards only", BYTES("AB"), SYM_CODABAR, BARCODE_UNKNOWN, "AB" },
		{ "code 39 keeps A..B", BYTES("A" PATRON "B"), SYM_CODE39, BARCODE_UNKNOWN,
		  "A" PATRON "B" },
		{ "code 128 keeps A..B", BYTES("A" PATRON "B"), SYM_CODE128, BARCODE_UNKNOWN,
		  "A" PATRON "B" },
		{ "telepen keeps c..d", BYTES("c" ITEM "d"), SYM_TELEPEN, BARCODE_UNKNOWN,
		  "c" ITEM "d" },
		/* no symbology known (a wedge scanner without AIM ids): letters A-D round digits */
		{ "unknown A..B", BYTES("A" PATRON "B"), SYM_UNKNOWN, BARCODE_PATRON, PATRON },
		{ "unknown T..N kept", BYTES("T" PATRON "N"), SYM_UNKNOWN, BARCODE_UNKNOWN,
		  "T" PATRON "N" },
		/* an AIM id typed before the data by a wedge scanner is read and removed */
		{ "typed ]F0", BYTES("]F0A" PATRON "B"), SYM_UNKNOWN, BARCODE_PATRON, PATRON },
		{ "typed ]F0, t..e", BYTES("]F0t" ITEM "e"), SYM_UNKNOWN, BARCODE_ITEM, ITEM },
		{ "typed ]A0", BYTES("]A0A" PATRON "B"), SYM_UNKNOWN, BARCODE_UNKNOWN,
		  "A" PATRON "B" },
		{ "typed ]C0", BYTES("]C0" ITEM), SYM_UNKNOWN, BARCODE_ITEM, ITEM },
		{ "typed unassigned ]J0", BYTES("]J0" ITEM), SYM_UNKNOWN, BARCODE_UNKNOWN,
		  "]J0" ITEM },
		{ "typed id only", BYTES("]C0"), SYM_UNKNOWN, BARCODE_UNKNOWN, "]C0" },
	};
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	run_sym_cases(&rules, cases, ARRAY_SIZE(cases));
}

/*
 * Worked examples (check digits recomputed by hand below), from the GS1
 * General Specifications' mod-10 algorithm (section 7.9: weights 3 and 1
 * from the right) and ISO 2108 (ISBN):
 *   EAN-13 4006381333931: 4+0+0+18+3+24+1+9+3+9+9+9 = 89, check 1
 *   ISBN-13 9780306406157 (ISBN 978-0-306-40615-7): 9+21+8+0+3+0+6+12+0+18+1+15 = 93, check 7
 *   ISMN 9790260000438 (979-0-2600-0043-8): 9+21+9+0+2+18+0+0+0+0+4+9 = 72, check 8
 *   UPC-A 036000291452: 3 x (0+6+0+2+1+5) + (3+0+0+9+4) = 58, check 2
 *   EAN-8 73513537: 3 x (7+5+3+3) + (3+1+5) = 63, check 7
 *   ISBN-10 0306406152: 10x0+9x3+8x0+7x6+6x4+5x0+4x6+3x1+2x5 = 130 = 11x11+9, check 2
 *   ISBN-10 080442957X: 0+72+0+28+24+10+36+15+14 = 199 = 11x18+1, check 10 = X
 */
static void test_gtin_isbn_check_digits(void)
{
	CHECK_INT(gtin_check_digit("400638133393", 12), 1);
	CHECK_INT(gtin_check_digit("978030640615", 12), 7);
	CHECK_INT(gtin_check_digit("979026000043", 12), 8);
	CHECK_INT(gtin_check_digit("03600029145", 11), 2);
	CHECK_INT(gtin_check_digit("7351353", 7), 7);
	CHECK_INT(gtin_check_digit("0000000", 7), 0);
	CHECK_INT(gtin_check_digit("03600029145X", 12), -EINVAL);
	CHECK_INT(gtin_check_digit(NULL, 12), -EINVAL);
	CHECK_INT(gtin_check_digit("1", 0), -EINVAL);
	CHECK(gtin_check_digit_ok("4006381333931", 13));
	CHECK(gtin_check_digit_ok("9780306406157", 13));
	CHECK(gtin_check_digit_ok("036000291452", 12));
	CHECK(gtin_check_digit_ok("73513537", 8));
	CHECK(!gtin_check_digit_ok("4006381333932", 13));
	CHECK(!gtin_check_digit_ok("036000291425", 12)); /* last two swapped */
	CHECK(!gtin_check_digit_ok("7351353", 7));	   /* no GTIN is 7 long */
	CHECK(!gtin_check_digit_ok("", 0));
	CHECK_INT(isbn10_check_digit("030640615"), 2);
	CHECK_INT(isbn10_check_digit("080442957"), 10);
	CHECK_INT(isbn10_check_digit("03064061"), -EINVAL);
	CHECK_INT(isbn10_check_digit("03064061X"), -EINVAL);
	CHECK(isbn10_check_digit_ok("0306406152", 10));
	CHECK(isbn10_check_digit_ok("080442957X", 10));
	CHECK(!isbn10_check_digit_ok("0306406153", 10));
	CHECK(!isbn10_check_digit_ok("080442958X", 10));
	CHECK(!isbn10_check_digit_ok("08044295X7", 10));
	CHECK(!isbn10_check_digit_ok("080442957x", 10));
	CHECK(!isbn10_check_digit_ok("030640615", 9));
}

/* Rules that admit ISBNs as items: any length, patrons 2 + 13 digits. */
static void isbn_rules(struct barcode_rules *rules)
{
	barcode_rules_default(rules);
	rules->item.n_prefixes = 0;
	rules->item.n_lengths = 0;
}

static void test_ean_upc_isbn_symbols(void)
{
	static const struct sym_case cases[] = {
		/* no AIM id: only book numbers (978/979) and ISBN-10s ending in X are checked */
		{ "isbn-13", BYTES("9780306406157"), SYM_UNKNOWN, BARCODE_ITEM, "9780306406157" },
		{ "isbn-13 bad", BYTES("9780306406158"), SYM_UNKNOWN, BARCODE_BAD_CHECK_DIGIT,
		  "9780306406158" },
		{ "ismn 979", BYTES("9790260000438"), SYM_UNKNOWN, BARCODE_ITEM, "9790260000438" },
		{ "ismn 979 bad", BYTES("9790260000439"), SYM_UNKNOWN, BARCODE_BAD_CHECK_DIGIT,
		  "9790260000439" },
		{ "13 digits, not a book", BYTES("4006381333932"), SYM_UNKNOWN, BARCODE_ITEM,
		  "4006381333932" },
		{ "isbn-10 X", BYTES("080442957X"), SYM_UNKNOWN, BARCODE_ITEM, "080442957X" },
		{ "isbn-10 X bad", BYTES("080442958X"), SYM_UNKNOWN, BARCODE_BAD_CHECK_DIGIT,
		  "080442958X" },
		/* 10 digits could be a card number or a library's own: left alone */
		{ "10 digits", BYTES("0306406153"), SYM_UNKNOWN, BARCODE_ITEM, "0306406153" },
		/* ]E0: EAN-13, UPC-A, or an ISBN-10 from a scanner translating Bookland */
		/* A length EAN/UPC does not have: the library's 14-digit check, as for any symbol
		 * (found by libFuzzer: an "EAN-8" of 14 digits went unchecked). */
		{ "]E4 of 14 digits", BYTES("31117671176722"), SYM_EAN8, BARCODE_BAD_CHECK_DIGIT,
		  "31117671176722" },
		{ "]E0 of 14 digits", BYTES("31234000000016"), SYM_EAN13, BARCODE_ITEM,
		  "31234000000016" },
		{ "]E0 ean-13", BYTES("4006381333931"), SYM_EAN13, BARCODE_ITEM, "4006381333931" },
		{ "]E0 ean-13 bad", BYTES("4006381333932"), SYM_EAN13, BARCODE_BAD_CHECK_DIGIT,
		  "4006381333932" },
		{ "]E0 upc-a", BYTES("036000291452"), SYM_EAN13, BARCODE_ITEM, "036000291452" },
		{ "]E0 upc-a bad", BYTES("036000291453"), SYM_EAN13, BARCODE_BAD_CHECK_DIGIT,
		  "036000291453" },
		{ "]E0 isbn-10", BYTES("0306406152"), SYM_EAN13, BARCODE_ITEM, "0306406152" },
		{ "]E0 isbn-10 bad", BYTES("0306406153"), SYM_EAN13, BARCODE_BAD_CHECK_DIGIT,
		  "0306406153" },
		{ "]E0 upc-e, not checked", BYTES("04252614"), SYM_EAN13, BARCODE_ITEM,
		  "04252614" },
		{ "typed ]E0 bad", BYTES("]E04006381333932"), SYM_UNKNOWN, BARCODE_BAD_CHECK_DIGIT,
		  "4006381333932" },
		{ "]E4 ean-8", BYTES("73513537"), SYM_EAN8, BARCODE_ITEM, "73513537" },
		{ "]E4 ean-8 bad", BYTES("73513538"), SYM_EAN8, BARCODE_BAD_CHECK_DIGIT,
		  "73513538" },
		/* ]E3: the main symbol's check digit, the add-on has none of its own here */
		{ "]E3 isbn + 5", BYTES("978030640615751000"), SYM_EAN13_ADDON, BARCODE_ITEM,
		  "978030640615751000" },
		{ "]E3 isbn bad + 5", BYTES("978030640615851000"), SYM_EAN13_ADDON,
		  BARCODE_BAD_CHECK_DIGIT, "978030640615851000" },
		{ "]E3 upc-a + 2", BYTES("03600029145212"), SYM_EAN13_ADDON, BARCODE_ITEM,
		  "03600029145212" },
		/* another symbology: its own check, not the EAN one */
		{ "code 128 book number", BYTES("9780306406158"), SYM_CODE128, BARCODE_ITEM,
		  "9780306406158" },
		{ "code 128, 14 digits", BYTES("31234000000058"), SYM_CODE128,
		  BARCODE_BAD_CHECK_DIGIT, "31234000000058" },
		{ "library 14 digits", BYTES(ITEM), SYM_UNKNOWN, BARCODE_ITEM, ITEM },
		/* no EAN/UPC data, whatever the scanner says: the rules judge it */
		{ "]E3 letters", BYTES("AB3600029145212"), SYM_EAN13_ADDON, BARCODE_ITEM,
		  "AB3600029145212" },
	};
	static const struct sym_case unchecked[] = {
		{ "isbn-13 bad, check off", BYTES("9780306406158"), SYM_UNKNOWN, BARCODE_ITEM,
		  "9780306406158" },
		{ "]E0 bad, check off", BYTES("4006381333932"), SYM_EAN13, BARCODE_ITEM,
		  "4006381333932" },
	};
	static const struct sym_case patrons[] = {
		/* the book-number rule is for items; a patron card is the library's own */
		{ "patron 978", BYTES("9780306406158"), SYM_UNKNOWN, BARCODE_PATRON,
		  "9780306406158" },
	};
	struct barcode_rules rules;

	isbn_rules(&rules);
	run_sym_cases(&rules, cases, ARRAY_SIZE(cases));
	rules.check_digit = false;
	run_sym_cases(&rules, unchecked, ARRAY_SIZE(unchecked));
	isbn_rules(&rules);
	strcpy(rules.patron.prefixes[0], "97");
	rules.patron.lengths[0] = 13;
	run_sym_cases(&rules, patrons, ARRAY_SIZE(patrons));
}

static void test_done_symbols(void)
{
	static const struct classify_case cases[] = {
		{ "done", BYTES("DONE"), BARCODE_DONE, "DONE" },
		{ "second", BYTES("99999"), BARCODE_DONE, "99999" },
		{ "case matters", BYTES("done"), BARCODE_UNKNOWN, "done" },
		{ "longer", BYTES("DONE1"), BARCODE_UNKNOWN, "DONE1" },
		{ "shorter", BYTES("DON"), BARCODE_UNKNOWN, "DON" },
		{ "after stripping", BYTES("A99999B"), BARCODE_DONE, "99999" },
		/* a done symbol wins over the class rules, check digit and all */
		{ "before patron", BYTES("21234000000017"), BARCODE_DONE, "21234000000017" },
		{ "patron still", BYTES(PATRON), BARCODE_PATRON, PATRON },
	};
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	rules.n_done = 3;
	strcpy(rules.done[0], "DONE");
	strcpy(rules.done[1], "99999");
	strcpy(rules.done[2], "21234000000017");
	run_cases(&rules, cases, ARRAY_SIZE(cases));
}

static void test_empty_lists_match_anything(void)
{
	static const struct classify_case any_patron[] = {
		{ "word", BYTES("hello"), BARCODE_PATRON, "hello" },
		{ "one char", BYTES("x"), BARCODE_PATRON, "x" },
		{ "bad check digit still checked", BYTES("21234000000017"),
		  BARCODE_BAD_CHECK_DIGIT, "21234000000017" },
		{ "14 digits of type 4", BYTES("41234000000014"), BARCODE_PATRON,
		  "41234000000014" },
	};
	static const struct classify_case prefixes_only[] = {
		{ "P, any length", BYTES("P1"), BARCODE_PATRON, "P1" },
		{ "P, long", BYTES("P12345678901234567890"), BARCODE_PATRON,
		  "P12345678901234567890" },
		{ "LIB, any length", BYTES("LIB-7"), BARCODE_PATRON, "LIB-7" },
		{ "neither prefix: item", BYTES("X"), BARCODE_ITEM, "X" },
	};
	static const struct classify_case lengths_only[] = {
		{ "length 5", BYTES("abcde"), BARCODE_ITEM, "abcde" },
		{ "length 8", BYTES("12345678"), BARCODE_ITEM, "12345678" },
		{ "length 6", BYTES("abcdef"), BARCODE_UNKNOWN, "abcdef" },
	};
	struct barcode_rules rules;

	memset(&rules, 0, sizeof(rules));
	rules.check_digit = true;
	run_cases(&rules, any_patron, ARRAY_SIZE(any_patron));

	memset(&rules, 0, sizeof(rules));
	rules.patron.n_prefixes = 2;
	strcpy(rules.patron.prefixes[0], "P");
	strcpy(rules.patron.prefixes[1], "LIB");
	run_cases(&rules, prefixes_only, ARRAY_SIZE(prefixes_only));

	memset(&rules, 0, sizeof(rules));
	rules.patron.n_prefixes = 1;
	strcpy(rules.patron.prefixes[0], "P");
	rules.item.n_lengths = 2;
	rules.item.lengths[0] = 5;
	rules.item.lengths[1] = 8;
	run_cases(&rules, lengths_only, ARRAY_SIZE(lengths_only));
}

static void test_patron_rule_first(void)
{
	struct barcode_rules rules;
	char norm[SCAN_TEXT_MAX + 1];

	barcode_rules_default(&rules);
	strcpy(rules.item.prefixes[0], "2");
	CHECK_INT(barcode_classify(&rules, BYTES(PATRON), SYM_UNKNOWN, norm, sizeof(norm)),
		  BARCODE_PATRON);
	CHECK_INT(barcode_classify(&rules, BYTES(ITEM), SYM_UNKNOWN, norm, sizeof(norm)),
		  BARCODE_UNKNOWN);
}

static void test_check_digit_off(void)
{
	static const struct classify_case cases[] = {
		{ "patron, bad check", BYTES("21234000000017"), BARCODE_PATRON, "21234000000017" },
		{ "item, bad check", BYTES("31234000000058"), BARCODE_ITEM, "31234000000058" },
		{ "good still fine", BYTES(PATRON), BARCODE_PATRON, PATRON },
	};
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	rules.check_digit = false;
	run_cases(&rules, cases, ARRAY_SIZE(cases));
}

/* The check digit only applies to the 14-digit layout. */
static void test_check_digit_only_for_14_digits(void)
{
	static const struct classify_case cases[] = {
		{ "15 digits", BYTES("212340000000170"), BARCODE_PATRON, "212340000000170" },
		{ "14 chars with letters", BYTES("3ABCDEFGHIJKLM"), BARCODE_ITEM,
		  "3ABCDEFGHIJKLM" },
		{ "14 digits", BYTES("31234000000058"), BARCODE_BAD_CHECK_DIGIT,
		  "31234000000058" },
	};
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	rules.patron.n_lengths = 2;
	rules.patron.lengths[1] = 15;
	rules.item.n_lengths = 0;
	run_cases(&rules, cases, ARRAY_SIZE(cases));
}

static void test_norm_buffer(void)
{
	struct barcode_rules rules;
	char small[5];

	barcode_rules_default(&rules);
	/* a short buffer is cut, still terminated; no buffer is fine */
	CHECK_INT(barcode_classify(&rules, BYTES("A" PATRON "B"), SYM_UNKNOWN, small,
				   sizeof(small)),
		  BARCODE_PATRON);
	CHECK_STR(small, "2123");
	CHECK_INT(barcode_classify(&rules, BYTES(PATRON), SYM_UNKNOWN, NULL, 0), BARCODE_PATRON);
	CHECK_INT(barcode_classify(&rules, NULL, 3, SYM_UNKNOWN, small, sizeof(small)),
		  BARCODE_UNKNOWN);
	CHECK_STR(small, "");
}

static void test_class_names(void)
{
	CHECK_STR(barcode_class_name(BARCODE_PATRON), "patron");
	CHECK_STR(barcode_class_name(BARCODE_ITEM), "item");
	CHECK_STR(barcode_class_name(BARCODE_DONE), "done");
	CHECK_STR(barcode_class_name(BARCODE_BAD_CHECK_DIGIT), "bad-check-digit");
	CHECK_STR(barcode_class_name(BARCODE_UNKNOWN), "unknown");
	CHECK_STR(barcode_class_name((enum barcode_class)99), "unknown");
}

static enum barcode_class from(const struct barcode_rules *rules, enum barcode_reader reader,
			       const char *text)
{
	char norm[SCAN_TEXT_MAX + 1];

	return barcode_classify_from(rules, reader, text, strlen(text), SYM_UNKNOWN, norm,
				     sizeof(norm));
}

/*
 * Issue 9, item 1: a card reader types card numbers (10 digits from a 125 kHz
 * EM4100 reader, a UID in hex) that the [barcode] layout does not describe;
 * what a device reads is decided by its role first.
 */
static void test_classified_by_the_reader(void)
{
	struct barcode_rules rules;

	barcode_rules_default(&rules);
	/* A card reader: the layout's patrons (check digit and all), and any card number. */
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, PATRON), BARCODE_PATRON);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "21234000000017"), BARCODE_BAD_CHECK_DIGIT);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "0004242424"), BARCODE_PATRON);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "04A224B2C71D80"), BARCODE_PATRON);
	/* ...whose numbers have no check digit, even at 14 digits. */
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "31234000000017"), BARCODE_PATRON);
	/* An item scanner: items only; a patron card is named as such. */
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, ITEM), BARCODE_ITEM);
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, "31234000000017"), BARCODE_BAD_CHECK_DIGIT);
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, PATRON), BARCODE_CARD_AT_ITEM_SCANNER);
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, "0004242424"), BARCODE_UNKNOWN);
	/* Both (or not known): the rules as they always were. */
	CHECK_INT(from(&rules, BARCODE_READER_ANY, PATRON), BARCODE_PATRON);
	CHECK_INT(from(&rules, BARCODE_READER_ANY, ITEM), BARCODE_ITEM);
	CHECK_INT(from(&rules, BARCODE_READER_ANY, "0004242424"), BARCODE_UNKNOWN);
	/* Done symbols end a session from any device. */
	rules.n_done = 1;
	strcpy(rules.done[0], "DONE");
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "DONE"), BARCODE_DONE);
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, "DONE"), BARCODE_DONE);

	/* Card rules of their own: 10-digit numbers only. */
	rules.card.n_lengths = 1;
	rules.card.lengths[0] = 10;
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "0004242424"), BARCODE_PATRON);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "04A224B2C71D80"), BARCODE_UNKNOWN);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, ITEM), BARCODE_ITEM_AT_CARD_READER);
	CHECK_INT(from(&rules, BARCODE_READER_CARDS, "12345"), BARCODE_UNKNOWN);
	CHECK_INT(from(&rules, BARCODE_READER_ITEMS, "0004242424"), BARCODE_CARD_AT_ITEM_SCANNER);
}

int main(void)
{
	RUN(test_check_digit_known_values);
	RUN(test_check_digit_rejects_bad_input);
	RUN(test_check_digit_catches_substitutions);
	RUN(test_check_digit_catches_transpositions);
	RUN(test_default_rules);
	RUN(test_garbage_bytes);
	RUN(test_length_limit);
	RUN(test_codabar_start_stop);
	RUN(test_codabar_start_stop_by_symbology);
	RUN(test_gtin_isbn_check_digits);
	RUN(test_ean_upc_isbn_symbols);
	RUN(test_done_symbols);
	RUN(test_empty_lists_match_anything);
	RUN(test_patron_rule_first);
	RUN(test_check_digit_off);
	RUN(test_check_digit_only_for_14_digits);
	RUN(test_norm_buffer);
	RUN(test_class_names);
	RUN(test_classified_by_the_reader);
	return testlib_finish();
}
