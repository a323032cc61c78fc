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
 * store_close(), which accepts NULL. struct txn and struct store_loan are
 * plain values filled by the store.
 */
#ifndef CIRCD_STORE_H
#define CIRCD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../hal/scanner.h"

struct store;

#define STORE_SCHEMA_VERSION 2
#define TXN_ID_LEN 36     /* UUID text */
#define PATRON_ID_MAX 64
#define TXN_RESULT_MAX 256

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
int store_get(struct store *store, const char *id, struct txn *ret);

/* A random (v4) UUID from getrandom(). */
int txn_id_new(char id[TXN_ID_LEN + 1]);

const char *txn_kind_name(enum txn_kind kind);
const char *txn_mode_name(enum txn_mode mode);
const char *txn_state_name(enum txn_state state);

#endif
