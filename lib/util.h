/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small things every part of circd needs once: array sizes, time spans in
 * milliseconds, hex digits. Header only, nothing to free.
 */
#ifndef CIRCD_UTIL_H
#define CIRCD_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* The value of one hex digit (either case), or -1. */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
