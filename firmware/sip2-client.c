/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP2 link (see sip2-client.h). States: DOWN (a reconnect timer may
 * be armed) -> CONNECTING (TCP/TLS) -> LOGIN (93, when a username is set)
 * -> STATUS (99) -> UP. Only the control lane (login, status, heartbeat)
 * runs before UP.
 *
 * Exactly once: Koha's and Evergreen's SIP servers do not de-duplicate by
 * sequence number, so a circulation message (11, 09, 29, ...) that met
 * silence is never sent again: it fails with -ETIMEDOUT (outcome unknown,
 * for its owner to verify) and the connection is kept. Its reply may still
 * come, so the next message out is a 99 "barrier": a server answers one
 * connection's messages in order, so once the 98 is in, no reply to the
 * message given up on can follow, and until then such a reply is recognised
 * and dropped instead of being taken for another request's answer.
 */
#include "sip2-client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "loop.h"
#include "net.h"
#include "util.h"

#define BACKOFF_MIN_MS 1000u
#define LANES 3 /* control, live, background */
#define LANE_CONTROL 0
#define LOGGED_CAUSES 4 /* a server may alternate between a FIN and a reset */

enum link_state {
	LINK_DOWN,
	LINK_CONNECTING,
	LINK_LOGIN,
	LINK_STATUS,
	LINK_UP,
};

struct request {
	struct request *next;
	unsigned lane;
	char expect[3];
	sip2_build_fn build;
	void *build_data;
	sip2_reply_fn done;
	void *done_data;
};

struct sip2_client {
	struct loop *loop;
	struct sip2_config cfg;
	struct sip2_profile profile;
	struct sip2_client_events events;
	void *data;

	enum link_state state;
	struct net_conn *conn;
	char last_error[192];

	struct request *queue[LANES];
	struct request *inflight;
	char wire[SIP2_WIRE_MAX];
	size_t wire_len;
	/* A reply decoded, for one message at a time: 18 KiB not allocated per reply. */
	struct sip2_msg *rx_msg;
	int seq;
	unsigned sends; /* of the request in flight, first send included */
	bool asked_resend; /* a 97 went out for the request in flight */
	/*
	 * A request given up on (no reply in time, or its owner stopped
	 * waiting) whose reply may still arrive, until a later reply proves it
	 * will not: its expected code, and "" when there is none.
	 */
	char unsettled[3];
	/*
	 * The ACS closed an idle connection (servers do after a minute or so):
	 * reconnecting at once, still "up" for the owner unless that fails.
	 */
	bool quiet_reconnect;
	bool answered_once; /* a first connection attempt has succeeded or failed */
	/* Link failures logged since the link was last up: each cause is logged once. */
	char logged[LOGGED_CAUSES][192];
	unsigned n_logged;

	char rx[SIP2_FRAME_MAX + 2 * SIP2_WIRE_MAX]; /* a whole frame and the next read */
	size_t rx_len;

	unsigned timeout_ms; /* per reply: the config's, then the ACS's from 98 */
	unsigned retries;
	unsigned backoff_ms;
	struct loop_timer response_timer;
	struct loop_timer heartbeat_timer;
	struct loop_timer reconnect_timer;
};

static void pump(struct sip2_client *c);
static void link_down(struct sip2_client *c, const char *why);
static int queue_control(struct sip2_client *c, const char expect[2], sip2_build_fn build,
			 sip2_reply_fn done);

const struct sip2_profile *sip2_client_profile(const struct sip2_client *c)
{
	return &c->profile;
}

bool sip2_client_up(const struct sip2_client *c)
{
	return c->state == LINK_UP || c->quiet_reconnect;
}

const char *sip2_client_last_error(const struct sip2_client *c)
{
	return sip2_client_up(c) ? "" : c->last_error;
}

unsigned sip2_client_queued(const struct sip2_client *c, enum sip2_lane lane)
{
	const struct request *r;
	unsigned n = 0;

	for (r = c->queue[lane + 1]; r; r = r->next)
		n++;
	return n;
}

/* --- requests ---------------------------------------------------------- */

/*
 * The replies to messages that change nothing at the ACS (93, 99, 23, 63,
 * 17, 35): only these may be sent again after silence.
 */
static bool resendable(const char expect[2])
{
	static const char codes[][3] = { "94", "98", "24", "64", "18", "36" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(codes); i++)
		if (memcmp(codes[i], expect, 2) == 0)
			return true;
	return false;
}

static void push(struct sip2_client *c, unsigned lane, struct request *r)
{
	struct request **p;

	r->lane = lane;
	for (p = &c->queue[lane]; *p; p = &(*p)->next)
		;
	*p = r;
}

static struct request *pop(struct sip2_client *c, unsigned lane)
{
	struct request *r = c->queue[lane];

	if (r)
		c->queue[lane] = r->next;
	return r;
}

static void finish(struct sip2_client *c, struct request *r, int err, const struct sip2_msg *msg)
{
	/*
	 * The frame may hold the login password (CO), the terminal password
	 * (AC) or a PIN (AD): wiped once nothing in flight needs it for a
	 * resend (a queued request can finish while another is in flight).
	 * Before done(), which may build the next frame.
	 */
	if (!c->inflight) {
		explicit_bzero(c->wire, sizeof(c->wire));
		c->wire_len = 0;
	}
	r->done(r->done_data, err, msg);
	free(r);
}

static int send_wire(struct sip2_client *c)
{
	int r = net_send(c->conn, c->wire, c->wire_len);

	if (r < 0)
		return r;
	c->sends++;
	loop_timer_arm(c->loop, &c->response_timer, c->timeout_ms);
	return 0;
}

/* Sends the next request if nothing is in flight. */
static void pump(struct sip2_client *c)
{
	struct request *r = NULL;
	unsigned lane;
	int err;

	if (c->inflight || !c->conn)
		return;
	for (lane = 0; lane < LANES && !r; lane++) {
		if (lane != LANE_CONTROL && c->state != LINK_UP)
			break;
		r = pop(c, lane);
	}
	if (!r)
		return;
	loop_timer_disarm(c->loop, &c->heartbeat_timer);
	c->seq = sip2_next_seq(c->seq);
	err = r->build(r->build_data, &c->profile, c->seq, c->wire, sizeof(c->wire), &c->wire_len);
	if (err < 0) {
		finish(c, r, err, NULL);
		pump(c);
		return;
	}
	c->inflight = r;
	c->sends = 0;
	c->asked_resend = false;
	err = send_wire(c);
	if (err < 0)
		link_down(c, "cannot send");
}

int sip2_client_request(struct sip2_client *c, enum sip2_lane lane, const char expect[2],
			sip2_build_fn build, void *build_data, sip2_reply_fn done, void *done_data)
{
	struct request *r;

	if (!sip2_client_up(c))
		return -ENOTCONN;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memcpy(r->expect, expect, 2);
	r->build = build;
	r->build_data = build_data;
	r->done = done;
	r->done_data = done_data;
	push(c, (unsigned)lane + 1, r);
	pump(c);
	return 0;
}

/* --- replies ------------------------------------------------------------ */

static void on_heartbeat(struct loop *loop, void *data);

static void arm_heartbeat(struct sip2_client *c)
{
	if ((c->state == LINK_UP || c->state == LINK_STATUS) && !c->inflight)
		loop_timer_arm(c->loop, &c->heartbeat_timer, (uint64_t)c->cfg.heartbeat_s * 1000u);
}

static void request_resend(struct sip2_client *c, const char *why)
{
	char buf[32];
	size_t len;

	if (c->sends > c->retries || sip2_encode_resend(&c->profile, buf, sizeof(buf), &len) < 0 ||
	    net_send(c->conn, buf, len) < 0) {
		link_down(c, why);
		return;
	}
	c->sends++;
	c->asked_resend = true;
	loop_timer_arm(c->loop, &c->response_timer, c->timeout_ms);
}

static void handle_message(struct sip2_client *c, const char *wire, size_t len)
{
	struct sip2_msg *msg = c->rx_msg;
	struct request *r;
	int err;

	err = sip2_decode(&c->profile, wire, len, msg);
	if (err < 0) {
		/* A reply spoiled on the way: ask for it again. */
		if (c->inflight)
			request_resend(c, err == -EPROTO ? "bad checksums" : "garbled replies");
		return;
	}
	if (msg->code == 96) { /* the ACS asks us to resend */
		if (c->inflight && (c->sends > c->retries || send_wire(c) < 0))
			link_down(c, "the ACS kept asking for resends");
		return;
	}
	r = c->inflight;
	/*
	 * The reply to a request given up on: without AY nothing else tells
	 * it from the answer to the request in flight (never the same code:
	 * the barrier 99 goes first).
	 */
	if (c->unsettled[0] && memcmp(msg->code_str, c->unsettled, 2) == 0 &&
	    (!r || memcmp(msg->code_str, r->expect, 2) != 0)) {
		log_notice("ILS link: a late %.2s reply to a request already given up on; "
			   "ignored (its outcome is verified)", msg->code_str);
		return;
	}
	/*
	 * A late reply to an earlier try or request is not ours any more. But
	 * the answer to a 97 may carry any AY: some servers replay their last
	 * reply verbatim, others recompute it with a sequence number of their
	 * own; the expected code is what identifies it then.
	 */
	if (!r || (!sip2_seq_matches(msg, c->seq) &&
		   !(c->asked_resend && memcmp(msg->code_str, r->expect, 2) == 0)))
		return;
	/* Answered in order: nothing sent before this request is still to come. */
	c->unsettled[0] = 0;
	c->inflight = NULL;
	loop_timer_disarm(c->loop, &c->response_timer);
	if (memcmp(msg->code_str, r->expect, 2) != 0)
		finish(c, r, -EBADMSG, msg);
	else
		finish(c, r, 0, msg);
	arm_heartbeat(c);
	pump(c);
}

static void on_data(void *data, const char *buf, size_t len)
{
	struct sip2_client *c = data;
	const char *msg;
	size_t msg_len, consumed;
	int r;

	if (len > sizeof(c->rx) - c->rx_len) {
		link_down(c, "reply too long");
		return;
	}
	memcpy(c->rx + c->rx_len, buf, len);
	c->rx_len += len;
	for (;;) {
		r = sip2_frame_next(c->rx, c->rx_len, &msg, &msg_len, &consumed);
		if (r < 0) {
			link_down(c, "reply too long");
			return;
		}
		if (r == 1)
			handle_message(c, msg, msg_len);
		if (!c->conn) /* the link went down handling it */
			return;
		memmove(c->rx, c->rx + consumed, c->rx_len - consumed);
		c->rx_len -= consumed;
		if (r == 0)
			return;
	}
}

static int build_status(void *data, const struct sip2_profile *p, int seq, char *out,
			size_t size, size_t *len);
static void on_status(void *data, int err, const struct sip2_msg *msg);

/*
 * Stops waiting for the request in flight: done runs with -ETIMEDOUT, its
 * reply is dropped if it still comes, and a 99 goes next to find out when
 * it no longer can.
 */
static void give_up_inflight(struct sip2_client *c)
{
	struct request *r = c->inflight;

	c->inflight = NULL;
	loop_timer_disarm(c->loop, &c->response_timer);
	memcpy(c->unsettled, r->expect, sizeof(c->unsettled));
	/* The barrier's frame is shorter: leave nothing of this one (a PIN) behind it. */
	explicit_bzero(c->wire, sizeof(c->wire));
	c->wire_len = 0;
	/* Queued before done runs: whatever the owner sends next goes after it. */
	if (c->conn)
		queue_control(c, "98", build_status, on_status);
	finish(c, r, -ETIMEDOUT, NULL);
}

static void on_response_timeout(struct loop *loop, void *data)
{
	struct sip2_client *c = data;

	(void)loop;
	if (!c->inflight)
		return;
	if (!resendable(c->inflight->expect)) {
		log_notice("ILS link: no reply to a %.2s within %u ms; not sent again (the ILS may "
			   "have applied it), its outcome will be verified", c->inflight->expect,
			   c->timeout_ms);
		give_up_inflight(c);
		return;
	}
	/* The spec's answer to silence: the same message, same sequence number. */
	if (c->sends <= c->retries && send_wire(c) == 0)
		return;
	link_down(c, "no reply from the ACS");
}

int sip2_client_cancel(struct sip2_client *c, sip2_reply_fn done, void *done_data)
{
	struct request **p, *r;
	unsigned lane;

	if (c->inflight && c->inflight->done == done && c->inflight->done_data == done_data) {
		give_up_inflight(c);
		return 0;
	}
	for (lane = 0; lane < LANES; lane++)
		for (p = &c->queue[lane]; *p; p = &(*p)->next)
			if ((*p)->done == done && (*p)->done_data == done_data) {
				r = *p;
				*p = r->next;
				finish(c, r, -ENOTCONN, NULL);
				return 0;
			}
	return -ENOENT;
}

/* --- link --------------------------------------------------------------- */

static void on_reconnect(struct loop *loop, void *data);

/*
 * Each distinct cause once: a kiosk retrying an ILS that refuses it every
 * minute must not fill the log, but a new cause (TLS verification after
 * "refused") must show. link.c logs the link going down itself.
 */
static void log_failure(struct sip2_client *c, bool was_up)
{
	unsigned i;

	for (i = 0; i < c->n_logged && i < LOGGED_CAUSES; i++)
		if (strcmp(c->logged[i], c->last_error) == 0)
			return;
	snprintf(c->logged[c->n_logged++ % LOGGED_CAUSES], sizeof(c->logged[0]), "%s",
		 c->last_error);
	if (!was_up)
		log_warning("ILS link: cannot connect to %s:%s: %s", c->cfg.host, c->cfg.port,
			    c->last_error);
}

static void link_down(struct sip2_client *c, const char *why)
{
	bool was_up = c->state == LINK_UP || c->quiet_reconnect;
	/* The first failure is news too: until then the owner shows "connecting". */
	bool tell = was_up || !c->answered_once;
	struct request *r;
	unsigned lane, jitter = 0;

	if (c->conn && why)
		snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	log_failure(c, was_up);
	net_close(c->conn);
	c->conn = NULL;
	c->rx_len = 0;
	c->unsettled[0] = 0;
	c->quiet_reconnect = false;
	c->answered_once = true;
	c->state = LINK_DOWN;
	loop_timer_disarm(c->loop, &c->response_timer);
	loop_timer_disarm(c->loop, &c->heartbeat_timer);

	/* Backoff with jitter, so a room of kiosks does not reconnect in step. */
	if (getrandom(&jitter, sizeof(jitter), GRND_NONBLOCK) < 0)
		jitter = (unsigned)c->seq * 7919u;
	loop_timer_arm(c->loop, &c->reconnect_timer,
		       c->backoff_ms * 3u / 4u + jitter % (c->backoff_ms / 2u + 1u));
	c->backoff_ms = c->backoff_ms * 2u > c->cfg.reconnect_max_s * 1000u ?
				c->cfg.reconnect_max_s * 1000u : c->backoff_ms * 2u;

	if (tell)
		c->events.link(c->data, false, c->last_error);
	if ((r = c->inflight)) {
		c->inflight = NULL;
		finish(c, r, c->sends ? -ETIMEDOUT : -ENOTCONN, NULL);
	}
	for (lane = 0; lane < LANES; lane++)
		while ((r = pop(c, lane)))
			finish(c, r, -ENOTCONN, NULL);
}

static int build_status(void *data, const struct sip2_profile *p, int seq, char *out,
			size_t size, size_t *len)
{
	static const struct sip2_sc_status_req req = { .status = SIP2_SC_OK, .max_print_width = 80 };

	(void)data;
	return sip2_encode_sc_status(p, seq, &req, out, size, len);
}

static void on_status(void *data, int err, const struct sip2_msg *msg)
{
	struct sip2_client *c = data;
	struct sip2_acs_status st;

	/* Failed by link_down() itself: the link is down already, once is enough. */
	if (err < 0 && c->state == LINK_DOWN)
		return;
	if (err < 0 || sip2_parse_acs_status(msg, &st) < 0) {
		if (err != -ENOTCONN)
			link_down(c, err < 0 ? "no status from the ACS" : "malformed ACS status");
		return;
	}
	/* The ACS's own timeout and retries, once it says them (999: unknown). */
	if (st.timeout_tenths > 0)
		c->timeout_ms = (unsigned)st.timeout_tenths * 100u;
	if (st.retries >= 0)
		c->retries = (unsigned)st.retries;
	c->events.acs_status(c->data, &st, loop_mono_ms(c->loop));
	/* Connected, but the ACS says it is off-line: not a link to serve patrons on. */
	if (!st.online) {
		snprintf(c->last_error, sizeof(c->last_error), "the ACS says it is off-line");
		if (c->state == LINK_UP) {
			c->state = LINK_STATUS;
			c->events.link(c->data, false, c->last_error);
		}
		arm_heartbeat(c);
		return;
	}
	if (c->state == LINK_STATUS) {
		bool quietly = c->quiet_reconnect;

		c->state = LINK_UP;
		c->quiet_reconnect = false;
		c->answered_once = true;
		c->backoff_ms = BACKOFF_MIN_MS;
		c->last_error[0] = 0;
		c->n_logged = 0;
		if (quietly)
			log_info("ILS link: reconnected after the ACS closed an idle connection");
		else
			c->events.link(c->data, true, "");
	}
	arm_heartbeat(c);
	pump(c);
}

static void on_heartbeat(struct loop *loop, void *data)
{
	struct sip2_client *c = data;

	(void)loop;
	if ((c->state == LINK_UP || c->state == LINK_STATUS) && !c->inflight)
		queue_control(c, "98", build_status, on_status);
}

static int build_login(void *data, const struct sip2_profile *p, int seq, char *out, size_t size,
		       size_t *len)
{
	struct sip2_client *c = data;
	struct sip2_login_req req = { .user = c->cfg.username, .password = c->cfg.password };

	return sip2_encode_login(p, seq, &req, out, size, len);
}

static void on_login(void *data, int err, const struct sip2_msg *msg)
{
	struct sip2_client *c = data;
	struct sip2_login_resp resp;

	if (err < 0 && c->state == LINK_DOWN)
		return;
	if (err < 0) {
		link_down(c, "no reply to the login");
		return;
	}
	if (sip2_parse_login(msg, &resp) < 0 || !resp.ok) {
		link_down(c, "the ACS refused the login");
		return;
	}
	c->state = LINK_STATUS;
	queue_control(c, "98", build_status, on_status);
}

static int queue_control(struct sip2_client *c, const char expect[2], sip2_build_fn build,
			 sip2_reply_fn done)
{
	struct request *r = calloc(1, sizeof(*r));

	if (!r) {
		link_down(c, "out of memory");
		return -ENOMEM;
	}
	memcpy(r->expect, expect, 2);
	r->build = build;
	r->build_data = c;
	r->done = done;
	r->done_data = c;
	push(c, LANE_CONTROL, r);
	pump(c);
	return 0;
}

static void on_connected(void *data)
{
	struct sip2_client *c = data;

	if (c->cfg.username[0]) {
		c->state = LINK_LOGIN;
		queue_control(c, "94", build_login, on_login);
	} else {
		c->state = LINK_STATUS;
		queue_control(c, "98", build_status, on_status);
	}
}

static void connect_now(struct sip2_client *c);

/* Nothing but a heartbeat was in flight when the connection ended. */
static bool idle(const struct sip2_client *c)
{
	unsigned lane;

	for (lane = LANE_CONTROL + 1; lane < LANES; lane++)
		if (c->queue[lane])
			return false;
	return !c->inflight || c->inflight->lane == LANE_CONTROL;
}

static void on_closed(void *data, int err)
{
	struct sip2_client *c = data;
	struct request *r;
	char why[192];

	/*
	 * Servers close a connection idle for a while (Koha's after its
	 * timeout): not an outage. Reconnect at once; the owner hears of it only
	 * if that fails. Once per established link, so a server that closes
	 * every connection still ends in backoff.
	 */
	if (c->state == LINK_UP && idle(c) && !c->unsettled[0]) {
		log_info("ILS link: the ACS closed an idle connection; reconnecting");
		net_close(c->conn);
		c->conn = NULL;
		c->rx_len = 0;
		loop_timer_disarm(c->loop, &c->response_timer);
		loop_timer_disarm(c->loop, &c->heartbeat_timer);
		c->state = LINK_DOWN;
		c->quiet_reconnect = true;
		if ((r = c->inflight)) {
			c->inflight = NULL;
			free(r); /* a heartbeat: the new link sends its own 99 */
		}
		while ((r = pop(c, LANE_CONTROL)))
			free(r);
		connect_now(c);
		return;
	}
	if (err == 0)
		snprintf(why, sizeof(why), "the ACS closed the connection");
	else
		snprintf(why, sizeof(why), "%s", net_last_error(c->conn));
	link_down(c, why);
}

static void connect_now(struct sip2_client *c)
{
	static const struct net_events events = {
		.connected = on_connected,
		.data = on_data,
		.closed = on_closed,
	};
	struct net_tls_opts tls = {
		.enabled = c->cfg.tls,
		.ca_file = c->cfg.ca_file[0] ? c->cfg.ca_file : NULL,
		.pin_sha256 = c->cfg.pin_sha256[0] ? c->cfg.pin_sha256 : NULL,
		.server_name = c->cfg.server_name[0] ? c->cfg.server_name : NULL,
	};
	int r;

	loop_timer_disarm(c->loop, &c->reconnect_timer);
	c->state = LINK_CONNECTING;
	r = net_connect(c->loop, c->cfg.host, c->cfg.port, &tls, c->cfg.connect_timeout_s * 1000u,
			&events, c, &c->conn);
	if (r < 0) {
		snprintf(c->last_error, sizeof(c->last_error), "cannot connect: %s", strerror(-r));
		c->conn = NULL;
		link_down(c, NULL);
	}
}

static void on_reconnect(struct loop *loop, void *data)
{
	(void)loop;
	connect_now(data);
}

void sip2_client_kick(struct sip2_client *c)
{
	if (c->state != LINK_DOWN)
		return;
	c->backoff_ms = BACKOFF_MIN_MS;
	connect_now(c);
}

/* The profile borrows its strings from the client's own copy of the config. */
static void profile_from_config(const struct sip2_config *cfg, struct sip2_profile *p)
{
	sip2_profile_default(p);
	p->crlf = cfg->crlf;
	p->delimiter = cfg->delimiter;
	p->error_detection = cfg->error_detection;
	p->charset = (enum sip2_charset)cfg->charset;
	p->institution = cfg->institution;
	p->location = cfg->location;
	p->terminal_password = cfg->terminal_password;
}

int sip2_client_new(struct loop *loop, const struct sip2_config *cfg,
		    const struct sip2_client_events *events, void *data, struct sip2_client **ret)
{
	struct sip2_client *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->rx_msg = malloc(sizeof(*c->rx_msg));
	if (!c->rx_msg) {
		free(c);
		return -ENOMEM;
	}
	c->loop = loop;
	c->cfg = *cfg;
	c->events = *events;
	c->data = data;
	c->timeout_ms = cfg->response_timeout_s * 1000u;
	c->retries = cfg->retries;
	c->backoff_ms = BACKOFF_MIN_MS;
	c->seq = 9; /* the first request goes out as 0 */
	profile_from_config(&c->cfg, &c->profile);
	loop_timer_init(&c->response_timer, on_response_timeout, c);
	loop_timer_init(&c->heartbeat_timer, on_heartbeat, c);
	loop_timer_init(&c->reconnect_timer, on_reconnect, c);
	snprintf(c->last_error, sizeof(c->last_error), "connecting");
	connect_now(c);
	*ret = c;
	return 0;
}

void sip2_client_free(struct sip2_client *c)
{
	struct request *r;
	unsigned lane;

	if (!c)
		return;
	net_close(c->conn);
	loop_timer_disarm(c->loop, &c->response_timer);
	loop_timer_disarm(c->loop, &c->heartbeat_timer);
	loop_timer_disarm(c->loop, &c->reconnect_timer);
	free(c->inflight);
	for (lane = 0; lane < LANES; lane++)
		while ((r = pop(c, lane)))
			free(r);
	explicit_bzero(&c->cfg, sizeof(c->cfg));
	explicit_bzero(c->wire, sizeof(c->wire));
	explicit_bzero(c->rx_msg, sizeof(*c->rx_msg)); /* the last reply: patron data */
	free(c->rx_msg);
	free(c);
}
