/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pass-through sqlite VFS that reports "no room" (ENOSPC, EFBIG, EDQUOT)
 * as SQLITE_FULL, so a full disk is told apart from a failing one. See
 * store-vfs.c for why sqlite does not do that itself.
 */
#ifndef CIRCD_STORE_VFS_H
#define CIRCD_STORE_VFS_H

#define STORE_VFS_NAME "circd-nospace"

/* Registers the VFS once (not as the default); 0 or -errno. */
int store_vfs_register(void);

#endif
