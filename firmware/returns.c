/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The returns bin: item -> recorded -> flap released, OK lamp and beep.
 * Consecutive returns within the inactivity timeout form a session, so a
 * repeated scan of the same item is acknowledged once, and the patron gets
 * a count at the end. A full bin stops intake until it is emptied.
 */
#include <stdio.h>

#include "kiosk-private.h"

void returns_end(struct kiosk *k)
{
	unsigned n = k->n_items;

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
	if (k->state == KIOSK_ITEMS && session_has_item(k, item)) {
		session_touch(k);
		/* Recorded already; open the flap again so it can go in. */
		kiosk_play(k, FEEDBACK_ACCEPT);
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, "Already returned: %s. Please put it in.", item);
		return;
	}
	if (!k->online && k->cfg->offline_policy == OFFLINE_NONE) {
		kiosk_refuse(k, "Returns are unavailable while the library system is offline. "
				"Please keep this item and try again later, or see staff.");
		return;
	}
	if (!kiosk_store_usable(k))
		return;
	if (k->state == KIOSK_IDLE) {
		session_begin(k, "");
		k->state = KIOSK_ITEMS;
	}
	session_touch(k);
	if (kiosk_record(k, TXN_CHECKIN, "", item, 0) < 0)
		return;
	if (session_add_item(k, item, 0) < 0)
		log_warning("repeat scans of %s will not be recognised: out of memory", item);
	kiosk_play(k, FEEDBACK_ACCEPT);
	kiosk_play(k, FEEDBACK_OK);
	kiosk_say(k, DISPLAY_OK, "Returned: %s. Thank you! Please put it in now.", item);
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
