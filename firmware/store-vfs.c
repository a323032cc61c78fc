/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store-vfs.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * A pass-through VFS over the default one, for two reasons. First, the unix VFS
 * reports only ENOSPC as SQLITE_FULL. A write refused with EFBIG
 * (RLIMIT_FSIZE, the filesystem's file size limit) or EDQUOT comes back as a
 * bare SQLITE_IOERR_*, and on the commit path sqlite (3.40) does not even
 * set sqlite3_system_errno(). Here, right after the failing call, the errno
 * is still that call's: "no room" becomes SQLITE_FULL, hence -ENOSPC. sqlite
 * handles SQLITE_FULL and SQLITE_IOERR alike (rollback, pager reset).
 *
 * Second, an online transaction's commit may leave its WAL sync owed
 * (store_vfs_defer_sync()): the request goes to the ILS first, and the sync
 * runs while the ILS works (store_vfs_sync_owed()). Only the first sync
 * after the deferral is owed; any later one (a checkpoint's, say) is done
 * as asked, and pays what was owed with it.
 */
struct nospace_file {
	sqlite3_file base;
	sqlite3_file *real; /* lives right after this struct, in the same allocation */
	bool defer_next_sync;
	bool sync_owed;
	int owed_flags;
};

/* Our own file-control opcodes, on the WAL file only; sqlite's are small numbers. */
#define FCNTL_DEFER_NEXT_SYNC 0x43495243 /* "CIRC" */
#define FCNTL_SYNC_OWED (FCNTL_DEFER_NEXT_SYNC + 1)
#define FCNTL_IS_SYNC_OWED (FCNTL_DEFER_NEXT_SYNC + 2)

#define REAL(f) (((struct nospace_file *)(f))->real)

static int no_space(sqlite3_file *real, int rc, int saved_errno)
{
	int last = 0, rc_last;

	if ((rc & 0xff) != SQLITE_IOERR)
		return rc;
	/* The unix VFS keeps the failing call's errno on the file; errno is the fallback. */
	rc_last = real->pMethods->xFileControl(real, SQLITE_FCNTL_LAST_ERRNO, &last);
	if (rc_last != SQLITE_OK || !last)
		last = saved_errno;
	return last == ENOSPC || last == EFBIG || last == EDQUOT ? SQLITE_FULL : rc;
}

static int nospace_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int nospace_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int nospace_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	int rc = REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);

	return no_space(REAL(f), rc, errno);
}

static int nospace_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = REAL(f)->pMethods->xTruncate(REAL(f), size);

	return no_space(REAL(f), rc, errno);
}

static int nospace_sync(sqlite3_file *f, int flags)
{
	struct nospace_file *p = (struct nospace_file *)f;
	int rc;

	if (p->defer_next_sync) {
		p->defer_next_sync = false;
		p->sync_owed = true;
		p->owed_flags = flags;
		return SQLITE_OK;
	}
	rc = REAL(f)->pMethods->xSync(REAL(f), flags);
	if (rc == SQLITE_OK)
		p->sync_owed = false;
	return no_space(REAL(f), rc, errno);
}

/* What store_vfs_* ask of the WAL file; anything else goes to the real file. */
static int own_file_control(struct nospace_file *p, int op, void *arg)
{
	switch (op) {
	case FCNTL_DEFER_NEXT_SYNC:
		p->defer_next_sync = *(bool *)arg;
		return SQLITE_OK;
	case FCNTL_SYNC_OWED:
		p->defer_next_sync = false;
		return p->sync_owed ? nospace_sync(&p->base, p->owed_flags) : SQLITE_OK;
	case FCNTL_IS_SYNC_OWED:
		*(bool *)arg = p->sync_owed;
		return SQLITE_OK;
	default:
		return SQLITE_NOTFOUND;
	}
}

static int nospace_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int nospace_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int nospace_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int nospace_check_reserved_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int nospace_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int nospace_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int nospace_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int nospace_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
	int rc = REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
	int saved_errno = errno;

	/* The -shm file has its own descriptor: the db file's last errno is not about it. */
	if ((rc & 0xff) == SQLITE_IOERR &&
	    (saved_errno == ENOSPC || saved_errno == EFBIG || saved_errno == EDQUOT))
		return SQLITE_FULL;
	return rc;
}

static int nospace_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void nospace_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int nospace_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int nospace_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, out);
}

static int nospace_unfetch(sqlite3_file *f, sqlite3_int64 off, void *page)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, page);
}

/* One table per io_methods version, so sqlite never calls what the real file lacks. */
#define NOSPACE_IO_METHODS(version)                                                              \
	{                                                                                        \
		.iVersion = (version), .xClose = nospace_close, .xRead = nospace_read,           \
		.xWrite = nospace_write, .xTruncate = nospace_truncate, .xSync = nospace_sync,   \
		.xFileSize = nospace_file_size, .xLock = nospace_lock,                           \
		.xUnlock = nospace_unlock, .xCheckReservedLock = nospace_check_reserved_lock,    \
		.xFileControl = nospace_file_control, .xSectorSize = nospace_sector_size,        \
		.xDeviceCharacteristics = nospace_device_characteristics,                        \
		.xShmMap = nospace_shm_map, .xShmLock = nospace_shm_lock,                        \
		.xShmBarrier = nospace_shm_barrier, .xShmUnmap = nospace_shm_unmap,              \
		.xFetch = nospace_fetch, .xUnfetch = nospace_unfetch,                            \
	}

static const sqlite3_io_methods nospace_io_methods[] = {
	NOSPACE_IO_METHODS(1),
	NOSPACE_IO_METHODS(2),
	NOSPACE_IO_METHODS(3),
};

#define ROOT_VFS(vfs) ((sqlite3_vfs *)(vfs)->pAppData)

static int nospace_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
			int *out_flags)
{
	struct nospace_file *p = (struct nospace_file *)f;
	int version, rc;

	p->real = (sqlite3_file *)(p + 1);
	p->defer_next_sync = p->sync_owed = false;
	rc = ROOT_VFS(vfs)->xOpen(ROOT_VFS(vfs), name, p->real, flags, out_flags);
	if (!p->real->pMethods) {
		p->base.pMethods = NULL;
		return rc;
	}
	version = p->real->pMethods->iVersion;
	if (version < 1)
		version = 1;
	if (version > (int)ARRAY_SIZE(nospace_io_methods))
		version = (int)ARRAY_SIZE(nospace_io_methods);
	/* Set even on failure: sqlite then calls xClose, which the real file needs. */
	p->base.pMethods = &nospace_io_methods[version - 1];
	return rc;
}

static int nospace_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	return ROOT_VFS(vfs)->xDelete(ROOT_VFS(vfs), name, sync_dir);
}

static int nospace_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return ROOT_VFS(vfs)->xAccess(ROOT_VFS(vfs), name, flags, out);
}

static int nospace_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out)
{
	return ROOT_VFS(vfs)->xFullPathname(ROOT_VFS(vfs), name, size, out);
}

static void *nospace_dl_open(sqlite3_vfs *vfs, const char *name)
{
	return ROOT_VFS(vfs)->xDlOpen(ROOT_VFS(vfs), name);
}

static void nospace_dl_error(sqlite3_vfs *vfs, int size, char *out)
{
	ROOT_VFS(vfs)->xDlError(ROOT_VFS(vfs), size, out);
}

static void (*nospace_dl_sym(sqlite3_vfs *vfs, void *handle, const char *sym))(void)
{
	return ROOT_VFS(vfs)->xDlSym(ROOT_VFS(vfs), handle, sym);
}

static void nospace_dl_close(sqlite3_vfs *vfs, void *handle)
{
	ROOT_VFS(vfs)->xDlClose(ROOT_VFS(vfs), handle);
}

static int nospace_randomness(sqlite3_vfs *vfs, int size, char *out)
{
	return ROOT_VFS(vfs)->xRandomness(ROOT_VFS(vfs), size, out);
}

static int nospace_sleep(sqlite3_vfs *vfs, int usec)
{
	return ROOT_VFS(vfs)->xSleep(ROOT_VFS(vfs), usec);
}

static int nospace_current_time(sqlite3_vfs *vfs, double *out)
{
	return ROOT_VFS(vfs)->xCurrentTime(ROOT_VFS(vfs), out);
}

static int nospace_get_last_error(sqlite3_vfs *vfs, int size, char *out)
{
	return ROOT_VFS(vfs)->xGetLastError(ROOT_VFS(vfs), size, out);
}

static int nospace_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	sqlite3_vfs *root = ROOT_VFS(vfs);
	double days;
	int rc;

	if (root->iVersion >= 2 && root->xCurrentTimeInt64)
		return root->xCurrentTimeInt64(root, out);
	rc = root->xCurrentTime(root, &days);
	*out = (sqlite3_int64)(days * 86400000.0);
	return rc;
}

static sqlite3_vfs nospace_vfs = {
	.iVersion = 2,
	.mxPathname = 0, /* from the root VFS at registration */
	.zName = STORE_VFS_NAME,
	.xOpen = nospace_open,
	.xDelete = nospace_delete,
	.xAccess = nospace_access,
	.xFullPathname = nospace_full_pathname,
	.xDlOpen = nospace_dl_open,
	.xDlError = nospace_dl_error,
	.xDlSym = nospace_dl_sym,
	.xDlClose = nospace_dl_close,
	.xRandomness = nospace_randomness,
	.xSleep = nospace_sleep,
	.xCurrentTime = nospace_current_time,
	.xGetLastError = nospace_get_last_error,
	.xCurrentTimeInt64 = nospace_current_time_int64,
};

int store_vfs_register(void)
{
	sqlite3_vfs *root;
	int rc;

	if (sqlite3_vfs_find(STORE_VFS_NAME))
		return 0;
	rc = sqlite3_initialize();
	if (rc != SQLITE_OK)
		return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
	root = sqlite3_vfs_find(NULL);
	if (!root)
		return -ENOSYS;
	nospace_vfs.szOsFile = (int)sizeof(struct nospace_file) + root->szOsFile;
	nospace_vfs.mxPathname = root->mxPathname;
	nospace_vfs.pAppData = root;
	rc = sqlite3_vfs_register(&nospace_vfs, 0);
	return rc == SQLITE_OK ? 0 : (rc == SQLITE_NOMEM ? -ENOMEM : -EIO);
}

/* The WAL file of db's main database, if it is open and ours; else NULL. */
static struct nospace_file *wal_file(sqlite3 *db)
{
	sqlite3_file *f = NULL;

	if (!db || sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(nospace_io_methods); i++)
		if (f->pMethods == &nospace_io_methods[i])
			return (struct nospace_file *)f;
	return NULL;
}

int store_vfs_defer_sync(sqlite3 *db, bool on)
{
	struct nospace_file *wal = wal_file(db);

	if (!wal)
		return -ENOENT;
	return own_file_control(wal, FCNTL_DEFER_NEXT_SYNC, &on) == SQLITE_OK ? 0 : -EIO;
}

int store_vfs_sync_owed(sqlite3 *db)
{
	struct nospace_file *wal = wal_file(db);
	int rc;

	if (!wal)
		return 0;
	rc = own_file_control(wal, FCNTL_SYNC_OWED, NULL);
	if (rc == SQLITE_OK)
		return 0;
	return rc == SQLITE_FULL ? -ENOSPC : -EIO;
}

bool store_vfs_is_sync_owed(sqlite3 *db)
{
	struct nospace_file *wal = wal_file(db);
	bool owed = false;

	if (wal)
		own_file_control(wal, FCNTL_IS_SYNC_OWED, &owed);
	return owed;
}
