/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store's high-water mark file ("<store>.mark"): the highest journal
 * seq circd has acknowledged to a patron, kept outside the database so a
 * database that lost its tail (a damaged WAL sqlite truncated, a file
 * replaced by an older copy) is told apart from one that is whole.
 *
 * The file holds two slots STORE_MARK_SLOT_STRIDE bytes apart (in different
 * pages, so one torn write spoils at most one), each one line
 * "circd-mark 1 <seq, 20 digits> <state> <FNV-1a of what precedes, 8 hex>\n"
 * padded with spaces to STORE_MARK_SLOT bytes, state one of
 *   p  pending: seq is being committed (written before its commit, durable
 *      with it), with the seqs just below it that the same commit carries
 *      (a stack's); every seq below those was acknowledged, as a recording
 *      starts only once the one before it has returned;
 *   a  acknowledged: seq was committed (a mark rewritten from the journal);
 *   c  clean: circd closed the store with the journal ending at seq.
 * A pending mark whose commit carries more than its own seq says how many
 * right after that line, in the padding, "n<count, 3 digits> <FNV-1a of the
 * line and "n<count>", 8 hex>\n": a reader that knows no such thing (or
 * finds it spoilt) takes 1, which can only make a crash during a stack's
 * commit look like a loss, never hide one.
 * Updates overwrite the slots in turn; the mark is the valid slot with the
 * highest seq, and of two with the same seq the later state (c > a > p).
 *
 * Pure and fuzzable: no I/O here (store-guard.c does that).
 */
#ifndef CIRCD_STORE_MARK_H
#define CIRCD_STORE_MARK_H

#include <stddef.h>
#include <stdint.h>

#define STORE_MARK_SLOT 64
#define STORE_MARK_SLOT_STRIDE 4096
#define STORE_MARK_FILE_SIZE (STORE_MARK_SLOT_STRIDE + STORE_MARK_SLOT)

enum store_mark_state {
	STORE_MARK_PENDING,
	STORE_MARK_ACKED,
	STORE_MARK_CLEAN,
};

#define STORE_MARK_CARRIES_MAX 999

struct store_mark {
	int64_t seq;
	enum store_mark_state state;
	/*
	 * Pending: how many seqs, up to and with seq, its commit carries; 0 is
	 * taken as 1. Parsed as 1 for any other state.
	 */
	unsigned carries;
};

/*
 * One slot into out, exactly STORE_MARK_SLOT bytes, no NUL; -EINVAL for a
 * seq < 0, an unknown state or carries over STORE_MARK_CARRIES_MAX (or over
 * seq).
 */
int store_mark_format(const struct store_mark *mark, char out[STORE_MARK_SLOT]);

/*
 * The mark in a file's bytes (the whole file, len as read), or -EBADMSG
 * when neither slot is valid.
 */
int store_mark_parse(const char *buf, size_t len, struct store_mark *ret);

#endif
