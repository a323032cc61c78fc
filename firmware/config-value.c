/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The readers of circd.conf's values, one per value type of config.c's
 * table: each checks a value and stores it, or says what is wrong with it.
 */
#include "config-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/un.h>

#include "util.h"

static const char *const terminator_names[] = { "cr", "crlf", NULL };

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int value_error(struct config_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "[section] key: why", at the key's line. */
static int value_error(struct config_parse *p, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	file_error_set(p->err, p->path, p->line, "[%s] %s: %s", config_section_names[p->section],
		       p->key, why);
	return -EINVAL;
}

static int set_choice(struct config_parse *p, const char *value, const char *const *choices,
		      int *ret)
{
	char list[128];
	int i = inifile_word_index(choices, value);

	if (i < 0) {
		inifile_join_words(list, sizeof(list), choices);
		return value_error(p, "expected %s, got '%.*s'", list, VALUE_QUOTE_MAX, value);
	}
	*ret = i;
	return 0;
}

static int set_uint(struct config_parse *p, const char *value, unsigned min, unsigned max,
		    unsigned *ret)
{
	if (inifile_uint(value, min, max, ret) < 0)
		return value_error(p, "expected a number from %u to %u, got '%.*s'", min, max,
				   VALUE_QUOTE_MAX, value);
	return 0;
}

/* 0xHH as ISO 28560 documents AFIs, or decimal. */
static int set_afi(struct config_parse *p, const char *value, unsigned *ret)
{
	unsigned v = 0;
	size_t i;

	if ((value[0] == '0' && (value[1] == 'x' || value[1] == 'X'))) {
		for (i = 2; value[i] && i < 4 && hex_digit_value(value[i]) >= 0; i++)
			v = v * 16 + (unsigned)hex_digit_value(value[i]);
		if (i > 2 && !value[i]) {
			*ret = v;
			return 0;
		}
	} else if (inifile_uint(value, 0, 255, ret) == 0) {
		return 0;
	}
	return value_error(p, "expected an AFI, 0x00 to 0xFF, got '%.*s'", VALUE_QUOTE_MAX, value);
}

/* An address to listen on: a literal, so that no name lookup can widen it. */
static int set_ip_address(struct config_parse *p, const char *value, char *dst, size_t size)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
		return value_error(p, "expected an IP address (127.0.0.1, ::1), got '%.*s'",
				   VALUE_QUOTE_MAX, value);
	if (strlen(value) >= size)
		return value_error(p, "longer than %zu characters", size - 1);
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int set_bool(struct config_parse *p, const char *value, bool *ret)
{
	if (inifile_bool(value, ret) < 0)
		return value_error(p, "expected yes or no, got '%.*s'", VALUE_QUOTE_MAX, value);
	return 0;
}

static int set_string(struct config_parse *p, const char *value, char *dst, size_t size,
		      bool allow_empty);

/* A strftime format that gives a date patrons can read on a receipt line. */
static int set_date_format(struct config_parse *p, const char *value, char *dst, size_t size)
{
	/* The longest weekday and month names, in a year with four digits. */
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 8, .tm_mday = 30, .tm_wday = 3,
			 .tm_hour = 23, .tm_min = 59, .tm_sec = 59 };
	char sample[64];
	int r = set_string(p, value, dst, size, false);

	if (r < 0)
		return r;
	if (strftime(sample, sizeof(sample), dst, &tm) == 0)
		return value_error(p, "'%.*s' gives an empty date or one over %zu characters",
				   VALUE_QUOTE_MAX, value, sizeof(sample) - 1);
	return 0;
}

static int set_string(struct config_parse *p, const char *value, char *dst, size_t size,
		      bool allow_empty)
{
	size_t len = strlen(value);

	if (!len && !allow_empty)
		return value_error(p, "empty value");
	if (len >= size)
		return value_error(p, "longer than %zu characters", size - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] == 0x7f)
			return value_error(p, "contains a control character");
	memcpy(dst, value, len + 1);
	return 0;
}

static int set_socket_path(struct config_parse *p, const char *value, char *dst, size_t size)
{
	/* bind() would fail much later, with a less helpful message */
	size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	if (strlen(value) > max)
		return value_error(p, "longer than %zu characters, too long for a unix socket",
				   max);
	return set_string(p, value, dst, size, false);
}

struct span {
	const char *s;
	size_t len;
};

/* "a, b ,c" -> trimmed items; an empty value has none. */
static int split_list(struct config_parse *p, const char *value, struct span *items,
		      unsigned max, const char *what, unsigned *n)
{
	const char *s = value;

	*n = 0;
	while (is_space(*s))
		s++;
	if (!*s)
		return 0;
	for (;;) {
		const char *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);
		const char *start = s;

		while (start < end && is_space(*start))
			start++;
		while (end > start && is_space(end[-1]))
			end--;
		if (start == end)
			return value_error(p, "empty entry in the list '%.*s'", VALUE_QUOTE_MAX,
					   value);
		if (*n == max)
			return value_error(p, "more than %u %s", max, what);
		items[*n].s = start;
		items[(*n)++].len = (size_t)(end - start);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static bool printable_token(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Fills rows of size bytes starting at dst: prefixes[][] or done[][]. */
static int set_symbols(struct config_parse *p, const char *value, char *dst, size_t size,
		       unsigned *n_ret, const char *what)
{
	struct span items[BARCODE_LIST_MAX];
	unsigned n;
	int r;

	r = split_list(p, value, items, BARCODE_LIST_MAX, what, &n);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		if (items[i].len >= size)
			return value_error(p, "'%.*s' is longer than %zu characters",
					   VALUE_QUOTE_MAX, items[i].s, size - 1);
		if (!printable_token(items[i].s, items[i].len))
			return value_error(p, "'%.*s' may only hold printable ASCII, no spaces",
					   (int)items[i].len, items[i].s);
	}
	for (unsigned i = 0; i < n; i++) {
		char *d = dst + i * size;

		memcpy(d, items[i].s, items[i].len);
		d[items[i].len] = '\0';
	}
	*n_ret = n;
	return 0;
}

static int set_prefixes(struct config_parse *p, const char *value, struct barcode_class_rule *rule)
{
	return set_symbols(p, value, (char *)rule->prefixes, BARCODE_PREFIX_MAX,
			   &rule->n_prefixes, "prefixes");
}

static int set_done(struct config_parse *p, const char *value, struct barcode_rules *rules)
{
	return set_symbols(p, value, (char *)rules->done, BARCODE_DONE_MAX, &rules->n_done,
			   "symbols");
}

static int set_lengths(struct config_parse *p, const char *value, struct barcode_class_rule *rule)
{
	struct span items[BARCODE_LIST_MAX];
	uint8_t lengths[BARCODE_LIST_MAX];
	char number[8];
	unsigned n;
	int r;

	r = split_list(p, value, items, BARCODE_LIST_MAX, "lengths", &n);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		unsigned len;

		if (items[i].len >= sizeof(number))
			goto bad;
		memcpy(number, items[i].s, items[i].len);
		number[items[i].len] = '\0';
		if (inifile_uint(number, 1, SCAN_TEXT_MAX, &len) < 0)
			goto bad;
		lengths[i] = (uint8_t)len;
		continue;
bad:
		return value_error(p, "expected lengths from 1 to %d, got '%.*s'", SCAN_TEXT_MAX,
				   (int)(items[i].len > VALUE_QUOTE_MAX ? VALUE_QUOTE_MAX
									: items[i].len),
				   items[i].s);
	}
	memcpy(rule->lengths, lengths, n);
	rule->n_lengths = n;
	return 0;
}

static int set_hex_pin(struct config_parse *p, const char *value, char *dst)
{
	size_t i, n = strlen(value);

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF:", value[i]))
			break;
	if (n && i == n) {
		size_t w = 0;

		/* "AB:CD:..." as openssl prints fingerprints, or plain hex */
		for (i = 0; i < n && w < 64; i++)
			if (value[i] != ':')
				dst[w++] = (char)(value[i] | 0x20);
		dst[w] = '\0';
		if (w == 64 && i == n)
			return 0;
	}
	if (!n) {
		dst[0] = '\0';
		return 0;
	}
	dst[0] = '\0';
	return value_error(p, "expected the 64 hex digits of a SHA-256 fingerprint, got '%.*s'",
			   VALUE_QUOTE_MAX, value);
}

int config_set_value(struct config_parse *p, const struct config_key *key, const char *value)
{
	void *field = (char *)p->cfg + key->offset;
	const char *why;
	int choice = 0, r;
	unsigned u;

	switch (key->type) {
	case VALUE_STRING:
	case VALUE_STRING_OPTIONAL:
		return set_string(p, value, field, key->size, key->type == VALUE_STRING_OPTIONAL);
	case VALUE_SOCKET_PATH:
		return set_socket_path(p, value, field, key->size);
	case VALUE_DATE_FORMAT:
		return set_date_format(p, value, field, key->size);
	case VALUE_UINT:
		return set_uint(p, value, key->min, key->max, field);
	case VALUE_BOOL:
		return set_bool(p, value, field);
	case VALUE_AFI:
		return set_afi(p, value, field);
	case VALUE_IP_ADDRESS:
		return set_ip_address(p, value, field, key->size);
	case VALUE_CHOICE:
		r = set_choice(p, value, key->choices, &choice);
		if (r >= 0)
			*(int *)field = choice;
		return r;
	case VALUE_PORT:
		r = set_uint(p, value, key->min, key->max, &u);
		if (r >= 0)
			snprintf(field, key->size, "%u", u);
		return r;
	case VALUE_PATRON_MESSAGE:
		r = set_uint(p, value, 23, 63, &u);
		if (r >= 0 && u != 23 && u != 63)
			return value_error(p, "expected 23 (patron status) or 63 (patron "
					      "information), got '%.*s'", VALUE_QUOTE_MAX, value);
		if (r >= 0)
			*(unsigned *)field = u;
		return r;
	case VALUE_TERMINATOR:
		r = set_choice(p, value, terminator_names, &choice);
		if (r >= 0)
			*(bool *)field = choice == 1;
		return r;
	case VALUE_DELIMITER:
		if (strlen(value) != 1 || value[0] < 0x21 || value[0] > 0x7e)
			return value_error(p, "expected one printable character, got '%.*s'",
					   VALUE_QUOTE_MAX, value);
		*(char *)field = value[0];
		return 0;
	case VALUE_HEX_PIN:
		return set_hex_pin(p, value, field);
	case VALUE_PREFIXES:
		return set_prefixes(p, value, field);
	case VALUE_LENGTHS:
		return set_lengths(p, value, field);
	case VALUE_DONE:
		return set_done(p, value, field);
	case VALUE_FEEDBACK:
		if (feedback_pattern_parse(value, field, &why) < 0)
			return value_error(p, "%s, got '%.*s'", why, VALUE_QUOTE_MAX, value);
		return 0;
	}
	return -EINVAL;
}
