/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [receipt] policy at the end of a self-check session, with the kiosk rig's
 * printer: never prints nothing; always prints the session's receipt after
 * its loans are recorded, or, when the printer cannot (paper out, cover
 * open, offline), tells the patron so, calls staff and keeps why for
 * circctl status. Receipts read back through escpos_render.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../firmware/kiosk.h"
#include "../../firmware/store.h"
#include "escpos_render.h"
#include "kiosk_rig.h"
#include "testlib.h"

#define PATRON_A "21234000000018"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"
#define ITEM_3 "31234000000032"
#define ITEM_4 "31234000000040"

/* A patron borrows two items offline (the rig has no ILS), then presses Done. */
static void borrow_two(struct kiosk_rig *rig)
{
	kiosk_rig_scan(rig, PATRON_A);
	kiosk_rig_scan(rig, ITEM_1);
	kiosk_rig_scan(rig, ITEM_2);
	kiosk_rig_scan(rig, "DONE");
}

static void rendered(struct kiosk_rig *rig, char *text, size_t size)
{
	text[0] = '\0';
	CHECK(escpos_render(rig->cap.printed, rig->cap.printed_len, text, size) > 0);
}

static void test_never_prints(void)
{
	struct kiosk_rig rig;
	struct kiosk_status st;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	CHECK_INT(rig.cfg.receipt_policy, RECEIPT_NEVER); /* the default */
	borrow_two(&rig);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK_INT(rig.cap.prints, 0);
	CHECK_INT(rig.cap.attentions, 0);
	CHECK(!strstr(rig.cap.text, "receipt"));
	kiosk_get_status(rig.kiosk, &st);
	CHECK_INT(st.receipts_printed, 0);
	CHECK_STR(st.receipt_failure, "");
	kiosk_rig_stop(&rig);
}

static void test_always_prints_after_recording(void)
{
	struct kiosk_rig rig;
	struct kiosk_status st;
	uint64_t n = 0;
	char text[4096];

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	snprintf(rig.cfg.receipt_header, sizeof(rig.cfg.receipt_header), "City Library|1 Main St");
	borrow_two(&rig);
	CHECK_INT(store_count_all(rig.store, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(rig.cap.prints, 1);
	CHECK_INT(rig.cap.attentions, 0);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	rendered(&rig, text, sizeof(text));
	CHECK(strstr(text, "{bold}City Library\n{/bold}1 Main St\n") != NULL);
	CHECK(strstr(text, "Library card: ***0018\n") != NULL);
	CHECK(!strstr(text, PATRON_A)); /* the card masked on paper too */
	CHECK(strstr(text, "You borrowed 2 items.") != NULL);
	CHECK(strstr(text, ITEM_1 "\nDue back: ") != NULL);
	CHECK(strstr(text, ITEM_2 "\nDue back: ") != NULL);
	/* Both were recorded offline (no ILS here). */
	CHECK(strstr(text, "Recorded while the library system was offline") != NULL);
	CHECK(strstr(text, "{feed 3}{cut}") != NULL);
	CHECK(!strstr(text, "{qr-store")); /* [receipt] session_qr is off by default */
	kiosk_get_status(rig.kiosk, &st);
	CHECK_INT(st.receipts_printed, 1);
	CHECK_STR(st.receipt_failure, "");
	kiosk_rig_stop(&rig);
}

/* [receipt] session_qr: the session's id, as its transactions carry it in the store. */
static void test_session_id_as_qr(void)
{
	struct kiosk_rig rig;
	struct txn txn;
	char text[4096], want[160];

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	rig.cfg.receipt_session_qr = true;
	borrow_two(&rig);
	CHECK_INT(rig.cap.prints, 1);
	rendered(&rig, text, sizeof(text));
	CHECK_INT(store_next_to_forward(rig.store, &txn), 0);
	CHECK_INT((int)strlen(txn.session_id), TXN_ID_LEN);
	snprintf(want, sizeof(want), "{center}{qr-model 2}{qr-module 5}{qr-level M}{qr-store %s}",
		 txn.session_id);
	CHECK(strstr(text, want) != NULL);
	kiosk_rig_stop(&rig);
}

static void test_always_without_items_or_printer(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	/* Nothing borrowed: no paper for it. */
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, "DONE");
	CHECK_INT(rig.cap.prints, 0);
	/* printer = none: the policy has nothing to print on, and nothing is wrong. */
	rig.cap.no_printer = true;
	borrow_two(&rig);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK(!strstr(rig.cap.text, "no receipt"));
	CHECK_INT(rig.cap.prints, 0);
	CHECK_INT(rig.cap.attentions, 0);
	kiosk_rig_stop(&rig);
}

static void check_refused_by(enum printer_state state, const char *why)
{
	struct kiosk_rig rig;
	struct kiosk_status st;
	uint64_t n = 0;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	rig.cap.printer_state = state;
	borrow_two(&rig);
	CHECK_INT(store_count_all(rig.store, &n), 0);
	CHECK_INT(n, 2); /* the loans stand; only the paper is missing */
	CHECK_INT(rig.cap.prints, 0);
	CHECK_INT(rig.cap.attentions, 1);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK(strstr(rig.cap.text, "\nSorry, no receipt can be printed right now.") != NULL);
	kiosk_get_status(rig.kiosk, &st);
	CHECK_INT(st.receipts_printed, 0);
	CHECK(strstr(st.receipt_failure, why) != NULL);
	CHECK(strstr(st.receipt_failure, "***0018") != NULL);
	CHECK(!strstr(st.receipt_failure, PATRON_A));

	/* Paper back in: the next session gets its receipt; the failure stays for staff. */
	rig.cap.printer_state = PRINTER_OK;
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_3);
	kiosk_rig_scan(&rig, "DONE");
	CHECK_INT(rig.cap.prints, 1);
	kiosk_get_status(rig.kiosk, &st);
	CHECK_INT(st.receipts_printed, 1);
	CHECK(strstr(st.receipt_failure, why) != NULL);
	kiosk_rig_stop(&rig);
}

static void test_paper_out(void)
{
	check_refused_by(PRINTER_PAPER_OUT, "printer paper-out");
}

static void test_cover_open_offline_unknown(void)
{
	check_refused_by(PRINTER_COVER_OPEN, "printer cover-open");
	check_refused_by(PRINTER_OFFLINE, "printer offline");
	check_refused_by(PRINTER_UNKNOWN, "printer unknown");
}

static void test_paper_near_end_still_prints(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	rig.cap.printer_state = PRINTER_PAPER_NEAR_END;
	borrow_two(&rig);
	CHECK_INT(rig.cap.prints, 1);
	CHECK_INT(rig.cap.attentions, 0);
	kiosk_rig_stop(&rig);
}

/* In the patron's language: German words, German date. */
static void test_german(void)
{
	struct kiosk_rig rig;
	char text[4096];

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	snprintf(rig.cfg.language, sizeof(rig.cfg.language), "de");
	borrow_two(&rig);
	CHECK_INT(rig.cap.prints, 1);
	rendered(&rig, text, sizeof(text));
	CHECK(strstr(text, "Sie haben 2 Medien ausgeliehen.") != NULL);
	CHECK(strstr(text, ITEM_1 "\nRückgabe bis: ") != NULL);
	CHECK(strstr(text, " Uhr\n") != NULL);
	kiosk_rig_stop(&rig);
}

/* ask: printed only for a patron who said yes on the screen during that session. */
static void test_ask_prints_when_the_patron_says_yes(void)
{
	struct kiosk_rig rig;

	kiosk_rig_start(&rig, KIOSK_SELFCHECK, false);
	rig.cfg.receipt_policy = RECEIPT_ASK;
	borrow_two(&rig);
	kiosk_rig_expect(&rig, DISPLAY_RECEIPT, "2 items");
	CHECK_INT(rig.cap.prints, 0);
	/* An answer with no session is nobody's. */
	kiosk_choose_receipt(rig.kiosk, true);
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_3);
	kiosk_choose_receipt(rig.kiosk, true);
	kiosk_rig_scan(&rig, "DONE");
	CHECK_INT(rig.cap.prints, 1);
	CHECK_INT(rig.cap.attentions, 0);
	/* Yes, then no: the last answer counts; and each session starts at no. */
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_1);
	kiosk_choose_receipt(rig.kiosk, true);
	kiosk_choose_receipt(rig.kiosk, false);
	kiosk_rig_scan(&rig, "DONE");
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_2);
	kiosk_rig_scan(&rig, "DONE");
	CHECK_INT(rig.cap.prints, 1);
	/* Under always, the answer changes nothing. */
	rig.cfg.receipt_policy = RECEIPT_ALWAYS;
	kiosk_rig_scan(&rig, PATRON_A);
	kiosk_rig_scan(&rig, ITEM_4);
	kiosk_choose_receipt(rig.kiosk, false);
	kiosk_rig_scan(&rig, "DONE");
	CHECK_INT(rig.cap.prints, 2);
	kiosk_rig_stop(&rig);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	RUN(test_never_prints);
	RUN(test_always_prints_after_recording);
	RUN(test_session_id_as_qr);
	RUN(test_always_without_items_or_printer);
	RUN(test_paper_out);
	RUN(test_cover_open_offline_unknown);
	RUN(test_paper_near_end_still_prints);
	RUN(test_german);
	RUN(test_ask_prints_when_the_patron_says_yes);
	return testlib_finish();
}
