/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patron's touch screen: circd serves the page (libmicrohttpd) to a
 * browser on the kiosk, pushes each state as a Server-Sent Event on
 * /events, and takes the patron's touches as POSTs to /input.
 *
 * No thread of its own: the daemon runs in external-epoll mode, its epoll fd
 * is one source on circd's loop and MHD_run() is called when it is ready or
 * when MHD_get_timeout() says a timeout is due. An event stream that has
 * nothing to send is suspended, and resumed when a new state comes (or at a
 * heartbeat, so that a browser gone away is noticed and its connection
 * closed). A suspended connection makes MHD's ITC readable, which wakes the
 * epoll fd, which wakes the loop: a resumed stream is written at once.
 *
 * Guards: only an IP address or "localhost" is accepted as Host (a DNS
 * name could rebind another site onto this port), and a touch must carry
 * the token of this start (in the served page) and come from the page's
 * own origin, else 403 (display-web-input.c). The files: display-web-files.c.
 */
#include "display.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>

#include "display-codec.h"
#include "display-web-private.h"
#include "strbuf.h"

/* A state's JSON: a few hundred bytes usually; at most, a thousand items with long titles. */
#define STATE_JSON_FIRST 4096
#define STATE_JSON_MAX (256 * 1024)
/* Browsers open a few streams at most; more are refused. */
#define EVENT_STREAMS_MAX 8
/* Suspended streams do not see their peer go: a comment line now and then does. */
#define HEARTBEAT_MS 15000
#define CONNECTION_TIMEOUT_S 30
/* A page whose stream broke tries again after a second (the browser's default is 3 s). */
#define STREAM_PREFIX "retry: 1000\ndata: "

static void run_daemon(struct display_web *w);

static void on_mhd_timer(struct loop *loop, void *data)
{
	(void)loop;
	run_daemon(data);
}

static void on_mhd_ready(struct loop *loop, int fd, uint32_t events, void *data)
{
	(void)loop;
	(void)fd;
	(void)events;
	run_daemon(data);
}

static void run_daemon(struct display_web *w)
{
	MHD_UNSIGNED_LONG_LONG timeout;

	MHD_run(w->daemon);
	if (MHD_get_timeout(w->daemon, &timeout) == MHD_YES)
		loop_timer_arm(w->env.loop, &w->mhd_timer, timeout);
	else
		loop_timer_disarm(w->env.loop, &w->mhd_timer);
}

static void resume_streams(struct display_web *w)
{
	struct event_stream *s;
	bool any = false;

	for (s = w->streams; s; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
			any = true;
		}
	}
	/*
	 * MHD needs a turn to put resumed connections back on its epoll set; not
	 * now, as this may be inside MHD_run() (a touch's handler), and not on
	 * mhd_timer, which that MHD_run()'s caller re-arms from MHD_get_timeout().
	 */
	if (any)
		loop_timer_arm(w->env.loop, &w->resume_timer, 0);
}

static void on_heartbeat(struct loop *loop, void *data)
{
	struct display_web *w = data;
	struct event_stream *s;

	for (s = w->streams; s; s = s->next)
		s->heartbeat_due = true;
	resume_streams(w);
	if (w->streams)
		loop_timer_arm(loop, &w->heartbeat_timer, HEARTBEAT_MS);
}

/* ---- /events ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct event_stream *s = cls;
	struct display_web *w = s->w;
	size_t n;

	(void)pos;
	if (s->pending_off == s->pending_len && s->sent_seq != w->seq && w->state) {
		char *next = realloc(s->pending, w->state_len + sizeof(STREAM_PREFIX "\n\n"));

		if (!next)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		s->pending = next;
		s->pending_len = (size_t)sprintf(next, STREAM_PREFIX "%s\n\n", w->state);
		s->pending_off = 0;
		s->sent_seq = w->seq;
	} else if (s->pending_off == s->pending_len && s->heartbeat_due) {
		s->heartbeat_due = false;
		memcpy(buf, ":\n\n", 3);
		return 3;
	}
	if (s->pending_off == s->pending_len) {
		s->suspended = true;
		MHD_suspend_connection(s->conn);
		return 0;
	}
	n = s->pending_len - s->pending_off;
	if (n > max)
		n = max;
	memcpy(buf, s->pending + s->pending_off, n);
	s->pending_off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct event_stream *s = cls;
	struct event_stream **pp;

	for (pp = &s->w->streams; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->w->n_streams--;
	free(s->pending);
	free(s);
}

enum MHD_Result display_web_status(struct MHD_Connection *conn, unsigned status)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result r;

	if (!response)
		return MHD_NO;
	display_web_common_headers(response);
	r = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return r;
}

static enum MHD_Result serve_events(struct display_web *w, struct MHD_Connection *conn)
{
	struct MHD_Response *response;
	struct event_stream *s;
	enum MHD_Result r;

	if (w->n_streams >= EVENT_STREAMS_MAX)
		return display_web_status(conn, MHD_HTTP_SERVICE_UNAVAILABLE);
	s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	s->w = w;
	s->conn = conn;
	/* A page (re)connecting gets the whole current state first. */
	s->sent_seq = w->seq - 1;
	response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s,
						     stream_free);
	if (!response) {
		free(s);
		return MHD_NO;
	}
	s->next = w->streams;
	w->streams = s;
	w->n_streams++;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	display_web_common_headers(response);
	r = MHD_queue_response(conn, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	if (!w->heartbeat_timer.armed)
		loop_timer_arm(w->env.loop, &w->heartbeat_timer, HEARTBEAT_MS);
	return r;
}

/*
 * Scraped by the monitoring server, by the kiosk's name: no Host check
 * (that guards the patron's page against DNS rebinding; these figures
 * carry no patron data and change nothing).
 */
static enum MHD_Result serve_metrics(struct display_web *w, struct MHD_Connection *conn)
{
	struct strbuf text = { 0 };
	struct MHD_Response *response;
	const char *type;
	enum MHD_Result r;

	if (!w->events.metrics)
		return display_web_status(conn, MHD_HTTP_NOT_FOUND);
	type = w->events.metrics(w->data, &text);
	if (text.oom || !type) {
		strbuf_free(&text);
		return display_web_status(conn, MHD_HTTP_INTERNAL_SERVER_ERROR);
	}
	response = MHD_create_response_from_buffer(text.len, text.buf ? text.buf : "",
						   MHD_RESPMEM_MUST_COPY);
	strbuf_free(&text);
	if (!response)
		return MHD_NO;
	display_web_common_headers(response);
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	r = MHD_queue_response(conn, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct display_web *w = cls;
	struct MHD_Response *response;
	enum MHD_Result r;

	(void)version;
	if (strcmp(url, "/metrics") == 0 && strcmp(method, MHD_HTTP_METHOD_GET) == 0)
		return serve_metrics(w, conn);
	if (!display_web_host_acceptable(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host")))
		return display_web_status(conn, MHD_HTTP_FORBIDDEN);
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
		if (strcmp(url, "/input") != 0)
			return display_web_status(conn, MHD_HTTP_NOT_FOUND);
		return display_web_input(w, conn, upload, upload_size, con_cls);
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return display_web_status(conn, MHD_HTTP_METHOD_NOT_ALLOWED);
	if (strcmp(url, "/events") == 0)
		return serve_events(w, conn);
	response = display_web_file(w->ui_dir, strcmp(url, "/") == 0 ? "index.html" : url + 1,
				    w->token);
	if (!response)
		return display_web_status(conn, MHD_HTTP_NOT_FOUND);
	r = MHD_queue_response(conn, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return r;
}

/* ---- the display ops ---- */

static int new_token(char *out)
{
	unsigned char raw[DISPLAY_WEB_TOKEN_LEN / 2];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (i = 0; i < sizeof(raw); i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
	return 0;
}

/* Binds where cfg says, never to all addresses unless cfg names one of those. */
static int start_daemon(struct display_web *w, const struct display_config *cfg,
			struct file_error *err, const char *board_path)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;

	if (inet_pton(AF_INET, cfg->listen, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->listen, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		file_error_set(err, board_path, 0, "display = web: [display] listen = %s is no IP address",
			       cfg->listen);
		return -EINVAL;
	}
	w->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, w,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_NOTIFY_COMPLETED, display_web_request_done, w,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
				     MHD_OPTION_END);
	if (!w->daemon) {
		file_error_set(err, board_path, 0, "display = web: cannot listen on %s port %u",
			       cfg->listen, cfg->port);
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		file_error_set(err, board_path, 0, "display = web: no epoll fd from libmicrohttpd");
		return -EIO;
	}
	return loop_add_io(w->env.loop, info->epoll_fd, EPOLLIN, on_mhd_ready, w, &w->source);
}

static void display_web_close(void *handle);

static int display_web_open(const struct hal_env *env, const struct board *board,
			    const struct display_config *cfg, const struct display_events *events,
			    void *data, void **ret, struct file_error *err)
{
	const union MHD_DaemonInfo *info;
	struct display_web *w;
	int r;

	if (!cfg || !cfg->ui_dir[0]) {
		file_error_set(err, board->path, 0, "display = web: no folder for the page");
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		file_error_set(err, board->path, 0, "display: out of memory");
		return -ENOMEM;
	}
	w->env = *env;
	if (events)
		w->events = *events;
	w->data = data;
	snprintf(w->ui_dir, sizeof(w->ui_dir), "%s", cfg->ui_dir);
	loop_timer_init(&w->mhd_timer, on_mhd_timer, w);
	loop_timer_init(&w->resume_timer, on_mhd_timer, w);
	loop_timer_init(&w->heartbeat_timer, on_heartbeat, w);
	r = new_token(w->token);
	if (r < 0) {
		file_error_set(err, board->path, 0, "display = web: no random token");
		goto err_free;
	}
	r = start_daemon(w, cfg, err, board->path);
	if (r < 0)
		goto err_free;
	info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
	hal_report(env, HAL_LEVEL_NOTICE, "display: the patron's page is at http://%s%s%s:%u/",
		   strchr(cfg->listen, ':') ? "[" : "", cfg->listen,
		   strchr(cfg->listen, ':') ? "]" : "", info ? info->port : cfg->port);
	run_daemon(w);
	*ret = w;
	return 0;

err_free:
	display_web_close(w);
	return r;
}

static void display_web_close(void *handle)
{
	struct display_web *w = handle;
	struct event_stream *s;

	if (!w)
		return;
	loop_timer_disarm(w->env.loop, &w->mhd_timer);
	loop_timer_disarm(w->env.loop, &w->resume_timer);
	loop_timer_disarm(w->env.loop, &w->heartbeat_timer);
	loop_source_free(w->source);
	if (w->daemon) {
		/* MHD must not be stopped with a connection suspended. */
		for (s = w->streams; s; s = s->next)
			if (s->suspended) {
				s->suspended = false;
				MHD_resume_connection(s->conn);
			}
		MHD_stop_daemon(w->daemon);
	}
	free(w->state);
	free(w);
}

static int display_web_show(void *handle, enum display_kind kind, const char *text)
{
	struct display_web *w = handle;

	if ((int)kind < DISPLAY_INFO || kind > DISPLAY_RECEIPT || !text)
		return -EINVAL;
	/* Texts reach the page inside the state; the log gets them at debug, as with sim. */
	display_report(&w->env, HAL_LEVEL_DEBUG, kind, text);
	return 0;
}

static int display_web_state(void *handle, const struct display_state *state)
{
	struct display_web *w = handle;
	size_t cap = STATE_JSON_FIRST;
	char *json, *fit;
	int n;

	/* Pushed several times a scan: sized to the state, not to the largest one. */
	for (;;) {
		json = malloc(cap);
		if (!json)
			return -ENOMEM;
		n = display_state_json(state, w->seq + 1, json, cap);
		if (n >= 0)
			break;
		free(json);
		if (n != -ENOSPC || cap >= STATE_JSON_MAX)
			return n;
		cap *= 4;
	}
	fit = realloc(json, (size_t)n + 1);
	if (fit)
		json = fit;
	free(w->state);
	w->state = json;
	w->state_len = (size_t)n;
	w->seq++;
	resume_streams(w);
	return 0;
}

const struct display_ops display_web_ops = {
	.name = "web",
	.keypad = true,
	.open = display_web_open,
	.close = display_web_close,
	.show = display_web_show,
	.state = display_web_state,
};
