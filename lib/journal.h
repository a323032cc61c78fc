/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd's native journal protocol, as systemd documents it ("Native
 * Journal Protocol", systemd.io/JOURNAL_NATIVE_PROTOCOL): one datagram per
 * record, sent to the AF_UNIX socket /run/systemd/journal/socket, holding
 * fields "NAME=value\n". A value with a newline in it goes in the binary-safe
 * form instead: "NAME\n", the value's length as a little-endian 64-bit
 * integer, the value, "\n". A name is 1-64 of A-Z, 0-9 and '_', not starting
 * with '_' (journald's own trusted fields) or a digit.
 *
 * Whether stderr goes to the journal is told by $JOURNAL_STREAM, which systemd
 * sets to the stream's "device:inode" (decimal) for a service whose output it
 * connects to journald (systemd.exec(5)): a daemon compares it with fstat()
 * of its stderr, since a child with redirected output inherits the variable.
 *
 * Nothing here allocates; nothing to free.
 */
#ifndef CIRCD_JOURNAL_H
#define CIRCD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNAL_NAME_MAX 64

struct journal_field {
	const char *name;
	const char *value;
	size_t len; /* of value, which need not be NUL-terminated */
};

bool journal_name_valid(const char *name);

/*
 * Pure: the datagram of n fields, into buf. 0 and its length in *len;
 * -EINVAL for a name the journal would refuse; -ENOSPC when it does not fit
 * (buf's contents are then unspecified).
 */
int journal_encode(const struct journal_field *fields, size_t n, char *buf, size_t size,
		   size_t *len);

/* Whether fd is the stream journal_stream ($JOURNAL_STREAM, may be NULL) names. */
bool journal_stream_is(int fd, const char *journal_stream);

#endif
