/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward: sends the journal's pending transactions to the ILS,
 * oldest first, one at a time, on the background lane of the ILS link,
 * with no staff action needed.
 *
 * Exactly once: a transaction is marked forwarded (durably, with the outcome
 * of the one before) right before it is sent, never further ahead.
 * One found forwarded later -- its reply was lost, or circd died --
 * is never simply sent again: the ILS is asked first (is the item charged
 * to the patron, for a checkout; still charged, for a checkin) and the answer is recorded as
 * evidence. A transaction whose verification never settles goes to staff
 * after a bounded number of tries, counted in the store, and the queue
 * moves on.
 * A renewal whose reply was lost cannot be checked without risking a second
 * one, so it goes to staff instead.
 *
 * Never trusting "no block": every reply is read; a refusal becomes a
 * conflict with the ILS's message and a category, and the queue moves on.
 *
 * Ownership: the caller owns loop, store, client and config, which must
 * outlive the engine; sync_free() accepts NULL.
 */
#ifndef CIRCD_SYNC_H
#define CIRCD_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

struct loop;
struct ils;
struct sync;

struct sync_stats {
	uint64_t confirmed; /* since start */
	uint64_t conflicts;
	uint64_t failed;
	bool busy;
	char last_error[160];
	uint64_t ils_messages; /* accepted with a screen message (AF) since start */
	char last_ils_message[TXN_ILS_TEXT_MAX + 64]; /* "checkout of item X: <AF>" */
};

int sync_new(struct loop *loop, struct store *store, struct ils *ils,
	     const struct config *cfg, struct sync **ret);
void sync_free(struct sync *sync);

/* Something may be waiting: the link came up, a transaction was recorded. */
void sync_kick(struct sync *sync);
void sync_set_store(struct sync *sync, struct store *store);
void sync_set_config(struct sync *sync, const struct config *cfg);
void sync_get_stats(const struct sync *sync, struct sync_stats *stats);
/*
 * Right before a checkin is handed to the ILS, by either lane: logs it as
 * sent (store-sent.h), which a verification after a crash asks; a failure
 * is logged, once per cause.
 */
void sync_note_sent(struct store *store, const struct txn *txn);

/* Pure: which conflict an ILS refusal is, from its screen message. */
enum conflict_category sync_classify_refusal(const char *screen_message);

#endif
