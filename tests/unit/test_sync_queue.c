/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward's queue (firmware/sync-queue.c) on a real store: what
 * may be sent is only what a seal made durable, a put-back goes first, and
 * a piece of store work that fails takes back exactly what was not durable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../firmware/store-forward.h"
#include "../../firmware/sync-queue.h"
#include "journal_fixture.h"
#include "testlib.h"
#include "tmpdir.h"

#define T0 1764417600000LL

struct rig {
	struct tmp tmp;
	struct store *store;
	struct sync_queue *q;
	struct txn t[6];
};

static void rig_start(struct rig *r, unsigned n)
{
	char item[32];

	memset(r, 0, sizeof(*r));
	r->store = tmp_store_new(&r->tmp, "queue");
	CHECK_INT(sync_queue_new(&r->q), 0);
	for (unsigned i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "312340000000%02u", i);
		journal_record(r->store, &r->t[i], TXN_CHECKIN, TXN_OFFLINE, "", item, T0 + i);
	}
}

static void rig_stop(struct rig *r)
{
	sync_queue_free(r->q);
	store_close(r->store);
	CHECK_INT(tmp_remove(&r->tmp), 0);
}

static enum txn_state state_of(struct rig *r, unsigned i)
{
	return journal_get(r->store, r->t[i].id).state;
}

static void test_sendable_only_once_sealed(void)
{
	struct rig r;
	struct txn got;
	int64_t seq;
	const char *id;

	rig_start(&r, 5);
	CHECK(sync_queue_empty(r.q));
	sync_queue_start_run(r.q);
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 10, 1, 2), 0);
	CHECK(!sync_queue_empty(r.q));
	CHECK(!sync_queue_sendable(r.q)); /* marked, not yet durable */
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	CHECK(sync_queue_sendable(r.q));
	CHECK(sync_queue_head(r.q, &seq, &id));
	CHECK_STR(id, r.t[0].id);
	CHECK_INT(seq, r.t[0].seq);

	/* More marked while the first goes out: after it, in order. */
	sync_queue_take(r.q, &got);
	CHECK_STR(got.id, r.t[0].id);
	CHECK_STR(got.item, r.t[0].item);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_INT(got.attempts, 1);
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 20, 2, 2), 0);
	sync_queue_take(r.q, &got);
	CHECK_STR(got.id, r.t[1].id);
	CHECK(!sync_queue_sendable(r.q)); /* t[2], t[3] wait for the seal */
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	CHECK(sync_queue_sendable(r.q));

	/* One that never went out goes first again. */
	sync_queue_take(r.q, &got);
	CHECK_STR(got.id, r.t[2].id);
	CHECK(sync_queue_put_back(r.q, &got));
	CHECK(sync_queue_head(r.q, &seq, &id));
	CHECK_STR(id, r.t[2].id);
	sync_queue_take(r.q, &got);
	sync_queue_take(r.q, &got);
	CHECK_STR(got.id, r.t[3].id);
	CHECK(sync_queue_empty(r.q));

	/* The run goes on after the last one queued, to its end. */
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 30, 3, 4), 0);
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	sync_queue_take(r.q, &got);
	CHECK_STR(got.id, r.t[4].id);
	CHECK(sync_queue_empty(r.q));
	CHECK(!r.q->run_open);
	rig_stop(&r);
}

/* A piece that fails takes back the marks not sealed, in the store too. */
static void test_failed_piece_takes_back_what_was_not_durable(void)
{
	struct rig r;
	struct txn got;
	struct store_outcome *o;

	rig_start(&r, 4);
	sync_queue_start_run(r.q);
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 10, 1, 1), 0);
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	sync_queue_take(r.q, &got);
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 20, 2, 2), 0);
	CHECK_INT(state_of(&r, 1), TXN_FORWARDED);
	/* t[0]'s outcome twice: the store refuses the second, t[0] being final by then. */
	o = sync_queue_add_outcome(r.q, &got);
	store_outcome_set(o, got.id, TXN_CONFIRMED, "", "10 ok=1", "", NULL, NULL);
	o = sync_queue_add_outcome(r.q, &got);
	store_outcome_set(o, got.id, TXN_CONFIRMED, "", "10 ok=1", "", NULL, NULL);
	CHECK_INT(sync_queue_record(r.q, r.store, T0 + 30, 3), -EPERM);
	/* Nothing of the transaction is kept: t[0] forwarded again, t[1], t[2] pending. */
	CHECK_INT(state_of(&r, 0), TXN_FORWARDED);
	CHECK_INT(state_of(&r, 1), TXN_PENDING);
	CHECK_INT(state_of(&r, 2), TXN_PENDING);
	CHECK(sync_queue_empty(r.q));
	CHECK(!r.q->run_open);
	CHECK(sync_queue_outcome_room(r.q));
	/* The seal after it says so: nothing marked since the last one may go. */
	CHECK_INT(sync_queue_seal(r.q, r.store), -EPERM);
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	rig_stop(&r);
}

/* Committed after a while, not only when the queue runs out. */
static void test_work_age(void)
{
	struct rig r;

	rig_start(&r, 2);
	CHECK(!sync_queue_work_older(r.q, 5000, 1000));
	sync_queue_start_run(r.q);
	CHECK_INT(sync_queue_grow(r.q, r.store, T0 + 10, 100, 1), 0);
	CHECK(!sync_queue_work_older(r.q, 1099, 1000));
	CHECK(sync_queue_work_older(r.q, 1100, 1000));
	CHECK_INT(sync_queue_seal(r.q, r.store), 0);
	CHECK(!sync_queue_work_older(r.q, 5000, 1000));
	rig_stop(&r);
}

int main(void)
{
	RUN(test_sendable_only_once_sealed);
	RUN(test_failed_piece_takes_back_what_was_not_durable);
	RUN(test_work_age);
	return testlib_finish();
}
