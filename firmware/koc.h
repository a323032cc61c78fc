/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Koha offline circulation (.koc) file lines, for staff to upload by hand
 * (Circulation > Upload offline circulation file) when SIP2 itself is
 * broken. Format 1.0, as Koha's offline_circ/process_koc.pl and
 * enqueue_koc.pl read it: a header of tab-separated key=value pairs, then
 * one tab-separated line per action, its first column "date time id":
 *
 *   Version=1.0<TAB>Generator=circd<TAB>GeneratorVersion=0.1
 *   2024-03-05 14:07:09 042<TAB>issue<TAB>CARDNUMBER<TAB>BARCODE
 *   2024-03-05 14:09:00 500<TAB>return<TAB>BARCODE
 *
 * The time is local (Koha takes it as the library's own) with the
 * milliseconds as the id; lines end in "\n" (Koha chomps and drops "\r").
 * A renewal is an issue: Koha renews an item issued to the same card.
 *
 * Pure formatters: out is the caller's buffer. Each returns the length
 * written (without the NUL), -ENOBUFS when out is too small (out is then
 * ""), -EINVAL for what a .koc line cannot carry.
 */
#ifndef CIRCD_KOC_H
#define CIRCD_KOC_H

#include <stddef.h>

#include "store.h"

#define KOC_GENERATOR "circd"
/* Enough for any line koc_line() accepts, NUL included. */
#define KOC_LINE_MAX (24 + 8 + PATRON_ID_MAX + 1 + SCAN_TEXT_MAX + 2)

int koc_header(char *out, size_t size);

/*
 * The line of t from its kind, patron, item and wall_ms (whatever its
 * date_status: the caller decides what an unknown date is worth). -EINVAL:
 * an unknown kind, an issue without a patron (purged, or never had one),
 * an empty item, a tab, newline or other control character in a field, or
 * a date outside years 0000-9999.
 */
int koc_line(const struct txn *t, char *out, size_t size);

#endif
