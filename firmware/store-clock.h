/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clock trust (store-clock.c): boards without an RTC may boot with a wrong
 * clock. The ILS's time is kept as a reference per boot, and untrusted
 * stamps of that boot are corrected from monotonic offsets, keeping the
 * original; those nothing can establish are flagged.
 *
 * Ownership as store.h: the caller owns every struct; strings are copied.
 */
/* Outside the guard: store.h includes this one at its end, after its own types. */
#include "store.h"

#ifndef CIRCD_STORE_CLOCK_H
#define CIRCD_STORE_CLOCK_H

/* A trusted (CLOCK_MONOTONIC, wall) pair for a boot, e.g. the ILS's date in its 98 reply. */
struct store_clock_ref {
	char boot_id[TXN_ID_LEN + 1];
	uint64_t mono_ms;
	int64_t wall_ms;
	char source[64];
	int64_t recorded_ms;
};

/* Inserts or replaces the reference of boot_id. */
int store_clock_ref_set(struct store *store, const char *boot_id, uint64_t mono_ms,
			int64_t wall_ms, const char *source, int64_t now_ms);
/* -ENOENT when boot_id has none. */
int store_clock_ref_get(struct store *store, const char *boot_id, struct store_clock_ref *ret);

/*
 * For every txn of boot_id recorded with an untrusted clock and not yet
 * corrected: wall_ms = ref_wall_ms - (ref_mono_ms - mono_ms), the old
 * wall_ms kept as original_wall_ms, date_status corrected. *fixed (may be
 * NULL) gets the number of txns changed.
 */
int store_fix_dates(struct store *store, const char *boot_id, uint64_t ref_mono_ms,
		    int64_t ref_wall_ms, unsigned *fixed);
/* store_fix_dates() for every boot that has a clock_refs row. */
int store_fix_dates_from_refs(struct store *store, unsigned *fixed);
/*
 * Untrusted txns still undated from a boot other than current_boot_id that
 * has no clock reference can never be fixed: date_status becomes unknown.
 * Call after store_fix_dates_from_refs().
 */
int store_flag_unknown_dates(struct store *store, const char *current_boot_id,
			     unsigned *flagged);

#endif
