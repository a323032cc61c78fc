/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transactions put in the journal as the kiosk records them, for the tests
 * of the store's outcomes and of store-and-forward. Failures are CHECKed
 * against the running test.
 */
#ifndef CIRCD_TEST_JOURNAL_FIXTURE_H
#define CIRCD_TEST_JOURNAL_FIXTURE_H

#include <stdint.h>

#include "../../firmware/store.h"

/*
 * A scan at wall_ms of boot "boot": a checkout or renewal for patron, due
 * 14 days later; a checkin for nobody. Offline it waits to be forwarded
 * (pending); online it is recorded forwarded, as the kiosk does before it
 * sends. *t is the transaction as recorded, with its new id.
 */
void journal_record(struct store *store, struct txn *t, enum txn_kind kind, enum txn_mode mode,
		    const char *patron, const char *item, int64_t wall_ms);

/* The journal's transaction id as it is now. */
struct txn journal_get(struct store *store, const char *id);

#endif
