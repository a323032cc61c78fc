/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward's bookkeeping (for sync.c): the queue of transactions
 * this process marked forwarded and never sent, and the outcomes it knows
 * and the store does not yet. All its store work is a piece of forwarding's
 * own transaction (store_fwd_*(), store-forward.h), done while the ILS
 * works on a request; sync_queue_seal() makes it durable.
 *
 * The queue holds a run: consecutive unfinished transactions, oldest
 * first, each a plain first send, marked one after the other. Only its
 * durable part (marked before the last seal that succeeded) may be sent.
 *
 * Ownership: sync_queue_new() allocates, sync_queue_free() frees (NULL is
 * fine). The store is the caller's, passed to each call that uses it.
 */
#ifndef CIRCD_SYNC_QUEUE_H
#define CIRCD_SYNC_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* Queued at most: one durable commit makes this many sendable. */
#define SYNC_QUEUE_MAX 256
/* Outcomes held at most before they go to the store. */
#define SYNC_OUTCOMES_MAX 16

/* Whose outcome it is: what its log line names. */
struct sync_outcome_of {
	enum txn_kind kind;
	enum txn_mode mode;
	int64_t seq;
	char item[SCAN_TEXT_MAX + 1];
};

struct sync_queued; /* what sending one takes, kept in sync-queue.c */

struct sync_queue {
	struct sync_queued *q; /* q[next..len), oldest first; durably marked: q[next..durable) */
	unsigned next, durable, len;
	bool run_open;    /* the run may grow after run_last, the seq queued last */
	int64_t run_last;
	uint64_t work_since_ms; /* forwarding's transaction holds work since (monotonic); 0: none */
	struct store_outcome *outcomes; /* known, not yet in the store */
	struct sync_outcome_of *outcome_of; /* outcomes[i]'s txn */
	unsigned n_outcomes, n_logged;      /* outcomes[n_logged..n_outcomes) not logged yet */
};

int sync_queue_new(struct sync_queue **ret);
void sync_queue_free(struct sync_queue *q);
/* Forgets the queue and the outcomes held (another store's: verified there). */
void sync_queue_reset(struct sync_queue *q);

static inline bool sync_queue_sendable(const struct sync_queue *q)
{
	return q->next < q->durable;
}

static inline bool sync_queue_empty(const struct sync_queue *q)
{
	return q->next == q->len;
}

/* The head's seq and id, or false when empty. */
bool sync_queue_head(const struct sync_queue *q, int64_t *seq, const char **id);
/* The head (sendable) into *ret as forwarding sends it, off the queue. */
void sync_queue_take(struct sync_queue *q, struct txn *ret);
/*
 * Back in front: t, durably marked, never went out. false when there is no
 * room (only after sends of the caller's own): it is verified before it goes.
 */
bool sync_queue_put_back(struct sync_queue *q, const struct txn *t);
/* Drops the queue: what it held stays forwarded in the store, verified before it goes. */
void sync_queue_drop(struct sync_queue *q);

/* A new run from the head of the store's queue (only when this one is empty). */
void sync_queue_start_run(struct sync_queue *q);
/*
 * Up to n more of the run marked and queued, in forwarding's transaction.
 * 0 (also when the run ends) or -errno: the transaction was undone, and
 * with it what was queued since the last seal.
 */
int sync_queue_grow(struct sync_queue *q, struct store *store, int64_t now_ms,
		    uint64_t mono_ms, unsigned n);

/* Room for another outcome: false once SYNC_OUTCOMES_MAX are held (record them first). */
bool sync_queue_outcome_room(const struct sync_queue *q);
/* The slot for t's outcome (fill it with store_outcome_set()). */
struct store_outcome *sync_queue_add_outcome(struct sync_queue *q, const struct txn *t);
/*
 * The outcomes held go into forwarding's transaction; then they are the
 * store's (one lost with the transaction leaves its txn forwarded, which
 * is verified, never resent). Log them first (n_logged). 0 or -errno, as
 * sync_queue_grow().
 */
int sync_queue_record(struct sync_queue *q, struct store *store, int64_t now_ms,
		      uint64_t mono_ms);
/*
 * One durable commit: everything queued may be sent. -errno: what was not
 * durable is dropped (pending again in the store).
 */
int sync_queue_seal(struct sync_queue *q, struct store *store);
/* Whether forwarding's transaction has held work for ms or longer. */
bool sync_queue_work_older(const struct sync_queue *q, uint64_t mono_ms, uint64_t ms);

#endif
