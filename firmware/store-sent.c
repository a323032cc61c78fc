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

int store_note_sent(struct store *store, const char *id)
{
	char line[SENT_LINE_LEN + 1];
	int n;

	if (!store || !id || strlen(id) != TXN_ID_LEN)
		return -EINVAL;
	if (store->sent_fd < 0) {
		store->sent_fd = sent_open(store, O_RDWR | O_APPEND | O_CREAT);
		if (store->sent_fd < 0)
			return -errno;
		end_cut_line(store->sent_fd);
	}
	n = snprintf(line, sizeof(line), "%s\n", id);
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

bool store_was_sent(struct store *store, const char *id)
{
	char buf[64 * SENT_LINE_LEN];
	bool found = false;
	size_t have = 0, used = 0;
	int fd;

	if (!store || !id || strlen(id) != TXN_ID_LEN)
		return false;
	fd = sent_open(store, O_RDONLY);
	if (fd < 0)
		return false;
	/*
	 * Asked only after a crash, and the log holds about a batch: a plain
	 * scan, line by line, so a line cut short by a power cut spoils only
	 * itself.
	 */
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);

		if (n <= 0)
			break;
		have += (size_t)n;
		found = lines_name(buf, have, id, &used);
		if (found)
			break;
		if (used == 0 && have == sizeof(buf))
			used = have; /* a line longer than the buffer is no id */
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	close(fd);
	return found;
}

int store_sent_forget(struct store *store)
{
	struct stat st;

	if (!store)
		return -EINVAL;
	if (store->sent_fd < 0) {
		store->sent_fd = sent_open(store, O_WRONLY | O_APPEND);
		if (store->sent_fd < 0)
			return errno == ENOENT ? 0 : -errno;
	}
	if (fstat(store->sent_fd, &st) < 0)
		return -errno;
	if (st.st_size && ftruncate(store->sent_fd, 0) < 0)
		return -errno;
	return 0;
}
