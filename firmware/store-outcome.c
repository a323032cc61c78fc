/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Schema 4: what the ILS said with its final answer (AF, AG), what the
 * patron of an online transaction that did not finish normally was told,
 * and how often store-and-forward asked the ILS whether it applied one.
 * Staff read them in circctl; the conflict text of a transaction found
 * applied after a crash says what the patron was really told.
 */
#include "store-private.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/*
 * Rows unfinished and online at the upgrade were told either "not done" or
 * nothing (circd died): nobody knows which any more, so they say unknown.
 * A second trigger guards the new columns: AF/AG only with the final
 * answer, patron_told once from 'nothing' while unfinished, the count only
 * up.
 */
const char store_migration_v4[] =
	"ALTER TABLE journal ADD COLUMN screen_msg TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE journal ADD COLUMN print_line TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE journal ADD COLUMN patron_told TEXT NOT NULL DEFAULT 'nothing'"
	" CHECK(patron_told IN ('nothing', 'not-done', 'served-offline', 'unknown'));"
	"ALTER TABLE journal ADD COLUMN verifications INTEGER NOT NULL DEFAULT 0;"
	"UPDATE journal SET patron_told = 'unknown'"
	" WHERE mode = 'online' AND state IN ('pending', 'forwarded');"
	"CREATE TRIGGER journal_outcome_once BEFORE UPDATE ON journal"
	" WHEN ((NEW.screen_msg IS NOT OLD.screen_msg OR NEW.print_line IS NOT OLD.print_line)"
	"     AND OLD.state NOT IN ('pending', 'forwarded'))"
	" OR (NEW.patron_told IS NOT OLD.patron_told AND NOT (OLD.patron_told = 'nothing'"
	"     AND OLD.state IN ('pending', 'forwarded')))"
	" OR NEW.verifications < OLD.verifications"
	" BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;";

enum outcome_stmt_id {
	OUTCOME_PATRON_TOLD,
	OUTCOME_COUNT_VERIFICATION,
	OUTCOME_VERIFICATIONS,
	OUTCOME_COUNT_OF_STMTS,
};

_Static_assert(OUTCOME_COUNT_OF_STMTS <= STORE_OUTCOME_STMTS_MAX, "struct store has room");

static const char *const outcome_sql[OUTCOME_COUNT_OF_STMTS] = {
	[OUTCOME_PATRON_TOLD] = "UPDATE journal SET patron_told = ?2"
				" WHERE id = ?1 AND patron_told = 'nothing'"
				" AND state IN ('pending', 'forwarded')",
	/* Parenthesised: clang takes two literals in a row in an array for a missing comma. */
	[OUTCOME_COUNT_VERIFICATION] = ("UPDATE journal SET verifications = verifications + 1,"
					" updated_ms = ?2 WHERE id = ?1 AND state = 'forwarded'"),
	[OUTCOME_VERIFICATIONS] = "SELECT verifications FROM journal WHERE id = ?1",
};

static const char *const told_names[] = {
	[TXN_TOLD_NOTHING] = "nothing",
	[TXN_TOLD_NOT_DONE] = "not-done",
	[TXN_TOLD_SERVED_OFFLINE] = "served-offline",
	[TXN_TOLD_UNKNOWN] = "unknown",
};

int store_outcome_prepare(struct store *store)
{
	return store_prepare_statements(store, outcome_sql, ARRAY_SIZE(outcome_sql),
					store->outcome_stmt);
}

const char *txn_patron_told_name(enum txn_patron_told told)
{
	return (unsigned)told < ARRAY_SIZE(told_names) ? told_names[told] : "unknown";
}

int store_patron_told_from_name(const unsigned char *name, enum txn_patron_told *ret)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(told_names); i++)
		if (strcmp(told_names[i], (const char *)name) == 0) {
			*ret = (enum txn_patron_told)i;
			return 0;
		}
	return -EUCLEAN;
}

/* After an UPDATE that changed nothing: -ENOENT when there is no such txn, else -EPERM. */
static int unchanged(struct store *store, const char *id, unsigned *verifications)
{
	sqlite3_stmt *stmt = store->outcome_stmt[OUTCOME_VERIFICATIONS];
	int rc, r;

	store_bind_text(stmt, 1, id);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		if (verifications)
			*verifications = (unsigned)sqlite3_column_int64(stmt, 0);
		store_set_errmsg(store, "the transaction is final, or it was recorded already");
		r = -EPERM;
	} else if (rc == SQLITE_DONE) {
		store_set_errmsg(store, "no such transaction");
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_note_patron_told(struct store *store, const char *id, enum txn_patron_told told)
{
	sqlite3_stmt *stmt;
	int r;

	if (!store || !id || told == TXN_TOLD_NOTHING || (unsigned)told >= ARRAY_SIZE(told_names))
		return -EINVAL;
	stmt = store->outcome_stmt[OUTCOME_PATRON_TOLD];
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, told_names[told]);
	/* One statement in autocommit: durable (synchronous=FULL) when it returns. */
	r = store_stmt_run(store, stmt);
	if (r < 0)
		return r;
	return sqlite3_changes(store->db) ? 0 : unchanged(store, id, NULL);
}

int store_count_verification(struct store *store, const char *id, int64_t now_ms,
			     unsigned *verifications)
{
	sqlite3_stmt *stmt;
	int r;

	if (!store || !id)
		return -EINVAL;
	stmt = store->outcome_stmt[OUTCOME_COUNT_VERIFICATION];
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		return r;
	if (!sqlite3_changes(store->db))
		return unchanged(store, id, NULL);
	stmt = store->outcome_stmt[OUTCOME_VERIFICATIONS];
	store_bind_text(stmt, 1, id);
	if (store_step(store, stmt) == SQLITE_ROW && verifications)
		*verifications = (unsigned)sqlite3_column_int64(stmt, 0);
	store_stmt_done(stmt);
	return 0;
}
