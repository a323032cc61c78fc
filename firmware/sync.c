/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward (see sync.h). One transaction is in hand at a time:
 *
 *   next_to_forward --pending--> mark forwarded --> send --> confirmed
 *         |                                          \--> conflict
 *         \--forwarded (outcome unknown)--> count a verification --> ask the ILS
 *                 charged / no longer charged --> confirmed (evidence)
 *                 not applied, served offline  --> mark forwarded --> send
 *                 not applied, online          --> failed
 *                 not established, too often   --> conflict for staff
 *
 * A lost reply, a dropped link or a garbled answer leaves the transaction
 * forwarded; the engine stops and starts again from the verify step when
 * the link is back. Each verification is counted durably before it starts,
 * so one that never settles (garbled or wrong answers, timeouts, a crash
 * on the reply) goes to staff after SYNC_MAX_VERIFICATIONS and the queue
 * moves on. How the ILS is asked (SIP2: 63 pages, 17) is ils-sip2.c's business.
 *
 * Throughput: nothing but the request itself stands between one answer
 * and the next request. The store's work is done while the ILS works on a
 * request, a little each round trip, in forwarding's own transaction
 * (store-forward.h): the outcome just known, and marks for the pending
 * transactions after the queue (those marked by this process, never sent).
 * When the queue's durable part has all gone out, one durable commit makes
 * the rest of it sendable: one flush for up to SYNC_QUEUE_MAX sends. Safety
 * never rests on an outcome's commit: one lost with circd leaves its
 * transaction forwarded, which is verified, not resent. Logging, too, waits
 * until the next request is out.
 *
 * After a crash, what the ILS says settles every forwarded checkout (the
 * item is charged to the patron or not), but not a return of an item the
 * ILS does not have charged (on the hold shelf, in transit): "applied" and
 * "marked with the queue, never sent" look the same. The log of returns
 * sent (store-sent.h) tells them apart after circd died, so such a return
 * goes out once (tests/e2e test_crash_before_send_loses_no_return); after
 * a power cut (no log from this boot) it is taken as applied, as before.
 */
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ils.h"
#include "log.h"
#include "loop.h"
#include "store-sent.h"
#include "sync-queue.h"
#include "util.h"

/* Past this many sends with no usable answer, staff decide. */
#define SYNC_MAX_ATTEMPTS 5
/* The same for asking whether the ILS applied one. */
#define SYNC_MAX_VERIFICATIONS 5
#define SYNC_RETRY_MS 5000
/* Marked before a run's first send; the rest while the ILS works, so the queue grows as it goes. */
#define SYNC_FIRST_MARKS 16
#define SYNC_MARKS_PER_TRIP 2
/* Forwarding's transaction holds work this long at most (ms): what a power cut may take. */
#define SYNC_COMMIT_MS 1000
struct sync {
	struct loop *loop;
	struct store *store;
	struct ils *ils;
	const struct config *cfg;
	struct loop_timer next_timer; /* runs the next step from the loop, not a callback */
	struct loop_timer purge_timer; /* hourly, only with a retention period */
	bool busy;
	unsigned depth; /* step() nesting through immediate outcomes */
	struct txn txn; /* the one in hand */
	bool txn_queued; /* txn is the queue's member last taken, sent as marked */
	struct sync_queue *queue;
	bool head_is_next; /* nothing unfinished is older than the queue's head */
	char inconclusive[96];    /* why the last verification of txn settled nothing */
	char inconclusive_of[TXN_ID_LEN + 1]; /* the txn it is about */
	struct sync_stats stats;
};

static void step(struct sync *s);

enum conflict_category sync_classify_refusal(const char *msg)
{
	static const struct {
		const char *needle;
		enum conflict_category category;
	} rules[] = {
		/* Holds first: "on hold for another patron" is not a loan. */
		{ "on hold", CONFLICT_HELD_FOR_OTHER },
		{ "reserved", CONFLICT_HELD_FOR_OTHER },
		{ "hold for", CONFLICT_HELD_FOR_OTHER },
		{ "another patron", CONFLICT_ON_LOAN_TO_OTHER },
		{ "another borrower", CONFLICT_ON_LOAN_TO_OTHER },
		{ "checked out to", CONFLICT_ON_LOAN_TO_OTHER },
		{ "charged to", CONFLICT_ON_LOAN_TO_OTHER },
		{ "already on loan", CONFLICT_ON_LOAN_TO_OTHER },
		{ "unknown item", CONFLICT_UNKNOWN_ITEM },
		{ "item not found", CONFLICT_UNKNOWN_ITEM },
		{ "invalid item", CONFLICT_UNKNOWN_ITEM },
		{ "no such item", CONFLICT_UNKNOWN_ITEM },
		{ "unknown patron", CONFLICT_UNKNOWN_PATRON },
		{ "invalid patron", CONFLICT_UNKNOWN_PATRON },
		{ "patron not found", CONFLICT_UNKNOWN_PATRON },
		{ "blocked", CONFLICT_PATRON_BLOCKED },
		{ "expired", CONFLICT_PATRON_BLOCKED },
		{ "debarred", CONFLICT_PATRON_BLOCKED },
		{ "fines", CONFLICT_PATRON_BLOCKED },
		{ "privileges", CONFLICT_PATRON_BLOCKED },
		{ "see staff", CONFLICT_PATRON_BLOCKED },
	};
	size_t i;

	if (!msg)
		return CONFLICT_OTHER;
	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (strcasestr(msg, rules[i].needle))
			return rules[i].category;
	return CONFLICT_OTHER;
}

static void purge(struct sync *s)
{
	unsigned n = 0;

	if (!s->store)
		return;
	if (store_purge(s->store, loop_wall_ms(s->loop) - s->cfg->retention_hours * HOUR_MS, &n) < 0)
		log_warning("store: cannot purge confirmed loans: %s", store_strerror(s->store));
	else if (n)
		log_debug("privacy: dropped the patron link of %u confirmed transactions", n);
}

static void on_purge_timer(struct loop *loop, void *data)
{
	struct sync *s = data;

	purge(s);
	if (s->cfg->retention_hours)
		loop_timer_arm(loop, &s->purge_timer, HOUR_MS);
}

static void schedule(struct sync *s)
{
	loop_timer_arm(s->loop, &s->next_timer, 0);
}

static void log_outcomes(struct sync *s);
static int record_held(struct sync *s);
static int seal(struct sync *s);

static void stop(struct sync *s, const char *why)
{
	s->busy = false;
	/* Paused for a while: circctl and the privacy purge see what is known. */
	if (s->store && (record_held(s) < 0 || seal(s) < 0))
		log_warning("store: cannot record what forwarding found out: %s (it is verified "
			    "with the ILS later)", store_strerror(s->store));
	if (why) {
		snprintf(s->stats.last_error, sizeof(s->stats.last_error), "%s", why);
		log_info("forwarding paused: %s", why);
	}
}

/* Accepted, but the ILS had something to say: staff see the last one in circctl status. */
static void note_ils_message(struct sync *s, const struct sync_outcome_of *of,
			     const char *screen_msg)
{
	char *line = s->stats.last_ils_message;
	size_t n;

	s->stats.ils_messages++;
	n = (size_t)snprintf(line, sizeof(s->stats.last_ils_message), "%s of item %s: ",
			     txn_kind_name(of->kind), of->item);
	/* One line for logs and circctl status: the ILS's lines joined by " / ". */
	for (; *screen_msg && n + 4 < sizeof(s->stats.last_ils_message); screen_msg++)
		n += (size_t)(*screen_msg == '\n' ? sprintf(line + n, " / ") :
						    sprintf(line + n, "%c", *screen_msg));
	/* Cut short inside a character: drop its first bytes too. */
	if (((unsigned char)*screen_msg & 0xc0) == 0x80) {
		while (n > 0 && ((unsigned char)line[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)line[n - 1] & 0xc0) == 0xc0)
			n--;
		line[n] = '\0';
	}
	log_notice("the ILS accepted %s", line);
}

/* The outcomes not logged yet, in the order they came. */
static void log_outcomes(struct sync *s)
{
	struct sync_queue *q = s->queue;

	for (; q->n_logged < q->n_outcomes; q->n_logged++) {
		const struct store_outcome *o = &q->outcomes[q->n_logged];
		const struct sync_outcome_of *of = &q->outcome_of[q->n_logged];

		log_txn(LOG_LEVEL_INFO, o->id, "forwarded %s seq %lld (item %s, %s): %s%s%s",
			txn_kind_name(of->kind), (long long)of->seq, of->item,
			txn_mode_name(of->mode), txn_state_name(o->state), o->evidence[0] ? ", " : "",
			o->evidence);
		if (o->state == TXN_CONFLICT)
			log_txn(LOG_LEVEL_WARNING, o->id,
				"%s of item %s needs staff (%s): %s; listed in circctl exceptions",
				txn_kind_name(of->kind), of->item,
				conflict_category_name(o->category), o->result);
		else if (o->state == TXN_CONFIRMED && o->screen_msg[0])
			note_ils_message(s, of, o->screen_msg);
	}
}

/* The outcomes known go into forwarding's transaction, logged first. */
static int record_held(struct sync *s)
{
	log_outcomes(s);
	return sync_queue_record(s->queue, s->store, loop_wall_ms(s->loop), loop_mono_ms(s->loop));
}

static int seal(struct sync *s)
{
	return sync_queue_seal(s->queue, s->store);
}

static int grow(struct sync *s, unsigned n)
{
	return sync_queue_grow(s->queue, s->store, loop_wall_ms(s->loop), loop_mono_ms(s->loop), n);
}

static void finish(struct sync *s, enum txn_state state, const char *result, const char *evidence,
		   const char *title, const struct store_conflict_in *conflict,
		   const struct store_ils_said *said)
{
	struct store_outcome *o;

	if (!sync_queue_outcome_room(s->queue) && record_held(s) < 0) {
		stop(s, "cannot record the outcome in the store");
		return;
	}
	o = sync_queue_add_outcome(s->queue, &s->txn);
	store_outcome_set(o, s->txn.id, state, result, evidence, title, conflict, said);
	o->seq = s->txn.seq;
	/* Sent as marked, in order: the next member is the oldest unfinished now. */
	s->head_is_next = s->txn_queued;
	s->txn_queued = false;
	if (state == TXN_CONFIRMED)
		s->stats.confirmed++;
	else if (state == TXN_CONFLICT)
		s->stats.conflicts++;
	else
		s->stats.failed++;
	s->busy = false;
	/* Straight on to the next while the ACS waits; a loop turn if nested deep. */
	if (s->depth < 8)
		step(s);
	else
		schedule(s);
	/* Not yet logged if the next did not go out (an error, nothing left). */
	log_outcomes(s);
}

/* Settled by nobody but staff: listed in circctl exceptions. */
static void staff_decides(struct sync *s, const char *message, const char *evidence)
{
	struct store_conflict_in conflict = { .category = CONFLICT_OTHER, .message = message };

	finish(s, TXN_CONFLICT, message, evidence, "", &conflict, NULL);
}

static const struct store_ils_said *ils_said(const struct ils_circ *o, struct store_ils_said *said)
{
	said->screen_msg = o->screen;
	said->print_line = o->print;
	return said;
}

static void refused(struct sync *s, const struct ils_circ *o)
{
	const char *msg = o->screen_first[0] ? o->screen_first : "refused without a message";
	struct store_conflict_in conflict = { .category = sync_classify_refusal(msg),
					      .message = msg };
	struct store_ils_said said;
	char evidence[128];

	snprintf(evidence, sizeof(evidence), "%s ok=0", o->answer);
	finish(s, TXN_CONFLICT, msg, evidence, o->title, &conflict, ils_said(o, &said));
}

/*
 * Marked (durably: it was about to go) but never went out: back to the
 * queue's head, to be sent as it is when the link is back, no need to ask.
 */
static void requeue_unsent(struct sync *s)
{
	s->txn_queued = false;
	s->head_is_next = false;
	/* No room (only after sends of its own): it is verified before it goes again. */
	(void)sync_queue_put_back(s->queue, &s->txn);
}

/* A reply that did not come, or came wrong: the transaction stays forwarded. */
/* sending: err answers the transaction itself, not a question about it. */
static bool link_trouble(struct sync *s, int err, bool sending)
{
	if (err == 0)
		return false;
	/*
	 * Maybe applied, maybe not: nothing after it goes before it is settled
	 * (a return sent first would make an applied checkout of the same item
	 * look unapplied, and it would be sent again).
	 */
	s->head_is_next = false;
	s->txn_queued = false;
	if (err == -ENOTCONN && sending)
		requeue_unsent(s);
	if (!sending)
		snprintf(s->inconclusive, sizeof(s->inconclusive), "%s",
			 err == -EBADMSG ? "an unexpected reply" : "no reply");
	stop(s, err == -EBADMSG ? "unexpected reply from the ACS" : "no reply from the ACS");
	/*
	 * The link stays up after a wrong answer: try again, but not in a
	 * tight loop (the attempt counter ends it for a send; a verification
	 * is retried at this pace until the ACS makes sense).
	 */
	if (err == -EBADMSG)
		loop_timer_arm(s->loop, &s->next_timer, SYNC_RETRY_MS);
	/*
	 * Silence on a link that stays up (circulation messages are not resent):
	 * verify at once, behind the link's barrier.
	 */
	else if (err == -ETIMEDOUT && ils_up(s->ils))
		schedule(s);
	return true;
}

/* --- sending ------------------------------------------------------------ */

static void on_sent(void *data, int err, const struct ils_circ *o)
{
	struct sync *s = data;
	struct store_ils_said said;
	char evidence[32];

	if (link_trouble(s, err, true))
		return;
	if (!o->ok) {
		refused(s, o);
		return;
	}
	snprintf(evidence, sizeof(evidence), "%s ok=1", o->answer);
	finish(s, TXN_CONFIRMED, s->txn.kind == TXN_CHECKOUT ? o->due_text : o->screen_first,
	       evidence, o->title, NULL, ils_said(o, &said));
}

void sync_note_sent(struct store *store, const struct txn *txn)
{
	static int last_err;
	int r = store_note_sent(store, txn->id);

	/* Once per cause: a full disk would say it for every return. */
	if (r < 0 && r != last_err)
		log_warning("store: cannot log the return of item %s as sent (%s): after a crash "
			    "it may be sent again", txn->item, strerror(-r));
	last_err = r;
}

/*
 * Store work that need not come before a send is done while the ILS works
 * on it, a little each round trip, off the path from one answer to the
 * next request: the outcomes known, a few more marks. Once the queue's
 * durable part is all out, the one durable commit (marked a round trip
 * early: store-sent.h tells a return marked but never sent from one
 * applied). After an error the next step goes the long way, which records
 * and commits again and stops forwarding if the store still fails.
 */
static void while_ils_works(struct sync *s)
{
	bool old_work = sync_queue_work_older(s->queue, loop_mono_ms(s->loop), SYNC_COMMIT_MS);
	int r = record_held(s);

	if (r >= 0 && s->txn_queued)
		r = grow(s, SYNC_MARKS_PER_TRIP);
	if (r >= 0 && ((s->txn_queued && !sync_queue_sendable(s->queue)) || old_work))
		r = seal(s);
	if (r < 0) {
		log_warning("store: forwarding cannot record its work: %s", store_strerror(s->store));
		s->head_is_next = false;
	}
}

/* mark: not yet durably forwarded for this send (the queue did it otherwise). */
static void send_txn(struct sync *s, bool mark)
{
	int r;

	if (s->txn.kind == TXN_RENEW) {
		/* Renewals happen online only; one never sent stays unsent. */
		finish(s, TXN_FAILED, "a renewal recorded but never sent", "not sent", "", NULL,
		       NULL);
		return;
	}
	if (mark && s->txn.attempts >= SYNC_MAX_ATTEMPTS) {
		staff_decides(s, "the ACS never gave a usable answer: check this transaction by hand",
			      "gave up after repeated sends");
		return;
	}
	if (mark) {
		r = store_mark_forwarded(s->store, s->txn.id, loop_wall_ms(s->loop));
		if (r < 0) {
			stop(s, "cannot mark a transaction forwarded");
			return;
		}
	}
	/* Done offline: the ILS must take it as it happened, with the due date given. */
	struct ils_circ_req req = {
		.patron = s->txn.patron,
		.item = s->txn.item,
		.wall_ms = s->txn.wall_ms,
		.no_block = true,
		.no_block_due_ms = s->txn.kind == TXN_CHECKOUT ? s->txn.due_ms : 0,
	};

	/* Logged before it goes: a return sent is always named (store-sent.h). */
	if (s->txn.kind == TXN_CHECKIN)
		sync_note_sent(s->store, &s->txn);
	r = (s->txn.kind == TXN_CHECKOUT ? s->ils->ops->checkout : s->ils->ops->checkin)(
		s->ils, ILS_LANE_BACKGROUND, &req, on_sent, s);
	if (r < 0) {
		/* Not sent: the same transaction goes first when the link is back. */
		requeue_unsent(s);
		stop(s, "link down");
		return;
	}
	while_ils_works(s);
}

/* --- verifying a transaction whose reply was lost ---------------------- */

/* What the patron of an online transaction that did not finish normally was told. */
static const char *patron_was_told(const struct txn *txn)
{
	switch (txn->patron_told) {
	case TXN_TOLD_NOT_DONE:
		return "the patron was told it had not gone through";
	case TXN_TOLD_SERVED_OFFLINE:
		return "the patron was served offline";
	case TXN_TOLD_UNKNOWN:
		return "the patron may have been told it had not gone through";
	case TXN_TOLD_NOTHING:
		break;
	}
	/*
	 * An online answer is recorded without waiting for the disk (only the
	 * mark before sending is): a kill leaves it, a power cut may not.
	 */
	return "circd stopped before the patron was told anything (or, after a power cut, "
	       "before its record of the answer reached the disk)";
}

/*
 * The kiosk finishes an online transaction (or hands it to the offline
 * queue) before it tells the patron OK. So one still online and forwarded
 * here is one the patron was told had NOT gone through, or told nothing
 * at all (circd stopped first): the journal says which.
 */
static void applied(struct sync *s, const char *evidence, const char *title)
{
	struct store_conflict_in conflict = { .category = CONFLICT_OTHER };
	char message[CONFLICT_MESSAGE_MAX];

	if (s->txn.mode == TXN_OFFLINE) {
		finish(s, TXN_CONFIRMED, "", evidence, title, NULL, NULL);
		return;
	}
	snprintf(message, sizeof(message), "the ILS applied this %s, but %s: check the item",
		 txn_kind_name(s->txn.kind), patron_was_told(&s->txn));
	conflict.message = message;
	finish(s, TXN_CONFLICT, message, evidence, title, &conflict, NULL);
}

static void not_applied(struct sync *s, const char *evidence)
{
	char result[TXN_RESULT_MAX];

	if (s->txn.mode == TXN_ONLINE) {
		snprintf(result, sizeof(result), "not applied by the ILS; %s",
			 patron_was_told(&s->txn));
		finish(s, TXN_FAILED, result, evidence, "", NULL, NULL);
		return;
	}
	send_txn(s, true);
}

/* The ILS's answer settled nothing this time: ask again later, counted. */
static void verify_inconclusive(struct sync *s, const char *why)
{
	snprintf(s->inconclusive, sizeof(s->inconclusive), "%s", why);
	stop(s, why);
	loop_timer_arm(s->loop, &s->next_timer, SYNC_RETRY_MS);
}

static void on_verified(void *data, int err, const struct ils_item_check *check)
{
	struct sync *s = data;
	bool checkout = s->txn.kind == TXN_CHECKOUT;
	char evidence[TXN_EVIDENCE_MAX];

	if (link_trouble(s, err, false))
		return;
	if (check->state == ILS_ITEM_UNSETTLED) {
		verify_inconclusive(s, check->evidence);
		return;
	}
	/* A checkout applied leaves the item charged; a checkin, no longer charged. */
	if ((check->state == ILS_ITEM_CHARGED) != checkout) {
		snprintf(evidence, sizeof(evidence), "reply lost; %s", check->evidence);
		not_applied(s, evidence);
	} else if (!checkout && store_sent_status(s->store, s->txn.id) == STORE_SENT_NO) {
		/*
		 * Not charged either way: this boot's log of returns sent says it
		 * never went out. Without a log from this boot (a power cut) it is
		 * taken as applied, as before the log: a return is never sent twice.
		 */
		snprintf(evidence, sizeof(evidence), "never sent; %s",
			 check->evidence);
		log_txn(LOG_LEVEL_INFO, s->txn.id,
			"return of item %s was marked forwarded but never sent: sending it",
			s->txn.item);
		not_applied(s, evidence);
	} else {
		snprintf(evidence, sizeof(evidence), "reply lost; %s", check->evidence);
		applied(s, evidence, checkout ? "" : check->title);
	}
}

static void verify(struct sync *s)
{
	char message[CONFLICT_MESSAGE_MAX];
	int r;

	if (s->txn.kind == TXN_RENEW) {
		staff_decides(s, "a renewal whose reply was lost: check the due date by hand",
			      "not resent: a second renewal would move the due date");
		return;
	}
	if (s->txn.verifications >= SYNC_MAX_VERIFICATIONS) {
		snprintf(message, sizeof(message),
			 "could not establish whether the ILS applied this %s "
			 "(asked %u times%s%s): check it at the ILS by hand",
			 txn_kind_name(s->txn.kind),
			 s->txn.verifications, s->inconclusive[0] ? "; last: " : "",
			 s->inconclusive);
		staff_decides(s, message, "gave up after repeated verifications");
		return;
	}
	/* Counted first: a verification that never ends still counts, across restarts. */
	if (store_count_verification(s->store, s->txn.id, loop_wall_ms(s->loop),
				     &s->txn.verifications) < 0) {
		stop(s, "cannot count a verification in the store");
		return;
	}
	r = s->txn.kind == TXN_CHECKIN ?
		    s->ils->ops->check_charged(s->ils, s->txn.item, on_verified, s) :
		    s->ils->ops->check_charged_to(s->ils, s->txn.patron, s->txn.item, on_verified, s);
	if (r < 0)
		stop(s, "link down");
}

/* The transaction now in hand; a verification's last words are about the one before. */
static void take(struct sync *s, const struct txn *txn, bool from_queue)
{
	s->txn = *txn;
	s->txn_queued = from_queue;
	s->busy = true;
	if (strcmp(s->txn.id, s->inconclusive_of) != 0) {
		s->inconclusive[0] = 0;
		snprintf(s->inconclusive_of, sizeof(s->inconclusive_of), "%s", s->txn.id);
	}
}

/* Durably marked by this process: send it as it is. */
static void send_queue_head(struct sync *s)
{
	sync_queue_take(s->queue, &s->txn);
	take(s, &s->txn, true);
	send_txn(s, false);
}

static void step_once(struct sync *s)
{
	const char *head_id;
	int64_t head_seq;
	bool fresh = false;
	int r;

	if (s->busy || !s->store || !ils_up(s->ils))
		return;
	if (sync_queue_sendable(s->queue) && s->head_is_next) {
		send_queue_head(s);
		return;
	}
	s->head_is_next = false;
	/*
	 * The long way. The store learns what this process knows before it is
	 * asked what is next; with nothing queued, the run of plain first sends
	 * at the head of the queue is marked: one durable commit for both.
	 */
	r = record_held(s);
	if (r >= 0 && sync_queue_empty(s->queue)) {
		sync_queue_start_run(s->queue);
		r = grow(s, SYNC_FIRST_MARKS);
		fresh = !sync_queue_empty(s->queue);
	}
	if (r >= 0)
		r = seal(s);
	if (r < 0) {
		stop(s, "cannot record outcomes in the store");
		return;
	}
	if (fresh) {
		send_queue_head(s); /* the oldest unfinished, just marked */
		return;
	}
	r = store_next_to_forward(s->store, &s->txn);
	if (r == -ENOENT) {
		s->stats.last_error[0] = 0;
		sync_queue_drop(s->queue);
		/* Nothing forwarded is left to verify: what was sent needs no record. */
		if (store_sent_forget(s->store) < 0)
			log_warning("store: cannot empty the log of returns sent");
		/* Privacy: once confirmed, who borrowed what is the ILS's business. */
		if (s->cfg->retention_hours == 0)
			purge(s);
		return;
	}
	if (r < 0) {
		stop(s, "cannot read the outbox");
		return;
	}
	if (sync_queue_head(s->queue, &head_seq, &head_id)) {
		if (strcmp(s->txn.id, head_id) == 0) {
			send_queue_head(s);
			return;
		}
		/* The head is settled or older ones wait: past it, it is only verified. */
		if (s->txn.seq > head_seq)
			sync_queue_drop(s->queue);
	}
	take(s, &s->txn, false);
	if (s->txn.state == TXN_FORWARDED)
		verify(s);
	else
		send_txn(s, true);
}

static void step(struct sync *s)
{
	s->depth++;
	step_once(s);
	s->depth--;
}

static void on_next(struct loop *loop, void *data)
{
	(void)loop;
	step(data);
}

void sync_kick(struct sync *s)
{
	if (s && !s->busy)
		schedule(s);
}

void sync_set_store(struct sync *s, struct store *store)
{
	if (store != s->store) {
		/* Another store's: what they say is verified there. */
		sync_queue_reset(s->queue);
		s->head_is_next = false;
	}
	s->store = store;
	sync_kick(s);
}

void sync_set_config(struct sync *s, const struct config *cfg)
{
	s->cfg = cfg;
	if (cfg->retention_hours)
		loop_timer_arm(s->loop, &s->purge_timer, HOUR_MS);
	else
		loop_timer_disarm(s->loop, &s->purge_timer);
}

void sync_get_stats(const struct sync *s, struct sync_stats *stats)
{
	*stats = s->stats;
	stats->busy = s->busy;
}

int sync_new(struct loop *loop, struct store *store, struct ils *ils,
	     const struct config *cfg, struct sync **ret)
{
	struct sync *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (sync_queue_new(&s->queue) < 0)
		goto err_sync;
	s->loop = loop;
	s->store = store;
	s->ils = ils;
	s->cfg = cfg;
	loop_timer_init(&s->next_timer, on_next, s);
	loop_timer_init(&s->purge_timer, on_purge_timer, s);
	sync_set_config(s, cfg);
	*ret = s;
	return 0;

err_sync:
	free(s);
	return -ENOMEM;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	loop_timer_disarm(s->loop, &s->next_timer);
	loop_timer_disarm(s->loop, &s->purge_timer);
	if (s->store && (record_held(s) < 0 || seal(s) < 0))
		log_warning("store: outcomes not recorded (%s): verified at the next start",
			    store_strerror(s->store));
	sync_queue_free(s->queue);
	free(s);
}
