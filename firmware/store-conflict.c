/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Conflicts for staff (store-conflict.h): what the ILS refused, or what
 * only staff can settle, with the ILS's own words, resolved once.
 */

#include "store-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const category_names[] = {
	[CONFLICT_ON_LOAN_TO_OTHER] = "on-loan-to-other",
	[CONFLICT_PATRON_BLOCKED] = "patron-blocked",
	[CONFLICT_UNKNOWN_ITEM] = "unknown-item",
	[CONFLICT_UNKNOWN_PATRON] = "unknown-patron",
	[CONFLICT_HELD_FOR_OTHER] = "held-for-other",
	[CONFLICT_OTHER] = "other",
};

enum conflict_stmt_id {
	CONFLICT_INSERT,
	CONFLICT_NEXT,
	CONFLICT_MAX_ID,
	CONFLICT_RESOLVE,
	CONFLICT_RESOLVED_MS,
	CONFLICT_UNRESOLVED,
	CONFLICT_COUNT_OF_STMTS,
};

_Static_assert(CONFLICT_COUNT_OF_STMTS <= STORE_CONFLICT_STMTS_MAX, "struct store has room");

static const char *const conflict_sql[CONFLICT_COUNT_OF_STMTS] = {
	[CONFLICT_INSERT] = "INSERT INTO conflicts(txn_id, category, message, created_ms)"
				 " VALUES(?1, ?2, ?3, ?4)",
	[CONFLICT_NEXT] =
		"SELECT c.id, c.txn_id, c.category, c.message, c.created_ms, c.resolved_ms,"
		" c.resolution, j.kind, j.item, j.patron, j.wall_ms, j.screen_msg, j.print_line,"
		" j.patron_told"
		" FROM conflicts c JOIN journal j ON j.id = c.txn_id"
		" WHERE c.id > ?1 AND c.id <= ?2 AND (?3 OR c.resolved_ms = 0)"
		" ORDER BY c.id LIMIT 1",
	[CONFLICT_MAX_ID] = "SELECT ifnull(max(id), 0) FROM conflicts",
	[CONFLICT_RESOLVE] = "UPDATE conflicts SET resolved_ms = ?2, resolution = ?3"
				  " WHERE id = ?1 AND resolved_ms = 0",
	[CONFLICT_RESOLVED_MS] = "SELECT resolved_ms FROM conflicts WHERE id = ?1",
	[CONFLICT_UNRESOLVED] = "SELECT count(*) FROM conflicts WHERE resolved_ms = 0",
};

int store_conflict_prepare(struct store *store)
{
	return store_prepare_statements(store, conflict_sql, ARRAY_SIZE(conflict_sql),
					store->conflict_stmt);
}

static sqlite3_stmt *stmt_of(struct store *store, enum conflict_stmt_id id)
{
	return store->conflict_stmt[id];
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

bool store_conflict_category_valid(enum conflict_category category)
{
	return (unsigned)category < ARRAY_SIZE(category_names);
}

static int name_in(const char *const *names, size_t n, const unsigned char *text)
{
	for (size_t i = 0; text && i < n; i++)
		if (strcmp(names[i], (const char *)text) == 0)
			return (int)i;
	return -1;
}

int store_conflict_insert(struct store *store, const char *id,
			  const struct store_conflict_in *conflict, int64_t now_ms)
{
	sqlite3_stmt *stmt = stmt_of(store, CONFLICT_INSERT);

	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, conflict_category_name(conflict->category));
	store_bind_text_max(stmt, 3, conflict->message, CONFLICT_MESSAGE_MAX);
	sqlite3_bind_int64(stmt, 4, now_ms);
	return store_stmt_run(store, stmt);
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
	kind = store_kind_index(sqlite3_column_text(stmt, 7));
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
	r = store_stmt_count(store, stmt_of(store, CONFLICT_MAX_ID), &last_id);
	if (r < 0)
		return r;
	stmt = stmt_of(store, CONFLICT_NEXT);
	for (;;) {
		struct store_conflict c;
		int rc;

		/* One row per step: no statement is open while fn runs (it may resolve). */
		sqlite3_bind_int64(stmt, 1, after);
		sqlite3_bind_int64(stmt, 2, (int64_t)last_id);
		sqlite3_bind_int(stmt, 3, include_resolved);
		rc = store_step(store, stmt);
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
	stmt = stmt_of(store, CONFLICT_RESOLVE);
	sqlite3_bind_int64(stmt, 1, conflict_id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	store_bind_text_max(stmt, 3, resolution, CONFLICT_RESOLUTION_MAX);
	r = store_run_counting(store, stmt, &n);
	if (r < 0 || n)
		return r;

	stmt = stmt_of(store, CONFLICT_RESOLVED_MS);
	sqlite3_bind_int64(stmt, 1, conflict_id);
	rc = store_step(store, stmt);
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
	return store_stmt_count(store, stmt_of(store, CONFLICT_UNRESOLVED), ret);
}
