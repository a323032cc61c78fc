/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "barcode.h"

#include <errno.h>
#include <string.h>

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

enum barcode_class barcode_classify(const struct barcode_rules *rules, const char *text, size_t len,
				    enum symbology sym, char *norm, size_t normsz)
{
	enum barcode_class cls = BARCODE_UNKNOWN;
	const char *s = text;

	write_norm(norm, normsz, "", 0);
	if (!rules || !text || len == 0 || len > SCAN_TEXT_MAX)
		return BARCODE_UNKNOWN;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x21 || (unsigned char)text[i] > 0x7e)
			return BARCODE_UNKNOWN;

	/* Start/stop characters, whatever symbology the scanner claims: many report none. */
	if (len >= 3 && is_codabar_guard(s[0]) && is_codabar_guard(s[len - 1]) &&
	    all_digits(s + 1, len - 2)) {
		s++;
		len -= 2;
	}
	write_norm(norm, normsz, s, len);

	for (unsigned i = 0; i < rules->n_done && i < BARCODE_LIST_MAX; i++)
		if (strnlen(rules->done[i], BARCODE_DONE_MAX) == len &&
		    memcmp(rules->done[i], s, len) == 0)
			return BARCODE_DONE;

	if (rule_matches(&rules->patron, s, len))
		cls = BARCODE_PATRON;
	else if (rule_matches(&rules->item, s, len))
		cls = BARCODE_ITEM;
	else
		return BARCODE_UNKNOWN;

	if (rules->check_digit && len == CODABAR_LEN && all_digits(s, len) &&
	    !codabar_check_digit_ok(s, len))
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
	case BARCODE_UNKNOWN:
		break;
	}
	return "unknown";
}
