/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The printed receipt of a session: what a self-check patron borrowed and
 * until when, or what a returns patron brought back. receipt_build() puts it
 * into ESC/POS bytes (hal/escpos.h) for the printer device class, every word
 * from the catalogs in the patron's language. Pure apart from the time zone:
 * no I/O, no allocation; the caller owns the buffer and every string.
 */
#ifndef CIRCD_RECEIPT_H
#define CIRCD_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "escpos.h"
#include "messages.h"

/* A receipt that fits this is sent whole to any printer backend (the sim's limit). */
#define RECEIPT_BYTES_MAX 4000

enum receipt_kind {
	RECEIPT_BORROWED,
	RECEIPT_RETURNED,
};

struct receipt_item {
	const char *item;
	const char *title; /* "" when the ILS sent none */
	const char *due;   /* as the patron was shown it; "" for returns */
};

struct receipt {
	enum receipt_kind kind;
	const struct messages *messages;
	const char *lang;
	const char *date_format; /* "": the language's date.format */
	const char *header;      /* [receipt] header: lines split by '|', "" for none */
	enum receipt_codepage codepage;
	int64_t wall_ms;         /* when it is printed */
	const char *patron;      /* the card as scanned, masked on paper; "" for returns */
	const struct receipt_item *items;
	size_t n_items;
	unsigned long count;     /* the items of the session: returns keep only the last few */
	bool offline;            /* any of them recorded while the ILS was offline */
	/* Printed last as a QR code, for staff to find the session; NULL or "": none. */
	const char *session_id;
};

/* escpos's code page for the [receipt] codepage choice. */
enum escpos_codepage receipt_escpos_codepage(enum receipt_codepage codepage);

/*
 * Builds r into buf (cap bytes) and sets *len. 0, or -ENOSPC when it does
 * not fit (nothing half-built is to be printed then), -EINVAL for a bad r.
 */
int receipt_build(const struct receipt *r, uint8_t *buf, size_t cap, size_t *len);

#endif
