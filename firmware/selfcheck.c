/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-checkout: idle -> card (-> PIN) -> items, one at a time, each
 * validated, recorded, then confirmed -> session end with a receipt.
 *
 * Until circd talks to the ILS every loan is an offline loan: the offline
 * policy decides whether borrowing is allowed at all, how many items one
 * session may take, and the due date the patron is given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kiosk-private.h"

#define DAY_MS (24LL * 60 * 60 * 1000)

static void start_session(struct kiosk *k, const char *patron)
{
	if (!k->online && k->cfg->offline_policy != OFFLINE_CHECKIN_CHECKOUT) {
		kiosk_refuse(k, "Borrowing is unavailable while the library system is offline. "
				"Please see staff, or try again later.");
		return;
	}
	session_begin(k, patron);
	log_info("session started for patron %s", mask_patron(patron).s);
	if (k->cfg->require_pin) {
		k->state = KIOSK_PIN;
		kiosk_say(k, DISPLAY_INFO, "Please enter your PIN.");
		return;
	}
	k->state = KIOSK_ITEMS;
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_say(k, DISPLAY_INFO, "Hello! Scan your items one at a time. Press Done when you "
				   "have finished.%s",
		  k->online ? "" : "\nThe library system is offline: your loans are recorded "
				   "here and sent to the library later.");
}

void selfcheck_pin(struct kiosk *k, const char *pin)
{
	/*
	 * Offline there is nothing to check a PIN against (the offline patron
	 * cache comes with the ILS link); it is held for the session only.
	 */
	snprintf(k->pin, sizeof(k->pin), "%s", pin);
	k->state = KIOSK_ITEMS;
	session_touch(k);
	kiosk_play(k, FEEDBACK_NOTICE);
	kiosk_say(k, DISPLAY_INFO, "Thank you. Scan your items one at a time. Press Done when you "
				   "have finished.");
}

static void checkout(struct kiosk *k, const char *item)
{
	struct store_loan loan;
	char due[16];
	int64_t due_ms;
	int r;

	session_touch(k);
	if (session_has_item(k, item)) {
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, "Already checked out: %s", item);
		return;
	}
	if (!kiosk_store_usable(k))
		return;
	if (!k->online && k->cfg->offline_max_items && k->n_items >= k->cfg->offline_max_items) {
		kiosk_refuse(k, "While the library system is offline you can borrow up to %u items "
				"at a time. Please see staff for more.",
			     k->cfg->offline_max_items);
		return;
	}
	r = store_loan_get(k->store, item, &loan);
	if (r == 0 && strcmp(loan.patron, k->patron) != 0) {
		log_notice("item %s refused: on loan to another patron", item);
		kiosk_refuse(k, "This item is already on loan. Please take it to the staff desk.");
		return;
	}
	if (r == 0) {
		format_date(loan.due_ms, due, sizeof(due));
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, "You already have %s, due %s.", item, due);
		return;
	}
	if (r != -ENOENT) {
		kiosk_store_failed(k, r, "cannot look up loan");
		return;
	}

	due_ms = loop_wall_ms(k->env.loop) + (int64_t)k->cfg->offline_loan_days * DAY_MS;
	if (kiosk_record(k, TXN_CHECKOUT, k->patron, item, due_ms) < 0)
		return;
	/* Recorded durably: from here on the patron may rely on it. */
	if (session_add_item(k, item, due_ms) < 0)
		log_warning("receipt will miss item %s: out of memory", item);
	format_date(due_ms, due, sizeof(due));
	kiosk_play(k, FEEDBACK_OK);
	kiosk_say(k, DISPLAY_OK, "Checked out: %s\nDue back %s", item, due);
}

void selfcheck_end(struct kiosk *k, const char *why)
{
	char receipt[1024];
	size_t used;
	unsigned i;

	if (k->state == KIOSK_IDLE)
		return;
	log_info("session ended (%s): %u items", why, k->n_items);
	if (k->state == KIOSK_ITEMS) {
		used = (size_t)snprintf(receipt, sizeof(receipt),
					"Thank you! You borrowed %u item%s.", k->n_items,
					k->n_items == 1 ? "" : "s");
		for (i = 0; i < k->n_items && used < sizeof(receipt); i++) {
			char due[16];

			format_date(k->items[i].due_ms, due, sizeof(due));
			used += (size_t)snprintf(receipt + used, sizeof(receipt) - used,
						 "\n%s  due %s", k->items[i].item, due);
		}
		session_clear(k);
		kiosk_say(k, DISPLAY_RECEIPT, "%s", receipt);
	} else {
		session_clear(k);
		kiosk_say(k, DISPLAY_INFO, "Session ended.");
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
			kiosk_say(k, DISPLAY_NOTICE, k->state == KIOSK_PIN ?
					"Please enter your PIN." :
					"You are signed in. Scan your items, or press Done.");
		} else if (k->state == KIOSK_PIN) {
			/* Nobody has been served yet: the newest card wins. */
			start_session(k, symbol);
		} else {
			session_touch(k);
			kiosk_refuse(k, "Another card is signed in. Press Done to finish that "
					"session first.");
		}
		break;
	case BARCODE_ITEM:
		if (k->state == KIOSK_ITEMS)
			checkout(k, symbol);
		else if (k->state == KIOSK_PIN)
			kiosk_refuse(k, "Please enter your PIN first.");
		else
			kiosk_refuse(k, "Please scan your library card first.");
		break;
	case BARCODE_DONE:
		selfcheck_end(k, "done barcode");
		break;
	default:
		break;
	}
}
