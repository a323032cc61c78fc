/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket that circctl talks to: a unix stream socket, mode
 * 0660 (optionally chgrp'ed to a staff group). One request line per
 * connection, "<command> [json] [argument]"; the reply is a first line
 * "ok" or "error <message>", then the body, then the server closes.
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
 * Fills body for one request; returns 0, or -errno with body holding the
 * message for the "error" line.
 */
typedef int (*control_fn)(void *data, const struct control_request *req, struct strbuf *body);

int control_new(struct loop *loop, const char *path, const char *group, control_fn fn, void *data,
		struct control **ret);
void control_free(struct control *ctl);

#endif
