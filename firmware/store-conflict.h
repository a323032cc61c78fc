/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conflicts for staff (store-conflict.c): what the ILS refused, or what only
 * staff can settle, with a category and the ILS's own words; append-only,
 * each resolved once.
 *
 * Ownership as store.h: the caller owns every struct; strings are copied.
 */
/* Outside the guard: store.h includes this one at its end, after its own types. */
#include "store.h"

#ifndef CIRCD_STORE_CONFLICT_H
#define CIRCD_STORE_CONFLICT_H

enum conflict_category {
	CONFLICT_ON_LOAN_TO_OTHER, /* "on-loan-to-other" */
	CONFLICT_PATRON_BLOCKED,   /* "patron-blocked" */
	CONFLICT_UNKNOWN_ITEM,     /* "unknown-item" */
	CONFLICT_UNKNOWN_PATRON,   /* "unknown-patron" */
	CONFLICT_HELD_FOR_OTHER,   /* "held-for-other" */
	CONFLICT_OTHER,            /* "other" */
};

#define CONFLICT_MESSAGE_MAX 256
#define CONFLICT_RESOLUTION_MAX 128

struct store_conflict_in {
	enum conflict_category category;
	const char *message; /* NULL = "" */
};


const char *conflict_category_name(enum conflict_category category);
/* 0 and *ret, or -EINVAL for a name that is not a category. */
int conflict_category_from_name(const char *name, enum conflict_category *ret);

struct store_conflict {
	int64_t id;
	char txn_id[TXN_ID_LEN + 1];
	enum conflict_category category;
	char message[CONFLICT_MESSAGE_MAX];
	int64_t created_ms;
	int64_t resolved_ms; /* 0 = unresolved */
	char resolution[CONFLICT_RESOLUTION_MAX];
	/* From the txn: the full patron id (callers mask it for display and logs). */
	enum txn_kind kind;
	char item[SCAN_TEXT_MAX + 1];
	char patron[PATRON_ID_MAX + 1];
	int64_t wall_ms;
	char screen_msg[TXN_ILS_TEXT_MAX]; /* what the ILS said with its answer (AF, AG) */
	char print_line[TXN_ILS_TEXT_MAX];
	enum txn_patron_told patron_told;
};

/* Oldest first; fn as for store_list (may use the store; nonzero stops and is returned). */
typedef int (*store_conflict_fn)(void *data, const struct store_conflict *conflict);
int store_conflicts_list(struct store *store, bool include_resolved, store_conflict_fn fn,
			 void *data);
/* Once: -ENOENT no such conflict, -EALREADY already resolved, -EINVAL now_ms <= 0. */
int store_conflict_resolve(struct store *store, int64_t conflict_id, const char *resolution,
			   int64_t now_ms);
int store_conflicts_unresolved(struct store *store, uint64_t *ret);

#endif
