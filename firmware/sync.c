/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward (see sync.h). One transaction is in hand at a time:
 *
 *   next_to_forward --pending--> mark forwarded --> 11/09 --> confirmed
 *         |                                          \--> conflict
 *         \--forwarded (outcome unknown)--> verify (63 / 17)
 *                 charged / no longer charged --> confirmed (evidence)
 *                 not applied, served offline  --> mark forwarded --> send
 *                 not applied, patron told no   --> failed
 *
 * A lost reply, a dropped link or a garbled answer leaves the transaction
 * forwarded; the engine stops and starts again from the verify step when
 * the link is back.
 */
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "loop.h"
#include "sip2-client.h"

/* Past this many sends with no usable answer, staff decide. */
#define SYNC_MAX_ATTEMPTS 5
#define SYNC_RETRY_MS 5000

struct sync {
	struct loop *loop;
	struct store *store;
	struct sip2_client *client;
	const struct config *cfg;
	struct loop_timer next_timer; /* runs the next step from the loop, not a callback */
	struct loop_timer purge_timer; /* hourly, only with a retention period */
	bool busy;
	unsigned depth; /* step() nesting through immediate outcomes */
	struct txn txn; /* the one in hand */
	struct txn next; /* marked forwarded with txn's outcome, to go out next */
	bool have_next;
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
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcasestr(msg, rules[i].needle))
			return rules[i].category;
	return CONFLICT_OTHER;
}

#define HOUR_MS (60LL * 60 * 1000)

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

static void stop(struct sync *s, const char *why)
{
	s->busy = false;
	if (why) {
		snprintf(s->stats.last_error, sizeof(s->stats.last_error), "%s", why);
		log_info("forwarding paused: %s", why);
	}
}

static void finish(struct sync *s, enum txn_state state, const char *result, const char *evidence,
		   const char *title, const struct store_conflict_in *conflict)
{
	int r;

	/*
	 * With a queue behind it, the next pending transaction is marked
	 * forwarded in the same commit: one commit per transaction, and it is
	 * still marked immediately before it goes out.
	 */
	s->have_next = sip2_client_up(s->client) &&
		       store_next_to_forward_after(s->store, s->txn.seq, &s->next) == 0 &&
		       s->next.state == TXN_PENDING && s->next.kind != TXN_RENEW;
	r = store_finish_and_forward(s->store, s->txn.id, state, result, evidence, title, 0,
				     loop_wall_ms(s->loop), conflict, NULL,
				     s->have_next ? s->next.id : NULL);
	if (r < 0) {
		s->have_next = false;
		stop(s, "cannot record the outcome in the store");
		return;
	}
	if (s->have_next)
		s->next.attempts++;
	if (state == TXN_CONFIRMED)
		s->stats.confirmed++;
	else if (state == TXN_CONFLICT)
		s->stats.conflicts++;
	else
		s->stats.failed++;
	log_info("forwarded %s seq %lld (item %s, %s): %s%s%s", txn_kind_name(s->txn.kind),
		 (long long)s->txn.seq, s->txn.item, txn_mode_name(s->txn.mode),
		 txn_state_name(state), evidence && *evidence ? ", " : "", evidence ? evidence : "");
	if (state == TXN_CONFLICT)
		log_warning("the ILS refused %s of item %s (%s): %s; listed for staff in circctl "
			    "exceptions", txn_kind_name(s->txn.kind), s->txn.item,
			    conflict_category_name(conflict->category), result ? result : "");
	s->busy = false;
	/* Straight on to the next while the ACS waits; a loop turn if nested deep. */
	if (s->depth < 8)
		step(s);
	else
		schedule(s);
}

/* Settled by nobody but staff: listed in circctl exceptions. */
static void staff_decides(struct sync *s, const char *message, const char *evidence)
{
	struct store_conflict_in conflict = { .category = CONFLICT_OTHER, .message = message };

	finish(s, TXN_CONFLICT, message, evidence, "", &conflict);
}

static void refused(struct sync *s, const char *what, const struct sip2_list *screen,
		    const char *title)
{
	const char *msg = screen->n ? screen->v[0] : "refused without a message";
	struct store_conflict_in conflict = { .category = sync_classify_refusal(msg),
					      .message = msg };
	char evidence[128];

	snprintf(evidence, sizeof(evidence), "%s ok=0", what);
	finish(s, TXN_CONFLICT, msg, evidence, title, &conflict);
}

/* A reply that did not come, or came wrong: the transaction stays forwarded. */
/* sending: err answers the transaction itself, not a question about it. */
static bool link_trouble(struct sync *s, int err, bool sending)
{
	if (err == 0)
		return false;
	if (err == -ENOTCONN && sending) {
		/* Never went out: send it as it is when the link is back, no need to ask. */
		s->next = s->txn;
		s->have_next = true;
	}
	stop(s, err == -EBADMSG ? "unexpected reply from the ACS" : "no reply from the ACS");
	/*
	 * The link stays up after a wrong answer: try again, but not in a
	 * tight loop (the attempt counter ends it for a send; a verification
	 * is retried at this pace until the ACS makes sense).
	 */
	if (err == -EBADMSG)
		loop_timer_arm(s->loop, &s->next_timer, SYNC_RETRY_MS);
	return true;
}

/* --- sending ------------------------------------------------------------ */

static int build_checkout(void *data, const struct sip2_profile *p, int seq, char *out,
			  size_t size, size_t *len)
{
	struct sync *s = data;
	struct sip2_checkout_req req = {
		.sc_renewal_policy = false,
		.no_block = true,
		.date = (time_t)(s->txn.wall_ms / 1000),
		.nb_due_date = (time_t)(s->txn.due_ms / 1000),
		.patron_id = s->txn.patron,
		.item_id = s->txn.item,
	};

	return sip2_encode_checkout(p, seq, &req, out, size, len);
}

static void on_checkout(void *data, int err, const struct sip2_msg *msg)
{
	struct sync *s = data;
	struct sip2_checkout_resp resp;

	if (link_trouble(s, err, true))
		return;
	if (sip2_parse_checkout(msg, &resp) < 0) {
		link_trouble(s, -EBADMSG, true);
		return;
	}
	if (!resp.ok) {
		refused(s, "12", &resp.screen_msg, resp.title);
		return;
	}
	finish(s, TXN_CONFIRMED, resp.due_date, "12 ok=1", resp.title, NULL);
}

static int build_checkin(void *data, const struct sip2_profile *p, int seq, char *out,
			 size_t size, size_t *len)
{
	struct sync *s = data;
	struct sip2_checkin_req req = {
		.no_block = true,
		.date = (time_t)(s->txn.wall_ms / 1000),
		.return_date = (time_t)(s->txn.wall_ms / 1000),
		.item_id = s->txn.item,
	};

	return sip2_encode_checkin(p, seq, &req, out, size, len);
}

static void on_checkin(void *data, int err, const struct sip2_msg *msg)
{
	struct sync *s = data;
	struct sip2_checkin_resp resp;

	if (link_trouble(s, err, true))
		return;
	if (sip2_parse_checkin(msg, &resp) < 0) {
		link_trouble(s, -EBADMSG, true);
		return;
	}
	if (!resp.ok) {
		refused(s, "10", &resp.screen_msg, resp.title);
		return;
	}
	finish(s, TXN_CONFIRMED, resp.screen_msg.n ? resp.screen_msg.v[0] : "", "10 ok=1",
	       resp.title, NULL);
}

/* mark: not yet durably forwarded for this send (a batch may have done it). */
static void send_txn(struct sync *s, bool mark)
{
	int r;

	if (s->txn.kind == TXN_RENEW) {
		/* Renewals happen online only; one never sent stays unsent. */
		finish(s, TXN_FAILED, "a renewal recorded but never sent", "not sent", "", NULL);
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
	if (s->txn.kind == TXN_CHECKOUT)
		r = sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "12", build_checkout, s,
					on_checkout, s);
	else
		r = sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "10", build_checkin, s,
					on_checkin, s);
	if (r < 0) {
		/* Not sent: the same transaction goes first when the link is back. */
		s->next = s->txn;
		s->have_next = true;
		stop(s, "link down");
	}
}

/* --- verifying a transaction whose reply was lost ---------------------- */

static int build_patron_info(void *data, const struct sip2_profile *p, int seq, char *out,
			     size_t size, size_t *len)
{
	struct sync *s = data;
	struct sip2_patron_info_req req = {
		.language = 1,
		.date = (time_t)(loop_wall_ms(s->loop) / 1000),
		.summary = SIP2_SUMMARY_CHARGED_ITEMS,
		.patron_id = s->txn.patron,
		.start_item = 1,
		.end_item = 9999,
	};

	return sip2_encode_patron_info(p, seq, &req, out, size, len);
}

static bool listed(const struct sip2_msg *msg, const char *id, const char *item)
{
	unsigned i, n = sip2_msg_count(msg, id);

	for (i = 0; i < n; i++)
		if (strcmp(sip2_msg_get_n(msg, id, i), item) == 0)
			return true;
	return false;
}

/*
 * The kiosk finishes an online transaction (or hands it to the offline
 * queue) before it tells the patron OK. So one still online and forwarded
 * here is one the patron was told had NOT gone through.
 */
static void applied(struct sync *s, const char *evidence, const char *title)
{
	struct store_conflict_in conflict = { .category = CONFLICT_OTHER };
	char message[160];

	if (s->txn.mode == TXN_OFFLINE) {
		finish(s, TXN_CONFIRMED, "", evidence, title, NULL);
		return;
	}
	snprintf(message, sizeof(message),
		 "the ILS applied this %s, but the patron was told it had failed: check the item",
		 txn_kind_name(s->txn.kind));
	conflict.message = message;
	finish(s, TXN_CONFLICT, message, evidence, title, &conflict);
}

static void not_applied(struct sync *s, const char *evidence)
{
	if (s->txn.mode == TXN_ONLINE) {
		finish(s, TXN_FAILED, "not applied by the ILS; the patron was told so", evidence,
		       "", NULL);
		return;
	}
	send_txn(s, true);
}

static void on_verify_checkout(void *data, int err, const struct sip2_msg *msg)
{
	struct sync *s = data;

	if (link_trouble(s, err, false))
		return;
	if (msg->code != 64) {
		link_trouble(s, -EBADMSG, false);
		return;
	}
	if (listed(msg, "AU", s->txn.item))
		applied(s, "reply lost; 64 lists the item as charged to this patron", "");
	else
		not_applied(s, "reply lost; 64 does not list the item as charged to this patron");
}

static int build_item_info(void *data, const struct sip2_profile *p, int seq, char *out,
			   size_t size, size_t *len)
{
	struct sync *s = data;
	struct sip2_item_info_req req = {
		.date = (time_t)(loop_wall_ms(s->loop) / 1000),
		.item_id = s->txn.item,
	};

	return sip2_encode_item_info(p, seq, &req, out, size, len);
}

/* SIP2 circulation status 04: charged. */
#define CIRC_CHARGED 4

static void on_verify_checkin(void *data, int err, const struct sip2_msg *msg)
{
	struct sync *s = data;
	struct sip2_item_info info;

	if (link_trouble(s, err, false))
		return;
	if (sip2_parse_item_info(msg, &info) < 0) {
		link_trouble(s, -EBADMSG, false);
		return;
	}
	if (info.circulation_status != CIRC_CHARGED) {
		char evidence[128];

		snprintf(evidence, sizeof(evidence), "reply lost; 18 says %s",
			 sip2_circ_status_name(info.circulation_status));
		applied(s, evidence, info.title);
		return;
	}
	not_applied(s, "reply lost; 18 says the item is still charged");
}

static void verify(struct sync *s)
{
	int r;

	switch (s->txn.kind) {
	case TXN_CHECKOUT:
		r = sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "64", build_patron_info, s,
					on_verify_checkout, s);
		break;
	case TXN_CHECKIN:
		r = sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "18", build_item_info, s,
					on_verify_checkin, s);
		break;
	default:
		staff_decides(s, "a renewal whose reply was lost: check the due date by hand",
			      "not resent: a second renewal would move the due date");
		return;
	}
	if (r < 0)
		stop(s, "link down");
}

static void step_once(struct sync *s)
{
	int r;

	if (s->busy || !s->store || !sip2_client_up(s->client))
		return;
	if (s->have_next) {
		/* Marked together with the previous outcome: send it as it is. */
		s->have_next = false;
		s->txn = s->next;
		s->busy = true;
		send_txn(s, false);
		return;
	}
	r = store_next_to_forward(s->store, &s->txn);
	if (r == -ENOENT) {
		s->stats.last_error[0] = 0;
		/* Privacy: once confirmed, who borrowed what is the ILS's business. */
		if (s->cfg->retention_hours == 0)
			purge(s);
		return;
	}
	if (r < 0) {
		stop(s, "cannot read the outbox");
		return;
	}
	s->busy = true;
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

int sync_new(struct loop *loop, struct store *store, struct sip2_client *client,
	     const struct config *cfg, struct sync **ret)
{
	struct sync *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->store = store;
	s->client = client;
	s->cfg = cfg;
	loop_timer_init(&s->next_timer, on_next, s);
	loop_timer_init(&s->purge_timer, on_purge_timer, s);
	sync_set_config(s, cfg);
	*ret = s;
	return 0;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	loop_timer_disarm(s->loop, &s->next_timer);
	loop_timer_disarm(s->loop, &s->purge_timer);
	free(s);
}
