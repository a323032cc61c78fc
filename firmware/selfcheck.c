/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-checkout: idle -> card (-> PIN) -> the ILS checks the card -> items,
 * one at a time, each validated, recorded, then confirmed -> session end
 * with a receipt.
 *
 * Offline, the offline policy decides whether borrowing is allowed at all,
 * how many items one session may take, and the due date the patron is
 * given; a card the ILS refused recently is refused offline too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kiosk-private.h"
#include "patron-id.h"


void selfcheck_offline_session(struct kiosk *k)
{
	struct kiosk_text hello = { "" };

	if (k->cfg->offline_policy != OFFLINE_CHECKIN_CHECKOUT) {
		session_clear(k);
		kiosk_refuse(k, MSG_CHECKOUT_OFFLINE_OFF, NULL);
		return;
	}
	if (online_patron_blocked_offline(k, k->patron)) {
		log_info("patron %s refused offline: refused by the ILS recently",
			 mask_patron(k->patron).s);
		session_clear(k);
		kiosk_refuse(k, MSG_PATRON_BLOCKED, NULL);
		return;
	}
	kiosk_enter(k, KIOSK_ITEMS);
	session_touch(k);
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_text_add(k, &hello, MSG_PATRON_HELLO, NULL);
	kiosk_text_line(k, &hello,
			k->cfg->offline_max_items ? MSG_PATRON_OFFLINE_LIMITED : MSG_PATRON_OFFLINE,
			NULL);
	kiosk_show(k, DISPLAY_INFO, &hello);
}

static void start_session(struct kiosk *k, const char *patron)
{
	session_begin(k, patron);
	log_info("session started for patron %s", mask_patron(patron).s);
	if (k->cfg->require_pin) {
		kiosk_enter(k, KIOSK_PIN);
		kiosk_say(k, DISPLAY_INFO, MSG_PATRON_PIN, NULL);
		return;
	}
	if (kiosk_online(k))
		online_check_patron(k);
	else
		selfcheck_offline_session(k);
}

void selfcheck_pin(struct kiosk *k, const char *pin)
{
	/*
	 * Held for the session only, for the ILS to check; offline there is
	 * nothing to check it against, so it only proves a keypad was used.
	 */
	snprintf(k->pin, sizeof(k->pin), "%s", pin);
	session_touch(k);
	if (kiosk_online(k))
		online_check_patron(k);
	else
		selfcheck_offline_session(k);
}

void selfcheck_confirmed(struct kiosk *k, const char *item, const char *title, int64_t due_ms,
			 const char *due_text, enum confirm_how how)
{
	struct kiosk_text what = { "" }, t = { "" };
	char due[64];

	kiosk_due_text(k, due_text, due_ms, due, sizeof(due));
	/* Recorded durably: from here on the patron may rely on it. */
	if (session_add_item(k, item, title, due) < 0)
		log_warning("receipt will miss item %s: out of memory", item);
	else
		k->items[k->n_items - 1].offline = how == CONFIRM_OFFLINE;
	kiosk_rfid_confirmed(k, item);
	kiosk_play(k, FEEDBACK_OK);
	if (title && *title)
		kiosk_text_add(k, &what, MSG_CHECKOUT_TITLED,
			       MSG_ARGS({ "title", title }, { "item", item }));
	else
		kiosk_text_words(&what, item);
	kiosk_text_add(k, &t, how == CONFIRM_RENEWED ? MSG_CHECKOUT_RENEWED : MSG_CHECKOUT_DONE,
		       MSG_ARGS({ "what", what.s }));
	if (due[0])
		kiosk_text_line(k, &t, MSG_CHECKOUT_DUE, MSG_ARGS({ "due", due }));
	kiosk_show(k, DISPLAY_OK, &t);
}

static bool on_loan_here(struct kiosk *k, const char *item)
{
	struct store_loan loan;
	char due[64];
	int r = store_loan_get(k->store, item, &loan);

	if (r == -ENOENT)
		return false;
	if (r < 0) {
		kiosk_store_failed(k, r, "cannot look up loan");
		return true;
	}
	if (strcmp(loan.patron, k->patron) != 0) {
		log_notice("item %s refused: on loan to another patron", item);
		kiosk_refuse(k, MSG_CHECKOUT_ON_LOAN, NULL);
		return true;
	}
	kiosk_due_text(k, NULL, loan.due_ms, due, sizeof(due));
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_say(k, DISPLAY_NOTICE, MSG_CHECKOUT_YOURS_ALREADY,
		  MSG_ARGS({ "item", item }, { "due", due }));
	return true;
}

static bool charged_to_patron(const struct kiosk *k, const char *item)
{
	unsigned i;

	for (i = 0; i < k->n_charged; i++)
		if (strcmp(k->charged[i], item) == 0)
			return true;
	return false;
}

/* Borrowed already in this session: the patron is reminded. */
static bool in_session(struct kiosk *k, const char *item)
{
	if (!session_has_item(k, item))
		return false;
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_say(k, DISPLAY_NOTICE, MSG_CHECKOUT_ALREADY, MSG_ARGS({ "item", item }));
	return true;
}

/*
 * Offline: whether item may be lent now, with taken items of its stack
 * about to be recorded before it; the patron is told why not.
 */
static bool lendable_offline(struct kiosk *k, const char *item, unsigned taken)
{
	if (k->cfg->offline_policy != OFFLINE_CHECKIN_CHECKOUT) {
		kiosk_refuse(k, MSG_CHECKOUT_OFFLINE_OFF_SHORT, NULL);
		return false;
	}
	if (k->cfg->offline_max_items && k->n_items + taken >= k->cfg->offline_max_items) {
		char max[16];

		snprintf(max, sizeof(max), "%u", k->cfg->offline_max_items);
		kiosk_refuse(k, MSG_CHECKOUT_OFFLINE_LIMIT, MSG_ARGS({ "max", max }));
		return false;
	}
	return !on_loan_here(k, item);
}

static void checkout(struct kiosk *k, const char *item)
{
	int64_t due_ms;

	session_touch(k);
	if (in_session(k, item) || !kiosk_store_usable(k))
		return;
	if (kiosk_online(k)) {
		/* The ILS is the judge online; renewing needs its list of loans (63). */
		bool renew = k->cfg->sip2.renew && charged_to_patron(k, item);

		online_transact(k, renew ? TXN_RENEW : TXN_CHECKOUT, k->patron, item);
		return;
	}
	if (!lendable_offline(k, item, 0))
		return;
	due_ms = kiosk_offline_due_ms(k);
	if (kiosk_record(k, TXN_CHECKOUT, k->patron, item, due_ms) < 0)
		return;
	selfcheck_confirmed(k, item, "", due_ms, NULL, CONFIRM_OFFLINE);
}

void selfcheck_stack(struct kiosk *k, struct kiosk_stack *stack)
{
	unsigned taken = 0;
	int64_t due_ms;

	session_touch(k);
	for (unsigned i = 0; i < stack->n; i++)
		stack->items[i].take = false;
	if (k->state != KIOSK_ITEMS || !kiosk_store_usable(k))
		return;
	for (unsigned i = 0; i < stack->n; i++) {
		struct kiosk_stack_item *it = &stack->items[i];

		it->take = !in_session(k, it->item) && lendable_offline(k, it->item, taken);
		taken += it->take;
	}
	if (!taken)
		return;
	due_ms = kiosk_offline_due_ms(k);
	if (kiosk_record_stack(k, TXN_CHECKOUT, k->patron, due_ms, stack) < 0)
		return;
	/* Recorded durably, all of them: each is the patron's now. */
	for (unsigned i = 0; i < stack->n; i++)
		if (stack->items[i].take)
			selfcheck_confirmed(k, stack->items[i].item, "", due_ms, NULL,
					    CONFIRM_OFFLINE);
}

void selfcheck_end(struct kiosk *k, const char *why)
{
	struct kiosk_text receipt = { "" };
	char count[16];
	unsigned i;

	if (k->state == KIOSK_IDLE)
		return;
	log_info("session ended (%s): %u item%s", why, k->n_items, k->n_items == 1 ? "" : "s");
	if (k->state == KIOSK_ITEMS) {
		snprintf(count, sizeof(count), "%u", k->n_items);
		kiosk_text_add(k, &receipt,
			       kiosk_plural(k, k->n_items, MSG_RECEIPT_BORROWED_ONE,
					    MSG_RECEIPT_BORROWED_OTHER),
			       MSG_ARGS({ "count", count }));
		for (i = 0; i < k->n_items; i++)
			kiosk_text_line(k, &receipt,
					k->items[i].title[0] ? MSG_RECEIPT_LINE_TITLED :
							       MSG_RECEIPT_LINE,
					MSG_ARGS({ "title", k->items[i].title },
						 { "item", k->items[i].item },
						 { "due", k->items[i].due }));
		/* Every item is recorded by now; the session still holds them for the paper. */
		if (kiosk_receipt_print(k) < 0)
			kiosk_text_line(k, &receipt, MSG_RECEIPT_UNAVAILABLE, NULL);
		online_end_session(k);
		session_clear(k);
		kiosk_show(k, DISPLAY_RECEIPT, &receipt);
		kiosk_receipt_done(k);
	} else {
		session_clear(k);
		kiosk_say(k, DISPLAY_INFO, MSG_PATRON_SESSION_ENDED, NULL);
	}
	kiosk_welcome_later(k);
}

void selfcheck_scan(struct kiosk *k, enum barcode_class cls, const char *symbol)
{
	switch (cls) {
	case BARCODE_PATRON:
		if (k->state == KIOSK_IDLE) {
			if (kiosk_store_usable(k))
				start_session(k, symbol);
		} else if (strcmp(symbol, k->patron) == 0) {
			session_touch(k);
			kiosk_play(k, FEEDBACK_NOTICE);
			kiosk_say(k, DISPLAY_NOTICE,
				  k->state == KIOSK_PIN ? MSG_PATRON_PIN : MSG_PATRON_SIGNED_IN, NULL);
		} else if (k->state == KIOSK_PIN) {
			/* Nobody has been served yet: the newest card wins. */
			start_session(k, symbol);
		} else {
			session_touch(k);
			kiosk_refuse(k, MSG_PATRON_OTHER_CARD, NULL);
		}
		break;
	case BARCODE_ITEM:
		if (k->state == KIOSK_ITEMS)
			checkout(k, symbol);
		else if (k->state == KIOSK_PIN)
			kiosk_refuse(k, MSG_PATRON_PIN_FIRST, NULL);
		else
			kiosk_refuse(k, MSG_PATRON_CARD_FIRST, NULL);
		break;
	case BARCODE_DONE:
		selfcheck_end(k, "done barcode");
		break;
	default:
		break;
	}
}
