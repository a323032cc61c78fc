/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Forwarding to the ILS (store-forward.h), schema 3: the forwarding states,
 * a batch of marks in one durable commit, outcomes recorded one by one or
 * lazily together, the outbox walks. The schema 3 migration also creates
 * the tables of store-conflict.c, store-clock.c and store-privacy.c.
 */

#include "store-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/*
 * Row after row of several states by seq: each min() is one seek in
 * journal_state. The states are literals: a bound state would make sqlite
 * re-plan the statement at every step, to see whether the partial index
 * journal_purgeable (state = 'confirmed') applies to the value bound.
 */
#define WALK_STATES_SQL(cols, s1, s2, s3)                                                   \
	"SELECT " cols " FROM journal WHERE seq = (SELECT min(s) FROM ("                      \
	"SELECT min(seq) AS s FROM journal WHERE state = '" s1 "' AND seq > ?1 AND seq <= ?2" \
	" UNION ALL SELECT min(seq) FROM journal WHERE state = '" s2 "'"                      \
	" AND seq > ?1 AND seq <= ?2"                                                         \
	" UNION ALL SELECT min(seq) FROM journal WHERE state = '" s3 "'"                      \
	" AND seq > ?1 AND seq <= ?2))"

enum forward_stmt_id {
	FWD_MARK_FORWARDED,
	FWD_MARK_FORWARDED_AT,
	FWD_TXN_STATE,
	FWD_TXN_STATE_AT,
	FWD_FINISH,
	FWD_LOAN_DROP_OF_TXN,
	FWD_DEMOTE_OFFLINE,
	FWD_LOAN_DUE_OF_TXN,
	FWD_LOAN_DUE_OF_PATRON,
	FWD_WALK_UNFINISHED,
	FWD_WALK_UNFORWARDED,
	FWD_COUNT_BY_KIND,
	FWD_LAZY_COMMITS,
	FWD_DURABLE_COMMITS,
	FWD_COUNT_OF_STMTS,
};

_Static_assert(FWD_COUNT_OF_STMTS <= STORE_FORWARD_STMTS_MAX, "struct store has room");

static const char *const forward_sql[FWD_COUNT_OF_STMTS] = {
	[FWD_MARK_FORWARDED] = "UPDATE journal SET state = 'forwarded', attempts = attempts + 1,"
				" sent_wall_ms = ?2, updated_ms = ?2"
				" WHERE id = ?1 AND state IN " UNFINISHED,
	/*
	 * The same by seq, where the caller knows it: a rowid seek, not one in the
	 * index of random ids (whose pages a small cache keeps reading back).
	 */
	[FWD_MARK_FORWARDED_AT] = "UPDATE journal SET state = 'forwarded',"
				   " attempts = attempts + 1, sent_wall_ms = ?2, updated_ms = ?2"
				   " WHERE seq = ?3 AND id = ?1 AND state IN " UNFINISHED,
	[FWD_TXN_STATE] = "SELECT state, kind, item, patron, seq FROM journal WHERE id = ?1",
	[FWD_TXN_STATE_AT] = "SELECT state, kind, item, patron, seq FROM journal"
			      " WHERE seq = ?2 AND id = ?1",
	[FWD_FINISH] = "UPDATE journal SET state = ?2, result = ?3, evidence = ?4, title = ?5,"
			" due_ms = CASE WHEN ?6 != 0 THEN ?6 ELSE due_ms END,"
			" confirmed_ms = ?7, updated_ms = ?7, screen_msg = ?8, print_line = ?9"
			" WHERE seq = ?10 AND state IN " UNFINISHED,
	/* Only the loan this txn made: a later checkout of the item owns the row otherwise. */
	[FWD_LOAN_DROP_OF_TXN] = "DELETE FROM loans WHERE item = ?2 AND txn_id = ?1",
	[FWD_DEMOTE_OFFLINE] = "UPDATE journal SET mode = 'offline',"
				" due_ms = CASE WHEN ?2 != 0 THEN ?2 ELSE due_ms END,"
				" updated_ms = ?3, patron_told = CASE"
				" WHEN patron_told = 'nothing' THEN 'served-offline'"
				" ELSE patron_told END"
				" WHERE id = ?1 AND mode = 'online' AND state IN " UNFINISHED,
	[FWD_LOAN_DUE_OF_TXN] = "UPDATE loans SET due_ms = ?2 WHERE item = ?3 AND txn_id = ?1",
	[FWD_LOAN_DUE_OF_PATRON] = "UPDATE loans SET due_ms = ?3 WHERE item = ?1 AND patron = ?2",
	[FWD_WALK_UNFINISHED] = WALK_STATES_SQL(STORE_TXN_COLUMNS, "pending", "forwarded",
						 "forwarded"),
	/* What the ILS has not got. */
	[FWD_WALK_UNFORWARDED] = WALK_STATES_SQL(STORE_TXN_COLUMNS, "pending", "forwarded",
						  "failed"),
	[FWD_COUNT_BY_KIND] = "SELECT kind, state, count(*) FROM journal GROUP BY kind, state",
	/* Only between transactions; FULL is the store's setting (store.c). */
	[FWD_LAZY_COMMITS] = "PRAGMA synchronous = NORMAL",
	[FWD_DURABLE_COMMITS] = "PRAGMA synchronous = FULL",
};

int store_forward_prepare(struct store *store)
{
	return store_prepare_statements(store, forward_sql, ARRAY_SIZE(forward_sql),
					store->forward_stmt);
}

static sqlite3_stmt *stmt_of(struct store *store, enum forward_stmt_id id)
{
	return store->forward_stmt[id];
}

struct txn_state_row {
	int64_t seq;
	enum txn_state state;
	enum txn_kind kind;
	char item[SCAN_TEXT_MAX + 1];
	char patron[PATRON_ID_MAX + 1];
};

/*
 * The state of txn id (at seq, when seq > 0: the caller's hint, checked
 * against id): 0, -ENOENT, or -EUCLEAN for a row this circd cannot read.
 */
static int txn_state_get_at(struct store *store, const char *id, int64_t seq,
			    struct txn_state_row *ret)
{
	sqlite3_stmt *stmt = stmt_of(store, seq > 0 ? FWD_TXN_STATE_AT : FWD_TXN_STATE);
	int rc, r = 0;

	store_bind_text(stmt, 1, id);
	if (seq > 0)
		sqlite3_bind_int64(stmt, 2, seq);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		int state = store_state_index(sqlite3_column_text(stmt, 0));
		int kind = store_kind_index(sqlite3_column_text(stmt, 1));

		store_column_copy(stmt, 2, ret->item, sizeof(ret->item));
		store_column_copy(stmt, 3, ret->patron, sizeof(ret->patron));
		ret->seq = sqlite3_column_int64(stmt, 4);
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

static int txn_state_get(struct store *store, const char *id, struct txn_state_row *ret)
{
	return txn_state_get_at(store, id, 0, ret);
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
	stmt = stmt_of(store, FWD_MARK_FORWARDED);
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	/* One statement in autocommit: durable (synchronous=FULL) when it returns. */
	r = store_run_counting(store, stmt, &n);
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
	stmt = stmt_of(store, FWD_DEMOTE_OFFLINE);
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, due_ms);
	sqlite3_bind_int64(stmt, 3, now_ms);
	r = store_run_counting(store, stmt, &n);
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
		stmt = stmt_of(store, FWD_LOAN_DROP_OF_TXN);
		store_bind_text(stmt, 1, id);
		store_bind_text(stmt, 2, row->item);
		return store_stmt_run(store, stmt);
	}
	if (state != TXN_CONFIRMED || !due_ms)
		return 0;
	if (row->kind == TXN_CHECKOUT) {
		stmt = stmt_of(store, FWD_LOAN_DUE_OF_TXN);
		store_bind_text(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, due_ms);
		store_bind_text(stmt, 3, row->item);
		return store_stmt_run(store, stmt);
	}
	if (row->kind == TXN_RENEW) {
		stmt = stmt_of(store, FWD_LOAN_DUE_OF_PATRON);
		store_bind_text(stmt, 1, row->item);
		store_bind_text(stmt, 2, row->patron);
		sqlite3_bind_int64(stmt, 3, due_ms);
		return store_stmt_run(store, stmt);
	}
	return 0;
}

/* The work of store_finish_said() inside an open transaction. */
static int finish_in_txn(struct store *store, const char *id, int64_t seq,
			 enum txn_state state, const char *result, const char *evidence,
			 const char *title, int64_t due_ms, int64_t now_ms,
			 const struct store_conflict_in *conflict, const struct store_ils_said *said)
{
	struct txn_state_row row;
	sqlite3_stmt *stmt;
	int r;

	if (!id || !is_final(state))
		return -EINVAL;
	if ((state == TXN_CONFLICT) != (conflict != NULL) ||
	    (conflict && !store_conflict_category_valid(conflict->category))) {
		store_set_errmsg(store, "a conflict goes with exactly the conflict state");
		return -EINVAL;
	}
	r = txn_state_get_at(store, id, seq, &row);
	if (r < 0)
		return r;
	if (is_final(row.state)) {
		store_set_errmsg(store, "the transaction is already final");
		return -EPERM;
	}
	stmt = stmt_of(store, FWD_FINISH);
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, txn_state_name(state));
	store_bind_text_max(stmt, 3, result, TXN_RESULT_MAX);
	store_bind_text_max(stmt, 4, evidence, TXN_EVIDENCE_MAX);
	store_bind_text_max(stmt, 5, title, TXN_TITLE_MAX);
	sqlite3_bind_int64(stmt, 6, due_ms);
	sqlite3_bind_int64(stmt, 7, now_ms);
	store_bind_text_max(stmt, 8, said ? said->screen_msg : NULL, TXN_ILS_TEXT_MAX);
	store_bind_text_max(stmt, 9, said ? said->print_line : NULL, TXN_ILS_TEXT_MAX);
	sqlite3_bind_int64(stmt, 10, row.seq);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		return r;
	if (conflict) {
		r = store_conflict_insert(store, id, conflict, now_ms);
		if (r < 0)
			return r;
	}
	return finish_loans(store, id, &row, state, due_ms);
}

/* store_mark_forwarded() inside an open transaction; -EPERM unless unfinished. */
static int mark_in_txn(struct store *store, const char *id, int64_t seq, int64_t now_ms)
{
	sqlite3_stmt *stmt = stmt_of(store, FWD_MARK_FORWARDED_AT);
	unsigned marked = 0;
	int r;

	store_bind_text(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	sqlite3_bind_int64(stmt, 3, seq);
	r = store_run_counting(store, stmt, &marked);
	if (r >= 0 && !marked) {
		store_set_errmsg(store, "the next transaction is not waiting to be sent");
		r = -EPERM;
	}
	return r;
}

int store_finish(struct store *store, const char *id, enum txn_state state, const char *result,
		 const char *evidence, const char *title, int64_t due_ms, int64_t now_ms,
		 const struct store_conflict_in *conflict)
{
	return store_finish_said(store, id, state, result, evidence, title, due_ms, now_ms,
				 conflict, NULL);
}

int store_finish_said(struct store *store, const char *id, enum txn_state state,
		      const char *result, const char *evidence, const char *title, int64_t due_ms,
		      int64_t now_ms, const struct store_conflict_in *conflict,
		      const struct store_ils_said *said)
{
	int r;

	if (!store || !id || !is_final(state) || now_ms <= 0)
		return -EINVAL;
	r = store_begin(store);
	if (r < 0)
		return r;
	r = finish_in_txn(store, id, 0, state, result, evidence, title, due_ms, now_ms, conflict,
			  said);
	if (r >= 0)
		r = store_commit(store);
	if (r < 0)
		goto err_rollback;
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}

/* As store_bind_text_max() cuts: at most size - 1 bytes, never inside a UTF-8 sequence. */
static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t len = src ? utf8_cut_len(src, size) : 0;

	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void store_outcome_set(struct store_outcome *o, const char *id, enum txn_state state,
		       const char *result, const char *evidence, const char *title,
		       const struct store_conflict_in *conflict, const struct store_ils_said *said)
{
	copy_cut(o->id, sizeof(o->id), id);
	o->seq = 0;
	o->state = state;
	o->due_ms = 0;
	o->category = conflict ? conflict->category : CONFLICT_OTHER;
	copy_cut(o->result, sizeof(o->result), result);
	copy_cut(o->evidence, sizeof(o->evidence), evidence);
	copy_cut(o->title, sizeof(o->title), title);
	copy_cut(o->conflict_message, sizeof(o->conflict_message),
		 conflict ? conflict->message : NULL);
	copy_cut(o->screen_msg, sizeof(o->screen_msg), said ? said->screen_msg : NULL);
	copy_cut(o->print_line, sizeof(o->print_line), said ? said->print_line : NULL);
}

static int record_outcome(struct store *store, const struct store_outcome *o, int64_t now_ms)
{
	struct store_conflict_in conflict = { .category = o->category,
					      .message = o->conflict_message };
	struct store_ils_said said = { o->screen_msg, o->print_line };

	return finish_in_txn(store, o->id, o->seq, o->state, o->result, o->evidence, o->title, o->due_ms,
			     now_ms, o->state == TXN_CONFLICT ? &conflict : NULL, &said);
}

static int walk_step(struct store *store, enum forward_stmt_id walk, int64_t after, int64_t last,
		     struct txn *ret);

int store_record_outcomes(struct store *store, const struct store_outcome *outcomes, unsigned n,
			  int64_t now_ms)
{
	int r;

	if (!store || (n && !outcomes) || now_ms <= 0)
		return -EINVAL;
	if (!n)
		return 0;
	/* The pragma takes no effect inside a transaction: forwarding's is committed first. */
	store_fwd_yield(store);
	r = store_stmt_run(store, stmt_of(store, FWD_LAZY_COMMITS));
	if (r < 0)
		return r;
	r = store_begin(store);
	for (unsigned i = 0; i < n && r >= 0; i++)
		r = record_outcome(store, &outcomes[i], now_ms);
	if (r >= 0)
		r = store_commit(store);
	if (r < 0)
		store_rollback(store);
	/*
	 * Every other commit must stay durable: if the store cannot be put back
	 * to FULL, it records nothing more (sticky, as for replaced files) rather
	 * than acknowledge transactions a power cut could take.
	 */
	if (store_stmt_run(store, stmt_of(store, FWD_DURABLE_COMMITS)) < 0) {
		snprintf(store->files_alarm, sizeof(store->files_alarm),
			 "%s: commits could not be made durable again (synchronous = FULL "
			 "failed); nothing more is recorded until circd is restarted", store->path);
		store->files_err = -EIO;
		store_set_errmsg(store, store->files_alarm);
		r = -EIO;
	}
	return r < 0 ? r : 0;
}

/* A piece of forwarding's work begins: the transaction too, at the first. */
static int piece_begin(struct store *store)
{
	int r;

	if (!store->fwd_open) {
		r = store_begin(store);
		if (r < 0)
			return r;
		store->fwd_open = true;
		store->fwd_sent_ready = false;
	}
	store->fwd_busy = true;
	return 0;
}

/* A piece that failed (r < 0) undoes the whole transaction, and the next commit says so. */
static int piece_end(struct store *store, int r)
{
	if (r < 0) {
		store_rollback(store);
		store->fwd_open = false;
		store->fwd_lost = r;
	}
	store->fwd_busy = false;
	return r;
}

int store_fwd_record(struct store *store, const struct store_outcome *outcome, int64_t now_ms)
{
	int r;

	if (!store || !outcome || now_ms <= 0)
		return -EINVAL;
	r = piece_begin(store);
	if (r < 0)
		return r;
	return piece_end(store, record_outcome(store, outcome, now_ms));
}

/* The oldest unfinished after after_seq marked if it is a plain first send: 1, 0 or -errno. */
static int mark_next(struct store *store, int64_t after_seq, int64_t now_ms, struct txn *ret)
{
	int r = walk_step(store, FWD_WALK_UNFINISHED, after_seq, INT64_MAX, ret);

	/* Only a plain first send: a renewal, or one sent before, is not sent blindly. */
	if (r <= 0 || ret->state != TXN_PENDING || ret->kind == TXN_RENEW || ret->attempts)
		return r < 0 ? r : 0;
	r = mark_in_txn(store, ret->id, ret->seq, now_ms);
	if (r < 0)
		return r;
	ret->state = TXN_FORWARDED;
	ret->attempts++;
	ret->sent_wall_ms = now_ms;
	return 1;
}

int store_fwd_mark_next(struct store *store, int64_t after_seq, int64_t now_ms, struct txn *ret)
{
	int r;

	if (!store || !ret || now_ms <= 0)
		return -EINVAL;
	r = piece_begin(store);
	if (r < 0)
		return r;
	/*
	 * Before the first is marked, the log of returns sent exists for this
	 * boot: a crash before one of them is sent is then judged by it.
	 */
	if (!store->fwd_sent_ready) {
		(void)store_sent_prepare(store); /* without it: judged as before the log */
		store->fwd_sent_ready = true;
	}
	return piece_end(store, mark_next(store, after_seq, now_ms, ret));
}

int store_fwd_commit(struct store *store)
{
	int r = 0;

	if (!store)
		return -EINVAL;
	if (store->fwd_open) {
		store->fwd_busy = true;
		r = store_commit(store);
		if (r < 0)
			store_rollback(store);
		store->fwd_open = false;
		store->fwd_busy = false;
	}
	if (store->fwd_lost < 0 && r >= 0)
		r = store->fwd_lost;
	store->fwd_lost = 0;
	return r;
}

void store_fwd_yield(struct store *store)
{
	int r;

	if (!store->fwd_open || store->fwd_busy)
		return;
	store->fwd_busy = true;
	r = store_commit(store);
	if (r < 0) {
		store_rollback(store);
		store->fwd_lost = r;
	}
	store->fwd_open = false;
	store->fwd_busy = false;
}

/*
 * One step of a walk (FWD_WALK_*): the first txn after seq `after`, up to
 * `last`. 1 and *ret, 0 at the end.
 */
static int walk_step(struct store *store, enum forward_stmt_id walk, int64_t after, int64_t last,
		     struct txn *ret)
{
	sqlite3_stmt *stmt = stmt_of(store, walk);
	int rc, r;

	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, last);
	rc = store_step(store, stmt);
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
	int r;

	if (!store || !ret)
		return -EINVAL;
	r = walk_step(store, FWD_WALK_UNFINISHED, after_seq, INT64_MAX, ret);
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
	int64_t after = after_seq;
	int r;

	if (!store || !fn)
		return -EINVAL;
	for (unsigned n = 0; limit == 0 || n < limit; n++) {
		struct txn txn;

		r = walk_step(store, FWD_WALK_UNFORWARDED, after, last_seq, &txn);
		if (r <= 0)
			return r;
		after = txn.seq;
		r = fn(data, &txn);
		if (r != 0)
			return r;
	}
	return 0;
}

int store_count_by_kind(struct store *store, struct store_counts *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	stmt = stmt_of(store, FWD_COUNT_BY_KIND);
	while ((rc = store_step(store, stmt)) == SQLITE_ROW) {
		int kind = store_kind_index(sqlite3_column_text(stmt, 0));
		int state = store_state_index(sqlite3_column_text(stmt, 1));

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
