/* SPDX-License-Identifier: GPL-2.0-or-later */
/* circctl check's verdict, from the status struct and the [health] limits. */
#include <string.h>

#include "../../firmware/health.h"
#include "../../firmware/status.h"
#include "testlib.h"

static const struct health_limits limits = { .max_offline_s = 1800, .max_outbox = 1 };

/* A self-check kiosk that can serve: store fine, both scanners there, an RFID pad, online. */
static void healthy(struct circd_status *st)
{
	*st = (struct circd_status){
		.mode = "selfcheck",
		.ils_configured = true,
		.online = true,
		.link = "up",
		.link_error = "",
		.store_open = true,
		.store_usable = true,
		.n_scanners = 2,
		.n_rfid = 1,
		.printer = "sim",
		.printer_state = "ok",
		.printer_status = PRINTER_OK,
	};
	strcpy(st->store_state, "ok");
	st->scanners[0] = (struct status_scanner){ .st = { .name = "items", .attached = true },
						   .role = "item_scanner" };
	st->scanners[1] = (struct status_scanner){ .st = { .name = "cards", .attached = true },
						   .role = "patron_reader" };
	st->rfid[0] = (struct rfid_status){ .name = "pad", .attached = true };
}

static enum health_verdict verdict(const struct circd_status *st, const struct health_limits *l,
				   char *why)
{
	return health_check(st, l, why, 256);
}

static void test_serving(void)
{
	struct circd_status st;
	char why[256];

	healthy(&st);
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
	CHECK_STR(why, "serving patrons (selfcheck, online, 0 waiting)");
	/* no ILS at all: working offline is how it is meant to run */
	st.ils_configured = st.online = false;
	st.offline_s = 0;
	st.outbox = 5000;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
	CHECK_STR(why, "serving patrons (selfcheck, no ILS, 5000 waiting)");
}

static void test_store(void)
{
	struct circd_status st;
	char why[256];

	healthy(&st);
	st.store_open = st.store_usable = false;
	strcpy(st.store_state, "unavailable: Read-only file system");
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OUT_OF_SERVICE);
	CHECK_STR(why, "out of service: store unavailable: Read-only file system");
	healthy(&st);
	st.store_usable = false;
	strcpy(st.store_state, "failing: store: cannot record: No space left on device");
	st.scanners[0].st.attached = false; /* the store is the worse news */
	CHECK_INT(verdict(&st, &limits, why), HEALTH_STORE);
	CHECK_STR(why, "store failing: store: cannot record: No space left on device");
	/* DAMAGED (the journal below the mark) still records: not a failure to serve */
	healthy(&st);
	strcpy(st.store_state, "DAMAGED: transactions up to seq 9 were acknowledged");
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
}

static void test_devices(void)
{
	struct circd_status st;
	char why[256];

	healthy(&st);
	st.scanners[0].st.attached = false;
	strcpy(st.scanners[0].st.last_error, "unplugged");
	CHECK_INT(verdict(&st, &limits, why), HEALTH_DEVICE);
	CHECK_STR(why, "no item_scanner attached (items: unplugged)");
	healthy(&st);
	st.scanners[1].st.attached = false;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_DEVICE);
	CHECK_STR(why, "no patron_reader attached (cards is absent)");
	/* a returns bin needs no card reader */
	st.mode = "returns";
	st.returns = true;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
	/* one scanner of two for a role is enough */
	healthy(&st);
	st.n_scanners = 3;
	st.scanners[2] = (struct status_scanner){ .st = { .name = "front" }, .role = "both" };
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
	st.scanners[0].st.attached = false;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_DEVICE);
	CHECK_STR(why, "no item_scanner attached (front is absent)");
	healthy(&st);
	st.rfid[0].attached = false;
	strcpy(st.rfid[0].last_error, "no answer");
	CHECK_INT(verdict(&st, &limits, why), HEALTH_DEVICE);
	CHECK_STR(why, "RFID reader pad is not attached: no answer");
}

static void test_printer_only_when_receipts_are_always_printed(void)
{
	struct health_limits always = limits;
	struct circd_status st;
	char why[256];

	always.printer_required = true;
	healthy(&st);
	st.printer_state = "paper-out";
	st.printer_status = PRINTER_PAPER_OUT;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_OK);
	CHECK_INT(verdict(&st, &always, why), HEALTH_DEVICE);
	CHECK_STR(why, "the receipt printer (sim) cannot print: paper-out");
	st.printer_status = PRINTER_PAPER_NEAR_END;
	CHECK_INT(verdict(&st, &always, why), HEALTH_OK);
	/* a board without a printer has nothing to ask for */
	st.printer = NULL;
	st.printer_status = PRINTER_OFFLINE;
	CHECK_INT(verdict(&st, &always, why), HEALTH_OK);
}

static void test_bin_full(void)
{
	struct circd_status st;
	char why[256];

	healthy(&st);
	st.mode = "returns";
	st.returns = st.bin_full = true;
	CHECK_INT(verdict(&st, &limits, why), HEALTH_BIN_FULL);
	CHECK_STR(why, "the returns bin is full");
}

static void test_offline_beyond_the_limit_with_an_outbox(void)
{
	struct health_limits l = { .max_offline_s = 1800, .max_outbox = 10 };
	struct circd_status st;
	char why[256];

	healthy(&st);
	st.online = false;
	st.link = "down";
	st.link_error = "connection refused";
	st.offline_s = 1800;
	st.outbox = 10;
	CHECK_INT(verdict(&st, &l, why), HEALTH_OK); /* at the limit, not past it */
	st.offline_s = 1801;
	CHECK_INT(verdict(&st, &l, why), HEALTH_OFFLINE);
	CHECK_STR(why, "offline for 1801 s (limit 1800 s) with 10 transactions waiting: "
		       "connection refused");
	st.outbox = 9; /* offline long, but few waiting */
	CHECK_INT(verdict(&st, &l, why), HEALTH_OK);
	l.max_outbox = 0; /* any long outage counts */
	st.outbox = 0;
	st.link_error = "";
	CHECK_INT(verdict(&st, &l, why), HEALTH_OFFLINE);
	CHECK_STR(why, "offline for 1801 s (limit 1800 s) with 0 transactions waiting");
	l.max_offline_s = 0; /* never */
	st.offline_s = 86400 * 30;
	CHECK_INT(verdict(&st, &l, why), HEALTH_OK);
}

static void test_names(void)
{
	CHECK_STR(health_verdict_name(HEALTH_OK), "ok");
	CHECK_STR(health_verdict_name(HEALTH_UNREACHABLE), "unreachable");
	CHECK_STR(health_verdict_name(HEALTH_OUT_OF_SERVICE), "out-of-service");
	CHECK_STR(health_verdict_name(HEALTH_STORE), "store");
	CHECK_STR(health_verdict_name(HEALTH_DEVICE), "device");
	CHECK_STR(health_verdict_name(HEALTH_BIN_FULL), "bin-full");
	CHECK_STR(health_verdict_name(HEALTH_OFFLINE), "offline");
	/* exit statuses scripts rely on */
	CHECK_INT(HEALTH_OUT_OF_SERVICE, 3);
	CHECK_INT(HEALTH_STORE, 4);
	CHECK_INT(HEALTH_DEVICE, 5);
	CHECK_INT(HEALTH_BIN_FULL, 6);
	CHECK_INT(HEALTH_OFFLINE, 7);
}

int main(void)
{
	RUN(test_serving);
	RUN(test_store);
	RUN(test_devices);
	RUN(test_printer_only_when_receipts_are_always_printed);
	RUN(test_bin_full);
	RUN(test_offline_beyond_the_limit_with_an_outbox);
	RUN(test_names);
	return testlib_finish();
}
