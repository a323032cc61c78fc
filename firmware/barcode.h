/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Barcode rules: what a scanned symbol is. Pure functions, no allocation.
 *
 * A symbol is a patron card or an item when it matches that class's prefixes
 * and lengths (an empty list matches anything). The library "Codabar" layout
 * is 14 digits: type (2 = patron, 3 = item), 4-digit institution, 8-digit
 * serial, and a mod-10 check digit computed Luhn-style over the first 13.
 * With check_digit on, such a 14-digit symbol with a wrong check digit is
 * refused, and so are EAN-13, UPC-A, EAN-8 and ISBN symbols whose check
 * digit is wrong: when the scanner says EAN/UPC (AIM ]E0, ]E3, ]E4), and
 * without an AIM id for items of 13 digits from 978/979 or ISBN-10s ending
 * in X (see check_digits_ok() in barcode.c).
 *
 * Before anything is compared, an AIM id a wedge scanner typed before the
 * data ("]F0...") is read and removed when the scanner reported none, and
 * Codabar start/stop characters are stripped: from a Codabar symbol A-D or
 * T N * E in either case, and when no symbology is known, A-D round digits
 * (wedge scanners send Codabar so without saying so). Other symbologies keep
 * their letters.
 */
#ifndef CIRCD_BARCODE_H
#define CIRCD_BARCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner.h"

#define BARCODE_LIST_MAX 8
#define BARCODE_PREFIX_MAX 16
#define BARCODE_DONE_MAX 32

struct barcode_class_rule {
	unsigned n_prefixes;
	char prefixes[BARCODE_LIST_MAX][BARCODE_PREFIX_MAX];
	unsigned n_lengths;
	uint8_t lengths[BARCODE_LIST_MAX];
};

struct barcode_rules {
	struct barcode_class_rule patron;
	struct barcode_class_rule item;
	/*
	 * Card numbers from a patron_reader that the patron rule (a barcode
	 * layout) does not describe: a proximity reader's 10 digits, a UID in
	 * hex. Empty lists: anything such a reader sends is a patron id.
	 */
	struct barcode_class_rule card;
	bool check_digit;
	unsigned n_done;
	char done[BARCODE_LIST_MAX][BARCODE_DONE_MAX]; /* "end my session" symbols */
};

enum barcode_class {
	BARCODE_PATRON,
	BARCODE_ITEM,
	BARCODE_DONE,
	BARCODE_BAD_CHECK_DIGIT,
	BARCODE_UNKNOWN, /* no rule matches, or not printable ASCII */
	BARCODE_CARD_AT_ITEM_SCANNER, /* a patron card on a scanner for items only */
	BARCODE_ITEM_AT_CARD_READER,  /* an item on a reader for cards only */
};

/* What the device that read a symbol is for (a board scanner's role). */
enum barcode_reader {
	BARCODE_READER_ANY,   /* role = both, or not known: the rules decide */
	BARCODE_READER_ITEMS, /* item_scanner: items (and done symbols) only */
	BARCODE_READER_CARDS, /* patron_reader: patron ids (and done symbols) only */
};

/* Defaults: patron 2xxxxxxxxxxxxx, item 3xxxxxxxxxxxxx, check digit on, no done symbol. */
void barcode_rules_default(struct barcode_rules *rules);

/*
 * Classifies text[0..len), read in symbology sym (SYM_UNKNOWN if the scanner
 * did not say). The normalised symbol (AIM id and start/stop stripped) is
 * written to norm (normsz >= SCAN_TEXT_MAX + 1) for every class.
 */
enum barcode_class barcode_classify(const struct barcode_rules *rules, const char *text, size_t len,
				    enum symbology sym, char *norm, size_t normsz);

/*
 * The same, knowing which device read it. A card reader's symbol is a
 * patron id if the patron rule or the card rule admits it; an item
 * scanner's is an item if the item rule admits it; either answers
 * BARCODE_CARD_AT_ITEM_SCANNER / BARCODE_ITEM_AT_CARD_READER for what
 * belongs on the other device, so the patron can be told where to scan it.
 */
enum barcode_class barcode_classify_from(const struct barcode_rules *rules,
					 enum barcode_reader reader, const char *text, size_t len,
					 enum symbology sym, char *norm, size_t normsz);

/* Check digit for 13 ASCII digits, or -EINVAL. */
int codabar_check_digit(const char *digits13);
/* true if s is 14 digits whose last is the check digit of the first 13. */
bool codabar_check_digit_ok(const char *s, size_t len);

/*
 * The GS1 mod-10 check digit (EAN-8, UPC-A, EAN-13/ISBN-13, GTIN-14:
 * weights 3, 1, 3 ... from the right) of the n ASCII digits at digits, or
 * -EINVAL.
 */
int gtin_check_digit(const char *digits, size_t n);
/* true if s is 8, 12, 13 or 14 digits whose last is the check digit of the others. */
bool gtin_check_digit_ok(const char *s, size_t len);
/* ISBN-10 (ISO 2108) mod-11 check of 9 ASCII digits: 0..9, or 10 (printed X); -EINVAL. */
int isbn10_check_digit(const char *digits9);
/* true if s is 9 digits and their check digit, 0-9 or an upper-case X. */
bool isbn10_check_digit_ok(const char *s, size_t len);

const char *barcode_class_name(enum barcode_class cls);

#endif
