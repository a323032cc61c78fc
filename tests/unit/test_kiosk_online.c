/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kiosk online, against the fake ILS on a fake clock: what the SIP2
 * end-to-end tests show from outside, here event by event and without a
 * network. A real store in a temporary directory; outputs captured.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/kiosk.h"
#include "../../lib/loop.h"
#include "../../firmware/store.h"
#include "fake_ils.h"
#include "testlib.h"

#define PATRON "21234000000018"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"

struct capture {
	enum display_kind kind;
	char text[1024];
	int played[FEEDBACK__COUNT];
	char sort_bin[16];
	struct store *store;
	uint64_t in_store_at_ok;
};

static void cap_display(void *data, enum display_kind kind, const char *text)
{
	struct capture *cap = data;

	cap->kind = kind;
	snprintf(cap->text, sizeof(cap->text), "%s", text);
}

static void cap_feedback(void *data, enum feedback_kind kind)
{
	struct capture *cap = data;

	cap->played[kind]++;
	if (kind == FEEDBACK_OK)
		store_count_all(cap->store, &cap->in_store_at_ok);
}

static void cap_sort(void *data, const char *bin)
{
	struct capture *cap = data;

	snprintf(cap->sort_bin, sizeof(cap->sort_bin), "%s", bin);
}

static const struct kiosk_output cap_output = {
	.display = cap_display, .feedback = cap_feedback, .sort = cap_sort,
};

struct rig {
	char dir[64];
	char db[128];
	struct config cfg;
	struct loop *loop;
	struct store *store;
	struct fake_ils *fake;
	struct kiosk *kiosk;
	struct capture cap;
};

static void on_link(void *data, bool up, const char *why)
{
	struct rig *rig = data;

	(void)why;
	if (rig->kiosk)
		kiosk_set_online(rig->kiosk, up);
}

static const struct ils_events link_events = { .link = on_link };

static void rig_start(struct rig *rig, enum kiosk_mode mode)
{
	struct kiosk_env env;

	memset(rig, 0, sizeof(*rig));
	snprintf(rig->dir, sizeof(rig->dir), "/tmp/circd-online-XXXXXX");
	CHECK(mkdtemp(rig->dir) != NULL);
	snprintf(rig->db, sizeof(rig->db), "%s/circd.db", rig->dir);
	config_default(&rig->cfg);
	rig->cfg.mode = mode;
	rig->cfg.barcodes.n_done = 1;
	snprintf(rig->cfg.barcodes.done[0], sizeof(rig->cfg.barcodes.done[0]), "DONE");
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &rig->loop), 0);
	CHECK_INT(store_open(rig->db, &rig->store), 0);
	rig->cap.store = rig->store;
	CHECK_INT(fake_ils_new(rig->loop, &link_events, rig, &rig->fake), 0);
	env = (struct kiosk_env){ .loop = rig->loop, .cfg = &rig->cfg, .store = rig->store,
				  .boot_id = "boot-1", .ils = fake_ils_ils(rig->fake),
				  .out = &cap_output, .out_data = &rig->cap };
	CHECK_INT(kiosk_new(&env, &rig->kiosk), 0);
	fake_ils_set_up(rig->fake, true);
}

static void rig_stop(struct rig *rig)
{
	char cmd[128];

	kiosk_free(rig->kiosk);
	ils_free(fake_ils_ils(rig->fake));
	store_close(rig->store);
	loop_free(rig->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", rig->dir);
	CHECK_INT(system(cmd), 0);
}

static void scan(struct rig *rig, const char *text)
{
	struct scan s = { .symbology = SYM_UNKNOWN, .role = ROLE_ITEM_SCANNER };

	snprintf(s.text, sizeof(s.text), "%s", text);
	s.len = strlen(s.text);
	memset(rig->cap.played, 0, sizeof(rig->cap.played));
	kiosk_scan(rig->kiosk, &s);
}

/* Lets the fake ILS answer what is due now. */
static void settle(struct rig *rig)
{
	loop_advance(rig->loop, 0);
}

static void expect(struct rig *rig, enum display_kind kind, const char *needle)
{
	CHECK_INT(rig->cap.kind, kind);
	if (needle && !strstr(rig->cap.text, needle)) {
		fprintf(stderr, "display \"%s\" lacks \"%s\"\n", rig->cap.text, needle);
		CHECK(0);
	}
}

struct found {
	const char *item;
	struct txn txn;
	int n;
};

static int find_fn(void *data, const struct txn *txn)
{
	struct found *f = data;

	if (strcmp(txn->item, f->item) == 0) {
		f->txn = *txn;
		f->n++;
	}
	return 0;
}

/* The journal's last transaction of item, in whatever state. */
static struct txn journal(struct rig *rig, const char *item)
{
	struct found f = { .item = item };

	for (int state = TXN_PENDING; state <= TXN_FAILED; state++)
		CHECK_INT(store_list(rig->store, (enum txn_state)state, 0, find_fn, &f), 0);
	CHECK(f.n >= 1);
	return f.txn;
}

static void sign_in(struct rig *rig)
{
	scan(rig, PATRON);
	expect(rig, DISPLAY_INFO, "Checking your card");
	settle(rig);
	expect(rig, DISPLAY_INFO, "Hello, Ada!");
}

static void test_online_checkout_recorded_then_told(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_SELFCHECK);
	sign_in(&rig);
	scan(&rig, ITEM_1);
	/* Forwarded and durable before the request went out; nothing told yet. */
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_FORWARDED);
	CHECK_INT(t.mode, TXN_ONLINE);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	settle(&rig);
	expect(&rig, DISPLAY_OK, "Checked out: Title of " ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_STR(t.evidence, "12 ok=1");
	CHECK_STR(t.result, "2026-12-20");
	CHECK_INT(fake_ils_applied(rig.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK(!fake_ils_request(rig.fake, 1)->no_block);
	CHECK_INT(fake_ils_request(rig.fake, 1)->lane, ILS_LANE_LIVE);
	scan(&rig, "DONE");
	expect(&rig, DISPLAY_RECEIPT, ITEM_1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_END_SESSION, NULL), 1);
	rig_stop(&rig);
}

static void test_online_refusal_shows_the_ils_message(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_SELFCHECK);
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .refuse = true,
						       .screen = "Item is on hold for another patron" });
	scan(&rig, ITEM_1);
	settle(&rig);
	expect(&rig, DISPLAY_ERROR, "on hold for another patron");
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_FAILED);
	CHECK_STR(t.evidence, "12 ok=0");
	CHECK_STR(t.screen_msg, "Item is on hold for another patron");
	CHECK_INT(fake_ils_applied(rig.fake, FAKE_CHECKOUT, ITEM_1), 0);
	rig_stop(&rig);
}

static void test_patron_refused_and_remembered_offline(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	fake_ils_script(rig.fake, &(struct fake_step){ .flags = ILS_PATRON_CHARGE_DENIED,
						       .screen = "Your card has expired" });
	scan(&rig, PATRON);
	settle(&rig);
	expect(&rig, DISPLAY_ERROR, "Your card has expired");
	/* Offline, the same card is refused from the cache (a salted hash, no id). */
	fake_ils_set_up(rig.fake, false);
	scan(&rig, PATRON);
	expect(&rig, DISPLAY_ERROR, "cannot be used to borrow");
	rig_stop(&rig);
}

/* The reply never comes: the policy allows offline checkouts, so the patron is served. */
static void test_reply_lost_served_offline(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_SELFCHECK);
	sign_in(&rig);
	fake_ils_set_timeout(rig.fake, 3000);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_LOSE, .apply_anyway = true });
	scan(&rig, ITEM_1);
	loop_advance(rig.loop, 2999);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	loop_advance(rig.loop, 1);
	expect(&rig, DISPLAY_OK, "Checked out: " ITEM_1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_OFFLINE);
	CHECK_INT(t.state, TXN_FORWARDED); /* store-and-forward verifies it */
	CHECK_INT(t.patron_told, TXN_TOLD_SERVED_OFFLINE);
	CHECK(t.due_ms > 0);
	rig_stop(&rig);
}

/* Checkin-only offline: a checkout whose reply is lost did not go through, and says so. */
static void test_reply_lost_not_allowed_offline(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.offline_policy = OFFLINE_CHECKIN_ONLY;
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_GARBLE });
	scan(&rig, ITEM_1);
	settle(&rig);
	expect(&rig, DISPLAY_ERROR, "did not go through");
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_ONLINE);
	CHECK_INT(t.state, TXN_FORWARDED);
	CHECK_INT(t.patron_told, TXN_TOLD_NOT_DONE);
	rig_stop(&rig);
}

/* The link drops mid-transaction: the outcome is unknown, the patron goes on offline. */
static void test_link_lost_mid_transaction(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_SELFCHECK);
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG, .apply_anyway = true });
	scan(&rig, ITEM_1);
	fake_ils_set_up(rig.fake, false);
	/* Served offline (OK), then told the link went away. */
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	expect(&rig, DISPLAY_NOTICE, "went offline");
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_OFFLINE);
	CHECK_INT(t.state, TXN_FORWARDED);
	/* Offline from now on: the next item is recorded here, pending. */
	scan(&rig, ITEM_2);
	expect(&rig, DISPLAY_OK, "Checked out: " ITEM_2);
	CHECK_INT(journal(&rig, ITEM_2).state, TXN_PENDING);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_CHECKOUT, ITEM_2), 0);
	rig_stop(&rig);
}

/* An ACS may take a minute; a patron waits patron_wait at most, then is served without it. */
static void test_patron_wait_cap(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.sip2.patron_wait_s = 8;
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG });
	scan(&rig, PATRON);
	loop_advance(rig.loop, 7999);
	expect(&rig, DISPLAY_INFO, "Checking your card");
	CHECK_INT(fake_ils_cancelled(rig.fake), 0);
	loop_advance(rig.loop, 1);
	CHECK_INT(fake_ils_cancelled(rig.fake), 1);
	expect(&rig, DISPLAY_INFO, "library system is offline");
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG });
	scan(&rig, ITEM_1);
	loop_advance(rig.loop, 8000);
	CHECK_INT(fake_ils_cancelled(rig.fake), 2);
	expect(&rig, DISPLAY_OK, "Checked out: " ITEM_1);
	CHECK_INT(fake_ils_pending(rig.fake), 0);
	rig_stop(&rig);
}

/* Offline policy none: no session at all while the ILS is away. */
static void test_offline_policy_none(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.offline_policy = OFFLINE_NONE;
	fake_ils_set_up(rig.fake, false);
	scan(&rig, PATRON);
	expect(&rig, DISPLAY_ERROR, "Borrowing is unavailable");
	CHECK_INT(fake_ils_n_requests(rig.fake), 0);
	rig_stop(&rig);
}

static void test_renewal_of_an_item_the_patron_has(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.sip2.renew = true;
	fake_ils_charge(rig.fake, ITEM_1, PATRON);
	sign_in(&rig);
	scan(&rig, ITEM_1);
	settle(&rig);
	expect(&rig, DISPLAY_OK, "Renewed: Title of " ITEM_1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_RENEW, ITEM_1), 1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_CHECKOUT, ITEM_1), 0);
	CHECK_INT(journal(&rig, ITEM_1).kind, TXN_RENEW);
	rig_stop(&rig);
}

static void test_online_return_with_alert_and_sort_bin(void)
{
	struct rig rig;
	struct txn t;

	rig_start(&rig, KIOSK_RETURNS);
	fake_ils_charge(rig.fake, ITEM_1, PATRON);
	fake_ils_script(rig.fake, &(struct fake_step){ .alert = ILS_ALERT_HOLD_HERE,
						       .sort_bin = "2" });
	scan(&rig, ITEM_1);
	settle(&rig);
	expect(&rig, DISPLAY_OK, "on hold for another patron");
	CHECK_STR(rig.cap.sort_bin, "2");
	CHECK_INT(rig.cap.in_store_at_ok, 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_STR(t.evidence, "10 ok=1");
	CHECK_STR(fake_ils_charged_to(rig.fake, ITEM_1), "");
	rig_stop(&rig);
}

int main(void)
{
	RUN(test_online_checkout_recorded_then_told);
	RUN(test_online_refusal_shows_the_ils_message);
	RUN(test_patron_refused_and_remembered_offline);
	RUN(test_reply_lost_served_offline);
	RUN(test_reply_lost_not_allowed_offline);
	RUN(test_link_lost_mid_transaction);
	RUN(test_patron_wait_cap);
	RUN(test_offline_policy_none);
	RUN(test_renewal_of_an_item_the_patron_has);
	RUN(test_online_return_with_alert_and_sort_bin);
	return testlib_finish();
}
