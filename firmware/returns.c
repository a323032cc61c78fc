/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The returns bin: item -> recorded -> flap released, OK lamp and beep.
 * Consecutive returns within the inactivity timeout form a session, so a
 * repeated scan of one of the last RETURNS_RECENT_MAX items is acknowledged
 * once, and the patron gets a count at the end. A full bin stops intake until it is emptied.
 */
#include <stdio.h>
#include <string.h>

#include "kiosk-private.h"

void returns_end(struct kiosk *k)
{
	unsigned n = k->n_returned;
	char count[16];

	if (k->state == KIOSK_IDLE)
		return;
	log_info("returns session ended: %u items", n);
	session_clear(k);
	snprintf(count, sizeof(count), "%u", n);
	kiosk_say(k, DISPLAY_RECEIPT,
		  kiosk_plural(k, n, MSG_RECEIPT_RETURNED_ONE, MSG_RECEIPT_RETURNED_OTHER),
		  MSG_ARGS({ "count", count }));
	kiosk_welcome_later(k);
}

/*
 * Whether item is to be recorded as returned now, in the session (begun if
 * need be); the patron is told why not (a repeat opens the flap again).
 */
static bool takes_return(struct kiosk *k, const char *item)
{
	if (k->bin_full) {
		kiosk_refuse(k, MSG_RETURN_BIN_FULL, NULL);
		return false;
	}
	/* Staff are emptying the bin: an item pushed in now would land at their feet. */
	if (!k->door_closed) {
		kiosk_refuse(k, MSG_RETURN_PAUSED, NULL);
		return false;
	}
	if (k->state == KIOSK_ITEMS && session_has_item(k, item)) {
		session_touch(k);
		/* Recorded already; open the flap again so it can go in. */
		kiosk_play(k, FEEDBACK_ACCEPT);
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, MSG_RETURN_ALREADY, MSG_ARGS({ "item", item }));
		return false;
	}
	if (!kiosk_online(k) && k->cfg->offline_policy == OFFLINE_NONE) {
		kiosk_refuse(k, MSG_RETURN_OFFLINE_OFF, NULL);
		return false;
	}
	if (!kiosk_store_usable(k))
		return false;
	if (k->state == KIOSK_IDLE) {
		session_begin(k, "");
		kiosk_enter(k, KIOSK_ITEMS);
	}
	session_touch(k);
	return true;
}

static void checkin(struct kiosk *k, const char *item)
{
	if (!takes_return(k, item))
		return;
	if (kiosk_online(k)) {
		online_transact(k, TXN_CHECKIN, "", item);
		return;
	}
	if (kiosk_record(k, TXN_CHECKIN, "", item, 0) < 0)
		return;
	returns_confirmed(k, item, NULL, CONFIRM_OFFLINE);
}

void returns_stack(struct kiosk *k, struct kiosk_stack *stack)
{
	unsigned taken = 0;

	for (unsigned i = 0; i < stack->n; i++) {
		stack->items[i].take = takes_return(k, stack->items[i].item);
		taken += stack->items[i].take;
	}
	if (!taken || kiosk_record_stack(k, TXN_CHECKIN, "", 0, stack) < 0)
		return;
	for (unsigned i = 0; i < stack->n; i++)
		if (stack->items[i].take)
			returns_confirmed(k, stack->items[i].item, NULL, CONFIRM_OFFLINE);
}

/* What the ILS's alert means for the person at the bin. */
/* The ILS's alert for a returned item, on a line of its own. */
static void alert_text(const struct kiosk *k, const struct ils_circ *o, struct kiosk_text *t)
{
	if (!o || o->alert == ILS_ALERT_NONE)
		return;
	switch (o->alert) {
	case ILS_ALERT_HOLD_HERE:
		kiosk_text_line(k, t, MSG_RETURN_ALERT_HOLD_HERE, NULL);
		break;
	case ILS_ALERT_HOLD_ELSEWHERE:
		kiosk_text_line(k, t, MSG_RETURN_ALERT_HOLD_ELSEWHERE, NULL);
		break;
	case ILS_ALERT_TRANSIT:
		if (o->destination[0])
			kiosk_text_line(k, t, MSG_RETURN_ALERT_TRANSIT,
					MSG_ARGS({ "place", o->destination }));
		else
			kiosk_text_line(k, t, MSG_RETURN_ALERT_TRANSIT_ELSEWHERE, NULL);
		break;
	default:
		if (o->screen_first[0])
			kiosk_text_words(t, o->screen_first);
		else
			kiosk_text_line(k, t, MSG_RETURN_ALERT_OTHER, NULL);
		break;
	}
}

/*
 * A busy bin may never stay quiet for session_timeout: one session all day.
 * A repeat scan is someone pushing the same item again moments later, so the
 * most recent items are all the session needs to keep; the rest are counted.
 */
static void remember_item(struct kiosk *k, const char *item, const char *title)
{
	if (k->n_items == RETURNS_RECENT_MAX) {
		memmove(&k->items[0], &k->items[1], (k->n_items - 1) * sizeof(k->items[0]));
		k->n_items--;
	}
	if (session_add_item(k, item, title, "") < 0)
		log_warning("repeat scans of %s will not be recognised: out of memory", item);
	k->n_returned++;
}

void returns_confirmed(struct kiosk *k, const char *item, const struct ils_circ *o,
		       enum confirm_how how)
{
	/* An RFID item goes in once its tags' security is on again. */
	if (kiosk_rfid_defer_return(k, item, o, how))
		return;
	returns_acknowledge(k, item, o, how);
}

void returns_acknowledge(struct kiosk *k, const char *item, const struct ils_circ *o,
			 enum confirm_how how)
{
	struct kiosk_text t = { "" };

	remember_item(k, item, o ? o->title : "");
	if (o && o->alert != ILS_ALERT_NONE)
		log_info("checkin of %s: alert %s%s%s", item, o->alert_name,
			 o->sort_bin[0] ? ", sort bin " : "", o->sort_bin);
	if (o && o->sort_bin[0] && k->env.out->sort)
		k->env.out->sort(k->env.out_data, o->sort_bin);
	kiosk_play(k, FEEDBACK_ACCEPT);
	kiosk_play(k, FEEDBACK_OK);
	kiosk_text_add(k, &t, MSG_RETURN_DONE, MSG_ARGS({ "item", item }));
	alert_text(k, o, &t);
	if (how == CONFIRM_OFFLINE && k->env.ils)
		kiosk_text_line(k, &t, MSG_RETURN_OFFLINE_NOTE, NULL);
	kiosk_show(k, DISPLAY_OK, &t);
}

void returns_scan(struct kiosk *k, enum barcode_class cls, const char *symbol)
{
	switch (cls) {
	case BARCODE_ITEM:
		checkin(k, symbol);
		break;
	case BARCODE_PATRON:
		kiosk_refuse(k, MSG_SCAN_NO_CARD_NEEDED, NULL);
		break;
	case BARCODE_DONE:
		returns_end(k);
		break;
	default:
		break;
	}
}
