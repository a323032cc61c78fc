/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes barcode_classify() and the check digit helpers. The first byte picks
 * the rules and the symbology; the rest is the scanned text. Checks what a
 * class promises: a bad check digit needs check_digit on and digits to
 * check, and is no good 14-digit library number when no symbology is known;
 * a patron or item of 14
 * digits outside EAN/UPC under check_digit passes the library check; norm is
 * printable and no longer than the text.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/barcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_norm(const char *norm, size_t normsz, size_t text_len)
{
	size_t len = strnlen(norm, normsz);

	if (len == normsz || len > text_len)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)norm[i] < 0x21 || (unsigned char)norm[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct barcode_rules rules;
	char norm[SCAN_TEXT_MAX + 1], small[8], *copy;
	const char *text = (const char *)data + 1;
	size_t len, norm_len;
	enum barcode_class cls;
	enum symbology sym;
	uint8_t mode;

	if (size == 0)
		return 0;
	mode = data[0];
	len = size - 1;
	barcode_rules_default(&rules);
	if (mode & 1)
		rules.check_digit = false;
	if (mode & 2)
		memset(&rules.patron, 0, sizeof(rules.patron));
	if (mode & 4) {
		rules.n_done = 2;
		strcpy(rules.done[0], "DONE");
		strcpy(rules.done[1], "2");
	}
	if (mode & 8) {
		rules.item.n_lengths = 0;
		rules.item.n_prefixes = 2;
		strcpy(rules.item.prefixes[1], "A");
	}

	sym = (enum symbology)((mode >> 4) * 3 % SYM__COUNT); /* 16 of them, EAN/UPC among */
	cls = barcode_classify(&rules, text, len, sym, norm, sizeof(norm));
	if (cls < BARCODE_PATRON || cls > BARCODE_UNKNOWN)
		abort();
	if (!barcode_class_name(cls)[0])
		abort();
	check_norm(norm, sizeof(norm), len);
	norm_len = strlen(norm);
	/* every check covers at least 8 leading digits */
	if (cls == BARCODE_BAD_CHECK_DIGIT &&
	    (!rules.check_digit || norm_len < 8 || !all_digits(norm, 8)))
		abort();
	if (cls == BARCODE_BAD_CHECK_DIGIT && sym == SYM_UNKNOWN && text[0] != ']' &&
	    codabar_check_digit_ok(norm, norm_len))
		abort();
	if ((cls == BARCODE_PATRON || cls == BARCODE_ITEM) && rules.check_digit &&
	    norm_len == 14 && all_digits(norm, 14) && !codabar_check_digit_ok(norm, 14) &&
	    sym != SYM_EAN13_ADDON && norm[0] != ']' && text[0] != ']')
		abort();
	if (cls == BARCODE_ITEM && rules.check_digit && sym == SYM_UNKNOWN && text[0] != ']' &&
	    norm_len == 13 && all_digits(norm, 13) && memcmp(norm, "978", 3) == 0 &&
	    !gtin_check_digit_ok(norm, 13))
		abort();
	if (cls != BARCODE_UNKNOWN && norm_len == 0)
		abort();

	/* a short norm buffer is cut, never overrun */
	if (barcode_classify(&rules, text, len, sym, small, 1 + len % sizeof(small)) != cls)
		abort();
	check_norm(small, 1 + len % sizeof(small), len);

	/*
	 * By the reader: a card reader gives no item, an item scanner no patron;
	 * what the rules alone call an item or a patron stays one on its device.
	 */
	for (int reader = BARCODE_READER_ANY; reader <= BARCODE_READER_CARDS; reader++) {
		enum barcode_class by = barcode_classify_from(&rules, (enum barcode_reader)reader,
							      text, len, sym, small, sizeof(small));

		if (by < BARCODE_PATRON || by > BARCODE_ITEM_AT_CARD_READER ||
		    (reader == BARCODE_READER_ANY && by != cls) ||
		    (reader == BARCODE_READER_CARDS &&
		     (by == BARCODE_ITEM || by == BARCODE_CARD_AT_ITEM_SCANNER)) ||
		    (reader == BARCODE_READER_ITEMS &&
		     (by == BARCODE_PATRON || by == BARCODE_ITEM_AT_CARD_READER)) ||
		    (cls == BARCODE_ITEM && reader == BARCODE_READER_ITEMS && by != cls) ||
		    (cls == BARCODE_DONE && by != cls))
			abort();
	}

	copy = malloc(len + 1);
	if (!copy)
		return 0;
	memcpy(copy, text, len);
	copy[len] = '\0';
	{
		int digit = codabar_check_digit(copy);

		if (digit < 0 ? strnlen(copy, 13) == 13 && all_digits(copy, 13)
			      : digit > 9 || !all_digits(copy, 13))
			abort();
		if (codabar_check_digit_ok(copy, len) &&
		    (len != 14 || digit != copy[13] - '0'))
			abort();
		digit = len ? gtin_check_digit(copy, len - 1) : -EINVAL;
		if (gtin_check_digit_ok(copy, len) && digit != copy[len - 1] - '0')
			abort();
		digit = isbn10_check_digit(copy);
		if (isbn10_check_digit_ok(copy, len) &&
		    (digit < 0 || copy[9] != (digit == 10 ? 'X' : '0' + digit)))
			abort();
	}
	free(copy);
	return 0;
}
