/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward against the fake ILS on a fake clock: the order things
 * go out in, and every exactly-once path -- a reply lost, circd dead after
 * marking, a verification that says applied or not applied, or nothing --
 * with the fake counting how often the ILS applied each transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/loop.h"
#include "../../firmware/store-sent.h"
#include "../../firmware/store.h"
#include "../../firmware/sync.h"
#include "fake_ils.h"
#include "journal_fixture.h"
#include "testlib.h"
#include "tmpdir.h"

#define PATRON "21234000000018"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"
#define ITEM_3 "31234000000032"
#define T0 1764417600000LL

struct rig {
	struct tmp tmp;
	struct config cfg;
	struct loop *loop;
	struct store *store;
	struct fake_ils *fake;
	struct sync *sync;
};

static void on_link(void *data, bool up, const char *why)
{
	struct rig *r = data;

	(void)why;
	if (up && r->sync)
		sync_kick(r->sync);
}

static const struct ils_events link_events = { .link = on_link };

static void rig_start(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	tmp_new(&r->tmp, "syncfake");
	config_default(&r->cfg);
	r->cfg.retention_hours = 1; /* keep patron ids: the tests read them back */
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	CHECK_INT(store_open(r->tmp.db, &r->store), 0);
	CHECK_INT(fake_ils_new(r->loop, &link_events, r, &r->fake), 0);
	CHECK_INT(sync_new(r->loop, r->store, fake_ils_ils(r->fake), &r->cfg, &r->sync), 0);
}

/* circd stops: the engine and the ILS link go, the store and the ILS's records stay. */
static void restart(struct rig *r)
{
	sync_free(r->sync);
	CHECK_INT(sync_new(r->loop, r->store, fake_ils_ils(r->fake), &r->cfg, &r->sync), 0);
}

static void rig_stop(struct rig *r)
{
	sync_free(r->sync);
	ils_free(fake_ils_ils(r->fake));
	store_close(r->store);
	loop_free(r->loop);
	CHECK_INT(tmp_remove(&r->tmp), 0);
}

/* Runs what is due now, a few loop turns over. */
static void pump(struct rig *r)
{
	for (int i = 0; i < 20; i++)
		loop_advance(r->loop, 0);
}

static void record(struct rig *r, struct txn *t, enum txn_kind kind, enum txn_mode mode,
		   const char *item)
{
	journal_record(r->store, t, kind, mode, PATRON, item, T0);
}

static struct txn got(struct rig *r, const char *id)
{
	return journal_get(r->store, id);
}

static void test_forwards_oldest_first_with_no_block(void)
{
	struct rig r;
	struct txn a, b, c;

	rig_start(&r);
	record(&r, &a, TXN_CHECKOUT, TXN_OFFLINE, ITEM_1);
	record(&r, &b, TXN_CHECKIN, TXN_OFFLINE, ITEM_2);
	record(&r, &c, TXN_CHECKOUT, TXN_OFFLINE, ITEM_3);
	pump(&r);
	CHECK_INT(fake_ils_n_requests(r.fake), 0); /* the link is down: nothing goes */
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(fake_ils_n_requests(r.fake), 3);
	CHECK_STR(fake_ils_request(r.fake, 0)->item, ITEM_1);
	CHECK_STR(fake_ils_request(r.fake, 1)->item, ITEM_2);
	CHECK_STR(fake_ils_request(r.fake, 2)->item, ITEM_3);
	for (unsigned i = 0; i < 3; i++) {
		const struct fake_req *q = fake_ils_request(r.fake, i);

		CHECK(q->no_block);
		CHECK_INT(q->lane, ILS_LANE_BACKGROUND);
		CHECK_INT(q->wall_ms, T0); /* the original date */
	}
	CHECK_INT(fake_ils_request(r.fake, 0)->no_block_due_ms, a.due_ms);
	CHECK_INT(got(&r, a.id).state, TXN_CONFIRMED);
	CHECK_STR(got(&r, a.id).evidence, "12 ok=1");
	CHECK_INT(got(&r, b.id).state, TXN_CONFIRMED);
	CHECK_INT(got(&r, c.id).state, TXN_CONFIRMED);
	rig_stop(&r);
}

static void test_refusal_is_a_conflict_and_the_queue_moves_on(void)
{
	struct rig r;
	struct txn a, b;

	rig_start(&r);
	record(&r, &a, TXN_CHECKOUT, TXN_OFFLINE, ITEM_1);
	record(&r, &b, TXN_CHECKOUT, TXN_OFFLINE, ITEM_2);
	fake_ils_script(r.fake, &(struct fake_step){ .refuse = true,
						     .screen = "Item is checked out to another patron" });
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_CONFLICT);
	CHECK_STR(got(&r, a.id).evidence, "12 ok=0");
	CHECK_STR(got(&r, a.id).result, "Item is checked out to another patron");
	CHECK_INT(got(&r, b.id).state, TXN_CONFIRMED);
	rig_stop(&r);
}

/* The ILS applied it, the reply was lost: asked, found applied, never sent twice. */
static void test_reply_lost_applied(void)
{
	struct rig r;
	struct txn a;

	rig_start(&r);
	record(&r, &a, TXN_CHECKOUT, TXN_OFFLINE, ITEM_1);
	fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_LOSE, .apply_anyway = true });
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_FORWARDED);
	loop_advance(r.loop, 5000); /* the reply is given up on */
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_CONFIRMED);
	CHECK_STR(got(&r, a.id).evidence, "reply lost; fake says charged");
	CHECK_INT(got(&r, a.id).verifications, 1);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED_TO, ITEM_1), 1);
	CHECK_INT(fake_ils_applied(r.fake, FAKE_CHECKOUT, ITEM_1), 1);
	rig_stop(&r);
}

/* Not applied: asked, found not applied, sent once more, applied once in all. */
static void test_reply_lost_not_applied(void)
{
	struct rig r;
	struct txn a;

	rig_start(&r);
	record(&r, &a, TXN_CHECKIN, TXN_OFFLINE, ITEM_1);
	fake_ils_charge(r.fake, ITEM_1, PATRON);
	fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_GARBLE });
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_FORWARDED);
	loop_advance(r.loop, 5000); /* retried at the engine's pace */
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_CONFIRMED);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED, ITEM_1), 1);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKIN, ITEM_1), 2);
	CHECK_INT(fake_ils_applied(r.fake, FAKE_CHECKIN, ITEM_1), 1);
	CHECK_STR(fake_ils_charged_to(r.fake, ITEM_1), "");
	rig_stop(&r);
}

/* circd died between marking and the answer: after a restart it asks, never just resends. */
static void test_died_after_marking(void)
{
	struct rig r;
	struct txn applied, not_applied;

	rig_start(&r);
	record(&r, &applied, TXN_CHECKOUT, TXN_OFFLINE, ITEM_1);
	record(&r, &not_applied, TXN_CHECKOUT, TXN_OFFLINE, ITEM_2);
	CHECK_INT(store_mark_forwarded(r.store, applied.id, T0 + 1), 0);
	CHECK_INT(store_mark_forwarded(r.store, not_applied.id, T0 + 1), 0);
	fake_ils_charge(r.fake, ITEM_1, PATRON); /* the first one reached the ILS */
	restart(&r);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, applied.id).state, TXN_CONFIRMED);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKOUT, ITEM_1), 0);
	CHECK_INT(got(&r, not_applied.id).state, TXN_CONFIRMED);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED_TO, ITEM_2), 1);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKOUT, ITEM_2), 1);
	rig_stop(&r);
}

/*
 * An online checkout whose patron was told it did not go through: applied
 * at the ILS after all is a conflict saying so; not applied simply failed.
 */
static void test_online_unfinished(void)
{
	struct rig r;
	struct txn applied, not_applied;

	rig_start(&r);
	record(&r, &applied, TXN_CHECKOUT, TXN_ONLINE, ITEM_1);
	record(&r, &not_applied, TXN_CHECKOUT, TXN_ONLINE, ITEM_2);
	CHECK_INT(store_note_patron_told(r.store, applied.id, TXN_TOLD_NOT_DONE), 0);
	fake_ils_charge(r.fake, ITEM_1, PATRON);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, applied.id).state, TXN_CONFLICT);
	CHECK(strstr(got(&r, applied.id).result, "told it had not gone through") != NULL);
	CHECK_INT(got(&r, not_applied.id).state, TXN_FAILED);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKOUT, NULL), 0);
	rig_stop(&r);
}

/* A renewal whose reply was lost is never asked about by renewing again: staff decide. */
static void test_renewal_never_repeated(void)
{
	struct rig r;
	struct txn t;

	rig_start(&r);
	record(&r, &t, TXN_RENEW, TXN_ONLINE, ITEM_1);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, t.id).state, TXN_CONFLICT);
	CHECK(strstr(got(&r, t.id).result, "renewal whose reply was lost") != NULL);
	CHECK_INT(fake_ils_n_requests(r.fake), 0);
	rig_stop(&r);
}

/* Verifications that settle nothing are counted; the fifth time, staff decide. */
static void test_unsettled_verification_goes_to_staff(void)
{
	struct rig r;
	struct txn t;

	rig_start(&r);
	record(&r, &t, TXN_CHECKOUT, TXN_OFFLINE, ITEM_1);
	CHECK_INT(store_mark_forwarded(r.store, t.id, T0 + 1), 0);
	for (int i = 0; i < 5; i++)
		fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_UNSETTLED });
	fake_ils_set_up(r.fake, true);
	for (int i = 0; i < 6; i++) {
		pump(&r);
		loop_advance(r.loop, 5000);
	}
	pump(&r);
	CHECK_INT(got(&r, t.id).state, TXN_CONFLICT);
	CHECK_INT(got(&r, t.id).verifications, 5);
	CHECK(strstr(got(&r, t.id).result, "last: fake says nothing certain") != NULL);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED_TO, ITEM_1), 5);
	CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKOUT, ITEM_1), 0);
	rig_stop(&r);
}

/* The link drops before a send went out: the same transaction goes first when it is back. */
static void test_link_down_then_back(void)
{
	struct rig r;
	struct txn a, b;

	rig_start(&r);
	record(&r, &a, TXN_CHECKIN, TXN_OFFLINE, ITEM_1);
	record(&r, &b, TXN_CHECKIN, TXN_OFFLINE, ITEM_2);
	fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_HANG });
	fake_ils_set_up(r.fake, true);
	pump(&r);
	fake_ils_set_up(r.fake, false); /* in flight: outcome unknown */
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_FORWARDED);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	CHECK_INT(got(&r, a.id).state, TXN_CONFIRMED);
	CHECK_INT(got(&r, b.id).state, TXN_CONFIRMED);
	/* Asked before anything was sent again. */
	CHECK_INT(fake_ils_request(r.fake, 1)->kind, FAKE_CHARGED);
	CHECK_STR(fake_ils_request(r.fake, 1)->item, ITEM_1);
	rig_stop(&r);
}

/*
 * n offline returns of items first + i, charged to PATRON at the ILS or
 * not, marked forwarded in one commit, as forwarding does before it sends
 * them.
 */
static void returns_marked(struct rig *r, struct txn *t, unsigned n, unsigned first,
			   bool charged)
{
	struct txn marked;
	int64_t after = INT64_MIN;
	char item[32];

	for (unsigned i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "312340000%05u", first + i);
		record(r, &t[i], TXN_CHECKIN, TXN_OFFLINE, item);
		if (charged)
			fake_ils_charge(r->fake, item, PATRON);
	}
	for (unsigned i = 0; i < n; i++) {
		CHECK_INT(store_fwd_mark_next(r->store, after, T0 + 1, &marked), 1);
		after = marked.seq;
	}
	CHECK_INT(store_fwd_commit(r->store), 0);
}

/*
 * Several forwarded, their outcomes lost (recorded lazily, and the power
 * went): after a restart each one is verified first; what was applied is
 * never sent again, the rest once.
 */
static void test_died_with_outcomes_lost(void)
{
	struct rig r;
	struct txn t[4];

	rig_start(&r);
	returns_marked(&r, t, 4, 0, true);
	/* The first two went out (logged as sent) and were applied; their answers are lost. */
	for (int i = 0; i < 2; i++) {
		CHECK_INT(store_note_sent(r.store, t[i].id), 0);
		fake_ils_charge(r.fake, t[i].item, "");
	}
	restart(&r);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(got(&r, t[i].id).state, TXN_CONFIRMED);
		CHECK_INT(got(&r, t[i].id).verifications, 1);
		CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED, t[i].item), 1);
		CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKIN, t[i].item), i < 2 ? 0 : 1);
		CHECK_STR(fake_ils_charged_to(r.fake, t[i].item), "");
	}
	rig_stop(&r);
}

/*
 * Returns of items the ILS does not have charged (hold shelf, transit),
 * marked with their batch when circd died: a 17 cannot tell which went out.
 * The one logged as sent is taken as applied; the others are sent, once.
 */
static void test_died_with_uncharged_returns_marked(void)
{
	struct rig r;
	struct txn t[3];

	rig_start(&r);
	returns_marked(&r, t, 3, 10000, false);
	CHECK_INT(store_note_sent(r.store, t[0].id), 0); /* went out; its answer was lost */
	restart(&r);
	fake_ils_set_up(r.fake, true);
	pump(&r);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(got(&r, t[i].id).state, TXN_CONFIRMED);
		CHECK_INT(fake_ils_count(r.fake, FAKE_CHARGED, t[i].item), 1);
		CHECK_INT(fake_ils_count(r.fake, FAKE_CHECKIN, t[i].item), i == 0 ? 0 : 1);
	}
	CHECK(strstr(got(&r, t[0].id).evidence, "reply lost") != NULL);
	CHECK(strstr(got(&r, t[1].id).evidence, "ok=1") != NULL);
	/* The outbox is empty: the log of returns sent has nothing left to answer. */
	CHECK_INT(store_sent_status(r.store, t[0].id), STORE_SENT_NO);
	rig_stop(&r);
}

/*
 * A long queue, each outcome recorded with the next one's mark: all go out
 * once, in order, and end confirmed.
 */
static void test_long_queue_in_order_once(void)
{
	enum { N = 150 };
	struct rig r;
	static struct txn t[N];
	char item[32];

	rig_start(&r);
	for (int i = 0; i < N; i++) {
		snprintf(item, sizeof(item), "3123400000%04d", i);
		record(&r, &t[i], TXN_CHECKIN, TXN_OFFLINE, item);
	}
	fake_ils_set_up(r.fake, true);
	for (int i = 0; i < N; i++)
		pump(&r);
	/* The fake keeps the first FAKE_LOG_MAX requests; the journal has the rest. */
	CHECK_INT(fake_ils_n_requests(r.fake), FAKE_LOG_MAX);
	for (int i = 0; i < FAKE_LOG_MAX; i++)
		CHECK_STR(fake_ils_request(r.fake, (unsigned)i)->item, t[i].item);
	for (int i = 0; i < N; i++) {
		CHECK_INT(got(&r, t[i].id).state, TXN_CONFIRMED);
		CHECK_INT(got(&r, t[i].id).attempts, 1); /* sent once */
		CHECK_INT(got(&r, t[i].id).verifications, 0);
		CHECK(i == 0 || got(&r, t[i].id).confirmed_ms >= got(&r, t[i - 1].id).confirmed_ms);
	}
	rig_stop(&r);
}

/*
 * A checkout's reply lost in the middle of the queue, and a return of the
 * same item after it: the checkout is verified before the return goes (sent
 * first, the return would make the applied checkout look unapplied, and it
 * would be sent again: the item charged to the patron after all).
 */
static void test_lost_reply_settled_before_the_next(void)
{
	static const struct {
		enum txn_kind kind;
		const char *item;
	} queue[] = { { TXN_CHECKIN, ITEM_2 }, { TXN_CHECKOUT, ITEM_1 }, { TXN_CHECKIN, ITEM_1 } };
	struct txn t[3], *b = &t[1], *c = &t[2];
	struct rig r;

	rig_start(&r);
	for (unsigned i = 0; i < ARRAY_SIZE(queue); i++)
		record(&r, &t[i], queue[i].kind, TXN_OFFLINE, queue[i].item);
	fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_ANSWER });
	fake_ils_script(r.fake, &(struct fake_step){ .fate = FAKE_LOSE, .apply_anyway = true });
	fake_ils_set_up(r.fake, true);
	pump(&r);
	loop_advance(r.loop, 5000); /* the reply is given up on */
	for (int i = 0; i < 4; i++)
		pump(&r);
	CHECK_INT(got(&r, b->id).state, TXN_CONFIRMED);
	CHECK_STR(got(&r, b->id).evidence, "reply lost; fake says charged");
	CHECK_INT(got(&r, c->id).state, TXN_CONFIRMED);
	CHECK_INT(fake_ils_applied(r.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK_INT(fake_ils_applied(r.fake, FAKE_CHECKIN, ITEM_1), 1);
	CHECK_STR(fake_ils_charged_to(r.fake, ITEM_1), "");
	rig_stop(&r);
}

/*
 * Scans recorded while the queue is forwarded (each commits forwarding's
 * open transaction first) and a link that drops in the middle: each
 * transaction is still applied once, in order.
 */
static void test_scans_while_forwarding(void)
{
	enum { N = 40, MORE = 8 };
	struct rig r;
	static struct txn t[N + MORE];
	const struct fake_step slow = { .fate = FAKE_ANSWER, .delay_ms = 1 };
	char item[32];
	int more = 0;

	rig_start(&r);
	for (int i = 0; i < N; i++) {
		snprintf(item, sizeof(item), "3123400001%04d", i);
		record(&r, &t[i], TXN_CHECKIN, TXN_OFFLINE, item);
	}
	/* Answered a millisecond later each: the scans come between the answers. */
	for (int i = 0; i < FAKE_STEPS_MAX; i++)
		fake_ils_script(r.fake, &slow);
	fake_ils_set_up(r.fake, true);
	for (int turn = 0; more < MORE; turn++) {
		loop_advance(r.loop, 1);
		/* Forwarding's transaction is open: each scan commits it first. */
		if (turn < 8)
			CHECK(got(&r, t[N - 1].id).state != TXN_CONFIRMED);
		if (turn % 2 == 1) {
			snprintf(item, sizeof(item), "3123400001%04d", N + more);
			record(&r, &t[N + more], TXN_CHECKIN, TXN_OFFLINE, item);
			more++;
			sync_kick(r.sync);
		}
		if (turn == 9) {
			fake_ils_set_up(r.fake, false);
			fake_ils_set_up(r.fake, true);
		}
	}
	for (int i = 0; i < 4 * (N + MORE); i++)
		pump(&r);
	for (int i = 0; i < N + MORE; i++) {
		CHECK_INT(got(&r, t[i].id).state, TXN_CONFIRMED);
		CHECK_INT(fake_ils_applied(r.fake, FAKE_CHECKIN, t[i].item), 1);
		CHECK_INT(got(&r, t[i].id).attempts, 1);
		CHECK(i == 0 || got(&r, t[i].id).confirmed_ms >= got(&r, t[i - 1].id).confirmed_ms);
	}
	rig_stop(&r);
}

int main(void)
{
	RUN(test_forwards_oldest_first_with_no_block);
	RUN(test_refusal_is_a_conflict_and_the_queue_moves_on);
	RUN(test_reply_lost_applied);
	RUN(test_reply_lost_not_applied);
	RUN(test_died_after_marking);
	RUN(test_online_unfinished);
	RUN(test_renewal_never_repeated);
	RUN(test_unsettled_verification_goes_to_staff);
	RUN(test_link_down_then_back);
	RUN(test_died_with_outcomes_lost);
	RUN(test_died_with_uncharged_returns_marked);
	RUN(test_long_queue_in_order_once);
	RUN(test_lost_reply_settled_before_the_next);
	RUN(test_scans_while_forwarding);
	return testlib_finish();
}
