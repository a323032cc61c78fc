/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "koc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "version.h"

/* Writes what fmt makes into out, or nothing and -ENOBUFS. */
static int put(char *out, size_t size, int n)
{
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size) {
		if (size)
			out[0] = '\0';
		return -ENOBUFS;
	}
	return n;
}

int koc_header(char *out, size_t size)
{
	if (!out && size)
		return -EINVAL;
	return put(out, size,
		   snprintf(out, size, "Version=1.0\tGenerator=%s\tGeneratorVersion=%s\n",
			    KOC_GENERATOR, CIRCD_VERSION));
}

/* A field is one column: a tab or line break in it would shift or split the line. */
static bool field_ok(const char *s, size_t max)
{
	size_t len = strnlen(s, max);

	if (len == 0 || len == max)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int koc_line(const struct txn *t, char *out, size_t size)
{
	struct tm tm;
	time_t secs;
	int64_t ms;
	char when[96]; /* room for any int, though the year is checked */

	if (!t || (!out && size))
		return -EINVAL;
	if (!field_ok(t->item, sizeof(t->item)))
		return -EINVAL;
	/* Floor division: a time before the epoch still has milliseconds 0-999. */
	ms = t->wall_ms % 1000;
	secs = (time_t)(t->wall_ms / 1000);
	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	if (!localtime_r(&secs, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return -EINVAL;
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d %03d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);

	switch (t->kind) {
	case TXN_CHECKOUT:
	case TXN_RENEW:
		if (!field_ok(t->patron, sizeof(t->patron)))
			return -EINVAL;
		return put(out, size,
			   snprintf(out, size, "%s\tissue\t%s\t%s\n", when, t->patron, t->item));
	case TXN_CHECKIN:
		return put(out, size, snprintf(out, size, "%s\treturn\t%s\n", when, t->item));
	}
	return -EINVAL;
}
