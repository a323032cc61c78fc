/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log of returns sent (store-sent.c): what a verification after a crash asks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../firmware/store-sent.h"
#include "../../firmware/store.h"
#include "testlib.h"
#include "tmpdir.h"

static void sent_path(const struct tmp *t, char *out, size_t size)
{
	snprintf(out, size, "%s.sent", t->db);
}

/* Logged before circd died: the next process (a new open) still finds it. */
static void test_a_kill_keeps_what_was_logged(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sent");
	char a[TXN_ID_LEN + 1], b[TXN_ID_LEN + 1], path[512];
	struct stat st;

	CHECK_INT(txn_id_new(a), 0);
	CHECK_INT(txn_id_new(b), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_UNKNOWN); /* no log yet */
	CHECK_INT(store_note_sent(s, a), 0);
	store_close(s);
	s = tmp_store_open(&t);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_YES);
	CHECK_INT(store_sent_status(s, b), STORE_SENT_NO);
	sent_path(&t, path, sizeof(path));
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Many lines: found across the scan's reads, and gone once forgotten. */
static void test_many_then_forgotten(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sent");
	char ids[300][TXN_ID_LEN + 1];

	for (int i = 0; i < 300; i++) {
		CHECK_INT(txn_id_new(ids[i]), 0);
		CHECK_INT(store_note_sent(s, ids[i]), 0);
	}
	for (int i = 0; i < 300; i += 37)
		CHECK_INT(store_sent_status(s, ids[i]), STORE_SENT_YES);
	CHECK_INT(store_sent_status(s, ids[299]), STORE_SENT_YES);
	CHECK_INT(store_sent_forget(s), 0);
	CHECK_INT(store_sent_status(s, ids[0]), STORE_SENT_NO);
	CHECK_INT(store_sent_status(s, ids[299]), STORE_SENT_NO);
	/* Appended after the truncation: at the start of the file, not past a hole. */
	CHECK_INT(store_note_sent(s, ids[5]), 0);
	CHECK_INT(store_sent_status(s, ids[5]), STORE_SENT_YES);
	CHECK_INT(store_sent_status(s, ids[6]), STORE_SENT_NO);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* A log that does not start with this boot's header is not trusted, whatever it names. */
static void test_a_damaged_log_is_not_trusted(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sent");
	char a[TXN_ID_LEN + 1], path[512];
	int fd;

	CHECK_INT(txn_id_new(a), 0);
	sent_path(&t, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, a, 20) == 20); /* the first 20 bytes of a's line, no newline */
	close(fd);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_UNKNOWN);
	CHECK_INT(store_note_sent(s, "not-an-id"), -EINVAL);
	CHECK_INT(store_note_sent(s, a), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_UNKNOWN);
	/* Emptied (nothing forwarded any more), it starts again in this boot. */
	CHECK_INT(store_sent_forget(s), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_NO);
	CHECK_INT(store_note_sent(s, a), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_YES);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * A log from another boot (its lines may have been lost with the power):
 * it is not trusted, and nothing is judged "never sent" by it.
 */
static void test_a_log_of_another_boot_is_not_trusted(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sent");
	char a[TXN_ID_LEN + 1], b[TXN_ID_LEN + 1], path[512], text[128];
	int fd, n;

	CHECK_INT(txn_id_new(a), 0);
	CHECK_INT(txn_id_new(b), 0);
	sent_path(&t, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	n = snprintf(text, sizeof(text), "boot 00000000-0000-4000-8000-000000000000\n%s\n", a);
	CHECK(write(fd, text, (size_t)n) == n);
	close(fd);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_UNKNOWN);
	CHECK_INT(store_sent_status(s, b), STORE_SENT_UNKNOWN);
	/* Lines added in this boot do not make it trusted either, until it is emptied. */
	CHECK_INT(store_note_sent(s, b), 0);
	CHECK_INT(store_sent_status(s, b), STORE_SENT_UNKNOWN);
	CHECK_INT(store_sent_forget(s), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_NO);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Emptying starts the log in this boot: a crash before the first send is judged by it. */
static void test_forget_starts_the_log_of_this_boot(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "sent");
	char a[TXN_ID_LEN + 1], path[512];
	struct stat st;

	CHECK_INT(txn_id_new(a), 0);
	CHECK_INT(store_sent_status(s, a), STORE_SENT_UNKNOWN);
	CHECK_INT(store_sent_forget(s), 0);
	sent_path(&t, path, sizeof(path));
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_size, 42); /* "boot " and the boot id */
	CHECK_INT(store_sent_status(s, a), STORE_SENT_NO);
	CHECK_INT(store_sent_forget(s), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_size, 42);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_a_kill_keeps_what_was_logged);
	RUN(test_many_then_forgotten);
	RUN(test_a_damaged_log_is_not_trusted);
	RUN(test_a_log_of_another_boot_is_not_trusted);
	RUN(test_forget_starts_the_log_of_this_boot);
	return testlib_finish();
}
