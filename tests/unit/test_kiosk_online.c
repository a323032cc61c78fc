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
#include "kiosk_rig.h"
#include "testlib.h"

#define PATRON "21234000000018"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"

/* Lets the fake ILS answer what is due now. */
static void settle(struct kiosk_rig *rig)
{
	loop_advance(rig->loop, 0);
}

/* The journal's last transaction of item, in whatever state. */
static struct txn journal(struct kiosk_rig *rig, const char *item)
{
	struct txn last = { 0 };

	CHECK(kiosk_rig_txns_of(rig, item, &last) >= 1);
	return last;
}

static void sign_in(struct kiosk_rig *rig)
{
	kiosk_rig_scan(rig, PATRON);
	kiosk_rig_expect(rig, DISPLAY_INFO, "Checking your card");
	settle(rig);
	kiosk_rig_expect(rig, DISPLAY_INFO, "Hello, Ada!");
}

static void test_online_checkout_recorded_then_told(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	sign_in(&rig);
	kiosk_rig_scan(&rig, ITEM_1);
	/*
	 * Forwarded, and durable while the ILS works (the request is out, its
	 * answer not yet in); nothing told yet.
	 */
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_FORWARDED);
	CHECK_INT(t.mode, TXN_ONLINE);
	CHECK_INT(fake_ils_pending(rig.fake), 1);
	CHECK(!store_settle_owed(rig.store));
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Checked out: Title of " ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_STR(t.evidence, "12 ok=1");
	CHECK_STR(t.result, "2026-12-20");
	CHECK_INT(fake_ils_applied(rig.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK(!fake_ils_request(rig.fake, 1)->no_block);
	CHECK_INT(fake_ils_request(rig.fake, 1)->lane, ILS_LANE_LIVE);
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, ITEM_1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_END_SESSION, NULL), 1);
	kiosk_rig_stop(&rig);
}

/*
 * The ILS says the patron reads German: with language_from_ils the session
 * speaks it, receipt included, and the next patron is greeted in the
 * kiosk's language again. Without it, or for a language without a catalog,
 * the kiosk's language stays.
 */
static void test_patron_language_from_the_ils(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	rig.cfg.language_from_ils = true;
	fake_ils_script(rig.fake, &(struct fake_step){ .language = "de" });
	kiosk_rig_scan(&rig, PATRON);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Guten Tag, Ada!");
	kiosk_rig_scan(&rig, ITEM_1);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Ausgeliehen: Title of " ITEM_1);
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "Sie haben 1 Medium ausgeliehen.");
	/* A language the kiosk has no catalog for. */
	fake_ils_script(rig.fake, &(struct fake_step){ .language = "ja" });
	sign_in(&rig);
	kiosk_rig_scan(&rig, "DONE");
	/* The library has not asked for it. */
	rig.cfg.language_from_ils = false;
	fake_ils_script(rig.fake, &(struct fake_step){ .language = "fr" });
	sign_in(&rig);
	kiosk_rig_stop(&rig);
}

static void test_online_refusal_shows_the_ils_message(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .refuse = true,
						       .screen = "Item is on hold for another patron" });
	kiosk_rig_scan(&rig, ITEM_1);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "on hold for another patron");
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_FAILED);
	CHECK_STR(t.evidence, "12 ok=0");
	CHECK_STR(t.screen_msg, "Item is on hold for another patron");
	CHECK_INT(fake_ils_applied(rig.fake, FAKE_CHECKOUT, ITEM_1), 0);
	kiosk_rig_stop(&rig);
}

static void test_patron_refused_and_remembered_offline(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	fake_ils_script(rig.fake, &(struct fake_step){ .flags = ILS_PATRON_CHARGE_DENIED,
						       .screen = "Your card has expired" });
	kiosk_rig_scan(&rig, PATRON);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "Your card has expired");
	/* Offline, the same card is refused from the cache (a salted hash, no id). */
	fake_ils_set_up(rig.fake, false);
	kiosk_rig_scan(&rig, PATRON);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "cannot be used to borrow");
	kiosk_rig_stop(&rig);
}

/* The reply never comes: the policy allows offline checkouts, so the patron is served. */
static void test_reply_lost_served_offline(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	sign_in(&rig);
	fake_ils_set_timeout(rig.fake, 3000);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_LOSE, .apply_anyway = true });
	kiosk_rig_scan(&rig, ITEM_1);
	loop_advance(rig.loop, 2999);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	loop_advance(rig.loop, 1);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Checked out: " ITEM_1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_OFFLINE);
	CHECK_INT(t.state, TXN_FORWARDED); /* store-and-forward verifies it */
	CHECK_INT(t.patron_told, TXN_TOLD_SERVED_OFFLINE);
	CHECK(t.due_ms > 0);
	kiosk_rig_stop(&rig);
}

/* Checkin-only offline: a checkout whose reply is lost did not go through, and says so. */
static void test_reply_lost_not_allowed_offline(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	rig.cfg.offline_policy = OFFLINE_CHECKIN_ONLY;
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_GARBLE });
	kiosk_rig_scan(&rig, ITEM_1);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "did not go through");
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_ONLINE);
	CHECK_INT(t.state, TXN_FORWARDED);
	CHECK_INT(t.patron_told, TXN_TOLD_NOT_DONE);
	kiosk_rig_stop(&rig);
}

/* The link drops mid-transaction: the outcome is unknown, the patron goes on offline. */
static void test_link_lost_mid_transaction(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	sign_in(&rig);
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG, .apply_anyway = true });
	kiosk_rig_scan(&rig, ITEM_1);
	fake_ils_set_up(rig.fake, false);
	/* Served offline (OK), then told the link went away. */
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, "went offline");
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.mode, TXN_OFFLINE);
	CHECK_INT(t.state, TXN_FORWARDED);
	/* Offline from now on: the next item is recorded here, pending. */
	kiosk_rig_scan(&rig, ITEM_2);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Checked out: " ITEM_2);
	CHECK_INT(journal(&rig, ITEM_2).state, TXN_PENDING);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_CHECKOUT, ITEM_2), 0);
	kiosk_rig_stop(&rig);
}

/* An ACS may take a minute; a patron waits patron_wait at most, then is served without it. */
static void test_patron_wait_cap(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	rig.cfg.sip2.patron_wait_s = 8;
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG });
	kiosk_rig_scan(&rig, PATRON);
	loop_advance(rig.loop, 7999);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Checking your card");
	CHECK_INT(fake_ils_cancelled(rig.fake), 0);
	loop_advance(rig.loop, 1);
	CHECK_INT(fake_ils_cancelled(rig.fake), 1);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "library system is offline");
	fake_ils_script(rig.fake, &(struct fake_step){ .fate = FAKE_HANG });
	kiosk_rig_scan(&rig, ITEM_1);
	loop_advance(rig.loop, 8000);
	CHECK_INT(fake_ils_cancelled(rig.fake), 2);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Checked out: " ITEM_1);
	CHECK_INT(fake_ils_pending(rig.fake), 0);
	kiosk_rig_stop(&rig);
}

/* Offline policy none: no session at all while the ILS is away. */
static void test_offline_policy_none(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	rig.cfg.offline_policy = OFFLINE_NONE;
	fake_ils_set_up(rig.fake, false);
	kiosk_rig_scan(&rig, PATRON);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "Borrowing is unavailable");
	CHECK_INT(fake_ils_n_requests(rig.fake), 0);
	kiosk_rig_stop(&rig);
}

static void test_renewal_of_an_item_the_patron_has(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, true);
	rig.cfg.sip2.renew = true;
	fake_ils_charge(rig.fake, ITEM_1, PATRON);
	sign_in(&rig);
	kiosk_rig_scan(&rig, ITEM_1);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_OK, "Renewed: Title of " ITEM_1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_RENEW, ITEM_1), 1);
	CHECK_INT(fake_ils_count(rig.fake, FAKE_CHECKOUT, ITEM_1), 0);
	CHECK_INT(journal(&rig, ITEM_1).kind, TXN_RENEW);
	kiosk_rig_stop(&rig);
}

static void test_online_return_with_alert_and_sort_bin(void)
{
	struct kiosk_rig rig;
	struct txn t;

	kiosk_rig_start(&rig, KIOSK_RETURNS, true);
	fake_ils_charge(rig.fake, ITEM_1, PATRON);
	fake_ils_script(rig.fake, &(struct fake_step){ .alert = ILS_ALERT_HOLD_HERE,
						       .sort_bin = "2" });
	kiosk_rig_scan(&rig, ITEM_1);
	settle(&rig);
	kiosk_rig_expect(&rig, DISPLAY_OK, "on hold for another patron");
	CHECK_STR(rig.cap.sort_bin, "2");
	CHECK_INT(rig.cap.in_store_at_ok, 1);
	t = journal(&rig, ITEM_1);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_STR(t.evidence, "10 ok=1");
	CHECK_STR(fake_ils_charged_to(rig.fake, ITEM_1), "");
	kiosk_rig_stop(&rig);
}

int main(void)
{
	RUN(test_online_checkout_recorded_then_told);
	RUN(test_patron_language_from_the_ils);
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
