/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kiosk on the fake clock with a real store in a throw-away directory and
 * every output captured, for the kiosk's unit tests: offline for good, or
 * online to the fake ILS (fake_ils.h), whose link moves the kiosk on- and
 * offline as a real one does. Set-up and clean-up are CHECKed against the
 * running test.
 *
 * Ownership: the caller owns the struct, which must not move while the
 * kiosk runs (the kiosk keeps &rig->cfg and &rig->cap); kiosk_rig_stop()
 * frees everything in it and removes the directory.
 */
#ifndef CIRCD_TEST_KIOSK_RIG_H
#define CIRCD_TEST_KIOSK_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "../../firmware/kiosk.h"
#include "../../firmware/messages.h"
#include "../../firmware/store.h"
#include "../../lib/loop.h"
#include "fake_ils.h"
#include "tmpdir.h"

struct kiosk_capture {
	enum display_kind kind; /* the last display */
	char text[1024];
	int displays;
	int played[FEEDBACK__COUNT]; /* since the last kiosk_rig_scan() */
	char sort_bin[16];            /* the last sort-bin output */
	struct store *store;          /* NULL once a test takes the store away */
	uint64_t in_store_at_ok;      /* what the store held when OK was played */
	/* A receipt printer: it answers printer_state (ok unless a test sets it). */
	bool no_printer;              /* a test sets it: the board's printer is "none" */
	enum printer_state printer_state;
	int prints, attentions;
	uint8_t printed[4096];        /* the last receipt printed */
	size_t printed_len;
};

struct kiosk_rig {
	struct tmp tmp;
	struct config cfg; /* the kiosk reads it live: a test may change it */
	struct loop *loop;
	struct store *store;
	struct fake_ils *fake; /* NULL: no ILS configured */
	struct kiosk *kiosk;
	struct kiosk_capture cap;
	struct messages *messages; /* the source tree's ui/messages */
};

/* One "DONE" barcode configured; with_ils: online to a fake ILS whose link is up. */
void kiosk_rig_start(struct kiosk_rig *rig, enum kiosk_mode mode, bool with_ils);
void kiosk_rig_stop(struct kiosk_rig *rig);

/* An item scanner's scan of text; what was played is counted afresh. */
void kiosk_rig_scan(struct kiosk_rig *rig, const char *text);

/* The display shows kind, with needle in its text unless needle is NULL. */
void kiosk_rig_expect(struct kiosk_rig *rig, enum display_kind kind, const char *needle);

/* Transactions of item in the journal, any state; *last (may be NULL) gets the last listed. */
int kiosk_rig_txns_of(struct kiosk_rig *rig, const char *item, struct txn *last);

#endif
