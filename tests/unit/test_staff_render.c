/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circctl sessions, outbox and exceptions, every form from one struct, byte
 * for byte as staff and scripts read them. The expected bytes are what
 * circd answered before these renderers moved out of staff.c; the ids and
 * messages are made up here.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../firmware/staff-render.h"
#include "testlib.h"

#define T0 1764417600000LL /* 2025-11-29 12:00:00 UTC */

static void check_out(struct strbuf *out, const char *want)
{
	CHECK(!out->oom);
	CHECK_STR(out->buf ? out->buf : "", want);
	strbuf_free(out);
	*out = (struct strbuf){ 0 };
}

static void check_session(const struct staff_session *session, const char *text,
			  const char *json)
{
	struct strbuf out = { 0 };

	sessions_render(session, STATUS_TEXT, &out);
	check_out(&out, text);
	sessions_render(session, STATUS_JSON, &out);
	check_out(&out, json);
}

static void test_sessions(void)
{
	struct staff_session session = { .in_session = true, .state = "items",
					 .patron = "***0018", .items = 3, .idle_s = 42 };

	check_session(&session,
		      "STATE    PATRON   ITEMS    IDLE\n"
		      "items    ***0018      3     42s\n",
		      "{\"sessions\":[{\"state\":\"items\",\"patron\":\"***0018\",\"items\":3,"
		      "\"idle_s\":42}]}\n");

	/* a returns bin's session has no patron to show */
	session = (struct staff_session){ .in_session = true, .state = "returns", .items = 12 };
	check_session(&session,
		      "STATE    PATRON   ITEMS    IDLE\n"
		      "returns  -           12      0s\n",
		      "{\"sessions\":[{\"state\":\"returns\",\"patron\":\"\",\"items\":12,"
		      "\"idle_s\":0}]}\n");

	session = (struct staff_session){ 0 };
	check_session(&session, "no session in progress\n", "{\"sessions\":[]}\n");
}

static void sample_txns(struct txn t[2])
{
	memset(t, 0, 2 * sizeof(*t));
	t[0] = (struct txn){ .seq = 7, .kind = TXN_CHECKOUT, .wall_ms = T0, .mode = TXN_OFFLINE,
			     .state = TXN_PENDING, .due_ms = T0 + 14 * 86400000LL };
	strcpy(t[0].id, "a1b2");
	strcpy(t[0].patron, "21234000000018");
	strcpy(t[0].item, "31234000000016");
	strcpy(t[0].symbology, "code128");
	t[1] = (struct txn){ .seq = 12, .kind = TXN_CHECKIN, .wall_ms = T0 + 61000,
			     .mode = TXN_ONLINE, .state = TXN_FORWARDED, .attempts = 1,
			     .verifications = 2, .patron_told = TXN_TOLD_NOT_DONE };
	strcpy(t[1].id, "c3d4");
	strcpy(t[1].item, "Book \"7\"");
}

static void render_outbox(const struct txn t[2], unsigned n, enum status_format format,
			  struct strbuf *out)
{
	outbox_render_head(format, out);
	for (unsigned i = 0; i < n; i++)
		outbox_render_row(&t[i], i, format, out);
	outbox_render_tail(n, format, out);
}

static void test_outbox(void)
{
	struct strbuf out = { 0 };
	struct txn t[2];

	sample_txns(t);
	render_outbox(t, 2, STATUS_TEXT, &out);
	check_out(&out,
		  "SEQ    KIND      ITEM             PATRON   WHEN                 MODE     STATE\n"
		  "7      checkout  31234000000016   ***0018  2025-11-29 12:00:00  offline  "
		  "pending\n"
		  "12     checkin   Book \"7\"         -        2025-11-29 12:01:01  online   "
		  "forwarded\n");
	render_outbox(t, 2, STATUS_JSON, &out);
	check_out(&out,
		  "{\"transactions\":[{\"id\":\"a1b2\",\"seq\":7,\"kind\":\"checkout\","
		  "\"patron\":\"***0018\",\"item\":\"31234000000016\",\"wall_ms\":1764417600000,"
		  "\"mode\":\"offline\",\"state\":\"pending\",\"due_ms\":1765627200000,"
		  "\"attempts\":0,\"verifications\":0,\"patron_told\":\"nothing\","
		  "\"symbology\":\"code128\"},{\"id\":\"c3d4\",\"seq\":12,\"kind\":\"checkin\","
		  "\"patron\":\"\",\"item\":\"Book \\\"7\\\"\",\"wall_ms\":1764417661000,"
		  "\"mode\":\"online\",\"state\":\"forwarded\",\"due_ms\":0,\"attempts\":1,"
		  "\"verifications\":2,\"patron_told\":\"not-done\",\"symbology\":\"\"}]}\n");

	render_outbox(t, 0, STATUS_TEXT, &out);
	check_out(&out,
		  "SEQ    KIND      ITEM             PATRON   WHEN                 MODE     STATE\n"
		  "(empty: nothing waits to be forwarded)\n");
	render_outbox(t, 0, STATUS_JSON, &out);
	check_out(&out, "{\"transactions\":[]}\n");
}

static void sample_conflicts(struct store_conflict x[2])
{
	memset(x, 0, 2 * sizeof(*x));
	x[0] = (struct store_conflict){ .id = 3, .category = CONFLICT_ON_LOAN_TO_OTHER,
					.kind = TXN_CHECKOUT, .wall_ms = T0,
					.patron_told = TXN_TOLD_SERVED_OFFLINE };
	strcpy(x[0].txn_id, "a1b2");
	strcpy(x[0].item, "31234000000016");
	strcpy(x[0].patron, "21234000000018");
	strcpy(x[0].message, "Item checked out to another patron");
	strcpy(x[0].screen_msg, "Item is on loan\nto someone else");
	strcpy(x[0].print_line, "Ask at the desk");
	x[1] = (struct store_conflict){ .id = 4, .category = CONFLICT_UNKNOWN_ITEM,
					.kind = TXN_CHECKIN, .wall_ms = T0 + 3600000,
					.resolved_ms = T0 + 7200000 };
	strcpy(x[1].txn_id, "c3d4");
	strcpy(x[1].item, "31234000000024");
	strcpy(x[1].message, "No such item, \"31234000000024\"");
	strcpy(x[1].screen_msg, x[1].message); /* says no more than the message */
	strcpy(x[1].resolution, "handled by staff");
}

/* Each form with both rows, then with none. */
static const struct {
	unsigned rows;
	enum status_format format;
	const char *want;
} exceptions_cases[] = {
	{ 2, STATUS_TEXT,
	  "ID    WHEN                 KIND     ITEM             PATRON   CATEGORY          "
	  "MESSAGE\n"
	  "3     2025-11-29 12:00:00  checkout 31234000000016   ***0018  on-loan-to-other  "
	  "Item checked out to another patron\n"
	  "      ILS said:  Item is on loan\n"
	  "                 to someone else\n"
	  "      ILS print: Ask at the desk\n"
	  "4     2025-11-29 13:00:00  checkin  31234000000024   -        unknown-item      "
	  "No such item, \"31234000000024\" [resolved]\n" },
	{ 2, STATUS_JSON,
	  "{\"exceptions\":[{\"id\":3,\"txn\":\"a1b2\",\"category\":\"on-loan-to-other\","
	  "\"kind\":\"checkout\",\"item\":\"31234000000016\",\"patron\":\"***0018\","
	  "\"wall_ms\":1764417600000,\"message\":\"Item checked out to another patron\","
	  "\"screen_msg\":\"Item is on loan\\nto someone else\","
	  "\"print_line\":\"Ask at the desk\",\"patron_told\":\"served-offline\","
	  "\"resolved\":false},{\"id\":4,\"txn\":\"c3d4\",\"category\":\"unknown-item\","
	  "\"kind\":\"checkin\",\"item\":\"31234000000024\",\"patron\":\"\","
	  "\"wall_ms\":1764421200000,\"message\":\"No such item, \\\"31234000000024\\\"\","
	  "\"screen_msg\":\"No such item, \\\"31234000000024\\\"\",\"print_line\":\"\","
	  "\"patron_told\":\"nothing\",\"resolved\":true}]}\n" },
	{ 2, STATUS_CSV,
	  "id,when,kind,item,patron,category,message,resolution,ils_screen,ils_print\r\n"
	  "\"3\",\"2025-11-29 12:00:00\",\"checkout\",\"31234000000016\",\"***0018\","
	  "\"on-loan-to-other\",\"Item checked out to another patron\",\"\","
	  "\"Item is on loan to someone else\",\"Ask at the desk\"\r\n"
	  "\"4\",\"2025-11-29 13:00:00\",\"checkin\",\"31234000000024\",\"\","
	  "\"unknown-item\",\"No such item, \"\"31234000000024\"\"\",\"handled by staff\","
	  "\"No such item, \"\"31234000000024\"\"\",\"\"\r\n" },
	{ 0, STATUS_TEXT,
	  "ID    WHEN                 KIND     ITEM             PATRON   CATEGORY          "
	  "MESSAGE\n"
	  "(none: every forwarded transaction was accepted)\n" },
	{ 0, STATUS_JSON, "{\"exceptions\":[]}\n" },
	{ 0, STATUS_CSV,
	  "id,when,kind,item,patron,category,message,resolution,ils_screen,ils_print\r\n" },
};

static void test_exceptions(void)
{
	struct strbuf out = { 0 };
	struct store_conflict x[2];

	sample_conflicts(x);
	for (size_t c = 0; c < ARRAY_SIZE(exceptions_cases); c++) {
		enum status_format format = exceptions_cases[c].format;

		exceptions_render_head(format, &out);
		for (unsigned i = 0; i < exceptions_cases[c].rows; i++)
			exception_render_row(&x[i], i, format, &out);
		exceptions_render_tail(exceptions_cases[c].rows, format, &out);
		check_out(&out, exceptions_cases[c].want);
	}
}

int main(void)
{
	/* The text and CSV forms show times in the local zone: pin it. */
	setenv("TZ", "UTC", 1);
	tzset();
	RUN(test_sessions);
	RUN(test_outbox);
	RUN(test_exceptions);
	return testlib_finish();
}
