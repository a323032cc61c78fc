/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recording transactions with their tags' security debts (store-security.h):
 * one, or a stack of them, in one durable commit.
 */
#include "store-security.h"

#include <errno.h>

#include "store-private.h"

int store_record_tagged(struct store *store, struct txn *txn, const struct store_tags *tags)
{
	const struct store_tagged_txn one = { .txn = txn, .tags = tags };

	return store_record_batch(store, &one, 1);
}

static int batch_valid(const struct store_tagged_txn *batch, unsigned n, bool *all_online)
{
	*all_online = true;
	for (unsigned i = 0; i < n; i++) {
		int r;

		if (!batch[i].txn)
			return -EINVAL;
		r = store_txn_valid(batch[i].txn);
		if (r >= 0)
			r = store_security_tags_valid(batch[i].tags);
		if (r < 0)
			return r;
		*all_online = *all_online && batch[i].txn->mode == TXN_ONLINE;
	}
	return 0;
}

int store_record_batch(struct store *store, const struct store_tagged_txn *batch, unsigned n)
{
	int64_t seq[STORE_BATCH_MAX];
	bool online;
	int r;

	if (!store || !batch || !n || n > STORE_BATCH_MAX)
		return -EINVAL;
	r = batch_valid(batch, n, &online);
	if (r < 0) {
		store_set_errmsg(store, "invalid transaction");
		return r;
	}
	/* A file deleted or replaced under us would take these and all later ones with it. */
	r = store_check_files(store);
	if (r < 0)
		return r;
	r = store_begin(store);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		const struct txn *txn = batch[i].txn;

		r = store_journal_insert(store, txn, &seq[i]);
		if (r >= 0)
			r = store_loan_apply(store, txn);
		if (r >= 0)
			r = store_security_insert(store, txn->id, batch[i].tags, txn->wall_ms);
		if (r < 0)
			goto err_rollback;
	}
	/*
	 * Durable with the commit, before the patron hears OK: the mark is never
	 * below what patrons were told, and the last row's seq covers the rows
	 * before it. A mark that cannot be written is for staff
	 * (store_mark_status()), not a reason to refuse the patron.
	 *
	 * The mark's writeback starts now and the commit leaves its sync owed,
	 * so the disk writes the mark while sqlite builds the commit; then
	 * store_settle() waits for the mark and syncs the journal, whose flush
	 * covers both. Offline that is at once. An online one is heard only
	 * after the ILS answered: the disk works meanwhile, and the kiosk calls
	 * store_settle() before the patron is told.
	 */
	store->mark_err = store_guard_before_commit(store, seq[n - 1], n);
	/* Without a WAL the commit syncs at once: its flush must find the mark written. */
	if (store_defer_next_sync(store, true) < 0)
		(void)store_settle(store);
	r = store_commit(store);
	(void)store_defer_next_sync(store, false);
	if (r < 0)
		goto err_rollback;
	if (!online) {
		/* Committed: a journal that cannot be synced is sticky (nothing more is recorded). */
		r = store_settle(store);
		if (r < 0 && store->files_err)
			return r;
	}
	for (unsigned i = 0; i < n; i++)
		batch[i].txn->seq = seq[i];
	return 0;

err_rollback:
	store_rollback(store);
	return r;
}
