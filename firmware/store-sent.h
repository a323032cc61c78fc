/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which returns went out to the ILS: a log beside the store (<path>.sent),
 * a first line naming the boot it was started in, then one line per
 * checkin about to be sent, written without a flush.
 *
 * Why: forwarding marks transactions forwarded ahead of sending them one
 * by one, many in one durable commit (sync.c). After a crash, a
 * forwarded transaction is verified with the ILS before anything is sent
 * again. For a checkout the ILS's answer settles it (the item is charged
 * to the patron or not); for a return it does when the item is still
 * charged (not applied). But an item no longer charged may be a return
 * applied, or one never sent of an item the ILS did not have charged (on
 * the hold shelf, in transit). This log tells them apart.
 *
 * A line is written before the request goes out, so every return sent is
 * named (one named may have missed its send only if circd died in
 * between). Written without a flush, the lines survive circd dying but not
 * a power cut: the log is trusted only in the boot that started it. So,
 * for a forwarded return, store_sent_status() says:
 *   STORE_SENT_YES      named: it went out (or was about to);
 *   STORE_SENT_NO       this boot's log does not name it: it never went out
 *                       (every transaction forwarded now was marked after
 *                       the log was last emptied);
 *   STORE_SENT_UNKNOWN  no log from this boot: the ILS's answer is all there
 *                       is, as before this log existed.
 *
 * Emptied once nothing is forwarded (store_sent_forget()). Errors leave
 * the log as it was and are reported, never fatal.
 */
#ifndef CIRCD_STORE_SENT_H
#define CIRCD_STORE_SENT_H

#include "store.h"

enum store_sent {
	STORE_SENT_UNKNOWN,
	STORE_SENT_NO,
	STORE_SENT_YES,
};

/* Before the checkin id is handed to the link. 0 or -errno. */
int store_note_sent(struct store *store, const char *id);
/* What the log says of the forwarded checkin id (see above). */
enum store_sent store_sent_status(struct store *store, const char *id);
/* Call with nothing forwarded left in the store. 0 or -errno. */
int store_sent_forget(struct store *store);

#endif
