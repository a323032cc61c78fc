/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pass-through sqlite VFS that reports "no room" (ENOSPC, EFBIG, EDQUOT)
 * as SQLITE_FULL, so a full disk is told apart from a failing one, and lets
 * one commit's WAL sync wait until the store asks for it. See store-vfs.c.
 */
#ifndef CIRCD_STORE_VFS_H
#define CIRCD_STORE_VFS_H

#define STORE_VFS_NAME "circd-nospace"

#include <sqlite3.h>
#include <stdbool.h>

/* Registers the VFS once (not as the default); 0 or -errno. */
int store_vfs_register(void);

/*
 * on: the next sync of db's WAL is owed, not done (the first one only);
 * off: a deferral nothing used is withdrawn. Set it just before a COMMIT,
 * withdraw it just after. -ENOENT when db has no WAL of this VFS open (the
 * commit is then synced as usual).
 */
int store_vfs_defer_sync(sqlite3 *db, bool on);
/* Does the sync owed, if any: 0, -ENOSPC or -EIO. */
int store_vfs_sync_owed(sqlite3 *db);
bool store_vfs_is_sync_owed(sqlite3 *db);

#endif
