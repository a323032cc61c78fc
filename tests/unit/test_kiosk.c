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
#include "testlib.h"

#define PATRON_A "21234000000018"
#define PATRON_B "21234000000026"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"
#define ITEM_3 "31234000000032"
#define BAD_CHECK "31234000000017"

struct capture {
	enum display_kind kind;
	char text[1024];
	int displays;
	int played[FEEDBACK__COUNT];
	struct store *store;
	uint64_t in_store_at_ok; /* what the store held when OK was played */
};

static void cap_display(void *data, enum display_kind kind, const char *text)
{
	struct capture *cap = data;

	cap->kind = kind;
	snprintf(cap->text, sizeof(cap->text), "%s", text);
	cap->displays++;
}

static void cap_feedback(void *data, enum feedback_kind kind)
{
	struct capture *cap = data;

	cap->played[kind]++;
	if (kind == FEEDBACK_OK && cap->store)
		store_count_all(cap->store, &cap->in_store_at_ok);
}

static const struct kiosk_output cap_output = { .display = cap_display, .feedback = cap_feedback };

struct rig {
	char dir[64];
	char db[128];
	struct config cfg;
	struct loop *loop;
	struct store *store;
	struct kiosk *kiosk;
	struct capture cap;
};

static void rig_start(struct rig *rig, enum kiosk_mode mode)
{
	struct kiosk_env env;

	memset(rig, 0, sizeof(*rig));
	snprintf(rig->dir, sizeof(rig->dir), "/tmp/circd-kiosk-XXXXXX");
	CHECK(mkdtemp(rig->dir) != NULL);
	snprintf(rig->db, sizeof(rig->db), "%s/circd.db", rig->dir);
	config_default(&rig->cfg);
	rig->cfg.mode = mode;
	rig->cfg.barcodes.n_done = 1;
	snprintf(rig->cfg.barcodes.done[0], sizeof(rig->cfg.barcodes.done[0]), "DONE");
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &rig->loop), 0);
	CHECK_INT(store_open(rig->db, &rig->store), 0);
	rig->cap.store = rig->store;
	env = (struct kiosk_env){ .loop = rig->loop, .cfg = &rig->cfg, .store = rig->store,
				  .boot_id = "boot-1", .out = &cap_output, .out_data = &rig->cap };
	CHECK_INT(kiosk_new(&env, &rig->kiosk), 0);
}

static void rig_stop(struct rig *rig)
{
	char cmd[128];

	kiosk_free(rig->kiosk);
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

static uint64_t recorded(struct rig *rig)
{
	uint64_t n = 0;

	CHECK_INT(store_count_all(rig->store, &n), 0);
	return n;
}

static void expect(struct rig *rig, enum display_kind kind, const char *needle)
{
	CHECK_INT(rig->cap.kind, kind);
	if (needle && !strstr(rig->cap.text, needle)) {
		fprintf(stderr, "display \"%s\" lacks \"%s\"\n", rig->cap.text, needle);
		CHECK(0);
	}
}

static void test_selfcheck_session_records_each_item_before_ok(void)
{
	struct rig rig;
	struct store_loan loan;

	rig_start(&rig, KIOSK_SELFCHECK);
	expect(&rig, DISPLAY_INFO, "library card");
	scan(&rig, PATRON_A);
	expect(&rig, DISPLAY_INFO, "Scan your items");
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	CHECK_INT(rig.cap.in_store_at_ok, 1); /* committed before the patron was told */
	CHECK_INT(recorded(&rig), 1);
	scan(&rig, ITEM_2);
	CHECK_INT(recorded(&rig), 2);
	CHECK_INT(store_loan_get(rig.store, ITEM_2, &loan), 0);
	CHECK_STR(loan.patron, PATRON_A);
	/* 14 days on, at the end of that day (local time), as ILSs set due dates. */
	CHECK_INT(loan.due_ms, due_date_end_of_day(loan.since_ms + 14LL * 86400000));
	scan(&rig, "DONE");
	expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK(strstr(rig.cap.text, ITEM_1) && strstr(rig.cap.text, ITEM_2));
	/* The session is over: an item now needs a card first. */
	scan(&rig, ITEM_3);
	expect(&rig, DISPLAY_ERROR, "card first");
	CHECK_INT(recorded(&rig), 2);
	rig_stop(&rig);
}

static void test_selfcheck_wrong_inputs_record_nothing(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	scan(&rig, ITEM_1); /* item while a card is expected */
	expect(&rig, DISPLAY_ERROR, NULL);
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	scan(&rig, BAD_CHECK);
	expect(&rig, DISPLAY_ERROR, "did not read correctly");
	scan(&rig, "HELLO");
	expect(&rig, DISPLAY_ERROR, "not recognised");
	scan(&rig, PATRON_A);
	scan(&rig, PATRON_B); /* a card while items are expected */
	expect(&rig, DISPLAY_ERROR, "Another card");
	scan(&rig, "\x01\x02garbage");
	expect(&rig, DISPLAY_ERROR, NULL);
	CHECK_INT(recorded(&rig), 0);
	rig_stop(&rig);
}

static void test_selfcheck_repeat_item_acknowledged_once(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	scan(&rig, PATRON_A);
	scan(&rig, ITEM_1);
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_NOTICE, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 0);
	CHECK_INT(recorded(&rig), 1);
	rig_stop(&rig);
}

static void test_selfcheck_offline_cap_and_policy(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.offline_max_items = 2;
	scan(&rig, PATRON_A);
	scan(&rig, ITEM_1);
	scan(&rig, ITEM_2);
	scan(&rig, ITEM_3);
	expect(&rig, DISPLAY_ERROR, "up to 2 items");
	CHECK_INT(recorded(&rig), 2);
	scan(&rig, "DONE");
	rig.cfg.offline_policy = OFFLINE_CHECKIN_ONLY;
	scan(&rig, PATRON_B);
	expect(&rig, DISPLAY_ERROR, "offline");
	scan(&rig, ITEM_3);
	CHECK_INT(recorded(&rig), 2);
	rig_stop(&rig);
}

static void test_selfcheck_item_on_loan_to_another_patron(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	scan(&rig, PATRON_A);
	scan(&rig, ITEM_1);
	scan(&rig, "DONE");
	scan(&rig, PATRON_B);
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_ERROR, "already on loan");
	CHECK_INT(recorded(&rig), 1);
	scan(&rig, "DONE");
	scan(&rig, PATRON_A); /* the borrower again: told, not recorded twice */
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_NOTICE, "You already have");
	CHECK_INT(recorded(&rig), 1);
	rig_stop(&rig);
}

static void test_selfcheck_timeout_and_done_button_end_session(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_SELFCHECK);
	scan(&rig, PATRON_A);
	scan(&rig, ITEM_1);
	loop_advance(rig.loop, 59000);
	scan(&rig, ITEM_2); /* activity restarts the inactivity timer */
	loop_advance(rig.loop, 59999);
	CHECK_INT(rig.cap.kind, DISPLAY_OK);
	loop_advance(rig.loop, 1);
	expect(&rig, DISPLAY_RECEIPT, "2 items");
	/* The receipt stays up, then the welcome returns. */
	loop_advance(rig.loop, 15000);
	expect(&rig, DISPLAY_INFO, "Welcome");

	scan(&rig, PATRON_B);
	kiosk_input(rig.kiosk, ROLE_DONE_BUTTON, true);
	expect(&rig, DISPLAY_RECEIPT, "0 items");
	rig_stop(&rig);
}

static void test_selfcheck_pin_is_held_not_stored(void)
{
	struct rig rig;
	char cmd[256];

	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.require_pin = true;
	scan(&rig, PATRON_A);
	expect(&rig, DISPLAY_INFO, "PIN");
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_ERROR, "PIN first");
	kiosk_pin(rig.kiosk, "987123");
	expect(&rig, DISPLAY_INFO, "Scan your items");
	scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 1);
	store_close(rig.store);
	rig.store = rig.cap.store = NULL;
	kiosk_set_store(rig.kiosk, NULL, -EIO);
	snprintf(cmd, sizeof(cmd), "cat %s/circd.db* | grep -q 987123", rig.dir);
	CHECK(system(cmd) != 0);
	rig_stop(&rig);
}

static void test_no_store_refuses_with_error(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_RETURNS);
	store_close(rig.store);
	rig.store = rig.cap.store = NULL;
	kiosk_set_store(rig.kiosk, NULL, -EROFS);
	expect(&rig, DISPLAY_ERROR, "Out of service");
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_ERROR, "nothing was recorded");
	CHECK_INT(rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	rig_stop(&rig);
}

static void test_returns_checkin_opens_flap_after_commit(void)
{
	struct rig rig;
	struct kiosk_status st;

	rig_start(&rig, KIOSK_RETURNS);
	expect(&rig, DISPLAY_INFO, "Returns");
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 1);
	CHECK_INT(rig.cap.played[FEEDBACK_OK], 1);
	CHECK_INT(recorded(&rig), 1);
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_NOTICE, "Already returned");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 1);
	CHECK_INT(recorded(&rig), 1);
	scan(&rig, PATRON_A);
	expect(&rig, DISPLAY_ERROR, "no card is needed");
	kiosk_get_status(rig.kiosk, &st);
	CHECK(st.in_session);
	CHECK_INT(st.session_items, 1);
	loop_advance(rig.loop, 60000);
	expect(&rig, DISPLAY_RECEIPT, "1 item");
	rig_stop(&rig);
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
	struct rig rig;

	rig_start(&rig, KIOSK_RETURNS);
	rig.cfg.barcodes.check_digit = false;
	for (unsigned i = 0; i < n; i++) {
		snprintf(code, sizeof(code), "3%013u", 1000 + i);
		scan(&rig, code);
		expect(&rig, DISPLAY_OK, code);
		loop_advance(rig.loop, 30000); /* half the session timeout: never quiet enough */
	}
	CHECK_INT(recorded(&rig), n);
	kiosk_get_status(rig.kiosk, &st);
	CHECK(st.in_session);
	CHECK_INT(st.session_items, n);
	CHECK(rig.kiosk->items_cap <= RETURNS_RECENT_MAX);
	CHECK(rig.kiosk->n_items <= RETURNS_RECENT_MAX);

	/* the latest items are still recognised as repeats: nothing recorded twice */
	scan(&rig, code);
	expect(&rig, DISPLAY_NOTICE, "Already returned");
	snprintf(code, sizeof(code), "3%013u", 1000 + n - RETURNS_RECENT_MAX);
	scan(&rig, code);
	expect(&rig, DISPLAY_NOTICE, "Already returned");
	CHECK_INT(recorded(&rig), n);

	scan(&rig, "DONE");
	snprintf(receipt, sizeof(receipt), "You returned %u items.", n);
	expect(&rig, DISPLAY_RECEIPT, receipt);
	kiosk_get_status(rig.kiosk, &st);
	CHECK(!st.in_session);
	rig_stop(&rig);
}

static void test_offline_policy_none_refuses_everything(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_RETURNS);
	rig.cfg.offline_policy = OFFLINE_NONE;
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_ERROR, "offline");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(recorded(&rig), 0);
	rig_stop(&rig);
	rig_start(&rig, KIOSK_SELFCHECK);
	rig.cfg.offline_policy = OFFLINE_NONE;
	scan(&rig, PATRON_A);
	expect(&rig, DISPLAY_ERROR, "offline");
	scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 0);
	rig_stop(&rig);
}

static void test_returns_bin_full_stops_intake(void)
{
	struct rig rig;

	rig_start(&rig, KIOSK_RETURNS);
	kiosk_input(rig.kiosk, ROLE_BIN_FULL, true);
	expect(&rig, DISPLAY_ERROR, "full");
	scan(&rig, ITEM_1);
	expect(&rig, DISPLAY_ERROR, "full");
	CHECK_INT(rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(recorded(&rig), 0);
	kiosk_input(rig.kiosk, ROLE_BIN_FULL, false);
	expect(&rig, DISPLAY_INFO, "Returns");
	scan(&rig, ITEM_1);
	CHECK_INT(recorded(&rig), 1);
	rig_stop(&rig);
}

int main(void)
{
	log_open(true, LOG_LEVEL_WARNING);
	RUN(test_selfcheck_session_records_each_item_before_ok);
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
