/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Store-and-forward's queue and the outcomes it holds (see sync-queue.h). */
#include "sync-queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sync_queued {
	int64_t seq, wall_ms, due_ms;
	enum txn_kind kind;
	enum txn_mode mode;
	unsigned attempts;
	char id[TXN_ID_LEN + 1];
	char patron[PATRON_ID_MAX + 1];
	char item[SCAN_TEXT_MAX + 1];
};

int sync_queue_new(struct sync_queue **ret)
{
	struct sync_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	/* One more than queued: room to put back one that never went out. */
	q->q = calloc(SYNC_QUEUE_MAX + 1, sizeof(*q->q));
	if (!q->q)
		goto err_queue;
	q->outcomes = calloc(SYNC_OUTCOMES_MAX, sizeof(*q->outcomes));
	if (!q->outcomes)
		goto err_q;
	q->outcome_of = calloc(SYNC_OUTCOMES_MAX, sizeof(*q->outcome_of));
	if (!q->outcome_of)
		goto err_outcomes;
	*ret = q;
	return 0;

err_outcomes:
	free(q->outcomes);
err_q:
	free(q->q);
err_queue:
	free(q);
	return -ENOMEM;
}

void sync_queue_free(struct sync_queue *q)
{
	if (!q)
		return;
	free(q->outcome_of);
	free(q->outcomes);
	free(q->q);
	free(q);
}

void sync_queue_drop(struct sync_queue *q)
{
	q->next = q->durable = q->len = 0;
}

void sync_queue_reset(struct sync_queue *q)
{
	sync_queue_drop(q);
	q->run_open = false;
	q->n_outcomes = q->n_logged = 0;
	q->work_since_ms = 0;
}

bool sync_queue_head(const struct sync_queue *q, int64_t *seq, const char **id)
{
	if (sync_queue_empty(q))
		return false;
	*seq = q->q[q->next].seq;
	*id = q->q[q->next].id;
	return true;
}

/* The plain fields a queued txn keeps of its struct txn (its strings are copied apart). */
#define QUEUED_FIELDS(X) X(seq) X(wall_ms) X(due_ms) X(kind) X(mode) X(attempts)
#define FIELD_TO_TXN(f) ret->f = e->f;
#define FIELD_FROM_TXN(f) e->f = t->f;

void sync_queue_take(struct sync_queue *q, struct txn *ret)
{
	const struct sync_queued *e = &q->q[q->next++];

	memset(ret, 0, sizeof(*ret));
	QUEUED_FIELDS(FIELD_TO_TXN)
	ret->state = TXN_FORWARDED;
	memcpy(ret->id, e->id, sizeof(ret->id));
	memcpy(ret->patron, e->patron, sizeof(ret->patron));
	memcpy(ret->item, e->item, sizeof(ret->item));
	if (q->next == q->len)
		sync_queue_drop(q);
}

static void queued_set(struct sync_queued *e, const struct txn *t)
{
	QUEUED_FIELDS(FIELD_FROM_TXN)
	memcpy(e->id, t->id, sizeof(e->id));
	memcpy(e->patron, t->patron, sizeof(e->patron));
	memcpy(e->item, t->item, sizeof(e->item));
}

bool sync_queue_put_back(struct sync_queue *q, const struct txn *t)
{
	if (q->next == 0 && q->len > SYNC_QUEUE_MAX)
		return false;
	if (q->next == 0) {
		memmove(&q->q[1], &q->q[0], q->len * sizeof(*q->q));
		q->len++;
		q->durable++;
		q->next = 1;
	}
	queued_set(&q->q[--q->next], t);
	return true;
}

void sync_queue_start_run(struct sync_queue *q)
{
	q->run_open = true;
	q->run_last = INT64_MIN;
}

/* Undone in the store: what was queued since the last seal is pending there again. */
static int undone(struct sync_queue *q, int r)
{
	q->len = q->durable;
	q->run_open = false;
	q->work_since_ms = 0;
	return r;
}

static void work_held(struct sync_queue *q, uint64_t mono_ms)
{
	if (!q->work_since_ms)
		q->work_since_ms = mono_ms ? mono_ms : 1;
}

int sync_queue_grow(struct sync_queue *q, struct store *store, int64_t now_ms,
		    uint64_t mono_ms, unsigned n)
{
	struct txn t;
	int r;

	if (q->len >= SYNC_QUEUE_MAX && q->next > 0) {
		memmove(q->q, q->q + q->next, (q->len - q->next) * sizeof(*q->q));
		q->len -= q->next;
		q->durable -= q->next;
		q->next = 0;
	}
	for (; n && q->run_open && q->len < SYNC_QUEUE_MAX; n--) {
		r = store_fwd_mark_next(store, q->run_last, now_ms, &t);
		if (r < 0)
			return undone(q, r);
		if (r == 0) {
			q->run_open = false;
			break;
		}
		work_held(q, mono_ms);
		queued_set(&q->q[q->len++], &t);
		q->run_last = t.seq;
	}
	return 0;
}

bool sync_queue_outcome_room(const struct sync_queue *q)
{
	return q->n_outcomes < SYNC_OUTCOMES_MAX;
}

struct store_outcome *sync_queue_add_outcome(struct sync_queue *q, const struct txn *t)
{
	struct sync_outcome_of *of = &q->outcome_of[q->n_outcomes];

	of->kind = t->kind;
	of->mode = t->mode;
	of->seq = t->seq;
	memcpy(of->item, t->item, sizeof(of->item));
	return &q->outcomes[q->n_outcomes++];
}

int sync_queue_record(struct sync_queue *q, struct store *store, int64_t now_ms,
		      uint64_t mono_ms)
{
	int r = 0;

	for (unsigned i = 0; i < q->n_outcomes && r >= 0; i++)
		r = store_fwd_record(store, &q->outcomes[i], now_ms);
	if (q->n_outcomes)
		work_held(q, mono_ms);
	q->n_outcomes = q->n_logged = 0;
	return r < 0 ? undone(q, r) : 0;
}

int sync_queue_seal(struct sync_queue *q, struct store *store)
{
	int r = store_fwd_commit(store);

	if (r < 0)
		return undone(q, r);
	q->durable = q->len;
	q->work_since_ms = 0;
	return 0;
}

bool sync_queue_work_older(const struct sync_queue *q, uint64_t mono_ms, uint64_t ms)
{
	return q->work_since_ms && mono_ms - q->work_since_ms >= ms;
}
