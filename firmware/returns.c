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

	if (k->state == KIOSK_IDLE)
		return;
	log_info("returns session ended: %u items", n);
	session_clear(k);
	kiosk_say(k, DISPLAY_RECEIPT, "Thank you! You returned %u item%s.", n, n == 1 ? "" : "s");
	kiosk_welcome_later(k);
}

static void checkin(struct kiosk *k, const char *item)
{
	if (k->bin_full) {
		kiosk_refuse(k, "The return bin is full, so this item was not returned. Please use "
				"another return point or see staff.");
		return;
	}
	/* Staff are emptying the bin: an item pushed in now would land at their feet. */
	if (!k->door_closed) {
		kiosk_refuse(k, "Returns are paused while staff empty the bin. Please wait a "
				"moment or see staff.");
		return;
	}
	if (k->state == KIOSK_ITEMS && session_has_item(k, item)) {
		session_touch(k);
		/* Recorded already; open the flap again so it can go in. */
		kiosk_play(k, FEEDBACK_ACCEPT);
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, "Already returned: %s. Please put it in.", item);
		return;
	}
	if (!kiosk_online(k) && k->cfg->offline_policy == OFFLINE_NONE) {
		kiosk_refuse(k, "Returns are unavailable while the library system is offline. "
				"Please keep this item and try again later, or see staff.");
		return;
	}
	if (!kiosk_store_usable(k))
		return;
	if (k->state == KIOSK_IDLE) {
		session_begin(k, "");
		kiosk_enter(k, KIOSK_ITEMS);
	}
	session_touch(k);
	if (kiosk_online(k)) {
		online_transact(k, TXN_CHECKIN, "", item);
		return;
	}
	if (kiosk_record(k, TXN_CHECKIN, "", item, 0) < 0)
		return;
	returns_confirmed(k, item, NULL, CONFIRM_OFFLINE);
}

/* What the ILS's alert means for the person at the bin. */
static void alert_text(const struct ils_circ *o, char *out, size_t size)
{
	out[0] = 0;
	if (!o || o->alert == ILS_ALERT_NONE)
		return;
	switch (o->alert) {
	case ILS_ALERT_HOLD_HERE:
		snprintf(out, size, "\nThis item is on hold for another patron: staff will set it "
				    "aside.");
		break;
	case ILS_ALERT_HOLD_ELSEWHERE:
		snprintf(out, size, "\nThis item is on hold at another library.");
		break;
	case ILS_ALERT_TRANSIT:
		snprintf(out, size, "\nThis item goes back to %s.",
			 o->destination[0] ? o->destination : "another library");
		break;
	default:
		/* Cut to the display's room: the alert is one line among others. */
		snprintf(out, size, "\n%.*s", (int)(size > 2 ? size - 2 : 0),
			 o->screen_first[0] ? o->screen_first : "Staff will look at this item.");
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
	char alert[192];

	remember_item(k, item, o ? o->title : "");
	alert_text(o, alert, sizeof(alert));
	if (o && o->alert != ILS_ALERT_NONE)
		log_info("checkin of %s: alert %s%s%s", item, o->alert_name,
			 o->sort_bin[0] ? ", sort bin " : "", o->sort_bin);
	if (o && o->sort_bin[0] && k->env.out->sort)
		k->env.out->sort(k->env.out_data, o->sort_bin);
	kiosk_play(k, FEEDBACK_ACCEPT);
	kiosk_play(k, FEEDBACK_OK);
	kiosk_say(k, DISPLAY_OK, "Returned: %s. Thank you! Please put it in now.%s%s", item, alert,
		  how == CONFIRM_OFFLINE && k->env.ils ?
			  "\n(Recorded here; the library system is updated later.)" : "");
}

void returns_scan(struct kiosk *k, enum barcode_class cls, const char *symbol)
{
	switch (cls) {
	case BARCODE_ITEM:
		checkin(k, symbol);
		break;
	case BARCODE_PATRON:
		kiosk_refuse(k, "This is a return point: no card is needed. Please scan your items.");
		break;
	case BARCODE_DONE:
		returns_end(k);
		break;
	default:
		break;
	}
}
