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
 *      with it); every seq below was acknowledged, as a recording starts
 *      only once the one before it has returned;
 *   a  acknowledged: seq was committed (a mark rewritten from the journal);
 *   c  clean: circd closed the store with the journal ending at seq.
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

struct store_mark {
	int64_t seq;
	enum store_mark_state state;
};

/*
 * One slot into out, exactly STORE_MARK_SLOT bytes, no NUL; -EINVAL for a
 * seq < 0 or an unknown state.
 */
int store_mark_format(const struct store_mark *mark, char out[STORE_MARK_SLOT]);

/*
 * The mark in a file's bytes (the whole file, len as read), or -EBADMSG
 * when neither slot is valid.
 */
int store_mark_parse(const char *buf, size_t len, struct store_mark *ret);

#endif
