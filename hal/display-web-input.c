/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patron's touches, posted to /input: taken only with this start's token
 * from the page's own origin (a browser adds Origin to every POST, and only
 * the page circd served holds the token), each one parsed by
 * display-codec.c and handed to its event. Anything else is 403 and a
 * warning for staff: something other than the kiosk's page tried to drive
 * the kiosk.
 */
#include "display-web-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display-codec.h"

/* The longest body a touch needs, with room to spare. */
#define INPUT_BODY_MAX 256

/* The body of a POST while it arrives. */
struct request {
	char body[INPUT_BODY_MAX + 1];
	size_t len;
	bool too_long;
};

/* "localhost" or an IP literal, with an optional port: a name that DNS could point here is not. */
bool display_web_host_acceptable(const char *host)
{
	char name[64];
	unsigned char addr[16];
	const char *end;
	size_t n;

	if (!host || !*host)
		return false;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end || (size_t)(end - host - 1) >= sizeof(name))
			return false;
		n = (size_t)(end - host - 1);
		memcpy(name, host + 1, n);
		name[n] = '\0';
		return inet_pton(AF_INET6, name, addr) == 1 && (!end[1] || end[1] == ':');
	}
	n = strcspn(host, ":");
	if (n >= sizeof(name))
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	return strcmp(name, "localhost") == 0 || inet_pton(AF_INET, name, addr) == 1;
}

static bool same_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned diff = la != lb;

	/* Compared whole, so how long it takes says nothing of the token. */
	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* The page's own origin sent it, with this start's token. */
static bool input_allowed(struct display_web *w, struct MHD_Connection *conn)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *token = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Circd-Token");
	char own[128];

	if (!host || !origin || !token)
		return false;
	snprintf(own, sizeof(own), "http://%s", host);
	return same_text(origin, own) && same_text(token, w->token);
}

static void dispatch_input(struct display_web *w, const struct display_input *in)
{
	const struct display_events *ev = &w->events;

	switch (in->action) {
	case DISPLAY_ACTION_PIN:
		if (ev->pin)
			ev->pin(w->data, in->value);
		break;
	case DISPLAY_ACTION_DONE:
		if (ev->done)
			ev->done(w->data);
		break;
	case DISPLAY_ACTION_LANGUAGE:
		if (ev->language)
			ev->language(w->data, in->value);
		break;
	case DISPLAY_ACTION_RECEIPT:
		if (ev->receipt)
			ev->receipt(w->data, strcmp(in->value, "yes") == 0);
		break;
	case DISPLAY_ACTION_HELP:
		if (ev->help)
			ev->help(w->data);
		break;
	}
}

enum MHD_Result display_web_input(struct display_web *w, struct MHD_Connection *conn,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	struct request *req = *con_cls;
	struct display_input in;
	int r;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size) {
		if (req->len + *upload_size > INPUT_BODY_MAX)
			req->too_long = true;
		else
			memcpy(req->body + req->len, upload, *upload_size);
		req->len += req->too_long ? 0 : *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!input_allowed(w, conn)) {
		/* Something other than the kiosk's page tried to drive the kiosk: staff should know. */
		hal_report(&w->env, HAL_LEVEL_WARNING,
			   "display: a touch refused (no token of this start, or another origin)");
		return display_web_status(conn, MHD_HTTP_FORBIDDEN);
	}
	if (req->too_long)
		return display_web_status(conn, MHD_HTTP_CONTENT_TOO_LARGE);
	r = display_input_parse(req->body, req->len, &in);
	if (r < 0) {
		hal_report(&w->env, HAL_LEVEL_WARNING, "display: a touch not understood");
		return display_web_status(conn, MHD_HTTP_BAD_REQUEST);
	}
	dispatch_input(w, &in);
	explicit_bzero(&in, sizeof(in));
	return display_web_status(conn, MHD_HTTP_NO_CONTENT);
}

void display_web_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode why)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)why;
	if (req) {
		/* It may have held a PIN. */
		explicit_bzero(req, sizeof(*req));
		free(req);
		*con_cls = NULL;
	}
}
