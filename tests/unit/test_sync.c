/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store-and-forward against a scripted ILS in the same process, on a fake
 * clock, with a real store: verifying a lost checkout pages through a
 * heavy borrower's loans, whatever the ILS does with the range; one that
 * never settles goes to staff and the queue moves on; what the ILS said
 * is kept; a conflict says what the patron was really told.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../firmware/ils-sip2.h"
#include "../../firmware/sip2.h"
#include "../../firmware/sync.h"
#include "journal_fixture.h"
#include "sip2_server.h"
#include "testlib.h"
#include "tmpdir.h"

#define PATRON "21234000000018"
#define LOANS 3000
#define T0 1764417600000LL

struct rig {
	struct loop *loop;
	struct ils *ils;
	struct sync *sync;
	struct store *store;
	struct config cfg;
	struct tmp tmp;
	struct sip2_server srv;
};

static void on_link(void *data, bool up, const char *why)
{
	struct rig *r = data;

	(void)why;
	if (up && r->sync)
		sync_kick(r->sync);
}

static const struct ils_events events = { .link = on_link };

static unsigned field_num(const char *msg, const char *id)
{
	const char *f = strstr(msg, id);

	return f ? (unsigned)strtoul(f + 2, NULL, 10) : 0;
}

static void loan_id(unsigned i, char *out, size_t size)
{
	snprintf(out, size, "3123499%07u", i);
}

/*
 * A 64 for PATRON, whose loans are 1..LOANS (plus item when charged),
 * listing from..to of them (0 = all), its count saying count.
 */
static char *reply_64(unsigned from, unsigned to, unsigned count, const char *extra)
{
	size_t size = 64 * (LOANS + 8) + 256, n;
	char *out = malloc(size);
	char item[32];

	if (!out)
		exit(2);
	n = (size_t)snprintf(out, size, "64%14s001%s0000" "0000" "%04u" "0000" "0000" "0000"
					"AOMain|AA" PATRON "|", "", "20261129    120000", count);
	for (unsigned i = from ? from : 1; i <= (to ? to : LOANS) && i <= LOANS; i++) {
		loan_id(i, item, sizeof(item));
		n += (size_t)snprintf(out + n, size - n, "AU%s|", item);
	}
	if (extra)
		n += (size_t)snprintf(out + n, size - n, "AU%s|", extra);
	snprintf(out + n, size - n, "AFHello|");
	return out;
}

static void rig_start(struct rig *r)
{
	char status[64];

	memset(r, 0, sizeof(*r));
	tmp_new(&r->tmp, "synctest");
	CHECK_INT(store_open(r->tmp.db, &r->store), 0);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	config_default(&r->cfg);
	snprintf(r->cfg.sip2.host, sizeof(r->cfg.sip2.host), "127.0.0.1");
	sip2_server_start(&r->srv, r->loop, r->cfg.sip2.port, sizeof(r->cfg.sip2.port));
	r->cfg.sip2.tls = false;
	r->cfg.retention_hours = 1; /* keep patron ids: the test reads them back */
	CHECK_INT(ils_sip2_new(r->loop, &r->cfg.sip2, &events, r, &r->ils), 0);
	CHECK_INT(sync_new(r->loop, r->store, r->ils, &r->cfg, &r->sync), 0);
	CHECK(sip2_server_read(&r->srv, status, sizeof(status)));
	CHECK(strncmp(status, "99", 2) == 0);
	/* Timeout 60 s, 3 retries, as a real ACS may say. */
	sip2_server_send(&r->srv,
			 "98YYYYNN600003" "20261129    120000" "2.00AOMain|BXYYYYYYYYYYYYYYYY|",
			 sip2_request_seq(status), false);
	CHECK(ils_up(r->ils));
}

static void rig_stop(struct rig *r)
{
	sync_free(r->sync);
	ils_free(r->ils);
	sip2_server_stop(&r->srv);
	loop_free(r->loop);
	store_close(r->store);
	tmp_remove(&r->tmp);
}

/* Recorded offline (or online: as the kiosk records it, forwarded), with its reply lost. */
static void record(struct rig *r, struct txn *t, enum txn_kind kind, enum txn_mode mode,
		   const char *item, bool lost)
{
	journal_record(r->store, t, kind, mode, PATRON, item, T0);
	if (lost && mode == TXN_OFFLINE)
		CHECK_INT(store_mark_forwarded(r->store, t->id, T0 + 1), 0);
}

static struct txn got(struct rig *r, const char *id)
{
	return journal_get(r->store, id);
}

/* The forwarded checkin behind the one being verified goes out and is answered. */
static void expect_checkin_forwarded(struct rig *r, const struct txn *next)
{
	char req[512];

	CHECK(sip2_server_read(&r->srv, req, sizeof(req)));
	CHECK(strncmp(req, "09", 2) == 0 && strstr(req, next->item));
	sip2_server_send(&r->srv, "101YNN20261129    120000AOMain|AB31234000000099|AJA title|",
			 sip2_request_seq(req), false);
	CHECK_INT(got(r, next->id).state, TXN_CONFIRMED);
}

/* Ranges honoured: page by page through 3,000 loans; the item is not among them. */
static void test_heavy_borrower_paged_not_charged_then_sent(void)
{
	struct rig r;
	struct txn lost, next, t;
	char req[512];
	unsigned pages = 0, bp, bq;

	rig_start(&r);
	record(&r, &lost, TXN_CHECKOUT, TXN_OFFLINE, "31234000000016", true);
	record(&r, &next, TXN_CHECKIN, TXN_OFFLINE, "31234000000099", false);
	sync_kick(r.sync);
	for (;;) {
		char *reply;

		CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
		if (strncmp(req, "63", 2) != 0)
			break;
		bp = field_num(req, "BP");
		bq = field_num(req, "BQ");
		CHECK_INT(bq - bp + 1, SIP2_LIST_MAX);
		CHECK_INT(bp, pages * SIP2_LIST_MAX + 1);
		reply = reply_64(bp, bq, LOANS, NULL);
		sip2_server_send(&r.srv, reply, sip2_request_seq(req), false);
		free(reply);
		if (++pages > 200)
			break;
	}
	CHECK_INT(pages, (LOANS + SIP2_LIST_MAX - 1) / SIP2_LIST_MAX);
	/* not charged: sent now, no block, and the ILS has something to say */
	CHECK(strncmp(req, "11NY", 4) == 0 && strstr(req, "AB31234000000016|"));
	sip2_server_send(&r.srv,
			 "121NNY20261129    120000AOMain|AA" PATRON "|AB31234000000016|AJA book|"
			 "AH20261213|AFOffline checkout accepted|AFItem was charged to X|"
			 "AGDue 13 Dec|",
			 sip2_request_seq(req), false);
	t = got(&r, lost.id);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_INT(t.verifications, 1);
	CHECK_STR(t.screen_msg, "Offline checkout accepted\nItem was charged to X");
	CHECK_STR(t.print_line, "Due 13 Dec");
	expect_checkin_forwarded(&r, &next);
	{
		struct sync_stats st;

		sync_get_stats(r.sync, &st);
		CHECK_INT(st.ils_messages, 1);
		CHECK_STR(st.last_ils_message, "checkout of item 31234000000016: Offline checkout "
					       "accepted / Item was charged to X");
	}
	rig_stop(&r);
}

/* Ranges ignored: the whole list, 3,000 loans (~50 KiB) in one 64, the item among them. */
static void test_heavy_borrower_whole_list_charged(void)
{
	struct rig r;
	struct txn lost, next;
	char req[512], *reply;

	rig_start(&r);
	record(&r, &lost, TXN_CHECKOUT, TXN_OFFLINE, "31234000000016", true);
	record(&r, &next, TXN_CHECKIN, TXN_OFFLINE, "31234000000099", false);
	sync_kick(r.sync);
	CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
	CHECK(strncmp(req, "63", 2) == 0);
	reply = reply_64(0, 0, LOANS + 1, "31234000000016");
	CHECK(strlen(reply) > 45000);
	sip2_server_send(&r.srv, reply, sip2_request_seq(req), false);
	free(reply);
	CHECK_INT(got(&r, lost.id).state, TXN_CONFIRMED);
	CHECK(strstr(got(&r, lost.id).evidence, "charged") != NULL);
	expect_checkin_forwarded(&r, &next);
	CHECK(ils_up(r.ils));
	rig_stop(&r);
}

/*
 * Ranges ignored, the list capped short of the count: "not charged" is
 * never concluded from it. Nor from wrong answers. Each verification is
 * counted; after the bound, staff decide and the queue moves on.
 */
static void test_unsettled_verification_goes_to_staff(void)
{
	struct rig r;
	struct txn lost, next, t;
	char req[512], *reply;
	unsigned asked = 0;

	rig_start(&r);
	record(&r, &lost, TXN_CHECKOUT, TXN_OFFLINE, "31234000000016", true);
	record(&r, &next, TXN_CHECKIN, TXN_OFFLINE, "31234000000099", false);
	sync_kick(r.sync);
	for (int round = 0; round < 5; round++) {
		CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
		CHECK(strncmp(req, "63", 2) == 0);
		asked++;
		if (round % 2) {
			/* a wrong answer */
			sip2_server_send(&r.srv, "1803020120261129    120000AB31234000000016|",
					 sip2_request_seq(req), false);
		} else {
			/* the same 40 of 3,000, whatever the range: capped, never complete */
			reply = reply_64(1, 40, LOANS, NULL);
			sip2_server_send(&r.srv, reply, sip2_request_seq(req), false);
			free(reply);
		}
		CHECK_INT(got(&r, lost.id).state, TXN_FORWARDED);
		CHECK_INT(got(&r, lost.id).verifications, asked);
		loop_advance(r.loop, 5000);
		sip2_server_pump(&r.srv, 3);
	}
	t = got(&r, lost.id);
	CHECK_INT(t.state, TXN_CONFLICT);
	CHECK(strstr(t.result, "could not establish whether the ILS applied this checkout"));
	CHECK(strstr(t.result, "asked 5 times"));
	/* never sent again */
	expect_checkin_forwarded(&r, &next);
	rig_stop(&r);
}

/* After a crash mid-transaction the conflict says what the patron was actually told. */
static void test_applied_online_says_what_the_patron_was_told(void)
{
	struct rig r;
	struct txn silent, refused, told_nothing;
	char req[512], *reply;

	rig_start(&r);
	record(&r, &silent, TXN_CHECKOUT, TXN_ONLINE, "31234000000016", true);
	record(&r, &refused, TXN_CHECKOUT, TXN_ONLINE, "31234000000024", true);
	record(&r, &told_nothing, TXN_CHECKOUT, TXN_ONLINE, "31234000000032", true);
	CHECK_INT(store_note_patron_told(r.store, refused.id, TXN_TOLD_NOT_DONE), 0);
	CHECK_INT(store_note_patron_told(r.store, told_nothing.id, TXN_TOLD_NOT_DONE), 0);
	sync_kick(r.sync);
	for (int i = 0; i < 3; i++) {
		CHECK(sip2_server_read(&r.srv, req, sizeof(req)));
		CHECK(strncmp(req, "63", 2) == 0);
		/* the first two were applied, the third was not */
		reply = reply_64(1, 3, i < 2 ? 4 : 3,
				 i == 0 ? "31234000000016" : i == 1 ? "31234000000024" : NULL);
		sip2_server_send(&r.srv, reply, sip2_request_seq(req), false);
		free(reply);
	}
	CHECK_INT(got(&r, silent.id).state, TXN_CONFLICT);
	CHECK_STR(got(&r, silent.id).result,
		  "the ILS applied this checkout, but circd stopped "
					     "before the patron was told anything (or, after a power "
					     "cut, before its record of the answer reached the disk): "
					     "check the item");
	CHECK_INT(got(&r, refused.id).state, TXN_CONFLICT);
	CHECK_STR(got(&r, refused.id).result,
		  "the ILS applied this checkout, but the patron was "
					      "told it had not gone through: check the item");
	CHECK_INT(got(&r, told_nothing.id).state, TXN_FAILED);
	CHECK(strstr(got(&r, told_nothing.id).result, "told it had not gone through"));
	rig_stop(&r);
}

int main(void)
{
	RUN(test_heavy_borrower_paged_not_charged_then_sent);
	RUN(test_heavy_borrower_whole_list_charged);
	RUN(test_unsettled_verification_goes_to_staff);
	RUN(test_applied_online_says_what_the_patron_was_told);
	return testlib_finish();
}
