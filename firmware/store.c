/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"
#include "store-private.h"
#include "store-security.h"
#include "store-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "util.h"

#ifndef SQLITE_OPEN_EXRESCODE /* sqlite < 3.37: sqlite3_extended_result_codes() after open */
#define SQLITE_OPEN_EXRESCODE 0
#endif

/*
 * Forward migrations, indexed by the schema version they produce. Each one
 * runs in its own transaction together with the user_version bump; adding
 * a version is one more entry (and bumping STORE_SCHEMA_VERSION). They may
 * only add: the journal is the record and is never dropped or rewritten.
 */
static const char *const migrations[] = {
	[1] = "CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	      " id TEXT NOT NULL UNIQUE,"
	      " kind TEXT NOT NULL CHECK(kind IN ('checkout','checkin','renew')),"
	      " patron TEXT NOT NULL DEFAULT '', item TEXT NOT NULL,"
	      " session_id TEXT NOT NULL DEFAULT '', wall_ms INTEGER NOT NULL,"
	      " mono_ms INTEGER NOT NULL, boot_id TEXT NOT NULL,"
	      " mode TEXT NOT NULL CHECK(mode IN ('online','offline')),"
	      " state TEXT NOT NULL CHECK(state IN"
	      " ('pending','forwarded','confirmed','conflict','failed')),"
	      " due_ms INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL DEFAULT '',"
	      " updated_ms INTEGER NOT NULL);"
	      "CREATE INDEX journal_state ON journal(state, seq);"
	      "CREATE TABLE loans(item TEXT PRIMARY KEY, patron TEXT NOT NULL,"
	      " txn_id TEXT NOT NULL REFERENCES journal(id), since_ms INTEGER NOT NULL,"
	      " due_ms INTEGER NOT NULL DEFAULT 0);"
	      "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
	      " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	      /* mode and seq are part of what happened, too: only the outcome moves. */
	      "CREATE TRIGGER journal_no_rewrite BEFORE UPDATE ON journal"
	      " WHEN NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind"
	      " OR NEW.patron IS NOT OLD.patron OR NEW.item IS NOT OLD.item"
	      " OR NEW.session_id IS NOT OLD.session_id OR NEW.wall_ms IS NOT OLD.wall_ms"
	      " OR NEW.mono_ms IS NOT OLD.mono_ms OR NEW.boot_id IS NOT OLD.boot_id"
	      " OR NEW.mode IS NOT OLD.mode"
	      " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;",
	/* The offline patron cache: salted hashes of patron ids only, never PINs. */
	[2] = "CREATE TABLE patron_cache(key_hash TEXT PRIMARY KEY, salt BLOB NOT NULL,"
	      " allowed INTEGER NOT NULL, fetched_ms INTEGER NOT NULL,"
	      " expires_ms INTEGER NOT NULL);",
	/* Forwarding, conflicts, clock references: store-forward.c, -conflict.c, -clock.c. */
	[3] = store_migration_v3,
	/* What the ILS said, what the patron was told: with its API in store-outcome.c. */
	[4] = store_migration_v4,
	/* The symbology each item was read in; part of what happened, so never rewritten. */
	[5] = "ALTER TABLE journal ADD COLUMN symbology TEXT NOT NULL DEFAULT '';"
	      "CREATE TRIGGER journal_symbology_fixed BEFORE UPDATE ON journal"
	      " WHEN NEW.symbology IS NOT OLD.symbology"
	      " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;",
	/* RFID tags' security writes, owed with the transaction: store-security.c. */
	[6] = store_migration_v6,
	/* Dates still to correct, indexed on their own: store-clock.c. */
	[7] = store_migration_v7,
};

_Static_assert(ARRAY_SIZE(migrations) == STORE_SCHEMA_VERSION + 1,
	       "one migration per schema version");

enum stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_JOURNAL_INSERT,
	STMT_LOAN_PUT,
	STMT_LOAN_DELETE,
	STMT_LOAN_RENEW,
	STMT_LOAN_GET,
	STMT_COUNT,
	STMT_COUNT_ALL,
	STMT_MAX_SEQ,
	STMT_LIST_NEXT,
	STMT_GET,
	STMT_COUNT_OF_STMTS,
};

_Static_assert(STMT_COUNT_OF_STMTS <= STORE_CORE_STMTS_MAX, "struct store has room");

static const char *const stmt_sql[STMT_COUNT_OF_STMTS] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_JOURNAL_INSERT] =
		"INSERT INTO journal(id, kind, patron, item, session_id, wall_ms, mono_ms,"
		" boot_id, mode, state, due_ms, result, updated_ms, wall_trusted, attempts,"
		" evidence, title, sent_wall_ms, confirmed_ms, symbology)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?6, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)",
	/* loans is derived state: a later checkout of the same item simply wins. */
	[STMT_LOAN_PUT] = "INSERT OR REPLACE INTO loans(item, patron, txn_id, since_ms, due_ms)"
			  " VALUES(?1, ?2, ?3, ?4, ?5)",
	[STMT_LOAN_DELETE] = "DELETE FROM loans WHERE item = ?1",
	[STMT_LOAN_RENEW] = "UPDATE loans SET due_ms = ?2 WHERE item = ?1",
	[STMT_LOAN_GET] = "SELECT item, patron, txn_id, since_ms, due_ms FROM loans"
			  " WHERE item = ?1",
	[STMT_COUNT] = "SELECT count(*) FROM journal WHERE state = ?1",
	[STMT_COUNT_ALL] = "SELECT count(*) FROM journal",
	[STMT_MAX_SEQ] = "SELECT ifnull(max(seq), 0) FROM journal",
	/*
	 * One row per step, keyed on seq, so no statement is open while the
	 * caller's fn runs: fn may use the store, even record.
	 */
	[STMT_LIST_NEXT] = "SELECT " STORE_TXN_COLUMNS " FROM journal"
			   " WHERE state = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT 1",
	[STMT_GET] = "SELECT " STORE_TXN_COLUMNS " FROM journal WHERE id = ?1",
};

static const char *const kind_names[] = {
	[TXN_CHECKOUT] = "checkout",
	[TXN_CHECKIN] = "checkin",
	[TXN_RENEW] = "renew",
};

static const char *const mode_names[] = {
	[TXN_ONLINE] = "online",
	[TXN_OFFLINE] = "offline",
};

static const char *const state_names[] = {
	[TXN_PENDING] = "pending",     [TXN_FORWARDED] = "forwarded", [TXN_CONFIRMED] = "confirmed",
	[TXN_CONFLICT] = "conflict",   [TXN_FAILED] = "failed",
};

static const char *const date_status_names[] = {
	[TXN_DATE_TRUSTED] = "",
	[TXN_DATE_CORRECTED] = "corrected",
	[TXN_DATE_UNKNOWN] = "unknown",
};

_Static_assert(ARRAY_SIZE(kind_names) == TXN_KINDS && ARRAY_SIZE(state_names) == TXN_STATES,
	       "TXN_KINDS and TXN_STATES follow the enums");

const char *txn_kind_name(enum txn_kind kind)
{
	return (unsigned)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "unknown";
}

const char *txn_mode_name(enum txn_mode mode)
{
	return (unsigned)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "unknown";
}

const char *txn_state_name(enum txn_state state)
{
	return (unsigned)state < ARRAY_SIZE(state_names) ? state_names[state] : "unknown";
}

const char *txn_date_status_name(enum txn_date_status status)
{
	return (unsigned)status < ARRAY_SIZE(date_status_names) ? date_status_names[status]
								 : "unknown";
}

static int name_index(const char *const *names, size_t n, const unsigned char *text)
{
	for (size_t i = 0; text && i < n; i++)
		if (strcmp(names[i], (const char *)text) == 0)
			return (int)i;
	return -EUCLEAN;
}

static int errno_from_sqlite(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_NOMEM)
			return -ENOMEM;
		/* A write past RLIMIT_FSIZE or the quota is a full disk to us. */
		if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
			return -ENOSPC;
		if (sys == EROFS)
			return -EROFS;
		return -EIO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CANTOPEN:
		if (sys == EACCES || sys == EPERM)
			return -EACCES;
		if (sys == EROFS)
			return -EROFS;
		return -ENOENT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return -EEXIST;
		if (rc == SQLITE_CONSTRAINT_TRIGGER)
			return -EPERM;
		return -EINVAL;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_INTERRUPT:
		return -EINTR;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_MISMATCH:
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

void store_set_errmsg(struct store *store, const char *msg)
{
	snprintf(store->errmsg, sizeof(store->errmsg), "%s", msg);
}

int store_fail(struct store *store, int rc)
{
	int r = errno_from_sqlite(store->db, rc);

	store_set_errmsg(store, store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
	return r < 0 ? r : -EIO;
}

const char *store_strerror(const struct store *store)
{
	if (!store)
		return "no store";
	return store->errmsg;
}

void store_stmt_done(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

int store_step(struct store *store, sqlite3_stmt *stmt)
{
	if (store->fwd_open && !sqlite3_stmt_readonly(stmt))
		store_fwd_yield(store);
	return sqlite3_step(stmt);
}

int store_stmt_run(struct store *store, sqlite3_stmt *stmt)
{
	int rc = store_step(store, stmt);
	int r = 0;

	if (rc != SQLITE_DONE)
		r = store_fail(store, rc);
	store_stmt_done(stmt);
	return r;
}

static int stmt_exec(struct store *store, enum stmt_id id)
{
	return store_stmt_run(store, store->stmt[id]);
}

int store_defer_next_sync(struct store *store, bool on)
{
	if (on)
		store_fwd_yield(store);
	return store_vfs_defer_sync(store->db, on);
}

int store_begin(struct store *store)
{
	/* BEGIN counts as read-only to sqlite: store_step() would not yield for it. */
	store_fwd_yield(store);
	return stmt_exec(store, STMT_BEGIN);
}

int store_commit(struct store *store)
{
	return stmt_exec(store, STMT_COMMIT);
}

void store_rollback(struct store *store)
{
	/* Forwarding's, open between its calls, is nobody else's to undo. */
	if (sqlite3_get_autocommit(store->db) || (store->fwd_open && !store->fwd_busy))
		return;
	sqlite3_step(store->stmt[STMT_ROLLBACK]);
	store_stmt_done(store->stmt[STMT_ROLLBACK]);
}

static int exec_sql(struct store *store, const char *sql)
{
	int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(store, rc);
}

static int query_int(struct store *store, const char *sql, int64_t *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_fail(store, rc);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(stmt, 0);
	else
		r = store_fail(store, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	sqlite3_finalize(stmt);
	return r;
}

static int query_text(struct store *store, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_fail(store, rc);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(stmt, 0);

		snprintf(buf, size, "%s", text ? (const char *)text : "");
	} else {
		r = store_fail(store, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	}
	sqlite3_finalize(stmt);
	return r;
}

int store_schema_version(struct store *store, int *ret)
{
	int64_t version;
	int r;

	if (!store || !ret)
		return -EINVAL;
	r = query_int(store, "PRAGMA user_version", &version);
	if (r < 0)
		return r;
	*ret = (int)version;
	return 0;
}

/*
 * A generic SQL error while migrating or preparing means the file holds a
 * schema that is not ours (or not what its user_version claims).
 */
int store_schema_error(int r, int rc)
{
	return (rc & 0xff) == SQLITE_ERROR ? -EUCLEAN : r;
}

static int migrate_one(struct store *store, int version)
{
	char bump[64];
	int64_t current;
	int rc, r;

	r = exec_sql(store, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = query_int(store, "PRAGMA user_version", &current);
	if (r < 0)
		goto err_rollback;
	if (current >= version)
		goto commit;
	if (current != version - 1) {
		store_set_errmsg(store, "schema version changed during migration");
		r = -EPROTO;
		goto err_rollback;
	}
	rc = sqlite3_exec(store->db, migrations[version], NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		r = store_schema_error(store_fail(store, rc), rc);
		goto err_rollback;
	}
	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", version);
	r = exec_sql(store, bump);
	if (r < 0)
		goto err_rollback;
commit:
	r = exec_sql(store, "COMMIT");
	if (r < 0)
		goto err_rollback;
	return 0;

err_rollback:
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int migrate(struct store *store, int from)
{
	for (int version = from + 1; version <= STORE_SCHEMA_VERSION; version++) {
		int r = migrate_one(store, version);

		if (r < 0)
			return r;
	}
	return 0;
}

static int prepare_statements(struct store *store)
{
	/* Each file of the store owns its statements. */
	static int (*const prepare[])(struct store *) = {
		store_forward_prepare, store_conflict_prepare, store_clock_prepare,
		store_privacy_prepare, store_outcome_prepare, store_security_prepare,
	};
	int r = store_prepare_statements(store, stmt_sql, ARRAY_SIZE(stmt_sql), store->stmt);

	for (size_t i = 0; i < ARRAY_SIZE(prepare) && r >= 0; i++)
		r = prepare[i](store);
	return r;
}

int store_prepare_statements(struct store *store, const char *const *sql, size_t n,
			     sqlite3_stmt **stmts)
{
	for (size_t i = 0; i < n; i++) {
		int rc = sqlite3_prepare_v3(store->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &stmts[i], NULL);

		if (rc != SQLITE_OK)
			return store_schema_error(store_fail(store, rc), rc);
	}
	return 0;
}

static int dir_writable(const char *path)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	if (faccessat(AT_FDCWD, dirname(copy), W_OK, AT_EACCESS) < 0)
		r = (errno == EACCES || errno == EPERM || errno == EROFS) ? -EROFS : -errno;
	free(copy);
	return r;
}

static int take_lock(struct store *store, const char *path)
{
	size_t len = strlen(path) + sizeof(".lock");
	char *lock_path = malloc(len);
	int fd, r = 0;

	if (!lock_path)
		return -ENOMEM;
	snprintf(lock_path, len, "%s.lock", path);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	/* flock() works on a read-only descriptor: a read-only store still gets -EROFS later. */
	if (fd < 0 && (errno == EACCES || errno == EROFS))
		fd = open(lock_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		store_set_errmsg(store, "cannot open the lock file");
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		store_set_errmsg(store, r == -EBUSY ? "the store is in use by another process"
						    : "cannot lock the store");
		close(fd);
		goto out;
	}
	store->lock_fd = fd;
out:
	free(lock_path);
	return r;
}

/*
 * Loans and journal hold patron ids: a new database is private from its
 * first byte. The descriptor stays open (store-guard.c) to tell whether the
 * file is deleted later.
 */
static int create_private(const char *path, int *fd_ret)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	/* An existing file we may not write is for sqlite3_db_readonly() to report. */
	if (fd < 0 && (errno == EACCES || errno == EROFS)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return errno == ENOENT ? -EROFS : -errno;
	}
	if (fd < 0)
		return -errno;
	*fd_ret = fd;
	return 0;
}

int store_open(const char *path, struct store **ret)
{
	struct store *store;
	char mode[16];
	int64_t version;
	int rc, r;

	if (!path || !*path || !ret)
		return -EINVAL;
	store = calloc(1, sizeof(*store));
	if (!store)
		return -ENOMEM;
	store->lock_fd = -1;
	store->db_fd = -1;
	store->mark_fd = -1;
	store->sent_fd = -1;

	r = dir_writable(path);
	if (r < 0)
		goto err_close;
	r = take_lock(store, path);
	if (r < 0)
		goto err_close;
	r = create_private(path, &store->db_fd);
	if (r < 0)
		goto err_close;

	r = store_vfs_register();
	if (r < 0) {
		store_set_errmsg(store, "cannot register the sqlite VFS");
		goto err_close;
	}
	rc = sqlite3_open_v2(path, &store->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
				     SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_EXRESCODE,
			     STORE_VFS_NAME);
	if (rc != SQLITE_OK) {
		r = store_fail(store, rc);
		goto err_close;
	}
	sqlite3_extended_result_codes(store->db, 1);
	/*
	 * The kiosk's RSS budget is 4 MiB: a smaller lookaside arena (32 KiB
	 * instead of ~120 KiB) costs nothing measurable for one connection
	 * running a handful of small statements.
	 */
	sqlite3_db_config(store->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 256, 128);
	if (sqlite3_db_readonly(store->db, "main") != 0) {
		store_set_errmsg(store, "the database is read-only");
		r = -EROFS;
		goto err_close;
	}
	sqlite3_busy_timeout(store->db, 100);
	/* Connection settings only: nothing here writes to the file yet. */
	r = exec_sql(store, "PRAGMA foreign_keys = ON;"
			    "PRAGMA synchronous = FULL;"
			    "PRAGMA cache_size = -128;");
	if (r < 0)
		goto err_close;

	/* Before journal_mode, which rewrites the header: a newer database stays untouched. */
	r = query_int(store, "PRAGMA user_version", &version);
	if (r < 0)
		goto err_close;
	if (version > STORE_SCHEMA_VERSION || version < 0) {
		snprintf(store->errmsg, sizeof(store->errmsg),
			 "database schema %lld is newer than this circd (%d)", (long long)version,
			 STORE_SCHEMA_VERSION);
		r = -EPROTO;
		goto err_close;
	}

	r = query_text(store, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (r < 0)
		goto err_close;
	if (strcmp(mode, "wal") != 0) {
		snprintf(store->errmsg, sizeof(store->errmsg), "journal_mode is %s, not wal", mode);
		r = -EIO;
		goto err_close;
	}

	r = migrate(store, (int)version);
	if (r < 0)
		goto err_close;
	r = prepare_statements(store);
	if (r < 0)
		goto err_close;
	r = store_guard_open(store, path);
	if (r < 0)
		goto err_close;

	*ret = store;
	return 0;

err_close:
	store_close(store);
	return r;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	store_fwd_yield(store); /* what forwarding knows is kept */
	store_guard_close(store); /* reads the journal: while the statements are there */
	for (size_t i = 0; i < ARRAY_SIZE(store->stmt); i++)
		sqlite3_finalize(store->stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->forward_stmt); i++)
		sqlite3_finalize(store->forward_stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->conflict_stmt); i++)
		sqlite3_finalize(store->conflict_stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->clock_stmt); i++)
		sqlite3_finalize(store->clock_stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->privacy_stmt); i++)
		sqlite3_finalize(store->privacy_stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->outcome_stmt); i++)
		sqlite3_finalize(store->outcome_stmt[i]);
	for (size_t i = 0; i < ARRAY_SIZE(store->security_stmt); i++)
		sqlite3_finalize(store->security_stmt[i]);
	/* The database is closed (and checkpointed) before the next circd may take the lock. */
	sqlite3_close(store->db);
	store_guard_free(store);
	if (store->lock_fd >= 0)
		close(store->lock_fd);
	free(store);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int store_bind_text(sqlite3_stmt *stmt, int index, const char *s)
{
	return sqlite3_bind_text(stmt, index, s, -1, SQLITE_STATIC);
}

int store_bind_text_max(sqlite3_stmt *stmt, int index, const char *s, size_t size)
{
	size_t len;

	if (!s)
		s = "";
	len = utf8_cut_len(s, size);
	return sqlite3_bind_text(stmt, index, s, (int)len, SQLITE_STATIC);
}

int store_run_counting(struct store *store, sqlite3_stmt *stmt, unsigned *n)
{
	int r = store_stmt_run(store, stmt);

	if (r >= 0 && n)
		*n = (unsigned)sqlite3_changes(store->db);
	return r;
}

int store_kind_index(const unsigned char *name)
{
	return name_index(kind_names, ARRAY_SIZE(kind_names), name);
}

int store_state_index(const unsigned char *name)
{
	return name_index(state_names, ARRAY_SIZE(state_names), name);
}

int store_txn_valid(const struct txn *txn)
{
	if ((unsigned)txn->kind >= ARRAY_SIZE(kind_names) ||
	    (unsigned)txn->mode >= ARRAY_SIZE(mode_names) ||
	    (unsigned)txn->state >= ARRAY_SIZE(state_names))
		return -EINVAL;
	/* An unterminated field would be stored as something the caller never meant. */
	if (!terminated(txn->id, sizeof(txn->id)) ||
	    !terminated(txn->patron, sizeof(txn->patron)) ||
	    !terminated(txn->item, sizeof(txn->item)) ||
	    !terminated(txn->session_id, sizeof(txn->session_id)) ||
	    !terminated(txn->boot_id, sizeof(txn->boot_id)) ||
	    !terminated(txn->result, sizeof(txn->result)) ||
	    !terminated(txn->evidence, sizeof(txn->evidence)) ||
	    !terminated(txn->title, sizeof(txn->title)))
		return -EINVAL;
	if (!txn->id[0] || !txn->item[0])
		return -EINVAL;
	return 0;
}

int store_journal_insert(struct store *store, const struct txn *txn, int64_t *seq)
{
	sqlite3_stmt *stmt = store->stmt[STMT_JOURNAL_INSERT];
	int64_t confirmed_ms = txn->confirmed_ms;
	int rc, r = 0;

	/* Recorded already final (online): the privacy clock starts at the scan. */
	if (!confirmed_ms && txn->state != TXN_PENDING && txn->state != TXN_FORWARDED)
		confirmed_ms = txn->wall_ms;

	store_bind_text(stmt, 1, txn->id);
	store_bind_text(stmt, 2, txn_kind_name(txn->kind));
	store_bind_text(stmt, 3, txn->patron);
	store_bind_text(stmt, 4, txn->item);
	store_bind_text(stmt, 5, txn->session_id);
	sqlite3_bind_int64(stmt, 6, txn->wall_ms);
	sqlite3_bind_int64(stmt, 7, (int64_t)txn->mono_ms);
	store_bind_text(stmt, 8, txn->boot_id);
	store_bind_text(stmt, 9, txn_mode_name(txn->mode));
	store_bind_text(stmt, 10, txn_state_name(txn->state));
	sqlite3_bind_int64(stmt, 11, txn->due_ms);
	store_bind_text(stmt, 12, txn->result);
	sqlite3_bind_int(stmt, 13, !txn->wall_untrusted);
	sqlite3_bind_int64(stmt, 14, txn->attempts);
	store_bind_text(stmt, 15, txn->evidence);
	store_bind_text(stmt, 16, txn->title);
	sqlite3_bind_int64(stmt, 17, txn->sent_wall_ms);
	sqlite3_bind_int64(stmt, 18, confirmed_ms);
	store_bind_text(stmt, 19, txn->symbology);
	rc = store_step(store, stmt);
	if (rc == SQLITE_DONE)
		/* Now, before the loan statements move last_insert_rowid. */
		*seq = sqlite3_last_insert_rowid(store->db);
	else
		r = store_fail(store, rc);
	store_stmt_done(stmt);
	return r;
}

int store_loan_apply(struct store *store, const struct txn *txn)
{
	sqlite3_stmt *stmt;

	switch (txn->kind) {
	case TXN_CHECKOUT:
		stmt = store->stmt[STMT_LOAN_PUT];
		store_bind_text(stmt, 1, txn->item);
		store_bind_text(stmt, 2, txn->patron);
		store_bind_text(stmt, 3, txn->id);
		sqlite3_bind_int64(stmt, 4, txn->wall_ms);
		sqlite3_bind_int64(stmt, 5, txn->due_ms);
		return stmt_exec(store, STMT_LOAN_PUT);
	case TXN_CHECKIN:
		store_bind_text(store->stmt[STMT_LOAN_DELETE], 1, txn->item);
		return stmt_exec(store, STMT_LOAN_DELETE);
	case TXN_RENEW:
		stmt = store->stmt[STMT_LOAN_RENEW];
		store_bind_text(stmt, 1, txn->item);
		sqlite3_bind_int64(stmt, 2, txn->due_ms);
		return stmt_exec(store, STMT_LOAN_RENEW);
	}
	return -EINVAL;
}

int store_record(struct store *store, struct txn *txn)
{
	return store_record_tagged(store, txn, NULL);
}

void store_column_copy(sqlite3_stmt *stmt, int col, char *dst, size_t size)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	size_t len = text ? (size_t)sqlite3_column_bytes(stmt, col) : 0;

	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(dst, text, len);
	dst[len] = '\0';
}

int store_row_to_txn(sqlite3_stmt *stmt, struct txn *txn)
{
	int kind, mode, state, date_status, told;

	memset(txn, 0, sizeof(*txn));
	txn->seq = sqlite3_column_int64(stmt, 0);
	store_column_copy(stmt, 1, txn->id, sizeof(txn->id));
	kind = name_index(kind_names, ARRAY_SIZE(kind_names), sqlite3_column_text(stmt, 2));
	store_column_copy(stmt, 3, txn->patron, sizeof(txn->patron));
	store_column_copy(stmt, 4, txn->item, sizeof(txn->item));
	store_column_copy(stmt, 5, txn->session_id, sizeof(txn->session_id));
	txn->wall_ms = sqlite3_column_int64(stmt, 6);
	txn->mono_ms = (uint64_t)sqlite3_column_int64(stmt, 7);
	store_column_copy(stmt, 8, txn->boot_id, sizeof(txn->boot_id));
	mode = name_index(mode_names, ARRAY_SIZE(mode_names), sqlite3_column_text(stmt, 9));
	state = name_index(state_names, ARRAY_SIZE(state_names), sqlite3_column_text(stmt, 10));
	txn->due_ms = sqlite3_column_int64(stmt, 11);
	store_column_copy(stmt, 12, txn->result, sizeof(txn->result));
	txn->wall_untrusted = sqlite3_column_int(stmt, 13) == 0;
	date_status = name_index(date_status_names, ARRAY_SIZE(date_status_names),
				 sqlite3_column_text(stmt, 14));
	txn->original_wall_ms = sqlite3_column_int64(stmt, 15); /* NULL reads as 0 */
	txn->attempts = (unsigned)sqlite3_column_int64(stmt, 16);
	store_column_copy(stmt, 17, txn->evidence, sizeof(txn->evidence));
	store_column_copy(stmt, 18, txn->title, sizeof(txn->title));
	txn->sent_wall_ms = sqlite3_column_int64(stmt, 19);
	txn->confirmed_ms = sqlite3_column_int64(stmt, 20);
	txn->purged = sqlite3_column_int(stmt, 21) != 0;
	store_column_copy(stmt, 22, txn->screen_msg, sizeof(txn->screen_msg));
	store_column_copy(stmt, 23, txn->print_line, sizeof(txn->print_line));
	told = store_patron_told_from_name(sqlite3_column_text(stmt, 24), &txn->patron_told);
	txn->verifications = (unsigned)sqlite3_column_int64(stmt, 25);
	store_column_copy(stmt, 26, txn->symbology, sizeof(txn->symbology));
	if (kind < 0 || mode < 0 || state < 0 || date_status < 0 || told < 0)
		return -EUCLEAN;
	txn->kind = (enum txn_kind)kind;
	txn->mode = (enum txn_mode)mode;
	txn->state = (enum txn_state)state;
	txn->date_status = (enum txn_date_status)date_status;
	return 0;
}

int store_get(struct store *store, const char *id, struct txn *ret)
{
	sqlite3_stmt *stmt;
	int rc, r;

	if (!store || !id || !ret)
		return -EINVAL;
	stmt = store->stmt[STMT_GET];
	store_bind_text(stmt, 1, id);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		r = store_row_to_txn(stmt, ret);
		if (r < 0)
			store_set_errmsg(store, STORE_BAD_ROW);
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_loan_get(struct store *store, const char *item, struct store_loan *ret)
{
	sqlite3_stmt *stmt;
	int rc, r = 0;

	if (!store || !item || !ret)
		return -EINVAL;
	stmt = store->stmt[STMT_LOAN_GET];
	store_bind_text(stmt, 1, item);
	rc = store_step(store, stmt);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		store_column_copy(stmt, 0, ret->item, sizeof(ret->item));
		store_column_copy(stmt, 1, ret->patron, sizeof(ret->patron));
		store_column_copy(stmt, 2, ret->txn_id, sizeof(ret->txn_id));
		ret->since_ms = sqlite3_column_int64(stmt, 3);
		ret->due_ms = sqlite3_column_int64(stmt, 4);
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(store, rc);
	}
	store_stmt_done(stmt);
	return r;
}

int store_stmt_count(struct store *store, sqlite3_stmt *stmt, uint64_t *ret)
{
	int rc = store_step(store, stmt);
	int r = 0;

	if (rc == SQLITE_ROW)
		*ret = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		r = store_fail(store, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	store_stmt_done(stmt);
	return r;
}

int store_count(struct store *store, enum txn_state state, uint64_t *ret)
{
	if (!store || !ret || (unsigned)state >= ARRAY_SIZE(state_names))
		return -EINVAL;
	store_bind_text(store->stmt[STMT_COUNT], 1, txn_state_name(state));
	return store_stmt_count(store, store->stmt[STMT_COUNT], ret);
}

int store_count_all(struct store *store, uint64_t *ret)
{
	if (!store || !ret)
		return -EINVAL;
	return store_stmt_count(store, store->stmt[STMT_COUNT_ALL], ret);
}

int store_max_seq(struct store *store, int64_t *ret)
{
	uint64_t seq;
	int r;

	if (!store || !ret)
		return -EINVAL;
	r = store_stmt_count(store, store->stmt[STMT_MAX_SEQ], &seq);
	if (r >= 0)
		*ret = (int64_t)seq;
	return r;
}

int store_list(struct store *store, enum txn_state state, unsigned limit, store_txn_fn fn,
	       void *data)
{
	int64_t last_seq;
	int r;

	if (!store || !fn || (unsigned)state >= ARRAY_SIZE(state_names))
		return -EINVAL;
	/* Transactions that fn records during the walk are not part of it. */
	r = store_max_seq(store, &last_seq);
	if (r < 0)
		return r;
	return store_list_range(store, state, INT64_MIN, last_seq, limit, fn, data);
}

int store_list_range(struct store *store, enum txn_state state, int64_t after_seq,
		     int64_t last_seq, unsigned limit, store_txn_fn fn, void *data)
{
	sqlite3_stmt *stmt;
	int64_t after = after_seq;
	int r;

	if (!store || !fn || (unsigned)state >= ARRAY_SIZE(state_names))
		return -EINVAL;
	stmt = store->stmt[STMT_LIST_NEXT];
	for (unsigned n = 0; limit == 0 || n < limit; n++) {
		struct txn txn;
		int rc;

		store_bind_text(stmt, 1, txn_state_name(state));
		sqlite3_bind_int64(stmt, 2, after);
		sqlite3_bind_int64(stmt, 3, last_seq);
		rc = store_step(store, stmt);
		if (rc == SQLITE_DONE) {
			store_stmt_done(stmt);
			break;
		}
		if (rc != SQLITE_ROW) {
			r = store_fail(store, rc);
			store_stmt_done(stmt);
			return r;
		}
		r = store_row_to_txn(stmt, &txn);
		store_stmt_done(stmt);
		if (r < 0) {
			store_set_errmsg(store, STORE_BAD_ROW);
			return r;
		}
		after = txn.seq;
		r = fn(data, &txn);
		if (r != 0)
			return r;
	}
	return 0;
}

int txn_id_new(char id[TXN_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t bytes[16];
	size_t have = 0;
	char *p = id;

	if (!id)
		return -EINVAL;
	/* Blocks only until the kernel CRNG is first seeded, long before the first scan. */
	while (have < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + have, sizeof(bytes) - have, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		have += (size_t)n;
	}
	bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40); /* version 4 */
	bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (size_t i = 0; i < sizeof(bytes); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[bytes[i] >> 4];
		*p++ = hex[bytes[i] & 0x0f];
	}
	*p = '\0';
	return 0;
}
