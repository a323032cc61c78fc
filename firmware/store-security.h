/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The security state of RFID item tags (schema 6, store-security.c). A
 * loan owes each of its item's tags a write switching security off (the
 * "checked out" AFI, EAS reset), a return owes them one switching it on;
 * the debt is recorded in the same durable commit as the transaction
 * (store_record_tagged()), so after a crash between the two circd finishes
 * the write when the tag is seen again, and staff see in circctl what it
 * could not finish. A newer transaction's debt to a tag supersedes an
 * older one's, and one the ILS refused (failed, or a conflict) owes nothing.
 *
 * Ownership as store.h: the caller owns every struct; strings are copied.
 */
#ifndef CIRCD_STORE_SECURITY_H
#define CIRCD_STORE_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define STORE_TAGS_MAX 8       /* tags of one item: the parts of a set */
#define STORE_TAG_UID_LEN 16   /* hex digits, most significant byte first */

enum tag_security {
	TAG_SECURITY_OFF, /* lent: the exit gates let it pass */
	TAG_SECURITY_ON,  /* on the shelf */
};

struct store_tags {
	unsigned n;
	char uid[STORE_TAGS_MAX][STORE_TAG_UID_LEN + 1];
	enum tag_security want;
};

/*
 * store_record(), and in the same commit one owed write per tag of tags
 * (NULL or n == 0: just store_record()). -EINVAL for a uid that is not 16
 * hex digits or n > STORE_TAGS_MAX.
 */
int store_record_tagged(struct store *store, struct txn *txn, const struct store_tags *tags);

#define STORE_BATCH_MAX 32 /* a pad's tags (RFID_FIELD_MAX), each an item of its own */

struct store_tagged_txn {
	struct txn *txn;               /* its seq is set once recorded */
	const struct store_tags *tags; /* NULL: an item without tags */
};

/*
 * store_record_tagged() for n transactions (1..STORE_BATCH_MAX) in one
 * sqlite transaction: one durable commit, its high-water mark written once
 * for the last of them, so a stack of items costs one wait for the disk
 * instead of one each. All are recorded or none; the durability contract
 * is store_record()'s (the sync is left to store_settle() only when every
 * one of them is online). -EINVAL as store_record_tagged() for any of them.
 */
int store_record_batch(struct store *store, const struct store_tagged_txn *batch, unsigned n);

struct store_security {
	char txn_id[TXN_ID_LEN + 1];
	char uid[STORE_TAG_UID_LEN + 1];
	char item[SCAN_TEXT_MAX + 1];
	enum txn_kind kind;
	enum tag_security want;
	unsigned tries;          /* writes that failed or could not be verified */
	char last_error[96];
	int64_t updated_ms;
};

/* The write owed to tag uid: 0 and *ret, -ENOENT when none. */
int store_security_owed(struct store *store, const char *uid, struct store_security *ret);
/* A tag's owed write for txn_id verified: what store_security_done() notes. */
struct store_security_done {
	char txn_id[TXN_ID_LEN + 1];
	char uid[STORE_TAG_UID_LEN + 1];
};

/*
 * The owed writes in done[0..n) are verified done, in one transaction (a
 * stack's tags cost the journal one commit, not one each; all or none): a
 * lazy commit, whose sync is left to store_settle() (or the next
 * recording), as a lost one is only redone. -EINVAL for a bad uid.
 */
int store_security_done(struct store *store, const struct store_security_done *done, unsigned n,
			int64_t now_ms);
/* A try failed, for why; it stays owed. */
int store_security_failed(struct store *store, const char *txn_id, const char *uid,
			  const char *why, int64_t now_ms);
/* fn for every owed write, oldest first; fn returns < 0 to stop (that value is returned). */
int store_security_list_owed(struct store *store,
			     int (*fn)(void *data, const struct store_security *s), void *data);
int store_security_count_owed(struct store *store, uint64_t *ret);
const char *tag_security_name(enum tag_security s);

#endif
