/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Barcode rules: what a scanned symbol is. Pure functions, no allocation.
 *
 * A symbol is a patron card or an item when it matches that class's prefixes
 * and lengths (an empty list matches anything). The library "Codabar" layout
 * is 14 digits: type (2 = patron, 3 = item), 4-digit institution, 8-digit
 * serial, and a mod-10 check digit computed Luhn-style over the first 13.
 * With check_digit on, such a 14-digit symbol with a wrong check digit is
 * refused. Codabar start/stop characters (A-D), which some scanners send, are
 * stripped first.
 */
#ifndef CIRCD_BARCODE_H
#define CIRCD_BARCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../hal/scanner.h"

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
};

/* Defaults: patron 2xxxxxxxxxxxxx, item 3xxxxxxxxxxxxx, check digit on, no done symbol. */
void barcode_rules_default(struct barcode_rules *rules);

/*
 * Classifies text[0..len). The normalised symbol (start/stop stripped) is
 * written to norm (normsz >= SCAN_TEXT_MAX + 1) for every class.
 */
enum barcode_class barcode_classify(const struct barcode_rules *rules, const char *text, size_t len,
				    enum symbology sym, char *norm, size_t normsz);

/* Check digit for 13 ASCII digits, or -EINVAL. */
int codabar_check_digit(const char *digits13);
/* true if s is 14 digits whose last is the check digit of the first 13. */
bool codabar_check_digit_ok(const char *s, size_t len);

const char *barcode_class_name(enum barcode_class cls);

#endif
