/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What store.c shares with the other store-*.c files: the store itself and
 * the sqlite helpers. Not for any other file. Statements are prepared once at open
 * (a schema mismatch fails the open, not a later call) and finalized by
 * store_close(); each file owns its own array of them.
 */
#ifndef CIRCD_STORE_PRIVATE_H
#define CIRCD_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "store.h"
#include "utf8.h"
#include "util.h"

#define STORE_CORE_STMTS_MAX 16
#define STORE_FORWARD_STMTS_MAX 16
#define STORE_CONFLICT_STMTS_MAX 8
#define STORE_CLOCK_STMTS_MAX 8
#define STORE_PRIVACY_STMTS_MAX 8
#define STORE_OUTCOME_STMTS_MAX 4
#define STORE_SECURITY_STMTS_MAX 8

struct store {
	sqlite3 *db;
	int lock_fd;
	sqlite3_stmt *stmt[STORE_CORE_STMTS_MAX];      /* store.c's */
	sqlite3_stmt *forward_stmt[STORE_FORWARD_STMTS_MAX];   /* store-forward.c's */
	sqlite3_stmt *conflict_stmt[STORE_CONFLICT_STMTS_MAX]; /* store-conflict.c's */
	sqlite3_stmt *clock_stmt[STORE_CLOCK_STMTS_MAX];       /* store-clock.c's */
	sqlite3_stmt *privacy_stmt[STORE_PRIVACY_STMTS_MAX];   /* store-privacy.c's */
	sqlite3_stmt *outcome_stmt[STORE_OUTCOME_STMTS_MAX]; /* store-outcome.c's */
	sqlite3_stmt *security_stmt[STORE_SECURITY_STMTS_MAX]; /* store-security.c's */
	bool security_none_owed; /* store-security.c: no tag owes a write, as last looked */
	char errmsg[256];

	/* store-guard.c: the files as opened, and the high-water mark */
	char *path, *wal_path, *mark_path;
	int db_fd; /* ours, beside sqlite's: st_nlink 0 = deleted */
	dev_t db_dev, wal_dev;
	ino_t db_ino, wal_ino;
	bool wal_known;
	int files_err; /* sticky -ESTALE once a file was deleted or replaced */
	char files_alarm[1024];
	bool guard_ready; /* the mark was judged: a clean close may write it */
	int mark_fd;
	int64_t mark_seq;   /* the highest seq the durable mark covers */
	int64_t damage_seq; /* acknowledged up to here, missing at the open; 0 = none */
	unsigned mark_writes;
	bool mark_unsettled; /* written, its writeback started: store_settle() waits */
	int mark_err; /* the last mark write's */
	/* store-sent.c: the log of returns sent; opened at the first line */
	char *sent_path;
	int sent_fd;
	char sent_boot[TXN_ID_LEN + 1]; /* this boot's id, read at the first need */
	bool sent_boot_read;
	bool sent_empty; /* emptied by this process, nothing logged since */
	bool sent_begun; /* sent_fd's file is not empty: no header, no fstat() needed */
	/* store-forward.c: forwarding's open transaction (store-forward.h) */
	bool fwd_open;       /* begun by store_fwd_*(), not yet committed */
	bool fwd_busy;       /* a store_fwd_*() is at work: its statements do not yield */
	bool fwd_sent_ready; /* store_sent_prepare() done in this transaction */
	int fwd_lost;        /* some of it was undone: what store_fwd_commit() says next */
	char alarm[384]; /* what the open found: acknowledged transactions missing */
	char notice[192]; /* what the open found that is not damage */
};

/*
 * store-guard.c. After the journal is ready: remembers the files (db_fd
 * opened by store.c, closed by store_guard_free()), reads or creates the
 * mark. Only -ENOMEM, a failing stat() or a journal that cannot be read
 * fail; a mark that cannot be written is mark_err, missing transactions
 * are the alarm.
 */
int store_guard_open(struct store *store, const char *path);
/* Before sqlite3_close(): a clean close writes where the journal ends. */
void store_guard_close(struct store *store);
/* After sqlite3_close(): the descriptors and paths. */
void store_guard_free(struct store *store);
/*
 * Before the commit of journal rows up to seq, carries of them (a stack's;
 * see store-guard.c): the mark written and its writeback started, which
 * store_settle() waits for. 0 or -errno, never fatal.
 */
int store_guard_before_commit(struct store *store, int64_t seq, unsigned carries);

/*
 * The journal columns row_to_txn() reads, in its order. The first 13 are
 * schema 1's, the last 4 schema 4's.
 */
#define STORE_TXN_COLUMNS \
	"seq, id, kind, patron, item, session_id, wall_ms, mono_ms, boot_id, mode, state, " \
	"due_ms, result, wall_trusted, date_status, original_wall_ms, attempts, evidence, " \
	"title, sent_wall_ms, confirmed_ms, purged, screen_msg, print_line, patron_told, " \
	"verifications, symbology"

/*
 * Schema 3 (store-forward.c): forwarding, and the tables of conflicts,
 * clock references and the store salt.
 */
extern const char store_migration_v3[];

/* Each prepares its statements into its own array of struct store. */
int store_forward_prepare(struct store *store);
int store_conflict_prepare(struct store *store);
int store_clock_prepare(struct store *store);
int store_privacy_prepare(struct store *store);

/* store-conflict.c: a conflicts row for txn id, inside the caller's transaction. */
int store_conflict_insert(struct store *store, const char *id,
			  const struct store_conflict_in *conflict, int64_t now_ms);
bool store_conflict_category_valid(enum conflict_category category);

/* Schema 4 (store-outcome.c): what the ILS said, what the patron was told. */
extern const char store_migration_v4[];
int store_outcome_prepare(struct store *store);
/* -EUCLEAN for a name that is not a txn_patron_told. */
int store_patron_told_from_name(const unsigned char *name, enum txn_patron_told *ret);

/* Schema 6 (store-security.c): the security writes owed to RFID tags. */
struct store_tags;
extern const char store_migration_v6[];
/* Schema 7 (store-clock.c): the index of dates still open. */
extern const char store_migration_v7[];
int store_security_prepare(struct store *store);
/* 0 for NULL tags; -EINVAL for too many or a uid not 16 hex digits. */
int store_security_tags_valid(const struct store_tags *tags);
/* Inside the caller's transaction: txn_id owes each of tags a write. */
int store_security_insert(struct store *store, const char *txn_id, const struct store_tags *tags,
			  int64_t now_ms);

/*
 * store.c's pieces of a recording, for store-record.c: -EINVAL for a txn
 * that cannot be stored as it is; inside the caller's transaction, txn's
 * journal row (*seq its row id) and what it does to the loans.
 */
int store_txn_valid(const struct txn *txn);
int store_journal_insert(struct store *store, const struct txn *txn, int64_t *seq);
int store_loan_apply(struct store *store, const struct txn *txn);

/* store-sent.c: the log of returns sent exists, started in this boot if it was empty. */
int store_sent_prepare(struct store *store);

/* Call right after the failing sqlite call, before anything else touches db. */
int store_fail(struct store *store, int rc);
void store_set_errmsg(struct store *store, const char *msg);
/* A generic SQL error while preparing: the file holds a schema that is not ours. */
int store_schema_error(int r, int rc);
/* Prepares n persistent statements of one file of the store into stmts (finalized by store_close). */
int store_prepare_statements(struct store *store, const char *const *sql, size_t n,
			     sqlite3_stmt **stmts);

/*
 * sqlite3_step() for every statement of the store: one that writes first
 * commits forwarding's open transaction (store_fwd_yield()), so no other
 * write ever joins it or waits on it.
 */
int store_step(struct store *store, sqlite3_stmt *stmt);
/*
 * Commits forwarding's open transaction, durably, if one is open and no
 * store_fwd_*() is at work; a failure rolls it back and is told by the
 * next store_fwd_commit(). Before anything else writes, and at close.
 */
void store_fwd_yield(struct store *store);
/*
 * store_vfs_defer_sync() for the store's next commit. Deferring commits
 * forwarding's open transaction first, with its own sync: a deferral is
 * only ever taken by the commit it was set for.
 */
int store_defer_next_sync(struct store *store, bool on);

void store_stmt_done(sqlite3_stmt *stmt);
/* Steps a statement that returns no rows, and resets it either way. */
int store_stmt_run(struct store *store, sqlite3_stmt *stmt);
/* Steps a one-row, one-integer statement into *ret, and resets it. */
int store_stmt_count(struct store *store, sqlite3_stmt *stmt, uint64_t *ret);

int store_begin(struct store *store);
int store_commit(struct store *store);
/* Errors are ignored: after some failures sqlite has already rolled back. */
void store_rollback(struct store *store);

int store_bind_text(sqlite3_stmt *stmt, int index, const char *s);
/*
 * Binds at most size - 1 bytes of s (NULL = ""), as the struct field it
 * comes back into holds; a cut never splits a UTF-8 sequence.
 */
int store_bind_text_max(sqlite3_stmt *stmt, int index, const char *s, size_t size);
/* Steps a statement that changes rows, and reports how many (n may be NULL). */
int store_run_counting(struct store *store, sqlite3_stmt *stmt, unsigned *n);
/* The index of a kind or state name (txn_kind_name(), txn_state_name()), or < 0. */
int store_kind_index(const unsigned char *name);
int store_state_index(const unsigned char *name);
/* Bounded copy of a text column: too long a value is cut, never overflows. */
void store_column_copy(sqlite3_stmt *stmt, int col, char *dst, size_t size);
/* A row of STORE_TXN_COLUMNS; -EUCLEAN for an unknown kind, mode, state or date status. */
int store_row_to_txn(sqlite3_stmt *stmt, struct txn *txn);
#define STORE_BAD_ROW "journal row with an unknown kind, mode, state or date status"

#endif
