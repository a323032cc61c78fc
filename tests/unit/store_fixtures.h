/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Schemas as earlier circd versions wrote them, for the migration tests.
 * Fixtures: they must never follow store.c.
 */
#ifndef CIRCD_TEST_STORE_FIXTURES_H
#define CIRCD_TEST_STORE_FIXTURES_H

#define STORE_V1_SCHEMA \
	"CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE," \
	" kind TEXT NOT NULL CHECK(kind IN ('checkout','checkin','renew'))," \
	" patron TEXT NOT NULL DEFAULT '', item TEXT NOT NULL, session_id TEXT NOT NULL DEFAULT ''," \
	" wall_ms INTEGER NOT NULL, mono_ms INTEGER NOT NULL, boot_id TEXT NOT NULL," \
	" mode TEXT NOT NULL CHECK(mode IN ('online','offline'))," \
	" state TEXT NOT NULL CHECK(state IN" \
	" ('pending','forwarded','confirmed','conflict','failed'))," \
	" due_ms INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL DEFAULT ''," \
	" updated_ms INTEGER NOT NULL);" \
	"CREATE INDEX journal_state ON journal(state, seq);" \
	"CREATE TABLE loans(item TEXT PRIMARY KEY, patron TEXT NOT NULL," \
	" txn_id TEXT NOT NULL REFERENCES journal(id), since_ms INTEGER NOT NULL," \
	" due_ms INTEGER NOT NULL DEFAULT 0);" \
	"CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal" \
	" BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;" \
	"CREATE TRIGGER journal_no_rewrite BEFORE UPDATE ON journal" \
	" WHEN NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind" \
	" OR NEW.patron IS NOT OLD.patron OR NEW.item IS NOT OLD.item" \
	" OR NEW.session_id IS NOT OLD.session_id OR NEW.wall_ms IS NOT OLD.wall_ms" \
	" OR NEW.mono_ms IS NOT OLD.mono_ms OR NEW.boot_id IS NOT OLD.boot_id" \
	" OR NEW.mode IS NOT OLD.mode" \
	" BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"

#define STORE_V2_SCHEMA STORE_V1_SCHEMA \
	"CREATE TABLE patron_cache(key_hash TEXT PRIMARY KEY, salt BLOB NOT NULL," \
	" allowed INTEGER NOT NULL, fetched_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);"

#endif
