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

static struct store *open_again(const struct tmp *t)
{
	struct store *s = NULL;

	CHECK_INT(store_open(t->db, &s), 0);
	if (!s)
		exit(2);
	return s;
}

static struct store *open_new(struct tmp *t)
{
	tmp_new(t, "sent");
	return open_again(t);
}

static void sent_path(const struct tmp *t, char *out, size_t size)
{
	snprintf(out, size, "%s.sent", t->db);
}

/* Logged before circd died: the next process (a new open) still finds it. */
static void test_a_kill_keeps_what_was_logged(void)
{
	struct tmp t;
	struct store *s = open_new(&t);
	char a[TXN_ID_LEN + 1], b[TXN_ID_LEN + 1], path[512];
	struct stat st;

	CHECK_INT(txn_id_new(a), 0);
	CHECK_INT(txn_id_new(b), 0);
	CHECK(!store_was_sent(s, a)); /* no log yet */
	CHECK_INT(store_note_sent(s, a), 0);
	store_close(s);
	s = open_again(&t);
	CHECK(store_was_sent(s, a));
	CHECK(!store_was_sent(s, b));
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
	struct store *s = open_new(&t);
	char ids[300][TXN_ID_LEN + 1];

	for (int i = 0; i < 300; i++) {
		CHECK_INT(txn_id_new(ids[i]), 0);
		CHECK_INT(store_note_sent(s, ids[i]), 0);
	}
	for (int i = 0; i < 300; i += 37)
		CHECK(store_was_sent(s, ids[i]));
	CHECK(store_was_sent(s, ids[299]));
	CHECK_INT(store_sent_forget(s), 0);
	CHECK(!store_was_sent(s, ids[0]));
	CHECK(!store_was_sent(s, ids[299]));
	/* Appended after the truncation: at the start of the file, not past a hole. */
	CHECK_INT(store_note_sent(s, ids[5]), 0);
	CHECK(store_was_sent(s, ids[5]));
	CHECK(!store_was_sent(s, ids[6]));
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* A line cut short (a power cut mid-write) or garbage names nothing, and breaks nothing. */
static void test_a_damaged_log_names_nothing_extra(void)
{
	struct tmp t;
	struct store *s = open_new(&t);
	char a[TXN_ID_LEN + 1], path[512];
	int fd;

	CHECK_INT(txn_id_new(a), 0);
	sent_path(&t, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, a, 20) == 20); /* the first 20 bytes of a's line, no newline */
	close(fd);
	CHECK(!store_was_sent(s, a));
	CHECK_INT(store_note_sent(s, "not-an-id"), -EINVAL);
	CHECK(!store_was_sent(s, "not-an-id"));
	/* Lines logged after the cut one (the next run's) are still found. */
	CHECK_INT(store_note_sent(s, a), 0);
	CHECK(store_was_sent(s, a));
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* Nothing sent: forgetting creates no file. */
static void test_forget_without_a_log(void)
{
	struct tmp t;
	struct store *s = open_new(&t);
	char path[512];

	CHECK_INT(store_sent_forget(s), 0);
	sent_path(&t, path, sizeof(path));
	CHECK_INT(access(path, F_OK), -1);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_a_kill_keeps_what_was_logged);
	RUN(test_many_then_forgotten);
	RUN(test_a_damaged_log_names_nothing_extra);
	RUN(test_forget_without_a_log);
	return testlib_finish();
}
