/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kiosk state machines: self-checkout sessions and the returns bin.
 *
 * The kiosk consumes events (scans, a PIN, input edges, its own timers) and
 * answers through struct kiosk_output (display text, feedback patterns).
 * Every transaction is committed durably to the store BEFORE the patron is
 * told OK; if the store refuses, the patron is told so and nothing is
 * acknowledged.
 *
 * Ownership: the caller owns the loop, the store and the config, which must
 * outlive the kiosk (kiosk_set_store()/kiosk_reload() swap them).
 * kiosk_free() accepts NULL.
 */
#ifndef CIRCD_KIOSK_H
#define CIRCD_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#include "display.h"
#include "printer.h"
#include "scanner.h"
#include "config.h"
#include "log.h"
#include "patron-id.h"
#include "store.h"

struct board;
struct file_error;
struct messages;
struct kiosk;
struct loop;
struct ils;
struct store;

struct kiosk_output {
	void (*display)(void *data, enum display_kind kind, const char *text);
	/* The whole screen, for a display that shows it (display->state); NULL: texts only. */
	void (*screen)(void *data, const struct display_state *state);
	void (*feedback)(void *data, enum feedback_kind kind);
	/* Returns: divert the item into the ILS's sort bin ("1".."4"). May be NULL. */
	void (*sort)(void *data, const char *bin);
	/* A transaction waits for store-and-forward. May be NULL. */
	void (*queued)(void *data);
	/* The wall time to stamp a transaction with, and whether it is to be
	 * trusted (NTP, or the ILS's time). NULL: the loop's clock, trusted. */
	int64_t (*wall_clock)(void *data, bool *trusted);
	/*
	 * The receipt printer, NULL for none: its status (-ENODEV: the board has
	 * no printer), a whole receipt printed (0 or -errno), and staff to be
	 * called because a receipt could not be (the attention lamp; may be NULL).
	 */
	int (*printer_status)(void *data, struct printer_status *ret);
	int (*print)(void *data, const uint8_t *bytes, size_t len);
	void (*printer_attention)(void *data);
};

struct kiosk_env {
	struct loop *loop;
	const struct config *cfg;
	struct store *store; /* NULL while the store cannot be opened */
	const char *boot_id;
	struct ils *ils; /* NULL: no ILS configured */
	const struct kiosk_output *out;
	void *out_data;
	const struct messages *messages; /* the patron texts (messages.h) */
};

int kiosk_new(const struct kiosk_env *env, struct kiosk **ret);
void kiosk_free(struct kiosk *kiosk);

void kiosk_scan(struct kiosk *kiosk, const struct scan *scan);
void kiosk_pin(struct kiosk *kiosk, const char *pin);
void kiosk_input(struct kiosk *kiosk, enum board_role role, bool active);
/* The patron's touches on the screen: Done, a language, help. */
void kiosk_done(struct kiosk *kiosk);
/* -ENOENT: no catalog for language (nothing changes). */
int kiosk_choose_language(struct kiosk *kiosk, const char *language);
void kiosk_help(struct kiosk *kiosk);
/* [receipt] ask: the patron's answer for the session in progress; ignored otherwise. */
void kiosk_choose_receipt(struct kiosk *kiosk, bool wanted);

/* store may be NULL, with err (-errno) saying why: the kiosk refuses scans. */
void kiosk_set_store(struct kiosk *kiosk, struct store *store, int err);
/* Applies a reloaded config; the mode cannot change without a restart. */
void kiosk_reload(struct kiosk *kiosk, const struct config *cfg);
/* The ILS link came up or went down. */
void kiosk_set_online(struct kiosk *kiosk, bool online);

struct kiosk_status {
	enum kiosk_mode mode;
	bool online;
	bool store_ok;
	bool bin_full;
	bool door_closed;
	char last_error[192]; /* "" if none since start */
	uint64_t recorded;    /* transactions recorded since start */
	uint64_t record_commits; /* the durable commits that took them: an RFID stack is one */
	uint64_t recorded_by[TXN_KINDS][TXN_MODES]; /* the same by enum txn_kind and txn_mode */
	uint64_t store_failures; /* since start: a recording or look-up the store refused */
	/* the current session, if any */
	bool in_session;
	const char *session_state; /* "pin", "items", "returns" */
	struct masked_id patron;
	unsigned session_items;
	uint64_t session_idle_ms;
	uint64_t receipts_printed;   /* since start */
	char receipt_failure[128];   /* the last receipt not printed and why; "" if none */
};

void kiosk_get_status(const struct kiosk *kiosk, struct kiosk_status *status);

/*
 * kiosk-board.c: 0 when board has every role cfg's mode and feedback
 * patterns need, and a keypad if cfg asks for PINs; else -ENOENT (a role
 * missing) or -EINVAL (no keypad), saying what in *err.
 */
int kiosk_board_fits(const struct board *board, const struct config *cfg, struct file_error *err);

#endif
