/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd's native journal protocol (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool journal_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > JOURNAL_NAME_MAX || name[0] == '_' ||
	    (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return false;
	return true;
}

/* Appends n bytes at *at, if they fit before end. */
static bool put(char **at, const char *end, const void *bytes, size_t n)
{
	if ((size_t)(end - *at) < n)
		return false;
	memcpy(*at, bytes, n);
	*at += n;
	return true;
}

int journal_encode(const struct journal_field *fields, size_t n, char *buf, size_t size,
		   size_t *len)
{
	char *at = buf;
	const char *end = buf + size;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct journal_field *f = &fields[i];
		size_t name_len = strlen(f->name);

		if (!journal_name_valid(f->name))
			return -EINVAL;
		if (!put(&at, end, f->name, name_len))
			return -ENOSPC;
		if (memchr(f->value, '\n', f->len)) {
			uint8_t le64[8];
			uint64_t v = f->len;
			unsigned b;

			/* Little-endian on any host, big-endian boards too. */
			for (b = 0; b < 8; b++, v >>= 8)
				le64[b] = (uint8_t)(v & 0xff);
			if (!put(&at, end, "\n", 1) || !put(&at, end, le64, sizeof(le64)))
				return -ENOSPC;
		} else if (!put(&at, end, "=", 1)) {
			return -ENOSPC;
		}
		if (!put(&at, end, f->value, f->len) || !put(&at, end, "\n", 1))
			return -ENOSPC;
	}
	*len = (size_t)(at - buf);
	return 0;
}

bool journal_stream_is(int fd, const char *journal_stream)
{
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (!journal_stream || !*journal_stream || journal_stream[0] == '-')
		return false;
	errno = 0;
	dev = strtoull(journal_stream, &end, 10);
	if (errno || end == journal_stream || *end != ':' || end[1] == '-')
		return false;
	journal_stream = end + 1;
	ino = strtoull(journal_stream, &end, 10);
	if (errno || end == journal_stream || *end)
		return false;
	if (fstat(fd, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
