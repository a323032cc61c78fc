/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store's forwarding side (schema 3): store-forward.c, store-conflict.c,
 * store-clock.c, store-privacy.c.
 */
#include <errno.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../firmware/store.h"
#include "store_fixtures.h"
#include "../../lib/util.h"
#include "testlib.h"
#include "tmpdir.h"

#define BOOT_NOW "b0071d00-0000-4000-8000-00000000000c"
#define BOOT_OLD "b0071d00-0000-4000-8000-00000000000a"
#define BOOT_REF "b0071d00-0000-4000-8000-00000000000b"

/* What a version-2 circd wrote. */
static const char v2_schema[] = STORE_V2_SCHEMA;

static int raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Runs sql with %s replaced by id; the sqlite result code. */
static int raw_exec_id(sqlite3 *db, const char *fmt, const char *id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, id);
	return raw_exec(db, sql);
}

static long long raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static long long raw_int_id(sqlite3 *db, const char *fmt, const char *id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, id);
	return raw_int(db, sql);
}

static void make_txn(struct txn *t, enum txn_kind kind, const char *patron, const char *item,
		     int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	CHECK_INT(txn_id_new(t->id), 0);
	t->kind = kind;
	snprintf(t->patron, sizeof(t->patron), "%s", patron);
	snprintf(t->item, sizeof(t->item), "%s", item);
	t->wall_ms = wall_ms;
	t->mono_ms = 1000;
	snprintf(t->boot_id, sizeof(t->boot_id), "%s", BOOT_NOW);
	t->mode = TXN_OFFLINE;
	t->state = TXN_PENDING;
	t->due_ms = kind == TXN_CHECKIN ? 0 : wall_ms + 14 * DAY_MS;
}

static void record(struct store *s, struct txn *t, enum txn_kind kind, const char *patron,
		   const char *item, int64_t wall_ms)
{
	make_txn(t, kind, patron, item, wall_ms);
	CHECK_INT(store_record(s, t), 0);
}

static enum txn_state state_of(struct store *s, const char *id)
{
	struct txn got;

	memset(&got, 0, sizeof(got));
	got.state = (enum txn_state)-1;
	CHECK_INT(store_get(s, id, &got), 0);
	return got.state;
}

static const struct store_conflict_in on_loan = { CONFLICT_ON_LOAN_TO_OTHER,
						  "item checked out to another patron" };

static void test_migrates_v2_database(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn got, more;
	struct store_loan loan;
	sqlite3 *db;
	int version = -1;

	tmp_new(&t, "sync");
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec(db, v2_schema), SQLITE_OK);
	CHECK_INT(raw_exec(db, "INSERT INTO journal(id, kind, patron, item, session_id, wall_ms,"
			       " mono_ms, boot_id, mode, state, due_ms, result, updated_ms) VALUES"
			       "('11111111-2222-4333-8444-555555555555', 'checkout',"
			       " '21234000012345', '31234000099999', 's1', 1700000000000, 4242,"
			       " 'boot-1', 'offline', 'pending', 1701209600000, '', 1700000000000),"
			       "('11111111-2222-4333-8444-666666666666', 'checkin', '',"
			       " '31234000088888', '', 1700000001000, 4243, 'boot-1', 'online',"
			       " 'confirmed', 0, 'ok', 1700000002000);"
			       "INSERT INTO loans VALUES('31234000099999', '21234000012345',"
			       " '11111111-2222-4333-8444-555555555555', 1700000000000,"
			       " 1701209600000);"
			       "INSERT INTO patron_cache VALUES('abcd', x'00112233', 1, 5, 6);"
			       "PRAGMA user_version = 2;"),
		  SQLITE_OK);
	sqlite3_close(db);

	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_schema_version(s, &version), 0);
	CHECK_INT(version, STORE_SCHEMA_VERSION);
	CHECK_INT(store_get(s, "11111111-2222-4333-8444-555555555555", &got), 0);
	CHECK_INT(got.seq, 1);
	CHECK_INT(got.kind, TXN_CHECKOUT);
	CHECK_STR(got.patron, "21234000012345");
	CHECK_STR(got.item, "31234000099999");
	CHECK_STR(got.session_id, "s1");
	CHECK_INT(got.wall_ms, 1700000000000LL);
	CHECK_INT(got.mono_ms, 4242);
	CHECK_INT(got.state, TXN_PENDING);
	CHECK_INT(got.due_ms, 1701209600000LL);
	/* The new columns' defaults. */
	CHECK_INT(got.attempts, 0);
	CHECK_STR(got.evidence, "");
	CHECK_STR(got.title, "");
	CHECK(!got.wall_untrusted);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	CHECK_INT(got.original_wall_ms, 0);
	CHECK_INT(got.sent_wall_ms, 0);
	CHECK_INT(got.confirmed_ms, 0);
	CHECK(!got.purged);
	/* A txn finished before v3 starts its privacy clock when it was finished. */
	CHECK_INT(store_get(s, "11111111-2222-4333-8444-666666666666", &got), 0);
	CHECK_INT(got.state, TXN_CONFIRMED);
	CHECK_STR(got.result, "ok");
	CHECK_INT(got.confirmed_ms, 1700000002000LL);
	CHECK_INT(store_loan_get(s, "31234000099999", &loan), 0);
	CHECK_STR(loan.txn_id, "11111111-2222-4333-8444-555555555555");
	/* The migrated store works: forward what v2 left pending. */
	CHECK_INT(store_mark_forwarded(s, "11111111-2222-4333-8444-555555555555", 1700000003000LL),
		  0);
	record(s, &more, TXN_CHECKIN, "", "31234000099999", 1700000004000LL);
	CHECK(more.seq == 3);
	store_close(s);

	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM journal"), 3);
	CHECK_INT(raw_int(db, "SELECT allowed + fetched_ms + expires_ms FROM patron_cache"
			      " WHERE key_hash = 'abcd'"),
		  12);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('conflicts',"
			      " 'clock_refs', 'meta', 'conflicts_no_delete',"
			      " 'conflicts_no_rewrite', 'journal_no_rewrite',"
			      " 'journal_no_delete')"),
		  7);
	/* The recreated triggers still guard the migrated rows. */
	CHECK_INT(raw_exec(db, "DELETE FROM journal"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET patron = 'x' WHERE seq = 1"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET item = 'x' WHERE seq = 2"), SQLITE_CONSTRAINT);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_record_roundtrips_new_fields(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, got;

	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1000);
	a.wall_untrusted = true;
	a.date_status = TXN_DATE_CORRECTED; /* ignored: only the store moves it */
	a.original_wall_ms = 77;            /* ignored */
	a.purged = true;                    /* ignored */
	CHECK_INT(store_record(s, &a), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK(got.wall_untrusted);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	CHECK_INT(got.original_wall_ms, 0);
	CHECK(!got.purged);
	CHECK_INT(got.attempts, 0);

	/* An online txn recorded already confirmed carries its outcome. */
	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000002", 1700000000000LL);
	a.mode = TXN_ONLINE;
	a.state = TXN_CONFIRMED;
	a.attempts = 1;
	snprintf(a.evidence, sizeof(a.evidence), "reply 12 ok=1");
	snprintf(a.title, sizeof(a.title), "The Title");
	a.sent_wall_ms = 1700000000001LL;
	CHECK_INT(store_record(s, &a), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK(!got.wall_untrusted);
	CHECK_INT(got.attempts, 1);
	CHECK_STR(got.evidence, "reply 12 ok=1");
	CHECK_STR(got.title, "The Title");
	CHECK_INT(got.sent_wall_ms, 1700000000001LL);
	CHECK_INT(got.confirmed_ms, 1700000000000LL); /* defaults to the scan */

	/* An unterminated evidence is refused like any other field. */
	make_txn(&a, TXN_CHECKIN, "", "31234000000003", 1700000000000LL);
	memset(a.evidence, 'E', sizeof(a.evidence));
	CHECK_INT(store_record(s, &a), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Runs in a child that dies right after marking, as a crash before the send would. */
static void mark_and_die(const char *path, const char *id)
{
	struct store *s = NULL;

	if (store_open(path, &s) < 0)
		_exit(2);
	_exit(store_mark_forwarded(s, id, 1700000005000LL) == 0 ? 0 : 1);
}

static void test_mark_forwarded_is_durable_before_send(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, got;
	sqlite3 *db;
	pid_t pid;
	int status = -1;

	record(s, &a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_mark_forwarded(s, a.id, 1700000001000LL), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_INT(got.attempts, 1);
	CHECK_INT(got.sent_wall_ms, 1700000001000LL);
	/* Committed when it returns: another connection sees it. */
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int_id(db, "SELECT attempts FROM journal WHERE id = '%s'"
				 " AND state = 'forwarded'", a.id),
		  1);
	sqlite3_close(db);
	/* A retry after a lost reply counts again. */
	CHECK_INT(store_mark_forwarded(s, a.id, 1700000002000LL), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.attempts, 2);
	CHECK_INT(got.sent_wall_ms, 1700000002000LL);
	store_close(s);

	/* A crash right after the mark (no close, no checkpoint) keeps it. */
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		mark_and_die(t.db, a.id);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_INT(got.attempts, 3);
	CHECK_INT(got.sent_wall_ms, 1700000005000LL);

	CHECK_INT(store_mark_forwarded(s, "00000000-0000-4000-8000-000000000000", 1), -ENOENT);
	CHECK_INT(store_mark_forwarded(s, NULL, 1), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "ok", "reply 12 ok=1", "", 0,
			       1700000006000LL, NULL),
		  0);
	CHECK_INT(store_mark_forwarded(s, a.id, 1700000007000LL), -EPERM);
	CHECK(strlen(store_strerror(s)) > 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.state, TXN_CONFIRMED);
	CHECK_INT(got.attempts, 3);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_finish_confirmed_keeps_loan(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn out, renew, in, got;
	struct store_loan loan;
	uint64_t n = 9;

	record(s, &out, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_mark_forwarded(s, out.id, 1700000001000LL), 0);
	CHECK_INT(store_finish(s, out.id, TXN_CONFIRMED, "checked out", "reply 12 ok=1",
			       "A Title", 1702000000000LL, 1700000002000LL, NULL),
		  0);
	CHECK_INT(store_get(s, out.id, &got), 0);
	CHECK_INT(got.state, TXN_CONFIRMED);
	CHECK_STR(got.result, "checked out");
	CHECK_STR(got.evidence, "reply 12 ok=1");
	CHECK_STR(got.title, "A Title");
	CHECK_INT(got.due_ms, 1702000000000LL);
	CHECK_INT(got.confirmed_ms, 1700000002000LL);
	CHECK_INT(got.attempts, 1);
	/* The loan stays, with the ILS's due date. */
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), 0);
	CHECK_STR(loan.txn_id, out.id);
	CHECK_INT(loan.due_ms, 1702000000000LL);

	/* A confirmed renew with a due date moves the loan's; due 0 keeps the recorded one. */
	record(s, &renew, TXN_RENEW, "21234000012345", "31234000000001", 1700100000000LL);
	CHECK_INT(store_finish(s, renew.id, TXN_CONFIRMED, "", "reply 30 ok=1", "", 1703000000000LL,
			       1700100001000LL, NULL),
		  0);
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), 0);
	CHECK_INT(loan.due_ms, 1703000000000LL);
	record(s, &in, TXN_CHECKIN, "", "31234000000001", 1700200000000LL);
	CHECK_INT(store_finish(s, in.id, TXN_CONFIRMED, "", "reply 10 ok=1", "", 0, 1700200001000LL,
			       NULL),
		  0);
	CHECK_INT(store_get(s, in.id, &got), 0);
	CHECK_INT(got.due_ms, 0);
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), -ENOENT);
	CHECK_INT(store_count(s, TXN_CONFIRMED, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

struct conflicts_seen {
	int count;
	struct store_conflict c[4];
	struct store *resolve_in; /* resolves each one from inside the walk */
};

static int on_conflict(void *data, const struct store_conflict *c)
{
	struct conflicts_seen *seen = data;

	if (seen->count < 4)
		seen->c[seen->count] = *c;
	seen->count++;
	if (seen->resolve_in)
		CHECK_INT(store_conflict_resolve(seen->resolve_in, c->id, "in walk", 5), 0);
	return 0;
}

static void test_finish_conflict_removes_local_loan(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn out, first, later, got;
	struct store_loan loan;
	struct conflicts_seen seen;
	uint64_t n = 0;
	sqlite3 *db;

	record(s, &out, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_mark_forwarded(s, out.id, 1700000001000LL), 0);
	CHECK_INT(store_finish(s, out.id, TXN_CONFLICT, "item is checked out to another patron",
			       "reply 12 ok=0", "A Title", 0, 1700000002000LL, &on_loan),
		  0);
	CHECK_INT(state_of(s, out.id), TXN_CONFLICT);
	CHECK_INT(store_get(s, out.id, &got), 0);
	CHECK_STR(got.patron, "21234000012345"); /* staff need to know who */
	CHECK_INT(got.confirmed_ms, 1700000002000LL);
	/* It did not happen at the ILS: no local loan; the journal keeps the txn. */
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), -ENOENT);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 1);

	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_conflicts_list(s, false, on_conflict, &seen), 0);
	CHECK_INT(seen.count, 1);
	CHECK(seen.c[0].id > 0);
	CHECK_STR(seen.c[0].txn_id, out.id);
	CHECK_INT(seen.c[0].category, CONFLICT_ON_LOAN_TO_OTHER);
	CHECK_STR(seen.c[0].message, "item checked out to another patron");
	CHECK_INT(seen.c[0].created_ms, 1700000002000LL);
	CHECK_INT(seen.c[0].resolved_ms, 0);
	CHECK_STR(seen.c[0].resolution, "");
	CHECK_INT(seen.c[0].kind, TXN_CHECKOUT);
	CHECK_STR(seen.c[0].item, "31234000000001");
	CHECK_STR(seen.c[0].patron, "21234000012345");
	CHECK_INT(seen.c[0].wall_ms, 1700000000000LL);

	/* A conflicting checkout removes only its own loan, not a later one of the item. */
	record(s, &first, TXN_CHECKOUT, "21234000011111", "31234000000002", 1700000010000LL);
	record(s, &later, TXN_CHECKOUT, "21234000022222", "31234000000002", 1700000020000LL);
	CHECK_INT(store_finish(s, first.id, TXN_CONFLICT, "", "", "", 0, 1700000030000LL,
			       &(struct store_conflict_in){ CONFLICT_PATRON_BLOCKED, NULL }),
		  0);
	CHECK_INT(store_loan_get(s, "31234000000002", &loan), 0);
	CHECK_STR(loan.txn_id, later.id);

	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM conflicts"), 2);
	CHECK_INT(raw_int_id(db, "SELECT count(*) FROM conflicts WHERE txn_id = '%s'"
				 " AND category = 'patron-blocked' AND message = ''", first.id),
		  1);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM journal"), 3);
	sqlite3_close(db);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_finish_failed_and_final_states(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, b, c;
	struct store_loan loan;
	uint64_t n = 0;

	record(s, &a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	record(s, &b, TXN_CHECKOUT, "21234000012345", "31234000000002", 1700000000001LL);
	record(s, &c, TXN_CHECKIN, "", "31234000000003", 1700000000002LL);
	CHECK_INT(store_finish(s, a.id, TXN_FAILED, "no such item format", "reply 12 ok=0 AF",
			       "", 0, 1700000001000LL, NULL),
		  0);
	CHECK_INT(state_of(s, a.id), TXN_FAILED);
	/* A checkout the ILS did not apply leaves no loan here either. */
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), -ENOENT);
	CHECK_INT(store_finish(s, b.id, TXN_CONFLICT, "", "", "", 0, 1700000001000LL, &on_loan), 0);
	CHECK_INT(store_finish(s, c.id, TXN_CONFIRMED, "", "", "", 0, 1700000001000LL, NULL), 0);

	/* Final states never move again. */
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "", "", "", 0, 1700000002000LL, NULL),
		  -EPERM);
	CHECK_INT(store_finish(s, b.id, TXN_CONFIRMED, "", "", "", 0, 1700000002000LL, NULL),
		  -EPERM);
	CHECK_INT(store_finish(s, c.id, TXN_CONFLICT, "", "", "", 0, 1700000002000LL, &on_loan),
		  -EPERM);
	CHECK_INT(store_finish(s, c.id, TXN_FAILED, "", "", "", 0, 1700000002000LL, NULL), -EPERM);
	CHECK_INT(state_of(s, a.id), TXN_FAILED);
	CHECK_INT(state_of(s, b.id), TXN_CONFLICT);
	CHECK_INT(state_of(s, c.id), TXN_CONFIRMED);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 1); /* the refused conflict added no row */
	CHECK_INT(store_finish(s, "00000000-0000-4000-8000-000000000000", TXN_CONFIRMED, "", "", "",
			       0, 1, NULL),
		  -ENOENT);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_finish_rejects_bad_arguments(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a;
	struct store_conflict_in bad = { (enum conflict_category)42, "" };
	uint64_t n = 9;

	record(s, &a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_finish(s, a.id, TXN_PENDING, "", "", "", 0, 1, NULL), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_FORWARDED, "", "", "", 0, 1, NULL), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFLICT, "", "", "", 0, 1, NULL), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "", "", "", 0, 1, &on_loan), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFLICT, "", "", "", 0, 1, &bad), -EINVAL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "", "", "", 0, 0, NULL), -EINVAL);
	CHECK_INT(store_finish(s, NULL, TXN_CONFIRMED, "", "", "", 0, 1, NULL), -EINVAL);
	CHECK_INT(state_of(s, a.id), TXN_PENDING);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 0);
	/* NULL strings are "". */
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, NULL, NULL, NULL, 0, 1, NULL), 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int extra = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : 3;

		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void test_finish_cuts_long_text_whole_characters(void)
{
	static char title[400], result[600];
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, got;
	char *p = title;

	/* 126 ASCII bytes, then "é" (2 bytes) would straddle the 127-byte limit. */
	memset(p, 'T', 126);
	p += 126;
	for (int i = 0; i < 100; i++)
		p += sprintf(p, "\xc3\xa9");
	memset(result, 'R', sizeof(result) - 1);
	record(s, &a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, result, "e", title, 0, 1, NULL), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(strlen(got.title), 126);
	CHECK(valid_utf8(got.title));
	CHECK_INT(strlen(got.result), TXN_RESULT_MAX - 1);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

struct walk {
	int count;
	char items[8][SCAN_TEXT_MAX + 1];
	enum txn_state states[8];
	int stop_after;
	struct store *record_into;
};

static int on_txn(void *data, const struct txn *txn)
{
	struct walk *w = data;

	if (w->count < 8) {
		snprintf(w->items[w->count], sizeof(w->items[0]), "%s", txn->item);
		w->states[w->count] = txn->state;
	}
	w->count++;
	if (w->record_into) {
		struct txn more;

		make_txn(&more, TXN_CHECKIN, "", "during-walk", 1);
		CHECK_INT(store_record(w->record_into, &more), 0);
	}
	return w->stop_after && w->count == w->stop_after ? 9 : 0;
}

static void test_next_to_forward_oldest_first(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, online, b, c, next;

	/* By seq, not by the (possibly wrong) wall clock. */
	record(s, &a, TXN_CHECKOUT, "21234000012345", "item-a", 1700000009000LL);
	make_txn(&online, TXN_CHECKOUT, "21234000012345", "item-online", 1700000000000LL);
	online.state = TXN_CONFIRMED;
	online.mode = TXN_ONLINE;
	CHECK_INT(store_record(s, &online), 0);
	record(s, &b, TXN_CHECKIN, "", "item-b", 1600000000000LL);
	record(s, &c, TXN_RENEW, "21234000012345", "item-c", 1700000001000LL);

	CHECK_INT(store_next_to_forward(s, &next), 0);
	CHECK_STR(next.id, a.id);
	CHECK_INT(next.seq, a.seq);
	/* A forwarded one stays next until it is finished: its outcome comes first. */
	CHECK_INT(store_mark_forwarded(s, a.id, 1700000010000LL), 0);
	CHECK_INT(store_next_to_forward(s, &next), 0);
	CHECK_STR(next.id, a.id);
	CHECK_INT(next.state, TXN_FORWARDED);
	CHECK_INT(next.attempts, 1);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "", "", "", 0, 1, NULL), 0);
	CHECK_INT(store_next_to_forward(s, &next), 0);
	CHECK_STR(next.id, b.id);
	/* A later forwarded one does not jump an older pending one. */
	CHECK_INT(store_mark_forwarded(s, c.id, 1700000011000LL), 0);
	CHECK_INT(store_next_to_forward(s, &next), 0);
	CHECK_STR(next.id, b.id);
	CHECK_INT(store_finish(s, b.id, TXN_FAILED, "", "", "", 0, 1, NULL), 0);
	CHECK_INT(store_next_to_forward(s, &next), 0);
	CHECK_STR(next.id, c.id);
	CHECK_INT(store_finish(s, c.id, TXN_CONFLICT, "", "", "", 0, 1, &on_loan), 0);
	CHECK_INT(store_next_to_forward(s, &next), -ENOENT);
	CHECK_INT(store_next_to_forward(s, NULL), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_list_unforwarded(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn x[6];
	struct walk w;

	record(s, &x[0], TXN_CHECKOUT, "21234000012345", "pending-0", 1);
	record(s, &x[1], TXN_CHECKOUT, "21234000012345", "confirmed-1", 2);
	record(s, &x[2], TXN_CHECKIN, "", "failed-2", 3);
	record(s, &x[3], TXN_RENEW, "21234000012345", "forwarded-3", 4);
	record(s, &x[4], TXN_CHECKOUT, "21234000012345", "conflict-4", 5);
	record(s, &x[5], TXN_CHECKIN, "", "pending-5", 6);
	CHECK_INT(store_finish(s, x[1].id, TXN_CONFIRMED, "", "", "", 0, 1, NULL), 0);
	CHECK_INT(store_finish(s, x[2].id, TXN_FAILED, "", "", "", 0, 1, NULL), 0);
	CHECK_INT(store_mark_forwarded(s, x[3].id, 1), 0);
	CHECK_INT(store_finish(s, x[4].id, TXN_CONFLICT, "", "", "", 0, 1, &on_loan), 0);

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list_unforwarded(s, on_txn, &w), 0);
	CHECK_INT(w.count, 4);
	CHECK_STR(w.items[0], "pending-0");
	CHECK_STR(w.items[1], "failed-2");
	CHECK_STR(w.items[2], "forwarded-3");
	CHECK_STR(w.items[3], "pending-5");
	CHECK_INT(w.states[1], TXN_FAILED);
	CHECK_INT(w.states[2], TXN_FORWARDED);

	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	CHECK_INT(store_list_unforwarded(s, on_txn, &w), 9);
	CHECK_INT(w.count, 2);

	/* What fn records is not part of its walk. */
	memset(&w, 0, sizeof(w));
	w.record_into = s;
	CHECK_INT(store_list_unforwarded(s, on_txn, &w), 0);
	CHECK_INT(w.count, 4);
	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list_unforwarded(s, on_txn, &w), 0);
	CHECK_INT(w.count, 8);
	CHECK_INT(store_list_unforwarded(s, NULL, NULL), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_conflicts_list_and_resolve(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, b, c;
	struct conflicts_seen seen;
	uint64_t n = 0;
	sqlite3 *db;
	char sql[256];

	record(s, &a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	record(s, &b, TXN_CHECKIN, "", "31234000000002", 1700000000001LL);
	record(s, &c, TXN_CHECKOUT, "21234000054321", "31234000000003", 1700000000002LL);
	CHECK_INT(store_finish(s, a.id, TXN_CONFLICT, "", "", "", 0, 10, &on_loan), 0);
	CHECK_INT(store_finish(s, b.id, TXN_CONFLICT, "", "", "", 0, 11,
			       &(struct store_conflict_in){ CONFLICT_UNKNOWN_ITEM, "no item" }),
		  0);
	CHECK_INT(store_finish(s, c.id, TXN_CONFLICT, "", "", "", 0, 12,
			       &(struct store_conflict_in){ CONFLICT_HELD_FOR_OTHER, "hold" }),
		  0);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 3);

	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_conflicts_list(s, false, on_conflict, &seen), 0);
	CHECK_INT(seen.count, 3);
	CHECK(seen.c[0].id < seen.c[1].id && seen.c[1].id < seen.c[2].id);
	CHECK_INT(seen.c[1].category, CONFLICT_UNKNOWN_ITEM);
	CHECK_INT(seen.c[1].kind, TXN_CHECKIN);
	CHECK_STR(seen.c[1].patron, "");
	CHECK_STR(seen.c[2].patron, "21234000054321");

	CHECK_INT(store_conflict_resolve(s, seen.c[1].id, "item found on shelf, returned by hand",
					 1700000100000LL),
		  0);
	CHECK_INT(store_conflict_resolve(s, seen.c[1].id, "again", 1700000200000LL), -EALREADY);
	CHECK_INT(store_conflict_resolve(s, 999, "x", 1700000200000LL), -ENOENT);
	CHECK_INT(store_conflict_resolve(s, seen.c[0].id, "x", 0), -EINVAL);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 2);

	int64_t resolved_id = seen.c[1].id;

	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_conflicts_list(s, false, on_conflict, &seen), 0);
	CHECK_INT(seen.count, 2);
	CHECK_STR(seen.c[0].txn_id, a.id);
	CHECK_STR(seen.c[1].txn_id, c.id);
	memset(&seen, 0, sizeof(seen));
	CHECK_INT(store_conflicts_list(s, true, on_conflict, &seen), 0);
	CHECK_INT(seen.count, 3);
	CHECK_INT(seen.c[1].id, resolved_id);
	CHECK_INT(seen.c[1].resolved_ms, 1700000100000LL);
	CHECK_STR(seen.c[1].resolution, "item found on shelf, returned by hand");

	/* fn may resolve during the walk. */
	memset(&seen, 0, sizeof(seen));
	seen.resolve_in = s;
	CHECK_INT(store_conflicts_list(s, false, on_conflict, &seen), 0);
	CHECK_INT(seen.count, 2);
	CHECK_INT(store_conflicts_unresolved(s, &n), 0);
	CHECK_INT(n, 0);

	/* Append-only, but for the one resolution. */
	db = tmp_raw_open(t.db);
	/* Per connection, as circd's own. */
	CHECK_INT(raw_exec(db, "PRAGMA foreign_keys = ON"), SQLITE_OK);
	CHECK_INT(raw_exec(db, "DELETE FROM conflicts"), SQLITE_CONSTRAINT);
	snprintf(sql, sizeof(sql), "UPDATE conflicts SET resolution = 'rewritten' WHERE id = %lld",
		 (long long)resolved_id);
	CHECK_INT(raw_exec(db, sql), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE conflicts SET message = 'other'"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE conflicts SET category = 'other'"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "INSERT INTO conflicts(txn_id, category, created_ms)"
			       " VALUES('no-such-txn', 'other', 1)"),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "INSERT INTO conflicts(txn_id, category, created_ms)"
			       " SELECT id, 'made-up', 1 FROM journal LIMIT 1"),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM conflicts"), 3);
	sqlite3_close(db);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void record_at(struct store *s, struct txn *t, const char *boot, uint64_t mono,
		      int64_t wall, bool untrusted, const char *item)
{
	make_txn(t, TXN_CHECKOUT, "21234000012345", item, wall);
	snprintf(t->boot_id, sizeof(t->boot_id), "%s", boot);
	t->mono_ms = mono;
	t->wall_untrusted = untrusted;
	CHECK_INT(store_record(s, t), 0);
}

static void test_fix_dates_from_monotonic_offsets(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn u1, u2, trusted, other, got;
	struct store_loan loan;
	unsigned fixed = 99;
	sqlite3 *db;

	/* The RTC said 1970 after a flat battery. */
	record_at(s, &u1, BOOT_NOW, 5000, 86400000, true, "item-u1");
	record_at(s, &u2, BOOT_NOW, 65000, 86460000, true, "item-u2");
	record_at(s, &trusted, BOOT_NOW, 70000, 1700000070123LL, false, "item-trusted");
	record_at(s, &other, BOOT_OLD, 5000, 86400000, true, "item-other");

	/* The ILS's 98 reply: at mono 100000 it was 1700000100000. */
	CHECK_INT(store_fix_dates(s, BOOT_NOW, 100000, 1700000100000LL, &fixed), 0);
	CHECK_INT(fixed, 2);
	CHECK_INT(store_get(s, u1.id, &got), 0);
	CHECK_INT(got.wall_ms, 1700000005000LL);
	CHECK_INT(got.original_wall_ms, 86400000);
	CHECK_INT(got.date_status, TXN_DATE_CORRECTED);
	CHECK(got.wall_untrusted);
	CHECK_INT(store_get(s, u2.id, &got), 0);
	CHECK_INT(got.wall_ms, 1700000065000LL);
	CHECK_INT(got.original_wall_ms, 86460000);
	CHECK_INT(got.date_status, TXN_DATE_CORRECTED);
	/* A trusted time and another boot's are not touched. */
	CHECK_INT(store_get(s, trusted.id, &got), 0);
	CHECK_INT(got.wall_ms, 1700000070123LL);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	CHECK_INT(got.original_wall_ms, 0);
	CHECK_INT(store_get(s, other.id, &got), 0);
	CHECK_INT(got.wall_ms, 86400000);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	/* The loan's start follows its checkout. */
	CHECK_INT(store_loan_get(s, "item-u1", &loan), 0);
	CHECK_INT(loan.since_ms, 1700000005000LL);
	CHECK_INT(store_loan_get(s, "item-other", &loan), 0);
	CHECK_INT(loan.since_ms, 86400000);

	/* Once: a second reference does not move a corrected date again. */
	CHECK_INT(store_fix_dates(s, BOOT_NOW, 200000, 1800000000000LL, &fixed), 0);
	CHECK_INT(fixed, 0);
	CHECK_INT(store_get(s, u1.id, &got), 0);
	CHECK_INT(got.wall_ms, 1700000005000LL);
	CHECK_INT(got.original_wall_ms, 86400000);
	CHECK_INT(store_fix_dates(s, BOOT_NOW, (uint64_t)INT64_MAX + 1, 0, NULL), -EINVAL);

	/* Only the sanctioned correction may touch wall_ms. */
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET wall_ms = 1 WHERE id = '%s'", u1.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET original_wall_ms = 1 WHERE id = '%s'",
			      u1.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET date_status = '' WHERE id = '%s'", u1.id),
		  SQLITE_CONSTRAINT);
	/* A trusted time cannot be "corrected", even with the paperwork. */
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET original_wall_ms = wall_ms, wall_ms = 5,"
				  " date_status = 'corrected' WHERE id = '%s'", trusted.id),
		  SQLITE_CONSTRAINT);
	/* Nor an untrusted one without keeping the original, or faking it. */
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET wall_ms = 5, date_status = 'corrected'"
				  " WHERE id = '%s'", other.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET original_wall_ms = 6, wall_ms = 5,"
				  " date_status = 'corrected' WHERE id = '%s'", other.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET wall_trusted = 1 WHERE id = '%s'", other.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "DELETE FROM journal"), SQLITE_CONSTRAINT);
	sqlite3_close(db);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_clock_refs_and_unknown_dates(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn old1, ref1, now1, got;
	struct store_clock_ref ref;
	unsigned n = 99;

	record_at(s, &old1, BOOT_OLD, 3000, 1000, true, "item-old");
	record_at(s, &ref1, BOOT_REF, 3000, 2000, true, "item-ref");
	record_at(s, &now1, BOOT_NOW, 3000, 3000, true, "item-now");

	CHECK_INT(store_clock_ref_get(s, BOOT_REF, &ref), -ENOENT);
	CHECK_INT(store_clock_ref_set(s, BOOT_REF, 9000, 1700000000000LL, "ils-98", 1), 0);
	/* Insert or replace: the latest reference of a boot wins. */
	CHECK_INT(store_clock_ref_set(s, BOOT_REF, 10000, 1700000000000LL, "ils-98", 2), 0);
	CHECK_INT(store_clock_ref_get(s, BOOT_REF, &ref), 0);
	CHECK_STR(ref.boot_id, BOOT_REF);
	CHECK_INT(ref.mono_ms, 10000);
	CHECK_INT(ref.wall_ms, 1700000000000LL);
	CHECK_STR(ref.source, "ils-98");
	CHECK_INT(ref.recorded_ms, 2);
	CHECK_INT(store_clock_ref_set(s, "", 1, 1, "x", 1), -EINVAL);

	CHECK_INT(store_fix_dates_from_refs(s, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_get(s, ref1.id, &got), 0);
	CHECK_INT(got.wall_ms, 1700000000000LL - 7000);
	CHECK_INT(got.original_wall_ms, 2000);
	CHECK_INT(got.date_status, TXN_DATE_CORRECTED);

	/* The old boot has no reference and never will: unknown. The current one may get one. */
	CHECK_INT(store_flag_unknown_dates(s, BOOT_NOW, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_get(s, old1.id, &got), 0);
	CHECK_INT(got.date_status, TXN_DATE_UNKNOWN);
	CHECK_INT(got.wall_ms, 1000);
	CHECK_INT(store_get(s, now1.id, &got), 0);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	CHECK_INT(store_flag_unknown_dates(s, BOOT_NOW, &n), 0);
	CHECK_INT(n, 0);
	/* Unknown still goes out, oldest first. */
	CHECK_INT(store_next_to_forward(s, &got), 0);
	CHECK_STR(got.id, old1.id);

	/* Should a reference of that boot turn up after all: unknown -> corrected. */
	CHECK_INT(store_clock_ref_set(s, BOOT_OLD, 4000, 1600000000000LL, "manual", 3), 0);
	CHECK_INT(store_fix_dates_from_refs(s, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_get(s, old1.id, &got), 0);
	CHECK_INT(got.date_status, TXN_DATE_CORRECTED);
	CHECK_INT(got.wall_ms, 1600000000000LL - 1000);
	CHECK_INT(got.original_wall_ms, 1000);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_purge_clears_only_confirmed_patrons(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn old_ok, new_ok, old_conflict, old_failed, pending, renew, got;
	struct store_loan loan;
	unsigned n = 99;
	sqlite3 *db;

	record(s, &old_ok, TXN_CHECKOUT, "21234000000001", "item-old-ok", 1000);
	record(s, &renew, TXN_RENEW, "21234000000001", "item-old-ok", 1500);
	record(s, &new_ok, TXN_CHECKOUT, "21234000000002", "item-new-ok", 2000);
	record(s, &old_conflict, TXN_CHECKOUT, "21234000000003", "item-conflict", 3000);
	record(s, &old_failed, TXN_CHECKOUT, "21234000000004", "item-failed", 4000);
	record(s, &pending, TXN_CHECKOUT, "21234000000005", "item-pending", 5000);
	CHECK_INT(store_finish(s, old_ok.id, TXN_CONFIRMED, "", "", "", 0, 10 * DAY_MS, NULL), 0);
	CHECK_INT(store_finish(s, renew.id, TXN_CONFIRMED, "", "", "", 0, 10 * DAY_MS, NULL), 0);
	CHECK_INT(store_finish(s, new_ok.id, TXN_CONFIRMED, "", "", "", 0, 40 * DAY_MS, NULL), 0);
	CHECK_INT(store_finish(s, old_conflict.id, TXN_CONFLICT, "", "", "", 0, 10 * DAY_MS,
			       &on_loan),
		  0);
	CHECK_INT(store_finish(s, old_failed.id, TXN_FAILED, "", "", "", 0, 10 * DAY_MS, NULL), 0);

	CHECK_INT(store_purge(s, 30 * DAY_MS, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_get(s, old_ok.id, &got), 0);
	CHECK_STR(got.patron, "");
	CHECK(got.purged);
	CHECK_STR(got.item, "item-old-ok"); /* what happened stays; who is gone */
	CHECK_INT(got.state, TXN_CONFIRMED);
	CHECK_INT(store_get(s, renew.id, &got), 0);
	CHECK_STR(got.patron, "");
	CHECK_INT(store_loan_get(s, "item-old-ok", &loan), -ENOENT);
	/* Not yet old enough, not confirmed: untouched. */
	CHECK_INT(store_get(s, new_ok.id, &got), 0);
	CHECK_STR(got.patron, "21234000000002");
	CHECK(!got.purged);
	CHECK_INT(store_loan_get(s, "item-new-ok", &loan), 0);
	CHECK_INT(store_get(s, old_conflict.id, &got), 0);
	CHECK_STR(got.patron, "21234000000003");
	CHECK_INT(store_get(s, old_failed.id, &got), 0);
	CHECK_STR(got.patron, "21234000000004");
	CHECK_INT(store_loan_get(s, "item-failed", &loan), -ENOENT);
	CHECK_INT(store_get(s, pending.id, &got), 0);
	CHECK_STR(got.patron, "21234000000005");
	CHECK_INT(store_purge(s, 30 * DAY_MS, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_purge(s, 50 * DAY_MS, NULL), 0);
	CHECK_INT(store_get(s, new_ok.id, &got), 0);
	CHECK(got.purged);

	/* The trigger allows exactly the purge. */
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET patron = '' WHERE id = '%s'", pending.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET patron = '', purged = 1 WHERE id = '%s'",
			      pending.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET patron = '', purged = 1 WHERE id = '%s'",
			      old_conflict.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET patron = 'someone' WHERE id = '%s'",
			      old_ok.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET purged = 0 WHERE id = '%s'", old_ok.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec_id(db, "UPDATE journal SET state = 'pending' WHERE id = '%s'",
			      old_ok.id),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "DELETE FROM journal"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET patron = 'other' WHERE patron != ''"),
		  SQLITE_CONSTRAINT);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM journal WHERE patron != ''"), 3);
	sqlite3_close(db);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_count_by_kind(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct store_counts c;
	struct txn x;

	CHECK_INT(store_count_by_kind(s, &c), 0);
	CHECK_INT(c.n[TXN_CHECKOUT][TXN_PENDING], 0);
	record(s, &x, TXN_CHECKOUT, "21234000012345", "i1", 1);
	record(s, &x, TXN_CHECKOUT, "21234000012345", "i2", 2);
	CHECK_INT(store_finish(s, x.id, TXN_CONFIRMED, "", "", "", 0, 1, NULL), 0);
	record(s, &x, TXN_CHECKIN, "", "i1", 3);
	record(s, &x, TXN_RENEW, "21234000012345", "i2", 4);
	CHECK_INT(store_finish(s, x.id, TXN_CONFLICT, "", "", "", 0, 1, &on_loan), 0);
	CHECK_INT(store_count_by_kind(s, &c), 0);
	CHECK_INT(c.n[TXN_CHECKOUT][TXN_PENDING], 1);
	CHECK_INT(c.n[TXN_CHECKOUT][TXN_CONFIRMED], 1);
	CHECK_INT(c.n[TXN_CHECKIN][TXN_PENDING], 1);
	CHECK_INT(c.n[TXN_RENEW][TXN_CONFLICT], 1);
	CHECK_INT(c.n[TXN_RENEW][TXN_PENDING], 0);
	CHECK_INT(store_count_by_kind(s, NULL), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_patron_cache_and_salt(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	uint8_t salt[STORE_SALT_LEN], again[STORE_SALT_LEN], zero[STORE_SALT_LEN] = { 0 };
	uint8_t key[STORE_KEY_HASH_LEN], other[STORE_KEY_HASH_LEN];
	struct store_patron_cached got;
	sqlite3 *db;

	for (int i = 0; i < STORE_KEY_HASH_LEN; i++) {
		key[i] = (uint8_t)(i * 7 + 1);
		other[i] = (uint8_t)(255 - i);
	}
	CHECK_INT(store_patron_salt(s, salt), 0);
	CHECK(memcmp(salt, zero, sizeof(salt)) != 0);
	CHECK_INT(store_patron_salt(s, again), 0);
	CHECK(memcmp(salt, again, sizeof(salt)) == 0);

	CHECK_INT(store_patron_cache_get(s, key, &got), -ENOENT);
	CHECK_INT(store_patron_cache_put(s, key, true, 1000, 5000), 0);
	CHECK_INT(store_patron_cache_put(s, other, false, 1000, 9000), 0);
	memset(&got, 0, sizeof(got));
	CHECK_INT(store_patron_cache_get(s, key, &got), 0);
	CHECK(memcmp(got.key_hash, key, sizeof(key)) == 0);
	CHECK(got.allowed);
	CHECK_INT(got.fetched_ms, 1000);
	CHECK_INT(got.expires_ms, 5000);
	CHECK_INT(store_patron_cache_get(s, other, &got), 0);
	CHECK(!got.allowed);
	/* Put replaces. */
	CHECK_INT(store_patron_cache_put(s, key, false, 2000, 6000), 0);
	CHECK_INT(store_patron_cache_get(s, key, &got), 0);
	CHECK(!got.allowed);
	CHECK_INT(got.fetched_ms, 2000);
	CHECK_INT(got.expires_ms, 6000);
	/* Expired rows go; get itself does not judge expiry. */
	CHECK_INT(store_patron_cache_expire(s, 5999), 0);
	CHECK_INT(store_patron_cache_expire(s, 6000), 1);
	CHECK_INT(store_patron_cache_get(s, key, &got), -ENOENT);
	CHECK_INT(store_patron_cache_get(s, other, &got), 0);
	store_close(s);

	/* The salt is the store's: the same after reopening, and in each cache row. */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_patron_salt(s, again), 0);
	CHECK(memcmp(salt, again, sizeof(salt)) == 0);
	CHECK_INT(store_patron_cache_get(s, other, &got), 0);
	CHECK_INT(got.expires_ms, 9000);
	store_close(s);
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM patron_cache p, meta m"
			      " WHERE m.key = 'patron_salt' AND p.salt = m.value"),
		  1);
	CHECK_INT(raw_int(db, "SELECT length(key_hash) FROM patron_cache"), 64);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

/* By patron id: the store hashes it, and the file holds no id. */
static void test_patron_cache_by_id(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct store_patron_cached got;
	sqlite3 *db;

	CHECK_INT(store_patron_recall(s, "21234000000018", &got), -ENOENT);
	CHECK_INT(store_patron_remember(s, "21234000000018", false, 1000, 5000), 0);
	CHECK_INT(store_patron_remember(s, "21234000000026", true, 1000, 7000), 0);
	memset(&got, 0, sizeof(got));
	CHECK_INT(store_patron_recall(s, "21234000000018", &got), 0);
	CHECK(!got.allowed);
	CHECK_INT(got.expires_ms, 5000);
	CHECK_INT(store_patron_recall(s, "21234000000026", &got), 0);
	CHECK(got.allowed);
	CHECK_INT(store_patron_recall(s, "2123400000001", &got), -ENOENT);
	CHECK_INT(store_patron_remember(NULL, "x", true, 0, 0), -EINVAL);
	CHECK_INT(store_patron_recall(s, NULL, &got), -EINVAL);
	store_close(s);
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM patron_cache"), 2);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM patron_cache WHERE length(key_hash) = 64"
			      " AND instr(key_hash, '21234000000018') = 0"), 2);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_demote_offline(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, b, got;
	sqlite3 *db;

	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	a.mode = TXN_ONLINE;
	CHECK_INT(store_record(s, &a), 0);
	CHECK_INT(store_mark_forwarded(s, a.id, 1700000000100LL), 0);
	/* The ILS did not answer: the transaction joins the offline queue with the offline due date. */
	CHECK_INT(store_demote_offline(s, a.id, 1701209600000LL, 1700000000200LL), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.mode, TXN_OFFLINE);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_INT(got.due_ms, 1701209600000LL);
	/* Only once, only online, only unfinished. */
	CHECK_INT(store_demote_offline(s, a.id, 0, 1700000000300LL), -EPERM);
	make_txn(&b, TXN_CHECKIN, "", "31234000000002", 1700000000001LL);
	b.mode = TXN_ONLINE;
	CHECK_INT(store_record(s, &b), 0);
	CHECK_INT(store_finish(s, b.id, TXN_CONFIRMED, "", "10 ok=1", "", 0, 1700000000400LL, NULL),
		  0);
	CHECK_INT(store_demote_offline(s, b.id, 0, 1700000000500LL), -EPERM);
	CHECK_INT(store_demote_offline(s, "no-such-id", 0, 1700000000500LL), -ENOENT);
	store_close(s);
	/* Raw SQL cannot move a mode back to online. */
	db = tmp_raw_open(t.db);
	CHECK(raw_exec_id(db, "UPDATE journal SET mode = 'online' WHERE id = '%s'", a.id) !=
	      SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * Forwarding's transaction: the run of plain first sends at the head of the
 * queue marked one at a time, outcomes among them, one commit; the run stops
 * at a renewal or at one sent before, and starts after after_seq when asked.
 */
static void test_record_outcomes_and_mark_a_batch(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, b, c, d, e, marked[4];
	struct store_outcome o[2];
	sqlite3 *db;

	record(s, &a, TXN_CHECKIN, "", "31234000000001", 1700000000000LL);
	record(s, &b, TXN_CHECKIN, "", "31234000000002", 1700000000001LL);
	record(s, &c, TXN_CHECKOUT, "21234000000018", "31234000000003", 1700000000002LL);
	record(s, &d, TXN_RENEW, "21234000000018", "31234000000003", 1700000000003LL);
	record(s, &e, TXN_CHECKIN, "", "31234000000004", 1700000000004LL);
	CHECK_INT(store_fwd_mark_next(s, INT64_MIN, 1700000000100LL, &marked[0]), 1);
	CHECK_INT(store_fwd_mark_next(s, marked[0].seq, 1700000000100LL, &marked[1]), 1);
	CHECK_INT(store_fwd_commit(s), 0);
	CHECK_STR(marked[0].id, a.id);
	CHECK_STR(marked[1].id, b.id);
	CHECK_INT(marked[1].state, TXN_FORWARDED);
	CHECK_INT(marked[1].attempts, 1);
	CHECK_INT(state_of(s, b.id), TXN_FORWARDED);
	CHECK_INT(state_of(s, c.id), TXN_PENDING);

	/* b still at the ILS: the next run follows it, and stops at the renewal. */
	store_outcome_set(&o[0], a.id, TXN_CONFIRMED, "", "10 ok=1", "Title", NULL,
			  &(struct store_ils_said){ "Thank you", "" });
	CHECK_INT(store_fwd_record(s, &o[0], 1700000000200LL), 0);
	CHECK_INT(store_fwd_mark_next(s, b.seq, 1700000000200LL, &marked[0]), 1);
	CHECK_STR(marked[0].id, c.id);
	CHECK_INT(store_fwd_mark_next(s, c.seq, 1700000000200LL, &marked[1]), 0);
	CHECK_INT(store_fwd_commit(s), 0);
	CHECK_INT(state_of(s, a.id), TXN_CONFIRMED);
	CHECK_INT(store_get(s, a.id, &marked[1]), 0);
	CHECK_STR(marked[1].screen_msg, "Thank you");
	CHECK_STR(marked[1].title, "Title");
	CHECK_INT(state_of(s, d.id), TXN_PENDING);

	/* Lazily, no marks: an outcome for a final txn undoes the whole call. */
	store_outcome_set(&o[0], b.id, TXN_CONFIRMED, "", "10 ok=1", "", NULL, NULL);
	store_outcome_set(&o[1], a.id, TXN_CONFIRMED, "", "10 ok=1", "", NULL, NULL);
	CHECK_INT(store_record_outcomes(s, o, 2, 1700000000300LL), -EPERM);
	CHECK_INT(state_of(s, b.id), TXN_FORWARDED);
	CHECK_INT(store_record_outcomes(s, o, 1, 1700000000300LL), 0);
	CHECK_INT(state_of(s, b.id), TXN_CONFIRMED);
	/* A conflict keeps its category and message. */
	store_outcome_set(&o[0], c.id, TXN_CONFLICT, "refused", "12 ok=0", "", &(
		struct store_conflict_in){ CONFLICT_UNKNOWN_ITEM, "no such item" }, NULL);
	CHECK_INT(store_fwd_record(s, &o[0], 1700000000400LL), 0);
	CHECK_INT(store_fwd_commit(s), 0);
	CHECK_INT(state_of(s, c.id), TXN_CONFLICT);
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int_id(db, "SELECT count(*) FROM conflicts WHERE txn_id = '%s'"
			     " AND category = 'unknown-item' AND message = 'no such item'", c.id), 1);
	sqlite3_close(db);
	/* The head is the renewal now: nothing to mark. */
	CHECK_INT(store_fwd_mark_next(s, INT64_MIN, 1700000000500LL, &marked[0]), 0);
	CHECK_INT(store_fwd_commit(s), 0);
	CHECK_INT(store_fwd_mark_next(s, INT64_MIN, 0, &marked[0]), -EINVAL);
	CHECK_INT(store_fwd_record(s, &o[0], 0), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Whether another connection sees txn id in state: 1 or 0. */
static long long raw_state_is(sqlite3 *db, const char *id, const char *state)
{
	char fmt[128];

	snprintf(fmt, sizeof(fmt), "SELECT count(*) FROM journal WHERE id = '%%s' AND state = '%s'",
		 state);
	return raw_int_id(db, fmt, id);
}

/*
 * Forwarding's transaction stays open between its calls, unseen by other
 * connections; any other write commits it first (durably), so the other
 * write neither joins it nor fails on it; so does closing the store.
 */
static void test_forwarding_transaction_yields_to_other_writes(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sync");
	struct txn a, b, c, m;
	sqlite3 *db;

	record(s, &a, TXN_CHECKIN, "", "31234000000001", 1700000000000LL);
	record(s, &b, TXN_CHECKIN, "", "31234000000002", 1700000000001LL);
	db = tmp_raw_open(t.db);
	CHECK_INT(store_fwd_mark_next(s, INT64_MIN, 1700000000100LL, &m), 1);
	CHECK_STR(m.id, a.id);
	/* Its own connection sees it; another does not, yet. */
	CHECK_INT(state_of(s, a.id), TXN_FORWARDED);
	CHECK_INT(raw_state_is(db, a.id, "pending"), 1);
	/* A scan recorded meanwhile: its own durable transaction, after forwarding's. */
	record(s, &c, TXN_CHECKIN, "", "31234000000003", 1700000000150LL);
	CHECK_INT(raw_state_is(db, a.id, "forwarded"), 1);
	CHECK_INT(raw_state_is(db, c.id, "pending"), 1);
	/* Committed on its behalf: nothing of it was undone. */
	CHECK_INT(store_fwd_commit(s), 0);

	/* A single-statement write (no BEGIN of its own) yields as well. */
	CHECK_INT(store_fwd_mark_next(s, a.seq, 1700000000200LL, &m), 1);
	CHECK_STR(m.id, b.id);
	CHECK_INT(raw_state_is(db, b.id, "pending"), 1);
	CHECK_INT(store_mark_forwarded(s, c.id, 1700000000250LL), 0);
	CHECK_INT(raw_state_is(db, b.id, "forwarded"), 1);
	CHECK_INT(raw_state_is(db, c.id, "forwarded"), 1);
	CHECK_INT(store_fwd_commit(s), 0);

	/* A failing piece undoes the whole transaction, earlier pieces too. */
	struct store_outcome o;

	store_outcome_set(&o, b.id, TXN_CONFIRMED, "", "10 ok=1", "", NULL, NULL);
	CHECK_INT(store_fwd_record(s, &o, 1700000000300LL), 0);
	CHECK_INT(state_of(s, b.id), TXN_CONFIRMED);
	CHECK_INT(store_fwd_record(s, &o, 1700000000300LL), -EPERM);
	CHECK_INT(state_of(s, b.id), TXN_FORWARDED);
	/* The commit says so too, once: nothing marked since the last one may be sent. */
	CHECK_INT(store_fwd_commit(s), -EPERM);
	CHECK_INT(store_fwd_commit(s), 0);

	/* Closing commits it. */
	CHECK_INT(store_fwd_record(s, &o, 1700000000400LL), 0);
	store_close(s);
	CHECK_INT(raw_state_is(db, b.id, "confirmed"), 1);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_names(void)
{
	static const char *const names[] = { "on-loan-to-other", "patron-blocked", "unknown-item",
					     "unknown-patron",   "held-for-other", "other" };
	enum conflict_category c;

	for (int i = 0; i < 6; i++) {
		CHECK_STR(conflict_category_name((enum conflict_category)i), names[i]);
		CHECK_INT(conflict_category_from_name(names[i], &c), 0);
		CHECK_INT(c, i);
	}
	CHECK_INT(conflict_category_from_name("nope", &c), -EINVAL);
	CHECK_INT(conflict_category_from_name(NULL, &c), -EINVAL);
	CHECK_STR(conflict_category_name((enum conflict_category)99), "unknown");
	CHECK_STR(txn_date_status_name(TXN_DATE_TRUSTED), "");
	CHECK_STR(txn_date_status_name(TXN_DATE_CORRECTED), "corrected");
	CHECK_STR(txn_date_status_name(TXN_DATE_UNKNOWN), "unknown");
}

int main(void)
{
	RUN(test_migrates_v2_database);
	RUN(test_record_roundtrips_new_fields);
	RUN(test_mark_forwarded_is_durable_before_send);
	RUN(test_finish_confirmed_keeps_loan);
	RUN(test_finish_conflict_removes_local_loan);
	RUN(test_finish_failed_and_final_states);
	RUN(test_finish_rejects_bad_arguments);
	RUN(test_finish_cuts_long_text_whole_characters);
	RUN(test_next_to_forward_oldest_first);
	RUN(test_list_unforwarded);
	RUN(test_conflicts_list_and_resolve);
	RUN(test_fix_dates_from_monotonic_offsets);
	RUN(test_clock_refs_and_unknown_dates);
	RUN(test_purge_clears_only_confirmed_patrons);
	RUN(test_count_by_kind);
	RUN(test_patron_cache_and_salt);
	RUN(test_patron_cache_by_id);
	RUN(test_names);
	RUN(test_demote_offline);
	RUN(test_record_outcomes_and_mark_a_batch);
	RUN(test_forwarding_transaction_yields_to_other_writes);
	return testlib_finish();
}
