/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Due dates (see due-date.h).
 */
#include "ils-date.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sip2.h"

/* The value of n decimal digits at s, or -1. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool valid_day(int year, int mon, int day)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1])
		return false;
	return !(mon == 2 && day == 29 && (year % 4 || (year % 100 == 0 && year % 400)));
}

struct parsed {
	int year, mon, day, hour, min, sec;
	bool has_time, has_zone;
	int zone_s; /* east of UTC */
};

/* "Z", "+hh:mm", "+hhmm", "+hh" (or -), and nothing else, at s[0..len). */
static int parse_zone(const char *s, size_t len, struct parsed *p)
{
	int hh, mm = 0;

	if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		p->has_zone = true;
		return 0;
	}
	if (len < 3 || (s[0] != '+' && s[0] != '-'))
		return -EINVAL;
	hh = digits(s + 1, 2);
	if (len == 6 && s[3] == ':')
		mm = digits(s + 4, 2);
	else if (len == 5)
		mm = digits(s + 3, 2);
	else if (len != 3)
		return -EINVAL;
	if (hh < 0 || hh > 14 || mm < 0 || mm > 59)
		return -EINVAL;
	p->has_zone = true;
	p->zone_s = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return 0;
}

/* hh:mm[:ss[.fff]][zone] (extended) or hhmmss[zone] (basic). */
static int parse_time(const char *s, size_t len, bool extended, struct parsed *p)
{
	size_t i;

	p->has_time = true;
	p->hour = digits(s, 2);
	if (extended) {
		if (len < 5 || s[2] != ':')
			return -EINVAL;
		p->min = digits(s + 3, 2);
		i = 5;
		if (len >= 8 && s[5] == ':') {
			p->sec = digits(s + 6, 2);
			i = 8;
			if (i < len && (s[i] == '.' || s[i] == ','))
				for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
					;
		}
	} else {
		if (len < 6)
			return -EINVAL;
		p->min = digits(s + 2, 2);
		p->sec = digits(s + 4, 2);
		i = 6;
	}
	if (p->hour < 0 || p->hour > 23 || p->min < 0 || p->min > 59 || p->sec < 0 ||
	    p->sec > 60)
		return -EINVAL;
	return i == len ? 0 : parse_zone(s + i, len - i, p);
}

/* YYYY-MM-DD[(T| )time] or YYYYMMDD[(T| )hhmmss]. */
static int parse_iso(const char *s, size_t len, struct parsed *p)
{
	bool extended = len >= 10 && s[4] == '-' && s[7] == '-';
	size_t date_len = extended ? 10 : 8;

	memset(p, 0, sizeof(*p));
	if (len < date_len)
		return -EINVAL;
	p->year = digits(s, 4);
	p->mon = digits(s + (extended ? 5 : 4), 2);
	p->day = digits(s + (extended ? 8 : 6), 2);
	if (!valid_day(p->year, p->mon, p->day))
		return -EINVAL;
	if (len == date_len)
		return 0;
	if (s[date_len] != 'T' && s[date_len] != ' ')
		return -EINVAL;
	return parse_time(s + date_len + 1, len - date_len - 1, extended, p);
}

int due_date_parse(const char *text, time_t *ret)
{
	const char *s = text;
	struct parsed p;
	struct tm tm;
	size_t len;
	time_t t;

	if (!text || !ret)
		return -EINVAL;
	len = strnlen(text, DUE_DATE_TEXT_MAX + 1);
	if (len > DUE_DATE_TEXT_MAX)
		return -EINVAL;
	/* SIP2's own form first: its zone is spaces in the middle. */
	if (len == SIP2_DATE_LEN && sip2_date_parse(text, len, ret) == 0)
		return 0;
	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (parse_iso(s, len, &p) < 0)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = p.year - 1900;
	tm.tm_mon = p.mon - 1;
	tm.tm_mday = p.day;
	if (p.has_time) {
		tm.tm_hour = p.hour;
		tm.tm_min = p.min;
		tm.tm_sec = p.sec;
	} else {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	tm.tm_isdst = -1;
	t = p.has_zone ? timegm(&tm) - p.zone_s : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/* The name %c stands for on tm in names, or NULL: strftime's own. */
static const char *name_for(char c, const struct tm *tm, const struct date_names *names)
{
	bool day = c == 'a' || c == 'A';
	int i = day ? tm->tm_wday : tm->tm_mon;

	if (!names || i < 0 || i >= (day ? 7 : 12))
		return NULL;
	switch (c) {
	case 'a': return names->days_short[i];
	case 'A': return names->days[i];
	case 'b': return names->months_short[i];
	case 'B': return names->months[i];
	default: return NULL;
	}
}

/* format with %a %A %b %B written out from names (each % in a name doubled) into out. */
static int with_names(const char *format, const struct tm *tm, const struct date_names *names,
		      char *out, size_t size)
{
	size_t used = 0;

	for (const char *f = format; *f; f++) {
		const char *name = f[0] == '%' && f[1] ? name_for(f[1], tm, names) : NULL;

		if (!name) {
			if (used + 2 >= size)
				return -ENOSPC;
			out[used++] = *f;
			if (f[0] == '%' && f[1])
				out[used++] = *++f; /* %% stays a pair, not the start of another */
			continue;
		}
		for (; *name; name++) {
			if (used + 3 >= size)
				return -ENOSPC;
			if (*name == '%')
				out[used++] = '%';
			out[used++] = *name;
		}
		f++;
	}
	out[used] = '\0';
	return 0;
}

int due_date_format(time_t t, const char *format, const struct date_names *names, char *out,
		    size_t size)
{
	char named[256];
	struct tm tm;

	if (!size)
		return -ENOSPC;
	out[0] = 0;
	if (!localtime_r(&t, &tm) || with_names(format, &tm, names, named, sizeof(named)) < 0 ||
	    strftime(out, size, named, &tm) == 0) {
		out[0] = 0;
		return -ENOSPC;
	}
	return 0;
}

void due_date_show(const char *ils_text, int64_t wall_ms, const char *format,
		   const struct date_names *names, char *out, size_t size)
{
	time_t t;

	if (!size)
		return;
	out[0] = 0;
	if (ils_text && *ils_text) {
		if (due_date_parse(ils_text, &t) < 0 ||
		    due_date_format(t, format, names, out, size) < 0)
			snprintf(out, size, "%s", ils_text);
		return;
	}
	if (wall_ms && due_date_format((time_t)(wall_ms / 1000), format, names, out, size) < 0)
		out[0] = 0;
}

int64_t due_date_end_of_day(int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return wall_ms;
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 59;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? wall_ms : (int64_t)t * 1000;
}
