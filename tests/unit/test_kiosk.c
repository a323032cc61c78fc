/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Both kiosk state machines, driven event by event on a fake clock, with a
 * real store in a temporary directory and the outputs captured.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../firmware/ils-date.h"
#include "../../firmware/kiosk.h"
#include "../../firmware/kiosk-private.h" /* the returns session's bound */
#include "../../lib/loop.h"
#include "../../firmware/store.h"
#include "kiosk_rig.h"
#include "testlib.h"

#define PATRON_A "21234000000018"
#define PATRON_B "21234000000026"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"
#define ITEM_3 "31234000000032"
#define BAD_CHECK "31234000000017"

static uint64_t recorded(struct kiosk_rig *rig)
{
	uint64_t n = 0;

	CHECK_INT(store_count_all(rig->store, &n), 0);
	return n;
}

static void test_selfcheck_session_records_each_item_before_ok(void)
{
	struct kiosk_rig rig;
	struct store_loan loan;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "library card");
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Scan your items");
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	CHECK_INT(rig.cap.in_store_at_ok, 1); /* committed before the patron was told */
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_scan(&rig, ITEM_2);
	CHECK_INT(recorded(&rig), 2);
	CHECK_INT(store_loan_get(rig.store, ITEM_2, &loan), 0);
	CHECK_STR(loan.patron, PATRON_A);
	/* 14 days on, at the end of that day (local time), as ILSs set due dates. */
	CHECK_INT(loan.due_ms, due_date_end_of_day(loan.since_ms + 14LL * 86400000));
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK(strstr(rig.cap.text, ITEM_1) && strstr(rig.cap.text, ITEM_2));
	/* The session is over: an item now needs a card first. */
	kiosk_rig_scan(&rig, ITEM_3);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "card first");
	CHECK_INT(recorded(&rig), 2);
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_wrong_inputs_record_nothing(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_scan(&rig, ITEM_1); /* item while a card is expected */
	kiosk_rig_expect(&rig, DISPLAY_ERROR, NULL);
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	kiosk_rig_scan(&rig, BAD_CHECK);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "did not read correctly");
	kiosk_rig_scan(&rig, "HELLO");
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "not recognised");
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, PATRON_B); /* a card while items are expected */
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "Another card");
	kiosk_rig_scan(&rig, "\x01\x02garbage");
	kiosk_rig_expect(&rig, DISPLAY_ERROR, NULL);
	CHECK_INT(recorded(&rig), 0);
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_repeat_item_acknowledged_once(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_offline_cap_and_policy(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.offline_max_items = 2;
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_scan(&rig, ITEM_2);
	kiosk_rig_scan(&rig, ITEM_3);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "up to 2 items");
	CHECK_INT(recorded(&rig), 2);
	kiosk_rig_scan(&rig, "DONE");
	rig.cfg.offline_policy = OFFLINE_CHECKIN_ONLY;
	kiosk_rig_scan(&rig, PATRON_B);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "offline");
	kiosk_rig_scan(&rig, ITEM_3);
	CHECK_INT(recorded(&rig), 2);
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_item_on_loan_to_another_patron(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_scan(&rig, PATRON_B);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "already on loan");
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_scan(&rig, PATRON_A); /* the borrower again: told, not recorded twice */
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, "You already have");
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_timeout_and_done_button_end_session(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	loop_advance(rig.loop, 59000);
	kiosk_rig_scan(&rig, ITEM_2); /* activity restarts the inactivity timer */
	loop_advance(rig.loop, 59999);
	CHECK_INT(rig.cap.kind, DISPLAY_OK);
	loop_advance(rig.loop, 1);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	/* The receipt stays up, then the welcome returns. */
	loop_advance(rig.loop, 15000);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Welcome");

	kiosk_rig_scan(&rig, PATRON_B);
	kiosk_input(rig.kiosk, ROLE_DONE_BUTTON, true);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "0 items");
	kiosk_rig_stop(&rig);
}

static void test_selfcheck_pin_is_held_not_stored(void)
{
	struct kiosk_rig rig;
	char cmd[256];

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.require_pin = true;
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "PIN");
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "PIN first");
	kiosk_pin(rig.kiosk, "987123");
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Scan your items");
	kiosk_rig_scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 1);
	store_close(rig.store);
	rig.store = rig.cap.store = NULL;
	kiosk_set_store(rig.kiosk, NULL, -EIO);
	snprintf(cmd, sizeof(cmd), "cat %s/circd.db* | grep -q 987123", rig.tmp.dir);
	CHECK(system(cmd) != 0);
	kiosk_rig_stop(&rig);
}

static void test_no_store_refuses_with_error(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_RETURNS, false);
	store_close(rig.store);
	rig.store = rig.cap.store = NULL;
	kiosk_set_store(rig.kiosk, NULL, -EROFS);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "Out of service");
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "nothing was recorded");
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	kiosk_rig_stop(&rig);
}

static void test_returns_checkin_opens_flap_after_commit(void)
{
	struct kiosk_rig rig;
	struct kiosk_status st;

	kiosk_rig_start(&rig, KIOSK_RETURNS, false);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Returns");
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, "Already returned");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 1);
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "no card is needed");
	kiosk_get_status(rig.kiosk, &st);
	CHECK(st.in_session);
	CHECK_INT(st.session_items, 1);
	loop_advance(rig.loop, 60000);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "1 item");
	kiosk_rig_stop(&rig);
}

/*
 * A busy day at the bin: items keep coming within the session timeout, so the
 * session never ends. What it keeps stays bounded; the count stays right.
 */
static void test_returns_endless_session_stays_bounded(void)
{
	const unsigned n = 3 * RETURNS_RECENT_MAX + 5;
	struct kiosk_status st;
	char code[16], receipt[64];
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_RETURNS, false);
	rig.cfg.barcodes.check_digit = false;
	for (unsigned i = 0; i < n; i++) {
		snprintf(code, sizeof(code), "3%013u", 1000 + i);
		kiosk_rig_scan(&rig, code);
		kiosk_rig_expect(&rig, DISPLAY_OK, code);
		loop_advance(rig.loop, 30000); /* half the session timeout: never quiet enough */
	}
	CHECK_INT(recorded(&rig), n);
	kiosk_get_status(rig.kiosk, &st);
	CHECK(st.in_session);
	CHECK_INT(st.session_items, n);
	CHECK(rig.kiosk->items_cap <= RETURNS_RECENT_MAX);
	CHECK(rig.kiosk->n_items <= RETURNS_RECENT_MAX);

	/* the latest items are still recognised as repeats: nothing recorded twice */
	kiosk_rig_scan(&rig, code);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, "Already returned");
	snprintf(code, sizeof(code), "3%013u", 1000 + n - RETURNS_RECENT_MAX);
	kiosk_rig_scan(&rig, code);
	kiosk_rig_expect(&rig, DISPLAY_NOTICE, "Already returned");
	CHECK_INT(recorded(&rig), n);

	kiosk_rig_scan(&rig, "DONE");
	snprintf(receipt, sizeof(receipt), "You returned %u items.", n);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, receipt);
	kiosk_get_status(rig.kiosk, &st);
	CHECK(!st.in_session);
	kiosk_rig_stop(&rig);
}

static void test_offline_policy_none_refuses_everything(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_RETURNS, false);
	rig.cfg.offline_policy = OFFLINE_NONE;
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "offline");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(recorded(&rig), 0);
	kiosk_rig_stop(&rig);
	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.offline_policy = OFFLINE_NONE;
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "offline");
	kiosk_rig_scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 0);
	kiosk_rig_stop(&rig);
}

static void test_returns_bin_full_stops_intake(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_RETURNS, false);
	kiosk_input(rig.kiosk, ROLE_BIN_FULL, true);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "full");
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_expect(&rig, DISPLAY_ERROR, "full");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(recorded(&rig), 0);
	kiosk_input(rig.kiosk, ROLE_BIN_FULL, false);
	kiosk_rig_expect(&rig, DISPLAY_INFO, "Returns");
	kiosk_rig_scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 1);
	kiosk_rig_stop(&rig);
}

/* The counters the metrics show: each recording by kind and mode, since start. */
static void test_recordings_counted_by_kind_and_mode(void)
{
	struct kiosk_rig rig;
	struct kiosk_status st;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_rig_scan(&rig, ITEM_2);
	kiosk_rig_scan(&rig, ITEM_1); /* again: acknowledged, not recorded twice */
	kiosk_get_status(rig.kiosk, &st);
	CHECK_INT(st.recorded_by[TXN_CHECKOUT][TXN_OFFLINE], 2);
	CHECK_INT(st.recorded_by[TXN_CHECKOUT][TXN_ONLINE], 0);
	CHECK_INT(st.recorded_by[TXN_CHECKIN][TXN_OFFLINE], 0);
	CHECK_INT(st.recorded, 2);
	CHECK_INT(st.store_failures, 0);
	kiosk_rig_stop(&rig);
}

int main(void)
{
	log_open(true, LOG_LEVEL_WARNING);
	RUN(test_selfcheck_session_records_each_item_before_ok);
	RUN(test_recordings_counted_by_kind_and_mode);
	RUN(test_selfcheck_wrong_inputs_record_nothing);
	RUN(test_selfcheck_repeat_item_acknowledged_once);
	RUN(test_selfcheck_offline_cap_and_policy);
	RUN(test_selfcheck_item_on_loan_to_another_patron);
	RUN(test_selfcheck_timeout_and_done_button_end_session);
	RUN(test_selfcheck_pin_is_held_not_stored);
	RUN(test_no_store_refuses_with_error);
	RUN(test_returns_checkin_opens_flap_after_commit);
	RUN(test_returns_bin_full_stops_intake);
	RUN(test_returns_endless_session_stays_bounded);
	RUN(test_offline_policy_none_refuses_everything);
	return testlib_finish();
}
