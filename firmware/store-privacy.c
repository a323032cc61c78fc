/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Privacy (store-privacy.h): the patron-to-item link of confirmed loans
 * purged after the retention period, and the offline patron cache, keyed
 * by salted hashes (store-patron.c hashes the ids), never ids or PINs.
 */

#include "store-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

#define SALT_KEY "patron_salt"

enum privacy_stmt_id {
	PRIVACY_PURGE_LOANS,
	PRIVACY_PURGE,
	PRIVACY_META_GET,
	PRIVACY_META_ADD,
	PRIVACY_CACHE_PUT,
	PRIVACY_CACHE_GET,
	PRIVACY_CACHE_EXPIRE,
	PRIVACY_COUNT_OF_STMTS,
};

_Static_assert(PRIVACY_COUNT_OF_STMTS <= STORE_PRIVACY_STMTS_MAX, "struct store has room");

static const char *const privacy_sql[PRIVACY_COUNT_OF_STMTS] = {
	/* Without INDEXED BY the planner walks every confirmed txn in journal_state. */
	[PRIVACY_PURGE_LOANS] = "DELETE FROM loans WHERE txn_id IN (SELECT id FROM journal"
			     " INDEXED BY journal_purgeable"
			     " WHERE state = 'confirmed' AND purged = 0 AND confirmed_ms <= ?1)",
	[PRIVACY_PURGE] = "UPDATE journal INDEXED BY journal_purgeable SET patron = '', purged = 1"
		       " WHERE state = 'confirmed' AND purged = 0 AND confirmed_ms <= ?1",
	[PRIVACY_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[PRIVACY_META_ADD] = "INSERT OR IGNORE INTO meta(key, value) VALUES(?1, ?2)",
	[PRIVACY_CACHE_PUT] = "INSERT OR REPLACE INTO patron_cache(key_hash, salt, allowed,"
			   " fetched_ms, expires_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
	[PRIVACY_CACHE_GET] = "SELECT allowed, fetched_ms, expires_ms FROM patron_cache"
			   " WHERE key_hash = ?1",
	[PRIVACY_CACHE_EXPIRE] = "DELETE FROM patron_cache WHERE expires_ms <= ?1",
};

int store_privacy_prepare(struct store *store)
{
	return store_prepare_statements(store, privacy_sql, ARRAY_SIZE(privacy_sql),
					store->privacy_stmt);
}

static sqlite3_stmt *stmt_of(struct store *store, enum privacy_stmt_id id)
{
	return store->privacy_stmt[id];
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
	stmt = stmt_of(store, PRIVACY_PURGE_LOANS);
	sqlite3_bind_int64(stmt, 1, older_than_ms);
	r = store_stmt_run(store, stmt);
	if (r < 0)
		goto err_rollback;
	stmt = stmt_of(store, PRIVACY_PURGE);
	sqlite3_bind_int64(stmt, 1, older_than_ms);
	r = store_run_counting(store, stmt, &n);
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
	sqlite3_stmt *stmt = stmt_of(store, PRIVACY_META_GET);
	int rc, r = 0;

	store_bind_text(stmt, 1, SALT_KEY);
	rc = store_step(store, stmt);
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
	stmt = stmt_of(store, PRIVACY_META_ADD);
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
	stmt = stmt_of(store, PRIVACY_CACHE_PUT);
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
	stmt = stmt_of(store, PRIVACY_CACHE_GET);
	store_bind_text(stmt, 1, key);
	rc = store_step(store, stmt);
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
	stmt = stmt_of(store, PRIVACY_CACHE_EXPIRE);
	sqlite3_bind_int64(stmt, 1, now_ms);
	r = store_run_counting(store, stmt, &n);
	if (r < 0)
		return r;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}
