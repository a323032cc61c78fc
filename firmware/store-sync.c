/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store's side of forwarding to the ILS (schema 3): the forwarding
 * states, conflicts for staff, clock references and date corrections, the
 * privacy purge, and the offline patron cache. store.c has the journal's
 * core; both share struct store through store-private.h.
 */
#include "store-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

/*
 * The journal gains its forwarding columns; identity stays immutable, with
 * exactly two sanctioned rewrites, each marked in the row itself:
 *  - a clock correction: wall_ms of an untrusted-clock txn changes once,
 *    the old value kept in original_wall_ms, date_status -> 'corrected';
 *  - a privacy purge: a confirmed txn's patron becomes '' and purged 1.
 * Rows finished before schema 3 get confirmed_ms from updated_ms, so that
 * their privacy clock starts when they were finished, not at the upgrade.
 */
const char store_migration_v3[] =
	"DROP TRIGGER journal_no_rewrite;"
	"ALTER TABLE journal ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE journal ADD COLUMN evidence TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE journal ADD COLUMN title TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE journal ADD COLUMN wall_trusted INTEGER NOT NULL DEFAULT 1"
	" CHECK(wall_trusted IN (0, 1));"
	"ALTER TABLE journal ADD COLUMN date_status TEXT NOT NULL DEFAULT ''"
	" CHECK(date_status IN ('', 'corrected', 'unknown'));"
	"ALTER TABLE journal ADD COLUMN original_wall_ms INTEGER;"
	"ALTER TABLE journal ADD COLUMN sent_wall_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE journal ADD COLUMN confirmed_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE journal ADD COLUMN purged INTEGER NOT NULL DEFAULT 0 CHECK(purged IN (0, 1));"
	"UPDATE journal SET confirmed_ms = updated_ms"
	" WHERE state IN ('confirmed', 'conflict', 'failed');"
	"CREATE INDEX journal_untrusted ON journal(boot_id) WHERE wall_trusted = 0;"
	"CREATE INDEX journal_purgeable ON journal(confirmed_ms)"
	" WHERE state = 'confirmed' AND purged = 0;"
	"CREATE TRIGGER journal_no_rewrite BEFORE UPDATE ON journal"
	" WHEN NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind"
	" OR NEW.item IS NOT OLD.item OR NEW.session_id IS NOT OLD.session_id"
	" OR NEW.mono_ms IS NOT OLD.mono_ms OR NEW.boot_id IS NOT OLD.boot_id"
	" OR NEW.wall_trusted IS NOT OLD.wall_trusted"
	/* mode: an online attempt the ILS never answered joins the offline queue */
	" OR (NEW.mode IS NOT OLD.mode AND NOT (OLD.mode = 'online' AND NEW.mode = 'offline'"
	"     AND OLD.state IN ('pending', 'forwarded')))"
	/* purge: once, of a confirmed txn, which stays as it is */
	" OR (NEW.purged IS NOT OLD.purged AND NOT (OLD.purged = 0 AND NEW.purged = 1"
	"     AND OLD.state = 'confirmed' AND NEW.state = 'confirmed'))"
	" OR (OLD.purged = 1 AND NEW.state IS NOT OLD.state)"
	" OR (NEW.patron IS NOT OLD.patron AND NOT (NEW.patron = ''"
	"     AND OLD.purged = 0 AND NEW.purged = 1))"
	/* dates: '' -> 'unknown', or '' | 'unknown' -> 'corrected' keeping the original */
	" OR (NEW.date_status IS NOT OLD.date_status AND NOT (OLD.wall_trusted = 0 AND ("
	"     (OLD.date_status = '' AND NEW.date_status = 'unknown')"
	"     OR (OLD.date_status IN ('', 'unknown') AND NEW.date_status = 'corrected'"
	"         AND OLD.original_wall_ms IS NULL AND NEW.original_wall_ms IS OLD.wall_ms))))"
	" OR ((NEW.wall_ms IS NOT OLD.wall_ms OR NEW.original_wall_ms IS NOT OLD.original_wall_ms)"
	"     AND NOT (OLD.date_status IS NOT 'corrected' AND NEW.date_status = 'corrected'))"
	" BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TABLE conflicts(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" txn_id TEXT NOT NULL REFERENCES journal(id),"
	" category TEXT NOT NULL CHECK(category IN ('on-loan-to-other', 'patron-blocked',"
	" 'unknown-item', 'unknown-patron', 'held-for-other', 'other')),"
	" message TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,"
	" resolved_ms INTEGER NOT NULL DEFAULT 0, resolution TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX conflicts_txn ON conflicts(txn_id);"
	"CREATE TRIGGER conflicts_no_delete BEFORE DELETE ON conflicts"
	" BEGIN SELECT RAISE(ABORT, 'conflicts are append-only'); END;"
	/* Only the resolution moves, from unresolved to resolved, once. */
	"CREATE TRIGGER conflicts_no_rewrite BEFORE UPDATE ON conflicts"
	" WHEN NEW.id IS NOT OLD.id OR NEW.txn_id IS NOT OLD.txn_id"
	" OR NEW.category IS NOT OLD.category OR NEW.message IS NOT OLD.message"
	" OR NEW.created_ms IS NOT OLD.created_ms OR OLD.resolved_ms != 0 OR NEW.resolved_ms = 0"
	" BEGIN SELECT RAISE(ABORT, 'conflicts are append-only'); END;"
	"CREATE TABLE clock_refs(boot_id TEXT PRIMARY KEY, mono_ms INTEGER NOT NULL,"
	" wall_ms INTEGER NOT NULL, source TEXT NOT NULL, recorded_ms INTEGER NOT NULL);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);";

#define UNFINISHED "('pending', 'forwarded')"

/* Row after row of several states by seq: each min() is one seek in journal_state. */
#define WALK_STATES_SQL(cols)                                                               \
	"SELECT " cols " FROM journal WHERE seq = (SELECT min(s) FROM ("                      \
	"SELECT min(seq) AS s FROM journal WHERE state = ?1 AND seq > ?4 AND seq <= ?5"       \
	" UNION ALL SELECT min(seq) FROM journal WHERE state = ?2 AND seq > ?4 AND seq <= ?5" \
	" UNION ALL SELECT min(seq) FROM journal WHERE state = ?3 AND seq > ?4 AND seq <= ?5))"

enum sync_stmt_id {
	SYNC_MARK_FORWARDED,
	SYNC_TXN_STATE,
	SYNC_FINISH,
	SYNC_CONFLICT_INSERT,
	SYNC_LOAN_DROP_OF_TXN,
	SYNC_LOAN_DUE_OF_TXN,
	SYNC_LOAN_DUE_OF_PATRON,
	SYNC_WALK_STATES,
	SYNC_MAX_SEQ,
	SYNC_CONFLICT_NEXT,
	SYNC_CONFLICT_MAX_ID,
	SYNC_CONFLICT_RESOLVE,
	SYNC_CONFLICT_RESOLVED_MS,
	SYNC_CONFLICT_UNRESOLVED,
	SYNC_CLOCK_REF_SET,
	SYNC_CLOCK_REF_GET,
	SYNC_FIX_DATES,
	SYNC_FIX_DATES_FROM_REFS,
	SYNC_LOAN_SINCE_FOLLOWS,
	SYNC_FLAG_UNKNOWN,
	SYNC_PURGE_LOANS,
	SYNC_PURGE,
	SYNC_COUNT_BY_KIND,
	SYNC_META_GET,
	SYNC_META_ADD,
	SYNC_CACHE_PUT,
	SYNC_CACHE_GET,
	SYNC_CACHE_EXPIRE,
	SYNC_DEMOTE_OFFLINE,
	SYNC_COUNT_OF_STMTS,
};

_Static_assert(SYNC_COUNT_OF_STMTS <= STORE_SYNC_STMTS_MAX, "struct store has room");

static const char *const sync_sql[SYNC_COUNT_OF_STMTS] = {
	[SYNC_MARK_FORWARDED] = "UPDATE journal SET state = 'forwarded', attempts = attempts + 1,"
				" sent_wall_ms = ?2, updated_ms = ?2"
				" WHERE id = ?1 AND state IN " UNFINISHED,
	[SYNC_TXN_STATE] = "SELECT state, kind, item, patron FROM journal WHERE id = ?1",
	[SYNC_FINISH] = "UPDATE journal SET state = ?2, result = ?3, evidence = ?4, title = ?5,"
			" due_ms = CASE WHEN ?6 != 0 THEN ?6 ELSE due_ms END,"
			" confirmed_ms = ?7, updated_ms = ?7, screen_msg = ?8, print_line = ?9"
			" WHERE id = ?1 AND state IN " UNFINISHED,
	[SYNC_CONFLICT_INSERT] = "INSERT INTO conflicts(txn_id, category, message, created_ms)"
				 " VALUES(?1, ?2, ?3, ?4)",
	/* Only the loan this txn made: a later checkout of the item owns the row otherwise. */
	[SYNC_LOAN_DROP_OF_TXN] = "DELETE FROM loans WHERE txn_id = ?1",
	[SYNC_DEMOTE_OFFLINE] = "UPDATE journal SET mode = 'offline',"
				" due_ms = CASE WHEN ?2 != 0 THEN ?2 ELSE due_ms END,"
				" updated_ms = ?3, patron_told = CASE"
				" WHEN patron_told = 'nothing' THEN 'served-offline'"
				" ELSE patron_told END"
				" WHERE id = ?1 AND mode = 'online' AND state IN " UNFINISHED,
	[SYNC_LOAN_DUE_OF_TXN] = "UPDATE loans SET due_ms = ?2 WHERE txn_id = ?1",
	[SYNC_LOAN_DUE_OF_PATRON] = "UPDATE loans SET due_ms = ?3 WHERE item = ?1 AND patron = ?2",
	[SYNC_WALK_STATES] = WALK_STATES_SQL(STORE_TXN_COLUMNS),
	[SYNC_MAX_SEQ] = "SELECT ifnull(max(seq), 0) FROM journal",
	[SYNC_CONFLICT_NEXT] =
		"SELECT c.id, c.txn_id, c.category, c.message, c.created_ms, c.resolved_ms,"
		" c.resolution, j.kind, j.item, j.patron, j.wall_ms, j.screen_msg, j.print_line,"
		" j.patron_told"
		" FROM conflicts c JOIN journal j ON j.id = c.txn_id"
		" WHERE c.id > ?1 AND c.id <= ?2 AND (?3 OR c.resolved_ms = 0)"
		" ORDER BY c.id LIMIT 1",
	[SYNC_CONFLICT_MAX_ID] = "SELECT ifnull(max(id), 0) FROM conflicts",
	[SYNC_CONFLICT_RESOLVE] = "UPDATE conflicts SET resolved_ms = ?2, resolution = ?3"
				  " WHERE id = ?1 AND resolved_ms = 0",
	[SYNC_CONFLICT_RESOLVED_MS] = "SELECT resolved_ms FROM conflicts WHERE id = ?1",
	[SYNC_CONFLICT_UNRESOLVED] = "SELECT count(*) FROM conflicts WHERE resolved_ms = 0",
	[SYNC_CLOCK_REF_SET] = "INSERT OR REPLACE INTO clock_refs(boot_id, mono_ms, wall_ms,"
			       " source, recorded_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
	[SYNC_CLOCK_REF_GET] = "SELECT boot_id, mono_ms, wall_ms, source, recorded_ms"
			       " FROM clock_refs WHERE boot_id = ?1",
	/* SET expressions all see the row as it was: original_wall_ms gets the old wall_ms. */
	[SYNC_FIX_DATES] = "UPDATE journal SET original_wall_ms = wall_ms,"
			   " wall_ms = ?2 - (?3 - mono_ms), date_status = 'corrected'"
			   " WHERE boot_id = ?1 AND wall_trusted = 0"
			   " AND date_status != 'corrected'",
	[SYNC_FIX_DATES_FROM_REFS] =
		"UPDATE journal SET original_wall_ms = wall_ms,"
		" wall_ms = (SELECT r.wall_ms - (r.mono_ms - journal.mono_ms) FROM clock_refs r"
		" WHERE r.boot_id = journal.boot_id),"
		" date_status = 'corrected'"
		" WHERE wall_trusted = 0 AND date_status != 'corrected'"
		" AND boot_id IN (SELECT boot_id FROM clock_refs)",
	/* loans is derived: a loan's start follows its checkout's corrected date. */
	[SYNC_LOAN_SINCE_FOLLOWS] =
		"UPDATE loans SET since_ms ="
		" (SELECT j.wall_ms FROM journal j WHERE j.id = loans.txn_id)"
		" WHERE since_ms != (SELECT j.wall_ms FROM journal j WHERE j.id = loans.txn_id"
		" AND j.date_status = 'corrected')",
	[SYNC_FLAG_UNKNOWN] = "UPDATE journal SET date_status = 'unknown'"
			      " WHERE wall_trusted = 0 AND date_status = '' AND boot_id != ?1"
			      " AND boot_id NOT IN (SELECT boot_id FROM clock_refs)",
	/* Without INDEXED BY the planner walks every confirmed txn in journal_state. */
	[SYNC_PURGE_LOANS] = "DELETE FROM loans WHERE txn_id IN (SELECT id FROM journal"
			     " INDEXED BY journal_purgeable"
			     " WHERE state = 'confirmed' AND purged = 0 AND confirmed_ms <= ?1)",
	[SYNC_PURGE] = "UPDATE journal INDEXED BY journal_purgeable SET patron = '', purged = 1"
		       " WHERE state = 'confirmed' AND purged = 0 AND confirmed_ms <= ?1",
	[SYNC_COUNT_BY_KIND] = "SELECT kind, state, count(*) FROM journal GROUP BY kind, state",
	[SYNC_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[SYNC_META_ADD] = "INSERT OR IGNORE INTO meta(key, value) VALUES(?1, ?2)",
	[SYNC_CACHE_PUT] = "INSERT OR REPLACE INTO patron_cache(key_hash, salt, allowed,"
			   " fetched_ms, expires_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
	[SYNC_CACHE_GET] = "SELECT allowed, fetched_ms, expires_ms FROM patron_cache"
			   " WHERE key_hash = ?1",
	[SYNC_CACHE_EXPIRE] = "DELETE FROM patron_cache WHERE expires_ms <= ?1",
};

static const char *const category_names[] = {
	[CONFLICT_ON_LOAN_TO_OTHER] = "on-loan-to-other",
	[CONFLICT_PATRON_BLOCKED] = "patron-blocked",
	[CONFLICT_UNKNOWN_ITEM] = "unknown-item",
	[CONFLICT_UNKNOWN_PATRON] = "unknown-patron",
	[CONFLICT_HELD_FOR_OTHER] = "held-for-other",
	[CONFLICT_OTHER] = "other",
};

#define SALT_KEY "patron_salt"

int store_sync_prepare(struct store *store)
{
	for (size_t i = 0; i < ARRAY_SIZE(sync_sql); i++) {
		int rc = sqlite3_prepare_v3(store->db, sync_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &store->sync_stmt[i], NULL);

		if (rc != SQLITE_OK)
			return store_schema_error(store_fail(store, rc), rc);
	}
	return 0;
}

static sqlite3_stmt *stmt_of(struct store *store, enum sync_stmt_id id)
{
	return store->sync_stmt[id];
}

const char *conflict_category_name(enum conflict_category category)
{
	return (unsigned)category < ARRAY_SIZE(category_names) ? category_names[category]
								: "unknown";
}

int conflict_category_from_name(const char *name, enum conflict_category *ret)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(category_names); i++)
		if (strcmp(name, category_names[i]) == 0) {
			if (ret)
				*ret = (enum conflict_category)i;
			return 0;
		}
	return -EINVAL;
}

/*
 * Binds at most size - 1 bytes of s (NULL = ""), as the struct field it
 * comes back into holds; a cut never splits a UTF-8 sequence.
 */
static int bind_text_max(sqlite3_stmt *stmt, int index, const char *s, size_t size)
{
	size_t len;

	if (!s)
		s = "";
	len = strlen(s);
	if (len > size - 1) {
		len = size - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return sqlite3_bind_text(stmt, index, s, (int)len, SQLITE_STATIC);
}

static unsigned changes(struct store *store)
{
	return (unsigned)sqlite3_changes(store->db);
}

/* Steps a statement that changes rows, and reports how many. */
static int run_counting(struct store *store, sqlite3_stmt *stmt, unsigned *n)
{
	int r = store_stmt_run(store, stmt);

	if (r >= 0 && n)
		*n = changes(store);
	return r;
}

struct txn_state_row {
	enum txn_state state;
	enum txn_kind kind;
	char item[SCAN_TEXT_MAX + 1];
	char patron[PATRON_ID_MAX + 1];
};

static int name_in(const char *const *names, size_t n, const unsigned char *text)
{
	for (size_t i = 0; text && i < n; i++)
		if (strcmp(names[i], (const char *)text) == 0)
			return (int)i;
	return -1;
}

static int state_name_index(const unsigned char *text)
{
	for (int i = 0; text && i < TXN_STATES; i++)
		if (strcmp(txn_state_name((enum txn_state)i), (const char *)text) == 0)
			return i;
	return -1;
}

static int kind_name_index(const unsigned char *text)
{
	for (int i = 0; text && i < TXN_KINDS; i++)
		if (strcmp(txn_kind_name((enum txn_kind)i), (const char *)text) == 0)
			return i;
	return -1;
}

/* The state of txn id: 0, -ENOENT, or -EUCLEAN for a row this circd cannot read. */
static int txn_state_get(struct store *store, const char *id, struct txn_state_row *ret)
{
	sqlite3_stmt *stmt = stmt_of(store, SYNC_TXN_STATE);
	int rc, r = 0;

	store_bind_text(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		int state = state_name_index(sqlite3_column_text(stmt, 0));
		int kind = kind_name_index(sqlite3_column_text(stmt, 1));

		store_column_copy(stmt, 2, ret->item, sizeof(ret->item));
		store_column_copy(stmt, 3, ret->patron, sizeof(ret->patron));
		if (state < 0 || kind < 0) {
			store_set_errmsg(store, "journal row with an unknown kind or state");
			r = -EUCLEAN;
		} else {
			ret->state = (enum txn_state)state;
			ret->kind = (enum txn_kind)kind;
		}
	} else if (rc == SQLITE_DONE) {
		store_set_errmsg(store, "no such transaction");
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

static bool is_final(enum txn_state state)
{
	return state == TXN_CONFIRMED || state == TXN_CONFLICT || state == TXN_FAILED;
}

/* After an UPDATE ... WHERE state IN unfinished changed nothing: why not. */
static int why_unchanged(struct store *store, const char *id)
{
	struct txn_state_row row;
	int r = txn_state_get(store, id, &row);

	if (r < 0)
		return r;
	store_set_errmsg(store, "the transaction is already final");
	return -EPERM;
}

int store_mark_forwarded(struct store *store, const char *id, int64_t now_ms)
{
	sqlite3_stmt *stmt;
	unsigned n = 0;
	int r;

	if (!store || !id)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_MARK_FORWARDED);
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	/* One statement in autocommit: durable (synchronous=FULL) when it returns. */
	r = run_counting(store, stmt, &n);
	if (r < 0)
		return r;
	return n ? 0 : why_unchanged(store, id);
}

int store_demote_offline(struct store *store, const char *id, int64_t due_ms, int64_t now_ms)
{
	sqlite3_stmt *stmt;
	unsigned n = 0;
	int r;

	if (!store || !id)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_DEMOTE_OFFLINE);
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, due_ms);
	sqlite3_bind_int64(stmt, 3, now_ms);
	r = run_counting(store, stmt, &n);
	if (r < 0)
		return r;
	return n ? 0 : why_unchanged(store, id);
}

static int finish_loans(struct store *store, const char *id, const struct txn_state_row *row,
			enum txn_state state, int64_t due_ms)
{
	sqlite3_stmt *stmt;

	/* A checkout the ILS refused or never applied leaves no loan here. */
	if ((state == TXN_CONFLICT || state == TXN_FAILED) && row->kind == TXN_CHECKOUT) {
		stmt = stmt_of(store, SYNC_LOAN_DROP_OF_TXN);
		store_bind_text(stmt, 1, id);
		return store_stmt_run(store, stmt);
	}
	if (state != TXN_CONFIRMED || !due_ms)
		return 0;
	if (row->kind == TXN_CHECKOUT) {
		stmt = stmt_of(store, SYNC_LOAN_DUE_OF_TXN);
		store_bind_text(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, due_ms);
		return store_stmt_run(store, stmt);
	}
	if (row->kind == TXN_RENEW) {
		stmt = stmt_of(store, SYNC_LOAN_DUE_OF_PATRON);
		store_bind_text(stmt, 1, row->item);
		store_bind_text(stmt, 2, row->patron);
		sqlite3_bind_int64(stmt, 3, due_ms);
		return store_stmt_run(store, stmt);
	}
	return 0;
}

static int conflict_insert(struct store *store, const char *id,
			   const struct store_conflict_in *conflict, int64_t now_ms)
{
	sqlite3_stmt *stmt = stmt_of(store, SYNC_CONFLICT_INSERT);

	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, conflict_category_name(conflict->category));
	bind_text_max(stmt, 3, conflict->message, CONFLICT_MESSAGE_MAX);
	sqlite3_bind_int64(stmt, 4, now_ms);
	return store_stmt_run(store, stmt);
}

int store_finish(struct store *store, const char *id, enum txn_state state, const char *result,
		 const char *evidence, const char *title, int64_t due_ms, int64_t now_ms,
		 const struct store_conflict_in *conflict)
{
	return store_finish_and_forward(store, id, state, result, evidence, title, due_ms, now_ms,
					conflict, NULL, NULL);
}

int store_finish_said(struct store *store, const char *id, enum txn_state state,
		      const char *result, const char *evidence, const char *title, int64_t due_ms,
		      int64_t now_ms, const struct store_conflict_in *conflict,
		      const struct store_ils_said *said)
{
	return store_finish_and_forward(store, id, state, result, evidence, title, due_ms, now_ms,
					conflict, said, NULL);
}

int store_finish_and_forward(struct store *store, const char *id, enum txn_state state,
			     const char *result, const char *evidence, const char *title,
			     int64_t due_ms, int64_t now_ms,
			     const struct store_conflict_in *conflict,
			     const struct store_ils_said *said, const char *next_id)
{
	struct txn_state_row row;
	sqlite3_stmt *stmt;
	unsigned marked = 0;
	int r;

	if (!store || !id || !is_final(state) || now_ms <= 0)
		return -EINVAL;
	if ((state == TXN_CONFLICT) != (conflict != NULL) ||
	    (conflict && (unsigned)conflict->category >= ARRAY_SIZE(category_names))) {
		store_set_errmsg(store, "a conflict goes with exactly the conflict state");
		return -EINVAL;
	}
	r = store_begin(store);
	if (r < 0)
		return r;
	r = txn_state_get(store, id, &row);
	if (r < 0)
		goto err_rollback;
	if (is_final(row.state)) {
		store_set_errmsg(store, "the transaction is already final");
		r = -EPERM;
		goto err_rollback;
	}
	stmt = stmt_of(store, SYNC_FINISH);
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, txn_state_name(state));
	bind_text_max(stmt, 3, result, TXN_RESULT_MAX);
	bind_text_max(stmt, 4, evidence, TXN_EVIDENCE_MAX);
	bind_text_max(stmt, 5, title, TXN_TITLE_MAX);
	sqlite3_bind_int64(stmt, 6, due_ms);
	sqlite3_bind_int64(stmt, 7, now_ms);
	bind_text_max(stmt, 8, said ? said->screen_msg : NULL, TXN_ILS_TEXT_MAX);
	bind_text_max(stmt, 9, said ? said->print_line : NULL, TXN_ILS_TEXT_MAX);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		goto err_rollback;
	if (conflict) {
		r = conflict_insert(store, id, conflict, now_ms);
		if (r < 0)
			goto err_rollback;
	}
	r = finish_loans(store, id, &row, state, due_ms);
	if (r < 0)
		goto err_rollback;
	if (next_id) {
		stmt = stmt_of(store, SYNC_MARK_FORWARDED);
		store_bind_text(stmt, 1, next_id);
		sqlite3_bind_int64(stmt, 2, now_ms);
		r = run_counting(store, stmt, &marked);
		if (r >= 0 && !marked) {
			store_set_errmsg(store, "the next transaction is not waiting to be sent");
			r = -EPERM;
		}
		if (r < 0)
			goto err_rollback;
	}
	r = store_commit(store);
	if (r < 0)
		goto err_rollback;
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}

/*
 * One step of a walk over up to three states (repeat one to walk fewer):
 * the first txn after seq `after`, up to `last`. 1 and *ret, 0 at the end.
 */
static int walk_step(struct store *store, const enum txn_state states[3], int64_t after,
		     int64_t last, struct txn *ret)
{
	sqlite3_stmt *stmt = stmt_of(store, SYNC_WALK_STATES);
	int rc, r;

	for (int i = 0; i < 3; i++)
		store_bind_text(stmt, i + 1, txn_state_name(states[i]));
	sqlite3_bind_int64(stmt, 4, after);
	sqlite3_bind_int64(stmt, 5, last);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		r = store_row_to_txn(stmt, ret);
		if (r < 0)
			store_set_errmsg(store, STORE_BAD_ROW);
		else
			r = 1;
	} else if (rc == SQLITE_DONE) {
		r = 0;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_next_to_forward(struct store *store, struct txn *ret)
{
	return store_next_to_forward_after(store, INT64_MIN, ret);
}

int store_next_to_forward_after(struct store *store, int64_t after_seq, struct txn *ret)
{
	static const enum txn_state unfinished[3] = { TXN_PENDING, TXN_FORWARDED, TXN_FORWARDED };
	int r;

	if (!store || !ret)
		return -EINVAL;
	r = walk_step(store, unfinished, after_seq, INT64_MAX, ret);
	if (r == 0) {
		store_set_errmsg(store, "nothing to forward");
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

int store_list_unforwarded(struct store *store, store_txn_fn fn, void *data)
{
	int64_t last_seq;
	int r;

	if (!store || !fn)
		return -EINVAL;
	/* What fn records during the walk is not part of it. */
	r = store_max_seq(store, &last_seq);
	if (r < 0)
		return r;
	return store_list_unforwarded_range(store, INT64_MIN, last_seq, 0, fn, data);
}

int store_list_unforwarded_range(struct store *store, int64_t after_seq, int64_t last_seq,
				 unsigned limit, store_txn_fn fn, void *data)
{
	static const enum txn_state unforwarded[3] = { TXN_PENDING, TXN_FORWARDED, TXN_FAILED };
	int64_t after = after_seq;
	int r;

	if (!store || !fn)
		return -EINVAL;
	for (unsigned n = 0; limit == 0 || n < limit; n++) {
		struct txn txn;

		r = walk_step(store, unforwarded, after, last_seq, &txn);
		if (r <= 0)
			return r;
		after = txn.seq;
		r = fn(data, &txn);
		if (r != 0)
			return r;
	}
	return 0;
}

static int row_to_conflict(sqlite3_stmt *stmt, struct store_conflict *c)
{
	int category, kind;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(stmt, 0);
	store_column_copy(stmt, 1, c->txn_id, sizeof(c->txn_id));
	category = name_in(category_names, ARRAY_SIZE(category_names),
			   sqlite3_column_text(stmt, 2));
	store_column_copy(stmt, 3, c->message, sizeof(c->message));
	c->created_ms = sqlite3_column_int64(stmt, 4);
	c->resolved_ms = sqlite3_column_int64(stmt, 5);
	store_column_copy(stmt, 6, c->resolution, sizeof(c->resolution));
	kind = kind_name_index(sqlite3_column_text(stmt, 7));
	store_column_copy(stmt, 8, c->item, sizeof(c->item));
	store_column_copy(stmt, 9, c->patron, sizeof(c->patron));
	c->wall_ms = sqlite3_column_int64(stmt, 10);
	store_column_copy(stmt, 11, c->screen_msg, sizeof(c->screen_msg));
	store_column_copy(stmt, 12, c->print_line, sizeof(c->print_line));
	if (category < 0 || kind < 0 ||
	    store_patron_told_from_name(sqlite3_column_text(stmt, 13), &c->patron_told) < 0)
		return -EUCLEAN;
	c->category = (enum conflict_category)category;
	c->kind = (enum txn_kind)kind;
	return 0;
}

int store_conflicts_list(struct store *store, bool include_resolved, store_conflict_fn fn,
			 void *data)
{
	sqlite3_stmt *stmt;
	uint64_t last_id;
	int64_t after = INT64_MIN;
	int r;

	if (!store || !fn)
		return -EINVAL;
	r = store_stmt_count(store, stmt_of(store, SYNC_CONFLICT_MAX_ID), &last_id);
	if (r < 0)
		return r;
	stmt = stmt_of(store, SYNC_CONFLICT_NEXT);
	for (;;) {
		struct store_conflict c;
		int rc;

		/* One row per step: no statement is open while fn runs (it may resolve). */
		sqlite3_bind_int64(stmt, 1, after);
		sqlite3_bind_int64(stmt, 2, (int64_t)last_id);
		sqlite3_bind_int(stmt, 3, include_resolved);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_DONE) {
			store_stmt_done(stmt);
			return 0;
		}
		if (rc != SQLITE_ROW) {
			r = store_fail(store, rc);
			store_stmt_done(stmt);
			return r;
		}
		r = row_to_conflict(stmt, &c);
		store_stmt_done(stmt);
		if (r < 0) {
			store_set_errmsg(store, "conflict row with an unknown category or kind");
			return r;
		}
		after = c.id;
		r = fn(data, &c);
		if (r != 0)
			return r;
	}
}

int store_conflict_resolve(struct store *store, int64_t conflict_id, const char *resolution,
			   int64_t now_ms)
{
	sqlite3_stmt *stmt;
	unsigned n = 0;
	int rc, r;

	if (!store || now_ms <= 0)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_CONFLICT_RESOLVE);
	sqlite3_bind_int64(stmt, 1, conflict_id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	bind_text_max(stmt, 3, resolution, CONFLICT_RESOLUTION_MAX);
	r = run_counting(store, stmt, &n);
	if (r < 0 || n)
		return r;

	stmt = stmt_of(store, SYNC_CONFLICT_RESOLVED_MS);
	sqlite3_bind_int64(stmt, 1, conflict_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_set_errmsg(store, "the conflict is already resolved");
		r = -EALREADY;
	} else if (rc == SQLITE_DONE) {
		store_set_errmsg(store, "no such conflict");
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_conflicts_unresolved(struct store *store, uint64_t *ret)
{
	if (!store || !ret)
		return -EINVAL;
	return store_stmt_count(store, stmt_of(store, SYNC_CONFLICT_UNRESOLVED), ret);
}

int store_clock_ref_set(struct store *store, const char *boot_id, uint64_t mono_ms,
			int64_t wall_ms, const char *source, int64_t now_ms)
{
	sqlite3_stmt *stmt;

	if (!store || !boot_id || !*boot_id || mono_ms > INT64_MAX)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_CLOCK_REF_SET);
	store_bind_text(stmt, 1, boot_id);
	sqlite3_bind_int64(stmt, 2, (int64_t)mono_ms);
	sqlite3_bind_int64(stmt, 3, wall_ms);
	bind_text_max(stmt, 4, source, sizeof(((struct store_clock_ref *)0)->source));
	sqlite3_bind_int64(stmt, 5, now_ms);
	return store_stmt_run(store, stmt);
}

int store_clock_ref_get(struct store *store, const char *boot_id, struct store_clock_ref *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !boot_id || !ret)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_CLOCK_REF_GET);
	store_bind_text(stmt, 1, boot_id);
	rc = sqlite3_step(stmt);
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
	r = run_counting(store, stmt, &n);
	if (r < 0)
		goto err_rollback;
	if (n) {
		r = store_stmt_run(store, stmt_of(store, SYNC_LOAN_SINCE_FOLLOWS));
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
	stmt = stmt_of(store, SYNC_FIX_DATES);
	store_bind_text(stmt, 1, boot_id);
	sqlite3_bind_int64(stmt, 2, ref_wall_ms);
	sqlite3_bind_int64(stmt, 3, (int64_t)ref_mono_ms);
	return fix_dates_with(store, stmt, fixed);
}

int store_fix_dates_from_refs(struct store *store, unsigned *fixed)
{
	if (!store)
		return -EINVAL;
	return fix_dates_with(store, stmt_of(store, SYNC_FIX_DATES_FROM_REFS), fixed);
}

int store_flag_unknown_dates(struct store *store, const char *current_boot_id,
			     unsigned *flagged)
{
	sqlite3_stmt *stmt;

	if (!store || !current_boot_id)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_FLAG_UNKNOWN);
	store_bind_text(stmt, 1, current_boot_id);
	return run_counting(store, stmt, flagged);
}

int store_purge(struct store *store, int64_t older_than_ms, unsigned *purged)
{
	sqlite3_stmt *stmt;
	unsigned n = 0;
	int r;

	if (!store)
		return -EINVAL;
	r = store_begin(store);
	if (r < 0)
		return r;
	stmt = stmt_of(store, SYNC_PURGE_LOANS);
	sqlite3_bind_int64(stmt, 1, older_than_ms);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		goto err_rollback;
	stmt = stmt_of(store, SYNC_PURGE);
	sqlite3_bind_int64(stmt, 1, older_than_ms);
	r = run_counting(store, stmt, &n);
	if (r < 0)
		goto err_rollback;
	r = store_commit(store);
	if (r < 0)
		goto err_rollback;
	if (purged)
		*purged = n;
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}

int store_count_by_kind(struct store *store, struct store_counts *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	stmt = stmt_of(store, SYNC_COUNT_BY_KIND);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int kind = kind_name_index(sqlite3_column_text(stmt, 0));
		int state = state_name_index(sqlite3_column_text(stmt, 1));

		if (kind < 0 || state < 0) {
			store_set_errmsg(store, "journal row with an unknown kind or state");
			r = -EUCLEAN;
			break;
		}
		ret->n[kind][state] = (uint64_t)sqlite3_column_int64(stmt, 2);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(store, rc);
	store_stmt_done(stmt);
	return r;
}

static int random_bytes(uint8_t *buf, size_t size)
{
	size_t have = 0;

	while (have < size) {
		ssize_t n = getrandom(buf + have, size - have, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		have += (size_t)n;
	}
	return 0;
}

/* 0 and the salt, -ENOENT when there is none yet, -EUCLEAN when it is not a salt. */
static int salt_get(struct store *store, uint8_t salt[STORE_SALT_LEN])
{
	sqlite3_stmt *stmt = stmt_of(store, SYNC_META_GET);
	int rc, r = 0;

	store_bind_text(stmt, 1, SALT_KEY);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(stmt, 0);

		if (blob && sqlite3_column_bytes(stmt, 0) == STORE_SALT_LEN) {
			memcpy(salt, blob, STORE_SALT_LEN);
		} else {
			store_set_errmsg(store, "the store salt is damaged");
			r = -EUCLEAN;
		}
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_patron_salt(struct store *store, uint8_t salt[STORE_SALT_LEN])
{
	uint8_t fresh[STORE_SALT_LEN];
	sqlite3_stmt *stmt;
	int r;

	if (!store || !salt)
		return -EINVAL;
	r = salt_get(store, salt);
	if (r != -ENOENT)
		return r;
	r = random_bytes(fresh, sizeof(fresh));
	if (r < 0) {
		store_set_errmsg(store, "getrandom failed");
		return r;
	}
	stmt = stmt_of(store, SYNC_META_ADD);
	store_bind_text(stmt, 1, SALT_KEY);
	sqlite3_bind_blob(stmt, 2, fresh, sizeof(fresh), SQLITE_STATIC);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		return r;
	/* Read back: the salt that is in the file is the salt. */
	return salt_get(store, salt);
}

static void hex_encode(const uint8_t *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int store_patron_cache_put(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   bool allowed, int64_t fetched_ms, int64_t expires_ms)
{
	char key[2 * STORE_KEY_HASH_LEN + 1];
	uint8_t salt[STORE_SALT_LEN];
	sqlite3_stmt *stmt;
	int r;

	if (!store || !key_hash)
		return -EINVAL;
	r = store_patron_salt(store, salt);
	if (r < 0)
		return r;
	hex_encode(key_hash, STORE_KEY_HASH_LEN, key);
	stmt = stmt_of(store, SYNC_CACHE_PUT);
	store_bind_text(stmt, 1, key);
	sqlite3_bind_blob(stmt, 2, salt, sizeof(salt), SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, allowed);
	sqlite3_bind_int64(stmt, 4, fetched_ms);
	sqlite3_bind_int64(stmt, 5, expires_ms);
	return store_stmt_run(store, stmt);
}

int store_patron_cache_get(struct store *store, const uint8_t key_hash[STORE_KEY_HASH_LEN],
			   struct store_patron_cached *ret)
{
	char key[2 * STORE_KEY_HASH_LEN + 1];
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !key_hash || !ret)
		return -EINVAL;
	hex_encode(key_hash, STORE_KEY_HASH_LEN, key);
	stmt = stmt_of(store, SYNC_CACHE_GET);
	store_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		memcpy(ret->key_hash, key_hash, STORE_KEY_HASH_LEN);
		ret->allowed = sqlite3_column_int(stmt, 0) != 0;
		ret->fetched_ms = sqlite3_column_int64(stmt, 1);
		ret->expires_ms = sqlite3_column_int64(stmt, 2);
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_patron_cache_expire(struct store *store, int64_t now_ms)
{
	sqlite3_stmt *stmt;
	unsigned n = 0;
	int r;

	if (!store)
		return -EINVAL;
	stmt = stmt_of(store, SYNC_CACHE_EXPIRE);
	sqlite3_bind_int64(stmt, 1, now_ms);
	r = run_counting(store, stmt, &n);
	if (r < 0)
		return r;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}
