/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Clock trust (store-clock.h): the ILS's time as a reference per boot, and
 * the untrusted stamps of that boot corrected from monotonic offsets, each
 * once, keeping the original; stamps nothing can establish are flagged.
 */

#include "store-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/*
 * Schema 7. The dates still open (untrusted, not yet corrected) get their
 * own index: schema 3's indexed every untrusted row, so each ILS status
 * answer re-read all of a boot's corrected rows to find none left (880 us
 * at 10,000 rows, and growing with the journal on a board without a
 * real-time clock). A corrected row leaves this index.
 */
const char store_migration_v7[] =
	"CREATE INDEX journal_dates_open ON journal(boot_id)"
	" WHERE wall_trusted = 0 AND date_status != 'corrected';"
	"DROP INDEX journal_untrusted;";

enum clock_stmt_id {
	CLOCK_CLOCK_REF_SET,
	CLOCK_CLOCK_REF_GET,
	CLOCK_FIX_DATES,
	CLOCK_FIX_DATES_FROM_REFS,
	CLOCK_LOAN_SINCE_FOLLOWS,
	CLOCK_FLAG_UNKNOWN,
	CLOCK_COUNT_OF_STMTS,
};

_Static_assert(CLOCK_COUNT_OF_STMTS <= STORE_CLOCK_STMTS_MAX, "struct store has room");

static const char *const clock_sql[CLOCK_COUNT_OF_STMTS] = {
	[CLOCK_CLOCK_REF_SET] = "INSERT OR REPLACE INTO clock_refs(boot_id, mono_ms, wall_ms,"
			       " source, recorded_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
	[CLOCK_CLOCK_REF_GET] = "SELECT boot_id, mono_ms, wall_ms, source, recorded_ms"
			       " FROM clock_refs WHERE boot_id = ?1",
	/* SET expressions all see the row as it was: original_wall_ms gets the old wall_ms. */
	[CLOCK_FIX_DATES] = "UPDATE journal SET original_wall_ms = wall_ms,"
			   " wall_ms = ?2 - (?3 - mono_ms), date_status = 'corrected'"
			   " WHERE boot_id = ?1 AND wall_trusted = 0"
			   " AND date_status != 'corrected'",
	[CLOCK_FIX_DATES_FROM_REFS] =
		"UPDATE journal SET original_wall_ms = wall_ms,"
		" wall_ms = (SELECT r.wall_ms - (r.mono_ms - journal.mono_ms) FROM clock_refs r"
		" WHERE r.boot_id = journal.boot_id),"
		" date_status = 'corrected'"
		" WHERE wall_trusted = 0 AND date_status != 'corrected'"
		" AND boot_id IN (SELECT boot_id FROM clock_refs)",
	/* loans is derived: a loan's start follows its checkout's corrected date. */
	[CLOCK_LOAN_SINCE_FOLLOWS] =
		"UPDATE loans SET since_ms ="
		" (SELECT j.wall_ms FROM journal j WHERE j.id = loans.txn_id)"
		" WHERE since_ms != (SELECT j.wall_ms FROM journal j WHERE j.id = loans.txn_id"
		" AND j.date_status = 'corrected')",
	/* "!= 'corrected'" adds nothing but lets sqlite use journal_dates_open. */
	[CLOCK_FLAG_UNKNOWN] = "UPDATE journal SET date_status = 'unknown'"
			      " WHERE wall_trusted = 0 AND date_status = ''"
			      " AND date_status != 'corrected' AND boot_id != ?1"
			      " AND boot_id NOT IN (SELECT boot_id FROM clock_refs)",
};

int store_clock_prepare(struct store *store)
{
	return store_prepare_statements(store, clock_sql, ARRAY_SIZE(clock_sql), store->clock_stmt);
}

static sqlite3_stmt *stmt_of(struct store *store, enum clock_stmt_id id)
{
	return store->clock_stmt[id];
}

int store_clock_ref_set(struct store *store, const char *boot_id, uint64_t mono_ms,
			int64_t wall_ms, const char *source, int64_t now_ms)
{
	sqlite3_stmt *stmt;

	if (!store || !boot_id || !*boot_id || mono_ms > INT64_MAX)
		return -EINVAL;
	stmt = stmt_of(store, CLOCK_CLOCK_REF_SET);
	store_bind_text(stmt, 1, boot_id);
	sqlite3_bind_int64(stmt, 2, (int64_t)mono_ms);
	sqlite3_bind_int64(stmt, 3, wall_ms);
	store_bind_text_max(stmt, 4, source, sizeof(((struct store_clock_ref *)0)->source));
	sqlite3_bind_int64(stmt, 5, now_ms);
	return store_stmt_run(store, stmt);
}

int store_clock_ref_get(struct store *store, const char *boot_id, struct store_clock_ref *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !boot_id || !ret)
		return -EINVAL;
	stmt = stmt_of(store, CLOCK_CLOCK_REF_GET);
	store_bind_text(stmt, 1, boot_id);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		store_column_copy(stmt, 0, ret->boot_id, sizeof(ret->boot_id));
		ret->mono_ms = (uint64_t)sqlite3_column_int64(stmt, 1);
		ret->wall_ms = sqlite3_column_int64(stmt, 2);
		store_column_copy(stmt, 3, ret->source, sizeof(ret->source));
		ret->recorded_ms = sqlite3_column_int64(stmt, 4);
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

/* The journal UPDATE in stmt, then loans following, in one transaction. */
static int fix_dates_with(struct store *store, sqlite3_stmt *stmt, unsigned *fixed)
{
	unsigned n = 0;
	int r;

	r = store_begin(store);
	if (r < 0) {
		store_stmt_done(stmt);
		return r;
	}
	r = store_run_counting(store, stmt, &n);
	if (r < 0)
		goto err_rollback;
	if (n) {
		r = store_stmt_run(store, stmt_of(store, CLOCK_LOAN_SINCE_FOLLOWS));
		if (r < 0)
			goto err_rollback;
	}
	r = store_commit(store);
	if (r < 0)
		goto err_rollback;
	if (fixed)
		*fixed = n;
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}

int store_fix_dates(struct store *store, const char *boot_id, uint64_t ref_mono_ms,
		    int64_t ref_wall_ms, unsigned *fixed)
{
	sqlite3_stmt *stmt;

	if (!store || !boot_id || ref_mono_ms > INT64_MAX)
		return -EINVAL;
	stmt = stmt_of(store, CLOCK_FIX_DATES);
	store_bind_text(stmt, 1, boot_id);
	sqlite3_bind_int64(stmt, 2, ref_wall_ms);
	sqlite3_bind_int64(stmt, 3, (int64_t)ref_mono_ms);
	return fix_dates_with(store, stmt, fixed);
}

int store_fix_dates_from_refs(struct store *store, unsigned *fixed)
{
	if (!store)
		return -EINVAL;
	return fix_dates_with(store, stmt_of(store, CLOCK_FIX_DATES_FROM_REFS), fixed);
}

int store_flag_unknown_dates(struct store *store, const char *current_boot_id,
			     unsigned *flagged)
{
	sqlite3_stmt *stmt;

	if (!store || !current_boot_id)
		return -EINVAL;
	stmt = stmt_of(store, CLOCK_FLAG_UNKNOWN);
	store_bind_text(stmt, 1, current_boot_id);
	return store_run_counting(store, stmt, flagged);
}
