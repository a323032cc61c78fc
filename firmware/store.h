/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loan store: a sqlite3 database (WAL, synchronous=FULL) holding the
 * transaction journal, local loans, and a patron cache.
 *
 * Durability contract: store_record() returns 0 only once the transaction
 * is on stable storage (the WAL commit has been fsync'ed). A transaction is
 * never deleted or overwritten; only its state and result move forward.
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
 * Forwarding to the ILS (store-sync.c) moves a txn pending -> forwarded
 * (store_mark_forwarded(), durable before the message goes out) -> one of
 * the final states confirmed, conflict or failed (store_finish()). Final
 * states never move again.
 *
 * Schema 4 (store-outcome.c) adds what the ILS said with its answer (AF,
 * AG), what the patron of an online transaction that did not finish
 * normally was told, and a count of verifications.
 */
#ifndef CIRCD_STORE_H
#define CIRCD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../hal/scanner.h"

struct store;

#define STORE_SCHEMA_VERSION 5
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
 * Appends txn to the journal and applies it to local loans (a checkout
 * creates the loan, a checkin ends it) in one durable commit. txn->id must
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

/* ---- Forwarding to the ILS (store-sync.c) ---- */

/*
 * Before each send of txn id to the ILS: pending|forwarded -> forwarded,
 * attempts + 1, sent_wall_ms = now_ms, durable when this returns 0. Only
 * then may the message go out: after a crash, "forwarded" means "maybe
 * applied at the ILS, find out before sending again".
 * -ENOENT: no such txn; -EPERM: it is in a final state.
 */
int store_mark_forwarded(struct store *store, const char *id, int64_t now_ms);

enum conflict_category {
	CONFLICT_ON_LOAN_TO_OTHER, /* "on-loan-to-other" */
	CONFLICT_PATRON_BLOCKED,   /* "patron-blocked" */
	CONFLICT_UNKNOWN_ITEM,     /* "unknown-item" */
	CONFLICT_UNKNOWN_PATRON,   /* "unknown-patron" */
	CONFLICT_HELD_FOR_OTHER,   /* "held-for-other" */
	CONFLICT_OTHER,            /* "other" */
};

#define CONFLICT_MESSAGE_MAX 256
#define CONFLICT_RESOLUTION_MAX 128

struct store_conflict_in {
	enum conflict_category category;
	const char *message; /* NULL = "" */
};

/*
 * The outcome of txn id, in one durable transaction: state (TXN_CONFIRMED,
 * TXN_CONFLICT or TXN_FAILED), result, evidence, title (NULL = ""; cut to
 * their field sizes), due_ms (0 = keep the recorded one), confirmed_ms =
 * now_ms. conflict must be non-NULL exactly for TXN_CONFLICT: it adds a
 * conflicts row. Local loans follow the ILS: a confirmed checkout or renew
 * with a due_ms moves the local loan's due date; a conflicting checkout's
 * local loan is removed (it did not happen there), as is a failed one's. The journal keeps all.
 * -ENOENT: no such txn; -EPERM: not pending/forwarded; -EINVAL: bad state,
 * conflict missing or given when not TXN_CONFLICT, now_ms <= 0.
 */
int store_finish(struct store *store, const char *id, enum txn_state state, const char *result,
		 const char *evidence, const char *title, int64_t due_ms, int64_t now_ms,
		 const struct store_conflict_in *conflict);

/*
 * An online transaction the ILS did not answer joins the offline queue:
 * mode becomes offline, and due_ms (unless 0) the offline due date. Only
 * while it is pending or forwarded: store-and-forward then finds out what
 * the ILS did before sending it again. -ENOENT, -EPERM otherwise.
 */
int store_demote_offline(struct store *store, const char *id, int64_t due_ms, int64_t now_ms);

/* What the ILS said with its final answer; NULL members (or a NULL struct) = "". */
struct store_ils_said {
	const char *screen_msg; /* AF, lines joined by \n */
	const char *print_line; /* AG, the same way */
};

/* store_finish(), keeping what the ILS said (cut to TXN_ILS_TEXT_MAX). */
int store_finish_said(struct store *store, const char *id, enum txn_state state,
		      const char *result, const char *evidence, const char *title, int64_t due_ms,
		      int64_t now_ms, const struct store_conflict_in *conflict,
		      const struct store_ils_said *said);

/*
 * store_finish_said() of id and, in the same durable commit,
 * store_mark_forwarded() of next_id (NULL: none; -EPERM if it is not
 * pending or forwarded): one commit per transaction for a long queue, and
 * next_id is still marked immediately before it is sent.
 */
int store_finish_and_forward(struct store *store, const char *id, enum txn_state state,
			     const char *result, const char *evidence, const char *title,
			     int64_t due_ms, int64_t now_ms,
			     const struct store_conflict_in *conflict,
			     const struct store_ils_said *said, const char *next_id);

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

/* The oldest (by seq) txn in state pending or forwarded; -ENOENT when none. */
int store_next_to_forward(struct store *store, struct txn *ret);
/* The same, among those with a seq above after_seq. */
int store_next_to_forward_after(struct store *store, int64_t after_seq, struct txn *ret);

/*
 * Calls fn (see store_txn_fn) for the txns the ILS has not got: pending,
 * forwarded and failed, oldest first. For a .koc export with koc_line().
 */
int store_list_unforwarded(struct store *store, store_txn_fn fn, void *data);
/* The same in slices, as store_list_range(). */
int store_list_unforwarded_range(struct store *store, int64_t after_seq, int64_t last_seq,
				 unsigned limit, store_txn_fn fn, void *data);

const char *conflict_category_name(enum conflict_category category);
/* 0 and *ret, or -EINVAL for a name that is not a category. */
int conflict_category_from_name(const char *name, enum conflict_category *ret);

struct store_conflict {
	int64_t id;
	char txn_id[TXN_ID_LEN + 1];
	enum conflict_category category;
	char message[CONFLICT_MESSAGE_MAX];
	int64_t created_ms;
	int64_t resolved_ms; /* 0 = unresolved */
	char resolution[CONFLICT_RESOLUTION_MAX];
	/* From the txn: the full patron id (callers mask it for display and logs). */
	enum txn_kind kind;
	char item[SCAN_TEXT_MAX + 1];
	char patron[PATRON_ID_MAX + 1];
	int64_t wall_ms;
	char screen_msg[TXN_ILS_TEXT_MAX]; /* what the ILS said with its answer (AF, AG) */
	char print_line[TXN_ILS_TEXT_MAX];
	enum txn_patron_told patron_told;
};

/* Oldest first; fn as for store_list (may use the store; nonzero stops and is returned). */
typedef int (*store_conflict_fn)(void *data, const struct store_conflict *conflict);
int store_conflicts_list(struct store *store, bool include_resolved, store_conflict_fn fn,
			 void *data);
/* Once: -ENOENT no such conflict, -EALREADY already resolved, -EINVAL now_ms <= 0. */
int store_conflict_resolve(struct store *store, int64_t conflict_id, const char *resolution,
			   int64_t now_ms);
int store_conflicts_unresolved(struct store *store, uint64_t *ret);

/* ---- Clock trust (store-sync.c) ---- */

/* A trusted (CLOCK_MONOTONIC, wall) pair for a boot, e.g. the ILS's date in its 98 reply. */
struct store_clock_ref {
	char boot_id[TXN_ID_LEN + 1];
	uint64_t mono_ms;
	int64_t wall_ms;
	char source[64];
	int64_t recorded_ms;
};

/* Inserts or replaces the reference of boot_id. */
int store_clock_ref_set(struct store *store, const char *boot_id, uint64_t mono_ms,
			int64_t wall_ms, const char *source, int64_t now_ms);
/* -ENOENT when boot_id has none. */
int store_clock_ref_get(struct store *store, const char *boot_id, struct store_clock_ref *ret);

/*
 * For every txn of boot_id recorded with an untrusted clock and not yet
 * corrected: wall_ms = ref_wall_ms - (ref_mono_ms - mono_ms), the old
 * wall_ms kept as original_wall_ms, date_status corrected. *fixed (may be
 * NULL) gets the number of txns changed.
 */
int store_fix_dates(struct store *store, const char *boot_id, uint64_t ref_mono_ms,
		    int64_t ref_wall_ms, unsigned *fixed);
/* store_fix_dates() for every boot that has a clock_refs row. */
int store_fix_dates_from_refs(struct store *store, unsigned *fixed);
/*
 * Untrusted txns still undated from a boot other than current_boot_id that
 * has no clock reference can never be fixed: date_status becomes unknown.
 * Call after store_fix_dates_from_refs().
 */
int store_flag_unknown_dates(struct store *store, const char *current_boot_id,
			     unsigned *flagged);

/* ---- Privacy and summaries (store-sync.c) ---- */

/*
 * For confirmed txns with confirmed_ms <= older_than_ms not yet purged:
 * patron = "", purged; their local loans go too (the ILS is the record
 * now). Conflicts and failures keep their patron for staff.
 */
int store_purge(struct store *store, int64_t older_than_ms, unsigned *purged);

struct store_counts {
	uint64_t n[TXN_KINDS][TXN_STATES]; /* [enum txn_kind][enum txn_state] */
};
int store_count_by_kind(struct store *store, struct store_counts *ret);

/*
 * ---- Offline patron cache (store-sync.c) ----
 * Holds no patron ids or PINs: rows are keyed on a hash the caller computes
 * as SHA-256 or HMAC over (store salt || patron id), the salt from
 * store_patron_salt(): 16 random bytes made once per store, stable across
 * reopens.
 */
#define STORE_SALT_LEN 16
#define STORE_KEY_HASH_LEN 32

int store_patron_salt(struct store *store, uint8_t salt[STORE_SALT_LEN]);

struct store_patron_cached {
	uint8_t key_hash[STORE_KEY_HASH_LEN];
	bool allowed;
	int64_t fetched_ms;
	int64_t expires_ms; /* the caller compares with its clock: get returns expired rows too */
};

/* Inserts or replaces the row of key_hash (the store salt goes in its salt column). */
int store_patron_cache_put(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   bool allowed, int64_t fetched_ms, int64_t expires_ms);
/* -ENOENT when key_hash has no row. */
int store_patron_cache_get(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   struct store_patron_cached *ret);
/* Deletes rows with expires_ms <= now_ms; returns how many (>= 0) or -errno. */
int store_patron_cache_expire(struct store *store, int64_t now_ms);

/*
 * The same by patron id (store-patron.c), hashed here with SHA-256 over
 * (store salt || patron id): what the kiosk uses, so it never hashes.
 */
int store_patron_remember(struct store *store, const char *patron, bool allowed,
			  int64_t fetched_ms, int64_t expires_ms);
/* -ENOENT when the patron has no row. */
int store_patron_recall(struct store *store, const char *patron, struct store_patron_cached *ret);

#endif
