/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security writes owed to RFID tags (store-security.c): recorded with the
 * transaction, or with a stack of them in one commit (store-record.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/store-security.h"
#include "../../firmware/store.h"
#include "testlib.h"
#include "tmpdir.h"

#define T0 1700000000000LL
#define UID_A "E004010012345678"
#define UID_B "E0040100ABCDEF01"

static void fill(struct txn *t, enum txn_kind kind, const char *item, int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	CHECK_INT(txn_id_new(t->id), 0);
	t->kind = kind;
	snprintf(t->patron, sizeof(t->patron), "%s", kind == TXN_CHECKIN ? "" : "21234000012345");
	snprintf(t->item, sizeof(t->item), "%s", item);
	t->wall_ms = wall_ms;
	t->mono_ms = 1000;
	snprintf(t->boot_id, sizeof(t->boot_id), "boot");
	t->mode = TXN_OFFLINE;
	t->state = TXN_PENDING;
	t->due_ms = kind == TXN_CHECKIN ? 0 : wall_ms + 14 * DAY_MS;
}

static void tags_of(struct store_tags *tags, enum tag_security want, const char *a, const char *b)
{
	memset(tags, 0, sizeof(*tags));
	tags->want = want;
	snprintf(tags->uid[tags->n++], sizeof(tags->uid[0]), "%s", a);
	if (b)
		snprintf(tags->uid[tags->n++], sizeof(tags->uid[0]), "%s", b);
}

/* One tag's write verified, as the kiosk notes a single one. */
static int done_one(struct store *s, const char *txn_id, const char *uid, int64_t at)
{
	struct store_security_done d;

	snprintf(d.txn_id, sizeof(d.txn_id), "%s", txn_id);
	snprintf(d.uid, sizeof(d.uid), "%s", uid);
	return store_security_done(s, &d, 1, at);
}

/* A return of item recorded, owing UID_A "on": the tag's debt is now the return's. */
static void return_owes_on(struct store *s, struct txn *ret, const char *item, int64_t at)
{
	struct store_tags tags;
	struct store_security sec;

	fill(ret, TXN_CHECKIN, item, at);
	tags_of(&tags, TAG_SECURITY_ON, UID_A, NULL);
	CHECK_INT(store_record_tagged(s, ret, &tags), 0);
	CHECK_INT(store_security_owed(s, UID_A, &sec), 0);
	CHECK_STR(sec.txn_id, ret->id);
	CHECK_INT(sec.want, TAG_SECURITY_ON);
}

static int count_rows(void *data, const struct store_security *s)
{
	(void)s;
	(*(unsigned *)data)++;
	return 0;
}

/* A loan of a set of two owes both tags "off", in the loan's own commit; done one by one. */
static void test_loan_owes_each_part(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags tags;
	struct store_security sec;
	struct txn loan;
	uint64_t n = 0;
	unsigned listed = 0;

	fill(&loan, TXN_CHECKOUT, "31234000000016", T0);
	tags_of(&tags, TAG_SECURITY_OFF, UID_A, UID_B);
	CHECK_INT(store_record_tagged(s, &loan, &tags), 0);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(store_security_owed(s, UID_B, &sec), 0);
	CHECK_STR(sec.txn_id, loan.id);
	CHECK_STR(sec.item, "31234000000016");
	CHECK_INT(sec.want, TAG_SECURITY_OFF);
	CHECK_INT(sec.kind, TXN_CHECKOUT);
	CHECK_INT(store_security_failed(s, loan.id, UID_B, "tag moved away", T0 + 1), 0);
	CHECK_INT(store_security_owed(s, UID_B, &sec), 0);
	CHECK_INT(sec.tries, 1);
	CHECK_STR(sec.last_error, "tag moved away");
	CHECK(!store_settle_owed(s));
	CHECK_INT(done_one(s, loan.id, UID_A, T0 + 2), 0);
	CHECK_INT(store_security_owed(s, UID_A, &sec), -ENOENT);
	/* A lazy commit: on the disk at the next settle (or recording), not before it returns. */
	CHECK(store_settle_owed(s));
	CHECK_INT(store_settle(s), 0);
	CHECK(!store_settle_owed(s));
	CHECK_INT(store_security_list_owed(s, count_rows, &listed), 0);
	CHECK_INT(listed, 1);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* The return after the loan supersedes what the loan still owed: the tag is owed "on". */
static void test_newer_supersedes(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags tags;
	struct store_security sec;
	struct txn loan, ret;
	uint64_t n = 0;

	fill(&loan, TXN_CHECKOUT, "31234000000024", T0);
	tags_of(&tags, TAG_SECURITY_OFF, UID_A, NULL);
	CHECK_INT(store_record_tagged(s, &loan, &tags), 0);
	return_owes_on(s, &ret, "31234000000024", T0 + 10);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 1);
	/* The superseded one cannot be marked done any more: nothing changes. */
	CHECK_INT(done_one(s, loan.id, UID_A, T0 + 11), 0);
	CHECK_INT(store_security_owed(s, UID_A, &sec), 0);
	CHECK_STR(sec.txn_id, ret.id);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * With no tag owing anything the store answers without asking sqlite; a
 * new debt, one left from before a restart and one after the last was
 * done are all still seen.
 */
static void test_nothing_owed_and_then_owed_again(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags tags;
	struct store_security sec;
	struct txn loan, ret;

	CHECK_INT(store_security_owed(s, UID_A, &sec), -ENOENT);
	fill(&loan, TXN_CHECKOUT, "31234000000016", T0);
	tags_of(&tags, TAG_SECURITY_OFF, UID_A, UID_B);
	CHECK_INT(store_record_tagged(s, &loan, &tags), 0);
	CHECK_INT(store_security_owed(s, UID_A, &sec), 0);
	CHECK_INT(done_one(s, loan.id, UID_A, T0 + 1), 0);
	CHECK_INT(store_security_owed(s, UID_A, &sec), -ENOENT);
	CHECK_INT(store_security_owed(s, UID_B, &sec), 0); /* one left: still asked */
	/* Left owed across a restart: found by the store opened again. */
	store_close(s);
	s = tmp_store_open(&t);
	CHECK(s != NULL);
	CHECK_INT(store_security_owed(s, UID_B, &sec), 0);
	CHECK_STR(sec.txn_id, loan.id);
	CHECK_INT(done_one(s, loan.id, UID_B, T0 + 2), 0);
	CHECK_INT(store_security_owed(s, UID_B, &sec), -ENOENT);
	/* Nothing owed now; the return owes the tag again, and supersedes nothing. */
	return_owes_on(s, &ret, "31234000000016", T0 + 10);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/*
 * A stack's verified writes noted together: one transaction, all or none,
 * so a bad uid among them leaves every one owed.
 */
static void test_done_together(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_security_done done[2];
	struct store_tags tags;
	struct store_security sec;
	struct txn loan;
	uint64_t n = 0;

	fill(&loan, TXN_CHECKOUT, "31234000000040", T0);
	tags_of(&tags, TAG_SECURITY_OFF, UID_A, UID_B);
	CHECK_INT(store_record_tagged(s, &loan, &tags), 0);
	snprintf(done[0].txn_id, sizeof(done[0].txn_id), "%s", loan.id);
	snprintf(done[0].uid, sizeof(done[0].uid), "%s", UID_A);
	done[1] = done[0];
	snprintf(done[1].uid, sizeof(done[1].uid), "E00401001234567G");
	CHECK_INT(store_security_done(s, done, 2, T0 + 1), -EINVAL);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 2);
	snprintf(done[1].uid, sizeof(done[1].uid), "%s", UID_B);
	CHECK_INT(store_security_done(s, done, 0, T0 + 1), 0); /* none: nothing to do */
	CHECK_INT(store_security_done(s, done, 2, T0 + 1), 0);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_security_owed(s, UID_B, &sec), -ENOENT);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* A bad uid is refused and nothing is recorded, not even the transaction. */
static void test_bad_uid_records_nothing(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags tags;
	struct store_security sec;
	struct txn loan;
	uint64_t n = 1;

	fill(&loan, TXN_CHECKOUT, "31234000000032", T0);
	tags_of(&tags, TAG_SECURITY_OFF, "E00401001234567", NULL); /* 15 digits */
	CHECK_INT(store_record_tagged(s, &loan, &tags), -EINVAL);
	tags_of(&tags, TAG_SECURITY_OFF, "E00401001234567G", NULL);
	CHECK_INT(store_record_tagged(s, &loan, &tags), -EINVAL);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_security_owed(s, "nonsense", &sec), -EINVAL);
	/* No tags: a plain record. */
	CHECK_INT(store_record_tagged(s, &loan, NULL), 0);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 0);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

#define UID_C "E0040100000000C3"

/*
 * A stack in one commit: three loans, one of them a set of two parts and
 * one without tags, recorded together; their rows in order, the mark
 * covering the last, each tag owed its write.
 */
static void test_stack_recorded_in_one_commit(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags set, one;
	struct store_security sec;
	struct txn loans[3];
	struct store_tagged_txn batch[3] = {
		{ .txn = &loans[0], .tags = &set },
		{ .txn = &loans[1], .tags = NULL },
		{ .txn = &loans[2], .tags = &one },
	};
	int64_t mark = 0;
	uint64_t n = 0;

	fill(&loans[0], TXN_CHECKOUT, "31234000000016", T0);
	fill(&loans[1], TXN_CHECKOUT, "31234000000024", T0);
	fill(&loans[2], TXN_CHECKOUT, "31234000000032", T0);
	tags_of(&set, TAG_SECURITY_OFF, UID_A, UID_B);
	tags_of(&one, TAG_SECURITY_OFF, UID_C, NULL);
	CHECK_INT(store_record_batch(s, batch, 3), 0);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 3);
	CHECK(loans[0].seq > 0 && loans[1].seq == loans[0].seq + 1 &&
	      loans[2].seq == loans[1].seq + 1);
	CHECK_INT(store_mark_status(s, &mark), 0);
	CHECK_INT(mark, loans[2].seq);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 3);
	CHECK_INT(store_security_owed(s, UID_B, &sec), 0);
	CHECK_STR(sec.txn_id, loans[0].id);
	CHECK_INT(store_security_owed(s, UID_C, &sec), 0);
	CHECK_STR(sec.item, "31234000000032");
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

/* All or none: a stack whose last row the journal refuses leaves nothing of the others. */
static void test_stack_all_or_none(void)
{
	struct tmp t;
	struct store *s = tmp_store_new(&t, "security");
	struct store_tags tags;
	struct txn loans[2];
	struct store_tagged_txn batch[2] = {
		{ .txn = &loans[0], .tags = &tags },
		{ .txn = &loans[1], .tags = NULL },
	};
	uint64_t n = 1;

	fill(&loans[0], TXN_CHECKOUT, "31234000000016", T0);
	fill(&loans[1], TXN_CHECKOUT, "31234000000024", T0);
	tags_of(&tags, TAG_SECURITY_OFF, UID_A, NULL);
	/* The same transaction id twice: the journal's UNIQUE id refuses the second row. */
	memcpy(loans[1].id, loans[0].id, sizeof(loans[1].id));
	CHECK(store_record_batch(s, batch, 2) < 0);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_security_count_owed(s, &n), 0);
	CHECK_INT(n, 0);
	/* One invalid transaction: refused before anything is written. */
	CHECK_INT(txn_id_new(loans[1].id), 0);
	loans[1].item[0] = '\0';
	CHECK_INT(store_record_batch(s, batch, 2), -EINVAL);
	CHECK_INT(store_record_batch(s, batch, 0), -EINVAL);
	CHECK_INT(store_record_batch(s, batch, STORE_BATCH_MAX + 1), -EINVAL);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 0);
	/* And the store goes on recording. */
	snprintf(loans[1].item, sizeof(loans[1].item), "31234000000024");
	CHECK_INT(store_record_batch(s, batch, 2), 0);
	CHECK_INT(store_count_all(s, &n), 0);
	CHECK_INT(n, 2);
	store_close(s);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_loan_owes_each_part);
	RUN(test_newer_supersedes);
	RUN(test_nothing_owed_and_then_owed_again);
	RUN(test_done_together);
	RUN(test_bad_uid_records_nothing);
	RUN(test_stack_recorded_in_one_commit);
	RUN(test_stack_all_or_none);
	return testlib_finish();
}
