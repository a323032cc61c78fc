/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP2 link against a scripted server in the same process, on a fake
 * clock: resends on silence carry the same bytes (same sequence number),
 * but only for messages that change nothing; a checkout met with silence is
 * never resent (outcome unknown, a 99 barrier, its late reply dropped); a
 * spoiled reply is asked for again with 97, the link goes down after the
 * ACS's retries, live requests overtake queued background ones, a patron's
 * request can be given up, and an idle connection the ACS closes is
 * re-established without the link going down.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../firmware/config.h"
#include "../../firmware/sip2-client.h"
#include "testlib.h"

struct rig {
	struct loop *loop;
	struct sip2_client *client;
	int listen_fd, srv_fd;
	char buf[4096];
	size_t len;
	int ups, downs;
	int done_err[8];
	char done_code[8][3];
	int n_done;
};

static void on_link(void *data, bool up, const char *why)
{
	struct rig *r = data;

	(void)why;
	if (up)
		r->ups++;
	else
		r->downs++;
}

static void on_status(void *data, const struct sip2_acs_status *st, uint64_t mono_ms)
{
	(void)data;
	(void)st;
	(void)mono_ms;
}

static const struct sip2_client_events events = { .link = on_link, .acs_status = on_status };

static void pump(struct rig *r, int rounds)
{
	while (rounds--)
		loop_run_once(r->loop, 5);
}

/* Reads the next CR-terminated message the client sent into out. */
static bool srv_read(struct rig *r, char *out, size_t size)
{
	int i;

	for (i = 0; i < 400; i++) {
		char *cr = memchr(r->buf, '\r', r->len);

		if (cr) {
			size_t n = (size_t)(cr - r->buf) + 1;

			snprintf(out, size, "%.*s", (int)n, r->buf);
			memmove(r->buf, r->buf + n, r->len - n);
			r->len -= n;
			return true;
		}
		if (r->srv_fd < 0) {
			int one = 1;

			r->srv_fd = accept4(r->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			/* Else Nagle holds a second reply until the first is acked. */
			if (r->srv_fd >= 0)
				setsockopt(r->srv_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		} else {
			ssize_t got = read(r->srv_fd, r->buf + r->len, sizeof(r->buf) - r->len);

			if (got > 0)
				r->len += (size_t)got;
		}
		pump(r, 1);
	}
	out[0] = 0;
	return false;
}

/* Sends text + "AY<seq>AZ<checksum>\r" (seq < 0: no AY). */
static void srv_send(struct rig *r, const char *text, int seq, bool bad_checksum)
{
	char msg[512];
	int n;

	n = seq >= 0 ? snprintf(msg, sizeof(msg), "%sAY%dAZ", text, seq) :
		       snprintf(msg, sizeof(msg), "%sAZ", text);
	snprintf(msg + n, sizeof(msg) - (size_t)n, "%04X\r",
		 (sip2_checksum(msg, (size_t)n) + (bad_checksum ? 1 : 0)) & 0xffff);
	CHECK(write(r->srv_fd, msg, strlen(msg)) == (ssize_t)strlen(msg));
	pump(r, 3);
}

static int seq_of(const char *msg)
{
	const char *ay = strstr(msg, "AY");

	return ay ? ay[2] - '0' : -1;
}

static void rig_start(struct rig *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(addr);
	struct sip2_config cfg;
	struct config defaults;
	char status[64];

	memset(r, 0, sizeof(*r));
	r->srv_fd = -1;
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK_INT(bind(r->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	CHECK_INT(listen(r->listen_fd, 4), 0);
	CHECK_INT(getsockname(r->listen_fd, (struct sockaddr *)&addr, &alen), 0);

	config_default(&defaults);
	cfg = defaults.sip2;
	snprintf(cfg.host, sizeof(cfg.host), "127.0.0.1");
	snprintf(cfg.port, sizeof(cfg.port), "%u", ntohs(addr.sin_port));
	cfg.tls = false;
	snprintf(cfg.institution, sizeof(cfg.institution), "MAIN");
	CHECK_INT(sip2_client_new(r->loop, &cfg, &events, r, &r->client), 0);

	/* The link comes up with 99 -> 98: timeout 2.0 s, 1 retry, from the ACS. */
	CHECK(srv_read(r, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	srv_send(r, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|BXYYYYYYYYYYYYYYYY|",
		 seq_of(status), false);
	CHECK_INT(r->ups, 1);
	CHECK(sip2_client_up(r->client));
}

static void rig_stop(struct rig *r)
{
	sip2_client_free(r->client);
	if (r->srv_fd >= 0)
		close(r->srv_fd);
	close(r->listen_fd);
	loop_free(r->loop);
}

static int build_item_info(void *data, const struct sip2_profile *p, int seq, char *out,
			   size_t size, size_t *len)
{
	struct sip2_item_info_req req = { .date = 1764417600, .item_id = data };

	return sip2_encode_item_info(p, seq, &req, out, size, len);
}

static void on_done(void *data, int err, const struct sip2_msg *msg)
{
	struct rig *r = data;

	if (r->n_done < 8) {
		r->done_err[r->n_done] = err;
		snprintf(r->done_code[r->n_done], 3, "%s", msg ? msg->code_str : "");
	}
	r->n_done++;
}

static const char item_reply[] = "1803020120261129    120000AB31234000000016|AJA title|";

static void test_silence_resends_same_bytes_then_link_down(void)
{
	struct rig r;
	char first[256], again[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, first, sizeof(first)));
	CHECK(strncmp(first, "17", 2) == 0);
	loop_advance(r.loop, 1999);
	pump(&r, 3);
	CHECK_INT(r.len, 0); /* nothing resent before the ACS's timeout */
	loop_advance(r.loop, 1);
	CHECK(srv_read(&r, again, sizeof(again)));
	CHECK_STR(again, first); /* same message, same sequence number */
	loop_advance(r.loop, 2000);
	pump(&r, 3);
	/* One retry allowed by the ACS: the link is down, the outcome unknown. */
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], -ETIMEDOUT);
	CHECK_INT(r.downs, 1);
	CHECK(!sip2_client_up(r.client));
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  -ENOTCONN);
	rig_stop(&r);
}

static void test_spoiled_reply_asked_again_with_97(void)
{
	struct rig r;
	char req[256], resend[64];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, req, sizeof(req)));
	srv_send(&r, item_reply, seq_of(req), true);
	CHECK_INT(r.n_done, 0);
	CHECK(srv_read(&r, resend, sizeof(resend)));
	CHECK(strncmp(resend, "97AZ", 4) == 0);
	/* A server that recomputes its reply may stamp a sequence number of its own. */
	srv_send(&r, item_reply, (seq_of(req) + 1) % 10, false);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], 0);
	CHECK_STR(r.done_code[0], "18");
	CHECK(sip2_client_up(r.client));
	rig_stop(&r);
}

static void test_stale_reply_is_ignored(void)
{
	struct rig r;
	char req[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, req, sizeof(req)));
	srv_send(&r, item_reply, (seq_of(req) + 5) % 10, false); /* an old request's */
	CHECK_INT(r.n_done, 0);
	srv_send(&r, item_reply, seq_of(req), false);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], 0);
	rig_stop(&r);
}

static void test_live_overtakes_background(void)
{
	struct rig r;
	char a[256], b[256], c[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_BACKGROUND, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_BACKGROUND, "18", build_item_info,
				      "31234000000024", on_done, &r),
		  0);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000032", on_done, &r),
		  0);
	CHECK(srv_read(&r, a, sizeof(a))); /* already in flight: the first background one */
	CHECK(strstr(a, "AB31234000000016") != NULL);
	srv_send(&r, item_reply, seq_of(a), false);
	CHECK(srv_read(&r, b, sizeof(b)));
	CHECK(strstr(b, "AB31234000000032") != NULL); /* the patron waiting goes first */
	srv_send(&r, item_reply, seq_of(b), false);
	CHECK(srv_read(&r, c, sizeof(c)));
	CHECK(strstr(c, "AB31234000000024") != NULL);
	srv_send(&r, item_reply, seq_of(c), false);
	CHECK_INT(r.n_done, 3);
	rig_stop(&r);
}

static void test_reconnects_after_the_server_closes(void)
{
	struct rig r;
	char status[64], req[256];

	rig_start(&r);
	/* Closed with a request in flight: an outage, not an idle timeout. */
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, req, sizeof(req)));
	close(r.srv_fd);
	r.srv_fd = -1;
	r.len = 0;
	pump(&r, 5);
	CHECK_INT(r.downs, 1);
	/* Backoff: about a second, with jitter. */
	loop_advance(r.loop, 1500);
	CHECK(srv_read(&r, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	srv_send(&r, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|", seq_of(status), false);
	CHECK_INT(r.ups, 2);
	rig_stop(&r);
}

static int build_checkout(void *data, const struct sip2_profile *p, int seq, char *out,
			  size_t size, size_t *len)
{
	struct sip2_checkout_req req = { .date = 1764417600, .patron_id = "21234000000018",
					 .item_id = data };

	return sip2_encode_checkout(p, seq, &req, out, size, len);
}

static const char checkout_reply[] = "121YNY20261129    120000AOMAIN|AA21234000000018|"
				     "AB31234000000016|AJA title|AH20261220    120000|";

/* Koha and Evergreen would apply a second 11: silence is never answered by sending it again. */
static void test_circulation_silence_is_not_resent(void)
{
	struct rig r;
	char first[256], next[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "12", build_checkout,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, first, sizeof(first)));
	CHECK(strncmp(first, "11", 2) == 0);
	loop_advance(r.loop, 2000);
	pump(&r, 3);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], -ETIMEDOUT); /* outcome unknown: for the owner to verify */
	CHECK(sip2_client_up(r.client));
	CHECK_INT(r.downs, 0);
	/* What goes out next is a 99: once its 98 is in, no late 12 can follow. */
	CHECK(srv_read(&r, next, sizeof(next)));
	CHECK(strncmp(next, "99", 2) == 0);
	/* The late reply, without AY: recognised by its code and dropped. */
	srv_send(&r, checkout_reply, -1, false);
	CHECK_INT(r.n_done, 1);
	CHECK(sip2_client_up(r.client));
	srv_send(&r, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|", seq_of(next), false);
	CHECK(sip2_client_up(r.client));
	/* The link goes on: the next request is sent and answered. */
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, next, sizeof(next)));
	CHECK(strncmp(next, "17", 2) == 0);
	srv_send(&r, item_reply, seq_of(next), false);
	CHECK_INT(r.n_done, 2);
	CHECK_INT(r.done_err[1], 0);
	/* Nothing was sent twice. */
	loop_advance(r.loop, 2000);
	pump(&r, 3);
	CHECK_INT(r.len, 0);
	rig_stop(&r);
}

/* The barrier's own silence is resent (a 99 changes nothing), then the link goes down. */
static void test_silent_barrier_takes_the_link_down(void)
{
	struct rig r;
	char first[256], barrier[256], again[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_BACKGROUND, "12", build_checkout,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(srv_read(&r, first, sizeof(first)));
	loop_advance(r.loop, 2000);
	CHECK(srv_read(&r, barrier, sizeof(barrier)));
	CHECK(strncmp(barrier, "99", 2) == 0);
	loop_advance(r.loop, 2000);
	CHECK(srv_read(&r, again, sizeof(again)));
	CHECK_STR(again, barrier);
	loop_advance(r.loop, 2000);
	pump(&r, 3);
	CHECK_INT(r.downs, 1);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], -ETIMEDOUT);
	rig_stop(&r);
}

static void test_cancel_queued_and_in_flight(void)
{
	struct rig r, other;
	char first[256], next[256];

	rig_start(&r);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_BACKGROUND, "12", build_checkout,
				      "31234000000016", on_done, &r),
		  0);
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000024", on_done, &other),
		  0);
	CHECK(srv_read(&r, first, sizeof(first)));
	CHECK(strncmp(first, "11", 2) == 0);
	/* Still queued: never sent, so never applied. */
	other.n_done = 0;
	CHECK_INT(sip2_client_cancel(r.client, on_done, &other), 0);
	CHECK_INT(other.n_done, 1);
	CHECK_INT(other.done_err[0], -ENOTCONN);
	/* In flight: the owner hears at once, the outcome is unknown. */
	CHECK_INT(sip2_client_cancel(r.client, on_done, &r), 0);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], -ETIMEDOUT);
	CHECK_INT(sip2_client_cancel(r.client, on_done, &r), -ENOENT);
	CHECK(srv_read(&r, next, sizeof(next)));
	CHECK(strncmp(next, "99", 2) == 0);
	/* Its reply, with its own AY, comes late and is dropped. */
	srv_send(&r, checkout_reply, seq_of(first), false);
	CHECK_INT(r.n_done, 1);
	srv_send(&r, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|", seq_of(next), false);
	CHECK(sip2_client_up(r.client));
	CHECK_INT(r.downs, 0);
	rig_stop(&r);
}

/* Servers drop a connection idle for a minute or so: not an outage for the patron. */
static void test_idle_close_reconnects_quietly(void)
{
	struct rig r;
	char status[64], req[256];

	rig_start(&r);
	close(r.srv_fd);
	r.srv_fd = -1;
	r.len = 0;
	pump(&r, 5);
	CHECK_INT(r.downs, 0);
	CHECK(sip2_client_up(r.client));
	/* A patron's request meanwhile waits for the new connection. */
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	/* At once, no backoff: no clock advance. */
	CHECK(srv_read(&r, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	srv_send(&r, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|", seq_of(status), false);
	CHECK_INT(r.ups, 1);
	CHECK_INT(r.downs, 0);
	CHECK(srv_read(&r, req, sizeof(req)));
	CHECK(strncmp(req, "17", 2) == 0);
	srv_send(&r, item_reply, seq_of(req), false);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], 0);

	/* If the quick reconnect fails, the link is down after all. */
	close(r.srv_fd);
	r.srv_fd = -1;
	r.len = 0;
	close(r.listen_fd);
	r.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* for rig_stop */
	pump(&r, 10);
	CHECK_INT(r.downs, 1);
	CHECK(!sip2_client_up(r.client));
	rig_stop(&r);
}

int main(void)
{
	RUN(test_silence_resends_same_bytes_then_link_down);
	RUN(test_spoiled_reply_asked_again_with_97);
	RUN(test_stale_reply_is_ignored);
	RUN(test_live_overtakes_background);
	RUN(test_reconnects_after_the_server_closes);
	RUN(test_circulation_silence_is_not_resent);
	RUN(test_silent_barrier_takes_the_link_down);
	RUN(test_cancel_queued_and_in_flight);
	RUN(test_idle_close_reconnects_quietly);
	return testlib_finish();
}
