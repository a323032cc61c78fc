/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `circctl status` shows: one struct, filled once by staff.c from the
 * running circd, and rendered here as text or JSON. Rendering is pure (the
 * struct in, text out), so both forms are unit-tested byte for byte, and a
 * new field is added in one place for both.
 *
 * Ownership: the const char * fields borrow from whoever filled the struct
 * and must outlive status_render(); everything else is held by value.
 */
#ifndef CIRCD_STATUS_H
#define CIRCD_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "printer.h"
#include "rfid.h"
#include "scanner.h"
#include "store.h"
#include "strbuf.h"

struct status_scanner {
	struct scanner_status st;
	const char *role; /* "item_scanner", "patron_reader" or "both" */
};

struct circd_status {
	const char *kiosk_id;
	const char *mode;          /* "selfcheck", "returns" */
	bool returns;              /* a returns bin: it has a bin and a door to show */
	const char *board;         /* the board's name */
	/* the ILS */
	bool ils_configured;
	bool online;
	const char *link;          /* "none", "up", "down" */
	const char *link_error;    /* "" if none */
	const char *ils_host, *ils_port;
	bool ils_tls;
	const char *forwarded_ils_message; /* "" if none since start */
	uint64_t ils_messages;
	/* the store */
	uint64_t outbox, exceptions, transactions, recorded_since_start;
	char store_state[1100];    /* "ok", or what is wrong */
	const char *store_path;
	bool bin_full, door_closed;
	const char *last_error;    /* "" if none since start */
	uint64_t uptime_s, wakeups;
	size_t n_scanners;
	struct status_scanner scanners[BOARD_SCANNERS_MAX];
	size_t n_rfid;
	struct rfid_status rfid[BOARD_RFIDS_MAX];
	uint64_t security_owed; /* RFID tags whose security write is still owed */
	/* the receipt printer: NULL printer when the board has none (nothing is shown) */
	const char *printer;         /* its backend: "sim" */
	const char *printer_state;   /* as asked now: "ok", "paper-out", ... */
	uint64_t receipts_printed;   /* since start */
	const char *receipt_failure; /* the last receipt not printed and why; "" if none */
	enum printer_state printer_status; /* printer_state as an enum, when printer is set */

	/* Not shown by status_render(): for the metrics (metrics.h) and circctl check (health.h) */
	const char *version;
	bool store_open;           /* false: it could not be opened; the kiosk is out of service */
	bool store_usable;         /* open, its files intact, and its last write did not fail */
	uint64_t store_failures;   /* since start: a recording or look-up the store refused */
	uint64_t oldest_pending_s; /* how long the oldest transaction of the outbox has waited */
	uint64_t offline_s;        /* how long the ILS link has been down; 0 online or no ILS */
	uint64_t recorded_by[TXN_KINDS][TXN_MODES]; /* since start, by enum txn_kind and txn_mode */
	uint64_t record_commits; /* since start: the durable commits that recorded them */
};

/* The forms of a circctl answer. Only exceptions have a CSV one: status renders it as text. */
enum status_format {
	STATUS_TEXT,
	STATUS_JSON,
	STATUS_CSV,
};

void status_render(const struct circd_status *st, enum status_format format, struct strbuf *out);

#endif
