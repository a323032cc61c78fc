/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward (see sync.h). One transaction is in hand at a time:
 *
 *   next_to_forward --pending--> mark forwarded --> 11/09 --> confirmed
 *         |                                          \--> conflict
 *         \--forwarded (outcome unknown)--> count a verification --> verify (63 / 17)
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
 * moves on.
 *
 * A checkout is verified by paging through the patron's charged items, 32
 * at a time (BP/BQ): a heavy borrower's thousands would be one enormous
 * reply. The ILS may ignore the range and send everything, or fewer than
 * asked: the item on any page is charged; the walk ends at a page shorter
 * than asked, one with nothing new, or one longer than asked (the ILS sent
 * its whole list); "not charged" also needs as many items seen as the 64
 * counts, and the same count on every page (else the list moved).
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
/* The same for asking whether the ILS applied one. */
#define SYNC_MAX_VERIFICATIONS 5
#define SYNC_RETRY_MS 5000
/* Charged items per 63: every one of a full page is kept in the decoded 64. */
#define SYNC_PAGE_ITEMS SIP2_LIST_MAX
/* BQ has four digits: 9999 is the last item any page can ask for. */
#define SYNC_LAST_ITEM 9999
#define SYNC_PAGES_MAX (SYNC_LAST_ITEM / SYNC_PAGE_ITEMS + 1)

/* Paging through a patron's charged items for one verification. */
struct charged_walk {
	unsigned first;    /* BP of the page asked for */
	unsigned pages;    /* answered so far */
	unsigned seen;     /* distinct items listed so far */
	int total;         /* the first page's charged items count, or SIP2_UNKNOWN */
	char prev[SYNC_PAGE_ITEMS][SIP2_FIELD_MAX + 1]; /* the last page, to spot repeats */
	unsigned n_prev;
};

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
	struct charged_walk walk; /* verifying txn, a checkout */
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

/* Accepted, but the ILS had something to say: staff see the last one in circctl status. */
static void note_ils_message(struct sync *s, const char *screen_msg)
{
	char *line = s->stats.last_ils_message;
	size_t n;

	s->stats.ils_messages++;
	n = (size_t)snprintf(line, sizeof(s->stats.last_ils_message), "%s of item %s: ",
			     txn_kind_name(s->txn.kind), s->txn.item);
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

static void finish(struct sync *s, enum txn_state state, const char *result, const char *evidence,
		   const char *title, const struct store_conflict_in *conflict,
		   const struct store_ils_said *said)
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
				     loop_wall_ms(s->loop), conflict, said,
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
		log_warning("%s of item %s needs staff (%s): %s; listed in circctl exceptions",
			    txn_kind_name(s->txn.kind), s->txn.item,
			    conflict_category_name(conflict->category), result ? result : "");
	else if (state == TXN_CONFIRMED && said && said->screen_msg && said->screen_msg[0])
		note_ils_message(s, said->screen_msg);
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

	finish(s, TXN_CONFLICT, message, evidence, "", &conflict, NULL);
}

/* What the ILS said with its answer: screen and print texts, joined. */
struct ils_words {
	char screen[TXN_ILS_TEXT_MAX];
	char print[TXN_ILS_TEXT_MAX];
	struct store_ils_said said;
};

static const struct store_ils_said *ils_words(struct ils_words *w, const struct sip2_list *screen,
					      const struct sip2_list *print)
{
	sip2_list_join(screen, w->screen, sizeof(w->screen));
	sip2_list_join(print, w->print, sizeof(w->print));
	w->said.screen_msg = w->screen;
	w->said.print_line = w->print;
	return &w->said;
}

static void refused(struct sync *s, const char *what, const struct sip2_list *screen,
		    const struct sip2_list *print, const char *title)
{
	const char *msg = screen->n ? screen->v[0] : "refused without a message";
	struct store_conflict_in conflict = { .category = sync_classify_refusal(msg),
					      .message = msg };
	struct ils_words words;
	char evidence[128];

	snprintf(evidence, sizeof(evidence), "%s ok=0", what);
	finish(s, TXN_CONFLICT, msg, evidence, title, &conflict,
	       ils_words(&words, screen, print));
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
	else if (err == -ETIMEDOUT && sip2_client_up(s->client))
		schedule(s);
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
	struct ils_words words;

	if (link_trouble(s, err, true))
		return;
	if (sip2_parse_checkout(msg, &resp) < 0) {
		link_trouble(s, -EBADMSG, true);
		return;
	}
	if (!resp.ok) {
		refused(s, "12", &resp.screen_msg, &resp.print_line, resp.title);
		return;
	}
	finish(s, TXN_CONFIRMED, resp.due_date, "12 ok=1", resp.title, NULL,
	       ils_words(&words, &resp.screen_msg, &resp.print_line));
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
	struct ils_words words;

	if (link_trouble(s, err, true))
		return;
	if (sip2_parse_checkin(msg, &resp) < 0) {
		link_trouble(s, -EBADMSG, true);
		return;
	}
	if (!resp.ok) {
		refused(s, "10", &resp.screen_msg, &resp.print_line, resp.title);
		return;
	}
	finish(s, TXN_CONFIRMED, resp.screen_msg.n ? resp.screen_msg.v[0] : "", "10 ok=1",
	       resp.title, NULL, ils_words(&words, &resp.screen_msg, &resp.print_line));
}

/* mark: not yet durably forwarded for this send (a batch may have done it). */
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
	unsigned last = s->walk.first + SYNC_PAGE_ITEMS - 1;
	struct sip2_patron_info_req req = {
		.language = 1,
		.date = (time_t)(loop_wall_ms(s->loop) / 1000),
		.summary = SIP2_SUMMARY_CHARGED_ITEMS,
		.patron_id = s->txn.patron,
		.start_item = s->walk.first,
		.end_item = last > SYNC_LAST_ITEM ? SYNC_LAST_ITEM : last,
	};

	return sip2_encode_patron_info(p, seq, &req, out, size, len);
}

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
	return "circd stopped before the patron was told anything";
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

static bool in_prev_page(const struct charged_walk *w, const char *item)
{
	for (unsigned i = 0; i < w->n_prev; i++)
		if (strcmp(w->prev[i], item) == 0)
			return true;
	return false;
}

/* The list ended: not charged only if it held every loan the ILS counts. */
static void walk_done(struct sync *s)
{
	char why[96];

	if (s->walk.total != SIP2_UNKNOWN && s->walk.seen < (unsigned)s->walk.total) {
		snprintf(why, sizeof(why), "the ILS listed %u of the patron's %d loans",
			 s->walk.seen, s->walk.total);
		verify_inconclusive(s, why);
		return;
	}
	not_applied(s, "reply lost; the patron's charged items (63) do not include the item");
}

static void ask_charged_page(struct sync *s);

static void on_verify_checkout(void *data, int err, const struct sip2_msg *msg)
{
	struct sync *s = data;
	struct charged_walk *w = &s->walk;
	struct sip2_patron_info info;
	unsigned n, fresh = 0;

	if (link_trouble(s, err, false))
		return;
	if (msg->code != 64 || sip2_parse_patron_info(msg, &info) < 0) {
		link_trouble(s, -EBADMSG, false);
		return;
	}
	if (sip2_msg_has(msg, "AU", s->txn.item)) {
		applied(s, "reply lost; 64 lists the item as charged to this patron", "");
		return;
	}
	w->pages++;
	if (w->pages == 1)
		w->total = info.charged_items_count;
	else if (info.charged_items_count != w->total) {
		verify_inconclusive(s, "the patron's loans changed while they were listed");
		return;
	}
	n = sip2_msg_count(msg, "AU");
	if (n > SYNC_PAGE_ITEMS) {
		/* The range was ignored: this is the ILS's whole list. */
		w->seen = n > w->seen ? n : w->seen;
		walk_done(s);
		return;
	}
	/* n <= SIP2_LIST_MAX: every item of the page is kept in msg. */
	for (unsigned i = 0; i < n; i++)
		fresh += !in_prev_page(w, info.charged_items.v[i]);
	w->seen += fresh;
	if (n < SYNC_PAGE_ITEMS || !fresh) {
		walk_done(s);
		return;
	}
	if (w->pages == SYNC_PAGES_MAX || w->first + SYNC_PAGE_ITEMS > SYNC_LAST_ITEM) {
		verify_inconclusive(s, "more loans than a verification pages through");
		return;
	}
	for (w->n_prev = 0; w->n_prev < n; w->n_prev++)
		snprintf(w->prev[w->n_prev], sizeof(w->prev[0]), "%s",
			 info.charged_items.v[w->n_prev]);
	w->first += SYNC_PAGE_ITEMS;
	ask_charged_page(s);
}

static void ask_charged_page(struct sync *s)
{
	if (sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "64", build_patron_info, s,
				on_verify_checkout, s) < 0)
		stop(s, "link down");
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
		char evidence[TXN_EVIDENCE_MAX];

		snprintf(evidence, sizeof(evidence), "reply lost; 18 says %s",
			 sip2_circ_status_name(info.circulation_status));
		applied(s, evidence, info.title);
		return;
	}
	not_applied(s, "reply lost; 18 says the item is still charged");
}

static void verify(struct sync *s)
{
	char message[CONFLICT_MESSAGE_MAX];

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
	if (s->txn.kind == TXN_CHECKIN) {
		if (sip2_client_request(s->client, SIP2_LANE_BACKGROUND, "18", build_item_info, s,
					on_verify_checkin, s) < 0)
			stop(s, "link down");
		return;
	}
	memset(&s->walk, 0, sizeof(s->walk));
	s->walk.first = 1;
	s->walk.total = SIP2_UNKNOWN;
	ask_charged_page(s);
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
	if (strcmp(s->txn.id, s->inconclusive_of) != 0) {
		s->inconclusive[0] = 0;
		snprintf(s->inconclusive_of, sizeof(s->inconclusive_of), "%s", s->txn.id);
	}
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
