/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store damage sqlite cannot see: files deleted or replaced under a running
 * circd, and a start that finds fewer transactions than were acknowledged
 * (the high-water mark). Plus the mark's byte format.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../firmware/store-mark.h"
#include "../../firmware/store-private.h"
#include "../../firmware/store-vfs.h"
#include "../../firmware/store.h"
#include "testlib.h"
#include "tmpdir.h"

static int record(struct store *s, const char *item)
{
	struct txn t = { .kind = TXN_CHECKIN, .mode = TXN_OFFLINE, .state = TXN_PENDING };

	CHECK_INT(txn_id_new(t.id), 0);
	snprintf(t.item, sizeof(t.item), "%s", item);
	snprintf(t.boot_id, sizeof(t.boot_id), "boot");
	t.wall_ms = 1700000000000LL;
	return store_record(s, &t);
}

static void record_n(struct store *s, int n)
{
	char item[32];

	for (int i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "item-%d", i);
		CHECK_INT(record(s, item), 0);
	}
}

static int64_t mark_in_file(const char *path, enum store_mark_state *state)
{
	char buf[STORE_MARK_FILE_SIZE + 16];
	struct store_mark mark;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || store_mark_parse(buf, (size_t)n, &mark) < 0)
		return -1;
	if (state)
		*state = mark.state;
	return mark.seq;
}

static void copy_file(const char *from, const char *to)
{
	static char buf[1 << 20];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	CHECK(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_INT(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* ---- the mark's bytes ---- */

static void put(char *file, unsigned slot, int64_t seq, enum store_mark_state state)
{
	struct store_mark m = { .seq = seq, .state = state };

	CHECK_INT(store_mark_format(&m, file + slot * STORE_MARK_SLOT_STRIDE), 0);
}

static void test_mark_format_and_parse(void)
{
	static const char fixture[] = "circd-mark 1 00000000000000000042 a ";
	char file[STORE_MARK_FILE_SIZE], slot[STORE_MARK_SLOT];
	struct store_mark m = { .seq = 42, .state = STORE_MARK_ACKED };

	CHECK_INT(store_mark_format(&m, slot), 0);
	CHECK(memcmp(slot, fixture, sizeof(fixture) - 1) == 0);
	CHECK(slot[sizeof(fixture) - 1 + 8] == '\n' && slot[STORE_MARK_SLOT - 1] == '\n');
	m.seq = -1;
	CHECK_INT(store_mark_format(&m, slot), -EINVAL);
	m = (struct store_mark){ .seq = 1, .state = 3 };
	CHECK_INT(store_mark_format(&m, slot), -EINVAL);

	memset(file, 0, sizeof(file));
	put(file, 0, 7, STORE_MARK_ACKED);
	put(file, 1, 8, STORE_MARK_PENDING);
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.seq, 8);
	CHECK_INT(m.state, STORE_MARK_PENDING);
	/* The same seq: the later state wins, whichever slot holds it. */
	put(file, 0, 8, STORE_MARK_ACKED);
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.state, STORE_MARK_ACKED);
	put(file, 1, 8, STORE_MARK_CLEAN);
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.state, STORE_MARK_CLEAN);
	/* A torn write spoils one slot: the other, the previous mark, stands. */
	put(file, 0, 7, STORE_MARK_ACKED);
	put(file, 1, 8, STORE_MARK_PENDING);
	file[STORE_MARK_SLOT_STRIDE + 20] ^= 1;
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.seq, 7);
	/* Only the first slot there (a short file) */
	CHECK_INT(store_mark_parse(file, STORE_MARK_SLOT, &m), 0);
	CHECK_INT(m.seq, 7);
	file[3] = 'X';
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), -EBADMSG);
	CHECK_INT(store_mark_parse("", 0, &m), -EBADMSG);
	CHECK_INT(store_mark_parse(NULL, 0, &m), -EBADMSG);
	/* The checksum covers the digits and the state */
	memset(file, 0, sizeof(file));
	put(file, 0, 123, STORE_MARK_ACKED);
	file[sizeof(fixture) - 5] = '4';
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), -EBADMSG);
	put(file, 0, 123, STORE_MARK_ACKED);
	file[sizeof(fixture) - 2] = 'c';
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), -EBADMSG);
	/* 20 digits beyond int64 are refused, not wrapped */
	memcpy(file, "circd-mark 1 99999999999999999999 a 00000000\n", 46);
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), -EBADMSG);
	put(file, 0, INT64_MAX, STORE_MARK_CLEAN);
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK(m.seq == INT64_MAX);
}

/* A stack's pending mark says how many seqs its commit carries, after the line an older circd reads. */
static void test_mark_carries_a_stack(void)
{
	static const char line[] = "circd-mark 1 00000000000000000042 p ";
	char file[STORE_MARK_FILE_SIZE], slot[STORE_MARK_SLOT];
	struct store_mark m = { .seq = 42, .state = STORE_MARK_PENDING, .carries = 10 };

	CHECK_INT(store_mark_format(&m, slot), 0);
	CHECK(memcmp(slot, line, sizeof(line) - 1) == 0);
	CHECK(memcmp(slot + sizeof(line) - 1 + 9, "n010 ", 5) == 0);
	memset(file, 0, sizeof(file));
	memcpy(file, slot, sizeof(slot));
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.seq, 42);
	CHECK_INT(m.carries, 10);
	/* Spoilt, or cut short: 1, which can only call a crash a loss, never hide one. */
	file[sizeof(line) - 1 + 11] = '9';
	CHECK_INT(store_mark_parse(file, sizeof(file), &m), 0);
	CHECK_INT(m.carries, 1);
	memcpy(file, slot, sizeof(slot));
	CHECK_INT(store_mark_parse(file, sizeof(line) - 1 + 9, &m), 0);
	CHECK_INT(m.carries, 1);
	/* Only a pending mark carries a stack; one of 1 is the line alone, as before. */
	m = (struct store_mark){ .seq = 42, .state = STORE_MARK_ACKED, .carries = 10 };
	CHECK_INT(store_mark_format(&m, slot), 0);
	CHECK(slot[sizeof(line) - 1 + 9] == ' ');
	m = (struct store_mark){ .seq = 42, .state = STORE_MARK_PENDING, .carries = 1 };
	CHECK_INT(store_mark_format(&m, slot), 0);
	CHECK(slot[sizeof(line) - 1 + 9] == ' ');
	m.carries = STORE_MARK_CARRIES_MAX + 1;
	CHECK_INT(store_mark_format(&m, slot), -EINVAL);
	m = (struct store_mark){ .seq = 3, .state = STORE_MARK_PENDING, .carries = 4 };
	CHECK_INT(store_mark_format(&m, slot), -EINVAL);
}

/* ---- the mark follows what was acknowledged ---- */

static void test_mark_follows_each_recording(void)
{
	struct store *s;
	struct tmp t;
	int64_t mark = -1;

	enum store_mark_state state;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(mark_in_file(t.mark, &state), 0);
	CHECK_INT(state, STORE_MARK_CLEAN);
	record_n(s, 3);
	/* Durable with each commit: the last one "pending" until the clean close. */
	CHECK_INT(mark_in_file(t.mark, &state), 3);
	CHECK_INT(state, STORE_MARK_PENDING);
	CHECK_INT(store_mark_status(s, &mark), 0);
	CHECK_INT(mark, 3);
	CHECK_STR(store_alarm(s), "");
	store_close(s);
	CHECK_INT(mark_in_file(t.mark, &state), 3);
	CHECK_INT(state, STORE_MARK_CLEAN);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	store_close(s);

	/* A store from before the mark gets one at its open, without alarm. */
	CHECK_INT(unlink(t.mark), 0);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	CHECK_INT(mark_in_file(t.mark, NULL), 3);
	store_close(s);

	/* An unreadable mark is said, and written again from the journal. */
	{
		int fd = open(t.mark, O_WRONLY | O_TRUNC | O_CLOEXEC);

		CHECK_INT(write(fd, "garbage\n", 8), 8);
		close(fd);
	}
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "unreadable") != NULL);
	store_close(s);
	CHECK_INT(mark_in_file(t.mark, NULL), 3);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * An online recording writes its mark and only starts the writeback: the
 * patron hears nothing before the ILS answered, and store_settle()
 * waits for it then. The mark is in the file either way.
 */
static void test_online_mark_settled_before_the_patron_hears(void)
{
	struct txn online = { .kind = TXN_CHECKOUT, .mode = TXN_ONLINE,
			      .state = TXN_FORWARDED };
	struct store *s;
	struct tmp t;
	int64_t mark = -1;
	enum store_mark_state state;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_INT(store_settle(s), 0); /* nothing waiting */
	record_n(s, 1);
	CHECK(!store_settle_owed(s)); /* offline: synced at its commit */
	CHECK_INT(txn_id_new(online.id), 0);
	snprintf(online.patron, sizeof(online.patron), "21234000000018");
	snprintf(online.item, sizeof(online.item), "31234000000016");
	snprintf(online.boot_id, sizeof(online.boot_id), "boot");
	online.wall_ms = 1700000000000LL;
	CHECK_INT(store_record(s, &online), 0);
	CHECK(store_vfs_is_sync_owed(s->db)); /* and the mark's writeback */
	CHECK(store_settle_owed(s));
	CHECK_INT(mark_in_file(t.mark, &state), 2);
	CHECK_INT(state, STORE_MARK_PENDING);
	CHECK_INT(store_settle(s), 0);
	CHECK(!store_settle_owed(s));
	CHECK_INT(store_settle(s), 0);
	CHECK_INT(store_mark_status(s, &mark), 0);
	CHECK_INT(mark, 2);
	store_close(s);
	CHECK_INT(mark_in_file(t.mark, &state), 2);
	CHECK_INT(state, STORE_MARK_CLEAN);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * Only the online commit's own sync waits: the next commit (offline here)
 * syncs as usual, and pays what was owed with it.
 */
static void test_next_commit_pays_the_owed_sync(void)
{
	struct txn online = { .kind = TXN_CHECKIN, .mode = TXN_ONLINE, .state = TXN_FORWARDED };
	struct store *s;
	struct tmp t;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 1);
	CHECK_INT(txn_id_new(online.id), 0);
	snprintf(online.item, sizeof(online.item), "31234000000016");
	snprintf(online.boot_id, sizeof(online.boot_id), "boot");
	online.wall_ms = 1700000000000LL;
	CHECK_INT(store_record(s, &online), 0);
	CHECK(store_vfs_is_sync_owed(s->db));
	record_n(s, 1);
	CHECK(!store_vfs_is_sync_owed(s->db));
	CHECK_INT(store_settle(s), 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * A database that lost its tail (here: an older copy put back) opens with
 * an alarm naming both seqs; circd keeps recording, and the mark is never
 * lowered.
 */
static void test_fewer_rows_than_acknowledged(void)
{
	struct store *s;
	struct tmp t;
	uint64_t n = 0;
	int64_t mark = 0;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 3);
	store_close(s); /* checkpointed: the file holds all three */
	copy_file(t.db, t.copy);
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 2);
	store_close(s);
	CHECK_INT(mark_in_file(t.mark, NULL), 5);
	CHECK_INT(rename(t.copy, t.db), 0);
	unlink(t.wal);

	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "DAMAGED") != NULL);
	CHECK(strstr(store_alarm(s), "seq 5") != NULL);
	CHECK(strstr(store_alarm(s), "seq 3") != NULL);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(record(s, "after"), 0);
	CHECK_INT(store_mark_status(s, &mark), 0);
	CHECK_INT(mark, 5);
	store_close(s);
	CHECK_INT(mark_in_file(t.mark, NULL), 5); /* never lowered, not even by a clean close */
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "DAMAGED") != NULL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * What a crash leaves: the mark of the recording cut short says "pending".
 * One seq short of it is that recording (never told OK): a notice. More
 * is damage: everything before a pending mark was acknowledged.
 */
static void write_mark(const char *path, int64_t seq, enum store_mark_state state)
{
	char file[STORE_MARK_FILE_SIZE];
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	memset(file, ' ', sizeof(file));
	put(file, 0, seq, state);
	put(file, 1, seq - 1, STORE_MARK_ACKED);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, file, sizeof(file)), (long long)sizeof(file));
	close(fd);
}

static void test_crash_mid_recording(void)
{
	struct store *s;
	struct tmp t;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 3);
	store_close(s);

	write_mark(t.mark, 4, STORE_MARK_PENDING);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	CHECK(strstr(store_notice(s), "seq 4") != NULL);
	CHECK_INT(record(s, "next"), 0); /* seq 4 again: a new transaction */
	store_close(s);

	write_mark(t.mark, 6, STORE_MARK_PENDING);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "up to seq 5") != NULL);
	store_close(s);

	write_mark(t.mark, 5, STORE_MARK_ACKED);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "up to seq 5") != NULL);
	CHECK(strstr(store_alarm(s), "ends at seq 4") != NULL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * A real crash (no store_close()): the mark, durable with each commit,
 * vouches for every acknowledged recording; one that failed leaves none.
 */
/* n recordings, then a stack's mark up to seq last carrying carries, and a crash before its commit. */
static void crash_after_stack_mark(const struct tmp *t, int n, int64_t last, unsigned carries)
{
	struct store *s;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (store_open(t->db, &s) < 0)
			_exit(1);
		record_n(s, n);
		if (store_guard_before_commit(s, last, carries) < 0 || store_settle(s) < 0)
			_exit(2);
		_exit(testlib_finish() == 0 ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(mark_in_file(t->mark, NULL), last);
}

/*
 * A crash between a stack's mark and its commit (a patron's items on the
 * pad): none of the stack is in the journal and none was told OK. That is
 * a notice, as for one recording, not damage; rows below the stack missing
 * as well are damage, acknowledged up to the stack's start.
 */
static void test_crash_mid_stack(void)
{
	struct store *s;
	struct tmp t;

	tmp_new(&t, "guard");
	crash_after_stack_mark(&t, 3, 6, 3);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	CHECK(strstr(store_notice(s), "seq 4 to 6 were being recorded together") != NULL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);

	tmp_new(&t, "guard");
	crash_after_stack_mark(&t, 3, 8, 3);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK(strstr(store_alarm(s), "up to seq 5") != NULL);
	CHECK(strstr(store_alarm(s), "ends at seq 3") != NULL);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_crash_without_close(void)
{
	struct store *s;
	struct tmp t;
	pid_t pid;
	int status;

	tmp_new(&t, "guard");
	pid = fork();
	if (pid == 0) {
		struct txn dup = { .kind = TXN_CHECKIN, .mode = TXN_OFFLINE };

		if (store_open(t.db, &s) < 0)
			_exit(1);
		record_n(s, 3);
		CHECK_INT(txn_id_new(dup.id), 0);
		snprintf(dup.boot_id, sizeof(dup.boot_id), "boot");
		snprintf(dup.item, sizeof(dup.item), "dup");
		CHECK_INT(store_record(s, &dup), 0);
		/* fails at the insert: no mark for it */
		if (store_record(s, &dup) != -EEXIST)
			_exit(2);
		_exit(testlib_finish() == 0 ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(mark_in_file(t.mark, NULL), 4);
	CHECK_INT(store_open(t.db, &s), 0);
	CHECK_STR(store_alarm(s), "");
	CHECK_STR(store_notice(s), "");
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* ---- files deleted or replaced while open ---- */

/* The rescued copy beside the store: its path into buf, or "" when there is none. */
static void find_rescued(const struct tmp *t, char *buf, size_t size)
{
	struct dirent *e;
	DIR *d = opendir(t->dir);

	buf[0] = 0;
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, "circd.db.rescued-", 17) == 0 && !strchr(e->d_name + 17, '.'))
			snprintf(buf, size, "%s/%s", t->dir, e->d_name);
	if (d)
		closedir(d);
}

/* What the vanished files held is copied beside them, private, and reads back whole. */
static void check_rescued(const struct tmp *t, uint64_t rows)
{
	struct store *copy;
	struct stat st;
	char path[384];
	uint64_t n = 0;

	find_rescued(t, path, sizeof(path));
	CHECK(path[0] != 0);
	if (!path[0])
		return;
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(store_open(path, &copy), 0);
	CHECK_INT(store_count_all(copy, &n), 0);
	CHECK_INT(n, rows);
	store_close(copy);
}

static void test_deleted_database_refuses_recording(void)
{
	struct store *s;
	struct tmp t;
	uint64_t n = 0;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 2);
	CHECK_INT(store_check_files(s), 0);
	CHECK_INT(unlink(t.db), 0);
	CHECK_INT(store_check_files(s), -ESTALE);
	CHECK_INT(record(s, "lost"), -ESTALE);
	CHECK(strstr(store_strerror(s), "deleted") != NULL);
	CHECK(strstr(store_alarm(s), "deleted") != NULL);
	/* sticky, and what the open file holds can still be read */
	CHECK_INT(record(s, "lost-too"), -ESTALE);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 2);
	CHECK(strstr(store_alarm(s), "a copy is saved as ") != NULL);
	store_close(s);
	check_rescued(&t, 2);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_deleted_wal_refuses_recording(void)
{
	struct store *s;
	struct tmp t;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 1);
	CHECK_INT(access(t.wal, F_OK), 0);
	CHECK_INT(unlink(t.wal), 0);
	CHECK_INT(record(s, "lost"), -ESTALE);
	CHECK(strstr(store_alarm(s), "WAL") != NULL);
	store_close(s);
	check_rescued(&t, 1); /* the row lived only in the deleted WAL */
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_replaced_database_refuses_recording(void)
{
	struct store *s, *other;
	struct tmp t;

	tmp_new(&t, "guard");
	CHECK_INT(store_open(t.db, &s), 0);
	record_n(s, 1);
	copy_file(t.db, t.copy);
	CHECK_INT(rename(t.copy, t.db), 0);
	CHECK_INT(record(s, "lost"), -ESTALE);
	CHECK(strstr(store_alarm(s), "replaced") != NULL);
	store_close(s);
	/* A fresh open of what is there now works. */
	CHECK_INT(store_open(t.db, &other), 0);
	CHECK_INT(record(other, "next"), 0);
	store_close(other);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_mark_format_and_parse);
	RUN(test_mark_carries_a_stack);
	RUN(test_mark_follows_each_recording);
	RUN(test_online_mark_settled_before_the_patron_hears);
	RUN(test_next_commit_pays_the_owed_sync);
	RUN(test_fewer_rows_than_acknowledged);
	RUN(test_crash_mid_recording);
	RUN(test_crash_mid_stack);
	RUN(test_crash_without_close);
	RUN(test_deleted_database_refuses_recording);
	RUN(test_deleted_wal_refuses_recording);
	RUN(test_replaced_database_refuses_recording);
	return testlib_finish();
}
