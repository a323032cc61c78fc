/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Due dates in the forms ILSs send in AH: SIP2's 18-character timestamp
 * (SIP2 2.00 spec, "Field formats": YYYYMMDDZZZZHHMMSS, zone blank = local),
 * ISO 8601 extended and basic forms (ISO 8601-1:2019, 5.2.2 and 5.4.2), with
 * and without a time or a zone; anything else is shown as the ILS sent it.
 * Run in two zones: UTC, and central European time (to see local time applied).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "../../firmware/ils-date.h"
#include "testlib.h"

/* Central European time as a POSIX TZ rule: no tzdata needed. */
#define BERLIN "CET-1CEST,M3.5.0,M10.5.0/3"

/* 2026-12-20 23:59:59 UTC */
#define T_UTC 1797811199

static time_t parsed(const char *text)
{
	time_t t = 0;

	CHECK_INT(due_date_parse(text, &t), 0);
	return t;
}

static void test_sip2_timestamps(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_INT(parsed("20261220    235959"), T_UTC);
	CHECK_INT(parsed("20261220   Z235959"), T_UTC);
	setenv("TZ", BERLIN, 1);
	tzset();
	/* Blank zone: the library's local time (CET, UTC+1 in December). */
	CHECK_INT(parsed("20261220    235959"), T_UTC - 3600);
	CHECK_INT(parsed("20261220   Z235959"), T_UTC);
}

static void test_iso_forms(void)
{
	setenv("TZ", BERLIN, 1);
	tzset();
	CHECK_INT(parsed("2026-12-20T23:59:59Z"), T_UTC);
	CHECK_INT(parsed("2026-12-20T23:59:59.000Z"), T_UTC);
	CHECK_INT(parsed("2026-12-21T00:59:59+01:00"), T_UTC);
	CHECK_INT(parsed("2026-12-20T18:59:59-0500"), T_UTC);
	CHECK_INT(parsed("2026-12-20 23:59:59"), T_UTC - 3600);
	CHECK_INT(parsed("2026-12-20 23:59"), T_UTC - 3600 - 59);
	CHECK_INT(parsed("20261220T235959Z"), T_UTC);
	CHECK_INT(parsed(" 2026-12-20 "), T_UTC - 3600);
	/* A date alone is due at the end of that day, local time. */
	CHECK_INT(parsed("2026-12-20"), T_UTC - 3600);
	CHECK_INT(parsed("20261220"), T_UTC - 3600);
}

static void test_not_dates(void)
{
	static const char *const bad[] = {
		"", " ", "tomorrow", "2026-13-01", "2026-02-30", "2025-02-29", "2026-12-20T25:00",
		"2026-12-20T23:59:59+15:00", "2026-12-20X", "12/20/2026", "20261220    2359",
		"2026-12-20T23:59:59ZZ", "1969-12-31", "99999999",
		"2026-12-20 23:59:59 and a very long tail that is no date at all",
	};
	time_t t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (due_date_parse(bad[i], &t) != -EINVAL) {
			fprintf(stderr, "parsed %s\n", bad[i]);
			CHECK(0);
		}
	/* 2028 is a leap year. */
	CHECK_INT(due_date_parse("2028-02-29", &t), 0);
}

static void test_shown_readably_or_as_sent(void)
{
	char out[64];

	setenv("TZ", "UTC", 1);
	tzset();
	due_date_show("20261220    235959", 0, "%a %d %b %Y", NULL, out, sizeof(out));
	CHECK_STR(out, "Sun 20 Dec 2026");
	due_date_show("2026-12-20", 0, "%Y-%m-%d", NULL, out, sizeof(out));
	CHECK_STR(out, "2026-12-20");
	/* The ILS's words, when they are not a date: as sent. */
	due_date_show("end of term", 0, "%a %d %b %Y", NULL, out, sizeof(out));
	CHECK_STR(out, "end of term");
	due_date_show(NULL, (int64_t)T_UTC * 1000, "%d.%m.%Y", NULL, out, sizeof(out));
	CHECK_STR(out, "20.12.2026");
	due_date_show("", 0, "%d.%m.%Y", NULL, out, sizeof(out));
	CHECK_STR(out, "");
	/* Too small: nothing rather than a cut date. */
	due_date_show(NULL, (int64_t)T_UTC * 1000, "%A %d %B %Y", NULL, out, 8);
	CHECK_STR(out, "");
}

/* Names in the patron's language; one with a % in it stays itself. */
static void test_names_of_a_language(void)
{
	static const struct date_names de = {
		.days_short = { "So", "Mo", "Di", "Mi", "Do", "Fr", "Sa" },
		.days = { "Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
			  "Samstag" },
		.months_short = { "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.",
				  "Sep.", "Okt.", "Nov.", "Dez." },
		.months = { "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
			    "September", "Oktober", "November", "Dezember" },
	};
	struct date_names odd = { .months_short = { [11] = "100%d" } };
	char out[64];

	setenv("TZ", "UTC", 1);
	tzset();
	due_date_show("20261220    235959", 0, "%a., %d. %b %Y", &de, out, sizeof(out));
	CHECK_STR(out, "So., 20. Dez. 2026");
	due_date_show("2026-03-02", 0, "%A, %d. %B %Y (%%a)", &de, out, sizeof(out));
	CHECK_STR(out, "Montag, 02. März 2026 (%a)");
	/* A name the language lacks: strftime's. */
	due_date_show("2026-12-20", 0, "%a %d %b", &odd, out, sizeof(out));
	CHECK_STR(out, "Sun 20 100%d");
	/* Names that do not fit: nothing rather than a cut date (an ILS's text: as sent). */
	due_date_show(NULL, (int64_t)T_UTC * 1000, "%B %B %B %B", &de, out, 16);
	CHECK_STR(out, "");
	due_date_show("2026-12-20", 0, "%B %B %B %B", &de, out, 16);
	CHECK_STR(out, "2026-12-20");
}

static void test_end_of_day_in_local_time(void)
{
	setenv("TZ", BERLIN, 1);
	tzset();
	/* 2026-12-20 09:00 UTC = 10:00 in Berlin: due 23:59:59 Berlin time. */
	CHECK_INT(due_date_end_of_day((int64_t)(T_UTC - 14 * 3600 - 59 * 60 - 59) * 1000),
		  (int64_t)(T_UTC - 3600) * 1000);
	/* Summer time: 2026-07-01 12:00 UTC -> 23:59:59 CEST = 21:59:59 UTC. */
	CHECK_INT(due_date_end_of_day(1782907200000LL), 1782943199000LL);
}

int main(void)
{
	RUN(test_sip2_timestamps);
	RUN(test_iso_forms);
	RUN(test_not_dates);
	RUN(test_shown_readably_or_as_sent);
	RUN(test_names_of_a_language);
	RUN(test_end_of_day_in_local_time);
	return testlib_finish();
}
