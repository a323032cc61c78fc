/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket that circctl talks to: a unix stream socket, mode
 * 0660 (optionally chgrp'ed to a staff group). One request line per
 * connection, "<command> [json] [argument]"; the reply is a first line
 * "ok" or "error <message>", then the body, then the server closes.
 *
 * Up to 32 clients at once. One that sends no request within 2 s is
 * dropped, and when all slots are taken the oldest client that has not
 * asked yet makes room for a new one; one that stops reading its answer for
 * 5 s is dropped.
 *
 * control_new() refuses (-EEXIST) a path that names anything but a
 * socket, and (-EADDRINUSE) a socket someone still listens on; a stale
 * socket is replaced. control_free() accepts NULL; it closes every client
 * and unlinks the socket file only while it is still the one it bound.
 */
#ifndef CIRCD_CONTROL_H
#define CIRCD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct control;
struct loop;

#define CONTROL_CMD_MAX 32
#define CONTROL_ARG_MAX 128

struct control_request {
	char command[CONTROL_CMD_MAX];
	bool json;
	char arg[CONTROL_ARG_MAX];
};

/* Pure: parses one request line. -EINVAL for anything malformed. */
int control_request_parse(const char *line, size_t len, struct control_request *req);

/*
 * A body too long to build in one go (thousands of rows) is streamed: after
 * what the handler put in body, next() is called once per loop turn, each
 * time what was sent before has drained, to append the next slice to out.
 * It returns > 0 while more follows, 0 after the last slice, -errno when it
 * cannot go on (out then ends with a line saying so; the "ok" line has gone
 * already). free(state) is called once, when the stream ends or the client
 * goes; free may be NULL.
 */
struct control_stream {
	int (*next)(void *state, struct strbuf *out);
	void (*free)(void *state);
	void *state;
};

/*
 * Fills body for one request; returns 0, or -errno with body holding the
 * message for the "error" line. To stream the rest of the body, it sets
 * *stream (zeroed on entry); on an error return a stream set is freed.
 */
typedef int (*control_fn)(void *data, const struct control_request *req, struct strbuf *body,
			  struct control_stream *stream);

int control_new(struct loop *loop, const char *path, const char *group, control_fn fn, void *data,
		struct control **ret);
void control_free(struct control *ctl);

#endif
