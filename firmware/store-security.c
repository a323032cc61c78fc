/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFID tags' security writes owed and done (store-security.h). */
#include "store-security.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store-private.h"
#include "util.h"

const char store_migration_v6[] =
	"CREATE TABLE tag_security(txn_id TEXT NOT NULL REFERENCES journal(id),"
	" uid TEXT NOT NULL, want TEXT NOT NULL CHECK(want IN ('off','on')),"
	" state TEXT NOT NULL CHECK(state IN ('owed','done','superseded')),"
	" tries INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
	" updated_ms INTEGER NOT NULL, PRIMARY KEY(txn_id, uid));"
	"CREATE INDEX tag_security_owed ON tag_security(state, uid);";

enum security_stmt_id {
	SEC_SUPERSEDE,
	SEC_INSERT,
	SEC_OWED,
	SEC_DONE,
	SEC_FAILED,
	SEC_NEXT_OWED,
	SEC_COUNT_OWED,
	SEC_ANY_OWED,
	SEC_COUNT_OF_STMTS,
};

_Static_assert(SEC_COUNT_OF_STMTS <= STORE_SECURITY_STMTS_MAX, "struct store has room");

/* A transaction the ILS refused (failed, conflict) owes its tags nothing. */
#define LIVE "j.state IN ('pending', 'forwarded', 'confirmed')"

#define SEC_COLUMNS \
	"s.txn_id, s.uid, j.item, j.kind, s.want, s.tries, s.last_error, s.updated_ms, s.rowid"

static const char *const security_sql[SEC_COUNT_OF_STMTS] = {
	[SEC_SUPERSEDE] = "UPDATE tag_security SET state = 'superseded', updated_ms = ?2"
			  " WHERE uid = ?1 AND state = 'owed'",
	[SEC_INSERT] = "INSERT INTO tag_security(txn_id, uid, want, state, updated_ms)"
		       " VALUES(?1, ?2, ?3, 'owed', ?4)",
	[SEC_OWED] = "SELECT " SEC_COLUMNS " FROM tag_security s JOIN journal j ON j.id = s.txn_id"
		     " WHERE s.state = 'owed' AND s.uid = ?1 AND " LIVE " ORDER BY j.seq DESC LIMIT 1",
	[SEC_DONE] = "UPDATE tag_security SET state = 'done', updated_ms = ?3"
		     " WHERE txn_id = ?1 AND uid = ?2 AND state = 'owed'",
	[SEC_FAILED] = "UPDATE tag_security SET tries = tries + 1, last_error = ?3,"
		       " updated_ms = ?4 WHERE txn_id = ?1 AND uid = ?2 AND state = 'owed'",
	/* One row per step, so fn may use the store. */
	[SEC_NEXT_OWED] = "SELECT " SEC_COLUMNS " FROM tag_security s"
			  " JOIN journal j ON j.id = s.txn_id"
			  " WHERE s.state = 'owed' AND s.rowid > ?1 AND " LIVE
			  " ORDER BY s.rowid LIMIT 1",
	[SEC_COUNT_OWED] = "SELECT count(*) FROM tag_security s JOIN journal j ON j.id = s.txn_id"
			   " WHERE s.state = 'owed' AND " LIVE,
	/* Any at all, live or not: a superset of what the others find, from the index alone. */
	[SEC_ANY_OWED] = "SELECT EXISTS(SELECT 1 FROM tag_security WHERE state = 'owed')",
};

/*
 * store->security_none_owed lets the common case, no tag owing anything,
 * cost an arriving tag (store_security_owed()) and a new loan's tags (the
 * supersede in store_security_insert()) no statement. Rows become owed only
 * in store_security_insert(), which clears it first; it is set only by
 * looking: at open, and after a write is marked done outside a transaction
 * (inside one, a rollback could make the row owed again).
 */
static void look_for_owed(struct store *store)
{
	sqlite3_stmt *stmt = store->security_stmt[SEC_ANY_OWED];

	store->security_none_owed = false;
	if (!sqlite3_get_autocommit(store->db))
		return;
	if (store_step(store, stmt) == SQLITE_ROW)
		store->security_none_owed = sqlite3_column_int(stmt, 0) == 0;
	store_stmt_done(stmt);
}

int store_security_prepare(struct store *store)
{
	int r = store_prepare_statements(store, security_sql, ARRAY_SIZE(security_sql),
					 store->security_stmt);

	if (r >= 0)
		look_for_owed(store);
	return r;
}

static sqlite3_stmt *stmt_of(struct store *store, enum security_stmt_id id)
{
	return store->security_stmt[id];
}

const char *tag_security_name(enum tag_security s)
{
	return s == TAG_SECURITY_ON ? "on" : "off";
}

static bool uid_valid(const char *uid)
{
	if (!uid || strlen(uid) != STORE_TAG_UID_LEN)
		return false;
	for (size_t i = 0; i < STORE_TAG_UID_LEN; i++)
		if (hex_digit_value(uid[i]) < 0)
			return false;
	return true;
}

int store_security_tags_valid(const struct store_tags *tags)
{
	if (!tags)
		return 0;
	if (tags->n > STORE_TAGS_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < tags->n; i++)
		if (!uid_valid(tags->uid[i]))
			return -EINVAL;
	return 0;
}

int store_security_insert(struct store *store, const char *txn_id, const struct store_tags *tags,
			  int64_t now_ms)
{
	/* With nothing owed there is nothing to supersede. */
	bool none_owed = store->security_none_owed;
	int r = 0;

	if (tags && tags->n)
		store->security_none_owed = false;
	for (unsigned i = 0; tags && i < tags->n && r >= 0; i++) {
		sqlite3_stmt *stmt = stmt_of(store, SEC_SUPERSEDE);

		if (!none_owed) {
			store_bind_text(stmt, 1, tags->uid[i]);
			sqlite3_bind_int64(stmt, 2, now_ms);
			r = store_stmt_run(store, stmt);
			if (r < 0)
				break;
		}
		stmt = stmt_of(store, SEC_INSERT);
		store_bind_text(stmt, 1, txn_id);
		store_bind_text(stmt, 2, tags->uid[i]);
		store_bind_text(stmt, 3, tag_security_name(tags->want));
		sqlite3_bind_int64(stmt, 4, now_ms);
		r = store_stmt_run(store, stmt);
	}
	return r;
}

static int row_to_security(sqlite3_stmt *stmt, struct store_security *ret, int64_t *rowid)
{
	const unsigned char *want = sqlite3_column_text(stmt, 4);
	int kind = store_kind_index(sqlite3_column_text(stmt, 3));

	memset(ret, 0, sizeof(*ret));
	store_column_copy(stmt, 0, ret->txn_id, sizeof(ret->txn_id));
	store_column_copy(stmt, 1, ret->uid, sizeof(ret->uid));
	store_column_copy(stmt, 2, ret->item, sizeof(ret->item));
	ret->want = want && strcmp((const char *)want, "on") == 0 ? TAG_SECURITY_ON :
								    TAG_SECURITY_OFF;
	ret->tries = (unsigned)sqlite3_column_int64(stmt, 5);
	store_column_copy(stmt, 6, ret->last_error, sizeof(ret->last_error));
	ret->updated_ms = sqlite3_column_int64(stmt, 7);
	if (rowid)
		*rowid = sqlite3_column_int64(stmt, 8);
	if (kind < 0)
		return -EUCLEAN;
	ret->kind = (enum txn_kind)kind;
	return 0;
}

int store_security_owed(struct store *store, const char *uid, struct store_security *ret)
{
	sqlite3_stmt *stmt;
	int rc, r;

	if (!store || !ret || !uid_valid(uid))
		return -EINVAL;
	if (store->security_none_owed)
		return -ENOENT;
	stmt = stmt_of(store, SEC_OWED);
	store_bind_text(stmt, 1, uid);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW)
		r = row_to_security(stmt, ret, NULL);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = store_fail(store, rc);
	store_stmt_done(stmt);
	return r;
}

int store_security_done(struct store *store, const struct store_security_done *done, unsigned n,
			int64_t now_ms)
{
	int r;

	if (!store || (n && !done))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!uid_valid(done[i].uid))
			return -EINVAL;
	if (!n)
		return 0;
	r = store_begin(store);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		sqlite3_stmt *stmt = stmt_of(store, SEC_DONE);

		store_bind_text(stmt, 1, done[i].txn_id);
		store_bind_text(stmt, 2, done[i].uid);
		sqlite3_bind_int64(stmt, 3, now_ms);
		r = store_stmt_run(store, stmt);
		if (r < 0)
			goto err_rollback;
	}
	/*
	 * Its sync is left owed, so a stack's writes do not wait for the disk:
	 * a done lost to a power cut only has the tag written again.
	 */
	(void)store_defer_next_sync(store, true);
	r = store_commit(store);
	(void)store_defer_next_sync(store, false);
	if (r < 0)
		goto err_rollback;
	look_for_owed(store);
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}

int store_security_failed(struct store *store, const char *txn_id, const char *uid,
			  const char *why, int64_t now_ms)
{
	sqlite3_stmt *stmt;

	if (!store || !txn_id || !uid_valid(uid))
		return -EINVAL;
	stmt = stmt_of(store, SEC_FAILED);
	store_bind_text(stmt, 1, txn_id);
	store_bind_text(stmt, 2, uid);
	store_bind_text_max(stmt, 3, why, sizeof(((struct store_security *)0)->last_error));
	sqlite3_bind_int64(stmt, 4, now_ms);
	return store_stmt_run(store, stmt);
}

int store_security_list_owed(struct store *store,
			     int (*fn)(void *data, const struct store_security *s), void *data)
{
	struct store_security s;
	int64_t after = 0;

	if (!store || !fn)
		return -EINVAL;
	for (;;) {
		sqlite3_stmt *stmt = stmt_of(store, SEC_NEXT_OWED);
		int rc, r;

		sqlite3_bind_int64(stmt, 1, after);
		rc = store_step(store, stmt);
		if (rc == SQLITE_DONE) {
			store_stmt_done(stmt);
			return 0;
		}
		r = rc == SQLITE_ROW ? row_to_security(stmt, &s, &after) : store_fail(store, rc);
		store_stmt_done(stmt);
		if (r < 0)
			return r;
		r = fn(data, &s);
		if (r < 0)
			return r;
	}
}

int store_security_count_owed(struct store *store, uint64_t *ret)
{
	if (!store || !ret)
		return -EINVAL;
	return store_stmt_count(store, stmt_of(store, SEC_COUNT_OWED), ret);
}
