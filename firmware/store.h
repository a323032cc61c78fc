/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loan store: a sqlite3 database (WAL, synchronous=FULL) holding the
 * transaction journal, local loans, and a patron cache.
 *
 * Durability contract: store_record() returns 0 only once the transaction
 * is on stable storage (the WAL commit has been fsync'ed), except for an
 * online one (mode TXN_ONLINE): that is stable once store_settle() returns
 * 0, which the kiosk calls before its patron hears anything. A transaction
 * is never deleted or overwritten; only its state and result move forward.
 *
 * Errors are -errno: -ENOSPC (disk full), -EROFS (read-only), -EUCLEAN
 * (corrupt database), -EIO, -EBUSY (another circd holds the store),
 * -EPROTO (the database is from a newer circd: refused, never downgraded).
 * store_strerror() gives the last sqlite message for logs.
 *
 * Ownership: store_open() returns a store the caller frees with
 * store_close(), which accepts NULL. Every struct here is a plain value the
 * caller owns and the store fills; strings passed in are copied, never kept.
 *
 * Forwarding to the ILS (store-forward.h) moves a txn pending -> forwarded
 * (store_mark_forwarded(), or store_fwd_mark_next() with store_fwd_commit():
 * durable before the message goes out) -> one of the final states
 * confirmed, conflict or failed (store_finish(), store_fwd_record(), or
 * lazily store_record_outcomes()).
 * Final states never move again.
 *
 * Schema 4 (store-outcome.c) adds what the ILS said with its answer (AF,
 * AG), what the patron of an online transaction that did not finish
 * normally was told, and a count of verifications.
 */
#ifndef CIRCD_STORE_H
#define CIRCD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner.h"

struct store;

#define STORE_SCHEMA_VERSION 7
#define TXN_ID_LEN 36     /* UUID text */
#define PATRON_ID_MAX 64
#define TXN_RESULT_MAX 256
#define TXN_EVIDENCE_MAX 128
#define TXN_TITLE_MAX 128
#define TXN_SYMBOLOGY_MAX 24 /* a symbology_name(), e.g. "codabar", "ean13" */
#define TXN_ILS_TEXT_MAX 256 /* the ILS's screen message (AF) or print line (AG), lines joined */
/* Array sizes for per-kind and per-state tables (not enumerators: switches stay exhaustive). */
#define TXN_KINDS 3
#define TXN_STATES 5
#define TXN_MODES 2

enum txn_kind {
	TXN_CHECKOUT,
	TXN_CHECKIN,
	TXN_RENEW,
};

enum txn_mode {
	TXN_ONLINE,
	TXN_OFFLINE,
};

enum txn_state {
	TXN_PENDING,   /* recorded here, not yet sent to the ILS */
	TXN_FORWARDED, /* sent; reply not yet known */
	TXN_CONFIRMED, /* the ILS applied it */
	TXN_CONFLICT,  /* the ILS refused it; needs staff */
	TXN_FAILED,    /* could not be forwarded at all */
};

/*
 * What the patron was told of an online transaction that did not finish
 * normally (one that did was told its outcome). Offline ones: nothing
 * until store-and-forward, which the patron does not wait for.
 */
enum txn_patron_told {
	TXN_TOLD_NOTHING,        /* "nothing": circd stopped before telling the patron */
	TXN_TOLD_NOT_DONE,       /* "not-done": told it did not go through */
	TXN_TOLD_SERVED_OFFLINE, /* "served-offline": told OK, queued offline */
	TXN_TOLD_UNKNOWN,        /* "unknown": unfinished online before schema 4 */
};

enum txn_date_status {
	TXN_DATE_TRUSTED,   /* recorded with a trusted wall clock (or not yet judged) */
	TXN_DATE_CORRECTED, /* wall_ms fixed from monotonic offsets; original_wall_ms kept */
	TXN_DATE_UNKNOWN,   /* recorded untrusted, and no reference can fix it any more */
};

struct txn {
	int64_t seq; /* local order, assigned by store_record() */
	char id[TXN_ID_LEN + 1];
	enum txn_kind kind;
	char patron[PATRON_ID_MAX + 1]; /* "" for a checkin */
	char item[SCAN_TEXT_MAX + 1];
	char session_id[TXN_ID_LEN + 1]; /* "" outside a session */
	int64_t wall_ms;  /* wall clock at the scan, ms since the epoch */
	uint64_t mono_ms; /* CLOCK_MONOTONIC at the scan, meaningful with boot_id */
	char boot_id[TXN_ID_LEN + 1];
	enum txn_mode mode;
	enum txn_state state;
	int64_t due_ms; /* checkout/renew: due date (offline: the nb due date); 0 = none */
	char result[TXN_RESULT_MAX]; /* details: the ILS's message, why it failed ... */

	/*
	 * Schema 3. store_record() writes wall_untrusted, attempts, evidence,
	 * title, sent_wall_ms and confirmed_ms (all zero for a fresh scan; a
	 * txn recorded already final with confirmed_ms 0 gets wall_ms); it
	 * ignores date_status, original_wall_ms and purged, which only the
	 * store moves. A zeroed struct is a txn recorded with a trusted clock.
	 */
	bool wall_untrusted;            /* the wall clock was not trusted at the scan */
	enum txn_date_status date_status;
	int64_t original_wall_ms;       /* CORRECTED: wall_ms as first recorded; else 0 */
	unsigned attempts;              /* times sent to the ILS */
	char evidence[TXN_EVIDENCE_MAX]; /* how the outcome was established */
	char title[TXN_TITLE_MAX];      /* the item's title, from the ILS */
	int64_t sent_wall_ms;           /* last store_mark_forwarded(); 0 = never */
	int64_t confirmed_ms;           /* when the final state was recorded; 0 = not final */
	bool purged;                    /* patron id removed by store_purge() */

	/*
	 * Schema 4 (store-outcome.c); store_record() ignores them: only the
	 * store moves them, each once, while the txn is unfinished.
	 */
	char screen_msg[TXN_ILS_TEXT_MAX]; /* AF of the ILS's final answer, lines joined by \n */
	char print_line[TXN_ILS_TEXT_MAX]; /* AG, the same way */
	enum txn_patron_told patron_told;
	unsigned verifications;         /* times forwarding asked the ILS whether it applied it */

	/*
	 * Schema 5: the symbology the item's barcode was read in, as the
	 * scanner said ("" when it did not, or no barcode), written once by
	 * store_record(): what a misread or a mislabelled item is traced by.
	 */
	char symbology[TXN_SYMBOLOGY_MAX];
};

struct store_loan {
	char item[SCAN_TEXT_MAX + 1];
	char patron[PATRON_ID_MAX + 1];
	char txn_id[TXN_ID_LEN + 1];
	int64_t since_ms;
	int64_t due_ms;
};

/*
 * Opens (creating if needed) and migrates the database at path. Takes an
 * exclusive advisory lock on "<path>.lock" for the store's lifetime.
 */
int store_open(const char *path, struct store **ret);
void store_close(struct store *store);
const char *store_strerror(const struct store *store);

int store_schema_version(struct store *store, int *ret);

/*
 * Damage sqlite cannot see (store-guard.c). store_check_files(): 0, or
 * -ESTALE once the database file or its WAL was deleted or replaced since
 * the open (sticky: every later store_record() is refused with it, while
 * what the open files hold can still be read, forwarded and exported; a
 * copy of it is saved as "<path>.rescued-<time>-<pid>" when that is found,
 * named in store_alarm()).
 * store_record() checks before each recording; status may call it too.
 *
 * store_alarm(): "" when all is well, else what staff must be told: the
 * files as above, or that the open found fewer transactions than were
 * acknowledged (the high-water mark "<path>.mark", kept outside the
 * database, durable with each store_record() commit, is above the
 * journal's last seq). The store keeps working either way, and the mark is
 * never lowered below what is missing. store_notice(): "" or what the open
 * found that is not damage (a recording cut short by a crash).
 *
 * store_mark_status(): the seq the mark covers, and 0 or the -errno of its
 * last write (a recording whose mark could not be written is still
 * recorded).
 */
int store_check_files(struct store *store);
const char *store_alarm(const struct store *store);
const char *store_notice(const struct store *store);
int store_mark_status(const struct store *store, int64_t *mark);
/*
 * An online transaction's store_record() writes its journal row and mark
 * but does not wait for the disk: the request goes to the ILS first, and
 * its patron hears nothing before the ILS answered. store_settle() makes
 * both durable (0 at once when nothing is owed): call it once the request
 * is out, so the disk works while the ILS does, and again before telling
 * the patron. A journal that cannot be synced is -EIO (or -ENOSPC) and
 * sticky, as a replaced file is (store_check_files()); a mark that cannot
 * be, store_mark_status()'s error. store_settle_owed(): whether a call
 * would have anything to do.
 */
int store_settle(struct store *store);
bool store_settle_owed(struct store *store);

/*
 * Appends txn to the journal and applies it to local loans (a checkout
 * creates the loan, a checkin ends it) in one durable commit (an online
 * one: durable at store_settle()). txn->id must
 * be set (txn_id_new()); a second txn with the same id is -EEXIST and
 * changes nothing. Sets txn->seq.
 */
int store_record(struct store *store, struct txn *txn);

/* The local loan of item: 0, or -ENOENT if it is not on loan here. */
int store_loan_get(struct store *store, const char *item, struct store_loan *ret);

int store_count(struct store *store, enum txn_state state, uint64_t *ret);
int store_count_all(struct store *store, uint64_t *ret);

/*
 * Calls fn for the transactions in state, oldest first, at most limit
 * (0 = all). fn returns 0 to go on, anything else stops the walk and is
 * returned.
 */
typedef int (*store_txn_fn)(void *data, const struct txn *txn);
int store_list(struct store *store, enum txn_state state, unsigned limit, store_txn_fn fn,
	       void *data);
/*
 * For walks in slices (a long list served over several loop turns): the
 * same, among the txns with after_seq < seq <= last_seq. Take last_seq from
 * store_max_seq() once, so what is recorded meanwhile stays out; resume
 * with after_seq = the seq fn saw last.
 */
int store_list_range(struct store *store, enum txn_state state, int64_t after_seq,
		     int64_t last_seq, unsigned limit, store_txn_fn fn, void *data);
/* The highest seq in the journal, 0 when it is empty. */
int store_max_seq(struct store *store, int64_t *ret);
int store_get(struct store *store, const char *id, struct txn *ret);

/* A random (v4) UUID from getrandom(). */
int txn_id_new(char id[TXN_ID_LEN + 1]);

const char *txn_kind_name(enum txn_kind kind);
const char *txn_mode_name(enum txn_mode mode);
const char *txn_state_name(enum txn_state state);
const char *txn_date_status_name(enum txn_date_status status); /* "", "corrected", "unknown" */

/*
 * ---- What the patron was told, how often the ILS was asked (store-outcome.c) ----
 *
 * Records, durably, what the patron of unfinished txn id was told when it
 * did not finish normally: once, from "nothing". -ENOENT no such txn;
 * -EPERM final, or already recorded; -EINVAL told is TXN_TOLD_NOTHING or
 * out of range. store_demote_offline() records TXN_TOLD_SERVED_OFFLINE.
 */
int store_note_patron_told(struct store *store, const char *id, enum txn_patron_told told);
/* "nothing", "not-done", "served-offline", "unknown". */
const char *txn_patron_told_name(enum txn_patron_told told);

/*
 * Before each verification of a forwarded txn (asking the ILS whether it
 * applied it): verifications + 1, durable when this returns 0, so that
 * one that never ends (garbled or wrong answers, timeouts, a crash) is
 * counted across restarts. *verifications (may be NULL) gets the new count.
 * -ENOENT no such txn; -EPERM not forwarded.
 */
int store_count_verification(struct store *store, const char *id, int64_t now_ms,
			     unsigned *verifications);

/*
 * The rest of the store, one header per job. Included here, at the end, for
 * the callers that know the store only as store.h; each also stands alone.
 */
#include "store-conflict.h"
#include "store-forward.h"
#include "store-clock.h"
#include "store-privacy.h"

#endif
