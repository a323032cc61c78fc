/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store damage that sqlite cannot see:
 *
 * - the database file or its WAL deleted or replaced under a running circd:
 *   sqlite goes on writing into the open (unlinked, or superseded) inodes,
 *   every scan is told OK, and all of it is gone at the next start. Before
 *   each recording the paths are compared with what was opened;
 * - a start that finds fewer transactions than were acknowledged (a WAL
 *   sqlite truncated at a bad frame, an older copy put back): the high-water
 *   mark (store-mark.h) is kept outside the database and compared at open.
 *
 * Neither deletes or rewrites anything: the store says so (store_alarm(),
 * store_check_files()) and staff decide. What the vanished files held is
 * copied beside them when that is found.
 */
#include "store.h"
#include "store-mark.h"
#include "store-private.h"
#include "store-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *path_with(const char *path, const char *suffix)
{
	size_t len = strlen(path) + strlen(suffix) + 1;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s%s", path, suffix);
	return p;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_slot(int fd, unsigned slot, int64_t seq, enum store_mark_state state,
		      unsigned carries)
{
	struct store_mark mark = { .seq = seq, .state = state, .carries = carries };
	char buf[STORE_MARK_SLOT];
	ssize_t n;
	int r = store_mark_format(&mark, buf);

	if (r < 0)
		return r;
	n = pwrite(fd, buf, sizeof(buf), (off_t)slot * STORE_MARK_SLOT_STRIDE);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(buf) ? 0 : -EIO;
}

/* Both slots, durably: a new mark, a clean close, a mark read back unreadable. */
static int write_both(int fd, int64_t seq, enum store_mark_state state)
{
	int r = write_slot(fd, 0, seq, state, 1);

	if (r >= 0)
		r = write_slot(fd, 1, seq, state, 1);
	if (r >= 0 && fdatasync(fd) < 0)
		r = -errno;
	return r;
}

/*
 * A new mark file appears whole or not at all: written under a temporary
 * name, synced, renamed, and the directory synced. Its blocks are allocated
 * here once; later updates overwrite them in place.
 */
static int mark_create(struct store *store, int64_t seq)
{
	char *tmp = path_with(store->mark_path, ".tmp");
	int fd, r;

	if (!tmp)
		return -ENOMEM;
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_both(fd, seq, STORE_MARK_CLEAN);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, store->mark_path) < 0)
		r = -errno;
	if (r >= 0)
		r = fsync_dir_of(store->mark_path);
	if (r < 0) {
		close(fd);
		unlink(tmp); /* our own half-written temporary, never the mark */
		goto out;
	}
	store->mark_fd = fd;
out:
	free(tmp);
	return r;
}

static int mark_read(int fd, struct store_mark *mark)
{
	char buf[STORE_MARK_FILE_SIZE];
	size_t len = 0;

	while (len < sizeof(buf)) {
		ssize_t n = pread(fd, buf + len, sizeof(buf) - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return store_mark_parse(buf, len, mark);
}

static void remember_wal(struct store *store)
{
	struct stat st;

	if (!store->wal_known && stat(store->wal_path, &st) == 0) {
		store->wal_dev = st.st_dev;
		store->wal_ino = st.st_ino;
		store->wal_known = true;
	}
}

/* What the mark says about a journal ending at journal_seq. */
static void judge(struct store *store, const struct store_mark *mark, int64_t journal_seq)
{
	int64_t certain;

	/* a pending mark's commit: its own seq, and the ones of its stack below it */
	int64_t carried = mark->state == STORE_MARK_PENDING ? (mark->carries ? mark->carries : 1) : 0;

	store->mark_seq = mark->seq > journal_seq ? mark->seq : journal_seq;
	if (journal_seq >= mark->seq)
		return;
	if (carried && journal_seq >= mark->seq - carried) {
		/*
		 * circd stopped between writing the mark and the commit's end: the
		 * patrons were never told OK. The one loss this cannot tell from that:
		 * the very last commit before a crash, made and then lost by the
		 * storage. (A clean close writes the exact end, so after one even
		 * that shows.)
		 */
		if (carried == 1)
			snprintf(store->notice, sizeof(store->notice),
				 "seq %lld was being recorded when circd stopped and is not in the "
				 "journal: its patron was not told OK", (long long)mark->seq);
		else
			snprintf(store->notice, sizeof(store->notice),
				 "seq %lld to %lld were being recorded together when circd stopped "
				 "and are not in the journal: their patron was not told OK",
				 (long long)(mark->seq - carried + 1), (long long)mark->seq);
		return;
	}
	/* A pending commit was not necessarily acknowledged; the seqs below it were. */
	certain = mark->seq - carried;
	store->damage_seq = certain;
	snprintf(store->alarm, sizeof(store->alarm),
		 "DAMAGED: transactions up to seq %lld were acknowledged but the journal ends at "
		 "seq %lld: acknowledged transactions are missing (a damaged WAL, or an older "
		 "copy of the database?)", (long long)certain, (long long)journal_seq);
}

int store_guard_open(struct store *store, const char *path)
{
	struct store_mark mark;
	struct stat st;
	int64_t journal_seq;
	int r;

	store->mark_path = path_with(path, ".mark");
	store->sent_path = path_with(path, ".sent");
	store->wal_path = path_with(path, "-wal");
	store->path = strdup(path);
	if (!store->mark_path || !store->sent_path || !store->wal_path || !store->path)
		return -ENOMEM;
	/* By path, as store_check_files() looks (an fd's st_dev may differ, e.g. on overlayfs). */
	if (stat(path, &st) < 0)
		return -errno;
	store->db_dev = st.st_dev;
	store->db_ino = st.st_ino;
	remember_wal(store);

	r = store_max_seq(store, &journal_seq);
	if (r < 0)
		return r;
	store->guard_ready = true;
	store->mark_seq = journal_seq;
	store->mark_fd = open(store->mark_path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (store->mark_fd < 0 && errno != ENOENT) {
		store->mark_err = -errno;
		return 0;
	}
	if (store->mark_fd < 0) {
		/* A new store, or one from before the mark: it vouches from now on. */
		store->mark_err = mark_create(store, journal_seq);
		return 0;
	}
	r = mark_read(store->mark_fd, &mark);
	if (r < 0) {
		snprintf(store->alarm, sizeof(store->alarm),
			 "the high-water mark %s was unreadable (%s): whether acknowledged "
			 "transactions are missing is unknown; it starts again at seq %lld",
			 store->mark_path, strerror(-r), (long long)journal_seq);
		store->mark_err = write_both(store->mark_fd, journal_seq, STORE_MARK_ACKED);
		return 0;
	}
	judge(store, &mark, journal_seq);
	return 0;
}

void store_guard_close(struct store *store)
{
	int64_t journal_seq;

	/*
	 * A clean close says exactly where the journal ends, so a later loss of
	 * even the last transaction shows. Not when the files were deleted or
	 * replaced: what this journal holds is not what the path will hold.
	 */
	if (store->guard_ready && store->mark_fd >= 0 && !store->files_err &&
	    store_max_seq(store, &journal_seq) >= 0) {
		if (journal_seq < store->damage_seq)
			journal_seq = store->damage_seq; /* still missing: never lowered */
		write_both(store->mark_fd, journal_seq, STORE_MARK_CLEAN);
	}
	if (store->mark_fd >= 0)
		close(store->mark_fd);
	store->mark_fd = -1;
	store->guard_ready = false;
}

void store_guard_free(struct store *store)
{
	/* After sqlite3_close(): closing any fd of the database drops sqlite's POSIX locks. */
	if (store->db_fd >= 0)
		close(store->db_fd);
	if (store->sent_fd >= 0)
		close(store->sent_fd);
	free(store->sent_path);
	free(store->mark_path);
	free(store->wal_path);
	free(store->path);
}

/*
 * The mark reaches the device before the commit's sync, which then flushes
 * the device's write cache with it: durable when the commit is, at no flush
 * of its own (a second fdatasync per scan doubled P1's latency). This holds
 * where the mark's blocks are overwritten in place, as on ext4: they were
 * allocated when the file was made. store_settle() waits for the mark
 * before it syncs the journal.
 */
/* The mark file's bytes on the disk; wait = false only starts the writeback. */
static int mark_flush(int fd, off_t offset, off_t len, bool wait)
{
	unsigned flags = SYNC_FILE_RANGE_WRITE;

	if (wait)
		flags |= SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER;
	if (sync_file_range(fd, offset, len, flags) == 0)
		return 0;
	if (errno == ENOSYS || errno == EINVAL || errno == ESPIPE)
		return fdatasync(fd) < 0 ? -errno : 0;
	return -errno;
}

int store_guard_before_commit(struct store *store, int64_t seq, unsigned carries)
{
	unsigned slot = store->mark_writes % 2;
	int r;

	if (seq <= store->mark_seq)
		return 0; /* the durable mark covers it already */
	if (store->mark_fd < 0)
		return store->mark_err ? store->mark_err : -EBADF;
	r = write_slot(store->mark_fd, slot, seq, STORE_MARK_PENDING, carries);
	if (r >= 0)
		r = mark_flush(store->mark_fd, (off_t)slot * STORE_MARK_SLOT_STRIDE,
			       STORE_MARK_SLOT, false);
	store->mark_writes++;
	store->mark_unsettled = r >= 0;
	if (r >= 0)
		store->mark_seq = seq;
	return r;
}

int store_settle(struct store *store)
{
	int r = 0, r_wal;

	if (!store)
		return 0;
	/*
	 * The mark first: its writeback began before the commit, so waiting for
	 * it now costs little, and the journal's sync then flushes the device's
	 * cache over it (see mark_flush()).
	 */
	if (store->mark_unsettled) {
		store->mark_unsettled = false;
		r = mark_flush(store->mark_fd, 0, STORE_MARK_FILE_SIZE, true);
		if (r < 0)
			store->mark_err = r;
	}
	r_wal = store_vfs_sync_owed(store->db);
	/*
	 * A journal whose writes may not have reached the disk: like a file
	 * replaced under us, nothing more is recorded (sticky) rather than
	 * acknowledge transactions a power cut could take.
	 */
	if (r_wal < 0 && !store->files_err) {
		snprintf(store->files_alarm, sizeof(store->files_alarm),
			 "%s: the journal could not be written to the disk (%s); nothing more is "
			 "recorded until circd is restarted",
			 store->path, strerror(-r_wal));
		store->files_err = r_wal;
		store_set_errmsg(store, store->files_alarm);
	}
	return r_wal < 0 ? r_wal : r;
}

bool store_settle_owed(struct store *store)
{
	return store && (store->mark_unsettled || store_vfs_is_sync_owed(store->db));
}

/*
 * What the open files hold is gone once circd exits: a copy goes beside
 * the path at once, through sqlite (which still reads the deleted or
 * superseded files, WAL included), private like the store. Never over
 * anything: the name is new, and O_EXCL.
 */
static int rescue_copy(struct store *store, char *name, size_t size)
{
	sqlite3_stmt *stmt;
	int fd, rc, r = 0;

	if ((size_t)snprintf(name, size, "%s.rescued-%lld-%d", store->path, (long long)time(NULL),
			     (int)getpid()) >= size)
		return -ENAMETOOLONG;
	fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	/* VACUUM INTO wants a file that does not exist or is empty: this one is ours and empty. */
	rc = sqlite3_prepare_v2(store->db, "VACUUM INTO ?1", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		rc = store_step(store, stmt);
		sqlite3_finalize(stmt);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		r = -EIO;
		unlink(name); /* our own empty or partial copy, never the store */
	}
	return r;
}

static int files_fail(struct store *store, const char *what)
{
	char copy[320];
	int r = rescue_copy(store, copy, sizeof(copy));

	snprintf(store->files_alarm, sizeof(store->files_alarm),
		 "%s was %s while circd was running; nothing more is recorded until circd "
		 "is restarted (what it holds is still forwarded and can be exported; %s%s)",
		 store->path, what, r < 0 ? "a copy could not be saved: " : "a copy is saved as ",
		 r < 0 ? strerror(-r) : copy);
	store->files_err = -ESTALE;
	store_set_errmsg(store, store->files_alarm);
	return store->files_err;
}

int store_check_files(struct store *store)
{
	struct stat st;

	if (!store)
		return -EINVAL;
	if (store->files_err)
		goto out;
	if (stat(store->path, &st) < 0)
		return files_fail(store, errno == ENOENT ? "deleted" : "made unreachable");
	if (st.st_dev != store->db_dev || st.st_ino != store->db_ino)
		return files_fail(store, "replaced by another file");
	if (fstat(store->db_fd, &st) == 0 && st.st_nlink == 0)
		return files_fail(store, "deleted");
	if (!store->wal_known) {
		remember_wal(store);
		return 0;
	}
	if (stat(store->wal_path, &st) < 0) {
		if (errno == ENOENT)
			return files_fail(store,
					  "left without its WAL (the -wal file was deleted)");
		return files_fail(store, "left with an unreachable WAL");
	}
	if (st.st_dev != store->wal_dev || st.st_ino != store->wal_ino)
		return files_fail(store, "given another WAL (the -wal file was replaced)");
out:
	store_set_errmsg(store, store->files_alarm);
	return store->files_err;
}

const char *store_alarm(const struct store *store)
{
	if (!store)
		return "";
	if (store->files_err)
		return store->files_alarm;
	return store->alarm;
}

int store_mark_status(const struct store *store, int64_t *mark)
{
	if (!store)
		return -EINVAL;
	if (mark)
		*mark = store->mark_seq;
	return store->mark_err;
}

const char *store_notice(const struct store *store)
{
	return store ? store->notice : "";
}
