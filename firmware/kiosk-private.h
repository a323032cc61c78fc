/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared between kiosk.c (what both flows need: sessions, recording,
 * patron messages) and the two flows, selfcheck.c and returns.c.
 */
#ifndef CIRCD_KIOSK_PRIVATE_H
#define CIRCD_KIOSK_PRIVATE_H

#include "barcode.h"
#include "ils.h"
#include "kiosk.h"
#include "loop.h"
#include "store.h"
#include "kiosk-rfid.h"
#include "messages.h"

#define PIN_MAX 16
/* Items a patron has out (from the patron check), to tell a renewal from a checkout. */
#define SESSION_CHARGED_MAX ILS_CHARGED_MAX

enum kiosk_state {
	KIOSK_IDLE,
	KIOSK_PIN,   /* self-check: card read, waiting for the PIN */
	KIOSK_ITEMS, /* self-check: borrowing; returns: a run of returns */
	/* The two states a patron waits in for the ILS, at most [sip2] patron_wait: */
	KIOSK_CHECKING,	 /* self-check: the ILS is checking the card */
	KIOSK_ANSWERING, /* items, the ILS answering for the one just scanned */
};

/* How a transaction the patron is told about went through. */
enum confirm_how {
	CONFIRM_ONLINE,
	CONFIRM_OFFLINE, /* queued for store-and-forward */
	CONFIRM_RENEWED,
};

/*
 * The items of an RFID stack (one inventory round's), handed to a flow
 * together while offline: it takes those it may record, records them in
 * one durable commit, then confirms each.
 */
#define KIOSK_STACK_MAX 32 /* a pad's tags (RFID_FIELD_MAX), each an item of its own */

struct kiosk_stack_item {
	const char *item;
	const struct store_tags *tags; /* its tags: the transaction owes each a write */
	bool take;                     /* the flow records it (set by the flow) */
};

struct kiosk_stack {
	unsigned n;
	struct kiosk_stack_item items[KIOSK_STACK_MAX];
};

/* What a returns session keeps to recognise a repeat scan (older items are only counted). */
#define RETURNS_RECENT_MAX 64

/* A patron text, put together (see kiosk_text_add()). */
struct kiosk_text {
	char s[1024];
};

struct session_item {
	char item[SCAN_TEXT_MAX + 1];
	char title[64];
	char due[64]; /* as the patron is shown it (kiosk_due_text) */
	bool offline; /* recorded for store-and-forward: the receipt says so */
};

struct kiosk {
	struct kiosk_env env;
	const struct config *cfg;
	struct store *store;
	int store_err; /* last store failure, 0 once a write succeeds again */
	bool online;   /* the ILS link is up */
	bool link_known; /* the first connection attempt has had an answer */
	bool bin_full;
	bool door_closed;
	char last_error[192];
	uint64_t recorded;
	uint64_t recorded_by[TXN_KINDS][TXN_MODES];
	uint64_t record_commits; /* durable commits of them: a stack is one */
	uint64_t store_failures; /* since start: each time the store refused what the kiosk asked */
	enum symbology scan_symbology; /* of the scan being handled, for the journal */
	/* The RFID tags of the item being handled: its transaction owes them a write. */
	const struct store_tags *scan_tags;
	struct kiosk_pad *pad; /* kiosk-rfid.c's, NULL without an RFID reader */

	enum kiosk_state state;
	char session_id[TXN_ID_LEN + 1];
	char patron[PATRON_ID_MAX + 1];
	char language[MESSAGES_LANG_MAX]; /* the patron's, from the ILS; "": [kiosk] language */
	bool language_for_next; /* chosen on the screen with nobody signed in: the next patron's */
	char pin[PIN_MAX + 1]; /* held for the ILS only; wiped at session end */
	struct session_item *items; /* returns: only the last RETURNS_RECENT_MAX */
	unsigned n_items, items_cap;
	unsigned n_returned;        /* returns: every item of the session */
	uint64_t last_activity_ms;
	struct loop_timer session_timer;
	struct loop_timer welcome_timer;

	/* online */
	/* How long the patron waits for the ILS, whatever the ACS's timeout. */
	struct loop_timer patron_wait_timer;
	bool end_requested; /* Done while a request was in flight: end once it is answered */
	unsigned pin_tries;
	struct txn live; /* the transaction that request carries */
	char charged[SESSION_CHARGED_MAX][SCAN_TEXT_MAX + 1];
	unsigned n_charged;

	/* what the screen shows (kiosk-screen.c): the last text, and its id if it had no arguments */
	struct kiosk_text screen_text;
	enum display_kind screen_kind;
	enum msg_id screen_msg; /* MSG_COUNT: a text put together or with arguments */

	/* receipts (kiosk-receipt.c) */
	bool receipt_wanted; /* [receipt] ask: the patron said yes on the screen */
	uint64_t receipts_printed;
	char receipt_failure[128];
};

/*
 * Every state change goes through here, and the timers follow the state:
 * entering a state in which the patron waits for the ILS stops the
 * inactivity clock and starts the patron_wait timer; leaving one for a
 * session state restarts the inactivity clock (the answer counts as
 * activity); entering KIOSK_IDLE stops it.
 */
void kiosk_enter(struct kiosk *k, enum kiosk_state next);
/* A request for the patron at the kiosk is in flight. */
bool kiosk_waiting(const struct kiosk *k);

/*
 * Patron texts: messages from the catalogs in the kiosk's language
 * (messages.h; args as messages_append(), NULL for none), and the ILS's own
 * words as it sent them. A text of several parts is put together in a
 * struct kiosk_text, a part per line.
 */
void kiosk_text_add(const struct kiosk *k, struct kiosk_text *t, enum msg_id id,
		    const struct catalog_arg *args);
/* The same on a line of its own (after a line break, unless t is empty). */
void kiosk_text_line(const struct kiosk *k, struct kiosk_text *t, enum msg_id id,
		     const struct catalog_arg *args);
/* words on a line of their own; nothing for "". */
void kiosk_text_words(struct kiosk_text *t, const char *words);
/* The patron's language while a session has one (from the ILS), else [kiosk] language. */
const char *kiosk_language(const struct kiosk *k);
/* id or other, as count takes the singular or the plural in the kiosk's language. */
enum msg_id kiosk_plural(const struct kiosk *k, unsigned long count, enum msg_id one,
			 enum msg_id other);
void kiosk_show(struct kiosk *k, enum display_kind kind, const struct kiosk_text *t);
void kiosk_say(struct kiosk *k, enum display_kind kind, enum msg_id id,
	       const struct catalog_arg *args);
/* Display an error and play the error pattern: nothing was recorded. */
void kiosk_refuse(struct kiosk *k, enum msg_id id, const struct catalog_arg *args);
void kiosk_refuse_text(struct kiosk *k, const struct kiosk_text *t);
/* The ILS's own words for a refusal when it sent any, else message id. */
void kiosk_refuse_ils(struct kiosk *k, const char *ils_words, enum msg_id id);
void kiosk_play(struct kiosk *k, enum feedback_kind kind);
void kiosk_welcome(struct kiosk *k);
void kiosk_welcome_later(struct kiosk *k);

/*
 * kiosk-receipt.c: prints the receipt of the session ending, when [receipt]
 * policy says so and there is a printer; call it while the session's items
 * are still held. 0 when printed or not wanted; -errno when the patron gets
 * none though one was due (the printer could not, or refused): the patron
 * is to be told (MSG_RECEIPT_UNAVAILABLE). Logs, and calls staff itself.
 */
int kiosk_receipt_print(struct kiosk *k);
/* [receipt] policy says this session's receipt is to be printed (always, or ask and yes). */
bool kiosk_receipt_due(const struct kiosk *k);
/* [receipt] ask, on a board with a printer: the screen asks the patron. */
bool kiosk_receipt_askable(const struct kiosk *k);

/*
 * kiosk-screen.c: tells a screen that shows the whole state (the web page)
 * what it is now; nothing when the display shows texts only.
 */
void kiosk_screen_push(struct kiosk *k);

/* Starts a session (new id) for patron ("" for returns) and its timer. */
void session_begin(struct kiosk *k, const char *patron);
/* Forgets the session: PIN wiped, items freed, timer stopped. */
void session_clear(struct kiosk *k);
void session_touch(struct kiosk *k);
bool session_has_item(const struct kiosk *k, const char *item);
int session_add_item(struct kiosk *k, const char *item, const char *title, const char *due);

/*
 * Commits one transaction durably. On failure the patron has already been
 * told (error display and feedback) and -errno is returned.
 */
int kiosk_record(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item,
		 int64_t due_ms);
/* The same, online or offline, leaving the recorded transaction in *txn. */
int kiosk_record_txn(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item,
		     int64_t due_ms, enum txn_mode mode, struct txn *txn);
/*
 * Offline, the items of stack the flow takes, as kiosk_record() each but in
 * one durable commit: all recorded, or none and the patron told (-errno).
 */
int kiosk_record_stack(struct kiosk *k, enum txn_kind kind, const char *patron, int64_t due_ms,
		       const struct kiosk_stack *stack);
void kiosk_queued(struct kiosk *k);
void kiosk_receipt_done(struct kiosk *k);
bool kiosk_online(const struct kiosk *k);
/* The store answered an error: tell the patron, remember it for status. */
void kiosk_store_failed(struct kiosk *k, int err, const char *what);
bool kiosk_store_usable(struct kiosk *k);

/* A due date as patrons see it ([kiosk] date_format): the ILS's text, or due_ms. */
void kiosk_due_text(const struct kiosk *k, const char *ils_text, int64_t due_ms, char *out,
		    size_t size);
/* The due date of a loan made offline: offline_loan_days ahead, at the end of the day. */
int64_t kiosk_offline_due_ms(const struct kiosk *k);

/* kiosk-online.c */
void online_check_patron(struct kiosk *k);
int online_transact(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item);
bool online_patron_blocked_offline(struct kiosk *k, const char *patron);
void online_end_session(struct kiosk *k);
void online_patron_wait_expired(struct loop *loop, void *data);

void selfcheck_scan(struct kiosk *k, enum barcode_class cls, const char *symbol);
void selfcheck_offline_session(struct kiosk *k);
void selfcheck_confirmed(struct kiosk *k, const char *item, const char *title, int64_t due_ms,
			 const char *due_text, enum confirm_how how);
/* outcome: the ILS's answer, NULL when the return was recorded offline. */
void returns_confirmed(struct kiosk *k, const char *item, const struct ils_circ *outcome,
		       enum confirm_how how);
/* An RFID stack while offline: each item as selfcheck_scan() would, recorded together. */
void selfcheck_stack(struct kiosk *k, struct kiosk_stack *stack);
void selfcheck_pin(struct kiosk *k, const char *pin);
void selfcheck_end(struct kiosk *k, const char *why);
void returns_scan(struct kiosk *k, enum barcode_class cls, const char *symbol);
/* An RFID stack while offline: each item as returns_scan() would, recorded together. */
void returns_stack(struct kiosk *k, struct kiosk_stack *stack);
/* The return went in (flap, OK): after its tags' security, if it has tags. */
void returns_acknowledge(struct kiosk *k, const char *item, const struct ils_circ *outcome,
			 enum confirm_how how);

/* kiosk-rfid.c: what the flows tell the pad. */
/* The item in hand was confirmed to the patron: its tags' security is due. */
void kiosk_rfid_confirmed(struct kiosk *k, const char *item);
/* A return with tags: true when its acknowledgement waits for their security. */
bool kiosk_rfid_defer_return(struct kiosk *k, const char *item, const struct ils_circ *outcome,
			     enum confirm_how how);
/* The kiosk's state changed: the pad may move on. */
void kiosk_rfid_state_changed(struct kiosk *k);
void kiosk_rfid_free(struct kiosk *k);
void returns_end(struct kiosk *k);

#endif
