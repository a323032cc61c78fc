/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circctl's answers besides status (status.h): sessions, outbox and
 * exceptions, each rendered here from one struct that staff.c fills once
 * from the kiosk or the store. Rendering is pure (the struct in, text out;
 * times are shown in the local time zone), so every form is unit-tested
 * byte for byte (test_staff_render), and a field is added in one place for
 * all of them. Patron ids come in whole from the store and are masked here.
 *
 * outbox and exceptions are lists, and the outbox is streamed a slice at a
 * time (staff.c): each list renders as a head, one call per row (given how
 * many rows came before it), and a tail (given how many rows there were).
 *
 * Ownership: every renderer borrows its arguments for the call only and
 * appends to out, which the caller owns.
 */
#ifndef CIRCD_STAFF_RENDER_H
#define CIRCD_STAFF_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"
#include "store.h"
#include "strbuf.h"

/* circctl sessions: the kiosk's one session, if any. */
struct staff_session {
	bool in_session;
	const char *state;  /* "pin", "items", "returns" */
	const char *patron; /* masked; NULL in a returns bin, whose sessions have no patron */
	unsigned items;
	uint64_t idle_s;
};

void sessions_render(const struct staff_session *session, enum status_format format,
		     struct strbuf *out);

/* circctl outbox: the journal's pending, then forwarded, transactions. */
void outbox_render_head(enum status_format format, struct strbuf *out);
void outbox_render_row(const struct txn *txn, unsigned rows_before, enum status_format format,
		       struct strbuf *out);
void outbox_render_tail(unsigned rows, enum status_format format, struct strbuf *out);

/* circctl exceptions: what the ILS refused, for staff; also as CSV (STATUS_CSV). */
void exceptions_render_head(enum status_format format, struct strbuf *out);
void exception_render_row(const struct store_conflict *conflict, unsigned rows_before,
			  enum status_format format, struct strbuf *out);
struct store_security;
/* circctl security: the RFID tags whose security write is still owed. */
void security_render_head(enum status_format format, struct strbuf *out);
void security_render_row(const struct store_security *owed, unsigned rows_before,
			 enum status_format format, struct strbuf *out);
void security_render_tail(unsigned rows, enum status_format format, struct strbuf *out);
void exceptions_render_tail(unsigned rows, enum status_format format, struct strbuf *out);

#endif
