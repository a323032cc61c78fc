/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log of returns sent (see store-sent.h). */
#include "store-sent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

/* One line: the txn id and a newline, written in one write() (not torn by a kill). */
#define SENT_LINE_LEN (TXN_ID_LEN + 1)
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
/* The first line: "boot " and the kernel's boot id. */
#define HEADER_PREFIX "boot "
#define HEADER_LEN (sizeof(HEADER_PREFIX) - 1 + TXN_ID_LEN + 1)

/* This boot's id, read once; "" when the kernel does not say (then no log is trusted). */
static const char *this_boot(struct store *store)
{
	char buf[TXN_ID_LEN + 2];
	ssize_t n;
	int fd;

	if (store->sent_boot[0] || store->sent_boot_read)
		return store->sent_boot;
	store->sent_boot_read = true;
	fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return store->sent_boot;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n >= TXN_ID_LEN) {
		memcpy(store->sent_boot, buf, TXN_ID_LEN);
		store->sent_boot[TXN_ID_LEN] = '\0';
	}
	return store->sent_boot;
}

static int sent_open(struct store *store, int flags)
{
	if (!store->sent_path)
		return -EINVAL;
	return open(store->sent_path, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
}

/* A line cut short by a power cut is ended, so the next one stands on its own. */
static void end_cut_line(int fd)
{
	struct stat st;
	char last;

	/* Not ended (write fails): the next line joins the cut one, at worst a return sent twice. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n')
		(void)!write(fd, "\n", 1);
}

/* The log open for appending; a new (empty) one gets this boot's header first. */
static int log_ready(struct store *store)
{
	const char *boot = this_boot(store);
	char header[HEADER_LEN + 1];
	struct stat st;
	int n;

	if (store->sent_fd < 0) {
		store->sent_fd = sent_open(store, O_RDWR | O_APPEND | O_CREAT);
		if (store->sent_fd < 0)
			return -errno;
		store->sent_begun = false;
		end_cut_line(store->sent_fd);
	}
	/* Only this process writes or empties it: once begun, it stays so until emptied. */
	if (store->sent_begun)
		return 0;
	if (fstat(store->sent_fd, &st) < 0)
		return -errno;
	if (st.st_size || !boot[0]) {
		store->sent_begun = st.st_size > 0;
		return 0;
	}
	n = snprintf(header, sizeof(header), HEADER_PREFIX "%s\n", boot);
	if (write(store->sent_fd, header, (size_t)n) != n)
		return errno ? -errno : -EIO;
	store->sent_begun = true;
	return 0;
}

int store_sent_prepare(struct store *store)
{
	return log_ready(store);
}

int store_note_sent(struct store *store, const char *id)
{
	char line[SENT_LINE_LEN + 1];
	int n, r;

	if (!store || !id || strlen(id) != TXN_ID_LEN)
		return -EINVAL;
	r = log_ready(store);
	if (r < 0)
		return r;
	n = snprintf(line, sizeof(line), "%s\n", id);
	store->sent_empty = false;
	if (write(store->sent_fd, line, (size_t)n) != n)
		return errno ? -errno : -EIO;
	return 0;
}

/* Whether a whole line of buf[0..len) is id; *used: the bytes up to the last newline. */
static bool lines_name(const char *buf, size_t len, const char *id, size_t *used)
{
	const char *line = buf, *nl;

	while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
		if (nl - line == TXN_ID_LEN && memcmp(line, id, TXN_ID_LEN) == 0)
			return true;
		line = nl + 1;
	}
	*used = (size_t)(line - buf);
	return false;
}

/* Whether fd's first line (read at offset 0) names this boot. */
static bool log_of_this_boot_at(struct store *store, int fd)
{
	const char *boot = this_boot(store);
	char header[HEADER_LEN];

	return boot[0] && pread(fd, header, sizeof(header), 0) == (ssize_t)sizeof(header) &&
	       memcmp(header, HEADER_PREFIX, sizeof(HEADER_PREFIX) - 1) == 0 &&
	       memcmp(header + sizeof(HEADER_PREFIX) - 1, boot, TXN_ID_LEN) == 0 &&
	       header[HEADER_LEN - 1] == '\n';
}

enum store_sent store_sent_status(struct store *store, const char *id)
{
	char buf[64 * SENT_LINE_LEN];
	enum store_sent status = STORE_SENT_UNKNOWN;
	size_t have = 0, used = 0;
	int fd;

	if (!store || !id || strlen(id) != TXN_ID_LEN)
		return STORE_SENT_UNKNOWN;
	fd = sent_open(store, O_RDONLY);
	if (fd < 0)
		return STORE_SENT_UNKNOWN;
	if (!log_of_this_boot_at(store, fd) || lseek(fd, HEADER_LEN, SEEK_SET) < 0) {
		close(fd);
		return STORE_SENT_UNKNOWN;
	}
	/*
	 * Asked only after a crash, and the log holds about a batch: a plain
	 * scan, line by line, so a line cut short spoils only itself.
	 */
	status = STORE_SENT_NO;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);

		if (n < 0)
			status = STORE_SENT_UNKNOWN;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (lines_name(buf, have, id, &used)) {
			status = STORE_SENT_YES;
			break;
		}
		if (used == 0 && have == sizeof(buf))
			used = have; /* a line longer than the buffer is no id */
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	close(fd);
	return status;
}

int store_sent_forget(struct store *store)
{
	struct stat st;
	int r;

	if (!store)
		return -EINVAL;
	/* Asked at every idle step of forwarding: nothing to do when nothing was logged since. */
	if (store->sent_empty)
		return 0;
	r = log_ready(store);
	if (r < 0)
		return r;
	if (fstat(store->sent_fd, &st) < 0)
		return -errno;
	/* Emptied, and started again in this boot: a crash from here on is judged by it. */
	if ((size_t)st.st_size != HEADER_LEN || !log_of_this_boot_at(store, store->sent_fd)) {
		if (ftruncate(store->sent_fd, 0) < 0)
			return -errno;
		store->sent_begun = false;
		r = log_ready(store);
	}
	store->sent_empty = r >= 0;
	return r;
}
