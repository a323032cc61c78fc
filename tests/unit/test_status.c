/* SPDX-License-Identifier: GPL-2.0-or-later */
/* circctl status, both forms from one struct, byte for byte as scripts and staff read them. */
#include <stdlib.h>
#include <string.h>

#include "../../firmware/status.h"
#include "testlib.h"

static void sample(struct circd_status *st)
{
	*st = (struct circd_status){
		.kiosk_id = "desk-2",
		.mode = "returns",
		.returns = true,
		.board = "Simulated kiosk",
		.ils_configured = true,
		.online = false,
		.link = "down",
		.link_error = "connection refused",
		.ils_host = "ils.example",
		.ils_port = "6001",
		.ils_tls = true,
		.forwarded_ils_message = "checkout of item 3001: \"Charged\"",
		.ils_messages = 3,
		.outbox = 7,
		.exceptions = 1,
		.transactions = 42,
		.recorded_since_start = 5,
		.store_path = "/var/lib/circd/circd.db",
		.bin_full = true,
		.door_closed = false,
		.last_error = "",
		.uptime_s = 90061,
		.wakeups = 12,
		.n_scanners = 2,
	};
	strcpy(st->store_state, "ok");
	st->scanners[0] = (struct status_scanner){
		.st = { .name = "item", .attached = true, .usb_vid = 0x05e0, .usb_pid = 0x1200,
			.port = "1-1.2", .scans = 9, .discarded = 2 },
		.role = "item_scanner",
	};
	st->scanners[1] = (struct status_scanner){
		.st = { .name = "card", .usb_vid = 0xffff, .usb_pid = 0x0035,
			.last_error = "unplugged" },
		.role = "patron_reader",
	};
}

static const char *rendered(const struct circd_status *st, enum status_format format,
			    struct strbuf *out)
{
	*out = (struct strbuf){ 0 };
	status_render(st, format, out);
	CHECK(!out->oom);
	return out->buf ? out->buf : "";
}

static void check_render(const struct circd_status *st, enum status_format format,
			 const char *want)
{
	struct strbuf out;

	CHECK_STR(rendered(st, format, &out), want);
	strbuf_free(&out);
}

static void test_text(void)
{
	struct circd_status st;
	struct strbuf out;

	sample(&st);
	check_render(&st, STATUS_TEXT,
		     "kiosk:        desk-2 (returns mode)\n"
		     "board:        Simulated kiosk\n"
		     "connection:   OFFLINE: connection refused\n"
		     "outbox:       7 pending\n"
		     "exceptions:   1 for staff (circctl exceptions)\n"
		     "ILS said:     checkout of item 3001: \"Charged\" (last of 3 accepted with a "
		     "message)\n"
		     "transactions: 42 in store, 5 since start\n"
		     "store:        ok (/var/lib/circd/circd.db)\n"
		     "bin:          FULL, door OPEN\n"
		     "scanner:      item attached (05e0:1200 at 1-1.2), 9 scans, 2 discarded\n"
		     "scanner:      card absent (ffff:0035): unplugged\n"
		     "last error:   none\n"
		     "uptime:       1d 01h 01m 01s\n"
		     "wakeups:      12\n");

	/* a self-check kiosk online, nothing from the ILS yet, no scanners listed */
	st.mode = "selfcheck";
	st.returns = false;
	st.online = true;
	st.forwarded_ils_message = "";
	st.n_scanners = 0;
	st.last_error = "store full";
	check_render(&st, STATUS_TEXT,
		     "kiosk:        desk-2 (selfcheck mode)\n"
		     "board:        Simulated kiosk\n"
		     "connection:   online (ils.example:6001, TLS)\n"
		     "outbox:       7 pending\n"
		     "exceptions:   1 for staff (circctl exceptions)\n"
		     "transactions: 42 in store, 5 since start\n"
		     "store:        ok (/var/lib/circd/circd.db)\n"
		     "last error:   store full\n"
		     "uptime:       1d 01h 01m 01s\n"
		     "wakeups:      12\n");

	st.ils_configured = false;
	st.link = "none";
	CHECK(strstr(rendered(&st, STATUS_TEXT, &out),
		     "\nconnection:   offline (no library system configured)\noutbox:"));
	strbuf_free(&out);
}

static void test_json(void)
{
	struct circd_status st;

	sample(&st);
	check_render(&st, STATUS_JSON,
		     "{\"mode\":\"returns\",\"kiosk_id\":\"desk-2\",\"online\":false,\"ils\":\"down\","
		     "\"ils_error\":\"connection refused\",\"outbox\":7,\"exceptions\":1,"
		     "\"last_error\":null,\"uptime_s\":90061,\"wakeups\":12,\"store\":\"ok\","
		     "\"bin_full\":true,\"door_closed\":false,\"transactions\":42,"
		     "\"recorded_since_start\":5,\"board\":\"Simulated kiosk\","
		     "\"forwarded_ils_message\":\"checkout of item 3001: \\\"Charged\\\"\","
		     "\"scanners\":[{\"name\":\"item\",\"role\":\"item_scanner\",\"attached\":true,"
		     "\"usb\":\"05e0:1200\",\"port\":\"1-1.2\",\"scans\":9,\"discarded\":2,"
		     "\"error\":null},{\"name\":\"card\",\"role\":\"patron_reader\","
		     "\"attached\":false,\"usb\":\"ffff:0035\",\"port\":null,\"scans\":0,"
		     "\"discarded\":0,\"error\":\"unplugged\"}],\"rfid\":[],\"security_owed\":0}\n");

	st.link_error = "";
	st.forwarded_ils_message = "";
	st.last_error = "store full";
	st.n_scanners = 0;
	check_render(&st, STATUS_JSON,
		     "{\"mode\":\"returns\",\"kiosk_id\":\"desk-2\",\"online\":false,\"ils\":\"down\","
		     "\"ils_error\":null,\"outbox\":7,\"exceptions\":1,"
		     "\"last_error\":\"store full\",\"uptime_s\":90061,\"wakeups\":12,"
		     "\"store\":\"ok\",\"bin_full\":true,\"door_closed\":false,\"transactions\":42,"
		     "\"recorded_since_start\":5,\"board\":\"Simulated kiosk\","
		     "\"forwarded_ils_message\":null,\"scanners\":[],\"rfid\":[],"
		     "\"security_owed\":0}\n");
}

/* RFID readers and the security writes still owed, in both forms. */
static void test_rfid(void)
{
	struct circd_status st;
	struct strbuf out = { 0 };
	const char *text;

	sample(&st);
	st.n_scanners = 0;
	st.n_rfid = 2;
	st.rfid[0] = (struct rfid_status){ .name = "pad", .protocol = "3m", .attached = true,
					   .reader = "3M 810, hardware version 10.5.0.2",
					   .port = "/dev/ttyACM0", .tags_in_field = 3, .arrivals = 9,
					   .ops = 12, .ops_failed = 1 };
	st.rfid[1] = (struct rfid_status){ .name = "door", .protocol = "feig",
					   .last_error = "no FEIG reader answers at 38400 8E1" };
	st.security_owed = 2;
	text = rendered(&st, STATUS_TEXT, &out);
	CHECK(strstr(text, "scanner") == NULL);
	CHECK(strstr(text, "bin:          FULL, door OPEN\n"
			   "rfid:         pad (3m) attached: 3M 810, hardware version 10.5.0.2 at "
			   "/dev/ttyACM0, 3 tags in the field\n"
			   "rfid:         door (feig) absent: no FEIG reader answers at 38400 8E1\n"
			   "security:     2 tag writes owed (circctl security)\n"
			   "last error:") != NULL);
	strbuf_free(&out);
	text = rendered(&st, STATUS_JSON, &out);
	CHECK(strstr(text, "\"scanners\":[],\"rfid\":[{\"name\":\"pad\",\"protocol\":\"3m\","
			   "\"attached\":true,\"reader\":\"3M 810, hardware version 10.5.0.2\","
			   "\"port\":\"/dev/ttyACM0\",\"tags_in_field\":3,\"arrivals\":9,\"ops\":12,"
			   "\"ops_failed\":1,\"error\":null},{\"name\":\"door\",\"protocol\":\"feig\","
			   "\"attached\":false,\"reader\":null,\"port\":null,\"tags_in_field\":0,"
			   "\"arrivals\":0,\"ops\":0,\"ops_failed\":0,"
			   "\"error\":\"no FEIG reader answers at 38400 8E1\"}],\"security_owed\":2}\n")
	      != NULL);
	strbuf_free(&out);
}

/* A board with a receipt printer: its state and the last receipt not printed. */
static void test_printer(void)
{
	struct circd_status st;
	struct strbuf out = { 0 };
	const char *text;

	sample(&st);
	st.n_scanners = 0;
	st.printer = "sim";
	st.printer_state = "paper-out";
	st.receipts_printed = 1;
	st.receipt_failure = "no receipt for patron ***0018: printer paper-out";
	text = rendered(&st, STATUS_TEXT, &out);
	CHECK(strstr(text, "bin:          FULL, door OPEN\n"
			   "printer:      sim: paper-out, 1 receipt printed, last failure: "
			   "no receipt for patron ***0018: printer paper-out\n"
			   "last error:") != NULL);
	strbuf_free(&out);
	text = rendered(&st, STATUS_JSON, &out);
	CHECK(strstr(text, "\"security_owed\":0,\"printer\":{\"backend\":\"sim\","
			   "\"state\":\"paper-out\",\"receipts_printed\":1,\"last_failure\":"
			   "\"no receipt for patron ***0018: printer paper-out\"}}\n") != NULL);
	strbuf_free(&out);

	st.printer_state = "ok";
	st.receipts_printed = 2;
	st.receipt_failure = "";
	text = rendered(&st, STATUS_TEXT, &out);
	CHECK(strstr(text, "printer:      sim: ok, 2 receipts printed, last failure: none\n"));
	strbuf_free(&out);
	text = rendered(&st, STATUS_JSON, &out);
	CHECK(strstr(text, "\"receipts_printed\":2,\"last_failure\":null}}\n"));
	strbuf_free(&out);
}

int main(void)
{
	RUN(test_text);
	RUN(test_rfid);
	RUN(test_printer);
	RUN(test_json);
	return testlib_finish();
}
