/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kiosk while the ILS is reachable: patrons are checked with 23/63,
 * items go out with 11, in with 09, renew with 29 -- each recorded in the
 * journal as forwarded BEFORE it is sent, and finished in the store BEFORE
 * the patron hears the outcome: two commits per transaction.
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
#include "ossl.h"
#include "sip2-client.h"

#define PIN_TRIES 3

/* --- patron cache: salted hashes and a flag, never ids or PINs ---------- */

static int patron_key(struct kiosk *k, const char *patron, uint8_t key[STORE_KEY_HASH_LEN])
{
	uint8_t salt[STORE_SALT_LEN];
	unsigned len = 32;
	EVP_MD_CTX *ctx;
	int r;

	r = ossl_load();
	if (r < 0)
		return r;
	r = store_patron_salt(k->store, salt);
	if (r < 0)
		return r;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	r = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, salt, sizeof(salt)) &&
	    EVP_DigestUpdate(ctx, patron, strlen(patron)) && EVP_DigestFinal_ex(ctx, key, &len);
	EVP_MD_CTX_free(ctx);
	return r ? 0 : -EIO;
}

static void cache_patron(struct kiosk *k, const char *patron, bool allowed)
{
	uint8_t key[STORE_KEY_HASH_LEN];
	int64_t now = loop_wall_ms(k->env.loop);

	if (!k->store || !k->cfg->patron_cache_hours || patron_key(k, patron, key) < 0)
		return;
	if (store_patron_cache_put(k->store, key, allowed, now,
				   now + (int64_t)k->cfg->patron_cache_hours * 3600000) < 0)
		log_warning("patron cache: cannot store a result");
}

/* Offline: a patron the ILS refused recently is refused here too. */
bool online_patron_blocked_offline(struct kiosk *k, const char *patron)
{
	struct store_patron_cached cached;
	uint8_t key[STORE_KEY_HASH_LEN];

	if (!k->store || patron_key(k, patron, key) < 0)
		return false;
	if (store_patron_cache_get(k->store, key, &cached) < 0)
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
	if (!k->waiting)
		return;
	log_notice("the ILS did not answer within %u s: serving the patron without it",
		   k->cfg->sip2.patron_wait_s);
	sip2_client_cancel(k->env.client, k->waiting_for, k);
}

static void wait_begin(struct kiosk *k, sip2_reply_fn done)
{
	k->waiting = true;
	k->waiting_for = done;
	loop_timer_disarm(k->env.loop, &k->session_timer);
	loop_timer_arm(k->env.loop, &k->patron_wait_timer,
		       (uint64_t)k->cfg->sip2.patron_wait_s * 1000u);
}

static void wait_end(struct kiosk *k)
{
	k->waiting = false;
	loop_timer_disarm(k->env.loop, &k->patron_wait_timer);
	if (k->state != KIOSK_IDLE)
		session_touch(k);
}

/* The patron pressed Done while the ILS was answering: now that it has, end. */
static void end_if_requested(struct kiosk *k)
{
	if (!k->end_requested || k->waiting)
		return;
	k->end_requested = false;
	if (k->cfg->mode == KIOSK_RETURNS)
		returns_end(k);
	else
		selfcheck_end(k, "done");
}

/* --- patron check ------------------------------------------------------- */

static int build_patron(void *data, const struct sip2_profile *p, int seq, char *out, size_t size,
			size_t *len)
{
	struct kiosk *k = data;
	time_t now = (time_t)(loop_wall_ms(k->env.loop) / 1000);

	if (k->cfg->sip2.patron_message == 63) {
		struct sip2_patron_info_req req = {
			.language = 1,
			.date = now,
			.summary = SIP2_SUMMARY_CHARGED_ITEMS,
			.patron_id = k->patron,
			.patron_password = k->pin,
			.start_item = 1,
			.end_item = SESSION_CHARGED_MAX,
		};

		return sip2_encode_patron_info(p, seq, &req, out, size, len);
	} else {
		struct sip2_patron_status_req req = {
			.language = 1,
			.date = now,
			.patron_id = k->patron,
			.patron_password = k->pin,
		};

		return sip2_encode_patron_status(p, seq, &req, out, size, len);
	}
}

static void screen_text(const struct sip2_list *screen, char *out, size_t size)
{
	size_t used = 0;
	unsigned i;

	out[0] = 0;
	for (i = 0; i < screen->n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "\n" : "",
					 screen->v[i]);
}

/*
 * The 14 patron status flags: two of them stop a checkout here (the ILS
 * would refuse every item anyway); the others are worth telling the patron
 * and otherwise left to the ILS to judge item by item.
 */
static void patron_notes(const struct sip2_patron_status *st, char *out, size_t size)
{
	static const struct {
		enum sip2_patron_flag flag;
		const char *note;
	} notes[] = {
		{ SIP2_PF_RENEWAL_DENIED, "Renewals are not available on your card." },
		{ SIP2_PF_HOLD_DENIED, "Holds are not available on your card." },
		{ SIP2_PF_TOO_MANY_CHARGED, "You have reached your loan limit." },
		{ SIP2_PF_TOO_MANY_OVERDUE, "You have overdue items." },
		{ SIP2_PF_RECALL_OVERDUE, "A recalled item is overdue." },
		{ SIP2_PF_EXCESSIVE_FINES, "You have outstanding fines." },
		{ SIP2_PF_EXCESSIVE_FEES, "You have outstanding fees." },
		{ SIP2_PF_TOO_MANY_LOST, "Your account has lost items." },
	};
	size_t used = 0, i;

	out[0] = 0;
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]) && used < size; i++)
		if (st->flags[notes[i].flag])
			used += (size_t)snprintf(out + used, size - used, "\n%s", notes[i].note);
}

static void patron_answered(struct kiosk *k, int err, const struct sip2_msg *msg)
{
	struct sip2_patron_info info;
	struct sip2_patron_status *st = &info.status;
	char screen[512], notes[256];
	unsigned i;
	int r;

	if (k->state != KIOSK_CHECKING)
		return;
	if (err < 0) {
		log_notice("patron check: no answer from the ILS (%s); continuing offline",
			   strerror(-err));
		selfcheck_offline_session(k);
		return;
	}
	memset(&info, 0, sizeof(info));
	r = msg->code == 64 ? sip2_parse_patron_info(msg, &info) :
			      sip2_parse_patron_status(msg, st);
	if (r < 0) {
		log_warning("patron check: malformed reply; continuing offline");
		selfcheck_offline_session(k);
		return;
	}
	screen_text(&st->screen_msg, screen, sizeof(screen));
	if (st->valid_patron_present && !st->valid_patron) {
		log_info("patron %s: unknown to the ILS", mask_patron(k->patron).s);
		cache_patron(k, k->patron, false);
		session_clear(k);
		kiosk_refuse(k, "This card is not recognised. Please see staff.");
		return;
	}
	/* CQ only means something when the patron typed a PIN. */
	if (k->cfg->require_pin && st->valid_password_present && !st->valid_password) {
		log_info("patron %s: wrong PIN", mask_patron(k->patron).s);
		explicit_bzero(k->pin, sizeof(k->pin));
		if (++k->pin_tries >= PIN_TRIES) {
			session_clear(k);
			kiosk_refuse(k, "The PIN was not correct. Please see staff.");
			return;
		}
		k->state = KIOSK_PIN;
		session_touch(k);
		kiosk_refuse(k, "The PIN was not correct. Please try again.");
		return;
	}
	if (st->flags[SIP2_PF_CHARGE_DENIED] || st->flags[SIP2_PF_CARD_LOST]) {
		log_info("patron %s: blocked by the ILS", mask_patron(k->patron).s);
		cache_patron(k, k->patron, false);
		session_clear(k);
		kiosk_refuse(k, "%s", screen[0] ? screen :
				"Your card cannot be used to borrow right now. Please see staff.");
		return;
	}
	cache_patron(k, k->patron, true);
	k->n_charged = 0;
	for (i = 0; i < info.charged_items.n && i < SESSION_CHARGED_MAX; i++)
		snprintf(k->charged[k->n_charged++], sizeof(k->charged[0]), "%s",
			 info.charged_items.v[i]);
	patron_notes(st, notes, sizeof(notes));
	k->state = KIOSK_ITEMS;
	session_touch(k);
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_say(k, DISPLAY_INFO, "Hello%s%s! Scan your items one at a time. Press Done when you "
				   "have finished.%s%s%s",
		  st->personal_name[0] ? ", " : "", st->personal_name, screen[0] ? "\n" : "",
		  screen, notes);
}

static void on_patron(void *data, int err, const struct sip2_msg *msg)
{
	struct kiosk *k = data;

	wait_end(k);
	patron_answered(k, err, msg);
	end_if_requested(k);
}

void online_check_patron(struct kiosk *k)
{
	int r;

	k->state = KIOSK_CHECKING;
	r = sip2_client_request(k->env.client, SIP2_LANE_LIVE, k->cfg->sip2.patron_message == 63 ?
				"64" : "24", build_patron, k, on_patron, k);
	if (r < 0) {
		selfcheck_offline_session(k);
		return;
	}
	wait_begin(k, on_patron);
	kiosk_say(k, DISPLAY_INFO, "Checking your card...");
}

/* --- transactions ------------------------------------------------------- */

static int build_live(void *data, const struct sip2_profile *p, int seq, char *out, size_t size,
		      size_t *len)
{
	struct kiosk *k = data;
	const struct txn *t = &k->live;
	time_t when = (time_t)(t->wall_ms / 1000);

	switch (t->kind) {
	case TXN_CHECKOUT: {
		struct sip2_checkout_req req = { .date = when, .patron_id = t->patron,
						 .item_id = t->item, .patron_password = k->pin };

		return sip2_encode_checkout(p, seq, &req, out, size, len);
	}
	case TXN_RENEW: {
		struct sip2_renew_req req = { .date = when, .patron_id = t->patron,
					      .item_id = t->item, .patron_password = k->pin };

		return sip2_encode_renew(p, seq, &req, out, size, len);
	}
	default: {
		struct sip2_checkin_req req = { .date = when, .return_date = when,
						.item_id = t->item };

		return sip2_encode_checkin(p, seq, &req, out, size, len);
	}
	}
}

static bool finish_live(struct kiosk *k, enum txn_state state, const char *result,
			const char *evidence, const char *title, const struct sip2_list *screen,
			const struct sip2_list *print)
{
	char screen_msg[TXN_ILS_TEXT_MAX], print_line[TXN_ILS_TEXT_MAX];
	struct store_ils_said said = { screen_msg, print_line };
	int r;

	sip2_list_join(screen, screen_msg, sizeof(screen_msg));
	sip2_list_join(print, print_line, sizeof(print_line));
	r = store_finish_said(k->store, k->live.id, state, result, evidence, title, 0,
			      loop_wall_ms(k->env.loop), NULL, &said);

	if (r < 0) {
		kiosk_store_failed(k, r, "cannot record the ILS's answer");
		return false;
	}
	return true;
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
		kiosk_refuse(k, "The library system did not answer, so this did not go through. "
				"Please try again, or see staff.");
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

static void on_live_checkout(struct kiosk *k, const struct sip2_msg *msg)
{
	struct sip2_checkout_resp resp;
	char screen[512], evidence[64];
	bool renew = k->live.kind == TXN_RENEW;

	if ((renew ? sip2_parse_renew(msg, &resp) : sip2_parse_checkout(msg, &resp)) < 0) {
		live_unanswered(k, -EBADMSG);
		return;
	}
	screen_text(&resp.screen_msg, screen, sizeof(screen));
	snprintf(evidence, sizeof(evidence), "%s ok=%d", msg->code_str, resp.ok);
	if (!finish_live(k, resp.ok ? TXN_CONFIRMED : TXN_FAILED, resp.ok ? resp.due_date : screen,
			 evidence, resp.title, &resp.screen_msg, &resp.print_line))
		return;
	if (!resp.ok) {
		kiosk_refuse(k, "%s", screen[0] ? screen :
				"The library system did not allow this. Please see staff.");
		return;
	}
	selfcheck_confirmed(k, k->live.item, resp.title, 0, resp.due_date,
			    renew ? CONFIRM_RENEWED : CONFIRM_ONLINE);
}

static void live_answered(struct kiosk *k, int err, const struct sip2_msg *msg)
{
	char screen[512], evidence[64];

	if (err < 0) {
		live_unanswered(k, err);
		return;
	}
	if (k->live.kind == TXN_CHECKIN) {
		struct sip2_checkin_resp resp;

		if (sip2_parse_checkin(msg, &resp) < 0) {
			live_unanswered(k, -EBADMSG);
			return;
		}
		screen_text(&resp.screen_msg, screen, sizeof(screen));
		snprintf(evidence, sizeof(evidence), "10 ok=%d%s", resp.ok,
			 resp.resensitize ? " resensitize" : "");
		if (!finish_live(k, resp.ok ? TXN_CONFIRMED : TXN_FAILED, screen, evidence,
				 resp.title, &resp.screen_msg, &resp.print_line))
			return;
		if (!resp.ok) {
			kiosk_refuse(k, "%s", screen[0] ? screen :
					"This item cannot be returned here. Please see staff.");
			return;
		}
		returns_confirmed(k, k->live.item, &resp, CONFIRM_ONLINE);
		return;
	}
	on_live_checkout(k, msg);
}

static void on_live(void *data, int err, const struct sip2_msg *msg)
{
	struct kiosk *k = data;

	wait_end(k);
	live_answered(k, err, msg);
	end_if_requested(k);
}

/*
 * Records the transaction (online, forwarded) and sends it. Returns 0 when
 * the answer will come through on_live(); < 0 when nothing was sent and the
 * caller may fall back to offline.
 */
int online_transact(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item)
{
	int r;

	/* Recorded as forwarded: durable before the request goes out, in one commit. */
	r = kiosk_record_txn(k, kind, patron, item, 0, TXN_ONLINE, &k->live);
	if (r < 0)
		return r; /* the patron has been told */
	r = sip2_client_request(k->env.client, SIP2_LANE_LIVE, kind == TXN_CHECKOUT ? "12" :
				kind == TXN_RENEW ? "30" : "10", build_live, k, on_live, k);
	if (r < 0) {
		live_unanswered(k, r);
		return 0;
	}
	wait_begin(k, on_live);
	return 0;
}

static int build_end_session(void *data, const struct sip2_profile *p, int seq, char *out,
			     size_t size, size_t *len)
{
	struct kiosk *k = data;
	struct sip2_end_session_req req = {
		.date = (time_t)(loop_wall_ms(k->env.loop) / 1000),
		.patron_id = k->ending_patron,
	};

	return sip2_encode_end_session(p, seq, &req, out, size, len);
}

static void on_end_session(void *data, int err, const struct sip2_msg *msg)
{
	struct kiosk *k = data;

	(void)msg;
	explicit_bzero(k->ending_patron, sizeof(k->ending_patron));
	if (err < 0)
		log_debug("end session: %s", strerror(-err));
}

/* 35: tell the ILS the patron is done (nothing depends on the answer). */
void online_end_session(struct kiosk *k)
{
	if (!kiosk_online(k) || !k->patron[0])
		return;
	snprintf(k->ending_patron, sizeof(k->ending_patron), "%s", k->patron);
	if (sip2_client_request(k->env.client, SIP2_LANE_LIVE, "36", build_end_session, k,
				on_end_session, k) < 0)
		explicit_bzero(k->ending_patron, sizeof(k->ending_patron));
}
