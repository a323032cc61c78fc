/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throw-away directory with a store's paths in it, for the store's unit
 * tests. tmp_new() exits the test (status 2) if it cannot make one;
 * tmp_remove() empties and removes it and returns rmdir()'s result.
 */
#ifndef CIRCD_TEST_TMPDIR_H
#define CIRCD_TEST_TMPDIR_H

struct tmp {
	char dir[64];
	char db[96];    /* dir/circd.db */
	char lock[112]; /* the store's files beside it */
	char wal[112];
	char mark[112];
	char copy[112]; /* dir/copy.db: somewhere to put a copy */
};

/* tag names the directory: /tmp/circd-TAG-XXXXXX. */
void tmp_new(struct tmp *t, const char *tag);
int tmp_remove(struct tmp *t);

/* Writes text to dir/rel (a failure fails the test). */
void tmp_put(const char *dir, const char *rel, const char *text);

struct store;
struct sqlite3;
/* tmp_new(), and a store opened at t->db (exits the test, status 2, if it cannot be). */
struct store *tmp_store_new(struct tmp *t, const char *tag);
/* The store at t->db opened again, as the next circd would. */
struct store *tmp_store_open(const struct tmp *t);
/* A plain sqlite connection to path (busy timeout 1 s), for what an older circd wrote. */
struct sqlite3 *tmp_raw_open(const char *path);

#endif
