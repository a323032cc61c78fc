/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A throw-away directory for the store's unit tests (see tmpdir.h). */
#include "tmpdir.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../firmware/store.h"
#include "testlib.h"

void tmp_new(struct tmp *t, const char *tag)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/circd-%s-XXXXXX", tag);
	if (!mkdtemp(t->dir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(t->db, sizeof(t->db), "%s/circd.db", t->dir);
	snprintf(t->lock, sizeof(t->lock), "%s.lock", t->db);
	snprintf(t->wal, sizeof(t->wal), "%s-wal", t->db);
	snprintf(t->mark, sizeof(t->mark), "%s.mark", t->db);
	snprintf(t->copy, sizeof(t->copy), "%s/copy.db", t->dir);
}

int tmp_remove(struct tmp *t)
{
	struct dirent *e;
	DIR *d;

	chmod(t->dir, 0700); /* a test may have made it read-only */
	d = opendir(t->dir);
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	return rmdir(t->dir);
}

struct store *tmp_store_open(const struct tmp *t)
{
	struct store *s = NULL;

	CHECK_INT(store_open(t->db, &s), 0);
	if (!s)
		exit(2);
	return s;
}

struct store *tmp_store_new(struct tmp *t, const char *tag)
{
	tmp_new(t, tag);
	return tmp_store_open(t);
}

sqlite3 *tmp_raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "raw_open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
		exit(2);
	}
	sqlite3_busy_timeout(db, 1000);
	return db;
}

void tmp_put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}
