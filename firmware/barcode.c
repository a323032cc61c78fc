/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "barcode.h"

#include <errno.h>
#include <string.h>

#include "aim.h"

#define CODABAR_LEN 14

void barcode_rules_default(struct barcode_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->patron.n_prefixes = 1;
	strcpy(rules->patron.prefixes[0], "2");
	rules->patron.n_lengths = 1;
	rules->patron.lengths[0] = CODABAR_LEN;
	rules->item.n_prefixes = 1;
	strcpy(rules->item.prefixes[0], "3");
	rules->item.n_lengths = 1;
	rules->item.lengths[0] = CODABAR_LEN;
	rules->check_digit = true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_codabar_guard(char c)
{
	return (c >= 'A' && c <= 'D') || (c >= 'a' && c <= 'd');
}

/* EN 798's A-D and the original Codabar's alternates T N * E, in either case. */
static bool is_codabar_start_stop(char c)
{
	return is_codabar_guard(c) || (c && strchr("TNEtne*", c) != NULL);
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

int codabar_check_digit(const char *digits13)
{
	unsigned sum = 0;

	if (!digits13)
		return -EINVAL;
	for (int i = 0; i < CODABAR_LEN - 1; i++) {
		unsigned d;

		/* also stops at the NUL of a short string */
		if (!is_digit(digits13[i]))
			return -EINVAL;
		d = (unsigned)(digits13[i] - '0');
		/* positions 1, 3, ... 13 counting from 1 at the left are doubled */
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (int)((10 - sum % 10) % 10);
}

bool codabar_check_digit_ok(const char *s, size_t len)
{
	if (!s || len != CODABAR_LEN || !all_digits(s, len))
		return false;
	return codabar_check_digit(s) == s[CODABAR_LEN - 1] - '0';
}

int gtin_check_digit(const char *digits, size_t n)
{
	unsigned sum = 0;

	if (!digits || n == 0 || !all_digits(digits, n))
		return -EINVAL;
	/* the digit next to the check digit weighs 3 */
	for (size_t i = 0; i < n; i++)
		sum += (unsigned)(digits[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
	return (int)((10 - sum % 10) % 10);
}

bool gtin_check_digit_ok(const char *s, size_t len)
{
	if (!s || (len != 8 && len != 12 && len != 13 && len != 14) || !all_digits(s, len))
		return false;
	return gtin_check_digit(s, len - 1) == s[len - 1] - '0';
}

int isbn10_check_digit(const char *digits9)
{
	unsigned sum = 0;

	if (!digits9)
		return -EINVAL;
	for (int i = 0; i < 9; i++) {
		/* also stops at the NUL of a short string */
		if (!is_digit(digits9[i]))
			return -EINVAL;
		sum += (unsigned)(digits9[i] - '0') * (unsigned)(10 - i);
	}
	return (int)((11 - sum % 11) % 11);
}

bool isbn10_check_digit_ok(const char *s, size_t len)
{
	int want;

	if (!s || len != 10 || !all_digits(s, 9))
		return false;
	want = isbn10_check_digit(s);
	return s[9] == 'X' ? want == 10 : is_digit(s[9]) && want == s[9] - '0';
}

static bool rule_matches(const struct barcode_class_rule *rule, const char *s, size_t len)
{
	bool prefix_ok = rule->n_prefixes == 0, length_ok = rule->n_lengths == 0;

	for (unsigned i = 0; i < rule->n_prefixes && i < BARCODE_LIST_MAX && !prefix_ok; i++) {
		const char *prefix = rule->prefixes[i];
		size_t plen = strnlen(prefix, BARCODE_PREFIX_MAX);

		prefix_ok = plen <= len && memcmp(s, prefix, plen) == 0;
	}
	for (unsigned i = 0; i < rule->n_lengths && i < BARCODE_LIST_MAX && !length_ok; i++)
		length_ok = rule->lengths[i] == len;
	return prefix_ok && length_ok;
}

static void write_norm(char *norm, size_t normsz, const char *s, size_t len)
{
	if (!norm || !normsz)
		return;
	if (len >= normsz)
		len = normsz - 1;
	memcpy(norm, s, len);
	norm[len] = '\0';
}

/*
 * Which start/stop letters go. A scanner that names the symbology decides:
 * only Codabar has them (Code 39 or Code 128 data may begin and end with
 * letters). Wedge scanners often send no AIM id, and libraries have long
 * had theirs send Codabar with its start/stop letters: with no symbology
 * known, letters A-D round nothing but digits are taken as Codabar's, which
 * no other symbology a library uses produces by itself. The alternates
 * T N * E are stripped only from known Codabar, as T..E round digits is a
 * plausible Code 39 item number.
 */
static bool strip_start_stop(enum symbology sym, const char *s, size_t len)
{
	if (len < 3)
		return false;
	if (sym == SYM_CODABAR)
		return is_codabar_start_stop(s[0]) && is_codabar_start_stop(s[len - 1]);
	return sym == SYM_UNKNOWN && is_codabar_guard(s[0]) && is_codabar_guard(s[len - 1]) &&
	       all_digits(s + 1, len - 2);
}

static bool is_ean_upc(enum symbology sym)
{
	return sym == SYM_EAN13 || sym == SYM_EAN13_ADDON || sym == SYM_EAN8;
}

/* An ISBN-10 ends in X when its check is 10; nothing else a library scans looks like that. */
static bool looks_like_isbn10_x(const char *s, size_t len)
{
	return len == 10 && all_digits(s, 9) && s[9] == 'X';
}

static bool is_book_number(const char *s, size_t len)
{
	return len == 13 && all_digits(s, len) &&
	       (memcmp(s, "978", 3) == 0 || memcmp(s, "979", 3) == 0);
}

/*
 * The check digits a symbol of this kind carries. EAN/UPC (]E0 ]E3 ]E4):
 * EAN-13 and UPC-A (13 or 12 digits; with ]E3 an add-on of 2 or 5 follows),
 * EAN-8, and the ISBN-10 scanners send for a Bookland EAN when set to
 * translate it; UPC-E (8 digits under ]E0) is left to the scanner, which
 * has verified it. Without an AIM id only book numbers are recognised, and
 * only as items: 13 digits from 978/979 (ISBN-13, ISMN), or an ISBN-10 with
 * X. Otherwise the library layout's 14-digit check applies, as before.
 */
static bool check_digits_ok(enum symbology sym, enum barcode_class cls, const char *s,
			    size_t len)
{
	if (is_ean_upc(sym)) {
		if (sym == SYM_EAN13 && len == 10 && all_digits(s, 9))
			return isbn10_check_digit_ok(s, len);
		/* not EAN/UPC data, whatever the scanner says: the rules have judged it */
		if (!all_digits(s, len))
			return true;
		if (sym == SYM_EAN8 && len == 8)
			return gtin_check_digit_ok(s, len);
		if (sym == SYM_EAN13_ADDON && (len == 15 || len == 18))
			return gtin_check_digit_ok(s, 13);
		if (sym == SYM_EAN13_ADDON && (len == 14 || len == 17))
			return gtin_check_digit_ok(s, 12);
		if (sym == SYM_EAN13 && (len == 12 || len == 13))
			return gtin_check_digit_ok(s, len);
		/* A length EAN/UPC does not have: judged like any other symbol, below. */
	}
	if (sym == SYM_UNKNOWN && cls == BARCODE_ITEM) {
		if (is_book_number(s, len))
			return gtin_check_digit_ok(s, len);
		if (looks_like_isbn10_x(s, len))
			return isbn10_check_digit_ok(s, len);
	}
	return len != CODABAR_LEN || !all_digits(s, len) || codabar_check_digit_ok(s, len);
}

enum barcode_class barcode_classify(const struct barcode_rules *rules, const char *text, size_t len,
				    enum symbology sym, char *norm, size_t normsz)
{
	return barcode_classify_from(rules, BARCODE_READER_ANY, text, len, sym, norm, normsz);
}

/* Which class the rules give s, for a symbol from reader. */
static enum barcode_class class_for(const struct barcode_rules *rules, enum barcode_reader reader,
				    const char *s, size_t len)
{
	bool patron = rule_matches(&rules->patron, s, len);
	bool item = rule_matches(&rules->item, s, len);

	switch (reader) {
	case BARCODE_READER_CARDS:
		if (patron || rule_matches(&rules->card, s, len))
			return BARCODE_PATRON;
		return item ? BARCODE_ITEM_AT_CARD_READER : BARCODE_UNKNOWN;
	case BARCODE_READER_ITEMS:
		if (item)
			return BARCODE_ITEM;
		/* An empty card rule admits anything: only a card rule that says something counts. */
		if (patron || ((rules->card.n_prefixes || rules->card.n_lengths) &&
			       rule_matches(&rules->card, s, len)))
			return BARCODE_CARD_AT_ITEM_SCANNER;
		return BARCODE_UNKNOWN;
	default:
		return patron ? BARCODE_PATRON : item ? BARCODE_ITEM : BARCODE_UNKNOWN;
	}
}

enum barcode_class barcode_classify_from(const struct barcode_rules *rules,
					 enum barcode_reader reader, const char *text, size_t len,
					 enum symbology sym, char *norm, size_t normsz)
{
	enum barcode_class cls = BARCODE_UNKNOWN;
	const char *s = text;
	struct aim_id aim;
	int aim_len;

	write_norm(norm, normsz, "", 0);
	if (!rules || !text || len == 0 || len > SCAN_TEXT_MAX)
		return BARCODE_UNKNOWN;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x21 || (unsigned char)text[i] > 0x7e)
			return BARCODE_UNKNOWN;

	/* a wedge scanner set to send AIM ids types them before the data */
	aim_len = sym == SYM_UNKNOWN ? aim_parse(s, len, &aim) : -EINVAL;
	if (aim_len > 0 && (size_t)aim_len < len && aim.symbology != SYM_UNKNOWN) {
		sym = aim.symbology;
		s += aim_len;
		len -= (size_t)aim_len;
	}
	if (strip_start_stop(sym, s, len)) {
		s++;
		len -= 2;
	}
	write_norm(norm, normsz, s, len);

	for (unsigned i = 0; i < rules->n_done && i < BARCODE_LIST_MAX; i++)
		if (strnlen(rules->done[i], BARCODE_DONE_MAX) == len &&
		    memcmp(rules->done[i], s, len) == 0)
			return BARCODE_DONE;

	cls = class_for(rules, reader, s, len);
	if (cls != BARCODE_PATRON && cls != BARCODE_ITEM)
		return cls;
	/* A card number is no barcode layout: only what the patron rule admits has a check digit. */
	if (cls == BARCODE_PATRON && !rule_matches(&rules->patron, s, len))
		return cls;
	if (rules->check_digit && !check_digits_ok(sym, cls, s, len))
		return BARCODE_BAD_CHECK_DIGIT;
	return cls;
}

const char *barcode_class_name(enum barcode_class cls)
{
	switch (cls) {
	case BARCODE_PATRON:
		return "patron";
	case BARCODE_ITEM:
		return "item";
	case BARCODE_DONE:
		return "done";
	case BARCODE_BAD_CHECK_DIGIT:
		return "bad-check-digit";
	case BARCODE_CARD_AT_ITEM_SCANNER:
		return "card-at-item-scanner";
	case BARCODE_ITEM_AT_CARD_READER:
		return "item-at-card-reader";
	case BARCODE_UNKNOWN:
		break;
	}
	return "unknown";
}
