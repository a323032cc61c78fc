/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forwarding to the ILS (store-forward.c): a txn moves pending -> forwarded
 * (durable before its message goes out) -> confirmed, conflict or failed;
 * final states never move again. After a crash, "forwarded" means "maybe
 * applied at the ILS: verify before sending again", so the marks must be
 * durable and the outcomes need not be.
 *
 * Ownership as store.h: the caller owns every struct; strings are copied.
 */
/* Outside the guard: store.h includes this one at its end, after its own types. */
#include "store.h"
#include "store-conflict.h"

#ifndef CIRCD_STORE_FORWARD_H
#define CIRCD_STORE_FORWARD_H

/*
 * Before each send of txn id to the ILS: pending|forwarded -> forwarded,
 * attempts + 1, sent_wall_ms = now_ms, durable when this returns 0. Only
 * then may the message go out: after a crash, "forwarded" means "maybe
 * applied at the ILS, find out before sending again".
 * -ENOENT: no such txn; -EPERM: it is in a final state.
 */
int store_mark_forwarded(struct store *store, const char *id, int64_t now_ms);


/*
 * The outcome of txn id, in one durable transaction: state (TXN_CONFIRMED,
 * TXN_CONFLICT or TXN_FAILED), result, evidence, title (NULL = ""; cut to
 * their field sizes), due_ms (0 = keep the recorded one), confirmed_ms =
 * now_ms. conflict must be non-NULL exactly for TXN_CONFLICT: it adds a
 * conflicts row. Local loans follow the ILS: a confirmed checkout or renew
 * with a due_ms moves the local loan's due date; a conflicting checkout's
 * local loan is removed (it did not happen there), as is a failed one's. The journal keeps all.
 * -ENOENT: no such txn; -EPERM: not pending/forwarded; -EINVAL: bad state,
 * conflict missing or given when not TXN_CONFLICT, now_ms <= 0.
 */
int store_finish(struct store *store, const char *id, enum txn_state state, const char *result,
		 const char *evidence, const char *title, int64_t due_ms, int64_t now_ms,
		 const struct store_conflict_in *conflict);

/*
 * An online transaction the ILS did not answer joins the offline queue:
 * mode becomes offline, and due_ms (unless 0) the offline due date. Only
 * while it is pending or forwarded: store-and-forward then finds out what
 * the ILS did before sending it again. -ENOENT, -EPERM otherwise.
 */
int store_demote_offline(struct store *store, const char *id, int64_t due_ms, int64_t now_ms);

/* What the ILS said with its final answer; NULL members (or a NULL struct) = "". */
struct store_ils_said {
	const char *screen_msg; /* AF, lines joined by \n */
	const char *print_line; /* AG, the same way */
};

/* store_finish(), keeping what the ILS said (cut to TXN_ILS_TEXT_MAX). */
int store_finish_said(struct store *store, const char *id, enum txn_state state,
		      const char *result, const char *evidence, const char *title, int64_t due_ms,
		      int64_t now_ms, const struct store_conflict_in *conflict,
		      const struct store_ils_said *said);

/*
 * An outcome held by value, to be recorded later: store-and-forward keeps
 * outcomes in memory and records them while the ILS works. Filled by
 * store_outcome_set() (strings cut to the fields, never inside a UTF-8
 * sequence); conflict_message is meaningful for TXN_CONFLICT only.
 */
struct store_outcome {
	char id[TXN_ID_LEN + 1];
	int64_t seq; /* where the caller knows it (a faster seek), else 0 */
	enum txn_state state;
	int64_t due_ms; /* 0 = keep the recorded one */
	enum conflict_category category;
	char result[TXN_RESULT_MAX];
	char evidence[TXN_EVIDENCE_MAX];
	char title[TXN_TITLE_MAX];
	char conflict_message[CONFLICT_MESSAGE_MAX];
	char screen_msg[TXN_ILS_TEXT_MAX];
	char print_line[TXN_ILS_TEXT_MAX];
};

/* The arguments of store_finish_said() into *ret; NULL strings = "". */
void store_outcome_set(struct store_outcome *ret, const char *id, enum txn_state state,
		       const char *result, const char *evidence, const char *title,
		       const struct store_conflict_in *conflict, const struct store_ils_said *said);

/*
 * The n outcomes as store_finish_said() records each, in one transaction,
 * committed lazily (synchronous=NORMAL: safe against circd dying, and
 * sqlite's own order puts it on disk with the next durable commit; a power
 * cut may lose it). For an online transaction's answer: a lost outcome
 * leaves its txn forwarded, and forwarded means "verify before sending
 * again", so it costs a question, never a second send. Errors as
 * store_finish(); nothing is recorded on error.
 */
int store_record_outcomes(struct store *store, const struct store_outcome *outcomes, unsigned n,
			  int64_t now_ms);

/*
 * Forwarding's own write transaction: its work (the outcomes, the marks of
 * the next sends) is done a piece at a time while the ILS works on a
 * request, and all of it is made durable by one commit. Begun by the first
 * piece, kept open across loop turns, ended by store_fwd_commit(). Any
 * other write to the store first commits it, durably (store_fwd_yield() in
 * store-private.h), so nothing else ever joins it or waits for it; reads
 * see its work.
 *
 * Nothing it marks may be sent before store_fwd_commit() returns 0. A piece
 * that fails undoes the whole transaction (its earlier pieces too: those
 * marks were never sent, those outcomes leave their txns forwarded, which
 * is verified, never resent) and returns the error.
 */

/* store_finish_said()'s work for one outcome, in the transaction. Errors as store_finish(). */
int store_fwd_record(struct store *store, const struct store_outcome *outcome, int64_t now_ms);

/*
 * Marks forwarded (as store_mark_forwarded()), in the transaction, the
 * oldest unfinished txn with a seq above after_seq (INT64_MIN: the head of
 * the queue) if it is a plain first send: pending, never sent, not a
 * renewal. 1 and *ret as it now is; 0 when that txn is not one, or there
 * is none. A return marked but never sent is told from one applied by
 * store-sent.h's log, which the first mark of a transaction prepares.
 */
int store_fwd_mark_next(struct store *store, int64_t after_seq, int64_t now_ms, struct txn *ret);

/*
 * Commits the transaction, durably. 0: everything the store_fwd_*() calls
 * did since the last store_fwd_commit() is on disk (also when another
 * write committed it first, or nothing was done). < 0: some of it was
 * undone (this commit failed, a piece failed, or a commit on another
 * write's behalf did): nothing marked since the last 0 may be sent as
 * marked.
 */
int store_fwd_commit(struct store *store);

/* The oldest (by seq) txn in state pending or forwarded; -ENOENT when none. */
int store_next_to_forward(struct store *store, struct txn *ret);
/* The same, among those with a seq above after_seq. */
int store_next_to_forward_after(struct store *store, int64_t after_seq, struct txn *ret);

/*
 * Calls fn (see store_txn_fn) for the txns the ILS has not got: pending,
 * forwarded and failed, oldest first. For a .koc export with koc_line().
 */
int store_list_unforwarded(struct store *store, store_txn_fn fn, void *data);
/* The same in slices, as store_list_range(). */
int store_list_unforwarded_range(struct store *store, int64_t after_seq, int64_t last_seq,
				 unsigned limit, store_txn_fn fn, void *data);


struct store_counts {
	uint64_t n[TXN_KINDS][TXN_STATES]; /* [enum txn_kind][enum txn_state] */
};
int store_count_by_kind(struct store *store, struct store_counts *ret);

#endif
