/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Schema 4 (store-outcome.c): what the ILS said, what the patron was told, verifications. */
#include <errno.h>
#include <sqlite3.h>
#include <unistd.h>

#include "../../firmware/store-private.h"
#include "journal_fixture.h"
#include "store_fixtures.h"
#include "testlib.h"
#include "tmpdir.h"

#define T0 1700000000000LL

static int raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void record(struct store *s, struct txn *t, enum txn_kind kind, enum txn_mode mode,
		   const char *item)
{
	journal_record(s, t, kind, mode, "21234000012345", item, T0);
}

static void test_ils_said_kept_with_the_outcome(void)
{
	static const struct store_ils_said said = {
		.screen_msg = "Offline checkout accepted\nItem was charged to another patron",
		.print_line = "Due 2023-12-01",
	};
	struct store_conflict_in conflict = { CONFLICT_OTHER, "x" };
	struct tmp t;
	struct store *s = tmp_store_new(&t, "outcome");
	struct txn a, b, c, got;
	char long_text[600];

	record(s, &a, TXN_CHECKOUT, TXN_OFFLINE, "31234000000016");
	record(s, &b, TXN_CHECKOUT, TXN_ONLINE, "31234000000024");
	record(s, &c, TXN_CHECKIN, TXN_OFFLINE, "31234000000032");
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK(!got.screen_msg[0] && !got.print_line[0] && got.verifications == 0);
	CHECK_INT(got.patron_told, TXN_TOLD_NOTHING);

	CHECK_INT(store_mark_forwarded(s, a.id, T0 + 1), 0);
	CHECK_INT(store_finish_said(s, a.id, TXN_CONFIRMED, "", "12 ok=1", "Title", 0, T0 + 2, NULL,
				    &said),
		  0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_STR(got.screen_msg, said.screen_msg);
	CHECK_STR(got.print_line, said.print_line);
	CHECK_INT(store_get(s, c.id, &got), 0);
	CHECK_INT(got.state, TXN_PENDING);
	/* an online one, finished by the kiosk; a long message is cut, never overflows */
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = 0;
	CHECK_INT(store_finish_said(s, b.id, TXN_CONFLICT, "no", "12 ok=0", "", 0, T0 + 3,
				    &conflict, &(struct store_ils_said){ long_text, NULL }),
		  0);
	CHECK_INT(store_get(s, b.id, &got), 0);
	CHECK_INT(strlen(got.screen_msg), TXN_ILS_TEXT_MAX - 1);
	CHECK_STR(got.print_line, "");
	/* NULL said: nothing */
	CHECK_INT(store_finish(s, c.id, TXN_CONFIRMED, "", "10 ok=1", "", 0, T0 + 4, NULL), 0);
	CHECK_INT(store_get(s, c.id, &got), 0);
	CHECK_STR(got.screen_msg, "");
	store_close(s);

	/* once final, what the ILS said stays as it was */
	{
		sqlite3 *db = tmp_raw_open(t.db);

		CHECK_INT(raw_exec(db, "UPDATE journal SET screen_msg = 'changed' WHERE seq = 1"),
			  SQLITE_CONSTRAINT);
		CHECK_INT(raw_exec(db, "UPDATE journal SET print_line = 'changed' WHERE seq = 3"),
			  SQLITE_CONSTRAINT);
		sqlite3_close(db);
	}
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_patron_told_recorded_once(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "outcome");
	struct txn a, b, c, got;

	record(s, &a, TXN_CHECKOUT, TXN_ONLINE, "31234000000016");
	record(s, &b, TXN_CHECKIN, TXN_ONLINE, "31234000000024");
	record(s, &c, TXN_CHECKOUT, TXN_ONLINE, "31234000000032");
	CHECK_INT(store_note_patron_told(s, a.id, TXN_TOLD_NOT_DONE), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_NOT_DONE);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_STR(txn_patron_told_name(got.patron_told), "not-done");
	/* once */
	CHECK_INT(store_note_patron_told(s, a.id, TXN_TOLD_SERVED_OFFLINE), -EPERM);
	CHECK_INT(store_demote_offline(s, a.id, 0, T0 + 1), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_NOT_DONE);
	/* served offline: the demotion records it */
	CHECK_INT(store_demote_offline(s, b.id, 0, T0 + 1), 0);
	CHECK_INT(store_get(s, b.id, &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_SERVED_OFFLINE);
	CHECK_INT(got.mode, TXN_OFFLINE);
	/* not on a final one, not "nothing", not an unknown txn */
	CHECK_INT(store_finish(s, c.id, TXN_FAILED, "", "", "", 0, T0 + 2, NULL), 0);
	CHECK_INT(store_note_patron_told(s, c.id, TXN_TOLD_NOT_DONE), -EPERM);
	CHECK_INT(store_note_patron_told(s, a.id, TXN_TOLD_NOTHING), -EINVAL);
	CHECK_INT(store_note_patron_told(s, a.id, (enum txn_patron_told)9), -EINVAL);
	CHECK_INT(store_note_patron_told(s, "no-such-txn", TXN_TOLD_NOT_DONE), -ENOENT);
	CHECK_INT(store_note_patron_told(NULL, a.id, TXN_TOLD_NOT_DONE), -EINVAL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_verifications_counted_durably(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "outcome");
	struct txn a, b, got;
	unsigned n = 0;

	record(s, &a, TXN_CHECKOUT, TXN_OFFLINE, "31234000000016");
	record(s, &b, TXN_CHECKOUT, TXN_ONLINE, "31234000000024");
	/* only a forwarded txn is verified */
	CHECK_INT(store_count_verification(s, a.id, T0, &n), -EPERM);
	CHECK_INT(store_mark_forwarded(s, a.id, T0), 0);
	CHECK_INT(store_count_verification(s, a.id, T0 + 1, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_count_verification(s, a.id, T0 + 2, NULL), 0);
	CHECK_INT(store_count_verification(s, b.id, T0 + 2, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_count_verification(s, "no-such-txn", T0, &n), -ENOENT);
	store_close(s);
	/* across a restart */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.verifications, 2);
	CHECK_INT(got.attempts, 1);
	CHECK_INT(store_finish(s, a.id, TXN_CONFIRMED, "", "", "", 0, T0 + 3, NULL), 0);
	CHECK_INT(store_count_verification(s, a.id, T0 + 4, &n), -EPERM);
	store_close(s);
	{
		sqlite3 *db = tmp_raw_open(t.db);

		CHECK_INT(raw_exec(db, "UPDATE journal SET verifications = 0 WHERE seq = 2"),
			  SQLITE_CONSTRAINT);
		sqlite3_close(db);
	}
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * A version-3 store: an online transaction left forwarded may have been
 * told "not done" or nothing; nobody knows which after the upgrade.
 */
static void test_migrates_v3_database(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn got;
	sqlite3 *db;
	int version = 0;

	tmp_new(&t, "outcome");
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec(db, STORE_V2_SCHEMA), SQLITE_OK);
	CHECK_INT(raw_exec(db, store_migration_v3), SQLITE_OK);
	CHECK_INT(raw_exec(db, "INSERT INTO journal(id, kind, patron, item, wall_ms, mono_ms,"
			       " boot_id, mode, state, updated_ms, attempts) VALUES"
			       "('a', 'checkout', '2123', '3001', 1, 1, 'b', 'online',"
			       " 'forwarded', 1, 1),"
			       "('b', 'checkout', '2123', '3002', 1, 1, 'b', 'offline',"
			       " 'forwarded', 1, 1),"
			       "('c', 'checkin', '', '3003', 1, 1, 'b', 'online',"
			       " 'confirmed', 1, 1);"
			       "PRAGMA user_version = 3;"),
		  SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_schema_version(s, &version), 0);
	CHECK_INT(version, STORE_SCHEMA_VERSION);
	CHECK_INT(store_get(s, "a", &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_UNKNOWN);
	CHECK_INT(got.attempts, 1);
	CHECK_INT(got.verifications, 0);
	CHECK_STR(got.screen_msg, "");
	CHECK_INT(store_get(s, "b", &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_NOTHING);
	CHECK_INT(store_get(s, "c", &got), 0);
	CHECK_INT(got.patron_told, TXN_TOLD_NOTHING);
	/* an unknown one is not rewritten as something it was not */
	CHECK_INT(store_note_patron_told(s, "a", TXN_TOLD_NOT_DONE), -EPERM);
	CHECK_INT(store_finish_said(s, "a", TXN_CONFIRMED, "", "", "", 0, 5, NULL,
				    &(struct store_ils_said){ "ok", "receipt" }),
		  0);
	CHECK_INT(store_get(s, "a", &got), 0);
	CHECK_STR(got.print_line, "receipt");
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Schema 5: the symbology an item was read in is kept with it, and never rewritten. */
static void test_symbology_recorded_once(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "outcome");
	struct txn a, b, got;
	sqlite3 *db;

	memset(&a, 0, sizeof(a));
	record(s, &b, TXN_CHECKIN, TXN_OFFLINE, "3003");
	CHECK_INT(txn_id_new(a.id), 0);
	a.kind = TXN_CHECKOUT;
	snprintf(a.patron, sizeof(a.patron), "21234000012345");
	snprintf(a.item, sizeof(a.item), "31234000000016");
	snprintf(a.boot_id, sizeof(a.boot_id), "boot");
	snprintf(a.symbology, sizeof(a.symbology), "codabar");
	a.wall_ms = T0;
	a.mode = TXN_OFFLINE;
	a.state = TXN_PENDING;
	CHECK_INT(store_record(s, &a), 0);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_STR(got.symbology, "codabar");
	CHECK_INT(store_get(s, b.id, &got), 0);
	CHECK_STR(got.symbology, "");
	store_close(s);
	db = tmp_raw_open(t.db);
	CHECK(raw_exec(db, "UPDATE journal SET symbology = 'code39'") != SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_ils_said_kept_with_the_outcome);
	RUN(test_patron_told_recorded_once);
	RUN(test_verifications_counted_durably);
	RUN(test_migrates_v3_database);
	RUN(test_symbology_recorded_once);
	return testlib_finish();
}
