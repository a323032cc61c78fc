/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which returns went out to the ILS: a log beside the store (<path>.sent),
 * one line per checkin sent, written without a flush.
 *
 * Why: forwarding marks a batch of transactions forwarded in one durable
 * commit before sending them one by one (sync.c). After a crash, a
 * forwarded transaction is verified with the ILS before anything is sent
 * again. For a checkout the ILS's answer settles it (the item is charged
 * to the patron or not), but for a return of an item the ILS does not
 * have charged (on the hold shelf, in transit) "applied" and "never sent"
 * look the same. This log tells them apart: a return it names went out;
 * one it does not name was marked with its batch but never sent, and is
 * sent now.
 *
 * Without a flush, a line survives circd dying (kill -9, a crash) but may
 * not survive a power cut. A line lost that way makes a return that did go
 * out look unsent, so it is sent a second time: for an item the ILS does
 * not have charged that changes no loan (the ILS applies it again or
 * refuses it as not checked out, which staff see as an exception). It
 * never makes an unsent return look sent, as the line is written only
 * after the request was handed to the link.
 *
 * Emptied once the outbox is (nothing forwarded is left to ask about).
 * Errors leave the log as it was and are reported, never fatal: a line not
 * written costs at most that second send.
 */
#ifndef CIRCD_STORE_SENT_H
#define CIRCD_STORE_SENT_H

#include <stdbool.h>

#include "store.h"

/* After the checkin id was handed to the link. 0 or -errno. */
int store_note_sent(struct store *store, const char *id);
/* Whether a line names id; false also when the log cannot be read. */
bool store_was_sent(struct store *store, const char *id);
/* Call with nothing forwarded left in the store. 0 or -errno. */
int store_sent_forget(struct store *store);

#endif
