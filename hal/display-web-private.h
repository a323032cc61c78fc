/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by display-web.c (the daemon on the loop, the pushed state),
 * display-web-input.c (the posted touches) and display-web-files.c (the
 * page's files).
 */
#ifndef CIRCD_HAL_DISPLAY_WEB_PRIVATE_H
#define CIRCD_HAL_DISPLAY_WEB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "display.h"

/* The per-start token: 128 random bits in hex. */
#define DISPLAY_WEB_TOKEN_LEN 32

struct display_web;

/* One page's /events: what it was sent, and whether MHD holds it suspended. */
struct event_stream {
	struct display_web *w;
	uint64_t sent_seq;
	char *pending; /* "data: <json>\n\n" being written */
	size_t pending_len, pending_off;
	bool suspended;
	bool heartbeat_due;
	struct MHD_Connection *conn;
	struct event_stream *next;
};

/* The backend's handle: the daemon on the loop, the token, the last state and its streams. */
struct display_web {
	struct hal_env env;
	struct display_events events;
	void *data;
	struct MHD_Daemon *daemon;
	struct loop_source *source;
	struct loop_timer mhd_timer;    /* MHD's own timeouts */
	struct loop_timer resume_timer; /* resumed streams need a turn of MHD's */
	struct loop_timer heartbeat_timer;
	char ui_dir[256];
	char token[DISPLAY_WEB_TOKEN_LEN + 1];
	char *state; /* the last state's JSON */
	size_t state_len;
	uint64_t seq;
	struct event_stream *streams;
	unsigned n_streams;
};

/* "localhost" or an IP literal, with an optional port: never a name DNS could point here. */
bool display_web_host_acceptable(const char *host);

/* An empty answer with status, and the common headers. */
enum MHD_Result display_web_status(struct MHD_Connection *conn, unsigned status);

/*
 * MHD's access handler for POST /input, called as MHD calls it: a first time
 * with nothing (*con_cls is set), then with the body in pieces, then with
 * *upload_size 0, when the touch is checked and its event called.
 */
enum MHD_Result display_web_input(struct display_web *w, struct MHD_Connection *conn,
				  const char *upload, size_t *upload_size, void **con_cls);
/* MHD_OPTION_NOTIFY_COMPLETED: the body is wiped (it may have held a PIN) and freed. */
void display_web_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode why);

/*
 * Whether name (the URL path without its leading '/') may be served from the
 * page's folder: one path segment of [A-Za-z0-9._-], not starting with a dot,
 * with an extension the page uses. Anything else, "../x" and "a/b" included,
 * is not found: no name can leave the folder. *type gets the Content-Type.
 */
bool display_web_file_name_ok(const char *name, const char **type);

/*
 * The response for file name in dir (NULL: not found or unreadable). The
 * page itself (index.html) gets token put in for its "@TOKEN@" and is never
 * cached, so a restarted circd's page carries the new token.
 */
struct MHD_Response *display_web_file(const char *dir, const char *name, const char *token);

/* Headers every response carries: no sniffing, no framing, no referrer. */
void display_web_common_headers(struct MHD_Response *response);

#endif
