/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kiosk while the ILS is reachable (through ils.h): patrons are checked,
 * items go out, come in and are renewed -- each recorded in the journal as
 * forwarded BEFORE it is sent, and finished in the store BEFORE the patron
 * hears the outcome: two commits per transaction.
 *
 * When the ILS stops answering mid-request, the transaction is handed to
 * the offline queue if the offline policy allows it (the patron is served
 * offline and told so); otherwise the patron is told it did not go through,
 * and store-and-forward later finds out what the ILS really did.
 *
 * One live request at a time: a scan that arrives meanwhile is asked to
 * wait, never queued behind the patron's back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kiosk-private.h"
#include "patron-id.h"
#include "sync.h"
#include "util.h"

#define PIN_TRIES 3

/* --- patron cache: salted hashes and a flag, never ids or PINs ---------- */

static void cache_patron(struct kiosk *k, const char *patron, bool allowed)
{
	int64_t now = loop_wall_ms(k->env.loop);

	if (!k->store || !k->cfg->patron_cache_hours)
		return;
	if (store_patron_remember(k->store, patron, allowed, now,
				  now + (int64_t)k->cfg->patron_cache_hours * HOUR_MS) < 0)
		log_warning("patron cache: cannot store a result");
}

/* Offline: a patron the ILS refused recently is refused here too. */
bool online_patron_blocked_offline(struct kiosk *k, const char *patron)
{
	struct store_patron_cached cached;

	if (!k->store || store_patron_recall(k->store, patron, &cached) < 0)
		return false;
	return !cached.allowed && cached.expires_ms > loop_wall_ms(k->env.loop);
}

/* --- waiting for the ILS ------------------------------------------------ */

/*
 * An ACS may announce a 60 s timeout and 3 retries in its 98: fine for the
 * link, not for a person at the desk. Past [sip2] patron_wait the request
 * is given up (the link settles what became of it) and the patron is served
 * as if the ILS had not answered.
 */
void online_patron_wait_expired(struct loop *loop, void *data)
{
	struct kiosk *k = data;

	(void)loop;
	if (!kiosk_waiting(k))
		return;
	log_notice("the ILS did not answer within %u s: serving the patron without it",
		   k->cfg->sip2.patron_wait_s);
	k->env.ils->ops->cancel(k->env.ils, k);
}

/* The patron pressed Done while the ILS was answering: now that it has, end. */
static void end_if_requested(struct kiosk *k)
{
	if (!k->end_requested || kiosk_waiting(k))
		return;
	k->end_requested = false;
	if (k->cfg->mode == KIOSK_RETURNS)
		returns_end(k);
	else
		selfcheck_end(k, "done");
}

/* --- patron check ------------------------------------------------------- */

/*
 * Two flags stop a checkout here (the ILS would refuse every item anyway);
 * the others are worth telling the patron and otherwise left to the ILS to
 * judge item by item.
 */
/* What the ILS says of the account, a line each. */
static void patron_notes(const struct kiosk *k, unsigned flags, struct kiosk_text *t)
{
	static const struct {
		unsigned flag;
		enum msg_id note;
	} notes[] = {
		{ ILS_PATRON_RENEWAL_DENIED, MSG_PATRON_NOTE_RENEWAL_DENIED },
		{ ILS_PATRON_HOLD_DENIED, MSG_PATRON_NOTE_HOLD_DENIED },
		{ ILS_PATRON_TOO_MANY_CHARGED, MSG_PATRON_NOTE_TOO_MANY_CHARGED },
		{ ILS_PATRON_TOO_MANY_OVERDUE, MSG_PATRON_NOTE_TOO_MANY_OVERDUE },
		{ ILS_PATRON_RECALL_OVERDUE, MSG_PATRON_NOTE_RECALL_OVERDUE },
		{ ILS_PATRON_EXCESSIVE_FINES, MSG_PATRON_NOTE_EXCESSIVE_FINES },
		{ ILS_PATRON_EXCESSIVE_FEES, MSG_PATRON_NOTE_EXCESSIVE_FEES },
		{ ILS_PATRON_TOO_MANY_LOST, MSG_PATRON_NOTE_TOO_MANY_LOST },
	};

	for (size_t i = 0; i < ARRAY_SIZE(notes); i++)
		if (flags & notes[i].flag)
			kiosk_text_line(k, t, notes[i].note, NULL);
}

static void patron_answered(struct kiosk *k, int err, const struct ils_patron *p)
{
	struct kiosk_text hello = { "" };
	unsigned i;

	if (k->state != KIOSK_CHECKING)
		return;
	if (err == -EBADMSG) {
		log_warning("patron check: malformed reply; continuing offline");
		selfcheck_offline_session(k);
		return;
	}
	if (err < 0) {
		log_notice("patron check: no answer from the ILS (%s); continuing offline",
			   strerror(-err));
		selfcheck_offline_session(k);
		return;
	}
	if (p->known_said && !p->known) {
		log_info("patron %s: unknown to the ILS", mask_patron(k->patron).s);
		cache_patron(k, k->patron, false);
		session_clear(k);
		kiosk_refuse(k, MSG_SCAN_UNKNOWN_CARD, NULL);
		return;
	}
	/* The ILS's word on the PIN only means something when the patron typed one. */
	if (k->cfg->require_pin && p->pin_said && !p->pin_ok) {
		log_info("patron %s: wrong PIN", mask_patron(k->patron).s);
		explicit_bzero(k->pin, sizeof(k->pin));
		if (++k->pin_tries >= PIN_TRIES) {
			session_clear(k);
			kiosk_refuse(k, MSG_PATRON_PIN_WRONG, NULL);
			return;
		}
		kiosk_enter(k, KIOSK_PIN);
		kiosk_refuse(k, MSG_PATRON_PIN_RETRY, NULL);
		return;
	}
	if (p->flags & (ILS_PATRON_CHARGE_DENIED | ILS_PATRON_CARD_LOST)) {
		log_info("patron %s: blocked by the ILS", mask_patron(k->patron).s);
		cache_patron(k, k->patron, false);
		session_clear(k);
		kiosk_refuse_ils(k, p->screen, MSG_PATRON_BLOCKED);
		return;
	}
	cache_patron(k, k->patron, true);
	k->n_charged = 0;
	for (i = 0; i < p->n_charged && i < SESSION_CHARGED_MAX; i++)
		snprintf(k->charged[k->n_charged++], sizeof(k->charged[0]), "%s", p->charged[i]);
	/* Spoken from the greeting on, when the library wants it and a catalog has it. */
	if (k->cfg->language_from_ils && messages_have(k->env.messages, p->language))
		snprintf(k->language, sizeof(k->language), "%s", p->language);
	if (p->name[0])
		kiosk_text_add(k, &hello, MSG_PATRON_HELLO_NAMED, MSG_ARGS({ "name", p->name }));
	else
		kiosk_text_add(k, &hello, MSG_PATRON_HELLO, NULL);
	kiosk_text_words(&hello, p->screen);
	patron_notes(k, p->flags, &hello);
	kiosk_enter(k, KIOSK_ITEMS);
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_show(k, DISPLAY_INFO, &hello);
}

/* Every way out of patron_answered() leaves KIOSK_CHECKING, and so the wait. */
static void on_patron(void *data, int err, const struct ils_patron *p)
{
	struct kiosk *k = data;

	patron_answered(k, err, p);
	end_if_requested(k);
}

void online_check_patron(struct kiosk *k)
{
	struct ils_patron_req req = { .patron = k->patron, .pin = k->pin,
				      .language = k->cfg->language };
	int r;

	r = k->env.ils->ops->check_patron(k->env.ils, &req, on_patron, k);
	if (r < 0) {
		selfcheck_offline_session(k);
		return;
	}
	kiosk_enter(k, KIOSK_CHECKING);
	kiosk_say(k, DISPLAY_INFO, MSG_PATRON_CHECKING, NULL);
}

/* --- transactions ------------------------------------------------------- */

/*
 * Records what the ILS answered. Lazily: only the forwarded mark had to be
 * durable before the request went out. An outcome lost with a power cut
 * leaves the transaction forwarded, and store-and-forward asks the ILS
 * what it did. told: the patron has heard OK already, so a failure here is
 * staff's (logged, in circctl status), not the patron's.
 */
static bool finish_live(struct kiosk *k, enum txn_state state, const char *result,
			const char *evidence, const struct ils_circ *o, bool told)
{
	struct store_ils_said said = { o->screen, o->print };
	struct store_outcome outcome;
	int r;

	store_outcome_set(&outcome, k->live.id, state, result, evidence, o->title, NULL, &said);
	outcome.seq = k->live.seq;
	r = store_record_outcomes(k->store, &outcome, 1, loop_wall_ms(k->env.loop));
	if (r < 0 && told) {
		log_warning("store: cannot record the ILS's answer for item %s (%s): "
			    "store-and-forward asks the ILS", k->live.item, store_strerror(k->store));
		snprintf(k->last_error, sizeof(k->last_error), "cannot record the ILS's answer: %s",
			 store_strerror(k->store));
	} else if (r < 0) {
		kiosk_store_failed(k, r, "cannot record the ILS's answer");
	}
	return r >= 0;
}

/*
 * No answer: serve the patron offline if the policy allows it, else say it
 * did not go through. Either way store-and-forward settles it with the ILS.
 */
static void live_unanswered(struct kiosk *k, int err)
{
	bool checkout = k->live.kind == TXN_CHECKOUT;
	int64_t due = kiosk_offline_due_ms(k);
	bool allowed = checkout ? k->cfg->offline_policy == OFFLINE_CHECKIN_CHECKOUT &&
					  (!k->cfg->offline_max_items ||
					   k->n_items < k->cfg->offline_max_items) :
				  k->live.kind == TXN_CHECKIN &&
					  k->cfg->offline_policy != OFFLINE_NONE;
	int r;

	log_notice("%s of %s: no answer from the ILS (%s)", txn_kind_name(k->live.kind),
		   k->live.item, strerror(-err));
	kiosk_queued(k);
	if (!allowed) {
		/* Durable before the patron hears it: the conflict text if the ILS did apply it. */
		if (store_note_patron_told(k->store, k->live.id, TXN_TOLD_NOT_DONE) < 0)
			log_warning("store: cannot record what the patron was told");
		kiosk_refuse(k, MSG_LINK_NO_ANSWER, NULL);
		return;
	}
	r = store_demote_offline(k->store, k->live.id, checkout ? due : 0, loop_wall_ms(k->env.loop));
	if (r < 0) {
		kiosk_store_failed(k, r, "cannot queue the transaction offline");
		return;
	}
	if (checkout)
		selfcheck_confirmed(k, k->live.item, "", due, NULL, CONFIRM_OFFLINE);
	else
		returns_confirmed(k, k->live.item, NULL, CONFIRM_OFFLINE);
}

static void live_answered(struct kiosk *k, int err, const struct ils_circ *o)
{
	bool checkin = k->live.kind == TXN_CHECKIN;
	char evidence[64];

	if (err < 0) {
		live_unanswered(k, err);
		return;
	}
	snprintf(evidence, sizeof(evidence), "%s ok=%d%s", o->answer, o->ok,
		 checkin && o->resensitize ? " resensitize" : "");
	if (!o->ok) {
		if (finish_live(k, TXN_FAILED, o->screen, evidence, o, false))
			kiosk_refuse_ils(k, o->screen, checkin ? MSG_RETURN_REFUSED :
								       MSG_CHECKOUT_NOT_ALLOWED);
		return;
	}
	/*
	 * Applied at the ILS: the patron hears it first, and the answer is
	 * recorded after, off the scan-to-OK path (nothing the patron was told
	 * rests on that record: a lost one is verified with the ILS).
	 */
	if (checkin)
		returns_confirmed(k, k->live.item, o, CONFIRM_ONLINE);
	else
		selfcheck_confirmed(k, k->live.item, o->title, 0, o->due_text,
				    k->live.kind == TXN_RENEW ? CONFIRM_RENEWED : CONFIRM_ONLINE);
	finish_live(k, TXN_CONFIRMED, checkin ? o->screen : o->due_text, evidence, o, true);
}

/*
 * The live transaction's journal row and mark on the disk. A failure is
 * staff's: the ILS has the request (a journal that cannot be synced also
 * stops the next recording, so the kiosk goes out of service after this).
 */
static void settle(struct kiosk *k)
{
	int r = store_settle(k->store);

	if (r < 0)
		log_warning("store: cannot write the transaction of item %s or its high-water mark "
			    "to the disk (%s)", k->live.item, strerror(-r));
}

static void on_live(void *data, int err, const struct ils_circ *o)
{
	struct kiosk *k = data;

	/* Written back while the ILS worked: on the disk before the patron hears anything. */
	settle(k);
	if (k->state == KIOSK_ANSWERING)
		kiosk_enter(k, KIOSK_ITEMS);
	live_answered(k, err, o);
	end_if_requested(k);
}

/*
 * Records the transaction (online, forwarded) and sends it. Returns 0 when
 * the answer will come through on_live(); < 0 when nothing was sent and the
 * caller may fall back to offline.
 */
int online_transact(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item)
{
	struct ils *ils = k->env.ils;
	struct ils_circ_req req = { .patron = patron, .item = item };
	int r;

	/*
	 * Recorded as forwarded, in one commit whose sync waits until the
	 * request is out: only the record must be durable before the patron
	 * hears OK (after a power cut in between, the ILS has the transaction
	 * and the patron heard nothing).
	 */
	r = kiosk_record_txn(k, kind, patron, item, 0, TXN_ONLINE, &k->live);
	if (r < 0)
		return r; /* the patron has been told */
	req.wall_ms = k->live.wall_ms;
	if (kind == TXN_CHECKIN) {
		sync_note_sent(k->store, &k->live); /* before it goes: store-sent.h */
		r = ils->ops->checkin(ils, ILS_LANE_LIVE, &req, on_live, k);
	} else {
		req.pin = k->pin;
		r = (kind == TXN_RENEW ? ils->ops->renew : ils->ops->checkout)(ils, ILS_LANE_LIVE,
									      &req, on_live, k);
	}
	/* Out (or queued behind the link): the disk works while the ILS does. */
	settle(k);
	if (r < 0) {
		live_unanswered(k, r);
		return 0;
	}
	kiosk_enter(k, KIOSK_ANSWERING);
	return 0;
}

/* Tell the ILS the patron is done (nothing depends on the answer). */
void online_end_session(struct kiosk *k)
{
	if (!kiosk_online(k) || !k->patron[0])
		return;
	k->env.ils->ops->end_session(k->env.ils, k->patron);
}
