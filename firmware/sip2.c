/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP2 codec, common part: charsets, checksum, dates, framing, names, log
 * redaction. Encoders are in sip2-encode.c, the decoder in sip2-decode.c.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "codepage.h"
#include "utf8.h"
#include "sip2-private.h"
#include "util.h"

void sip2_profile_default(struct sip2_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->delimiter = '|';
	p->error_detection = true;
	p->charset = SIP2_WIRE_ASCII;
}

bool sip2_profile_ok(const struct sip2_profile *p)
{
	char d;

	if (!p || (unsigned)p->charset > SIP2_WIRE_IBM850)
		return false;
	d = p->delimiter;
	return d > 0x20 && d < 0x7f && !sip2_is_digit(d) && !(d >= 'A' && d <= 'Z') &&
	       !(d >= 'a' && d <= 'z');
}

unsigned sip2_checksum(const char *buf, size_t len)
{
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)buf[i];
	return (0x10000u - (sum & 0xffffu)) & 0xffffu;
}

int sip2_next_seq(int seq)
{
	return seq >= 0 && seq < 9 ? seq + 1 : 0;
}

int sip2_fixed_width(const char code[2])
{
	static const struct {
		char code[3];
		uint8_t width;
	} table[] = {
		/* replies */
		{ "94", 1 }, { "98", 34 }, { "24", 35 }, { "64", 59 }, { "12", 22 },
		{ "10", 22 }, { "30", 22 }, { "18", 24 }, { "36", 19 }, { "96", 0 },
		{ "16", 20 }, { "20", 19 }, { "26", 35 }, { "38", 19 }, { "66", 27 },
		/* requests, for sip2_redact() and test servers */
		{ "93", 2 }, { "99", 8 }, { "23", 21 }, { "63", 31 }, { "11", 38 },
		{ "09", 37 }, { "29", 38 }, { "17", 18 }, { "35", 18 }, { "97", 0 },
		{ "01", 19 }, { "15", 19 }, { "19", 18 }, { "25", 18 }, { "37", 25 },
		{ "65", 18 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].code[0] == code[0] && table[i].code[1] == code[1])
			return table[i].width;
	return -1;
}

static size_t utf8_encode(uint32_t c, char out[4])
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (c >> 12));
	out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

static char ibm850_from_unicode(uint32_t c)
{
	int byte = codepage_byte(codepage_cp850, c);

	return byte < 0 ? '?' : (char)byte;
}

int sip2_utf8_to_wire(enum sip2_charset cs, const char *in, size_t n, char *out, size_t size,
		      size_t *len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, step;
	uint32_t c;

	while (i < n) {
		step = utf8_decode(s + i, n - i, &c);
		if (!step)
			return -EILSEQ;
		if (cs == SIP2_WIRE_UTF8) {
			if (size - o < step)
				return -EMSGSIZE;
			memcpy(out + o, s + i, step);
			o += step;
		} else {
			if (o == size)
				return -EMSGSIZE;
			if (c < 0x80)
				out[o] = (char)c;
			else if (cs == SIP2_WIRE_LATIN1 && c <= 0xff)
				out[o] = (char)c;
			else if (cs == SIP2_WIRE_IBM850)
				out[o] = ibm850_from_unicode(c);
			else
				out[o] = '?';
			o++;
		}
		i += step;
	}
	*len = o;
	return 0;
}

int sip2_wire_to_utf8(enum sip2_charset cs, const char *in, size_t n, char *out, size_t size,
		      size_t *len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, step, n_out;
	const char *from;
	char buf[4];
	uint32_t c;

	while (i < n) {
		step = 1;
		from = buf;
		n_out = 1;
		if (s[i] < 0x80) {
			from = in + i;
		} else if (cs == SIP2_WIRE_UTF8) {
			step = utf8_decode(s + i, n - i, &c);
			if (step) {
				from = in + i;
				n_out = step;
			} else {
				step = 1;
				buf[0] = '?';
			}
		} else if (cs == SIP2_WIRE_LATIN1) {
			n_out = utf8_encode(s[i], buf);
		} else if (cs == SIP2_WIRE_IBM850) {
			n_out = utf8_encode(codepage_cp850[s[i] - 0x80], buf);
		} else {
			buf[0] = '?';
		}
		if (size - o < n_out)
			return -EMSGSIZE;
		memcpy(out + o, from, n_out);
		o += n_out;
		i += step;
	}
	*len = o;
	return 0;
}

static void put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int sip2_date_format(time_t t, bool utc, char out[SIP2_DATE_LEN + 1])
{
	struct tm tm;

	if (!out)
		return -EINVAL;
	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return -EINVAL;
	put_digits(out, (unsigned)(tm.tm_year + 1900), 4);
	put_digits(out + 4, (unsigned)tm.tm_mon + 1, 2);
	put_digits(out + 6, (unsigned)tm.tm_mday, 2);
	memcpy(out + 8, utc ? "   Z" : "    ", 4);
	put_digits(out + 12, (unsigned)tm.tm_hour, 2);
	put_digits(out + 14, (unsigned)tm.tm_min, 2);
	put_digits(out + 16, (unsigned)tm.tm_sec, 2);
	out[SIP2_DATE_LEN] = '\0';
	return 0;
}

static int parse_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!sip2_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* 1 for UTC, 0 for local time, -EINVAL for garbage. */
static int parse_zone(const char *z)
{
	char trimmed[5];
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		char c = z[i];

		if (c == ' ')
			continue;
		if (!sip2_is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z'))
			return -EINVAL;
		if (n && z[i - 1] == ' ')
			return -EINVAL; /* "U TC" */
		trimmed[n++] = c;
	}
	trimmed[n] = '\0';
	return !strcmp(trimmed, "Z") || !strcmp(trimmed, "UTC") || !strcmp(trimmed, "GMT");
}

int sip2_date_parse(const char *s, size_t len, time_t *ret)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int year, mon, day, hour, min, sec, utc;
	struct tm tm;
	time_t t;

	if (!s || !ret || len != SIP2_DATE_LEN)
		return -EINVAL;
	year = parse_digits(s, 4);
	mon = parse_digits(s + 4, 2);
	day = parse_digits(s + 6, 2);
	hour = parse_digits(s + 12, 2);
	min = parse_digits(s + 14, 2);
	sec = parse_digits(s + 16, 2);
	utc = parse_zone(s + 8);
	if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour < 0 ||
	    hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60 || utc < 0)
		return -EINVAL;
	if (mon == 2 && day == 29 && (year % 4 || (year % 100 == 0 && year % 400)))
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

int sip2_frame_next(const char *buf, size_t len, const char **msg, size_t *msg_len,
		    size_t *consumed)
{
	size_t start = 0, end;

	if ((!buf && len) || !msg || !msg_len || !consumed)
		return -EINVAL;
	*msg = NULL;
	*msg_len = 0;
	while (start < len && (buf[start] == '\r' || buf[start] == '\n' || buf[start] == '\0'))
		start++;
	*consumed = start;
	for (end = start; end < len && buf[end] != '\r' && buf[end] != '\n'; end++)
		if (end - start == SIP2_FRAME_MAX)
			return -EMSGSIZE;
	if (end == len)
		return 0;
	*msg = buf + start;
	*msg_len = end - start;
	*consumed = end + 1 + (buf[end] == '\r' && end + 1 < len && buf[end + 1] == '\n');
	return 1;
}

static bool id_in(const char *id, const char *list)
{
	for (; *list; list += 2)
		if (id[0] == list[0] && id[1] == list[1])
			return true;
	return false;
}

static size_t append(char *out, size_t size, size_t o, const char *s, size_t n)
{
	while (n-- > 0 && o + 1 < size)
		out[o++] = *s++;
	return o;
}

size_t sip2_redact(const struct sip2_profile *p, const char *wire, size_t len, char *out,
		   size_t size)
{
	char delim = p ? p->delimiter : '|';
	size_t o = 0, head, end, n;
	int width;

	if (!out || !size)
		return 0;
	if (!wire)
		len = 0;
	while (len && (wire[len - 1] == '\r' || wire[len - 1] == '\n'))
		len--;
	width = len >= 2 ? sip2_fixed_width(wire) : -1;
	head = width < 0 ? 2 : (size_t)width + 2;
	if (head > len)
		head = len;
	/* an unknown layout could hide a PIN anywhere: show the code only */
	if (width < 0)
		len = head;
	o = append(out, size, o, wire, head);
	for (size_t i = head; i < len; i = end + 1) {
		for (end = i; end < len && wire[end] != delim; end++)
			;
		n = end - i;
		if (n > 2 && id_in(wire + i, "ADCOACAEBDBEBFDAAACY")) {
			o = append(out, size, o, wire + i, 2);
			o = append(out, size, o, "***", 3);
			if (id_in(wire + i, "AACY") && n > 2 + 4)
				o = append(out, size, o, wire + end - 4, 4);
		} else {
			o = append(out, size, o, wire + i, n);
		}
		if (end < len)
			o = append(out, size, o, &delim, 1);
	}
	for (size_t k = 0; k < o; k++)
		if ((unsigned char)out[k] < 0x20 || (unsigned char)out[k] >= 0x7f)
			out[k] = '.';
	out[o] = '\0';
	return o;
}

#define NAME(table, i) ((i) >= 0 && (size_t)(i) < ARRAY_SIZE(table) && \
			table[i] ? table[i] : "unknown")

const char *sip2_patron_flag_name(unsigned flag)
{
	static const char *const names[SIP2_PATRON_FLAGS] = {
		"charge privileges denied",
		"renewal privileges denied",
		"recall privileges denied",
		"hold privileges denied",
		"card reported lost",
		"too many items charged",
		"too many items overdue",
		"too many renewals",
		"too many claims of items returned",
		"too many items lost",
		"excessive outstanding fines",
		"excessive outstanding fees",
		"recall overdue",
		"too many items billed",
	};

	return flag < SIP2_PATRON_FLAGS ? names[flag] : "unknown";
}

const char *sip2_circ_status_name(int status)
{
	static const char *const names[] = {
		NULL,
		"other",
		"on order",
		"available",
		"charged",
		"charged; not to be recalled until earliest recall date",
		"in process",
		"recalled",
		"waiting on hold shelf",
		"waiting to be re-shelved",
		"in transit between library locations",
		"claimed returned",
		"lost",
		"missing",
	};

	return NAME(names, status);
}

const char *sip2_alert_type_name(int type)
{
	static const char *const names[] = {
		"unknown",
		"hold for this library",
		"hold for other branch",
		"hold for interlibrary loan",
		"send to other branch",
	};

	if (type == 99)
		return "other";
	return NAME(names, type);
}

const char *sip2_fee_type_name(int type)
{
	static const char *const names[] = {
		NULL,
		"other/unknown",
		"administrative",
		"damage",
		"overdue",
		"processing",
		"rental",
		"replacement",
		"computer access charge",
		"hold fee",
	};

	return NAME(names, type);
}

/* SIP2 2.00's language codes, 000-027, in order, as ISO 639-1 ("": none). */
static const char *const sip2_languages[] = {
	"",   "en", "fr", "de", "it", "nl", "sv", "fi", "es", "da", "pt", "fr", "no", "he",
	"ja", "ru", "ar", "pl", "el", "zh", "ko", "es", "ta", "ms", "en", "is", "",   "zh",
};

unsigned sip2_language_code(const char *iso639)
{
	for (unsigned i = 1; iso639 && *iso639 && i < ARRAY_SIZE(sip2_languages); i++)
		if (strcmp(sip2_languages[i], iso639) == 0)
			return i;
	return 0;
}

const char *sip2_language_iso639(const char *code)
{
	int n = 0;

	for (int i = 0; i < 3; i++) {
		if (!code || code[i] < '0' || code[i] > '9')
			return "";
		n = n * 10 + (code[i] - '0');
	}
	return (size_t)n < ARRAY_SIZE(sip2_languages) ? sip2_languages[n] : "";
}

const char *sip2_media_type_name(int type)
{
	static const char *const names[] = {
		"other",
		"book",
		"magazine",
		"bound journal",
		"audio tape",
		"video tape",
		"CD/CDROM",
		"diskette",
		"book with diskette",
		"book with CD",
		"book with audio tape",
	};

	return NAME(names, type);
}
