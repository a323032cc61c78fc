/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../firmware/store.h"
#include "store_fixtures.h"
#include "testlib.h"
#include "tmpdir.h"

#define NOBODY 65534

/* What a version-1 circd wrote. */
static const char v1_schema[] = STORE_V1_SCHEMA;

static int raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
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

static void raw_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *stmt;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
}

static void make_txn(struct txn *t, enum txn_kind kind, const char *patron, const char *item,
		     int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	CHECK_INT(txn_id_new(t->id), 0);
	t->kind = kind;
	snprintf(t->patron, sizeof(t->patron), "%s", patron);
	snprintf(t->item, sizeof(t->item), "%s", item);
	snprintf(t->session_id, sizeof(t->session_id), "5e55i0n0-0000-4000-8000-000000000001");
	t->wall_ms = wall_ms;
	t->mono_ms = (uint64_t)wall_ms / 7;
	snprintf(t->boot_id, sizeof(t->boot_id), "b0071d00-0000-4000-8000-000000000001");
	t->mode = TXN_OFFLINE;
	t->state = TXN_PENDING;
	t->due_ms = kind == TXN_CHECKIN ? 0 : wall_ms + 14LL * 24 * 3600 * 1000;
}

static uint64_t count_all(struct store *s)
{
	uint64_t n = UINT64_MAX;

	CHECK_INT(store_count_all(s, &n), 0);
	return n;
}

static int read_file(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	if (n < 0)
		return -errno;
	*len = (size_t)n;
	return 0;
}

static void test_open_creates_and_migrates(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct stat st;
	sqlite3 *db;
	char mode[16];
	int version = -1;
	uint64_t n = 1;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(s != NULL);
	CHECK_INT(store_schema_version(s, &version), 0);
	CHECK_INT(version, STORE_SCHEMA_VERSION);
	CHECK_INT(version, 7);
	CHECK_INT(count_all(s), 0);
	CHECK_INT(store_count(s, TXN_PENDING, &n), 0);
	CHECK_INT(n, 0);
	CHECK_STR(store_strerror(s), "");
	store_close(s);
	store_close(NULL);

	CHECK_INT(stat(t.db, &st), 0);
	CHECK_INT(st.st_mode & 077, 0); /* patron ids inside: not world-readable */
	CHECK_INT(access(t.lock, F_OK), 0);
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	CHECK_STR(mode, "wal");
	CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('journal',"
			      " 'loans', 'patron_cache', 'journal_state', 'journal_no_delete',"
			      " 'journal_no_rewrite', 'conflicts', 'conflicts_no_delete',"
			      " 'conflicts_no_rewrite', 'clock_refs', 'meta')"),
		  11);
	/* Schema 7: the dates still open have their own index, instead of schema 3's. */
	CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'journal_dates_open'"),
		  1);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'journal_untrusted'"),
		  0);
	sqlite3_close(db);

	/* Opening a current database again migrates nothing. */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_schema_version(s, &version), 0);
	CHECK_INT(version, STORE_SCHEMA_VERSION);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_migrates_v1_database(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn got;
	struct store_loan loan;
	sqlite3 *db;
	int version = -1;

	tmp_new(&t, "store");
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec(db, v1_schema), SQLITE_OK);
	CHECK_INT(raw_exec(db, "INSERT INTO journal(id, kind, patron, item, session_id, wall_ms,"
			       " mono_ms, boot_id, mode, state, due_ms, result, updated_ms)"
			       " VALUES('11111111-2222-4333-8444-555555555555', 'checkout',"
			       " '21234000012345', '31234000099999', '', 1700000000000, 4242,"
			       " 'boot-1', 'offline', 'forwarded', 1701209600000, 'sent',"
			       " 1700000000500);"
			       "INSERT INTO loans VALUES('31234000099999', '21234000012345',"
			       " '11111111-2222-4333-8444-555555555555', 1700000000000,"
			       " 1701209600000);"
			       "PRAGMA user_version = 1;"),
		  SQLITE_OK);
	sqlite3_close(db);

	/* v1 -> v2 -> v3 in one open. */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_schema_version(s, &version), 0);
	CHECK_INT(version, STORE_SCHEMA_VERSION);
	CHECK_INT(count_all(s), 1);
	CHECK_INT(store_get(s, "11111111-2222-4333-8444-555555555555", &got), 0);
	CHECK_INT(got.seq, 1);
	CHECK_INT(got.kind, TXN_CHECKOUT);
	CHECK_STR(got.patron, "21234000012345");
	CHECK_STR(got.item, "31234000099999");
	CHECK_STR(got.session_id, "");
	CHECK_INT(got.wall_ms, 1700000000000LL);
	CHECK_INT(got.mono_ms, 4242);
	CHECK_STR(got.boot_id, "boot-1");
	CHECK_INT(got.mode, TXN_OFFLINE);
	CHECK_INT(got.state, TXN_FORWARDED);
	CHECK_INT(got.due_ms, 1701209600000LL);
	CHECK_STR(got.result, "sent");
	CHECK(!got.wall_untrusted);
	CHECK_INT(got.date_status, TXN_DATE_TRUSTED);
	CHECK_INT(got.attempts, 0);
	CHECK_INT(got.confirmed_ms, 0);
	CHECK(!got.purged);
	CHECK_INT(store_loan_get(s, "31234000099999", &loan), 0);
	CHECK_STR(loan.txn_id, "11111111-2222-4333-8444-555555555555");
	store_close(s);

	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM patron_cache"), 0);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM conflicts"), 0);
	CHECK_INT(raw_int(db, "SELECT count(*) FROM journal"), 1);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_refuses_newer_schema(void)
{
	static char before[65536], after[65536];
	struct tmp t;
	struct store *s = NULL;
	size_t before_len = 0, after_len = 0;
	sqlite3 *db;
	char mode[16];

	tmp_new(&t, "store");
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec(db, "CREATE TABLE future(x TEXT); INSERT INTO future VALUES('data');"
			       "PRAGMA user_version = 99;"),
		  SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(read_file(t.db, before, sizeof(before), &before_len), 0);

	CHECK_INT(store_open(t.db, &s), -EPROTO);
	CHECK(s == NULL);
	/* The lock went with the failed open: refusing again is still -EPROTO, not -EBUSY. */
	CHECK_INT(store_open(t.db, &s), -EPROTO);

	CHECK_INT(read_file(t.db, after, sizeof(after), &after_len), 0);
	CHECK(before_len > 0);
	CHECK_INT(after_len, before_len);
	CHECK(memcmp(before, after, before_len) == 0);
	db = tmp_raw_open(t.db);
	CHECK_INT(raw_int(db, "PRAGMA user_version"), 99);
	raw_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	CHECK_STR(mode, "delete");
	CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'journal'"), 0);
	sqlite3_close(db);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_checkout_then_checkin(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn out, in, got;
	struct store_loan loan;
	uint64_t n = 0;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&out, TXN_CHECKOUT, "21234000012345", "31234000000001", 1700000000000LL);
	CHECK_INT(store_record(s, &out), 0);
	CHECK(out.seq > 0);
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), 0);
	CHECK_STR(loan.item, "31234000000001");
	CHECK_STR(loan.patron, "21234000012345");
	CHECK_STR(loan.txn_id, out.id);
	CHECK_INT(loan.since_ms, out.wall_ms);
	CHECK_INT(loan.due_ms, out.due_ms);

	make_txn(&in, TXN_CHECKIN, "", "31234000000001", 1700000060000LL);
	CHECK_INT(store_record(s, &in), 0);
	CHECK(in.seq > out.seq);
	CHECK_INT(store_loan_get(s, "31234000000001", &loan), -ENOENT);

	CHECK_INT(store_get(s, out.id, &got), 0);
	CHECK_INT(got.seq, out.seq);
	CHECK_INT(got.kind, TXN_CHECKOUT);
	CHECK_INT(got.state, TXN_PENDING);
	CHECK_INT(got.mode, TXN_OFFLINE);
	CHECK_STR(got.session_id, out.session_id);
	CHECK_STR(got.boot_id, out.boot_id);
	CHECK_INT(got.mono_ms, out.mono_ms);
	CHECK_INT(store_get(s, in.id, &got), 0);
	CHECK_INT(got.seq, in.seq);
	CHECK_INT(got.kind, TXN_CHECKIN);
	CHECK_INT(got.state, TXN_PENDING);
	CHECK_STR(got.patron, "");
	CHECK_INT(count_all(s), 2);
	CHECK_INT(store_count(s, TXN_PENDING, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_count(s, TXN_CONFIRMED, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_get(s, "00000000-0000-4000-8000-000000000000", &got), -ENOENT);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_renew_moves_due_date(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn out, renew, stray;
	struct store_loan loan;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&out, TXN_CHECKOUT, "21234000012345", "31234000000002", 1700000000000LL);
	CHECK_INT(store_record(s, &out), 0);
	make_txn(&renew, TXN_RENEW, "21234000012345", "31234000000002", 1700500000000LL);
	CHECK_INT(store_record(s, &renew), 0);
	CHECK_INT(store_loan_get(s, "31234000000002", &loan), 0);
	CHECK_INT(loan.due_ms, renew.due_ms);
	CHECK_STR(loan.txn_id, out.id);
	CHECK_INT(loan.since_ms, out.wall_ms);
	/* Renewing something not on loan here is journalled but makes no loan. */
	make_txn(&stray, TXN_RENEW, "21234000012345", "31234000000003", 1700500000000LL);
	CHECK_INT(store_record(s, &stray), 0);
	CHECK_INT(store_loan_get(s, "31234000000003", &loan), -ENOENT);
	CHECK_INT(count_all(s), 3);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_duplicate_id_changes_nothing(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn a, dup, later, got;
	struct store_loan loan;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000010", 1700000000000LL);
	CHECK_INT(store_record(s, &a), 0);
	make_txn(&dup, TXN_CHECKOUT, "29999999999999", "31234000000011", 1700000001000LL);
	memcpy(dup.id, a.id, sizeof(dup.id));
	dup.seq = -5;
	CHECK_INT(store_record(s, &dup), -EEXIST);
	CHECK_INT(dup.seq, -5);
	CHECK(strlen(store_strerror(s)) > 0);
	CHECK_INT(count_all(s), 1);
	CHECK_INT(store_loan_get(s, "31234000000011", &loan), -ENOENT);
	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_STR(got.item, "31234000000010");
	/* Still usable after the failure. */
	make_txn(&later, TXN_CHECKIN, "", "31234000000010", 1700000002000LL);
	CHECK_INT(store_record(s, &later), 0);
	CHECK_INT(count_all(s), 2);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_invalid_txn_is_rejected(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn bad;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&bad, TXN_CHECKOUT, "21234000012345", "31234000000020", 1700000000000LL);
	bad.kind = (enum txn_kind)7;
	CHECK_INT(store_record(s, &bad), -EINVAL);
	bad.kind = TXN_CHECKOUT;
	bad.state = (enum txn_state)-1;
	CHECK_INT(store_record(s, &bad), -EINVAL);
	bad.state = TXN_PENDING;
	bad.id[0] = '\0';
	CHECK_INT(store_record(s, &bad), -EINVAL);
	CHECK_INT(store_record(s, NULL), -EINVAL);
	CHECK_INT(count_all(s), 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_journal_is_append_only(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn a, got;
	sqlite3 *db;
	char sql[256];

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000030", 1700000000000LL);
	CHECK_INT(store_record(s, &a), 0);

	db = tmp_raw_open(t.db);
	CHECK_INT(raw_exec(db, "DELETE FROM journal"), SQLITE_CONSTRAINT);
	CHECK(strstr(sqlite3_errmsg(db), "append-only") != NULL);
	CHECK_INT(raw_exec(db, "UPDATE journal SET item = 'other'"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET patron = 'someone else'"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET wall_ms = wall_ms + 1"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET mode = 'online'"), SQLITE_CONSTRAINT);
	CHECK_INT(raw_exec(db, "UPDATE journal SET seq = 100"), SQLITE_CONSTRAINT);
	/* The outcome moves forward. */
	snprintf(sql, sizeof(sql),
		 "UPDATE journal SET state = 'confirmed', result = 'ok', due_ms = 5,"
		 " updated_ms = 1700000009000 WHERE id = '%s'",
		 a.id);
	CHECK_INT(raw_exec(db, sql), SQLITE_OK);
	sqlite3_close(db);

	CHECK_INT(store_get(s, a.id, &got), 0);
	CHECK_INT(got.state, TXN_CONFIRMED);
	CHECK_STR(got.result, "ok");
	CHECK_INT(got.due_ms, 5);
	CHECK_STR(got.item, "31234000000030");
	CHECK_INT(count_all(s), 1);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

struct walk {
	int count;
	int stop_after;
	char items[8][SCAN_TEXT_MAX + 1];
	int64_t seqs[8];
	struct store *record_into;
};

static int on_txn(void *data, const struct txn *txn)
{
	struct walk *w = data;

	if (w->count < 8) {
		snprintf(w->items[w->count], sizeof(w->items[0]), "%s", txn->item);
		w->seqs[w->count] = txn->seq;
	}
	w->count++;
	if (w->record_into) {
		struct txn more;

		/* The walk holds no statement open: recording from fn works. */
		make_txn(&more, TXN_CHECKOUT, "21234000012345", "during-walk", 1700000100000LL);
		CHECK_INT(store_record(w->record_into, &more), 0);
	}
	return w->stop_after && w->count == w->stop_after ? 7 : 0;
}

static void test_list_oldest_first_with_limit(void)
{
	static const char *const items[] = { "item-0", "item-1", "item-2", "item-3", "item-4" };
	struct tmp t;
	struct store *s = NULL;
	struct txn x;
	struct walk w;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	for (int i = 0; i < 5; i++) {
		make_txn(&x, TXN_CHECKOUT, "21234000012345", items[i], 1700000000000LL + i);
		CHECK_INT(store_record(s, &x), 0);
		if (i == 1) {
			make_txn(&x, TXN_CHECKIN, "", "confirmed-one", 1700000000000LL);
			x.state = TXN_CONFIRMED;
			x.mode = TXN_ONLINE;
			CHECK_INT(store_record(s, &x), 0);
		}
	}

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list(s, TXN_PENDING, 0, on_txn, &w), 0);
	CHECK_INT(w.count, 5);
	for (int i = 0; i < 5; i++)
		CHECK_STR(w.items[i], items[i]);
	for (int i = 1; i < 5; i++)
		CHECK(w.seqs[i] > w.seqs[i - 1]);

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list(s, TXN_PENDING, 3, on_txn, &w), 0);
	CHECK_INT(w.count, 3);
	CHECK_STR(w.items[2], "item-2");

	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	CHECK_INT(store_list(s, TXN_PENDING, 0, on_txn, &w), 7);
	CHECK_INT(w.count, 2);

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list(s, TXN_CONFIRMED, 0, on_txn, &w), 0);
	CHECK_INT(w.count, 1);
	CHECK_STR(w.items[0], "confirmed-one");

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list(s, TXN_FAILED, 0, on_txn, &w), 0);
	CHECK_INT(w.count, 0);

	/* In slices, resumed after the last seq seen, ending where it was told. */
	{
		int64_t last = 0, first_seqs[2];

		CHECK_INT(store_max_seq(s, &last), 0);
		CHECK_INT(last, 6);
		memset(&w, 0, sizeof(w));
		CHECK_INT(store_list_range(s, TXN_PENDING, INT64_MIN, last, 2, on_txn, &w), 0);
		CHECK_INT(w.count, 2);
		first_seqs[0] = w.seqs[0];
		first_seqs[1] = w.seqs[1];
		memset(&w, 0, sizeof(w));
		CHECK_INT(store_list_range(s, TXN_PENDING, first_seqs[1], last, 2, on_txn, &w), 0);
		CHECK_INT(w.count, 2);
		CHECK_STR(w.items[0], "item-2");
		CHECK(w.seqs[0] > first_seqs[0]);
		memset(&w, 0, sizeof(w));
		CHECK_INT(store_list_range(s, TXN_PENDING, first_seqs[0], 4, 0, on_txn, &w), 0);
		CHECK_INT(w.count, 2); /* seqs 2..4: item-1, the confirmed one, item-2 */
		CHECK_STR(w.items[1], "item-2");
		memset(&w, 0, sizeof(w));
		CHECK_INT(store_list_unforwarded_range(s, 3, last, 0, on_txn, &w), 0);
		CHECK_INT(w.count, 3);
		CHECK_STR(w.items[0], "item-2");
	}

	/* What fn records is not part of the walk it was recorded in. */
	memset(&w, 0, sizeof(w));
	w.record_into = s;
	CHECK_INT(store_list(s, TXN_PENDING, 0, on_txn, &w), 0);
	CHECK_INT(w.count, 5);
	CHECK_INT(count_all(s), 11);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_second_open_is_busy(void)
{
	struct tmp t;
	struct store *s = NULL, *s2 = NULL;
	pid_t pid;
	int status = -1;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_open(t.db, &s2), -EBUSY);
	CHECK(s2 == NULL);

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct store *other = NULL;

		_exit(store_open(t.db, &other) == -EBUSY ? 0 : 1);
	}
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	store_close(s);
	CHECK_INT(store_open(t.db, &s2), 0);
	store_close(s2);
	CHECK_INT(tmp_remove(&t), 0);
}

static void read_only_checks(const struct tmp *t)
{
	struct store *s = NULL;

	CHECK_INT(chmod(t->db, 0444), 0);
	CHECK_INT(chmod(t->lock, 0444), 0);
	CHECK_INT(chmod(t->dir, 0555), 0);
	CHECK_INT(store_open(t->db, &s), -EROFS);
	CHECK(s == NULL);
	/* A writable directory does not make a read-only database writable. */
	CHECK_INT(chmod(t->dir, 0755), 0);
	CHECK_INT(store_open(t->db, &s), -EROFS);
	CHECK(s == NULL);
	CHECK_INT(chmod(t->db, 0600), 0);
	CHECK_INT(chmod(t->lock, 0600), 0);
	CHECK_INT(chmod(t->dir, 0700), 0);
}

static void test_read_only_is_erofs(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn a;

	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);
	make_txn(&a, TXN_CHECKOUT, "21234000012345", "31234000000040", 1700000000000LL);
	CHECK_INT(store_record(s, &a), 0);
	store_close(s);
	CHECK_INT(access(t.db, F_OK), 0);

	if (geteuid() == 0) {
		pid_t pid;
		int status = -1;

		/* root ignores modes: the check runs as nobody, or is skipped. */
		printf("note: %s: running as root; the read-only check runs as uid %d\n",
		       testlib_current, NOBODY);
		fflush(NULL);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			if (chown(t.dir, NOBODY, NOBODY) < 0 || chown(t.db, NOBODY, NOBODY) < 0 ||
			    chown(t.lock, NOBODY, NOBODY) < 0 || setgroups(0, NULL) < 0 ||
			    setgid(NOBODY) < 0 || setuid(NOBODY) < 0 || geteuid() == 0) {
				printf("note: %s: cannot drop root; -EROFS assertion skipped\n",
				       testlib_current);
				fflush(NULL);
				_exit(0);
			}
			read_only_checks(&t);
			_exit(testlib_current_failed);
		}
		CHECK_INT(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		read_only_checks(&t);
	}

	/* The refused opens left the store as it was. */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(count_all(s), 1);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

#define FULL_BEFORE 3

/* Runs in a child: RLIMIT_FSIZE stands in for a full disk. */
static void disk_full_child(const struct tmp *t, struct txn *before, struct txn *blocked)
{
	struct store *s = NULL;
	struct store_loan loan;
	struct rlimit saved, full;
	struct txn got;
	struct stat st;
	uint64_t n = 0;

	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(store_open(t->db, &s), 0);
	if (!s)
		return;
	for (int i = 0; i < FULL_BEFORE; i++)
		CHECK_INT(store_record(s, &before[i]), 0);

	char wal[128];
	snprintf(wal, sizeof(wal), "%s-wal", t->db);
	CHECK_INT(stat(wal, &st), 0);
	CHECK(st.st_size > 0);
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &saved), 0);
	full = saved;
	full.rlim_cur = (rlim_t)st.st_size;
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &full), 0);

	blocked->seq = 0;
	CHECK_INT(store_record(s, blocked), -ENOSPC);
	CHECK(strlen(store_strerror(s)) > 0);
	CHECK_INT(blocked->seq, 0);
	CHECK_INT(store_record(s, blocked), -ENOSPC);
	CHECK_INT(store_get(s, blocked->id, &got), -ENOENT);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, FULL_BEFORE);

	/* Space is back: the same store records again. */
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &saved), 0);
	CHECK_INT(store_record(s, blocked), 0);
	CHECK(blocked->seq > 0);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, FULL_BEFORE + 1);
	for (int i = 0; i < FULL_BEFORE; i++) {
		CHECK_INT(store_get(s, before[i].id, &got), 0);
		CHECK_STR(got.item, before[i].item);
		CHECK_INT(store_loan_get(s, before[i].item, &loan), 0);
		CHECK_STR(loan.txn_id, before[i].id);
	}
	CHECK_INT(store_loan_get(s, blocked->item, &loan), 0);
	store_close(s);
}

static void test_disk_full_is_enospc(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct txn before[FULL_BEFORE], blocked, got;
	pid_t pid;
	int status = -1;

	tmp_new(&t, "store");
	for (int i = 0; i < FULL_BEFORE; i++) {
		char item[32];

		snprintf(item, sizeof(item), "3123400000010%d", i);
		make_txn(&before[i], TXN_CHECKOUT, "21234000012345", item, 1700000000000LL + i);
	}
	make_txn(&blocked, TXN_CHECKOUT, "21234000012345", "31234000000199", 1700000009000LL);

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		disk_full_child(&t, before, &blocked);
		_exit(testlib_current_failed);
	}
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(count_all(s), FULL_BEFORE + 1);
	for (int i = 0; i < FULL_BEFORE; i++) {
		CHECK_INT(store_get(s, before[i].id, &got), 0);
		CHECK_STR(got.item, before[i].item);
	}
	CHECK_INT(store_get(s, blocked.id, &got), 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_corrupt_database_is_euclean(void)
{
	struct tmp t;
	struct store *s = NULL;
	char junk[4096];
	int fd;

	tmp_new(&t, "store");
	memset(junk, 0xa5, sizeof(junk));
	fd = open(t.db, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	CHECK_INT(store_open(t.db, &s), -EUCLEAN);
	CHECK(s == NULL);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_missing_directory_is_enoent(void)
{
	struct store *s = NULL;

	CHECK_INT(store_open("/tmp/circd-store-does-not-exist/sub/circd.db", &s), -ENOENT);
	CHECK(s == NULL);
	CHECK_INT(store_open("", &s), -EINVAL);
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_txn_id_format_and_unique(void)
{
	static char ids[1000][TXN_ID_LEN + 1];

	for (int i = 0; i < 1000; i++) {
		const char *id = ids[i];

		CHECK_INT(txn_id_new(ids[i]), 0);
		CHECK_INT(strlen(id), TXN_ID_LEN);
		for (int j = 0; j < TXN_ID_LEN; j++) {
			if (j == 8 || j == 13 || j == 18 || j == 23)
				CHECK(id[j] == '-');
			else
				CHECK(id[j] && strchr("0123456789abcdef", id[j]) != NULL);
		}
		CHECK(id[14] == '4');
		CHECK(strchr("89ab", id[19]) != NULL);
	}
	qsort(ids, 1000, sizeof(ids[0]), cmp_ids);
	for (int i = 1; i < 1000; i++)
		CHECK(strcmp(ids[i - 1], ids[i]) != 0);
}

static void test_names_match_schema(void)
{
	CHECK_STR(txn_kind_name(TXN_CHECKOUT), "checkout");
	CHECK_STR(txn_kind_name(TXN_CHECKIN), "checkin");
	CHECK_STR(txn_kind_name(TXN_RENEW), "renew");
	CHECK_STR(txn_mode_name(TXN_ONLINE), "online");
	CHECK_STR(txn_mode_name(TXN_OFFLINE), "offline");
	CHECK_STR(txn_state_name(TXN_PENDING), "pending");
	CHECK_STR(txn_state_name(TXN_FORWARDED), "forwarded");
	CHECK_STR(txn_state_name(TXN_CONFIRMED), "confirmed");
	CHECK_STR(txn_state_name(TXN_CONFLICT), "conflict");
	CHECK_STR(txn_state_name(TXN_FAILED), "failed");
	CHECK(txn_state_name((enum txn_state)42) != NULL);
	CHECK_STR(store_strerror(NULL), "no store");
}

struct guarded_txn {
	struct txn txn;
	char canary[32];
};

struct guarded_loan {
	struct store_loan loan;
	char canary[32];
};

static int canary_intact(const char *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] != 0x5a)
			return 0;
	return 1;
}

static void test_long_strings_truncate_safely(void)
{
	static char long_item[501], long_patron[301], long_result[1001], long_boot[201];
	static char sql[4096];
	struct tmp t;
	struct store *s = NULL;
	struct txn x;
	struct guarded_txn g;
	struct guarded_loan gl;
	struct walk w;
	sqlite3 *db;

	memset(long_item, 'I', sizeof(long_item) - 1);
	memset(long_patron, 'P', sizeof(long_patron) - 1);
	memset(long_result, 'R', sizeof(long_result) - 1);
	memset(long_boot, 'B', sizeof(long_boot) - 1);
	tmp_new(&t, "store");
	CHECK_INT(store_open(t.db, &s), 0);

	/* The longest item that fits round-trips exactly. */
	make_txn(&x, TXN_CHECKOUT, "21234000012345", "", 1700000000000LL);
	memset(x.item, 'M', SCAN_TEXT_MAX);
	x.item[SCAN_TEXT_MAX] = '\0';
	CHECK_INT(store_record(s, &x), 0);
	CHECK_INT(store_get(s, x.id, &g.txn), 0);
	CHECK_STR(g.txn.item, x.item);

	/* An unterminated item is refused, not stored as something else. */
	make_txn(&x, TXN_CHECKOUT, "21234000012345", "", 1700000000000LL);
	memset(x.item, 'U', sizeof(x.item));
	CHECK_INT(store_record(s, &x), -EINVAL);
	CHECK_INT(count_all(s), 1);

	/* Over-long values in the file (another writer, a bug) are cut on the way out. */
	db = tmp_raw_open(t.db);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO journal(id, kind, patron, item, session_id, wall_ms, mono_ms,"
		 " boot_id, mode, state, due_ms, result, updated_ms) VALUES("
		 "'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeeeXXXXXXXX', 'checkout', '%s', '%s', 'sess',"
		 " 1, 2, '%s', 'online', 'pending', 3, '%s', 1);"
		 "INSERT INTO loans VALUES('%s', '%s',"
		 " 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeeeXXXXXXXX', 4, 5);",
		 long_patron, long_item, long_boot, long_result, long_item, long_patron);
	CHECK_INT(raw_exec(db, sql), SQLITE_OK);
	sqlite3_close(db);

	memset(g.canary, 0x5a, sizeof(g.canary));
	CHECK_INT(store_get(s, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeeeXXXXXXXX", &g.txn), 0);
	CHECK(canary_intact(g.canary, sizeof(g.canary)));
	CHECK_INT(strlen(g.txn.id), TXN_ID_LEN);
	CHECK_INT(strlen(g.txn.item), SCAN_TEXT_MAX);
	CHECK_INT(strlen(g.txn.patron), PATRON_ID_MAX);
	CHECK_INT(strlen(g.txn.boot_id), TXN_ID_LEN);
	CHECK_INT(strlen(g.txn.result), TXN_RESULT_MAX - 1);
	CHECK_STR(g.txn.session_id, "sess");
	CHECK_INT(g.txn.wall_ms, 1);
	CHECK_INT(g.txn.mono_ms, 2);
	CHECK_INT(g.txn.due_ms, 3);
	CHECK_INT(g.txn.mode, TXN_ONLINE);

	memset(gl.canary, 0x5a, sizeof(gl.canary));
	CHECK_INT(store_loan_get(s, long_item, &gl.loan), 0);
	CHECK(canary_intact(gl.canary, sizeof(gl.canary)));
	CHECK_INT(strlen(gl.loan.item), SCAN_TEXT_MAX);
	CHECK_INT(strlen(gl.loan.patron), PATRON_ID_MAX);
	CHECK_INT(strlen(gl.loan.txn_id), TXN_ID_LEN);
	CHECK_INT(gl.loan.since_ms, 4);
	CHECK_INT(gl.loan.due_ms, 5);
	/* A long lookup key is only a key. */
	CHECK_INT(store_loan_get(s, long_result, &gl.loan), -ENOENT);

	memset(&w, 0, sizeof(w));
	CHECK_INT(store_list(s, TXN_PENDING, 0, on_txn, &w), 0);
	CHECK_INT(w.count, 2);
	CHECK_INT(strlen(w.items[1]), SCAN_TEXT_MAX);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_open_creates_and_migrates);
	RUN(test_migrates_v1_database);
	RUN(test_refuses_newer_schema);
	RUN(test_checkout_then_checkin);
	RUN(test_renew_moves_due_date);
	RUN(test_duplicate_id_changes_nothing);
	RUN(test_invalid_txn_is_rejected);
	RUN(test_journal_is_append_only);
	RUN(test_list_oldest_first_with_limit);
	RUN(test_second_open_is_busy);
	RUN(test_read_only_is_erofs);
	RUN(test_disk_full_is_enospc);
	RUN(test_corrupt_database_is_euclean);
	RUN(test_missing_directory_is_enoent);
	RUN(test_txn_id_format_and_unique);
	RUN(test_names_match_schema);
	RUN(test_long_strings_truncate_safely);
	return testlib_finish();
}
