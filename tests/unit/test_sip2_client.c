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
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../firmware/config.h"
#include "../../firmware/sip2-client.h"
#include "sip2_server.h"
#include "testlib.h"

struct rig {
	struct loop *loop;
	struct sip2_client *client;
	struct sip2_server srv;
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

static void rig_start(struct rig *r)
{
	struct sip2_config cfg;
	struct config defaults;
	char status[64];

	memset(r, 0, sizeof(*r));
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	config_default(&defaults);
	cfg = defaults.sip2;
	snprintf(cfg.host, sizeof(cfg.host), "127.0.0.1");
	sip2_server_start(&r->srv, r->loop, cfg.port, sizeof(cfg.port));
	cfg.tls = false;
	snprintf(cfg.institution, sizeof(cfg.institution), "MAIN");
	CHECK_INT(sip2_client_new(r->loop, &cfg, &events, r, &r->client), 0);

	/* The link comes up with 99 -> 98: timeout 2.0 s, 1 retry, from the ACS. */
	CHECK(sip2_server_read(&r->srv, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	sip2_server_send(&r->srv,
			 "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|BXYYYYYYYYYYYYYYYY|",
			 sip2_request_seq(status), false);
	CHECK_INT(r->ups, 1);
	CHECK(sip2_client_up(r->client));
}

static void rig_stop(struct rig *r)
{
	sip2_client_free(r->client);
	sip2_server_stop(&r->srv);
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
	CHECK(sip2_server_read(&r.srv, first, sizeof(first)));
	CHECK(strncmp(first, "17", 2) == 0);
	loop_advance(r.loop, 1999);
	sip2_server_pump(&r.srv, 3);
	CHECK_INT(r.srv.len, 0); /* nothing resent before the ACS's timeout */
	loop_advance(r.loop, 1);
	CHECK(sip2_server_read(&r.srv, again, sizeof(again)));
	CHECK_STR(again, first); /* same message, same sequence number */
	loop_advance(r.loop, 2000);
	sip2_server_pump(&r.srv, 3);
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
	CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(req), true);
	CHECK_INT(r.n_done, 0);
	CHECK(sip2_server_read(&r.srv, resend, sizeof(resend)));
	CHECK(strncmp(resend, "97AZ", 4) == 0);
	/* A server that recomputes its reply may stamp a sequence number of its own. */
	sip2_server_send(&r.srv, item_reply, (sip2_request_seq(req) + 1) % 10, false);
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
	CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
	/* an old request's */
	sip2_server_send(&r.srv, item_reply, (sip2_request_seq(req) + 5) % 10, false);
	CHECK_INT(r.n_done, 0);
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(req), false);
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
	/* already in flight: the first background one */
	CHECK(sip2_server_read(&r.srv, a, sizeof(a)));
	CHECK(strstr(a, "AB31234000000016") != NULL);
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(a), false);
	CHECK(sip2_server_read(&r.srv, b, sizeof(b)));
	CHECK(strstr(b, "AB31234000000032") != NULL); /* the patron waiting goes first */
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(b), false);
	CHECK(sip2_server_read(&r.srv, c, sizeof(c)));
	CHECK(strstr(c, "AB31234000000024") != NULL);
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(c), false);
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
	CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
	sip2_server_drop(&r.srv);
	sip2_server_pump(&r.srv, 5);
	CHECK_INT(r.downs, 1);
	/* Backoff: about a second, with jitter. */
	loop_advance(r.loop, 1500);
	CHECK(sip2_server_read(&r.srv, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	sip2_server_send(&r.srv, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|",
			 sip2_request_seq(status), false);
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
	CHECK(sip2_server_read(&r.srv, first, sizeof(first)));
	CHECK(strncmp(first, "11", 2) == 0);
	loop_advance(r.loop, 2000);
	sip2_server_pump(&r.srv, 3);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], -ETIMEDOUT); /* outcome unknown: for the owner to verify */
	CHECK(sip2_client_up(r.client));
	CHECK_INT(r.downs, 0);
	/* What goes out next is a 99: once its 98 is in, no late 12 can follow. */
	CHECK(sip2_server_read(&r.srv, next, sizeof(next)));
	CHECK(strncmp(next, "99", 2) == 0);
	/* The late reply, without AY: recognised by its code and dropped. */
	sip2_server_send(&r.srv, checkout_reply, -1, false);
	CHECK_INT(r.n_done, 1);
	CHECK(sip2_client_up(r.client));
	sip2_server_send(&r.srv, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|",
			 sip2_request_seq(next), false);
	CHECK(sip2_client_up(r.client));
	/* The link goes on: the next request is sent and answered. */
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	CHECK(sip2_server_read(&r.srv, next, sizeof(next)));
	CHECK(strncmp(next, "17", 2) == 0);
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(next), false);
	CHECK_INT(r.n_done, 2);
	CHECK_INT(r.done_err[1], 0);
	/* Nothing was sent twice. */
	loop_advance(r.loop, 2000);
	sip2_server_pump(&r.srv, 3);
	CHECK_INT(r.srv.len, 0);
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
	CHECK(sip2_server_read(&r.srv, first, sizeof(first)));
	loop_advance(r.loop, 2000);
	CHECK(sip2_server_read(&r.srv, barrier, sizeof(barrier)));
	CHECK(strncmp(barrier, "99", 2) == 0);
	loop_advance(r.loop, 2000);
	CHECK(sip2_server_read(&r.srv, again, sizeof(again)));
	CHECK_STR(again, barrier);
	loop_advance(r.loop, 2000);
	sip2_server_pump(&r.srv, 3);
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
	CHECK(sip2_server_read(&r.srv, first, sizeof(first)));
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
	CHECK(sip2_server_read(&r.srv, next, sizeof(next)));
	CHECK(strncmp(next, "99", 2) == 0);
	/* Its reply, with its own AY, comes late and is dropped. */
	sip2_server_send(&r.srv, checkout_reply, sip2_request_seq(first), false);
	CHECK_INT(r.n_done, 1);
	sip2_server_send(&r.srv, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|",
			 sip2_request_seq(next), false);
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
	sip2_server_drop(&r.srv);
	sip2_server_pump(&r.srv, 5);
	CHECK_INT(r.downs, 0);
	CHECK(sip2_client_up(r.client));
	/* A patron's request meanwhile waits for the new connection. */
	CHECK_INT(sip2_client_request(r.client, SIP2_LANE_LIVE, "18", build_item_info,
				      "31234000000016", on_done, &r),
		  0);
	/* At once, no backoff: no clock advance. */
	CHECK(sip2_server_read(&r.srv, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	sip2_server_send(&r.srv, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|",
			 sip2_request_seq(status), false);
	CHECK_INT(r.ups, 1);
	CHECK_INT(r.downs, 0);
	CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
	CHECK(strncmp(req, "17", 2) == 0);
	sip2_server_send(&r.srv, item_reply, sip2_request_seq(req), false);
	CHECK_INT(r.n_done, 1);
	CHECK_INT(r.done_err[0], 0);

	/* If the quick reconnect fails, the link is down after all. */
	sip2_server_drop(&r.srv);
	close(r.srv.listen_fd);
	r.srv.listen_fd = -1;
	sip2_server_pump(&r.srv, 10);
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
