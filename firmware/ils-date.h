/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Due dates as patrons read them. ILSs put their due date (SIP2 AH) in
 * several forms: SIP2's own 18-character timestamp ("20261220    235959",
 * Koha, Evergreen), ISO 8601 ("2026-12-20", "2026-12-20 23:59:59",
 * "2026-12-20T23:59:59Z", "...+01:00"; FOLIO and several SIP front ends) and
 * plain digits ("20261220"). due_date_parse() reads them all into one time,
 * so online and offline loans and receipts show one readable form; text it
 * cannot read is shown as the ILS sent it (due_date_show()).
 *
 * Times without a zone are the library's local time (TZ), as SIP2 says;
 * a date without a time is due at the end of that day.
 *
 * Pure apart from the process's time zone; nothing is allocated.
 */
#ifndef CIRCD_DUE_DATE_H
#define CIRCD_DUE_DATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest text due_date_parse() looks at; longer is not a date. */
#define DUE_DATE_TEXT_MAX 40

/* 0 and the time in *ret, or -EINVAL: not a date of a known form (or out of range). */
int due_date_parse(const char *text, time_t *ret);

/*
 * The day and month names %a %A %b %B write, in the patron's language
 * (strings the caller keeps). NULL names, or a NULL name in them: strftime's
 * own (the C locale's English).
 */
struct date_names {
	const char *days_short[7], *days[7];       /* Sunday first, as tm_wday */
	const char *months_short[12], *months[12]; /* January first, as tm_mon */
};

/*
 * Writes t in the library's local time with a strftime format, its names
 * from names. 0, or -ENOSPC when the result does not fit (or is empty).
 */
int due_date_format(time_t t, const char *format, const struct date_names *names, char *out,
		    size_t size);

/*
 * What a patron is shown for a due date: the ILS's text when there is one
 * (formatted when it parses, else as sent), or wall_ms (0: none, "").
 */
void due_date_show(const char *ils_text, int64_t wall_ms, const char *format,
		   const struct date_names *names, char *out, size_t size);

/* 23:59:59 local time on the day of wall_ms: when ILSs make loans due. */
int64_t due_date_end_of_day(int64_t wall_ms);

#endif
